//! What the compatibility routes mean: the queries behind the predecessor's routes
//! (`/compat/naap/v1/…`) and leaderboard-serverless's (`/compat/leaderboard/api/…`), each
//! computed from naap's gold and silver data by the other API's definition
//! (docs/compat.md, field by field), and leaderboard-serverless's score as a function.
//!
//! Every query takes its time range as `$1` (inclusive) and `$2` (exclusive); optional
//! filters are `NULL` when absent. Addresses come lowercased and pipelines as canonical ids
//! (`live-video-to-video`, `text-to-image`, …), which is what the clients key on.

/// The canonical pipeline id of a capability id (go-livepeer's `core/capabilities.go`), as
/// the clients name pipelines; silver keeps the display name (`Live video to video`).
pub const CANONICAL_PIPELINE: &str = "CASE capability_id \
    WHEN 27 THEN 'text-to-image' WHEN 28 THEN 'image-to-image' WHEN 29 THEN 'image-to-video' \
    WHEN 30 THEN 'upscale' WHEN 31 THEN 'audio-to-text' WHEN 32 THEN 'segment-anything-2' \
    WHEN 33 THEN 'llm' WHEN 34 THEN 'image-to-text' WHEN 35 THEN 'live-video-to-video' \
    WHEN 36 THEN 'text-to-speech' WHEN 37 THEN 'byoc' END";

// Every query below over sessions, jobs and their rollups reads organic traffic only: the
// clients these answers are for show the network's users, not its probes.

/// The live-video capability id.
pub const LIVE_VIDEO: i64 = 35;

/// Live demand per hour (`dashboard/kpi`): sessions, startup successes and minutes from the
/// SLA rows, `$3` pipeline and `$4` model optional. The predecessor reads its hourly
/// streaming demand; `sla_hourly` holds the same support counts.
pub const KPI_HOURLY: &str = "SELECT window_start AS hour, sum(requested_sessions) AS sessions, \
        sum(startup_success_sessions) AS successes, sum(session_minutes) AS mins \
    FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
      AND ($3 IS NULL OR pipeline = $3) AND ($4 IS NULL OR model_id = $4) \
    GROUP BY window_start ORDER BY window_start";

/// Orchestrators advertising live video in `[$2, $3)` (current) and `[$1, $2)` (previous),
/// `$4` pipeline and `$5` model optional (`dashboard/kpi`'s `orchestratorsObserved`).
pub const KPI_ORCHESTRATORS: &str = "SELECT \
        count(DISTINCT CASE WHEN event_ts >= $2 THEN lower(orchestrator_address) END) AS current, \
        count(DISTINCT CASE WHEN event_ts < $2 THEN lower(orchestrator_address) END) AS previous \
    FROM capability_models WHERE event_ts >= $1 AND event_ts < $3 AND capability_id = 35 \
      AND ($4 IS NULL OR $4 = 'live-video-to-video') AND ($5 IS NULL OR model_id = $5)";

/// Fees per hour in ETH: the expected value of the tickets sent (`payments_hourly`), `$3`
/// pipeline optional. The predecessor sends a literal 0; naap has the real figure.
pub const KPI_FEES_HOURLY: &str = "SELECT window_start AS hour, \
        CAST(sum(expected_value_wei) AS DOUBLE) / 1e18 AS fees_eth \
    FROM payments_hourly WHERE window_start >= $1 AND window_start < $2 \
      AND ($3 IS NULL OR pipeline = $3) \
    GROUP BY window_start ORDER BY window_start";

/// Jobs per family (`ai_batch` = AI batch and LLM, `byoc`) and pipeline (the capability for
/// BYOC): totals, jobs no orchestrator took, successes and the duration sum
/// (`dashboard/kpi`'s `requests` and `dashboard/pipelines`' `requests`).
pub const JOBS_BY_PIPELINE: &str = "SELECT CASE WHEN kind = 'byoc' THEN 'byoc' ELSE 'ai_batch' END AS family, \
        pipeline, sum(jobs) AS total_jobs, sum(no_orchestrator_jobs) AS no_orch_jobs, \
        sum(successful_jobs) AS successful_jobs, coalesce(sum(duration_ms_sum), 0) AS duration_ms_sum \
    FROM jobs_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
    GROUP BY 1, 2 ORDER BY 1, 2";

