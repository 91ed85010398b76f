-- gpu_inventory: GPU supply over time, per hour × orchestrator × pipeline × model × GPU model,
-- from silver `capability_gpus` and `capability_models` (network_capabilities reports).
--
-- GPU ids churn (one orchestrator showed 76 ids for ~8 GPUs in a week), so two counts:
-- gpu_ids_seen is every distinct id reported in the hour; physical_gpus is the most GPUs of
-- that model any single report listed for the orchestrator, pipeline and model in the hour (a
-- report lists each installed GPU once, so ids that replace each other are not added up).
-- warm / capacity / in use / runner version come from the hour's last report of the model.
WITH gpus AS (
    SELECT
        date_trunc('hour', event_ts) AS window_start, event_id, report_index, event_ts,
        orchestrator_address, orchestrator_url, pipeline, model_id, gpu_id, gpu_name, memory_total_bytes
    FROM capability_gpus
    WHERE coalesce(orchestrator_address, '') <> ''
),
per_report AS (
    SELECT window_start, orchestrator_address, pipeline, model_id, gpu_name, event_id, report_index,
           count(DISTINCT gpu_id) AS gpus
    FROM gpus
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
counted AS (
    SELECT window_start, orchestrator_address, pipeline, model_id, gpu_name, max(gpus) AS physical_gpus
    FROM per_report
    GROUP BY 1, 2, 3, 4, 5
),
seen AS (
    SELECT window_start, orchestrator_address, pipeline, model_id, gpu_name,
           max(orchestrator_url)         AS orchestrator_url,
           count(DISTINCT gpu_id)        AS gpu_ids_seen,
           max(memory_total_bytes)       AS memory_total_bytes,
           max(event_ts)                 AS last_seen
    FROM gpus
    GROUP BY 1, 2, 3, 4, 5
),
models AS (
    SELECT
        date_trunc('hour', event_ts) AS window_start, orchestrator_address, model_id,
        last_value(warm ORDER BY event_ts)            AS warm,
        last_value(capacity ORDER BY event_ts)        AS capacity,
        last_value(capacity_in_use ORDER BY event_ts) AS capacity_in_use,
        last_value(runner_version ORDER BY event_ts)  AS runner_version
    FROM capability_models
    WHERE coalesce(orchestrator_address, '') <> ''
    GROUP BY 1, 2, 3
)
SELECT
    s.window_start, s.orchestrator_address, s.orchestrator_url, s.pipeline, s.model_id, s.gpu_name,
    s.memory_total_bytes, c.physical_gpus, s.gpu_ids_seen,
    m.warm, m.capacity, m.capacity_in_use, m.runner_version, s.last_seen
FROM seen s
JOIN counted c
  ON c.window_start = s.window_start AND c.orchestrator_address = s.orchestrator_address
 AND (c.pipeline IS NOT DISTINCT FROM s.pipeline) AND (c.model_id IS NOT DISTINCT FROM s.model_id)
 AND (c.gpu_name IS NOT DISTINCT FROM s.gpu_name)
LEFT JOIN models m
  ON m.window_start = s.window_start AND m.orchestrator_address = s.orchestrator_address
 AND (m.model_id IS NOT DISTINCT FROM s.model_id)
ORDER BY 1, 2, 4, 5, 6
