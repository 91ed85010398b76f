-- orchestrator_windows: rolling windows of the last 30 minutes, 1, 7 and 30 days ending at $1
-- (the evaluation time, ms since the epoch), for traffic class $2 ('organic', 'probe' or
-- 'all'), per orchestrator × pipeline × model, per region, per GPU model (live sessions on a
-- known GPU) and for the network × pipeline × model (`scope`). Computed from session- and job-level rows, never from
-- hourly or daily aggregates: every percentile is exact (continuous, linear interpolation
-- between the two nearest samples, as DuckDB's quantile_cont), with its sample count beside it;
-- a figure without samples is NULL. Error bound: DataFusion truncates the interpolation weight
-- to a multiple of 1e-6, so a percentile is off by at most 1e-6 × the gap between its two
-- samples (0.002 ms between samples 2.2 s apart), before the rounding to 0.001.
--
-- * A window holds the live sessions (requested) and jobs that started in (end − length, end].
-- * outcome: live sessions by startup outcome (success; failed → failure; excused: no
--   orchestrator available or an excusable error). Jobs: success; no_orchestrator → excused;
--   http_4xx → caller_error (the caller's request was refused); incomplete (no completion
--   seen yet) → incomplete; any other error → failure.
-- * success_rate (uptime as OpenRouter defines it): successes / (successes + failures);
--   excused, caller errors and incomplete jobs are kept out of it and counted beside it.
-- * output_fps: each started session's mean output FPS is one sample.
-- * Orchestrators are keyed by on-chain address and URL (batch and LLM jobs name only the
--   URL); rows without an orchestrator count for their region and the network only.
-- * An orchestrator's position against the network baseline of the same window, pipeline and
--   model: startup_latency_ms_p50_vs_network and output_fps_p50_vs_network (its median over
--   the network's: 1.25 is 25 % above), success_rate_vs_network (its rate minus the
--   network's). NULL on other scopes or without samples.
WITH windows (window_name, window_length) AS (
    VALUES ('30m', INTERVAL '30 minutes'), ('1d', INTERVAL '1 day'),
           ('7d', INTERVAL '7 days'), ('30d', INTERVAL '30 days')
),
bounds AS (
    SELECT to_timestamp_millis(CAST($1 AS BIGINT)) AS window_end, CAST($2 AS VARCHAR) AS class
),
samples AS (
    SELECT orchestrator_address, orchestrator_url, pipeline, model_id, region, gpu_name, started_at,
           CASE startup_outcome WHEN 'success' THEN 'success' WHEN 'failed' THEN 'failure'
                WHEN 'excused' THEN 'excused' ELSE 'incomplete' END          AS outcome,
           startup_latency_ms, e2e_latency_ms, prompt_to_first_frame_ms,
           avg_output_fps                                                     AS output_fps,
           CAST(NULL AS DOUBLE) AS duration_ms, CAST(NULL AS DOUBLE) AS ttft_ms,
           CAST(NULL AS DOUBLE) AS tokens_per_second
    FROM sessions, bounds b
    WHERE requested
      AND (b.class = 'all' OR coalesce(traffic_class, 'organic') = b.class)
      AND started_at > b.window_end - INTERVAL '30 days' AND started_at <= b.window_end
    UNION ALL
    SELECT orchestrator_address, orchestrator_url, pipeline, model_id, region, CAST(NULL AS VARCHAR), started_at,
           CASE WHEN success THEN 'success'
                WHEN error_class = 'no_orchestrator' THEN 'excused'
                WHEN error_class = 'http_4xx' THEN 'caller_error'
                WHEN error_class = 'incomplete' THEN 'incomplete'
                ELSE 'failure' END                                            AS outcome,
           CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
           duration_ms, ttft_ms, tokens_per_second
    FROM jobs, bounds b
    WHERE (b.class = 'all' OR coalesce(traffic_class, 'organic') = b.class)
      AND started_at > b.window_end - INTERVAL '30 days' AND started_at <= b.window_end
),
windowed AS (
    SELECT w.window_name, s.*
    FROM samples s
    CROSS JOIN bounds b
    JOIN windows w ON s.started_at > b.window_end - w.window_length
),
grouped AS (
SELECT
    window_name                                                                AS "window",
    CASE WHEN grouping(orchestrator_url) = 0 THEN 'orchestrator'
         WHEN grouping(region) = 0 THEN 'region'
         WHEN grouping(gpu_name) = 0 THEN 'gpu' ELSE 'network' END            AS scope,
    orchestrator_address,
    orchestrator_url,
    region,
    gpu_name,
    pipeline,
    model_id,
    count(*)                                                                   AS samples,
    count(*) FILTER (WHERE outcome = 'success')                                AS successes,
    count(*) FILTER (WHERE outcome = 'failure')                                AS failures,
    count(*) FILTER (WHERE outcome = 'excused')                                AS excused,
    count(*) FILTER (WHERE outcome = 'caller_error')                           AS caller_errors,
    count(*) FILTER (WHERE outcome = 'incomplete')                             AS incomplete,
    round(CAST(count(*) FILTER (WHERE outcome = 'success') AS DOUBLE)
          / nullif(count(*) FILTER (WHERE outcome IN ('success', 'failure')), 0), 6) AS success_rate,
    count(s.startup_latency_ms)                                                         AS startup_latency_ms_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.startup_latency_ms), 3) AS startup_latency_ms_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.startup_latency_ms), 3) AS startup_latency_ms_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.startup_latency_ms), 3) AS startup_latency_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.startup_latency_ms), 3) AS startup_latency_ms_p99,
    count(s.e2e_latency_ms)                                                         AS e2e_latency_ms_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.e2e_latency_ms), 3) AS e2e_latency_ms_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.e2e_latency_ms), 3) AS e2e_latency_ms_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.e2e_latency_ms), 3) AS e2e_latency_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.e2e_latency_ms), 3) AS e2e_latency_ms_p99,
    count(s.prompt_to_first_frame_ms)                                                         AS prompt_to_first_frame_ms_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.prompt_to_first_frame_ms), 3) AS prompt_to_first_frame_ms_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.prompt_to_first_frame_ms), 3) AS prompt_to_first_frame_ms_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.prompt_to_first_frame_ms), 3) AS prompt_to_first_frame_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.prompt_to_first_frame_ms), 3) AS prompt_to_first_frame_ms_p99,
    count(s.output_fps)                                                         AS output_fps_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.output_fps), 3) AS output_fps_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.output_fps), 3) AS output_fps_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.output_fps), 3) AS output_fps_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.output_fps), 3) AS output_fps_p99,
    count(s.duration_ms)                                                         AS duration_ms_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_ms), 3) AS duration_ms_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.duration_ms), 3) AS duration_ms_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.duration_ms), 3) AS duration_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.duration_ms), 3) AS duration_ms_p99,
    count(s.ttft_ms)                                                         AS ttft_ms_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ttft_ms), 3) AS ttft_ms_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.ttft_ms), 3) AS ttft_ms_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.ttft_ms), 3) AS ttft_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.ttft_ms), 3) AS ttft_ms_p99,
    count(s.tokens_per_second)                                                         AS tokens_per_second_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.tokens_per_second), 3) AS tokens_per_second_p50,
    round(percentile_cont(0.75) WITHIN GROUP (ORDER BY s.tokens_per_second), 3) AS tokens_per_second_p75,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.tokens_per_second), 3) AS tokens_per_second_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s.tokens_per_second), 3) AS tokens_per_second_p99
