//! The metric catalog: one registry naming every published metric, from which
//! `docs/metrics.md` is generated (a test fails when the document is stale).

use lakehouse_layout::Dataset;

/// One published metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Stable identifier.
    pub id: &'static str,
    /// What the number means, precisely enough to recompute it.
    pub definition: &'static str,
    /// Unit of the values.
    pub unit: &'static str,
    /// The grain: what one row is.
    pub grain: &'static str,
    /// Event families the metric is computed from.
    pub sources: &'static [&'static str],
    /// The gold dataset and column that hold it.
    pub dataset: Dataset,
    /// Column name in `dataset`.
    pub column: &'static str,
    /// The rollup file that computes it.
    pub sql_file: &'static str,
    /// Bumped whenever the definition changes.
    pub version: u32,
}

const ORCHESTRATOR_HOUR: &str = "hour × orchestrator (signing key, URL) × model";
const SESSION: &str = "live-stream session (stream_id, request_id), in the hour it started";
const SLA_GRAIN: &str = "hour × orchestrator (on-chain address, URL) × pipeline × model × GPU × gateway × region";
const LIVE_SOURCES: &[&str] = &[
    "stream_trace",
    "ai_stream_status",
    "ai_stream_events",
    "network_capabilities",
];

const fn session(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: SESSION,
        sources: LIVE_SOURCES,
        dataset: Dataset::Sessions,
        column,
        sql_file: "sql/rollups/sessions.sql",
        version: 1,
    }
}

const fn sla(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: SLA_GRAIN,
        sources: LIVE_SOURCES,
        dataset: Dataset::SlaHourly,
        column,
        sql_file: "sql/rollups/sla_hourly.sql",
        version: 1,
    }
}

/// Columns of gold datasets that are keys (time windows and dimensions), not metrics.
pub const DIMENSIONS: &[(&str, &str)] = &[
    ("window_start", "Start of the row's hour (UTC); decides its partition"),
    ("session_id", "`stream_id|request_id`"),
    ("stream_id", "Gateway-assigned stream id"),
    ("request_id", "Gateway request id (8 hex)"),
    ("gateway", "Gateway host from the envelope; NULL when empty"),
    ("region", "Gateway region from configuration; NULL when not configured"),
    (
        "orchestrator_address",
        "On-chain address (lowercase) from the capability report current at the session's start; NULL if unresolved",
    ),
    (
        "orchestrator_signer",
        "Node signing key (\"hot wallet\") seen on stream events",
    ),
    ("orchestrator_url", "Orchestrator service URI seen on stream events"),
    (
        "attribution",
        "resolved, unresolved (a node was seen but no current capability report names it), none (no orchestrator)",
    ),
    ("pipeline", "Canonical pipeline (live-video-to-video for live sessions)"),
    ("model_id", "Model id (the `pipeline` field of live events)"),
    (
        "gpu_name",
        "GPU model(s) the orchestrator advertised for the model, joined by ' + '",
    ),
    ("started_at", "Stream request time, else the first event's"),
    ("ended_at", "Ingest close time, else the last event's"),
];

