//! The metric catalog: one registry naming every published metric, from which
//! `docs/metrics.md` is generated (a test fails when the document is stale).

use lakehouse_layout::Dataset;

use crate::rollup::{ROLLUPS, Rollup};

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
}

const ORCHESTRATOR_HOUR: &str = "hour × orchestrator (signing key, URL) × model × org × traffic class";
const SESSION: &str = "live-stream session (stream_id, request_id), in the hour it started";
const SLA_GRAIN: &str =
    "hour × orchestrator (on-chain address, URL) × pipeline × model × GPU × gateway × region × org × traffic class";
const LIVE_SOURCES: &[&str] = &[
    "stream_trace",
    "ai_stream_status",
    "ai_stream_events",
    "network_capabilities",
];

/// The metrics of one rollup share its grain, sources, dataset and SQL file.
struct MetricGroup {
    grain: &'static str,
    sources: &'static [&'static str],
    dataset: Dataset,
    sql_file: &'static str,
}

impl MetricGroup {
    const fn metric(
        &self,
        id: &'static str,
        column: &'static str,
        unit: &'static str,
        definition: &'static str,
    ) -> Metric {
        Metric {
            id,
            definition,
            unit,
            grain: self.grain,
            sources: self.sources,
            dataset: self.dataset,
            column,
            sql_file: self.sql_file,
        }
    }
}

/// Every version of every metric, with the fingerprint of what defined it
/// (`sql/metric_versions.tsv`: `id`, `version`, `fingerprint`, tab-separated, append-only).
pub const VERSION_HISTORY: &str = include_str!("../metric_versions.tsv");

impl Metric {
    /// The metric's version: the latest recorded in [`VERSION_HISTORY`]. A test holds the
    /// recorded fingerprint of each version against [`Metric::fingerprint`], so any change of
    /// the definition or of the SQL behind it is a new version. 0 before the first record.
    pub fn version(&self) -> u32 {
        recorded_versions(VERSION_HISTORY, self.id)
            .last()
            .map_or(0, |(version, _)| *version)
    }

    /// SHA-256 (hex, 16 digits) of what defines the metric: its id, column, unit, grain and
    /// definition, and the SQL (comments and layout aside) of its rollup and of every gold
    /// rollup that rollup reads, transitively: a change upstream can change the number too.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for part in [self.id, self.column, self.unit, self.grain, self.definition] {
            hasher.update(part.split_whitespace().collect::<Vec<_>>().join(" "));
            hasher.update([0]);
        }
        for rollup in rollup_lineage(self.dataset) {
            hasher.update(rollup.name);
            hasher.update([0]);
            hasher.update(normalized_sql(rollup.sql));
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `(version, fingerprint)` of every recorded version of metric `id`, in file order.
pub fn recorded_versions(history: &str, id: &str) -> Vec<(u32, String)> {
    history
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (recorded_id, version, fingerprint) = (fields.next()?, fields.next()?, fields.next()?);
            (recorded_id == id).then(|| Some((version.parse().ok()?, fingerprint.to_string())))?
        })
        .collect()
}

/// The rollup of `dataset` and every gold rollup it reads, transitively, each once, in
/// [`ROLLUPS`] order.
fn rollup_lineage(dataset: Dataset) -> Vec<&'static Rollup> {
    let mut wanted = vec![dataset];
    let mut i = 0;
    while i < wanted.len() {
        if let Some(rollup) = ROLLUPS.iter().find(|r| r.dataset == wanted[i]) {
            for input in rollup.inputs {
                if ROLLUPS.iter().any(|r| r.dataset == *input) && !wanted.contains(input) {
                    wanted.push(*input);
                }
            }
        }
        i += 1;
    }
    ROLLUPS.iter().filter(|r| wanted.contains(&r.dataset)).collect()
}

/// SQL without `--` comments, whitespace collapsed: what runs, not how it is laid out.
fn normalized_sql(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

const SESSION_METRICS: MetricGroup = MetricGroup {
    grain: SESSION,
    sources: LIVE_SOURCES,
    dataset: Dataset::Sessions,
    sql_file: "sql/rollups/sessions.sql",
};

const SLA_METRICS: MetricGroup = MetricGroup {
    grain: SLA_GRAIN,
    sources: LIVE_SOURCES,
    dataset: Dataset::SlaHourly,
    sql_file: "sql/rollups/sla_hourly.sql",
};

/// The event families jobs are made of (naap's own test load included).
const JOB_SOURCES: &[&str] = &[
    "ai_batch_request",
    "ai_llm_request",
    "job_gateway",
    "job_orchestrator",
    "naap_test_result",
];

const JOBS_METRICS: MetricGroup = MetricGroup {
    grain: "one AI batch, LLM, BYOC or naap test-load request, in the hour it started",
    sources: JOB_SOURCES,
    dataset: Dataset::Jobs,
    sql_file: "sql/rollups/jobs.sql",
};

const JOBS_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × kind × pipeline × model × orchestrator URL × gateway × region × org × traffic class",
    sources: JOB_SOURCES,
    dataset: Dataset::JobsHourly,
    sql_file: "sql/rollups/jobs_hourly.sql",
};

const DEMAND_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × gateway × region × pipeline × model × org × traffic class",
    sources: &[
        "stream_trace",
        "ai_stream_status",
        "ai_batch_request",
        "ai_llm_request",
        "job_gateway",
    ],
    dataset: Dataset::DemandHourly,
    sql_file: "sql/rollups/demand_hourly.sql",
};

const PAYMENTS_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × gateway × sender × orchestrator (recipient, URL) × pipeline × org",
    sources: &[
        "create_new_payment",
        "create_signed_ticket",
        "stream_trace",
        "ai_stream_status",
    ],
    dataset: Dataset::PaymentsHourly,
    sql_file: "sql/rollups/payments_hourly.sql",
};

const PRICES_METRICS: MetricGroup = MetricGroup {
    grain: "hour × orchestrator × capability × constraint (model)",
    sources: &["network_capabilities"],
    dataset: Dataset::Prices,
    sql_file: "sql/rollups/prices.sql",
};

const GPU_INVENTORY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × orchestrator × pipeline × model × GPU model",
    sources: &["network_capabilities"],
    dataset: Dataset::GpuInventory,
    sql_file: "sql/rollups/gpu_inventory.sql",
};

const NETWORK_BASELINES_DAILY_METRICS: MetricGroup = MetricGroup {
    grain: "day × pipeline × model",
    sources: &["stream_trace", "ai_stream_status", "ai_stream_events"],
    dataset: Dataset::NetworkBaselinesDaily,
    sql_file: "sql/rollups/network_baselines_daily.sql",
};

