-- health_states: each hour, the health of every orchestrator × pipeline × model on organic
-- live traffic, rule by rule, with the evidence: the hour's value, the threshold it was held
-- against and the samples behind both. The rules (versioned here; a change is a new metric
-- version):
--
-- * fps_drop_own v1: the hour's median output FPS (one sample per session: its mean FPS) is
--   more than 20 % below the orchestrator's own median of the 7 days before the hour.
-- * fps_below_network_p10 v1: the hour's median output FPS is below the network's 10th
--   percentile (same pipeline and model) of the 7 days before the hour.
-- * startup_latency_above_network_p90 v1: the hour's median startup latency is above the
--   network's 90th percentile of the 7 days before the hour.
-- * startup_success_floor v1: fewer than 80 % of the hour's requested, not excused sessions
--   started (with at least 5 of them).
--
-- degraded: true or false; NULL when the rule cannot be evaluated (no sample in the hour, or a
-- baseline of fewer than 20 samples). state (on every row of an orchestrator's hour):
-- 'degraded' when a rule is, else 'healthy' when a rule could be evaluated, else 'unknown'.
-- Percentiles are exact (continuous; see sql/windows for DataFusion's 1e-6 interpolation bound).
WITH live AS (
    SELECT orchestrator_address, pipeline, model_id, started_at,
           date_trunc('hour', started_at) AS hour,
           startup_outcome, startup_latency_ms, avg_output_fps
    FROM sessions
    WHERE requested AND coalesce(traffic_class, 'organic') = 'organic'
),
hourly AS (
    SELECT hour, orchestrator_address, pipeline, model_id,
           count(*) FILTER (WHERE startup_outcome IN ('success', 'failed'))  AS events,
           count(*) FILTER (WHERE startup_outcome = 'success')               AS successes,
           median(avg_output_fps)                                            AS fps_median,
           count(avg_output_fps)                                             AS fps_samples,
           median(startup_latency_ms)                                        AS latency_median,
           count(startup_latency_ms)                                         AS latency_samples
    FROM live
    WHERE orchestrator_address IS NOT NULL
    GROUP BY 1, 2, 3, 4
),
own_baseline AS (
    SELECT h.hour, h.orchestrator_address, h.pipeline, h.model_id,
           median(s.avg_output_fps)  AS fps_median_7d,
           count(s.avg_output_fps)   AS fps_samples_7d
    FROM hourly h
    JOIN live s
      ON s.orchestrator_address = h.orchestrator_address AND s.pipeline = h.pipeline
     AND (s.model_id IS NOT DISTINCT FROM h.model_id)
     AND s.started_at >= h.hour - INTERVAL '7 days' AND s.started_at < h.hour
    GROUP BY 1, 2, 3, 4
),
network_baseline AS (
    SELECT k.hour, k.pipeline, k.model_id,
           percentile_cont(0.1) WITHIN GROUP (ORDER BY s.avg_output_fps)     AS fps_p10_7d,
           count(s.avg_output_fps)                                           AS fps_samples_7d,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY s.startup_latency_ms) AS latency_p90_7d,
           count(s.startup_latency_ms)                                       AS latency_samples_7d
    FROM (SELECT DISTINCT hour, pipeline, model_id FROM hourly) k
    JOIN live s
      ON s.pipeline = k.pipeline AND (s.model_id IS NOT DISTINCT FROM k.model_id)
     AND s.started_at >= k.hour - INTERVAL '7 days' AND s.started_at < k.hour
    GROUP BY 1, 2, 3
),
evidence AS (
    SELECT h.hour, h.orchestrator_address, h.pipeline, h.model_id,
           'fps_drop_own' AS rule, h.fps_median AS value, 0.8 * o.fps_median_7d AS threshold,
           h.fps_samples AS samples, coalesce(o.fps_samples_7d, 0) AS baseline_samples,
           CASE WHEN h.fps_samples > 0 AND o.fps_samples_7d >= 20
                THEN h.fps_median < 0.8 * o.fps_median_7d END AS degraded
    FROM hourly h
    LEFT JOIN own_baseline o
      ON o.hour = h.hour AND o.orchestrator_address = h.orchestrator_address AND o.pipeline = h.pipeline
     AND (o.model_id IS NOT DISTINCT FROM h.model_id)
    UNION ALL
    SELECT h.hour, h.orchestrator_address, h.pipeline, h.model_id,
           'fps_below_network_p10', h.fps_median, n.fps_p10_7d,
           h.fps_samples, coalesce(n.fps_samples_7d, 0),
           CASE WHEN h.fps_samples > 0 AND n.fps_samples_7d >= 20 THEN h.fps_median < n.fps_p10_7d END
    FROM hourly h
    LEFT JOIN network_baseline n
      ON n.hour = h.hour AND n.pipeline = h.pipeline AND (n.model_id IS NOT DISTINCT FROM h.model_id)
    UNION ALL
    SELECT h.hour, h.orchestrator_address, h.pipeline, h.model_id,
           'startup_latency_above_network_p90', h.latency_median, n.latency_p90_7d,
           h.latency_samples, coalesce(n.latency_samples_7d, 0),
           CASE WHEN h.latency_samples > 0 AND n.latency_samples_7d >= 20 THEN h.latency_median > n.latency_p90_7d END
    FROM hourly h
    LEFT JOIN network_baseline n
      ON n.hour = h.hour AND n.pipeline = h.pipeline AND (n.model_id IS NOT DISTINCT FROM h.model_id)
    UNION ALL
    SELECT h.hour, h.orchestrator_address, h.pipeline, h.model_id,
           'startup_success_floor', CAST(h.successes AS DOUBLE) / nullif(h.events, 0), 0.8,
           h.events, CAST(0 AS BIGINT),
           CASE WHEN h.events >= 5 THEN CAST(h.successes AS DOUBLE) / h.events < 0.8 END
    FROM hourly h
)
SELECT
    hour                                                                 AS window_start,
    orchestrator_address, pipeline, model_id, rule,
    1                                                                    AS rule_version,
    round(value, 6)                                                      AS value,
    round(threshold, 6)                                                  AS threshold,
    samples, baseline_samples, degraded,
    CASE WHEN bool_or(degraded) OVER (PARTITION BY hour, orchestrator_address, pipeline, model_id) THEN 'degraded'
         WHEN count(degraded) OVER (PARTITION BY hour, orchestrator_address, pipeline, model_id) > 0 THEN 'healthy'
         ELSE 'unknown' END                                              AS state
FROM evidence
ORDER BY window_start, orchestrator_address, pipeline, model_id, rule
