//! The dataset registry: every dataset of the lake, its layer, partitioning and schema.
//!
//! A dataset lives under `<lake>/<layer>/<dataset>/`, so any engine (DataFusion, DuckDB,
//! Spark, Polars) finds it by name and prunes on its hive partitions.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;

use crate::error::{Error, Result};
use crate::{gold_schema, schema};

/// The event families with a silver table: the 8 upstream families of go-livepeer's telemetry
/// contract (§2.5), the 7 of the BYOC fork, naap's own `naap_test_result` (test-load
/// results, `docs/scenarios.md`), and the three families of naap's pull collectors
/// (`naap collect`). Other families stay in bronze.
pub const EVENT_FAMILIES: [&str; 19] = [
    "stream_trace",
    "ai_stream_status",
    "ai_stream_events",
    "stream_ingest_metrics",
    "discovery_results",
    "network_capabilities",
    "create_new_payment",
    "create_signed_ticket",
    "ai_batch_request",
    "ai_llm_request",
    "job_gateway",
    "job_orchestrator",
    "job_auth",
    "job_payment",
    "worker_lifecycle",
    "naap_test_result",
    "naap_orchestrator_registry",
    "naap_metrics_scrape",
    "naap_collector_poll",
];

/// The four layers of the lake, each a top-level folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Every accepted message, losslessly, as sent.
    Bronze,
    /// Typed, deduplicated tables per event family.
    Silver,
    /// Rollups computed by the `sql` crate: the public metrics.
    Gold,
    /// Messages that could not be accepted, with the reason.
    DeadLetters,
}

impl Layer {
    /// All layers, in data-flow order.
    pub const ALL: [Layer; 4] = [Layer::Bronze, Layer::Silver, Layer::Gold, Layer::DeadLetters];

    /// The folder name of the layer.
    pub fn dir(self) -> &'static str {
        match self {
            Layer::Bronze => "bronze",
            Layer::Silver => "silver",
            Layer::Gold => "gold",
            Layer::DeadLetters => "dead_letters",
        }
    }

    /// The layer whose folder is `dir`.
    pub fn from_dir(dir: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|layer| layer.dir() == dir)
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}

/// How a dataset's objects are split into hive `key=value` folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partitioning {
    /// `family=<family>/date=YYYY-MM-DD/hour=HH` (bronze: event family, then event time).
    FamilyDateHour,
    /// `date=YYYY-MM-DD/hour=HH` (event time for silver, window start for hourly gold,
    /// ingest time for dead letters).
    DateHour,
    /// `date=YYYY-MM-DD` (daily gold rollups).
    Date,
}

impl Partitioning {
    /// The partition keys in path order.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Partitioning::FamilyDateHour => &["family", "date", "hour"],
            Partitioning::DateHour => &["date", "hour"],
            Partitioning::Date => &["date"],
        }
    }
}