/// Live usage per pipeline and model (`dashboard/pipelines`): sessions, minutes and the
/// output-FPS support (sum over status samples).
pub const LIVE_USAGE: &str = "SELECT pipeline, model_id, sum(requested_sessions) AS sessions, \
        sum(session_minutes) AS mins, sum(output_fps_sum) AS fps_sum, sum(status_samples) AS fps_samples \
    FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
    GROUP BY pipeline, model_id ORDER BY pipeline, model_id";

/// Service per orchestrator over the window (`dashboard/orchestrators`): the support counts
/// and the session-weighted `sla_score_v1` of its latest hour with a score.
pub const ORCHESTRATOR_SERVICE: &str = "WITH rows AS ( \
        SELECT lower(orchestrator_address) AS address, window_start, requested_sessions, \
               startup_success_sessions, effective_failed_sessions, swapped_sessions, sla_score_v1 \
        FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND orchestrator_address IS NOT NULL), \
    latest AS ( \
        SELECT address, max(window_start) AS sla_window_start FROM rows \
        WHERE sla_score_v1 IS NOT NULL AND requested_sessions > 0 GROUP BY address), \
    latest_score AS ( \
        SELECT r.address, l.sla_window_start, \
               sum(r.sla_score_v1 * r.requested_sessions) / sum(r.requested_sessions) AS sla_score \
        FROM rows r JOIN latest l ON r.address = l.address AND r.window_start = l.sla_window_start \
        WHERE r.sla_score_v1 IS NOT NULL GROUP BY r.address, l.sla_window_start) \
    SELECT t.address, sum(t.requested_sessions) AS known_sessions, sum(t.startup_success_sessions) AS success_sessions, \
           sum(t.effective_failed_sessions) AS effective_failed, sum(t.swapped_sessions) AS swapped, \
           max(s.sla_score) AS sla_score, max(s.sla_window_start) AS sla_window_start \
    FROM rows t LEFT JOIN latest_score s ON t.address = s.address \
    GROUP BY t.address ORDER BY t.address";

/// What each orchestrator advertised in the window: one row per (address, URL, canonical
/// pipeline, model) from the capability reports, with warmth, capacity in use of its latest
/// report for that model, and when it was last seen.
pub const ADVERTISED: &str = "WITH models AS ( \
        SELECT lower(orchestrator_address) AS address, orchestrator_url AS url, capability_id, model_id, \
               warm, capacity_in_use, event_ts, \
               row_number() OVER (PARTITION BY lower(orchestrator_address), capability_id, model_id \
                                  ORDER BY event_ts DESC, orchestrator_url) AS newest \
        FROM capability_models \
        WHERE event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL AND capability_id IS NOT NULL) \
    SELECT address, max(CASE WHEN newest = 1 THEN url END) AS url, CAPABILITY AS pipeline, model_id, \
           bool_or(warm) AS warm, max(CASE WHEN newest = 1 THEN capacity_in_use END) AS capacity_in_use, \
           max(event_ts) AS last_seen \
    FROM models GROUP BY address, capability_id, model_id ORDER BY address, pipeline, model_id";

/// The GPUs each orchestrator reported in the window, per canonical pipeline and model.
pub const GPUS: &str = "SELECT DISTINCT lower(orchestrator_address) AS address, gpu_id, gpu_name, pipeline, model_id \
    FROM capability_gpus \
    WHERE event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL AND gpu_id IS NOT NULL \
    ORDER BY address, gpu_id, pipeline, model_id";

/// The latest URL each orchestrator advertised in the window, and when it was last seen.
pub const IDENTITIES: &str = "SELECT address, url, last_seen FROM ( \
        SELECT lower(orchestrator_address) AS address, orchestrator_url AS url, event_ts AS last_seen, \
               row_number() OVER (PARTITION BY lower(orchestrator_address) ORDER BY event_ts DESC, orchestrator_url) AS newest \
        FROM capability_orchestrators \
        WHERE event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL) \
    WHERE newest = 1 ORDER BY address";