/// Every published metric.
pub const METRICS: &[Metric] = &[
    Metric {
        id: "live.sessions_with_status",
        definition: "Distinct live-stream sessions (stream_id, request_id) with at least one ai_stream_status \
                     sample in the hour; each envelope counted once (deduplicated on event_id)",
        unit: "sessions",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "sessions",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
    Metric {
        id: "live.status_samples",
        definition: "ai_stream_status samples received in the hour (one every 10 s per live stream), each \
                     envelope counted once",
        unit: "samples",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "status_samples",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
    Metric {
        id: "live.avg_output_fps",
        definition: "Mean of inference_status.fps (frames per second the runner produced) over the hour's \
                     status samples; NULL when no sample reports it, rounded to 6 decimals",
        unit: "frames/s",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "avg_output_fps",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
    session(
        "live.session.requested",
        "requested",
        "flag",
        "A gateway_receive_stream_request was seen: the session counts as demand",
    ),
    session(
        "live.session.startup_outcome",
        "startup_outcome",
        "enum",
        "success (playable: gateway_receive_few_processed_segments seen), excused (no orchestrator available, or every error matches an excusable message: no orchestrators available, mediamtx ingest disconnected, whip disconnected, missing video, ice connection state failed, user disconnected), failed, or unknown (never requested)",
    ),
    session(
        "live.session.excusal_reason",
        "excusal_reason",
        "enum",
        "no_orchestrator or excusable_error for excused sessions; NULL otherwise",
    ),
    session(
        "live.session.no_orchestrator",
        "no_orchestrator",
        "flag",
        "gateway_no_orchestrators_available seen and no orchestrator ever served the session",
    ),
    session(
        "live.session.swap_count",
        "swap_count",
        "swaps",
        "orchestrator_swap events of the session",
    ),
    session(
        "live.session.restart_count",
        "restart_count",
        "restarts",
        "Greater of the cumulative inference_status.restart_count and the number of restart events",
    ),
    session(
        "live.session.error_count",
        "error_count",
        "errors",
        "ai_stream_events errors of the session",
    ),
    session(
        "live.session.loading_only",
        "loading_only",
        "flag",
        "Has status samples and none is ONLINE or DEGRADED_*",
    ),
    session(
        "live.session.zero_output_fps",
        "zero_output_fps",
        "flag",
        "Has status samples and none has output fps > 0",
    ),
    session(
        "live.session.startup_latency_ms",
        "startup_latency_ms",
        "ms",
        "gateway_receive_stream_request → gateway_receive_first_processed_segment (gateway clock); NULL when either is missing",
    ),
    session(
        "live.session.e2e_latency_ms",
        "e2e_latency_ms",
        "ms",
        "gateway_send_first_ingest_segment → runner_send_first_processed_segment (mixes gateway and runner clocks, as the predecessor's)",
    ),
    session(
        "live.session.prompt_to_first_frame_ms",
        "prompt_to_first_frame_ms",
        "ms",
        "ai_stream_status start_time (numeric ms, runner clock) → gateway_receive_few_processed_segments",
    ),
    session(
        "live.session.status_samples",
        "status_samples",
        "samples",
        "ai_stream_status samples, each envelope counted once",
    ),
    session(
        "live.session.online_samples",
        "online_samples",
        "samples",
        "Status samples in state ONLINE",
    ),
    session(
        "live.session.degraded_samples",
        "degraded_samples",
        "samples",
        "Status samples in a DEGRADED_* state",
    ),
    session(
        "live.session.loading_samples",
        "loading_samples",
        "samples",
        "Status samples in state LOADING",
    ),
    session(
        "live.session.error_samples",
        "error_samples",
        "samples",
        "Status samples in state ERROR",
    ),
    session(
        "live.session.fps_samples",
        "fps_samples",
        "samples",
        "Status samples reporting an output fps",
    ),
    session(
        "live.session.output_fps_sum",
        "output_fps_sum",
        "frames/s",
        "Sum of output fps over the samples (support for exact averages over any grain)",
    ),
    session(
        "live.session.avg_output_fps",
        "avg_output_fps",
        "frames/s",
        "Mean output fps (inference_status.fps) over the status samples",
    ),
    session(
        "live.session.p50_output_fps",
        "p50_output_fps",
        "frames/s",
        "Exact median output fps over the status samples",
    ),
    session(
        "live.session.fps_jitter",
        "fps_jitter",
        "ratio",
        "Coefficient of variation of output fps (population stddev / mean); NULL with fewer than 2 samples or a zero mean",
    ),
    session(
        "live.session.duration_s",
        "duration_s",
        "s",
        "started_at (stream request, else first event) → ended_at (ingest closed, else last event)",
    ),
    session(
        "live.session.health_signals",
        "health_signals",
        "signals",
        "The predecessor's three health signals present: a status sample; playable; a status sample and not (loading-only and zero-FPS)",
    ),
    session(
        "live.session.health_expected",
        "health_expected",
        "signals",
        "3 for a requested session, else 0",
    ),
    sla(
        "sla.requested_sessions",
        "requested_sessions",
        "sessions",
        "Requested sessions (gateway_receive_stream_request seen)",
    ),
    sla(
        "sla.startup_success_sessions",
        "startup_success_sessions",
        "sessions",
        "Requested sessions that became playable",
    ),
    sla(
        "sla.startup_excused_sessions",
        "startup_excused_sessions",
        "sessions",
        "Requested sessions excused (no orchestrator, or excusable errors only)",
    ),
    sla(
        "sla.startup_failed_sessions",
        "startup_failed_sessions",
        "sessions",
        "Requested sessions that failed without excuse",
    ),
    sla(
        "sla.no_orchestrator_sessions",
        "no_orchestrator_sessions",
        "sessions",
        "Requested sessions no orchestrator was available for (unmet demand)",
    ),
    sla(
        "sla.swapped_sessions",
        "swapped_sessions",
        "sessions",
        "Requested sessions with at least one orchestrator swap",
    ),
    sla(
        "sla.loading_only_sessions",
        "loading_only_sessions",
        "sessions",
        "Requested loading-only sessions",
    ),
    sla(
        "sla.zero_fps_sessions",
        "zero_fps_sessions",
        "sessions",
        "Requested zero-output-FPS sessions",
    ),
    sla(
        "sla.output_failed_sessions",
        "output_failed_sessions",
        "sessions",
        "Requested sessions loading-only or zero-FPS (a union, not a sum)",
    ),
    sla(
        "sla.effective_failed_sessions",
        "effective_failed_sessions",
        "sessions",
        "Requested sessions failed without excuse, loading-only or zero-FPS",
    ),
    sla(
        "sla.good_sessions",
        "good_sessions",
        "sessions",
        "Requested sessions that played, not loading-only and not zero-FPS",
    ),
    sla(
        "sla.health_signals",
        "health_signals",
        "signals",
        "Sum of sessions' health signals",
    ),
    sla(
        "sla.health_expected",
        "health_expected",
        "signals",
        "Sum of sessions' expected health signals",
    ),
    sla(
        "sla.status_samples",
        "status_samples",
        "samples",
        "Sum of sessions' status samples",
    ),
    sla(
        "sla.output_fps_sum",
        "output_fps_sum",
        "frames/s",
        "Sum of sessions' output fps sums; / status_samples = mean output fps",
    ),
    sla(
        "sla.startup_latency_ms_sum",
        "startup_latency_ms_sum",
        "ms",
        "Sum of startup latencies",
    ),
    sla(
        "sla.startup_latency_count",
        "startup_latency_count",
        "sessions",
        "Sessions with a startup latency",
    ),
    sla(
        "sla.e2e_latency_ms_sum",
        "e2e_latency_ms_sum",
        "ms",
        "Sum of E2E latencies",
    ),
    sla(
        "sla.e2e_latency_count",
        "e2e_latency_count",
        "sessions",
        "Sessions with an E2E latency",
    ),
    sla(
        "sla.ptff_ms_sum",
        "ptff_ms_sum",
        "ms",
        "Sum of prompt-to-first-frame times",
    ),
    sla(
        "sla.ptff_count",
        "ptff_count",
        "sessions",
        "Sessions with a prompt-to-first-frame time",
    ),
    sla(
        "sla.session_minutes",
        "session_minutes",
        "minutes",
        "Sum of session durations",
    ),
    sla(
        "sla.startup_success_rate",
        "startup_success_rate",
        "ratio",
        "startup_success_sessions / requested_sessions; NULL without requests",
    ),
    sla(
        "sla.no_swap_rate",
        "no_swap_rate",
        "ratio",
        "1 − swapped_sessions / requested_sessions",
    ),
    sla(
        "sla.output_viability_rate",
        "output_viability_rate",
        "ratio",
        "1 − output_failed_sessions / requested_sessions",
    ),
    sla(
        "sla.effective_success_rate",
        "effective_success_rate",
        "ratio",
        "1 − effective_failed_sessions / requested_sessions",
    ),
    sla(
        "sla.excused_failure_rate",
        "excused_failure_rate",
        "ratio",
        "startup_excused_sessions / requested_sessions",
    ),
    sla(
        "sla.health_signal_coverage",
        "health_signal_coverage",
        "ratio",
        "min(health_signals / health_expected, 1); 1 when nothing is expected",
    ),
    sla(
        "sla.reliability",
        "reliability",
        "ratio",
        "clamp(0.4 · startup success + 0.2 · no-swap + 0.4 · output viability, 0, 1) (quality-benchmark-v1)",
    ),
    sla(
        "sla.quality_score",
        "quality_score",
        "ratio",
        "0.6 · (0.6 · PTFF score + 0.4 · E2E score) + 0.4 · FPS score, each scored against the (pipeline, model) cohort's 7-day benchmark (daily percentiles of per-(hour, orchestrator, GPU) averages, row-count-weighted over the 7 full days before the row's date, PTFF/E2E p50–p90, FPS p10–p50, 0.5 below 48 benchmark rows), shrunk toward 0.5 by samples (PTFF and E2E /10, FPS status samples /30)",
    ),
    sla(
        "sla.score_v1",
        "sla_score_v1",
        "score 0–100",
        "The predecessor's quality-benchmark-v1: clamp(100 · health coverage · (0.7 · reliability + 0.3 · quality), 0, 100); NULL without requests",
    ),
    sla(
        "sla.explorer_ai_score",
        "explorer_ai_score",
        "score 0–1",
        "The Explorer's AI formula on live sessions: 0.65 · startup success + 0.35 · exp(−k · mean startup latency), k = −ln 0.8 / median startup latency of the hour's (pipeline, model) successful sessions; 0 when success is 0",
    ),
    sla(
        "sla.naap_score",
        "naap_score",
        "score 0–100",
        "100 × Wilson 95 % lower bound of good_sessions / (requested − excused sessions): a high score needs both a high rate and enough sessions",
    ),
    sla(
        "sla.naap_score_sessions",
        "naap_score_sessions",
        "sessions",
        "Trials behind naap_score: requested sessions not excused",
    ),
    sla(
        "sla.good_rate_low",
        "good_rate_low",
        "ratio",
        "Wilson 95 % interval, lower bound, of the good-session rate",
    ),
    sla(
        "sla.good_rate_high",
        "good_rate_high",
        "ratio",
        "Wilson 95 % interval, upper bound, of the good-session rate",
    ),
];

/// `docs/metrics.md`, generated from [`METRICS`].
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Metric catalog\n\n\
         Generated from `sql/src/metrics.rs` — do not edit by hand. Regenerate with\n\
         `NAAP_BLESS=1 cargo test -p sql --test it metric_catalog`.\n\n\
         | Metric | Definition | Unit | Grain | Sources | Dataset.column | Computed by | Version |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for m in METRICS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | `{}.{}` | `{}` | {} |\n",
            m.id,
            m.definition.split_whitespace().collect::<Vec<_>>().join(" "),
            m.unit,
            m.grain,
            m.sources
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            m.dataset.name(),
            m.column,
            m.sql_file,
            m.version
        ));
    }
    out.push_str(
        "\n## Dimensions\n\nKey columns of the gold datasets (not metrics).\n\n| Column | Meaning |\n|---|---|\n",
    );
    for (name, meaning) in DIMENSIONS {
        out.push_str(&format!("| `{name}` | {meaning} |\n"));
    }
    out
}
