-- orchestrator_sessions_hourly: live sessions with status evidence, status samples and
-- average output FPS per hour, orchestrator (as named on stream events) and model.
--
-- Source: silver ai_stream_status, one row per status sample. An envelope delivered twice
-- (at-most-once producer retries, consumer restarts) is counted once: rows are deduplicated
-- on event_id first.
WITH samples AS (
    SELECT *,
           row_number() OVER (PARTITION BY event_id ORDER BY envelope_ts, event_ts) AS copy
    FROM ai_stream_status
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
WHERE copy = 1
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