/// Where each pipeline was served in the window (regions of the gateways that carried its
/// sessions and jobs).
pub const PIPELINE_REGIONS: &str = "SELECT DISTINCT pipeline, model_id, region FROM ( \
        SELECT pipeline, model_id, region FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
        UNION ALL \
        SELECT pipeline, model_id, region FROM jobs WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) \
    WHERE region IS NOT NULL ORDER BY pipeline, model_id, region";

/// The latest advertised price per orchestrator, pipeline and model (`dashboard/pricing`):
/// hourly `prices` rows of the window with a price and a pixel count, the newest quote of
/// each; the default price (no model) is left out, as the predecessor does. Wei as int64,
/// which every real price fits.
pub const PRICING: &str = "WITH quotes AS ( \
        SELECT lower(orchestrator_address) AS address, orchestrator_url AS url, CAPABILITY AS pipeline, \
               \"constraint\" AS model, price_per_unit, pixels_per_unit, \
               row_number() OVER (PARTITION BY lower(orchestrator_address), capability_id, \"constraint\" \
                                  ORDER BY last_seen DESC, window_start DESC) AS newest \
        FROM prices WHERE window_start >= $1 AND window_start < $2 AND capability_id IS NOT NULL \
          AND \"constraint\" IS NOT NULL AND price_per_unit > 0 AND pixels_per_unit > 0 \
          AND price_per_unit < 9223372036854775807 AND pixels_per_unit < 9223372036854775807), \
    warm AS ( \
        SELECT lower(orchestrator_address) AS address, model_id, bool_or(warm) AS warm FROM capability_models \
        WHERE event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL GROUP BY 1, 2) \
    SELECT q.address, q.url, q.pipeline, q.model, CAST(q.price_per_unit AS BIGINT) AS price_wei_per_unit, \
           CAST(q.pixels_per_unit AS BIGINT) AS pixels_per_unit, coalesce(w.warm, false) AS is_warm \
    FROM quotes q LEFT JOIN warm w ON q.address = w.address AND q.model = w.model_id \
    WHERE q.newest = 1 AND q.pipeline IS NOT NULL ORDER BY q.address, q.pipeline, q.model";

/// Live streams active in `[$1, $2)` (`dashboard/job-feed`): sessions whose last event is in
/// the range, with the latest status of the stream in the range; newest first.
pub const JOB_FEED: &str = "WITH status AS ( \
        SELECT stream_id, state, input_fps, output_fps, event_ts, \
               row_number() OVER (PARTITION BY stream_id ORDER BY event_ts DESC) AS newest \
        FROM ai_stream_status WHERE event_ts >= $1 AND event_ts < $2) \
    SELECT coalesce(s.stream_id, s.session_id) AS id, s.pipeline, s.model_id AS model, s.gateway, \
           lower(s.orchestrator_address) AS orchestrator_address, s.orchestrator_url, \
           coalesce(st.state, s.startup_outcome) AS state, st.input_fps, st.output_fps, \
           s.started_at AS first_seen, greatest(s.ended_at, coalesce(st.event_ts, s.ended_at)) AS last_seen \
    FROM sessions s LEFT JOIN status st ON st.stream_id = s.stream_id AND st.newest = 1 \
    WHERE coalesce(s.traffic_class, 'organic') = 'organic' AND s.window_start >= $1 - INTERVAL '1 day' AND s.requested AND s.ended_at >= $1 AND s.started_at < $2 \
    ORDER BY last_seen DESC, id";

/// Mean output FPS per live model over the window (`streaming/models`).
pub const LIVE_FPS: &str = "SELECT model_id, sum(output_fps_sum) AS fps_sum, sum(status_samples) AS fps_samples \
    FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND pipeline = 'live-video-to-video' \
    GROUP BY model_id ORDER BY model_id";

/// Streams active per live model in `[$1, $2)` (`streaming/models`' `active_streams`).
pub const ACTIVE_STREAMS: &str = "SELECT model_id, count(DISTINCT coalesce(stream_id, session_id)) AS active_streams \
    FROM sessions WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 - INTERVAL '1 day' AND requested AND ended_at >= $1 AND started_at < $2 \
    GROUP BY model_id ORDER BY model_id";

