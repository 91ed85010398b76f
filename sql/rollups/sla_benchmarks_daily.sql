-- sla_benchmarks_daily: the network benchmark that each day's SLA rows are scored against, per
-- day × pipeline × model (the predecessor's quality-benchmark-v1, docs/metrics.md), from gold
-- `sessions`:
--
-- * benchmark rows: per (hour, orchestrator address and URL, GPU, pipeline, model), the average
--   prompt-to-first-frame, E2E latency and output FPS of its sessions;
-- * daily percentiles of those rows per (day, pipeline, model): PTFF and E2E p50/p90, FPS
--   p10/p50, each with its row count;
-- * the benchmark of day D: the 7 full days before D, each day's percentile weighted by its
--   row count. A day whose 7 days before hold no rows has no benchmark row (sla_hourly then
--   counts 0 rows: every quality component is 0.5).
--
-- A day's benchmark depends only on the days before it, so it is computed once the day has
-- begun and changes only when sessions of the week before change (late data): a live hour of
-- SLA rows reads one benchmark row instead of 8 days of sessions.
WITH bench_rows AS (
    SELECT
        date_trunc('day', window_start) AS day, pipeline, model_id,
        CAST(sum(prompt_to_first_frame_ms) AS DOUBLE) / nullif(count(prompt_to_first_frame_ms), 0) AS ptff,
        CAST(sum(e2e_latency_ms) AS DOUBLE) / nullif(count(e2e_latency_ms), 0)                   AS e2e,
        sum(output_fps_sum) / nullif(sum(status_samples), 0)                                     AS fps
    FROM sessions
    -- The network's benchmark is its organic traffic (probe sessions are scored against it).
    WHERE traffic_class IS DISTINCT FROM 'probe'
    GROUP BY window_start, orchestrator_address, orchestrator_url, gpu_name, pipeline, model_id
),
bench_daily AS (
    SELECT
        day, pipeline, model_id,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ptff) AS ptff_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY ptff) AS ptff_p90,
        count(ptff)                                       AS ptff_rows,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY e2e)  AS e2e_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY e2e)  AS e2e_p90,
        count(e2e)                                        AS e2e_rows,
        percentile_cont(0.1) WITHIN GROUP (ORDER BY fps)  AS fps_p10,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY fps)  AS fps_p50,
        count(fps)                                        AS fps_rows
    FROM bench_rows
    GROUP BY 1, 2, 3
),
-- Every day that one of the 7 days before has rows for the cohort.
days AS (
    SELECT DISTINCT b.day + k.later AS day, b.pipeline, b.model_id
    FROM bench_daily b
    CROSS JOIN (VALUES (INTERVAL '1 day'), (INTERVAL '2 days'), (INTERVAL '3 days'), (INTERVAL '4 days'),
                       (INTERVAL '5 days'), (INTERVAL '6 days'), (INTERVAL '7 days')) AS k(later)
)
SELECT
    d.day AS window_start, d.pipeline, d.model_id,
    round(sum(b.ptff_p50 * b.ptff_rows) / nullif(sum(b.ptff_rows), 0), 6) AS ptff_p50,
    round(sum(b.ptff_p90 * b.ptff_rows) / nullif(sum(b.ptff_rows), 0), 6) AS ptff_p90,
    coalesce(sum(b.ptff_rows), 0)                                         AS ptff_rows,
    round(sum(b.e2e_p50 * b.e2e_rows) / nullif(sum(b.e2e_rows), 0), 6)    AS e2e_p50,
    round(sum(b.e2e_p90 * b.e2e_rows) / nullif(sum(b.e2e_rows), 0), 6)    AS e2e_p90,
    coalesce(sum(b.e2e_rows), 0)                                          AS e2e_rows,
    round(sum(b.fps_p10 * b.fps_rows) / nullif(sum(b.fps_rows), 0), 6)    AS fps_p10,
    round(sum(b.fps_p50 * b.fps_rows) / nullif(sum(b.fps_rows), 0), 6)    AS fps_p50,
    coalesce(sum(b.fps_rows), 0)                                          AS fps_rows
FROM days d
JOIN bench_daily b
  ON b.pipeline = d.pipeline AND (b.model_id IS NOT DISTINCT FROM d.model_id)
 AND b.day >= d.day - INTERVAL '7 days' AND b.day < d.day
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
