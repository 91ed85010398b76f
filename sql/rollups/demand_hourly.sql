-- demand_hourly: what gateways were asked for, per hour × gateway × region × pipeline ×
-- model × org × traffic class (probe demand is kept apart from organic): live sessions requested, served (played) and unserved (no orchestrator available),
-- live minutes, and AI batch / LLM / BYOC jobs with their tokens. From gold `sessions` and
-- `jobs`. Every column is additive but one: `distinct_clients`, the number of distinct client
-- addresses among the row's batch and LLM requests (silver `client_ip`, private), published
-- instead of the addresses. A client seen in two rows counts in each: never sum it across
-- rows. NULL where the row has no batch or LLM request (live sessions and BYOC jobs carry no
-- client address).
WITH request_clients AS (
    SELECT 'ai_batch' AS kind, request_id, max(nullif(client_ip, '')) AS client_ip
    FROM ai_batch_requests WHERE coalesce(request_id, '') <> '' GROUP BY request_id
    UNION ALL
    SELECT 'llm' AS kind, request_id, max(nullif(client_ip, '')) AS client_ip
    FROM llm_requests WHERE coalesce(request_id, '') <> '' GROUP BY request_id
),
clients AS (
    SELECT j.window_start, j.gateway, j.region, j.pipeline, j.model_id, j.org,
           coalesce(j.traffic_class, 'organic') AS traffic_class,
           count(DISTINCT c.client_ip) AS distinct_clients
    FROM jobs j
    JOIN request_clients c ON c.kind = j.kind AND c.request_id = j.request_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
live AS (
    SELECT window_start, gateway, region, pipeline, model_id, org, coalesce(traffic_class, 'organic') AS traffic_class,
           count(*) FILTER (WHERE requested)                              AS sessions_requested,
           count(*) FILTER (WHERE requested AND startup_outcome = 'success') AS sessions_served,
           count(*) FILTER (WHERE requested AND no_orchestrator)          AS sessions_unserved,
           round(sum(duration_s) / 60.0, 6)                               AS live_minutes,
           CAST(0 AS BIGINT) AS jobs, CAST(0 AS BIGINT) AS jobs_served, CAST(0 AS BIGINT) AS jobs_unserved,
           CAST(NULL AS BIGINT) AS total_tokens,
           CAST(NULL AS BIGINT) AS distinct_clients
    FROM sessions
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
batch AS (
    SELECT window_start, gateway, region, pipeline, model_id, org, coalesce(traffic_class, 'organic') AS traffic_class,
           CAST(0 AS BIGINT) AS sessions_requested, CAST(0 AS BIGINT) AS sessions_served,
           CAST(0 AS BIGINT) AS sessions_unserved, CAST(0.0 AS DOUBLE) AS live_minutes,
           count(*) AS jobs,
           count(*) FILTER (WHERE success) AS jobs_served,
           count(*) FILTER (WHERE error_class = 'no_orchestrator') AS jobs_unserved,
           sum(total_tokens) AS total_tokens,
           CAST(NULL AS BIGINT) AS distinct_clients
    FROM jobs
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
both_kinds AS (
    SELECT * FROM live
    UNION ALL
    SELECT * FROM batch
    UNION ALL
    SELECT window_start, gateway, region, pipeline, model_id, org, traffic_class,
           CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0.0 AS DOUBLE),
           CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(NULL AS BIGINT),
           distinct_clients
    FROM clients
)
SELECT window_start, gateway, region, pipeline, model_id, org, traffic_class,
       sum(sessions_requested) AS sessions_requested,
       sum(sessions_served)    AS sessions_served,
       sum(sessions_unserved)  AS sessions_unserved,
       round(sum(live_minutes), 6) AS live_minutes,
       sum(jobs)               AS jobs,
       sum(jobs_served)        AS jobs_served,
       sum(jobs_unserved)      AS jobs_unserved,
       sum(total_tokens)       AS total_tokens,
       max(distinct_clients)   AS distinct_clients
FROM both_kinds
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1, 2, 3, 4, 5, 6, 7
