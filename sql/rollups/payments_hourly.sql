-- payments_hourly: probabilistic-micropayment tickets per hour × gateway × sender × recipient
-- (on-chain orchestrator, lowercase) × orchestrator URL × pipeline × org, from silver `payments`
-- (create_new_payment), deduplicated on event_id. Wei amounts are exact decimals. Live
-- minutes come from gold `sla_hourly` rows of the same hour, orchestrator and URL, so the
-- fee per minute of live video is expected value / live minutes (NULL without live minutes).
-- Remote-signer payments (silver `signed_tickets`, create_signed_ticket) are rows of their own
-- (no sender: the signer pays for the gateway): signer_payments calls, signer_fee_wei their
-- computed fees in exact wei, tickets the tickets they signed.
WITH tickets AS (
    SELECT event_id,
           max(event_ts) AS event_ts,
           max(gateway) AS gateway,
           max(org) AS org,
           max(sender) AS sender,
           max(recipient) AS recipient,
           max(orchestrator_url) AS orchestrator_url,
           max(manifest_id) AS manifest_id,
           max(capability) AS capability,
           max(num_tickets) AS num_tickets,
           max(face_value_wei) AS face_value_wei,
           max(total_expected_value_wei) AS total_expected_value_wei,
           max(win_prob) AS win_prob,
           max(price_wei_per_pixel) AS price_wei_per_pixel
    FROM payments
    GROUP BY event_id
),
paid AS (
    SELECT
        date_trunc('hour', event_ts)                          AS window_start,
        gateway,
        sender,
        recipient                                             AS orchestrator_address,
        orchestrator_url,
        CASE WHEN manifest_id LIKE '35\_%' OR coalesce(capability, '') = '' THEN 'live-video-to-video'
             ELSE capability END                              AS pipeline,
        org,
        count(*)                                              AS payments,
        sum(num_tickets)                                      AS tickets,
        sum(face_value_wei * num_tickets)                     AS face_value_wei,
        sum(total_expected_value_wei)                         AS expected_value_wei,
        round(avg(win_prob), 12)                              AS avg_win_prob,
        round(avg(price_wei_per_pixel), 6)                    AS avg_price_wei_per_pixel
    FROM tickets
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
signer AS (
    SELECT
        date_trunc('hour', event_ts)                          AS window_start,
        gateway,
        CAST(NULL AS VARCHAR)                                 AS sender,
        lower(orchestrator_address)                           AS orchestrator_address,
        orchestrator_url,
        CASE WHEN coalesce(pipeline, '') = '' THEN 'live-video-to-video' ELSE pipeline END AS pipeline,
        org,
        count(*)                                              AS signer_payments,
        sum(num_tickets)                                      AS tickets,
        sum(computed_fee_wei)                                 AS signer_fee_wei
    FROM (SELECT DISTINCT event_id, event_ts, gateway, org, orchestrator_address, orchestrator_url, pipeline, num_tickets,
                          computed_fee_wei
          FROM signed_tickets)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
both_sources AS (
    SELECT window_start, gateway, sender, orchestrator_address, orchestrator_url, pipeline, org, payments, tickets,
           face_value_wei, expected_value_wei, avg_win_prob, avg_price_wei_per_pixel,
           CAST(NULL AS BIGINT) AS signer_payments, CAST(NULL AS DECIMAL(38, 0)) AS signer_fee_wei
    FROM paid
    UNION ALL
    SELECT window_start, gateway, sender, orchestrator_address, orchestrator_url, pipeline, org, 0, tickets,
           CAST(NULL AS DECIMAL(38, 0)), CAST(NULL AS DECIMAL(38, 10)), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
           signer_payments, signer_fee_wei
    FROM signer
),
merged AS (
    SELECT window_start, gateway, sender, orchestrator_address, orchestrator_url, pipeline, org,
           sum(payments) AS payments, sum(tickets) AS tickets, sum(face_value_wei) AS face_value_wei,
           sum(expected_value_wei) AS expected_value_wei, max(avg_win_prob) AS avg_win_prob,
           max(avg_price_wei_per_pixel) AS avg_price_wei_per_pixel,
           sum(signer_payments) AS signer_payments, sum(signer_fee_wei) AS signer_fee_wei
    FROM both_sources
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
minutes AS (
    SELECT window_start, orchestrator_address, orchestrator_url, sum(session_minutes) AS live_minutes
    FROM sla_hourly
    GROUP BY 1, 2, 3
)
SELECT
    p.window_start, p.gateway, p.sender, p.orchestrator_address, p.orchestrator_url, p.pipeline, p.org,
    p.payments, p.tickets, p.face_value_wei, p.expected_value_wei, p.avg_win_prob, p.avg_price_wei_per_pixel,
    p.signer_payments, p.signer_fee_wei,
    round(m.live_minutes, 6)                                                          AS live_minutes,
    CASE WHEN p.pipeline = 'live-video-to-video' AND m.live_minutes > 0
         THEN round(CAST(p.expected_value_wei AS DOUBLE) / m.live_minutes, 3) END      AS expected_value_wei_per_live_minute
FROM merged p
LEFT JOIN minutes m
  ON m.window_start = p.window_start
 AND m.orchestrator_address = p.orchestrator_address
 AND m.orchestrator_url = p.orchestrator_url
ORDER BY 1, 2, 3, 4, 5, 6, 7