/// Live sessions per orchestrator URL and model over the window, for discovery's score:
/// the session-weighted `sla_score_v1` (0–100).
pub const DISCOVER_LIVE_SCORES: &str = "SELECT orchestrator_url AS url, pipeline, \
        sum(sla_score_v1 * requested_sessions) / nullif(sum(requested_sessions) FILTER (WHERE sla_score_v1 IS NOT NULL), 0) AS score \
    FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND orchestrator_url IS NOT NULL \
    GROUP BY 1, 2 ORDER BY 1, 2";

/// Jobs per orchestrator URL and pipeline over the window: successes over jobs (discovery's
/// score for request pipelines) and the `requests/models` figures per model.
pub const JOBS_BY_URL: &str = "SELECT orchestrator_url AS url, pipeline, model_id, kind, sum(jobs) AS jobs, \
        sum(successful_jobs) AS successful_jobs, coalesce(sum(duration_ms_sum), 0) AS duration_ms_sum \
    FROM jobs_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";

/// Live service per (orchestrator, region, pipeline, model) over the window, for
/// leaderboard-serverless's routes: the startup success (its `success_rate`), the mean
/// startup latency (its round trip) and naap's good-session support; `$3` pipeline and `$4`
/// model optional. Regions uppercased, as the clients key on them.
pub const LEADERBOARD_LIVE: &str = "SELECT lower(orchestrator_address) AS address, upper(region) AS region, \
        pipeline, model_id AS model, sum(requested_sessions) AS tests, sum(startup_success_sessions) AS successes, \
        CAST(sum(startup_latency_ms_sum) AS DOUBLE) / nullif(sum(startup_latency_count), 0) AS rtt_ms, \
        sum(good_sessions) AS good, sum(naap_score_sessions) AS trials \
    FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND orchestrator_address IS NOT NULL \
      AND region IS NOT NULL AND model_id IS NOT NULL AND requested_sessions > 0 \
      AND ($3 IS NULL OR pipeline = $3) AND ($4 IS NULL OR model_id = $4) \
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";

/// Batch and LLM jobs per (orchestrator, region, pipeline, model): success rate and mean
/// duration (request to response, what the leaderboard's AI tester times). A job names its
/// orchestrator by URL; the address is the one that URL advertised, when exactly one did.
pub const LEADERBOARD_JOBS: &str = "WITH owners AS ( \
        SELECT orchestrator_url AS url, min(lower(orchestrator_address)) AS address FROM capability_orchestrators \
        WHERE event_ts >= $1 - INTERVAL '1 day' AND event_ts < $2 AND orchestrator_address IS NOT NULL \
        GROUP BY orchestrator_url HAVING count(DISTINCT lower(orchestrator_address)) = 1) \
    SELECT coalesce(lower(j.orchestrator_address), o.address) AS address, upper(j.region) AS region, j.pipeline, \
           j.model_id AS model, count(*) AS tests, count(*) FILTER (WHERE j.success) AS successes, \
           avg(j.duration_ms) AS rtt_ms, count(*) FILTER (WHERE j.success) AS good, count(*) AS trials \
    FROM jobs j LEFT JOIN owners o ON j.orchestrator_url = o.url \
    WHERE coalesce(j.traffic_class, 'organic') = 'organic' AND j.window_start >= $1 AND j.window_start < $2 AND j.kind <> 'byoc' AND j.region IS NOT NULL \
      AND j.model_id IS NOT NULL AND coalesce(lower(j.orchestrator_address), o.address) IS NOT NULL \
      AND ($3 IS NULL OR j.pipeline = $3) AND ($4 IS NULL OR j.model_id = $4) \
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";

