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

const fn jobs(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "one AI batch, LLM or BYOC request, in the hour it started",
        sources: &["ai_batch_request", "ai_llm_request", "job_gateway"],
        dataset: Dataset::Jobs,
        column,
        sql_file: "sql/rollups/jobs.sql",
        version: 1,
    }
}

const fn jobs_hourly(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × kind × pipeline × model × orchestrator URL × gateway × region",
        sources: &["ai_batch_request", "ai_llm_request", "job_gateway"],
        dataset: Dataset::JobsHourly,
        column,
        sql_file: "sql/rollups/jobs_hourly.sql",
        version: 1,
    }
}

const fn demand_hourly(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × gateway × region × pipeline × model",
        sources: &[
            "stream_trace",
            "ai_stream_status",
            "ai_batch_request",
            "ai_llm_request",
            "job_gateway",
        ],
        dataset: Dataset::DemandHourly,
        column,
        sql_file: "sql/rollups/demand_hourly.sql",
        version: 1,
    }
}

const fn payments_hourly(
    id: &'static str,
    column: &'static str,
    unit: &'static str,
    definition: &'static str,
) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × gateway × sender × orchestrator (recipient, URL) × pipeline",
        sources: &["create_new_payment", "stream_trace", "ai_stream_status"],
        dataset: Dataset::PaymentsHourly,
        column,
        sql_file: "sql/rollups/payments_hourly.sql",
        version: 1,
    }
}

const fn prices(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × orchestrator × capability × constraint (model)",
        sources: &["network_capabilities"],
        dataset: Dataset::Prices,
        column,
        sql_file: "sql/rollups/prices.sql",
        version: 1,
    }
}

const fn gpu_inventory(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × orchestrator × pipeline × model × GPU model",
        sources: &["network_capabilities"],
        dataset: Dataset::GpuInventory,
        column,
        sql_file: "sql/rollups/gpu_inventory.sql",
        version: 1,
    }
}

const fn network_baselines_daily(
    id: &'static str,
    column: &'static str,
    unit: &'static str,
    definition: &'static str,
) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "day × pipeline × model",
        sources: &["stream_trace", "ai_stream_status", "ai_stream_events"],
        dataset: Dataset::NetworkBaselinesDaily,
        column,
        sql_file: "sql/rollups/network_baselines_daily.sql",
        version: 1,
    }
}

const fn data_quality_hourly(
    id: &'static str,
    column: &'static str,
    unit: &'static str,
    definition: &'static str,
) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "hour × source kind × family",
        sources: &["stream_trace", "ai_stream_status", "network_capabilities"],
        dataset: Dataset::DataQualityHourly,
        column,
        sql_file: "sql/rollups/data_quality_hourly.sql",
        version: 1,
    }
}

