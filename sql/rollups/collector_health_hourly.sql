-- collector_health_hourly: the polls of each `naap collect` target per hour, from silver
-- `collector_polls`, so that a failing target is visible instead of silent. Latency is
-- measured on every poll that got an answer or timed out; `last_error` is the error of the
-- hour's last failed poll.
SELECT
    date_trunc('hour', event_ts)                                              AS window_start,
    target,
    endpoint,
    last_value(url ORDER BY event_ts)                                         AS url,
    count(*)                                                                  AS polls,
    sum(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END)                           AS successes,
    sum(CASE WHEN outcome = 'timeout' THEN 1 ELSE 0 END)                      AS timeouts,
    sum(CASE WHEN outcome = 'connect_error' THEN 1 ELSE 0 END)                AS connect_errors,
    sum(CASE WHEN outcome = 'http_error' THEN 1 ELSE 0 END)                   AS http_errors,
    sum(CASE WHEN outcome = 'invalid_response' THEN 1 ELSE 0 END)             AS invalid_responses,
    round(avg(CASE WHEN outcome = 'ok' THEN 1.0 ELSE 0.0 END), 6)             AS success_rate,
    round(median(latency_ms), 3)                                              AS latency_ms_p50,
    round(max(latency_ms), 3)                                                 AS latency_ms_max,
    coalesce(sum(items), 0)                                                   AS items,
    max(event_ts)                                                             AS last_poll,
    max(CASE WHEN outcome = 'ok' THEN event_ts END)                           AS last_success,
    last_value(error ORDER BY event_ts) FILTER (WHERE outcome <> 'ok')        AS last_error
FROM collector_polls
WHERE target IS NOT NULL AND endpoint IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
