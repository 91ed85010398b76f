-- network_baselines_daily: the network's distribution per day × pipeline × model, from gold
-- `sessions` — exact percentiles (linear interpolation) of startup latency, E2E latency,
-- prompt-to-first-frame and per-session average output FPS, and the startup success rate.
-- Dashboards draw an orchestrator against these; scores can use them as benchmarks. Organic
-- traffic only: probes measure the tester's path, not the network's users.
SELECT
    date_trunc('day', window_start)                                                  AS window_start,
    pipeline,
    model_id,
    count(*) FILTER (WHERE requested)                                                AS requested_sessions,
    round(CAST(count(*) FILTER (WHERE requested AND startup_outcome = 'success') AS DOUBLE)
          / nullif(count(*) FILTER (WHERE requested AND startup_outcome <> 'excused'), 0), 6) AS startup_success_rate,
    count(startup_latency_ms)                                                        AS startup_latency_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY startup_latency_ms), 3)         AS startup_latency_ms_p50,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY startup_latency_ms), 3)         AS startup_latency_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY startup_latency_ms), 3)        AS startup_latency_ms_p99,
    count(e2e_latency_ms)                                                            AS e2e_latency_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY e2e_latency_ms), 3)             AS e2e_latency_ms_p50,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY e2e_latency_ms), 3)             AS e2e_latency_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY e2e_latency_ms), 3)            AS e2e_latency_ms_p99,
    count(prompt_to_first_frame_ms)                                                  AS ptff_samples,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY prompt_to_first_frame_ms), 3)   AS ptff_ms_p50,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY prompt_to_first_frame_ms), 3)   AS ptff_ms_p90,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY prompt_to_first_frame_ms), 3)  AS ptff_ms_p99,
    count(avg_output_fps)                                                            AS fps_samples,
    round(percentile_cont(0.1) WITHIN GROUP (ORDER BY avg_output_fps), 6)             AS output_fps_p10,
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY avg_output_fps), 6)             AS output_fps_p50,
    round(percentile_cont(0.9) WITHIN GROUP (ORDER BY avg_output_fps), 6)             AS output_fps_p90
FROM sessions
WHERE traffic_class IS DISTINCT FROM 'probe'
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
