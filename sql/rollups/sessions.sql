-- sessions: one row per live-stream session, keyed (stream_id, request_id), placed in the
-- hour it started. Sources: silver stream_trace (milestones), ai_stream_status (samples
-- every 10 s), ai_stream_events (errors, restarts), and capability_orchestrators /
-- capability_gpus (who the orchestrator is on chain, and on which GPU it runs the model).
--
-- Definitions (docs/metrics.md has the catalog):
-- * startup_outcome: 'unknown' without a gateway_receive_stream_request; 'success' once
--   gateway_receive_few_processed_segments (3rd output segment: playable) is seen;
--   'excused' when it failed only because no orchestrator was available, or every error of
--   the session matches an excusable message; else 'failed'.
-- * startup_latency_ms: gateway_receive_stream_request → gateway_receive_first_processed_segment.
-- * e2e_latency_ms: gateway_send_first_ingest_segment → runner_send_first_processed_segment.
-- * prompt_to_first_frame_ms: status start_time (runner start) → gateway_receive_few_processed_segments.
--   Each latency is NULL when an edge is missing or comes before its start (RULE-LIFECYCLE-002).
-- * loading_only / zero_output_fps: has status samples and none ONLINE/DEGRADED_* / none with fps > 0.
-- * fps_jitter: coefficient of variation (population stddev / mean) of output fps; NULL with
--   fewer than two samples or a zero mean.
-- * The session's orchestrator is the last one that served it (swaps move it on); it is
--   mapped to its on-chain address through a network_capabilities report of its URL, else of
--   its signing key ("hot wallet"): the latest one at or before the session's start + 30 s
--   and at most 60 min old, else the first one within 30 min after the start (gateways report
--   every 25 min, so a session that starts before the first report a pipeline sees still
--   resolves); else the recipient of the session's first payment (it carries the request
--   id), or of its remote signer's first call, when it was paid at the URL the session's
--   events name (a stream swapped away from its first orchestrator paid that one). attribution: 'resolved'; 'hardware_less'
--   (resolved, but its report entry lists no hardware at all: 38 of 53 real entries carry
--   none); 'ambiguous' (the chosen report lists the node under two on-chain addresses, e.g.
--   a hot wallet two orchestrators share, and no payment names the address: none is
--   guessed); 'unresolved' (a node was seen, no report or payment names its address); 'none' (no orchestrator). A session no stream event
--   attributes takes the URL it was paid to. Unlike the predecessor there is no 'stale': a
--   node without a report within 60 min before or 30 min after the start (two report
--   intervals) is 'unresolved', because the rollup reads one hour of reports before a window.
-- * payments, tickets, expected_value_wei: the session's payments — the one that carries its
--   request id, and the later ones linked to it by their auth session id and recipient (a
--   stream's later payments carry no request id); payment_link says the weakest link used.
--   signer_payments, signer_fee_wei: the remote signer's create_signed_ticket calls for the
--   session's request id (each carries it) and their computed fees, exact wei; NULL when the
--   session was not paid through a remote signer.
--   Manifest ids are not a link: a stream's first payment carries the selector key
--   `<capability>_<model>`, shared by every stream of that model, and the later ones a
--   random id of their own.
--
-- * traffic_class: 'probe' when a probe rule (reference data `probe_rules`: stream id,
--   gateway or org against a glob) matches the session, recorded in probe_rule; else 'organic'.
--
-- Trace subtypes starting with `app_` (client applications' own events) are ignored.
--
-- Envelopes delivered twice are counted once: each source is reduced to the DISTINCT rows
-- of the columns used, without the envelope time (copies of an envelope carry the same
-- payload; only the time the gateway sent each copy may differ).
--
-- Shape, for speed: DataFusion inlines a CTE at every reference, so every CTE here is read
-- once. The three sources are deduplicated, tagged and aggregated per session in one pass,
-- and the capability report is chosen by a window over the session's candidate reports. (DISTINCT ON is avoided: DataFusion 55 plans it with
-- first_value aggregates whose nullability disagrees with the plan once joined.)
WITH trace AS (
    SELECT DISTINCT event_id, coalesce(stream_id, '') AS stream_id, coalesce(request_id, '') AS request_id,
           event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id, subtype
    FROM stream_trace
    -- `app_*` subtypes come from client applications, not from the session lifecycle
    -- (RULE-INGEST-003): silver keeps them as sent, no session, minute or score sees them.
    WHERE (coalesce(stream_id, '') <> '' OR coalesce(request_id, '') <> '')
      AND NOT starts_with(subtype, 'app_')
),
status AS (
    SELECT DISTINCT event_id, coalesce(stream_id, '') AS stream_id, coalesce(request_id, '') AS request_id,
           event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id, state, start_time, output_fps, restart_count
    FROM ai_stream_status
    WHERE coalesce(stream_id, '') <> '' OR coalesce(request_id, '') <> ''
),
stream_events AS (
    SELECT DISTINCT event_id, coalesce(stream_id, '') AS stream_id, coalesce(request_id, '') AS request_id,
           event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id, subtype, message
    FROM ai_stream_events
    WHERE coalesce(stream_id, '') <> '' OR coalesce(request_id, '') <> ''
),
-- Every event of every session, tagged with its source (0 events, 1 trace, 2 status: the
-- order that breaks ties of time when choosing the latest orchestrator and model).
touches AS (
    SELECT 1 AS source, stream_id, request_id, event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id,
           subtype, CAST(NULL AS VARCHAR) AS state, arrow_cast(NULL, 'Timestamp(Millisecond, Some("UTC"))') AS start_time,
           CAST(NULL AS DOUBLE) AS output_fps, CAST(NULL AS BIGINT) AS restart_count, CAST(NULL AS VARCHAR) AS message
    FROM trace
    UNION ALL
    SELECT 2, stream_id, request_id, event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id,
           NULL, state, start_time, output_fps, restart_count, NULL
    FROM status
    UNION ALL
    SELECT 0, stream_id, request_id, event_ts, gateway, org, orchestrator_address, orchestrator_url, model_id,
           subtype, NULL, NULL, NULL, NULL, message
    FROM stream_events
),
sessions_agg AS (
    SELECT
        stream_id, request_id,
        min(event_ts) AS first_ts,
        max(event_ts) AS last_ts,
        max(gateway) AS gateway,
        max(org) AS org,
        last_value(orchestrator_address ORDER BY event_ts, source) FILTER (WHERE orchestrator_address <> '') AS signer,
        last_value(orchestrator_url ORDER BY event_ts, source) FILTER (WHERE orchestrator_url <> '') AS url,
        last_value(model_id ORDER BY event_ts, source) FILTER (WHERE model_id <> '') AS model_id,
        -- stream_trace milestones
        min(event_ts) FILTER (WHERE source = 1 AND subtype = 'gateway_receive_stream_request') AS requested_at,
        min(event_ts) FILTER (WHERE source = 1 AND subtype = 'gateway_send_first_ingest_segment') AS first_ingest_sent_at,
        min(event_ts) FILTER (WHERE source = 1 AND subtype = 'runner_send_first_processed_segment') AS runner_first_output_at,
        min(event_ts) FILTER (WHERE source = 1 AND subtype = 'gateway_receive_first_processed_segment') AS first_output_at,
        min(event_ts) FILTER (WHERE source = 1 AND subtype = 'gateway_receive_few_processed_segments') AS playable_at,
        max(event_ts) FILTER (WHERE source = 1 AND subtype = 'gateway_ingest_stream_closed') AS closed_at,
        count(*) FILTER (WHERE source = 1 AND subtype = 'gateway_no_orchestrators_available') AS no_orchestrator_events,
        count(*) FILTER (WHERE source = 1 AND subtype = 'orchestrator_swap') AS swap_count,
        -- ai_stream_status samples
        count(*) FILTER (WHERE source = 2) AS status_samples,
        count(*) FILTER (WHERE state = 'ONLINE') AS online_samples,
        count(*) FILTER (WHERE state LIKE 'DEGRADED%') AS degraded_samples,
        count(*) FILTER (WHERE state = 'LOADING') AS loading_samples,
        count(*) FILTER (WHERE state = 'ERROR') AS error_samples,
        count(*) FILTER (WHERE state = 'ONLINE' OR state LIKE 'DEGRADED%') AS running_samples,
        count(*) FILTER (WHERE output_fps > 0) AS positive_fps_samples,
        min(start_time) AS runner_started_at,
        max(restart_count) AS status_restart_count,
        count(output_fps) AS fps_samples,
        sum(output_fps) AS output_fps_sum,
        avg(output_fps) AS avg_output_fps,
        median(output_fps) AS p50_output_fps,
        stddev_pop(output_fps) AS stddev_output_fps,
        -- ai_stream_events
        count(*) FILTER (WHERE source = 0 AND subtype = 'error') AS error_count,
        count(*) FILTER (WHERE source = 0 AND subtype = 'error' AND NOT (
            lower(coalesce(message, '')) LIKE '%no orchestrators available%'
            OR lower(coalesce(message, '')) LIKE '%mediamtx ingest disconnected%'
            OR lower(coalesce(message, '')) LIKE '%whip disconnected%'
            OR lower(coalesce(message, '')) LIKE '%missing video%'
            OR lower(coalesce(message, '')) LIKE '%ice connection state failed%'
            OR lower(coalesce(message, '')) LIKE '%user disconnected%'
        )) AS inexcusable_errors,
        count(*) FILTER (WHERE source = 0 AND subtype = 'restart') AS restart_events
    FROM touches
    GROUP BY 1, 2
),
-- Payments of live streams. Only the first payment of a stream carries its request id (with
-- the orchestrator's URL and on-chain address: the attribution fallback for sessions whose
-- stream events never name one); the later ones carry an empty request id and the same auth
-- session id (`sessionID`, stable for one gateway-orchestrator session) and recipient. Each
-- payment goes to one request id: its own; else that of the latest payment at or before it
-- with a request id, the same session id and the same recipient (the stream that session
-- was paying for then). Each envelope once.
pay AS (
    SELECT DISTINCT event_id, event_ts, coalesce(request_id, '') AS request_id, coalesce(session_id, '') AS auth_session,
           recipient, orchestrator_url, num_tickets, total_expected_value_wei
    FROM payments
),
-- Runs: in each (auth session, recipient), ordered by time, a request-carrying payment starts
-- a run and the followers after it belong to it (at one instant the request-carrying ones
-- come first, the smallest request id last). One sort, linear: an auth session can last
-- hours and carry thousands of streams, and a join of its followers with its requests would
-- grow with their product.
pay_runs AS (
    SELECT request_id, auth_session, recipient, orchestrator_url, num_tickets, total_expected_value_wei,
           sum(CASE WHEN request_id <> '' THEN 1 ELSE 0 END) OVER (
               PARTITION BY auth_session, coalesce(recipient, '')
               ORDER BY event_ts, request_id = '', request_id DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM pay
    WHERE auth_session <> ''
),
linked AS (
    SELECT request_id, auth_session, recipient, orchestrator_url, num_tickets, total_expected_value_wei, 1 AS link
    FROM pay
    WHERE request_id <> ''
    UNION ALL
    SELECT owner, auth_session, recipient, orchestrator_url, num_tickets, total_expected_value_wei, 2
    FROM (
        SELECT r.*, max(nullif(r.request_id, '')) OVER (PARTITION BY r.auth_session, coalesce(r.recipient, ''), r.run) AS owner
        FROM pay_runs r
    ) followers
    WHERE request_id = '' AND owner IS NOT NULL
),
paid AS (
    SELECT request_id,
           min(orchestrator_url) FILTER (WHERE link = 1 AND coalesce(orchestrator_url, '') <> '') AS orchestrator_url,
           min(recipient) FILTER (WHERE link = 1 AND coalesce(orchestrator_url, '') <> '') AS recipient,
           min(auth_session) FILTER (WHERE link = 1 AND auth_session <> '') AS payment_session_id,
           count(*) AS payments,
           sum(num_tickets) AS tickets,
           sum(total_expected_value_wei) AS expected_value_wei,
           max(link) AS weakest_link
    FROM linked
    GROUP BY request_id
),
-- Remote-signer payments (create_signed_ticket): every call carries the stream's request id.
-- Each envelope once; computed_fee is exact wei.
-- The first call names the orchestrator the stream started on (the attribution fallback,
-- as a first create_new_payment's recipient).
signed AS (
    SELECT request_id, count(*) AS signer_payments, sum(computed_fee_wei) AS signer_fee_wei,
           first_value(nullif(orchestrator_url, '') ORDER BY event_ts, event_id) AS orchestrator_url,
           first_value(nullif(orchestrator_address, '') ORDER BY event_ts, event_id) AS recipient
    FROM (SELECT DISTINCT event_id, event_ts, request_id, computed_fee_wei, orchestrator_url, orchestrator_address
          FROM signed_tickets WHERE coalesce(request_id, '') <> '')
    GROUP BY request_id
),
-- One row per session. The orchestrator, URL and model are the latest any event names (on
-- a tie: status, then trace, then events); else the URL the session was paid to.
facts AS (
    SELECT
        a.stream_id,
        a.request_id,
        a.gateway,
        a.org,
        a.signer,
        coalesce(a.url, pay.orchestrator_url, sig.orchestrator_url) AS orchestrator_url,
        -- A payment names the session's orchestrator only when it went to the URL the
        -- session's events name (a stream swapped away paid the first orchestrator).
        CASE WHEN a.url IS NULL OR a.url = coalesce(pay.orchestrator_url, sig.orchestrator_url)
             THEN coalesce(pay.recipient, sig.recipient) END AS paid_address,
        pay.payment_session_id,
        pay.payments,
        pay.tickets,
        pay.expected_value_wei,
        pay.weakest_link,
        sig.signer_payments,
        sig.signer_fee_wei,
        a.model_id,
        coalesce(a.requested_at, a.first_ts) AS started_at,
        coalesce(a.closed_at, a.last_ts) AS ended_at,
        a.requested_at IS NOT NULL AS requested,
        a.playable_at IS NOT NULL AS playable,
        a.no_orchestrator_events > 0 AS no_orchestrator_seen,
        a.swap_count,
        a.requested_at,
        a.first_ingest_sent_at,
        a.runner_first_output_at,
        a.first_output_at,
        a.playable_at,
        a.error_count,
        a.inexcusable_errors,
        greatest(coalesce(a.status_restart_count, 0), a.restart_events) AS restart_count,
        a.status_samples,
        a.online_samples,
        a.degraded_samples,
        a.loading_samples,
        a.error_samples,
        a.running_samples,
        a.positive_fps_samples,
        a.runner_started_at,
        a.fps_samples,
        a.output_fps_sum,
        a.avg_output_fps,
        a.p50_output_fps,
        a.stddev_output_fps
    FROM sessions_agg a
    LEFT JOIN paid pay ON pay.request_id = a.request_id AND a.request_id <> ''
    LEFT JOIN signed sig ON sig.request_id = a.request_id AND a.request_id <> ''
),
-- Capability reports keyed two ways: by the node's URL (kind 0) and by its signing key (1),
-- URL first (RULE-ATTRIBUTION: the URL names one node; a hot wallet can sign for several).
report_keys AS (
    SELECT event_id, report_index, event_ts AS report_ts, orchestrator_address, 0 AS kind, orchestrator_url AS node
    FROM capability_orchestrators
    WHERE coalesce(orchestrator_address, '') <> '' AND coalesce(orchestrator_url, '') <> ''
    UNION ALL
    SELECT event_id, report_index, event_ts AS report_ts, orchestrator_address, 1 AS kind, local_address AS node
    FROM capability_orchestrators
    WHERE coalesce(orchestrator_address, '') <> '' AND coalesce(local_address, '') <> ''
),
-- A report that lists one node under two or more on-chain addresses (two orchestrators
-- sharing a hot wallet) cannot say which of them served a session: ambiguous.
report_nodes AS (
    SELECT event_id, kind, node, count(DISTINCT orchestrator_address) AS addresses
    FROM report_keys
    GROUP BY 1, 2, 3
),
-- Each session with its candidate reports: by URL before signing key, then a report at or
-- before start + 30 s before a later one, then the closest in time; sessions without a
-- candidate keep one row with NULL report columns.
candidates AS (
    SELECT
        f.*,
        r.event_id AS report_event_id,
        r.report_index,
        CASE WHEN n.addresses > 1 THEN NULL ELSE r.orchestrator_address END AS onchain_address,
        n.addresses > 1 AS ambiguous,
        row_number() OVER (PARTITION BY f.stream_id, f.request_id
                           ORDER BY r.event_id IS NULL, k.kind,
                                    r.report_ts <= f.started_at + INTERVAL '30 seconds' DESC,
                                    abs(CAST(r.report_ts AS BIGINT) - CAST(f.started_at AS BIGINT)),
                                    r.orchestrator_address) AS preference
    FROM facts f
    CROSS JOIN (VALUES (0), (1)) AS k(kind)
    LEFT JOIN report_keys r
      ON r.kind = k.kind
     AND r.node = CASE k.kind WHEN 0 THEN f.orchestrator_url ELSE f.signer END
     AND r.report_ts <= f.started_at + INTERVAL '30 minutes'
     AND r.report_ts >= f.started_at - INTERVAL '60 minutes'
    LEFT JOIN report_nodes n ON n.event_id = r.event_id AND n.kind = r.kind AND n.node = r.node
),
-- The chosen report of each session with the probe rules it matches (probe_rules: reference
-- data, FIELD=GLOB as LIKE patterns); the first rule in configured order is the one recorded.
classified AS (
    SELECT c.*, pr.rule AS probe_rule,
           row_number() OVER (PARTITION BY c.stream_id, c.request_id ORDER BY pr.position NULLS LAST) AS rule_rank
    FROM candidates c
    LEFT JOIN probe_rules pr
      ON (pr.field = 'stream_id' AND c.stream_id LIKE pr.pattern)
      OR (pr.field = 'gateway' AND coalesce(c.gateway, '') LIKE pr.pattern)
      OR (pr.field = 'org' AND coalesce(c.org, '') LIKE pr.pattern)
    WHERE c.preference = 1
),
report_gpus AS (
    SELECT event_id, report_index, model_id,
           string_agg(DISTINCT gpu_name, ' + ' ORDER BY gpu_name) AS gpu_name
    FROM capability_gpus
    GROUP BY 1, 2, 3
),
-- The report entries that list any hardware at all.
report_hardware AS (
    SELECT DISTINCT event_id, report_index FROM capability_gpus
)
SELECT
    date_trunc('hour', f.started_at)                                   AS window_start,
    concat(f.stream_id, '|', f.request_id)                             AS session_id,
    nullif(f.stream_id, '')                                            AS stream_id,
    nullif(f.request_id, '')                                           AS request_id,
    nullif(f.gateway, '')                                              AS gateway,
    f.org                                                              AS org,
    CASE WHEN f.probe_rule IS NULL THEN 'organic' ELSE 'probe' END     AS traffic_class,
    f.probe_rule                                                       AS probe_rule,
    gr.region                                                          AS region,
    coalesce(f.onchain_address, f.paid_address)                        AS orchestrator_address,
    f.signer                                                           AS orchestrator_signer,
    f.orchestrator_url                                                 AS orchestrator_url,
    CASE
        WHEN f.signer IS NULL AND f.orchestrator_url IS NULL THEN 'none'
        WHEN coalesce(f.onchain_address, f.paid_address) IS NULL AND f.ambiguous THEN 'ambiguous'
        WHEN coalesce(f.onchain_address, f.paid_address) IS NULL THEN 'unresolved'
        WHEN f.onchain_address IS NOT NULL AND h.event_id IS NULL THEN 'hardware_less'
        ELSE 'resolved'
    END                                                                AS attribution,
    'live-video-to-video'                                              AS pipeline,
    f.model_id                                                         AS model_id,
    g.gpu_name                                                         AS gpu_name,
    f.started_at                                                       AS started_at,
    f.ended_at                                                         AS ended_at,
    f.requested                                                        AS requested,
    CASE
        WHEN NOT f.requested THEN 'unknown'
        WHEN f.playable THEN 'success'
        WHEN f.signer IS NULL AND f.orchestrator_url IS NULL AND f.no_orchestrator_seen THEN 'excused'
        WHEN f.error_count > 0 AND f.inexcusable_errors = 0 THEN 'excused'
        ELSE 'failed'
    END                                                                AS startup_outcome,
    CASE
        WHEN NOT f.requested OR f.playable THEN NULL
        WHEN f.signer IS NULL AND f.orchestrator_url IS NULL AND f.no_orchestrator_seen THEN 'no_orchestrator'
        WHEN f.error_count > 0 AND f.inexcusable_errors = 0 THEN 'excusable_error'
        ELSE NULL
    END                                                                AS excusal_reason,
    f.signer IS NULL AND f.orchestrator_url IS NULL AND f.no_orchestrator_seen AS no_orchestrator,
    f.swap_count                                                       AS swap_count,
    f.restart_count                                                    AS restart_count,
    f.error_count                                                      AS error_count,
    f.status_samples > 0 AND f.running_samples = 0                     AS loading_only,
    f.status_samples > 0 AND f.positive_fps_samples = 0                AS zero_output_fps,
    -- Timestamps are epoch milliseconds: differences are exact integers. RULE-LIFECYCLE-002:
    -- NULL when an edge is missing or the two are inverted (the end before the start: edges
    -- delivered out of order, or two clocks apart), never a negative latency.
    CASE WHEN f.first_output_at >= f.requested_at
         THEN CAST(f.first_output_at AS BIGINT) - CAST(f.requested_at AS BIGINT) END                AS startup_latency_ms,
    CASE WHEN f.runner_first_output_at >= f.first_ingest_sent_at
         THEN CAST(f.runner_first_output_at AS BIGINT) - CAST(f.first_ingest_sent_at AS BIGINT) END AS e2e_latency_ms,
    CASE WHEN f.playable_at >= f.runner_started_at
         THEN CAST(f.playable_at AS BIGINT) - CAST(f.runner_started_at AS BIGINT) END               AS prompt_to_first_frame_ms,
    f.status_samples                                                   AS status_samples,
    f.online_samples                                                   AS online_samples,
    f.degraded_samples                                                 AS degraded_samples,
    f.loading_samples                                                  AS loading_samples,
    f.error_samples                                                    AS error_samples,
    f.fps_samples                                                      AS fps_samples,
    round(f.output_fps_sum, 6)                                         AS output_fps_sum,
    round(f.avg_output_fps, 6)                                         AS avg_output_fps,
    round(f.p50_output_fps, 6)                                         AS p50_output_fps,
    CASE WHEN f.fps_samples >= 2 AND f.avg_output_fps > 0
         THEN round(f.stddev_output_fps / f.avg_output_fps, 6) END     AS fps_jitter,
    (CAST(f.ended_at AS BIGINT) - CAST(f.started_at AS BIGINT)) / 1000.0 AS duration_s,
    -- The predecessor's three health signals: a status sample; playable; a status sample
    -- and not (loading-only and zero-fps). Expected: 3 per requested session.
    CAST(f.status_samples > 0 AS BIGINT) + CAST(f.playable AS BIGINT)
      + CAST(f.status_samples > 0 AND NOT (f.running_samples = 0 AND f.positive_fps_samples = 0) AS BIGINT)
                                                                       AS health_signals,
    CASE WHEN f.requested THEN 3 ELSE 0 END                            AS health_expected,
    coalesce(f.payments, 0)                                            AS payments,
    f.tickets                                                          AS tickets,
    f.expected_value_wei                                               AS expected_value_wei,
    CASE f.weakest_link WHEN 1 THEN 'request_id' WHEN 2 THEN 'session_id' END AS payment_link,
    f.payment_session_id                                               AS payment_session_id,
    f.signer_payments                                                  AS signer_payments,
    f.signer_fee_wei                                                   AS signer_fee_wei
FROM classified f
LEFT JOIN report_gpus g
  ON g.event_id = f.report_event_id AND g.report_index = f.report_index AND g.model_id = f.model_id
LEFT JOIN report_hardware h ON h.event_id = f.report_event_id AND h.report_index = f.report_index
LEFT JOIN gateway_regions gr ON gr.gateway = f.gateway
WHERE f.rule_rank = 1
ORDER BY window_start, session_id