const SLA_BENCHMARKS_DAILY_METRICS: MetricGroup = MetricGroup {
    grain: "day × pipeline × model",
    sources: LIVE_SOURCES,
    dataset: Dataset::SlaBenchmarksDaily,
    sql_file: "sql/rollups/sla_benchmarks_daily.sql",
};

const DATA_QUALITY_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × source kind × org × family",
    sources: &[
        "stream_trace",
        "ai_stream_status",
        "stream_ingest_metrics",
        "network_capabilities",
    ],
    dataset: Dataset::DataQualityHourly,
    sql_file: "sql/rollups/data_quality_hourly.sql",
};

const REGIONS_METRICS: MetricGroup = MetricGroup {
    grain: "day × orchestrator node (URL)",
    sources: &["discovery_results"],
    dataset: Dataset::OrchestratorRegions,
    sql_file: "sql/rollups/orchestrator_regions.sql",
};

const NODE_METRICS_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × collector target × node × Prometheus series (metric and full label set)",
    sources: &["naap_metrics_scrape"],
    dataset: Dataset::NodeMetricsHourly,
    sql_file: "sql/rollups/node_metrics_hourly.sql",
};

const COLLECTOR_HEALTH_HOURLY_METRICS: MetricGroup = MetricGroup {
    grain: "hour × collector target × endpoint",
    sources: &["naap_collector_poll"],
    dataset: Dataset::CollectorHealthHourly,
    sql_file: "sql/rollups/collector_health_hourly.sql",
};

const SLO_BURN_RATES_METRICS: MetricGroup = MetricGroup {
    grain: "5-minute evaluation × objective × scope (orchestrator, network)",
    sources: &[
        "stream_trace",
        "ai_stream_status",
        "ai_stream_events",
        "network_capabilities",
    ],
    dataset: Dataset::SloBurnRates,
    sql_file: "sql/rollups/slo_burn_rates.sql",
};

const HEALTH_STATES_METRICS: MetricGroup = MetricGroup {
    grain: "hour × orchestrator (on-chain address) × pipeline × model × rule",
    sources: &[
        "stream_trace",
        "ai_stream_status",
        "ai_stream_events",
        "network_capabilities",
    ],
    dataset: Dataset::HealthStates,
    sql_file: "sql/rollups/health_states.sql",
};

const DATA_HEALTH_STATES_METRICS: MetricGroup = MetricGroup {
    grain: "hour × source kind × org × family × rule",
    sources: &lakehouse_layout::EVENT_FAMILIES,
    dataset: Dataset::DataHealthStates,
    sql_file: "sql/rollups/data_health_states.sql",
};

const DECODER_VERSIONS_DAILY_METRICS: MetricGroup = MetricGroup {
    grain: "day × dataset (silver, dead letters) × decoder version",
    sources: &lakehouse_layout::EVENT_FAMILIES,
    dataset: Dataset::DecoderVersionsDaily,
    sql_file: "sql/rollups/decoder_versions_daily.sql",
};