FROM windowed s
GROUP BY GROUPING SETS (
    (window_name, orchestrator_address, orchestrator_url, pipeline, model_id),
    (window_name, region, pipeline, model_id),
    (window_name, gpu_name, pipeline, model_id),
    (window_name, pipeline, model_id)
)
),
kept AS (
    SELECT * FROM grouped
    WHERE NOT (scope = 'orchestrator' AND orchestrator_url IS NULL)
      AND NOT (scope = 'region' AND region IS NULL)
      AND NOT (scope = 'gpu' AND gpu_name IS NULL)
)
SELECT k.*,
       CASE WHEN k.scope = 'orchestrator'
            THEN round(k.startup_latency_ms_p50 / nullif(n.startup_latency_ms_p50, 0), 6) END AS startup_latency_ms_p50_vs_network,
       CASE WHEN k.scope = 'orchestrator'
            THEN round(k.output_fps_p50 / nullif(n.output_fps_p50, 0), 6) END                 AS output_fps_p50_vs_network,
       CASE WHEN k.scope = 'orchestrator'
            THEN round(k.success_rate - n.success_rate, 6) END                                AS success_rate_vs_network
FROM kept k
LEFT JOIN kept n
  ON n.scope = 'network' AND n."window" = k."window" AND n.pipeline = k.pipeline
 AND (n.model_id IS NOT DISTINCT FROM k.model_id)