const fn regions(id: &'static str, column: &'static str, unit: &'static str, definition: &'static str) -> Metric {
    Metric {
        id,
        definition,
        unit,
        grain: "day × orchestrator node (URL)",
        sources: &["discovery_results"],
        dataset: Dataset::OrchestratorRegions,
        column,
        sql_file: "sql/rollups/orchestrator_regions.sql",
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
    ("job_id", "`kind|request_id`"),
    ("kind", "ai_batch, llm or byoc"),
    ("completed_at", "Time of the job's completion event"),
    ("sender", "Gateway's on-chain (deposit) address paying the tickets"),
    (
        "capability_id",
        "Capability id (27–37 for AI; NULL for an orchestrator's default price)",
    ),
    ("capability_name", "Capability name (the pipeline)"),
    ("constraint", "Capability constraint: the model id for AI capabilities"),
    ("last_seen", "Time of the last report in the window"),
    ("source_kind", "kafka, file, http, gen or collect"),
    (
        "closest_gateway",
        "The gateway of known region with the lowest median discovery latency to the node",
    ),
    (
        "family",
        "Event family; _unparsed for messages whose family could not be read",
    ),
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
    jobs("jobs.completed", "completed", "flag", "A completion event was seen"),
    jobs(
        "jobs.success",
        "success",
        "flag",
        "The completion reported success (LLM: no error); NULL until completed",
    ),
    jobs(
        "jobs.tries",
        "tries",
        "tries",
        "Attempts: the batch event's tries; BYOC: job_gateway_submitted events",
    ),
    jobs(
        "jobs.duration_ms",
        "duration_ms",
        "ms",
        "Duration reported by the completion (LLM: total_duration_ms)",
    ),
    jobs(
        "jobs.error_class",
        "error_class",
        "enum",
        "NULL on success; no_orchestrator, timeout, http_5xx, http_4xx, the batch error_type, other; incomplete without a completion",
    ),
    jobs("jobs.error", "error", "text", "The error message as sent"),
    jobs(
        "jobs.http_status",
        "http_status",
        "status",
        "BYOC HTTP status of the job",
    ),
    jobs("jobs.prompt_tokens", "prompt_tokens", "tokens", "LLM prompt tokens"),
    jobs(
        "jobs.completion_tokens",
        "completion_tokens",
        "tokens",
        "LLM completion tokens",
    ),
    jobs("jobs.total_tokens", "total_tokens", "tokens", "LLM total tokens"),
    jobs(
        "jobs.tokens_per_second",
        "tokens_per_second",
        "tokens/s",
        "LLM generation speed as reported",
    ),
    jobs(
        "jobs.ttft_ms",
        "ttft_ms",
        "ms",
        "LLM time to first token (streaming only)",
    ),
    jobs(
        "jobs.price_per_unit",
        "price_per_unit",
        "wei/unit",
        "Price per unit the job was sent at",
    ),
    jobs_hourly("jobs_hourly.jobs", "jobs", "jobs", "Jobs started in the hour"),
    jobs_hourly(
        "jobs_hourly.completed_jobs",
        "completed_jobs",
        "jobs",
        "Jobs with a completion",
    ),
    jobs_hourly(
        "jobs_hourly.successful_jobs",
        "successful_jobs",
        "jobs",
        "Jobs that succeeded",
    ),
    jobs_hourly(
        "jobs_hourly.failed_jobs",
        "failed_jobs",
        "jobs",
        "Completed jobs that failed",
    ),
    jobs_hourly(
        "jobs_hourly.no_orchestrator_jobs",
        "no_orchestrator_jobs",
        "jobs",
        "Jobs failed for lack of an orchestrator (unmet demand)",
    ),
    jobs_hourly(
        "jobs_hourly.timeout_jobs",
        "timeout_jobs",
        "jobs",
        "Jobs failed by a timeout",
    ),
    jobs_hourly("jobs_hourly.tries_sum", "tries_sum", "tries", "Sum of attempts"),
    jobs_hourly(
        "jobs_hourly.duration_ms_sum",
        "duration_ms_sum",
        "ms",
        "Sum of durations",
    ),
    jobs_hourly(
        "jobs_hourly.duration_count",
        "duration_count",
        "jobs",
        "Jobs with a duration",
    ),
    jobs_hourly(
        "jobs_hourly.prompt_tokens",
        "prompt_tokens",
        "tokens",
        "Sum of LLM prompt tokens",
    ),
    jobs_hourly(
        "jobs_hourly.completion_tokens",
        "completion_tokens",
        "tokens",
        "Sum of LLM completion tokens",
    ),
    jobs_hourly(
        "jobs_hourly.total_tokens",
        "total_tokens",
        "tokens",
        "Sum of LLM total tokens",
    ),
    jobs_hourly(
        "jobs_hourly.tokens_per_second_sum",
        "tokens_per_second_sum",
        "tokens/s",
        "Sum of LLM tokens/s (with the count: exact mean over any grain)",
    ),
    jobs_hourly(
        "jobs_hourly.tokens_per_second_count",
        "tokens_per_second_count",
        "jobs",
        "LLM jobs with tokens/s",
    ),
    jobs_hourly(
        "jobs_hourly.ttft_ms_sum",
        "ttft_ms_sum",
        "ms",
        "Sum of LLM times to first token",
    ),
    jobs_hourly(
        "jobs_hourly.ttft_count",
        "ttft_count",
        "jobs",
        "LLM jobs with a time to first token",
    ),
    jobs_hourly(
        "jobs_hourly.success_rate",
        "success_rate",
        "ratio",
        "successful_jobs / completed_jobs; NULL without completions",
    ),
    jobs_hourly("jobs_hourly.avg_duration_ms", "avg_duration_ms", "ms", "Mean duration"),
    jobs_hourly(
        "jobs_hourly.avg_tokens_per_second",
        "avg_tokens_per_second",
        "tokens/s",
        "Mean LLM tokens/s",
    ),
    jobs_hourly(
        "jobs_hourly.avg_ttft_ms",
        "avg_ttft_ms",
        "ms",
        "Mean LLM time to first token",
    ),
    demand_hourly(
        "demand_hourly.sessions_requested",
        "sessions_requested",
        "sessions",
        "Live sessions requested (stream request seen)",
    ),
    demand_hourly(
        "demand_hourly.sessions_served",
        "sessions_served",
        "sessions",
        "Requested live sessions that played",
    ),
    demand_hourly(
        "demand_hourly.sessions_unserved",
        "sessions_unserved",
        "sessions",
        "Requested live sessions no orchestrator was available for",
    ),
    demand_hourly(
        "demand_hourly.live_minutes",
        "live_minutes",
        "minutes",
        "Minutes of live sessions started in the hour",
    ),
    demand_hourly(
        "demand_hourly.jobs",
        "jobs",
        "jobs",
        "AI batch, LLM and BYOC jobs started in the hour",
    ),
    demand_hourly(
        "demand_hourly.jobs_served",
        "jobs_served",
        "jobs",
        "Jobs that succeeded",
    ),
    demand_hourly(
        "demand_hourly.jobs_unserved",
        "jobs_unserved",
        "jobs",
        "Jobs failed for lack of an orchestrator",
    ),
    demand_hourly("demand_hourly.total_tokens", "total_tokens", "tokens", "LLM tokens"),
    payments_hourly(
        "payments_hourly.payments",
        "payments",
        "payments",
        "create_new_payment events (ticket batches), each envelope once",
    ),
    payments_hourly("payments_hourly.tickets", "tickets", "tickets", "Tickets sent"),
    payments_hourly(
        "payments_hourly.face_value_wei",
        "face_value_wei",
        "wei",
        "Σ face value × tickets, exact",
    ),
    payments_hourly(
        "payments_hourly.expected_value_wei",
        "expected_value_wei",
        "wei",
        "Σ face value × win probability × tickets, exact to 10 decimals",
    ),
    payments_hourly(
        "payments_hourly.avg_win_prob",
        "avg_win_prob",
        "probability",
        "Mean win probability of the batches",
    ),
    payments_hourly(
        "payments_hourly.avg_price_wei_per_pixel",
        "avg_price_wei_per_pixel",
        "wei/pixel",
        "Mean price per pixel on the batches",
    ),
    payments_hourly(
        "payments_hourly.live_minutes",
        "live_minutes",
        "minutes",
        "Live session minutes of the orchestrator (address and URL) in the hour, from sla_hourly",
    ),
    payments_hourly(
        "payments_hourly.expected_value_wei_per_live_minute",
        "expected_value_wei_per_live_minute",
        "wei/minute",
        "Live-video fee per minute: expected value / live minutes; NULL without live minutes",
    ),
    prices(
        "prices.price_per_unit",
        "price_per_unit",
        "wei",
        "Last advertised price per unit in the hour",
    ),
    prices(
        "prices.pixels_per_unit",
        "pixels_per_unit",
        "pixels",
        "Last advertised pixels per unit in the hour",
    ),
    prices(
        "prices.price_wei_per_unit",
        "price_wei_per_unit",
        "wei/pixel",
        "Last price_per_unit / pixels_per_unit in the hour",
    ),
    prices(
        "prices.min_price_wei_per_unit",
        "min_price_wei_per_unit",
        "wei/pixel",
        "Lowest price per pixel advertised in the hour",
    ),
    prices(
        "prices.max_price_wei_per_unit",
        "max_price_wei_per_unit",
        "wei/pixel",
        "Highest price per pixel advertised in the hour",
    ),
    prices(
        "prices.quotes",
        "quotes",
        "reports",
        "Capability reports quoting the price in the hour",
    ),
    gpu_inventory(
        "gpu_inventory.memory_total_bytes",
        "memory_total_bytes",
        "bytes",
        "GPU memory (VRAM) as reported",
    ),
    gpu_inventory(
        "gpu_inventory.physical_gpus",
        "physical_gpus",
        "GPUs",
        "Most GPUs of the model listed by a single report of the hour (GPU ids churn; a report lists each installed GPU once)",
    ),
    gpu_inventory(
        "gpu_inventory.gpu_ids_seen",
        "gpu_ids_seen",
        "ids",
        "Distinct GPU ids reported in the hour",
    ),
    gpu_inventory(
        "gpu_inventory.warm",
        "warm",
        "flag",
        "Model warm in the hour's last report",
    ),
    gpu_inventory(
        "gpu_inventory.capacity",
        "capacity",
        "slots",
        "Capacity in the hour's last report",
    ),
    gpu_inventory(
        "gpu_inventory.capacity_in_use",
        "capacity_in_use",
        "slots",
        "Capacity in use in the hour's last report",
    ),
    gpu_inventory(
        "gpu_inventory.runner_version",
        "runner_version",
        "version",
        "AI runner version in the hour's last report",
    ),
    network_baselines_daily(
        "network_baselines_daily.requested_sessions",
        "requested_sessions",
        "sessions",
        "Requested sessions of the day",
    ),
    network_baselines_daily(
        "network_baselines_daily.startup_success_rate",
        "startup_success_rate",
        "ratio",
        "Played / requested sessions not excused",
    ),
    network_baselines_daily(
        "network_baselines_daily.startup_latency_samples",
        "startup_latency_samples",
        "sessions",
        "Sessions with a startup latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.startup_latency_ms_p50",
        "startup_latency_ms_p50",
        "ms",
        "Median startup latency (percentile_cont)",
    ),
    network_baselines_daily(
        "network_baselines_daily.startup_latency_ms_p90",
        "startup_latency_ms_p90",
        "ms",
        "90th percentile startup latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.startup_latency_ms_p99",
        "startup_latency_ms_p99",
        "ms",
        "99th percentile startup latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.e2e_latency_samples",
        "e2e_latency_samples",
        "sessions",
        "Sessions with an E2E latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.e2e_latency_ms_p50",
        "e2e_latency_ms_p50",
        "ms",
        "Median E2E latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.e2e_latency_ms_p90",
        "e2e_latency_ms_p90",
        "ms",
        "90th percentile E2E latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.e2e_latency_ms_p99",
        "e2e_latency_ms_p99",
        "ms",
        "99th percentile E2E latency",
    ),
    network_baselines_daily(
        "network_baselines_daily.ptff_samples",
        "ptff_samples",
        "sessions",
        "Sessions with a prompt-to-first-frame time",
    ),
    network_baselines_daily(
        "network_baselines_daily.ptff_ms_p50",
        "ptff_ms_p50",
        "ms",
        "Median prompt-to-first-frame",
    ),
    network_baselines_daily(
        "network_baselines_daily.ptff_ms_p90",
        "ptff_ms_p90",
        "ms",
        "90th percentile prompt-to-first-frame",
    ),
    network_baselines_daily(
        "network_baselines_daily.ptff_ms_p99",
        "ptff_ms_p99",
        "ms",
        "99th percentile prompt-to-first-frame",
    ),
    network_baselines_daily(
        "network_baselines_daily.fps_samples",
        "fps_samples",
        "sessions",
        "Sessions with an average output FPS",
    ),
    network_baselines_daily(
        "network_baselines_daily.output_fps_p10",
        "output_fps_p10",
        "frames/s",
        "10th percentile of per-session average output FPS",
    ),
    network_baselines_daily(
        "network_baselines_daily.output_fps_p50",
        "output_fps_p50",
        "frames/s",
        "Median of per-session average output FPS",
    ),
    network_baselines_daily(
        "network_baselines_daily.output_fps_p90",
        "output_fps_p90",
        "frames/s",
        "90th percentile of per-session average output FPS",
    ),
    data_quality_hourly(
        "data_quality_hourly.events",
        "events",
        "events",
        "Bronze envelopes received (by event hour), every copy",
    ),
    data_quality_hourly(
        "data_quality_hourly.duplicates",
        "duplicates",
        "events",
        "Copies beyond the first of each envelope id",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_letters",
        "dead_letters",
        "messages",
        "Rejected messages (by ingest hour)",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_not_utf8",
        "dead_not_utf8",
        "messages",
        "Rejected: not UTF-8",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_not_json",
        "dead_not_json",
        "messages",
        "Rejected: not JSON",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_invalid_envelope",
        "dead_invalid_envelope",
        "messages",
        "Rejected: envelope of the wrong shape",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_missing_field",
        "dead_missing_field",
        "messages",
        "Rejected: envelope field missing",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_bad_timestamp",
        "dead_bad_timestamp",
        "messages",
        "Rejected: implausible envelope timestamp",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_invalid_payload",
        "dead_invalid_payload",
        "messages",
        "Rejected: payload violates its family's shape",
    ),
    data_quality_hourly(
        "data_quality_hourly.dead_too_large",
        "dead_too_large",
        "messages",
        "Rejected: above the size limit",
    ),
    data_quality_hourly(
        "data_quality_hourly.accepted_share",
        "accepted_share",
        "ratio",
        "events / (events + dead letters)",
    ),
    data_quality_hourly(
        "data_quality_hourly.missing_gateway_events",
        "missing_gateway_events",
        "events",
        "Envelopes with an empty gateway field",
    ),
    data_quality_hourly(
        "data_quality_hourly.lag_ms_p50",
        "lag_ms_p50",
        "ms",
        "Median ingest time − event time (freshness)",
    ),
    data_quality_hourly(
        "data_quality_hourly.lag_ms_p90",
        "lag_ms_p90",
        "ms",
        "90th percentile ingest lag",
    ),
    data_quality_hourly(
        "data_quality_hourly.lag_ms_p99",
        "lag_ms_p99",
        "ms",
        "99th percentile ingest lag",
    ),
    data_quality_hourly(
        "data_quality_hourly.expected_events",
        "expected_events",
        "events",
        "Network-wide expected events of the family in the hour: status 1/10 s and ingest metrics 1/5 s of live session time, capabilities 60/25 per active gateway",
    ),
    data_quality_hourly(
        "data_quality_hourly.requested_sessions",
        "requested_sessions",
        "sessions",
        "Live sessions started in the hour (on the stream_trace rows; NULL on others)",
    ),
    data_quality_hourly(
        "data_quality_hourly.unattributed_share",
        "unattributed_share",
        "ratio",
        "Share of the hour's requested live sessions whose orchestrator was not resolved to an on-chain address (on the stream_trace rows)",
    ),
    data_quality_hourly(
        "data_quality_hourly.completeness",
        "completeness",
        "ratio",
        "events / expected_events",
    ),
    regions(
        "orchestrator_regions.inferred",
        "inferred",
        "flag",
        "Always true: the region is inferred from latency, not declared",
    ),
    regions(
        "orchestrator_regions.median_latency_ms",
        "median_latency_ms",
        "ms",
        "Median discovery latency from the closest gateway",
    ),
    regions(
        "orchestrator_regions.probes",
        "probes",
        "probes",
        "Discovery results from the closest gateway that day",
    ),
    regions(
        "orchestrator_regions.gateways_measuring",
        "gateways_measuring",
        "gateways",
        "Gateways of known region that measured the node that day",
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
