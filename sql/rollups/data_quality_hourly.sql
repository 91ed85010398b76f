-- data_quality_hourly: how complete, fresh and clean the input is, per hour × source kind
-- (kafka, file, http, gen, collect) × org (the source's configured org; NULL when none is,
-- and for bronze written before it kept the org) × family. From bronze `events` (by event hour) and
-- `dead_letters` (by ingest hour; family '_unparsed' when the envelope had no type), and gold
-- `sessions` for the expected cadences. Bronze rows of rejected messages (`accepted` false)
-- are counted by their dead letters only.
--
-- * duplicates: bronze rows beyond the first of each event id (copies the producer or a
--   replay delivered; silver and gold count each event once).
-- * lag_ms_p50/p90/p99: ingest time − event time (freshness), exact percentiles.
-- * expected_events (network-wide, for the hour and family, whatever the source):
--   ai_stream_status one per 10 s of live session time started in the hour;
--   stream_ingest_metrics one per 5 s of the time of those sessions ingested over WHIP (RTMP
--   ingest sends none; a stream is WHIP when it sent any); network_capabilities 60/25
--   reports per active gateway. Per org: an org's sessions and gateways expect its own events.
--   completeness = events / expected_events.
-- * missing_gateway_events: envelopes with an empty gateway field.
-- * requested_sessions / unattributed_share (on the stream_trace rows): live sessions started
--   in the hour, and the share whose orchestrator could not be resolved to an on-chain
--   address (no orchestrator named, no capability report or payment naming it, or a report
--   naming it under two addresses: attribution none, unresolved or ambiguous).
-- * no_gateway_share / no_region_share (on the stream_trace rows): the share of those
--   sessions with no gateway (neither the envelopes nor the source's identity named one) and
--   with no region (no --gateway-region for their gateway): traffic the gateway and region
--   dimensions cannot place.
WITH received AS (
    SELECT
        date_trunc('hour', event_ts) AS window_start, source_kind, coalesce(org, '') AS org, event_type AS family,
        count(*)                                                AS events,
        count(DISTINCT event_id)                                AS distinct_events,
        count(*) FILTER (WHERE gateway = '')                    AS missing_gateway_events,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(ingested_at AS BIGINT) - CAST(event_ts AS BIGINT))  AS lag_ms_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY CAST(ingested_at AS BIGINT) - CAST(event_ts AS BIGINT))  AS lag_ms_p90,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY CAST(ingested_at AS BIGINT) - CAST(event_ts AS BIGINT)) AS lag_ms_p99
    FROM events
    -- Bronze keeps rejected messages too: they count as dead letters, not as events.
    WHERE accepted IS NOT FALSE
    GROUP BY 1, 2, 3, 4
),
rejected AS (
    SELECT
        date_trunc('hour', ingested_at) AS window_start, source_kind, coalesce(org, '') AS org,
        coalesce(event_type, '_unparsed') AS family,
        count(*)                                               AS dead_letters,
        count(*) FILTER (WHERE reason = 'not_utf8')            AS dead_not_utf8,
        count(*) FILTER (WHERE reason = 'not_json')            AS dead_not_json,
        count(*) FILTER (WHERE reason = 'invalid_envelope')    AS dead_invalid_envelope,
        count(*) FILTER (WHERE reason = 'missing_field')       AS dead_missing_field,
        count(*) FILTER (WHERE reason = 'bad_timestamp')       AS dead_bad_timestamp,
        count(*) FILTER (WHERE reason = 'invalid_payload')     AS dead_invalid_payload,
        count(*) FILTER (WHERE reason = 'too_large')           AS dead_too_large
    FROM dead_letters
    GROUP BY 1, 2, 3, 4
),
keys AS (
    SELECT window_start, source_kind, org, family FROM received
    UNION
    SELECT window_start, source_kind, org, family FROM rejected
),
-- Streams ingested over WHIP: only they send stream_ingest_metrics (RTMP ingest never does),
-- and nothing else in the telemetry says which protocol a stream used; a stream is known to
-- be WHIP by its first ingest metrics, 5 s after it starts.
whip_streams AS (
    SELECT DISTINCT stream_id FROM stream_ingest_metrics WHERE coalesce(stream_id, '') <> ''
),
live_seconds AS (
    SELECT s.window_start, coalesce(s.org, '') AS org,
           sum(s.duration_s) AS seconds,
           coalesce(sum(s.duration_s) FILTER (WHERE w.stream_id IS NOT NULL), 0) AS whip_seconds,
           count(*) FILTER (WHERE s.requested) AS sessions,
           count(*) FILTER (WHERE s.requested AND s.attribution NOT IN ('resolved', 'hardware_less')) AS unattributed,
           count(*) FILTER (WHERE s.requested AND s.gateway IS NULL) AS no_gateway,
           count(*) FILTER (WHERE s.requested AND s.region IS NULL) AS no_region
    FROM sessions s LEFT JOIN whip_streams w ON w.stream_id = s.stream_id
    GROUP BY 1, 2
),
gateways AS (
    SELECT date_trunc('hour', event_ts) AS window_start, coalesce(org, '') AS org, count(DISTINCT gateway) AS active
    FROM events WHERE gateway <> '' AND accepted IS NOT FALSE GROUP BY 1, 2
)
SELECT
    k.window_start, k.source_kind, nullif(k.org, '') AS org, k.family,
    coalesce(r.events, 0)                                     AS events,
    coalesce(r.events - r.distinct_events, 0)                 AS duplicates,
    coalesce(d.dead_letters, 0)                               AS dead_letters,
    coalesce(d.dead_not_utf8, 0)                              AS dead_not_utf8,
    coalesce(d.dead_not_json, 0)                              AS dead_not_json,
    coalesce(d.dead_invalid_envelope, 0)                      AS dead_invalid_envelope,
    coalesce(d.dead_missing_field, 0)                         AS dead_missing_field,
    coalesce(d.dead_bad_timestamp, 0)                         AS dead_bad_timestamp,
    coalesce(d.dead_invalid_payload, 0)                       AS dead_invalid_payload,
    coalesce(d.dead_too_large, 0)                             AS dead_too_large,
    round(CAST(coalesce(r.events, 0) AS DOUBLE)
          / nullif(coalesce(r.events, 0) + coalesce(d.dead_letters, 0), 0), 6) AS accepted_share,
    coalesce(r.missing_gateway_events, 0)                     AS missing_gateway_events,
    round(r.lag_ms_p50, 3)                                    AS lag_ms_p50,
    round(r.lag_ms_p90, 3)                                    AS lag_ms_p90,
    round(r.lag_ms_p99, 3)                                    AS lag_ms_p99,
    CASE k.family
        WHEN 'ai_stream_status' THEN round(l.seconds / 10.0, 3)
        WHEN 'stream_ingest_metrics' THEN round(l.whip_seconds / 5.0, 3)
        WHEN 'network_capabilities' THEN round(g.active * 60.0 / 25.0, 3)
    END                                                       AS expected_events,
    CASE WHEN k.family = 'stream_trace' THEN l.sessions END   AS requested_sessions,
    CASE WHEN k.family = 'stream_trace'
         THEN round(CAST(l.unattributed AS DOUBLE) / nullif(l.sessions, 0), 6) END AS unattributed_share,
    CASE WHEN k.family = 'stream_trace'
         THEN round(CAST(l.no_gateway AS DOUBLE) / nullif(l.sessions, 0), 6) END AS no_gateway_share,
    CASE WHEN k.family = 'stream_trace'
         THEN round(CAST(l.no_region AS DOUBLE) / nullif(l.sessions, 0), 6) END AS no_region_share,
    round(CAST(r.events AS DOUBLE) / nullif(CASE k.family
        WHEN 'ai_stream_status' THEN l.seconds / 10.0
        WHEN 'stream_ingest_metrics' THEN l.whip_seconds / 5.0
        WHEN 'network_capabilities' THEN g.active * 60.0 / 25.0
    END, 0), 6)                                               AS completeness
FROM keys k
LEFT JOIN received r ON r.window_start = k.window_start AND r.source_kind = k.source_kind AND r.org = k.org AND r.family = k.family
LEFT JOIN rejected d ON d.window_start = k.window_start AND d.source_kind = k.source_kind AND d.org = k.org AND d.family = k.family
LEFT JOIN live_seconds l ON l.window_start = k.window_start AND l.org = k.org
LEFT JOIN gateways g ON g.window_start = k.window_start AND g.org = k.org
ORDER BY 1, 2, 3, 4