/// The median round trip per pipeline and model across every orchestrator and region (the
/// leaderboard's `PERCENTILE_CONT(0.5)` over successful tests): startup latency of the
/// successful live sessions, duration of the successful jobs.
pub const LEADERBOARD_MEDIANS: &str = "SELECT pipeline, model, median(rtt) AS median_ms FROM ( \
        SELECT pipeline, model_id AS model, CAST(startup_latency_ms AS DOUBLE) AS rtt FROM sessions \
        WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND startup_outcome = 'success' \
          AND startup_latency_ms IS NOT NULL AND startup_latency_ms <> 0 \
        UNION ALL \
        SELECT pipeline, model_id AS model, duration_ms AS rtt FROM jobs \
        WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND kind <> 'byoc' AND success \
          AND duration_ms IS NOT NULL AND duration_ms <> 0) \
    WHERE model IS NOT NULL AND ($3 IS NULL OR pipeline = $3) AND ($4 IS NULL OR model = $4) \
    GROUP BY 1, 2 ORDER BY 1, 2";

/// Every region sessions or jobs were carried from in the window.
pub const REGIONS: &str = "SELECT DISTINCT upper(region) AS region FROM ( \
        SELECT region FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 \
        UNION ALL SELECT region FROM jobs WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) \
    WHERE region IS NOT NULL ORDER BY region";

/// `query` with the capability-id placeholder `CAPABILITY` replaced by
/// [`CANONICAL_PIPELINE`].
pub fn with_canonical_pipeline(query: &str) -> String {
    query.replace("CAPABILITY", CANONICAL_PIPELINE)
}

/// leaderboard-serverless's AI score (`score/stats_scorer.go`): the round-trip score
/// `exp(ln 0.8 · rtt / median)` (0.8 at the median, 1 at zero latency) and
/// `0.65 · success + 0.35 · round_trip_score`, 0 when nothing succeeded. The same formula as
/// `sla_hourly.explorer_ai_score`, here over a whole window (its median is the window's).
pub fn leaderboard_ai_score(success_rate: f64, rtt_ms: Option<f64>, median_ms: Option<f64>) -> (f64, f64) {
    let round_trip_score = match (rtt_ms, median_ms) {
        (Some(rtt), Some(median)) if median > 0.0 && rtt >= 0.0 => (0.8_f64.ln() / median * rtt).exp(),
        _ => 0.0,
    };
    if success_rate <= 0.0 {
        return (round_trip_score, 0.0);
    }
    (round_trip_score, 0.65 * success_rate + 0.35 * round_trip_score)
}

/// The region names of leaderboard-serverless's seed list; other regions are named by code.
pub fn region_name(code: &str) -> &str {
    match code {
        "GLOBAL" => "Global",
        "MDW" => "Chicago",
        "FRA" => "Frankfurt",
        "LAX" => "Los Angeles",
        "NYC" => "New York",
        "SIN" => "Singapore",
        "LON" => "London",
        "PRG" => "Prague",
        "SAO" => "Sao Paulo",
        _ => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leaderboard_score_is_its_formula() {
        // At the median the round trip scores 0.8; a perfect success rate gives 0.65 + 0.28.
        let (rts, score) = leaderboard_ai_score(1.0, Some(500.0), Some(500.0));
        assert!((rts - 0.8).abs() < 1e-12);
        assert!((score - 0.93).abs() < 1e-12);
        // Twice the median: 0.8² = 0.64.
        let (rts, score) = leaderboard_ai_score(0.5, Some(1000.0), Some(500.0));
        assert!((rts - 0.64).abs() < 1e-12);
        assert!((score - (0.325 + 0.35 * 0.64)).abs() < 1e-12);
        // Nothing succeeded: 0, whatever the latency.
        assert_eq!(leaderboard_ai_score(0.0, Some(100.0), Some(500.0)).1, 0.0);
        // No latency measured or no median: the round trip scores 0.
        assert_eq!(leaderboard_ai_score(1.0, None, Some(500.0)), (0.0, 0.65));
        assert_eq!(leaderboard_ai_score(1.0, Some(10.0), None), (0.0, 0.65));
    }

    #[test]
    fn every_capability_query_names_its_pipeline_canonically() {
        for query in [ADVERTISED, PRICING] {
            let sql = with_canonical_pipeline(query);
            assert!(!sql.contains("CAPABILITY"));
            assert!(sql.contains("'live-video-to-video'"));
        }
    }
}