/// Every dataset of the lake. The names are a public contract: they are the Flight SQL
/// table names and the download names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dataset {
    /// Bronze `events`: every accepted envelope with its raw `data` JSON and source position.
    Events,
    /// Dead letters: rejected messages with a reason.
    DeadLetters,
    /// Silver `stream_trace`: stream lifecycle milestones, one row per event.
    StreamTrace,
    /// Silver `ai_stream_status`: one row per live-stream status sample.
    AiStreamStatus,
    /// Silver `ai_stream_events`: parameter updates, errors and restarts of live streams.
    AiStreamEvents,
    /// Silver `stream_ingest_metrics`: WebRTC ingest quality, one row per track per sample.
    StreamIngestMetrics,
    /// Silver `discovery_results`: one row per orchestrator per pool query.
    DiscoveryResults,
    /// Silver `capability_orchestrators`: one row per orchestrator per capabilities report.
    CapabilityOrchestrators,
    /// Silver `capability_models`: warm/capacity/in-use per orchestrator, capability and model.
    CapabilityModels,
    /// Silver `capability_prices`: advertised prices per orchestrator, capability and constraint.
    CapabilityPrices,
    /// Silver `capability_gpus`: GPUs per orchestrator, pipeline and model.
    CapabilityGpus,
    /// Silver `payments`: ticket batches created by gateways (`create_new_payment`).
    Payments,
    /// Silver `signed_tickets`: remote-signer live payments (`create_signed_ticket`).
    SignedTickets,
    /// Silver `ai_batch_requests`: AI batch requests received and completed.
    AiBatchRequests,
    /// Silver `llm_requests`: LLM requests started and completed.
    LlmRequests,
    /// Silver `byoc_job_events`: BYOC job, auth, payment and worker events.
    ByocJobEvents,
    /// Silver `test_results`: one row per test-load request (`naap scenario run`).
    TestResults,
    /// Silver `orchestrator_registry`: the on-chain registry as a gateway reports it.
    OrchestratorRegistry,
    /// Silver `node_metrics`: Prometheus samples of go-livepeer nodes.
    NodeMetrics,
    /// Silver `collector_polls`: one row per poll of a collector target.
    CollectorPolls,
    /// Gold `orchestrator_sessions_hourly`: live sessions, status samples and output FPS per
    /// orchestrator, model and hour.
    OrchestratorSessionsHourly,
    /// Gold `sessions`: one row per live-stream session.
    Sessions,
    /// Gold `sla_hourly`: live-video service level and scores per hour and orchestrator.
    SlaHourly,
    /// Gold `jobs`.
    Jobs,
    /// Gold `jobs_hourly`.
    JobsHourly,
    /// Gold `demand_hourly`.
    DemandHourly,
    /// Gold `payments_hourly`.
    PaymentsHourly,
    /// Gold `prices`.
    Prices,
    /// Gold `gpu_inventory`.
    GpuInventory,
    /// Gold `network_baselines_daily`.
    NetworkBaselinesDaily,
    /// Gold `sla_benchmarks_daily`.
    SlaBenchmarksDaily,
    /// Gold `data_quality_hourly`.
    DataQualityHourly,
    /// Gold `orchestrator_regions`.
    OrchestratorRegions,
    /// Gold `node_metrics_hourly`.
    NodeMetricsHourly,
    /// Gold `collector_health_hourly`.
    CollectorHealthHourly,
    /// Gold `decoder_versions_daily`.
    DecoderVersionsDaily,
    /// Gold `slo_burn_rates`.
    SloBurnRates,
    /// Gold `health_states`.
    HealthStates,
    /// Gold `data_health_states`.
    DataHealthStates,
}

impl Dataset {
    /// Every dataset, bronze first, gold last.
    pub const ALL: [Dataset; 39] = [
        Dataset::Events,
        Dataset::DeadLetters,
        Dataset::StreamTrace,
        Dataset::AiStreamStatus,
        Dataset::AiStreamEvents,
        Dataset::StreamIngestMetrics,
        Dataset::DiscoveryResults,
        Dataset::CapabilityOrchestrators,
        Dataset::CapabilityModels,
        Dataset::CapabilityPrices,
        Dataset::CapabilityGpus,
        Dataset::Payments,
        Dataset::SignedTickets,
        Dataset::AiBatchRequests,
        Dataset::LlmRequests,
        Dataset::ByocJobEvents,
        Dataset::TestResults,
        Dataset::OrchestratorRegistry,
        Dataset::NodeMetrics,
        Dataset::CollectorPolls,
        Dataset::OrchestratorSessionsHourly,
        Dataset::Sessions,
        Dataset::SlaHourly,
        Dataset::Jobs,
        Dataset::JobsHourly,
        Dataset::DemandHourly,
        Dataset::PaymentsHourly,
        Dataset::Prices,
        Dataset::GpuInventory,
        Dataset::NetworkBaselinesDaily,
        Dataset::SlaBenchmarksDaily,
        Dataset::DataQualityHourly,
        Dataset::OrchestratorRegions,
        Dataset::NodeMetricsHourly,
        Dataset::CollectorHealthHourly,
        Dataset::DecoderVersionsDaily,
        Dataset::SloBurnRates,
        Dataset::HealthStates,
        Dataset::DataHealthStates,
    ];

