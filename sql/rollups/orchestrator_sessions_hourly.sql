-- orchestrator_sessions_hourly: live sessions with status evidence, status samples and
-- average output FPS per hour, orchestrator (as named on stream events) and model.
--
-- Source: silver ai_stream_status, one row per status sample. An envelope delivered twice
-- (at-most-once producer retries, consumer restarts) is counted once: rows are grouped by
-- event_id first (copies carry the same payload).
WITH samples AS (
    SELECT event_id,
           max(event_ts) AS event_ts,
           max(orchestrator_address) AS orchestrator_address,
           max(orchestrator_url) AS orchestrator_url,
           max(model_id) AS model_id,
           max(stream_id) AS stream_id,
           max(request_id) AS request_id,
           max(output_fps) AS output_fps
    FROM ai_stream_status
    GROUP BY event_id
)
SELECT
    date_trunc('hour', event_ts)                                        AS window_start,
    orchestrator_address,
    orchestrator_url,
    model_id,
    count(DISTINCT concat_ws('|', coalesce(stream_id, ''), coalesce(request_id, ''))) AS sessions,
    count(*)                                                            AS status_samples,
    round(avg(output_fps), 6)                                           AS avg_output_fps
FROM samples
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
