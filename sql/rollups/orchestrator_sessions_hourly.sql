-- orchestrator_sessions_hourly: live sessions with status evidence, status samples and
-- average output FPS per hour, orchestrator (as named on stream events), model, org and
-- traffic class.
--
-- traffic_class: 'probe' when a probe rule (reference data `probe_rules`) matches the
-- sample's stream id, gateway or org, as for sessions; else 'organic'.
--
-- Source: silver ai_stream_status, one row per status sample. An envelope delivered twice
-- (at-most-once producer retries, consumer restarts) is counted once: rows are grouped by
-- event_id first (copies carry the same payload).
WITH samples AS (
    SELECT s.event_id,
           max(s.event_ts) AS event_ts,
           max(s.orchestrator_address) AS orchestrator_address,
           max(s.orchestrator_url) AS orchestrator_url,
           max(s.model_id) AS model_id,
           max(s.org) AS org,
           max(s.stream_id) AS stream_id,
           max(s.request_id) AS request_id,
           max(s.output_fps) AS output_fps,
           bool_or(pr.rule IS NOT NULL) AS probe
    FROM ai_stream_status s
    LEFT JOIN probe_rules pr
      ON (pr.field = 'stream_id' AND coalesce(s.stream_id, '') LIKE pr.pattern)
      OR (pr.field = 'gateway' AND coalesce(s.gateway, '') LIKE pr.pattern)
      OR (pr.field = 'org' AND coalesce(s.org, '') LIKE pr.pattern)
    GROUP BY s.event_id
)
SELECT
    date_trunc('hour', event_ts)                                        AS window_start,
    orchestrator_address,
    orchestrator_url,
    model_id,
    org,
    CASE WHEN probe THEN 'probe' ELSE 'organic' END                     AS traffic_class,
    count(DISTINCT concat_ws('|', coalesce(stream_id, ''), coalesce(request_id, ''))) AS sessions,
    count(*)                                                            AS status_samples,
    round(avg(output_fps), 6)                                           AS avg_output_fps
FROM samples
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