    /// The dataset's name (folder name and table name).
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Events => "events",
            Dataset::DeadLetters => "dead_letters",
            Dataset::StreamTrace => "stream_trace",
            Dataset::AiStreamStatus => "ai_stream_status",
            Dataset::AiStreamEvents => "ai_stream_events",
            Dataset::StreamIngestMetrics => "stream_ingest_metrics",
            Dataset::DiscoveryResults => "discovery_results",
            Dataset::CapabilityOrchestrators => "capability_orchestrators",
            Dataset::CapabilityModels => "capability_models",
            Dataset::CapabilityPrices => "capability_prices",
            Dataset::CapabilityGpus => "capability_gpus",
            Dataset::Payments => "payments",
            Dataset::SignedTickets => "signed_tickets",
            Dataset::AiBatchRequests => "ai_batch_requests",
            Dataset::LlmRequests => "llm_requests",
            Dataset::ByocJobEvents => "byoc_job_events",
            Dataset::TestResults => "test_results",
            Dataset::OrchestratorRegistry => "orchestrator_registry",
            Dataset::NodeMetrics => "node_metrics",
            Dataset::CollectorPolls => "collector_polls",
            Dataset::OrchestratorSessionsHourly => "orchestrator_sessions_hourly",
            Dataset::Sessions => "sessions",
            Dataset::SlaHourly => "sla_hourly",
            Dataset::Jobs => "jobs",
            Dataset::JobsHourly => "jobs_hourly",
            Dataset::DemandHourly => "demand_hourly",
            Dataset::PaymentsHourly => "payments_hourly",
            Dataset::Prices => "prices",
            Dataset::GpuInventory => "gpu_inventory",
            Dataset::NetworkBaselinesDaily => "network_baselines_daily",
            Dataset::SlaBenchmarksDaily => "sla_benchmarks_daily",
            Dataset::DataQualityHourly => "data_quality_hourly",
            Dataset::OrchestratorRegions => "orchestrator_regions",
            Dataset::NodeMetricsHourly => "node_metrics_hourly",
            Dataset::CollectorHealthHourly => "collector_health_hourly",
            Dataset::DecoderVersionsDaily => "decoder_versions_daily",
            Dataset::SloBurnRates => "slo_burn_rates",
            Dataset::HealthStates => "health_states",
            Dataset::DataHealthStates => "data_health_states",
        }
    }

    /// The dataset called `name`.
    pub fn from_name(name: &str) -> Result<Dataset> {
        Dataset::ALL
            .into_iter()
            .find(|dataset| dataset.name() == name)
            .ok_or_else(|| Error::UnknownDataset(name.to_string()))
    }

    /// The layer the dataset belongs to.
    pub fn layer(self) -> Layer {
        match self {
            Dataset::Events => Layer::Bronze,
            Dataset::DeadLetters => Layer::DeadLetters,
            Dataset::OrchestratorSessionsHourly
            | Dataset::Sessions
            | Dataset::SlaHourly
            | Dataset::Jobs
            | Dataset::JobsHourly
            | Dataset::DemandHourly
            | Dataset::PaymentsHourly
            | Dataset::Prices
            | Dataset::GpuInventory
            | Dataset::NetworkBaselinesDaily
            | Dataset::SlaBenchmarksDaily
            | Dataset::DataQualityHourly
            | Dataset::OrchestratorRegions
            | Dataset::NodeMetricsHourly
            | Dataset::CollectorHealthHourly
            | Dataset::DecoderVersionsDaily
            | Dataset::SloBurnRates
            | Dataset::HealthStates
            | Dataset::DataHealthStates => Layer::Gold,
            _ => Layer::Silver,
        }
    }

    /// How the dataset is partitioned.
    pub fn partitioning(self) -> Partitioning {
        match self {
            Dataset::Events => Partitioning::FamilyDateHour,
            Dataset::NetworkBaselinesDaily
            | Dataset::SlaBenchmarksDaily
            | Dataset::OrchestratorRegions
            | Dataset::DecoderVersionsDaily => Partitioning::Date,
            _ => Partitioning::DateHour,
        }
    }

    /// The timestamp column whose value decides a row's partition.
    pub fn time_column(self) -> &'static str {
        match self.layer() {
            Layer::DeadLetters => "ingested_at",
            Layer::Gold => "window_start",
            Layer::Bronze | Layer::Silver => "event_ts",
        }
    }

    /// The columns that identify a row of a gold dataset, in key order: the rollup's grouping
    /// columns (a NULL is a value of its own, as in `GROUP BY`). Silver, bronze and dead
    /// letters have none: they keep every event, duplicates of the source included.
    pub fn primary_key(self) -> &'static [&'static str] {
        match self {
            Dataset::OrchestratorSessionsHourly => &[
                "window_start",
                "orchestrator_address",
                "orchestrator_url",
                "model_id",
                "org",
                "traffic_class",
            ],
            Dataset::Sessions => &["session_id"],
            Dataset::SlaHourly => &[
                "window_start",
                "orchestrator_address",
                "orchestrator_url",
                "pipeline",
                "model_id",
                "gpu_name",
                "gateway",
                "region",
                "org",
                "traffic_class",
            ],
            Dataset::Jobs => &["job_id"],
            Dataset::JobsHourly => &[
                "window_start",
                "kind",
                "pipeline",
                "model_id",
                "orchestrator_url",
                "gateway",
                "region",
                "org",
                "traffic_class",
            ],
            Dataset::DemandHourly => &[
                "window_start",
                "gateway",
                "region",
                "pipeline",
                "model_id",
                "org",
                "traffic_class",
            ],
            Dataset::PaymentsHourly => &[
                "window_start",
                "gateway",
                "sender",
                "orchestrator_address",
                "orchestrator_url",
                "pipeline",
                "org",
            ],
            Dataset::Prices => &[
                "window_start",
                "orchestrator_address",
                "orchestrator_url",
                "capability_id",
                "capability_name",
                "constraint",
            ],
            Dataset::GpuInventory => &[
                "window_start",
                "orchestrator_address",
                "pipeline",
                "model_id",
                "gpu_name",
            ],
            Dataset::NetworkBaselinesDaily | Dataset::SlaBenchmarksDaily => &["window_start", "pipeline", "model_id"],
            Dataset::DataQualityHourly => &["window_start", "source_kind", "org", "family"],
            Dataset::OrchestratorRegions => &["window_start", "orchestrator_url"],
            Dataset::NodeMetricsHourly => &["window_start", "target", "node_id", "metric", "labels"],
            Dataset::CollectorHealthHourly => &["window_start", "target", "endpoint"],
            Dataset::DecoderVersionsDaily => &["window_start", "dataset", "decoder_version"],
            Dataset::SloBurnRates => &[
                "window_start",
                "evaluated_at",
                "objective",
                "scope",
                "orchestrator_address",
            ],
            Dataset::HealthStates => &["window_start", "orchestrator_address", "pipeline", "model_id", "rule"],
            Dataset::DataHealthStates => &["window_start", "source_kind", "org", "family", "rule"],
            _ => &[],
        }
    }

    /// Whether the dataset is served to the public (silver and gold). Bronze and dead
    /// letters are for operators only.
    pub fn is_public(self) -> bool {
        matches!(self.layer(), Layer::Silver | Layer::Gold)
    }

    /// One sentence on what a row is.
    pub fn description(self) -> &'static str {
        match self {
            Dataset::Events => {
                "Every message received, as received (its bytes, the envelope's fields where they parse, the Kafka key, headers and timestamp), with its source position and whether it was accepted"
            }
            Dataset::DeadLetters => {
                "Why a message (or an entry of it) could not be accepted, pointing to its bronze row; the decoder version that rejected it"
            }
            Dataset::StreamTrace => "One row per stream_trace milestone event",
            Dataset::AiStreamStatus => "One row per ai_stream_status sample of a live AI stream",
            Dataset::AiStreamEvents => {
                "One row per ai_stream_events event: params_update, error (gateway or runner), restart"
            }
            Dataset::StreamIngestMetrics => {
                "One row per track per stream_ingest_metrics sample (WebRTC jitter, loss, RTT); one row with NULL track fields when no track is known yet"
            }
            Dataset::DiscoveryResults => {
                "One row per orchestrator listed in a discovery_results event, latency as a number"
            }
            Dataset::CapabilityOrchestrators => "One row per orchestrator in a network_capabilities report",
            Dataset::CapabilityModels => {
                "One row per orchestrator, capability and model in a network_capabilities report (warm, capacity, in use, runner version)"
            }
            Dataset::CapabilityPrices => {
                "One row per advertised price (default and per capability/constraint) in a network_capabilities report"
            }
            Dataset::CapabilityGpus => "One row per GPU per pipeline/model in a network_capabilities report",
            Dataset::Payments => {
                "One row per create_new_payment ticket batch: face value in wei (exact), win probability, expected value, tickets"
            }
            Dataset::SignedTickets => "One row per create_signed_ticket remote-signer payment",
            Dataset::AiBatchRequests => "One row per ai_batch_request event (received, completed)",
            Dataset::LlmRequests => "One row per ai_llm_request event (started, completed)",
            Dataset::ByocJobEvents => {
                "One row per BYOC event (job_gateway, job_orchestrator, job_auth, job_payment, worker_lifecycle)"
            }
            Dataset::TestResults => {
                "One row per test-load request: probe region, target, pipeline, model, success, latency, error class"
            }
            Dataset::OrchestratorRegistry => {
                "One row per orchestrator in a gateway's /registeredOrchestrators answer: address, service URI, stake (exact), reward cut, fee share, status, price per pixel"
            }
            Dataset::NodeMetrics => {
                "One row per sample line of a Prometheus /metrics page of a go-livepeer node: metric, labels, value, node id and type"
            }
            Dataset::CollectorPolls => {
                "One row per poll of a collector target: outcome (ok, timeout, connect_error, http_error, invalid_response), HTTP status, latency, bytes, error"
            }
            Dataset::OrchestratorSessionsHourly => {
                "Live sessions with status evidence, status samples and average output FPS per orchestrator, model, org, traffic class and hour"
            }
            Dataset::Sessions => {
                "One row per live-stream session (stream_id, request_id): outcome, orchestrator, latencies, FPS statistics"
            }
            Dataset::SlaHourly => {
                "Live-video service level per hour, orchestrator, pipeline, model, GPU, gateway and region: additive counts, the predecessor's v1 score, the Explorer score and naap's confidence-aware score"
            }
            Dataset::Jobs => "One row per AI batch, LLM or BYOC request: outcome, tries, duration, error class, tokens",
            Dataset::JobsHourly => {
                "AI batch, LLM and BYOC jobs per hour, kind, pipeline, model, orchestrator and gateway: counts, sums and rates"
            }
            Dataset::DemandHourly => {
                "Demand per hour, gateway, pipeline and model: live sessions requested, served and unserved, live minutes, jobs and tokens"
            }
            Dataset::PaymentsHourly => {
                "Payment tickets per hour, gateway, sender and orchestrator: tickets, face value and expected value in wei (exact), fee per live minute"
            }
            Dataset::Prices => "Advertised prices per hour, orchestrator, capability and constraint (model)",
            Dataset::GpuInventory => {
                "GPU supply per hour, orchestrator, pipeline, model and GPU model: physical GPUs, GPU ids seen, warm, capacity, in use"
            }
            Dataset::NetworkBaselinesDaily => {
                "The network's daily percentiles per pipeline and model: startup latency, E2E, prompt-to-first-frame, output FPS, success rate"
            }
            Dataset::SlaBenchmarksDaily => {
                "The 7-day network benchmark each day's SLA scores are measured against, per pipeline and model: PTFF, E2E and FPS percentiles of the 7 full days before"
            }
            Dataset::DataQualityHourly => {
                "Input quality per hour, source kind, org and family: events, duplicates, dead letters by reason, lag percentiles, completeness against expected cadence"
            }
            Dataset::OrchestratorRegions => {
                "Inferred region of each orchestrator node per day: the region of the gateway with the lowest median discovery latency"
            }
            Dataset::NodeMetricsHourly => {
                "AI and payment metrics of go-livepeer nodes per hour and series: counter increase with resets handled, gauge last value and range"
            }
            Dataset::CollectorHealthHourly => {
                "Polls of each collector target per hour: successes, timeouts, connection, HTTP and invalid-response errors, latency, last error"
            }
            Dataset::DecoderVersionsDaily => {
                "Rows of each silver dataset and of dead letters per day and decoder version: what a reprocessing with the current decoders would re-derive"
            }
            Dataset::SloBurnRates => {
                "Every 5 minutes, per orchestrator and for the network: a service-level objective's error budget burn rates over 5 min, 30 min, 1 h and 6 h, and whether its fast (page) and slow (ticket) burn alerts fire"
            }
            Dataset::HealthStates => {
                "Every hour, each orchestrator × pipeline × model held against health thresholds (FPS drop against its own 7-day median or the network's p10, startup latency above the network's p90, startup success below a floor): the value, the threshold, the samples, degraded or not, and the state"
            }
            Dataset::DataHealthStates => {
                "Every hour, each source kind × org × event family held against data-quality floors (p90 ingestion lag above 2 minutes, completeness below 75 % of the cadence's expectation, fewer than 99 % of messages accepted): the value, the threshold, the messages, degraded or not, and the state"
            }
        }
    }

    /// The Arrow schema of the dataset's files. Partition columns (`family`, `date`,
    /// `hour`) are not in the files: engines derive them from the hive folders.
    pub fn file_schema(self) -> SchemaRef {
        match self {
            Dataset::Events => Arc::clone(&schema::EVENTS),
            Dataset::DeadLetters => Arc::clone(&schema::DEAD_LETTERS),
            Dataset::StreamTrace => Arc::clone(&schema::STREAM_TRACE),
            Dataset::AiStreamStatus => Arc::clone(&schema::AI_STREAM_STATUS),
            Dataset::AiStreamEvents => Arc::clone(&schema::AI_STREAM_EVENTS),
            Dataset::StreamIngestMetrics => Arc::clone(&schema::STREAM_INGEST_METRICS),
            Dataset::DiscoveryResults => Arc::clone(&schema::DISCOVERY_RESULTS),
            Dataset::CapabilityOrchestrators => Arc::clone(&schema::CAPABILITY_ORCHESTRATORS),
            Dataset::CapabilityModels => Arc::clone(&schema::CAPABILITY_MODELS),
            Dataset::CapabilityPrices => Arc::clone(&schema::CAPABILITY_PRICES),
            Dataset::CapabilityGpus => Arc::clone(&schema::CAPABILITY_GPUS),
            Dataset::Payments => Arc::clone(&schema::PAYMENTS),
            Dataset::SignedTickets => Arc::clone(&schema::SIGNED_TICKETS),
            Dataset::AiBatchRequests => Arc::clone(&schema::AI_BATCH_REQUESTS),
            Dataset::LlmRequests => Arc::clone(&schema::LLM_REQUESTS),
            Dataset::ByocJobEvents => Arc::clone(&schema::BYOC_JOB_EVENTS),
            Dataset::TestResults => Arc::clone(&schema::TEST_RESULTS),
            Dataset::OrchestratorRegistry => Arc::clone(&schema::ORCHESTRATOR_REGISTRY),
            Dataset::NodeMetrics => Arc::clone(&schema::NODE_METRICS),
            Dataset::CollectorPolls => Arc::clone(&schema::COLLECTOR_POLLS),
            Dataset::OrchestratorSessionsHourly => Arc::clone(&schema::ORCHESTRATOR_SESSIONS_HOURLY),
            Dataset::Sessions => Arc::clone(&gold_schema::SESSIONS),
            Dataset::SlaHourly => Arc::clone(&gold_schema::SLA_HOURLY),
            Dataset::Jobs => Arc::clone(&gold_schema::JOBS),
            Dataset::JobsHourly => Arc::clone(&gold_schema::JOBS_HOURLY),
            Dataset::DemandHourly => Arc::clone(&gold_schema::DEMAND_HOURLY),
            Dataset::PaymentsHourly => Arc::clone(&gold_schema::PAYMENTS_HOURLY),
            Dataset::Prices => Arc::clone(&gold_schema::PRICES),
            Dataset::GpuInventory => Arc::clone(&gold_schema::GPU_INVENTORY),
            Dataset::NetworkBaselinesDaily => Arc::clone(&gold_schema::NETWORK_BASELINES_DAILY),
            Dataset::SlaBenchmarksDaily => Arc::clone(&gold_schema::SLA_BENCHMARKS_DAILY),
            Dataset::DataQualityHourly => Arc::clone(&gold_schema::DATA_QUALITY_HOURLY),
            Dataset::OrchestratorRegions => Arc::clone(&gold_schema::ORCHESTRATOR_REGIONS),
            Dataset::NodeMetricsHourly => Arc::clone(&gold_schema::NODE_METRICS_HOURLY),
            Dataset::CollectorHealthHourly => Arc::clone(&gold_schema::COLLECTOR_HEALTH_HOURLY),
            Dataset::DecoderVersionsDaily => Arc::clone(&gold_schema::DECODER_VERSIONS_DAILY),
            Dataset::SloBurnRates => Arc::clone(&gold_schema::SLO_BURN_RATES),
            Dataset::HealthStates => Arc::clone(&gold_schema::HEALTH_STATES),
            Dataset::DataHealthStates => Arc::clone(&gold_schema::DATA_HEALTH_STATES),
        }
    }

    /// A bit of its own, for sets of datasets in one `u64` (there are fewer than 64).
    pub fn bit(self) -> u64 {
        const { assert!(Dataset::ALL.len() <= 64) };
        let index = Dataset::ALL
            .iter()
            .position(|d| *d == self)
            .expect("every dataset is in ALL");
        1 << index
    }

    /// The folder of the dataset relative to the lake root: `<layer>/<dataset>`.
    pub fn dir(self) -> String {
        format!("{}/{}", self.layer().dir(), self.name())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