/// Columns of gold datasets that are keys (time windows and dimensions), not metrics.
pub const DIMENSIONS: &[(&str, &str)] = &[
    ("window_start", "Start of the row's hour (UTC); decides its partition"),
    (
        "evaluated_at",
        "When a service-level objective was evaluated: every 5-minute mark, up to the latest session start",
    ),
    ("objective", "Service-level objective (slo_burn_rates.sql defines each)"),
    ("objective_version", "Version of the objective's definition"),
    (
        "rule",
        "Health rule (health_states.sql and data_health_states.sql define each)",
    ),
    ("rule_version", "Version of the health rule's definition"),
    (
        "scope",
        "What a row is about: one orchestrator (by on-chain address) or the network as a whole",
    ),
    ("session_id", "`stream_id|request_id`"),
    ("dataset", "A silver dataset, or dead_letters"),
    (
        "decoder_version",
        "The decoder version that produced the rows (`pipeline::DecoderVersion`); NULL before versions were recorded",
    ),
    ("stream_id", "Gateway-assigned stream id"),
    ("request_id", "Gateway request id (8 hex)"),
    (
        "gateway",
        "Gateway host from the envelope, else the source's configured gateway (`--source-identity`); NULL when neither says",
    ),
    (
        "org",
        "Org whose gateways feed the source (`--source-identity`; network_events: daydream, streaming_events: cloudspe by default)",
    ),
    ("region", "Gateway region from configuration; NULL when not configured"),
    (
        "worker_url",
        "The BYOC worker that ran the job (the orchestrator's relayed job_orchestrator_completed, when it carries the request id); NULL otherwise",
    ),
    (
        "traffic_class",
        "organic, or probe when a probe rule (`--probe-rule FIELD=GLOB` on the stream id, gateway or org; default stream_id=aiJobTesterStream-* and gateway=naap-probe-*) matches the session or job. Rollups keep the classes in rows of their own and the API answers organic unless asked; network baselines and the v1 benchmarks are organic only. The predecessor counts probe streams as demand",
    ),
    (
        "probe_rule",
        "The first probe rule, in configured order, that matched (`FIELD=GLOB`); NULL for organic traffic",
    ),
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
        "How the session's orchestrator was attributed, URL first, then signing key, then the first payment's recipient when it was paid at the URL the session's events name (a stream swapped away paid its first orchestrator): resolved; hardware_less (resolved, but its report entry lists no hardware); ambiguous (the report lists the node under two on-chain addresses, e.g. a shared hot wallet, and no payment names the address: none is guessed); unresolved (a node was seen but no report within 60 min before or 30 min after the start, nor a payment, names its address); none (no orchestrator). The predecessor also has stale (a report older than its 10-minute tolerance); naap's tolerance spans two report intervals, so such a session is unresolved",
    ),
    ("pipeline", "Canonical pipeline (live-video-to-video for live sessions)"),
    ("model_id", "Model id (the `pipeline` field of live events)"),
    (
        "gpu_name",
        "GPU model(s) the orchestrator advertised for the model, joined by ' + '",
    ),
    ("started_at", "Stream request time, else the first event's"),
    (
        "payment_link",
        "How the session's payments were linked: request_id (all carry its request id) or session_id (some only its \
         auth session id and recipient); NULL without a payment",
    ),
    (
        "payment_session_id",
        "The auth session id (`sessionID`) of the payment that carries the session's request id",
    ),
    ("ended_at", "Ingest close time, else the last event's"),
    ("job_id", "`kind|request_id`"),
    (
        "kind",
        "ai_batch, llm, byoc, or test_load (naap's own test-load requests, measured by the client, always probes; they name the gateway they went through, not an orchestrator)",
    ),
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
    (
        "target",
        "Collector target name (`host-port-endpoint` unless configured)",
    ),
    ("endpoint", "Polled endpoint kind: capabilities, registry or metrics"),
    ("url", "URL the target polled last in the window"),
    (
        "node_id",
        "`node_id` label go-livepeer puts on every series: `<eth address>-<hostname>` or the hostname",
    ),
    (
        "node_type",
        "gateway, orchestrator or ai_worker, from the collector configuration",
    ),
    ("metric", "Prometheus metric name"),
    (
        "labels",
        "The series' full label set as JSON with sorted keys (`{}` when none)",
    ),
    (
        "metric_type",
        "Prometheus TYPE of the metric: counter, gauge, histogram, summary or untyped",
    ),
    (
        "model_name",
        "`model_name` label of the series; NULL when absent or empty",
    ),
    (
        "orchestrator_uri",
        "`orchestrator_uri` label of the series; NULL when absent or empty",
    ),
    (
        "error_code",
        "`error_code` label of the series; NULL when absent or empty",
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
    },
    SESSION_METRICS.metric(
        "live.session.requested",
        "requested",
        "flag",
        "A gateway_receive_stream_request was seen: the session counts as demand",
    ),
    SESSION_METRICS.metric(
        "live.session.startup_outcome",
        "startup_outcome",
        "enum",
        "success (playable: gateway_receive_few_processed_segments seen), excused (no orchestrator available, or every error matches an excusable message: no orchestrators available, mediamtx ingest disconnected, whip disconnected, missing video, ice connection state failed, user disconnected), failed, or unknown (never requested)",
    ),
    SESSION_METRICS.metric(
        "live.session.excusal_reason",
        "excusal_reason",
        "enum",
        "no_orchestrator or excusable_error for excused sessions; NULL otherwise",
    ),
    SESSION_METRICS.metric(
        "live.session.no_orchestrator",
        "no_orchestrator",
        "flag",
        "gateway_no_orchestrators_available seen and no orchestrator ever served the session",
    ),
    SESSION_METRICS.metric(
        "live.session.swap_count",
        "swap_count",
        "swaps",
        "orchestrator_swap events of the session",
    ),
    SESSION_METRICS.metric(
        "live.session.restart_count",
        "restart_count",
        "restarts",
        "Greater of the cumulative inference_status.restart_count and the number of restart events",
    ),
    SESSION_METRICS.metric(
        "live.session.error_count",
        "error_count",
        "errors",
        "ai_stream_events errors of the session",
    ),
    SESSION_METRICS.metric(
        "live.session.loading_only",
        "loading_only",
        "flag",
        "Has status samples and none is ONLINE or DEGRADED_*",
    ),
    SESSION_METRICS.metric(
        "live.session.zero_output_fps",
        "zero_output_fps",
        "flag",
        "Has status samples and none has output fps > 0",
    ),
    SESSION_METRICS.metric(
        "live.session.startup_latency_ms",
        "startup_latency_ms",
        "ms",
        "gateway_receive_stream_request → gateway_receive_first_processed_segment (gateway clock); NULL when either is missing \
         or the first output comes before the request (v2, RULE-LIFECYCLE-002: never negative)",
    ),
    SESSION_METRICS.metric(
        "live.session.e2e_latency_ms",
        "e2e_latency_ms",
        "ms",
        "gateway_send_first_ingest_segment → runner_send_first_processed_segment (mixes gateway and runner clocks, as the predecessor's); \
         NULL when either is missing or the runner's output comes before the ingest (v2, RULE-LIFECYCLE-002: never negative)",
    ),
    SESSION_METRICS.metric(
        "live.session.prompt_to_first_frame_ms",
        "prompt_to_first_frame_ms",
        "ms",
        "ai_stream_status start_time (numeric ms, runner clock) → gateway_receive_few_processed_segments; NULL when either is \
         missing or playback comes before the runner's start (v2, RULE-LIFECYCLE-002: never negative)",
    ),
    SESSION_METRICS.metric(
        "live.session.status_samples",
        "status_samples",
        "samples",
        "ai_stream_status samples, each envelope counted once",
    ),
    SESSION_METRICS.metric(
        "live.session.online_samples",
        "online_samples",
        "samples",
        "Status samples in state ONLINE",
    ),
    SESSION_METRICS.metric(
        "live.session.degraded_samples",
        "degraded_samples",
        "samples",
        "Status samples in a DEGRADED_* state",
    ),
    SESSION_METRICS.metric(
        "live.session.loading_samples",
        "loading_samples",
        "samples",
        "Status samples in state LOADING",
    ),
    SESSION_METRICS.metric(
        "live.session.error_samples",
        "error_samples",
        "samples",
        "Status samples in state ERROR",
    ),
    SESSION_METRICS.metric(
        "live.session.fps_samples",
        "fps_samples",
        "samples",
        "Status samples reporting an output fps",
    ),
    SESSION_METRICS.metric(
        "live.session.output_fps_sum",
        "output_fps_sum",
        "frames/s",
        "Sum of output fps over the samples (support for exact averages over any grain)",
    ),
    SESSION_METRICS.metric(
        "live.session.avg_output_fps",
        "avg_output_fps",
        "frames/s",
        "Mean output fps (inference_status.fps) over the status samples",
    ),
    SESSION_METRICS.metric(
        "live.session.p50_output_fps",
        "p50_output_fps",
        "frames/s",
        "Exact median output fps over the status samples",
    ),
    SESSION_METRICS.metric(
        "live.session.fps_jitter",
        "fps_jitter",
        "ratio",
        "Coefficient of variation of output fps (population stddev / mean); NULL with fewer than 2 samples or a zero mean",
    ),
    SESSION_METRICS.metric(
        "live.session.duration_s",
        "duration_s",
        "s",
        "started_at (stream request, else first event) → ended_at (ingest closed, else last event)",
    ),
    SESSION_METRICS.metric(
        "live.session.health_signals",
        "health_signals",
        "signals",
        "The predecessor's three health signals present: a status sample; playable; a status sample and not (loading-only and zero-FPS)",
    ),
    SESSION_METRICS.metric(
        "live.session.health_expected",
        "health_expected",
        "signals",
        "3 for a requested session, else 0",
    ),
    SESSION_METRICS.metric(
        "live.session.payments",
        "payments",
        "payments",
        "create_new_payment envelopes of the session, each once: the one carrying its request id, and the later ones \
         (empty request id) linked to it by the same auth session id and recipient, each to the latest such payment \
         at or before it; payment_link names the weakest link used. Deliberately not linked by manifest id, which \
         the predecessor lists: a stream's first payment carries the selector key `<capability>_<model>`, shared by \
         every stream of the model, and the later ones a random id of their own",
    ),
    SESSION_METRICS.metric(
        "live.session.tickets",
        "tickets",
        "tickets",
        "Sum of numTickets over the session's payments (see live.session.payments)",
    ),
    SESSION_METRICS.metric(
        "live.session.expected_value_wei",
        "expected_value_wei",
        "wei",
        "Sum of the expected value (face value × win probability × tickets) of the session's payments, exact to \
         10 decimals of a wei: what the gateway paid for the session in expectation",
    ),
    SESSION_METRICS.metric(
        "live.session.signer_payments",
        "signer_payments",
        "payments",
        "create_signed_ticket calls a remote signer made for the session's request id (each envelope once); NULL when \
         the session was not paid through a remote signer",
    ),
    SESSION_METRICS.metric(
        "live.session.signer_fee_wei",
        "signer_fee_wei",
        "wei",
        "Σ computed_fee of the session's create_signed_ticket calls (billable seconds × 27,648,000 px/s × price per \
         pixel for live-video-to-video), exact wei; NULL without a remote signer",
    ),
    SLA_METRICS.metric(
        "sla.requested_sessions",
        "requested_sessions",
        "sessions",
        "Requested sessions (gateway_receive_stream_request seen)",
    ),
    SLA_METRICS.metric(
        "sla.startup_success_sessions",
        "startup_success_sessions",
        "sessions",
        "Requested sessions that became playable",
    ),
    SLA_METRICS.metric(
        "sla.startup_excused_sessions",
        "startup_excused_sessions",
        "sessions",
        "Requested sessions excused (no orchestrator, or excusable errors only)",
    ),
    SLA_METRICS.metric(
        "sla.startup_failed_sessions",
        "startup_failed_sessions",
        "sessions",
        "Requested sessions that failed without excuse",
    ),
    SLA_METRICS.metric(
        "sla.no_orchestrator_sessions",
        "no_orchestrator_sessions",
        "sessions",
        "Requested sessions no orchestrator was available for (unmet demand)",
    ),
    SLA_METRICS.metric(
        "sla.swapped_sessions",
        "swapped_sessions",
        "sessions",
        "Requested sessions with at least one orchestrator swap",
    ),
    SLA_METRICS.metric(
        "sla.loading_only_sessions",
        "loading_only_sessions",
        "sessions",
        "Requested loading-only sessions",
    ),
    SLA_METRICS.metric(
        "sla.zero_fps_sessions",
        "zero_fps_sessions",
        "sessions",
        "Requested zero-output-FPS sessions",
    ),
    SLA_METRICS.metric(
        "sla.output_failed_sessions",
        "output_failed_sessions",
        "sessions",
        "Requested sessions loading-only or zero-FPS (a union, not a sum)",
    ),
    SLA_METRICS.metric(
        "sla.effective_failed_sessions",
        "effective_failed_sessions",
        "sessions",
        "Requested sessions failed without excuse, loading-only or zero-FPS",
    ),
    SLA_METRICS.metric(
        "sla.good_sessions",
        "good_sessions",
        "sessions",
        "Requested sessions that played, not loading-only and not zero-FPS",
    ),
    SLA_METRICS.metric(
        "sla.health_signals",
        "health_signals",
        "signals",
        "Sum of sessions' health signals",
    ),
    SLA_METRICS.metric(
        "sla.health_expected",
        "health_expected",
        "signals",
        "Sum of sessions' expected health signals",
    ),
    SLA_METRICS.metric(
        "sla.status_samples",
        "status_samples",
        "samples",
        "Sum of sessions' status samples",
    ),
    SLA_METRICS.metric(
        "sla.output_fps_sum",
        "output_fps_sum",
        "frames/s",
        "Sum of sessions' output fps sums; / status_samples = mean output fps",
    ),
    SLA_METRICS.metric(
        "sla.startup_latency_ms_sum",
        "startup_latency_ms_sum",
        "ms",
        "Sum of startup latencies",
    ),
    SLA_METRICS.metric(
        "sla.startup_latency_count",
        "startup_latency_count",
        "sessions",
        "Sessions with a startup latency",
    ),
    SLA_METRICS.metric(
        "sla.e2e_latency_ms_sum",
        "e2e_latency_ms_sum",
        "ms",
        "Sum of E2E latencies",
    ),
    SLA_METRICS.metric(
        "sla.e2e_latency_count",
        "e2e_latency_count",
        "sessions",
        "Sessions with an E2E latency",
    ),
    SLA_METRICS.metric(
        "sla.ptff_ms_sum",
        "ptff_ms_sum",
        "ms",
        "Sum of prompt-to-first-frame times",
    ),
    SLA_METRICS.metric(
        "sla.ptff_count",
        "ptff_count",
        "sessions",
        "Sessions with a prompt-to-first-frame time",
    ),
    SLA_METRICS.metric(
        "sla.session_minutes",
        "session_minutes",
        "minutes",
        "Sum of session durations",
    ),
    SLA_METRICS.metric(
        "sla.startup_success_rate",
        "startup_success_rate",
        "ratio",
        "startup_success_sessions / requested_sessions; NULL without requests",
    ),
    SLA_METRICS.metric(
        "sla.no_swap_rate",
        "no_swap_rate",
        "ratio",
        "1 − swapped_sessions / requested_sessions",
    ),
    SLA_METRICS.metric(
        "sla.output_viability_rate",
        "output_viability_rate",
        "ratio",
        "1 − output_failed_sessions / requested_sessions",
    ),
    SLA_METRICS.metric(
        "sla.effective_success_rate",
        "effective_success_rate",
        "ratio",
        "1 − effective_failed_sessions / requested_sessions",
    ),
    SLA_METRICS.metric(
        "sla.excused_failure_rate",
        "excused_failure_rate",
        "ratio",
        "startup_excused_sessions / requested_sessions",
    ),
    SLA_METRICS.metric(
        "sla.health_signal_coverage",
        "health_signal_coverage",
        "ratio",
        "min(health_signals / health_expected, 1); 1 when nothing is expected",
    ),
    SLA_METRICS.metric(
        "sla.reliability",
        "reliability",
        "ratio",
        "clamp(0.4 · startup success + 0.2 · no-swap + 0.4 · output viability, 0, 1) (quality-benchmark-v1)",
    ),
    SLA_METRICS.metric(
        "sla.quality_score",
        "quality_score",
        "ratio",
        "0.6 · (0.6 · PTFF score + 0.4 · E2E score) + 0.4 · FPS score, each scored against the (pipeline, model) cohort's 7-day benchmark (daily percentiles of per-(hour, orchestrator, GPU) averages, row-count-weighted over the 7 full days before the row's date, PTFF/E2E p50–p90, FPS p10–p50, 0.5 below 48 benchmark rows), shrunk toward 0.5 by samples (PTFF and E2E /10, FPS status samples /30)",
    ),
    SLA_METRICS.metric(
        "sla.score_v1",
        "sla_score_v1",
        "score 0–100",
        "The predecessor's quality-benchmark-v1: clamp(100 · health coverage · (0.7 · reliability + 0.3 · quality), 0, 100); NULL without requests",
    ),
    SLA_METRICS.metric(
        "sla.explorer_ai_score",
        "explorer_ai_score",
        "score 0–1",
        "The Explorer's AI formula on live sessions: 0.65 · startup success + 0.35 · exp(−k · mean startup latency), k = −ln 0.8 / median startup latency of the hour's (pipeline, model) successful sessions; 0 when success is 0",
    ),
    SLA_METRICS.metric(
        "sla.naap_score",
        "naap_score",
        "score 0–100",
        "100 × Wilson 95 % lower bound of good_sessions / (requested − excused sessions): a high score needs both a high rate and enough sessions",
    ),
    SLA_METRICS.metric(
        "sla.naap_score_sessions",
        "naap_score_sessions",
        "sessions",
        "Trials behind naap_score: requested sessions not excused",
    ),
    SLA_METRICS.metric(
        "sla.good_rate_low",
        "good_rate_low",
        "ratio",
        "Wilson 95 % interval, lower bound, of the good-session rate",
    ),
    SLA_METRICS.metric(
        "sla.good_rate_high",
        "good_rate_high",
        "ratio",
        "Wilson 95 % interval, upper bound, of the good-session rate",
    ),
    JOBS_METRICS.metric(
        "jobs.charged_compute",
        "charged_compute",
        "units",
        "BYOC: compute units the orchestrator charged for the job (job_orchestrator_completed; one per started second in the fork); NULL for other kinds or without the relayed event",
    ),
    JOBS_METRICS.metric(
        "jobs.compute_fee_wei",
        "compute_fee_wei",
        "wei",
        "BYOC: charged_compute × price_per_unit, rounded to a wei",
    ),
    JOBS_METRICS.metric("jobs.completed", "completed", "flag", "A completion event was seen"),
    JOBS_METRICS.metric(
        "jobs.success",
        "success",
        "flag",
        "The completion reported success (LLM: no error); NULL until completed",
    ),
    JOBS_METRICS.metric(
        "jobs.tries",
        "tries",
        "tries",
        "Attempts: the batch event's tries; BYOC: job_gateway_submitted events",
    ),
    JOBS_METRICS.metric(
        "jobs.duration_ms",
        "duration_ms",
        "ms",
        "Duration reported by the completion (LLM: total_duration_ms; test load: request sent → answer read, as the client measured it)",
    ),
    JOBS_METRICS.metric(
        "jobs.error_class",
        "error_class",
        "enum",
        "NULL on success; no_orchestrator, timeout, http_5xx, http_4xx, the batch error_type, other; incomplete without a completion",
    ),
    JOBS_METRICS.metric("jobs.error", "error", "text", "The error message as sent"),
    JOBS_METRICS.metric(
        "jobs.http_status",
        "http_status",
        "status",
        "BYOC HTTP status of the job",
    ),
    JOBS_METRICS.metric("jobs.prompt_tokens", "prompt_tokens", "tokens", "LLM prompt tokens"),
    JOBS_METRICS.metric(
        "jobs.completion_tokens",
        "completion_tokens",
        "tokens",
        "LLM completion tokens",
    ),
    JOBS_METRICS.metric("jobs.total_tokens", "total_tokens", "tokens", "LLM total tokens"),
    JOBS_METRICS.metric(
        "jobs.tokens_per_second",
        "tokens_per_second",
        "tokens/s",
        "LLM generation speed as reported",
    ),
    JOBS_METRICS.metric(
        "jobs.ttft_ms",
        "ttft_ms",
        "ms",
        "LLM time to first token (streaming only)",
    ),
    JOBS_METRICS.metric(
        "jobs.price_per_unit",
        "price_per_unit",
        "wei/unit",
        "Price per unit the job was sent at",
    ),
    JOBS_HOURLY_METRICS.metric("jobs_hourly.jobs", "jobs", "jobs", "Jobs started in the hour"),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.completed_jobs",
        "completed_jobs",
        "jobs",
        "Jobs with a completion",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.successful_jobs",
        "successful_jobs",
        "jobs",
        "Jobs that succeeded",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.failed_jobs",
        "failed_jobs",
        "jobs",
        "Completed jobs that failed",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.no_orchestrator_jobs",
        "no_orchestrator_jobs",
        "jobs",
        "Jobs failed for lack of an orchestrator (unmet demand)",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.timeout_jobs",
        "timeout_jobs",
        "jobs",
        "Jobs failed by a timeout",
    ),
    JOBS_HOURLY_METRICS.metric("jobs_hourly.tries_sum", "tries_sum", "tries", "Sum of attempts"),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.duration_ms_sum",
        "duration_ms_sum",
        "ms",
        "Sum of durations",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.duration_count",
        "duration_count",
        "jobs",
        "Jobs with a duration",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.prompt_tokens",
        "prompt_tokens",
        "tokens",
        "Sum of LLM prompt tokens",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.completion_tokens",
        "completion_tokens",
        "tokens",
        "Sum of LLM completion tokens",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.total_tokens",
        "total_tokens",
        "tokens",
        "Sum of LLM total tokens",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.tokens_per_second_sum",
        "tokens_per_second_sum",
        "tokens/s",
        "Sum of LLM tokens/s (with the count: exact mean over any grain)",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.tokens_per_second_count",
        "tokens_per_second_count",
        "jobs",
        "LLM jobs with tokens/s",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.ttft_ms_sum",
        "ttft_ms_sum",
        "ms",
        "Sum of LLM times to first token",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.ttft_count",
        "ttft_count",
        "jobs",
        "LLM jobs with a time to first token",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.success_rate",
        "success_rate",
        "ratio",
        "successful_jobs / completed_jobs; NULL without completions",
    ),
    JOBS_HOURLY_METRICS.metric("jobs_hourly.avg_duration_ms", "avg_duration_ms", "ms", "Mean duration"),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.avg_tokens_per_second",
        "avg_tokens_per_second",
        "tokens/s",
        "Mean LLM tokens/s",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.avg_ttft_ms",
        "avg_ttft_ms",
        "ms",
        "Mean LLM time to first token",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.charged_compute",
        "charged_compute",
        "units",
        "Σ compute units BYOC orchestrators charged (jobs.charged_compute)",
    ),
    JOBS_HOURLY_METRICS.metric(
        "jobs_hourly.compute_fee_wei",
        "compute_fee_wei",
        "wei",
        "Σ BYOC compute fees (jobs.compute_fee_wei), exact wei",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.sessions_requested",
        "sessions_requested",
        "sessions",
        "Live sessions requested (stream request seen)",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.sessions_served",
        "sessions_served",
        "sessions",
        "Requested live sessions that played",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.sessions_unserved",
        "sessions_unserved",
        "sessions",
        "Requested live sessions no orchestrator was available for",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.live_minutes",
        "live_minutes",
        "minutes",
        "Minutes of live sessions started in the hour",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.jobs",
        "jobs",
        "jobs",
        "AI batch, LLM and BYOC jobs started in the hour",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.jobs_served",
        "jobs_served",
        "jobs",
        "Jobs that succeeded",
    ),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.jobs_unserved",
        "jobs_unserved",
        "jobs",
        "Jobs failed for lack of an orchestrator",
    ),
    DEMAND_HOURLY_METRICS.metric("demand_hourly.total_tokens", "total_tokens", "tokens", "LLM tokens"),
    DEMAND_HOURLY_METRICS.metric(
        "demand_hourly.distinct_clients",
        "distinct_clients",
        "clients",
        "Distinct client addresses among the row's batch and LLM requests, published instead of the \
         private addresses; not additive across rows; NULL without such requests",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.payments",
        "payments",
        "payments",
        "create_new_payment events (ticket batches), each envelope once",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.tickets",
        "tickets",
        "tickets",
        "Tickets sent (create_new_payment) or signed by a remote signer (create_signed_ticket)",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.signer_payments",
        "signer_payments",
        "payments",
        "create_signed_ticket calls of a remote signer (rows without a sender), each envelope once; NULL on rows of \
         create_new_payment",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.signer_fee_wei",
        "signer_fee_wei",
        "wei",
        "Σ computed_fee of the remote signer's calls, exact wei",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.face_value_wei",
        "face_value_wei",
        "wei",
        "Σ face value × tickets, exact",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.expected_value_wei",
        "expected_value_wei",
        "wei",
        "Σ face value × win probability × tickets, exact to 10 decimals",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.avg_win_prob",
        "avg_win_prob",
        "probability",
        "Mean win probability of the batches",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.avg_price_wei_per_pixel",
        "avg_price_wei_per_pixel",
        "wei/pixel",
        "Mean price per pixel on the batches",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.live_minutes",
        "live_minutes",
        "minutes",
        "Live session minutes of the orchestrator (address and URL) in the hour, from sla_hourly",
    ),
    PAYMENTS_HOURLY_METRICS.metric(
        "payments_hourly.expected_value_wei_per_live_minute",
        "expected_value_wei_per_live_minute",
        "wei/minute",
        "Live-video fee per minute: expected value / live minutes; NULL without live minutes",
    ),
    PRICES_METRICS.metric(
        "prices.price_per_unit",
        "price_per_unit",
        "wei",
        "Last advertised price per unit in the hour",
    ),
    PRICES_METRICS.metric(
        "prices.pixels_per_unit",
        "pixels_per_unit",
        "pixels",
        "Last advertised pixels per unit in the hour",
    ),
    PRICES_METRICS.metric(
        "prices.price_wei_per_unit",
        "price_wei_per_unit",
        "wei/pixel",
        "Last price_per_unit / pixels_per_unit in the hour",
    ),
    PRICES_METRICS.metric(
        "prices.min_price_wei_per_unit",
        "min_price_wei_per_unit",
        "wei/pixel",
        "Lowest price per pixel advertised in the hour",
    ),
    PRICES_METRICS.metric(
        "prices.max_price_wei_per_unit",
        "max_price_wei_per_unit",
        "wei/pixel",
        "Highest price per pixel advertised in the hour",
    ),
    PRICES_METRICS.metric(
        "prices.quotes",
        "quotes",
        "reports",
        "Capability reports quoting the price in the hour",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.memory_total_bytes",
        "memory_total_bytes",
        "bytes",
        "GPU memory (VRAM) as reported",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.physical_gpus",
        "physical_gpus",
        "GPUs",
        "Most GPUs of the model listed by a single report of the hour (GPU ids churn; a report lists each installed GPU once)",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.gpu_ids_seen",
        "gpu_ids_seen",
        "ids",
        "Distinct GPU ids reported in the hour",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.warm",
        "warm",
        "flag",
        "Model warm in the hour's last report",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.capacity",
        "capacity",
        "slots",
        "Capacity in the hour's last report",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.capacity_in_use",
        "capacity_in_use",
        "slots",
        "Capacity in use in the hour's last report",
    ),
    GPU_INVENTORY_METRICS.metric(
        "gpu_inventory.runner_version",
        "runner_version",
        "version",
        "AI runner version in the hour's last report",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.requested_sessions",
        "requested_sessions",
        "sessions",
        "Requested sessions of the day",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.startup_success_rate",
        "startup_success_rate",
        "ratio",
        "Played / requested sessions not excused",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.startup_latency_samples",
        "startup_latency_samples",
        "sessions",
        "Sessions with a startup latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.startup_latency_ms_p50",
        "startup_latency_ms_p50",
        "ms",
        "Median startup latency (percentile_cont)",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.startup_latency_ms_p90",
        "startup_latency_ms_p90",
        "ms",
        "90th percentile startup latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.startup_latency_ms_p99",
        "startup_latency_ms_p99",
        "ms",
        "99th percentile startup latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.e2e_latency_samples",
        "e2e_latency_samples",
        "sessions",
        "Sessions with an E2E latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.e2e_latency_ms_p50",
        "e2e_latency_ms_p50",
        "ms",
        "Median E2E latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.e2e_latency_ms_p90",
        "e2e_latency_ms_p90",
        "ms",
        "90th percentile E2E latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.e2e_latency_ms_p99",
        "e2e_latency_ms_p99",
        "ms",
        "99th percentile E2E latency",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.ptff_samples",
        "ptff_samples",
        "sessions",
        "Sessions with a prompt-to-first-frame time",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.ptff_ms_p50",
        "ptff_ms_p50",
        "ms",
        "Median prompt-to-first-frame",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.ptff_ms_p90",
        "ptff_ms_p90",
        "ms",
        "90th percentile prompt-to-first-frame",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.ptff_ms_p99",
        "ptff_ms_p99",
        "ms",
        "99th percentile prompt-to-first-frame",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.fps_samples",
        "fps_samples",
        "sessions",
        "Sessions with an average output FPS",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.output_fps_p10",
        "output_fps_p10",
        "frames/s",
        "10th percentile of per-session average output FPS",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.output_fps_p50",
        "output_fps_p50",
        "frames/s",
        "Median of per-session average output FPS",
    ),
    NETWORK_BASELINES_DAILY_METRICS.metric(
        "network_baselines_daily.output_fps_p90",
        "output_fps_p90",
        "frames/s",
        "90th percentile of per-session average output FPS",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.ptff_p50",
        "ptff_p50",
        "ms",
        "Benchmark median of prompt-to-first-frame: each of the 7 full days before the day, the median over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.ptff_p90",
        "ptff_p90",
        "ms",
        "Benchmark 90th percentile of prompt-to-first-frame: each of the 7 full days before the day, the 90th percentile over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.ptff_rows",
        "ptff_rows",
        "rows",
        "Benchmark rows with a prompt-to-first-frame in the 7 full days before the day (the quality component is 0.5 below 48)",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.e2e_p50",
        "e2e_p50",
        "ms",
        "Benchmark median of E2E latency: each of the 7 full days before the day, the median over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.e2e_p90",
        "e2e_p90",
        "ms",
        "Benchmark 90th percentile of E2E latency: each of the 7 full days before the day, the 90th percentile over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.e2e_rows",
        "e2e_rows",
        "rows",
        "Benchmark rows with a E2E latency in the 7 full days before the day (the quality component is 0.5 below 48)",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.fps_p10",
        "fps_p10",
        "frames/s",
        "Benchmark 10th percentile of output FPS: each of the 7 full days before the day, the 10th percentile over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.fps_p50",
        "fps_p50",
        "frames/s",
        "Benchmark median of output FPS: each of the 7 full days before the day, the median over benchmark rows (per hour × orchestrator × GPU averages), weighted by that day's row count",
    ),
    SLA_BENCHMARKS_DAILY_METRICS.metric(
        "sla_benchmarks_daily.fps_rows",
        "fps_rows",
        "rows",
        "Benchmark rows with an output FPS in the 7 full days before the day (the FPS component is 0.5 below 48)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.events",
        "events",
        "events",
        "Bronze envelopes received (by event hour), every copy",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.duplicates",
        "duplicates",
        "events",
        "Copies beyond the first of each envelope id",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_letters",
        "dead_letters",
        "messages",
        "Rejected messages (by ingest hour)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_not_utf8",
        "dead_not_utf8",
        "messages",
        "Rejected: not UTF-8",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_not_json",
        "dead_not_json",
        "messages",
        "Rejected: not JSON",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_invalid_envelope",
        "dead_invalid_envelope",
        "messages",
        "Rejected: envelope of the wrong shape",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_missing_field",
        "dead_missing_field",
        "messages",
        "Rejected: envelope field missing",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_bad_timestamp",
        "dead_bad_timestamp",
        "messages",
        "Rejected: implausible envelope timestamp",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_invalid_payload",
        "dead_invalid_payload",
        "messages",
        "Rejected: payload violates its family's shape",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.dead_too_large",
        "dead_too_large",
        "messages",
        "Rejected: above the size limit",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.accepted_share",
        "accepted_share",
        "ratio",
        "events / (events + dead letters)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.missing_gateway_events",
        "missing_gateway_events",
        "events",
        "Envelopes with an empty gateway field",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.lag_ms_p50",
        "lag_ms_p50",
        "ms",
        "Median ingest time − event time (freshness)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.lag_ms_p90",
        "lag_ms_p90",
        "ms",
        "90th percentile ingest lag",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.lag_ms_p99",
        "lag_ms_p99",
        "ms",
        "99th percentile ingest lag",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.expected_events",
        "expected_events",
        "events",
        "Network-wide expected events of the family in the hour: status 1/10 s of live session time, ingest metrics 1/5 s of the time of WHIP sessions (those that sent any: RTMP ingest never does), capabilities 60/25 per active gateway",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.requested_sessions",
        "requested_sessions",
        "sessions",
        "Live sessions started in the hour (on the stream_trace rows; NULL on others)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.unattributed_share",
        "unattributed_share",
        "ratio",
        "Share of the hour's requested live sessions whose orchestrator was not resolved to an on-chain address (on the stream_trace rows)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.no_gateway_share",
        "no_gateway_share",
        "ratio",
        "Share of the hour's requested live sessions with no gateway: neither their envelopes nor their source's identity \
         (--source-identity) named one (on the stream_trace rows)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.no_region_share",
        "no_region_share",
        "ratio",
        "Share of the hour's requested live sessions with no region: their gateway has no --gateway-region (on the \
         stream_trace rows)",
    ),
    DATA_QUALITY_HOURLY_METRICS.metric(
        "data_quality_hourly.completeness",
        "completeness",
        "ratio",
        "events / expected_events",
    ),
    REGIONS_METRICS.metric(
        "orchestrator_regions.inferred",
        "inferred",
        "flag",
        "Always true: the region is inferred from latency, not declared",
    ),
    REGIONS_METRICS.metric(
        "orchestrator_regions.median_latency_ms",
        "median_latency_ms",
        "ms",
        "Median discovery latency from the closest gateway",
    ),
    REGIONS_METRICS.metric(
        "orchestrator_regions.probes",
        "probes",
        "probes",
        "Discovery results from the closest gateway that day",
    ),
    REGIONS_METRICS.metric(
        "orchestrator_regions.gateways_measuring",
        "gateways_measuring",
        "gateways",
        "Gateways of known region that measured the node that day",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.samples",
        "samples",
        "samples",
        "Samples of the series scraped in the hour",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.increase",
        "increase",
        "metric unit",
        "Counters only: sum of the rises between consecutive samples of the series (the previous one \
         may lie in the hour before); after a reset (a value lower than the one before) the rise is the \
         new value itself, as Prometheus increase() does; NULL for gauges and for an hour holding only \
         the series' first sample",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.resets",
        "resets",
        "resets",
        "Counters only: samples lower than the one before (node restarts)",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.last_value",
        "last_value",
        "metric unit",
        "Value of the hour's last sample (for gauges: the current level)",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.min_value",
        "min_value",
        "metric unit",
        "Smallest sample of the hour",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.max_value",
        "max_value",
        "metric unit",
        "Largest sample of the hour",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.pipeline",
        "pipeline",
        "label",
        "`pipeline` label of the series; NULL when absent or empty",
    ),
    NODE_METRICS_HOURLY_METRICS.metric(
        "node_metrics_hourly.sender",
        "sender",
        "label",
        "`sender` label of the series (paying gateway address); NULL when absent or empty",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric("collector_health_hourly.polls", "polls", "polls", "Polls of the target in the hour"),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.successes",
        "successes",
        "polls",
        "Polls answered with a valid body",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.timeouts",
        "timeouts",
        "polls",
        "Polls without an answer within the target's timeout",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.connect_errors",
        "connect_errors",
        "polls",
        "Polls that could not connect (refused, DNS, TLS)",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.http_errors",
        "http_errors",
        "polls",
        "Polls answered with a non-2xx HTTP status",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.invalid_responses",
        "invalid_responses",
        "polls",
        "Polls answered 2xx with a body that is not the endpoint's format (or above the size limit)",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.success_rate",
        "success_rate",
        "ratio",
        "successes / polls",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.latency_ms_p50",
        "latency_ms_p50",
        "ms",
        "Median poll latency (request sent → body read or timeout)",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.latency_ms_max",
        "latency_ms_max",
        "ms",
        "Slowest poll of the hour",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.items",
        "items",
        "items",
        "Items the successful polls yielded: orchestrators, registry entries or metric samples",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.last_poll",
        "last_poll",
        "time",
        "Time of the hour's last poll",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.last_success",
        "last_success",
        "time",
        "Time of the hour's last successful poll; NULL when every poll failed",
    ),
    COLLECTOR_HEALTH_HOURLY_METRICS.metric(
        "collector_health_hourly.last_error",
        "last_error",
        "text",
        "Error of the hour's last failed poll; NULL when none failed",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.objective_target",
        "objective_target",
        "ratio",
        "The objective: the share of good events it promises over 30 days (live_startup_success: 0.95 of the requested, not excused live sessions start); 1 − target is the error budget",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.events_5m",
        "events_5m",
        "sessions",
        "Organic live sessions, requested and not excused, that started in the 5 minutes up to the evaluation",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.errors_5m",
        "errors_5m",
        "sessions",
        "Of events_5m, those that failed to start",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.burn_rate_5m",
        "burn_rate_5m",
        "ratio",
        "errors_5m / events_5m / (1 − objective_target): how many times faster than the objective allows the error budget burns over the 5 minutes; NULL without events, rounded to 6 decimals",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.events_30m",
        "events_30m",
        "sessions",
        "Organic live sessions, requested and not excused, that started in the 30 minutes up to the evaluation",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.errors_30m",
        "errors_30m",
        "sessions",
        "Of events_30m, those that failed to start",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.burn_rate_30m",
        "burn_rate_30m",
        "ratio",
        "errors_30m / events_30m / (1 − objective_target): how many times faster than the objective allows the error budget burns over the 30 minutes; NULL without events, rounded to 6 decimals",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.events_1h",
        "events_1h",
        "sessions",
        "Organic live sessions, requested and not excused, that started in the hour up to the evaluation",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.errors_1h",
        "errors_1h",
        "sessions",
        "Of events_1h, those that failed to start",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.burn_rate_1h",
        "burn_rate_1h",
        "ratio",
        "errors_1h / events_1h / (1 − objective_target): how many times faster than the objective allows the error budget burns over the hour; NULL without events, rounded to 6 decimals",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.events_6h",
        "events_6h",
        "sessions",
        "Organic live sessions, requested and not excused, that started in the 6 hours up to the evaluation",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.errors_6h",
        "errors_6h",
        "sessions",
        "Of events_6h, those that failed to start",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.burn_rate_6h",
        "burn_rate_6h",
        "ratio",
        "errors_6h / events_6h / (1 − objective_target): how many times faster than the objective allows the error budget burns over the 6 hours; NULL without events, rounded to 6 decimals",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.page",
        "page",
        "flag",
        "Fast-burn alert fires: burn_rate_1h ≥ 14.4 and burn_rate_5m ≥ 14.4 with at least 5 events in the hour (2 % of a 30-day budget spent in an hour; SRE workbook)",
    ),
    SLO_BURN_RATES_METRICS.metric(
        "slo_burn_rates.ticket",
        "ticket",
        "flag",
        "Slow-burn alert fires: burn_rate_6h ≥ 6 and burn_rate_30m ≥ 6 with at least 5 events in the 6 hours (5 % of a 30-day budget spent in 6 hours)",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.value",
        "value",
        "per rule",
        "The hour's figure the rule judges: median output FPS (frames/s; one sample per session), median startup latency (ms) or startup success rate, on organic live sessions that started in the hour",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.threshold",
        "threshold",
        "per rule",
        "What the value is held against: 0.8 × the orchestrator's own 7-day median FPS, the network's 7-day FPS p10 or startup-latency p90 (same pipeline and model, exact), or the 0.8 success floor",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.samples",
        "samples",
        "sessions",
        "Sessions behind the value",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.baseline_samples",
        "baseline_samples",
        "sessions",
        "Sessions behind the threshold (0 for the fixed floor); a baseline needs at least 20",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.degraded",
        "degraded",
        "flag",
        "The rule finds the orchestrator degraded in the hour; NULL when it cannot judge (no sample, or a baseline of fewer than 20)",
    ),
    HEALTH_STATES_METRICS.metric(
        "health_states.state",
        "state",
        "state",
        "degraded when any rule is, healthy when a rule could judge and none is, unknown otherwise (the same on every rule row of the hour)",
    ),
    DATA_HEALTH_STATES_METRICS.metric(
        "data_health_states.value",
        "value",
        "per rule",
        "The hour's figure the rule judges, from data_quality_hourly: p90 ingestion lag (ms), completeness (events / expected events) or accepted share (events / (events + dead letters))",
    ),
    DATA_HEALTH_STATES_METRICS.metric(
        "data_health_states.threshold",
        "threshold",
        "per rule",
        "The floor or ceiling: 120000 ms of p90 lag, 0.75 completeness, 0.99 accepted share",
    ),
    DATA_HEALTH_STATES_METRICS.metric(
        "data_health_states.samples",
        "samples",
        "messages",
        "Messages behind the value: events (lag, completeness) or events + dead letters (accepted share)",
    ),
    DATA_HEALTH_STATES_METRICS.metric(
        "data_health_states.degraded",
        "degraded",
        "flag",
        "The rule finds the family's data degraded in the hour; NULL when it cannot judge (a file replay's lag, no cadence to expect, fewer than 20 messages)",
    ),
    DATA_HEALTH_STATES_METRICS.metric(
        "data_health_states.state",
        "state",
        "state",
        "degraded when any rule is, healthy when a rule could judge and none is, unknown otherwise (the same on every rule row of the hour)",
    ),
    DECODER_VERSIONS_DAILY_METRICS.metric(
        "decoder_versions_daily.rows",
        "rows",
        "rows",
        "Rows of the dataset on the day that the decoder version produced (NULL version: decoded before versions were recorded)",
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
            m.version()
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
