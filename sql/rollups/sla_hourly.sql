-- sla_hourly: live-video service level per hour (of session start) × orchestrator (on-chain
-- address and URL) × pipeline × model × GPU × gateway × region × org × traffic class, from
-- gold `sessions`. Probe sessions (traffic_class 'probe') get rows of their own, never mixed
-- with organic ones; the Explorer median is taken per class, the v1 quality benchmarks are the
-- network's organic ones.
--
-- Every count is additive (sum rows to get a day, a week, a network), and three scores sit
-- beside them (NULL when the row has no requested session — "no data" is never 0):
--
-- * sla_score_v1: the predecessor's `quality-benchmark-v1`, reproduced exactly
--   (docs/metrics.md): 100 · health coverage · (0.7 · reliability + 0.3 · quality), where
--   reliability = 0.4 · startup success + 0.2 · no-swap + 0.4 · output viability, and quality
--   scores PTFF, E2E and FPS against the network's 7-day benchmark of the (pipeline, model)
--   cohort (gold `sla_benchmarks_daily` of the row's day: daily percentiles of per-(hour,
--   orchestrator, GPU) averages, combined over the 7 full days before the row's date weighted
--   by row counts), gated at 48 rows, with samples shrinking small rows toward 0.5.
-- * explorer_ai_score: the Explorer leaderboard's AI formula, 0.65 · success + 0.35 ·
--   exp(−k · rtt) with k = −ln 0.8 / network median rtt, applied to live sessions: success is
--   startup success, rtt the startup latency; the median is over the (hour, pipeline, model)
--   cohort's successful sessions. 0 when success is 0, as in the Explorer.
-- * naap_score: 100 × the Wilson 95 % lower bound of the share of good sessions (played, not
--   loading-only, not zero-FPS) among requested sessions that were not excused; its trial
--   count (naap_score_sessions) and the interval (good_rate_low/high) are published beside it.
WITH grouped AS (
    SELECT
        window_start, orchestrator_address, orchestrator_url, pipeline, model_id, gpu_name, gateway, region,
        org, coalesce(traffic_class, 'organic') AS traffic_class,
        count(*) FILTER (WHERE requested)                                               AS requested_sessions,
        count(*) FILTER (WHERE requested AND startup_outcome = 'success')               AS startup_success_sessions,
        count(*) FILTER (WHERE requested AND startup_outcome = 'excused')               AS startup_excused_sessions,
        count(*) FILTER (WHERE requested AND startup_outcome = 'failed')                AS startup_failed_sessions,
        count(*) FILTER (WHERE requested AND no_orchestrator)                           AS no_orchestrator_sessions,
        count(*) FILTER (WHERE requested AND swap_count > 0)                            AS swapped_sessions,
        count(*) FILTER (WHERE requested AND loading_only)                              AS loading_only_sessions,
        count(*) FILTER (WHERE requested AND zero_output_fps)                           AS zero_fps_sessions,
        count(*) FILTER (WHERE requested AND (loading_only OR zero_output_fps))         AS output_failed_sessions,
        count(*) FILTER (WHERE requested
                         AND (startup_outcome = 'failed' OR loading_only OR zero_output_fps)) AS effective_failed_sessions,
        count(*) FILTER (WHERE requested AND startup_outcome = 'success'
                         AND NOT loading_only AND NOT zero_output_fps)                  AS good_sessions,
        sum(health_signals)                                                             AS health_signals,
        sum(health_expected)                                                            AS health_expected,
        sum(status_samples)                                                             AS status_samples,
        sum(output_fps_sum)                                                             AS output_fps_sum,
        sum(startup_latency_ms)                                                         AS startup_latency_ms_sum,
        count(startup_latency_ms)                                                       AS startup_latency_count,
        sum(e2e_latency_ms)                                                             AS e2e_latency_ms_sum,
        count(e2e_latency_ms)                                                           AS e2e_latency_count,
        sum(prompt_to_first_frame_ms)                                                   AS ptff_ms_sum,
        count(prompt_to_first_frame_ms)                                                 AS ptff_count,
        sum(duration_s) / 60.0                                                          AS session_minutes
    FROM sessions
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),
-- Explorer: network median startup latency (s) of successful sessions per hour, cohort and
-- traffic class.
explorer_median AS (
    SELECT window_start, pipeline, model_id, coalesce(traffic_class, 'organic') AS traffic_class,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY startup_latency_ms) / 1000.0 AS median_rtt_s
    FROM sessions
    WHERE startup_outcome = 'success' AND startup_latency_ms > 0
    GROUP BY 1, 2, 3, 4
),
scored AS (
    SELECT
        r.*,
        CAST(r.startup_success_sessions AS DOUBLE) / nullif(r.requested_sessions, 0)              AS startup_success_rate,
        1.0 - CAST(r.swapped_sessions AS DOUBLE) / nullif(r.requested_sessions, 0)                AS no_swap_rate,
        1.0 - CAST(r.output_failed_sessions AS DOUBLE) / nullif(r.requested_sessions, 0)          AS output_viability_rate,
        1.0 - CAST(r.effective_failed_sessions AS DOUBLE) / nullif(r.requested_sessions, 0)       AS effective_success_rate,
        CAST(r.startup_excused_sessions AS DOUBLE) / nullif(r.requested_sessions, 0)              AS excused_failure_rate,
        CASE WHEN r.health_expected = 0 THEN 1.0
             ELSE least(CAST(r.health_signals AS DOUBLE) / r.health_expected, 1.0) END            AS health_signal_coverage,
        CAST(r.ptff_ms_sum AS DOUBLE) / nullif(r.ptff_count, 0)                                   AS ptff_ms,
        CAST(r.e2e_latency_ms_sum AS DOUBLE) / nullif(r.e2e_latency_count, 0)                     AS e2e_ms,
        r.output_fps_sum / nullif(r.status_samples, 0)                                            AS fps,
        CAST(r.startup_latency_ms_sum AS DOUBLE) / nullif(r.startup_latency_count, 0) / 1000.0    AS startup_latency_s,
        b.ptff_p50, b.ptff_p90, coalesce(b.ptff_rows, 0) AS ptff_rows, b.e2e_p50, b.e2e_p90,
        coalesce(b.e2e_rows, 0) AS e2e_rows, b.fps_p10, b.fps_p50, coalesce(b.fps_rows, 0) AS fps_rows,
        m.median_rtt_s,
        CAST(r.requested_sessions - r.startup_excused_sessions AS DOUBLE)                        AS trials
    FROM grouped r
    LEFT JOIN sla_benchmarks_daily b
      ON b.window_start = date_trunc('day', r.window_start)
     AND b.pipeline = r.pipeline AND (b.model_id IS NOT DISTINCT FROM r.model_id)
    LEFT JOIN explorer_median m
      ON m.window_start = r.window_start AND m.pipeline = r.pipeline
     AND (m.model_id IS NOT DISTINCT FROM r.model_id) AND m.traffic_class = r.traffic_class
),
raw_scores AS (
    SELECT
        s.*,
        -- greatest/least skip NULLs: guard so that a row without requests stays NULL.
        CASE WHEN requested_sessions > 0 THEN
            greatest(least(0.4 * startup_success_rate + 0.2 * no_swap_rate + 0.4 * output_viability_rate, 1.0), 0.0)
        END AS reliability,
        CASE WHEN ptff_ms IS NULL OR ptff_rows < 48 THEN 0.5
             WHEN ptff_p90 <= ptff_p50 THEN CASE WHEN ptff_ms <= ptff_p50 THEN 1.0 ELSE 0.0 END
             WHEN ptff_ms <= ptff_p50 THEN 1.0
             WHEN ptff_ms >= ptff_p90 THEN 0.0
             ELSE 1.0 - (ptff_ms - ptff_p50) / (ptff_p90 - ptff_p50) END                        AS ptff_raw,
        CASE WHEN e2e_ms IS NULL OR e2e_rows < 48 THEN 0.5
             WHEN e2e_p90 <= e2e_p50 THEN CASE WHEN e2e_ms <= e2e_p50 THEN 1.0 ELSE 0.0 END
             WHEN e2e_ms <= e2e_p50 THEN 1.0
             WHEN e2e_ms >= e2e_p90 THEN 0.0
             ELSE 1.0 - (e2e_ms - e2e_p50) / (e2e_p90 - e2e_p50) END                            AS e2e_raw,
        CASE WHEN fps IS NULL OR fps_rows < 48 THEN 0.5
             WHEN fps_p50 <= fps_p10 THEN CASE WHEN fps >= fps_p50 THEN 1.0 ELSE 0.0 END
             WHEN fps >= fps_p50 THEN 1.0
             WHEN fps <= fps_p10 THEN 0.0
             ELSE (fps - fps_p10) / (fps_p50 - fps_p10) END                                     AS fps_raw,
        CAST(good_sessions AS DOUBLE) / nullif(trials, 0)                                       AS good_rate
    FROM scored s
),
shrunk AS (
    SELECT
        q.*,
        greatest(least(0.5 + least(ptff_count / 10.0, 1.0) * (ptff_raw - 0.5), 1.0), 0.0)       AS ptff_score,
        greatest(least(0.5 + least(e2e_latency_count / 10.0, 1.0) * (e2e_raw - 0.5), 1.0), 0.0) AS e2e_score,
        greatest(least(0.5 + least(status_samples / 30.0, 1.0) * (fps_raw - 0.5), 1.0), 0.0)   AS fps_score
    FROM raw_scores q
)
SELECT
    window_start, orchestrator_address, orchestrator_url, pipeline, model_id, gpu_name, gateway, region,
    org, traffic_class,
    requested_sessions, startup_success_sessions, startup_excused_sessions, startup_failed_sessions,
    no_orchestrator_sessions, swapped_sessions, loading_only_sessions, zero_fps_sessions, output_failed_sessions,
    effective_failed_sessions, good_sessions, health_signals, health_expected, status_samples,
    round(output_fps_sum, 6) AS output_fps_sum,
    startup_latency_ms_sum, startup_latency_count, e2e_latency_ms_sum, e2e_latency_count, ptff_ms_sum, ptff_count,
    round(session_minutes, 6) AS session_minutes,
    round(startup_success_rate, 6) AS startup_success_rate,
    round(no_swap_rate, 6) AS no_swap_rate,
    round(output_viability_rate, 6) AS output_viability_rate,
    round(effective_success_rate, 6) AS effective_success_rate,
    round(excused_failure_rate, 6) AS excused_failure_rate,
    round(health_signal_coverage, 6) AS health_signal_coverage,
    round(reliability, 6) AS reliability,
    CASE WHEN requested_sessions > 0 THEN round(0.6 * (0.6 * ptff_score + 0.4 * e2e_score) + 0.4 * fps_score, 6) END
        AS quality_score,
    CASE WHEN requested_sessions > 0 THEN round(greatest(least(
        100.0 * health_signal_coverage * (0.7 * reliability + 0.3 * (0.6 * (0.6 * ptff_score + 0.4 * e2e_score) + 0.4 * fps_score)),
        100.0), 0.0), 6) END AS sla_score_v1,
    CASE
        WHEN requested_sessions = 0 THEN NULL
        WHEN startup_success_rate = 0 THEN 0.0
        WHEN startup_latency_s IS NULL OR median_rtt_s IS NULL THEN NULL
        ELSE round(0.65 * startup_success_rate + 0.35 * exp(ln(0.8) / median_rtt_s * startup_latency_s), 6)
    END AS explorer_ai_score,
    -- Wilson score interval, z = 1.96.
    round(100.0 * (good_rate + 1.9208 / trials
        - 1.96 * sqrt(good_rate * (1.0 - good_rate) / trials + 0.9604 / (trials * trials)))
        / (1.0 + 3.8416 / trials), 6) AS naap_score,
    CAST(trials AS BIGINT) AS naap_score_sessions,
    round((good_rate + 1.9208 / trials
        - 1.96 * sqrt(good_rate * (1.0 - good_rate) / trials + 0.9604 / (trials * trials)))
        / (1.0 + 3.8416 / trials), 6) AS good_rate_low,
    round((good_rate + 1.9208 / trials
        + 1.96 * sqrt(good_rate * (1.0 - good_rate) / trials + 0.9604 / (trials * trials)))
        / (1.0 + 3.8416 / trials), 6) AS good_rate_high
FROM shrunk
ORDER BY window_start, orchestrator_address, orchestrator_url, pipeline, model_id, gpu_name, gateway, region, org,
         traffic_class
