//! Command-line flags. Every flag can also be set by an environment variable `NAAP_*`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// naap: the measurement layer of the Livepeer network.
#[derive(Debug, Parser)]
#[command(name = "naap", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Where the lake lives: a local directory, or a file://, s3://, gs:// or az:// URL.
    #[arg(long, global = true, env = "NAAP_LAKE", default_value = "./naap-data")]
    pub(crate) lake: String,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate demo traffic, ingest it, compute rollups and serve HTTP + Flight SQL.
    Demo(DemoArgs),
    /// Ingest go-livepeer events from files, Kafka and HTTP push.
    Ingest(IngestArgs),
    /// Compute the gold rollups from silver data.
    Rollup(RollupArgs),
    /// Serve the lake over HTTP JSON and Arrow Flight SQL.
    Serve(ServeArgs),
    /// Print the manifest of a dataset (files, rows, bytes, SHA-256, schema).
    Manifest(ManifestArgs),
    /// Publish a dated, content-addressed snapshot of gold outputs and their silver inputs.
    Snapshot(SnapshotArgs),
    /// Simulate network scenarios with ground truth; run and verify test load.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Poll gateways' capability and registry endpoints and nodes' Prometheus metrics.
    Collect(CollectArgs),
    /// Check a snapshot's hashes and recompute its outputs from its inputs with its SQL.
    Verify(SnapshotVerifyArgs),
    /// Merge the small files of each settled partition into one; apply retention.
    Compact(CompactArgs),
}

/// Addresses of the two servers.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeAddrs {
    /// HTTP listen address.
    #[arg(long, env = "NAAP_HTTP", default_value = "127.0.0.1:8080")]
    pub(crate) http: SocketAddr,
    /// Arrow Flight SQL listen address.
    #[arg(long, env = "NAAP_FLIGHT", default_value = "127.0.0.1:50051")]
    pub(crate) flight: SocketAddr,
    /// Per-query time limit, in seconds.
    #[arg(long, env = "NAAP_QUERY_TIMEOUT_SECS", default_value_t = 30)]
    pub(crate) query_timeout_secs: u64,
    /// Per-query memory limit, in MiB.
    #[arg(long, env = "NAAP_QUERY_MEMORY_MB", default_value_t = 512)]
    pub(crate) query_memory_mb: usize,
    /// Maximum rows of a query result.
    #[arg(long, env = "NAAP_QUERY_MAX_ROWS", default_value_t = 1_000_000)]
    pub(crate) query_max_rows: usize,
    /// HTTP requests per second each client address may sustain (0: no limit); beyond it,
    /// 429 with Retry-After.
    #[arg(long, env = "NAAP_RATE_LIMIT_PER_SECOND", default_value_t = 20.0)]
    pub(crate) rate_limit_per_second: f64,
    /// HTTP requests a client may send at once before the rate applies.
    #[arg(long, env = "NAAP_RATE_LIMIT_BURST", default_value_t = 60.0)]
    pub(crate) rate_limit_burst: f64,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) serve: ServeAddrs,
    /// The scenario to simulate: a built-in (`naap scenario list`) or a scenario file.
    #[arg(long, env = "NAAP_DEMO_SCENARIO", default_value = "demo")]
    pub(crate) scenario: String,
    /// Seed of the simulation (default: the scenario's).
    #[arg(long, env = "NAAP_DEMO_SEED")]
    pub(crate) seed: Option<u64>,
    /// Hours of traffic to simulate, ending with the current hour (default: the scenario's).
    #[arg(long, env = "NAAP_DEMO_HOURS")]
    pub(crate) hours: Option<u32>,
    /// Start of the simulated period, RFC 3339; default: `hours` before the current hour.
    /// A period that ends before now is served as it is (nothing live to follow).
    #[arg(long, env = "NAAP_DEMO_START")]
    pub(crate) start: Option<String>,
    /// Serve what was simulated up to now and stop there: no live traffic, no rollups after
    /// the first (for scripts and tests that want a lake that does not change).
    #[arg(long, env = "NAAP_DEMO_ONCE")]
    pub(crate) once: bool,
    /// How often the live network's due events are ingested (and the rollups follow), in
    /// seconds.
    #[arg(long = "live-interval", env = "NAAP_DEMO_LIVE_INTERVAL", default_value_t = 1.0)]
    pub(crate) live_interval_secs: f64,
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    /// Replay a file of envelopes (JSONL, JSON array, or a log-viewer export). Repeatable.
    #[arg(long = "file", env = "NAAP_INGEST_FILES", value_delimiter = ',')]
    pub(crate) files: Vec<PathBuf>,
    /// Records per written batch when replaying files.
    #[arg(long, env = "NAAP_INGEST_BATCH", default_value_t = 50_000)]
    pub(crate) batch: usize,
    /// Kafka bootstrap servers; consuming runs until Ctrl-C.
    #[arg(long, env = "NAAP_KAFKA_BROKERS")]
    pub(crate) kafka_brokers: Option<String>,
    /// Kafka topics, comma-separated (go-livepeer writes every family to one topic).
    #[arg(
        long,
        env = "NAAP_KAFKA_TOPICS",
        value_delimiter = ',',
        default_value = "streaming_events"
    )]
    pub(crate) kafka_topics: Vec<String>,
    /// Kafka consumer group: ingest processes with the same group share the partitions.
    #[arg(long, env = "NAAP_KAFKA_GROUP", default_value = "naap")]
    pub(crate) kafka_group: String,
    /// Kafka security protocol: plaintext, ssl, sasl_plaintext, or sasl_ssl (Confluent Cloud
    /// and go-livepeer's `-kafkaUser`/`-kafkaPassword` producers).
    #[arg(long, env = "NAAP_KAFKA_SECURITY_PROTOCOL", default_value = "plaintext")]
    pub(crate) kafka_security_protocol: pipeline::source::kafka_security::SecurityProtocol,
    /// SASL mechanism: PLAIN (Confluent Cloud API keys), SCRAM-SHA-256 or SCRAM-SHA-512.
    #[arg(long, env = "NAAP_KAFKA_SASL_MECHANISM", default_value = "PLAIN")]
    pub(crate) kafka_sasl_mechanism: pipeline::source::kafka_security::SaslMechanism,
    /// SASL user (Confluent Cloud: the API key). The password comes from the environment
    /// variable NAAP_KAFKA_PASSWORD or from --kafka-password-file, never from a flag.
    #[arg(long, env = "NAAP_KAFKA_USER")]
    pub(crate) kafka_user: Option<String>,
    /// File holding the SASL password (one line).
    #[arg(long, env = "NAAP_KAFKA_PASSWORD_FILE")]
    pub(crate) kafka_password_file: Option<PathBuf>,
    /// CA bundle (PEM) that signs the brokers' certificates; default: the system's.
    #[arg(long, env = "NAAP_KAFKA_CA_FILE")]
    pub(crate) kafka_ca_file: Option<PathBuf>,
    /// Extra librdkafka property KEY=VALUE (timeouts, client id). Repeatable. Secrets
    /// (`sasl.password`, …) are refused here.
    #[arg(long = "kafka-property", env = "NAAP_KAFKA_PROPERTIES", value_delimiter = ',')]
    pub(crate) kafka_properties: Vec<String>,
    /// Messages per partition per written batch.
    #[arg(long, env = "NAAP_KAFKA_BATCH", default_value_t = 50_000)]
    pub(crate) kafka_batch: usize,
    /// Longest wait before buffered messages are written, in milliseconds.
    #[arg(long, env = "NAAP_KAFKA_FLUSH_MS", default_value_t = 1000)]
    pub(crate) kafka_flush_ms: u64,
    /// Listen for HTTP push (`POST /v1/events`) on this address; runs until Ctrl-C.
    #[arg(long, env = "NAAP_INGEST_LISTEN")]
    pub(crate) listen: Option<SocketAddr>,
    /// Name of this push listener in file names (`[A-Za-z0-9._-]`).
    #[arg(long, env = "NAAP_INGEST_LISTEN_NAME", default_value = "push")]
    pub(crate) listen_name: String,
    /// Serve Prometheus `/metrics` on this address while Kafka or HTTP push ingestion runs.
    #[arg(long, env = "NAAP_INGEST_METRICS_LISTEN", default_value = "127.0.0.1:9108")]
    pub(crate) metrics_listen: SocketAddr,
    /// Largest accepted push body, in bytes.
    #[arg(long, env = "NAAP_INGEST_MAX_BODY", default_value_t = pipeline::source::http::DEFAULT_MAX_BODY_BYTES)]
    pub(crate) max_body_bytes: usize,
    /// Credentials file (`NAME SCOPE SHA256-of-token` per line): every push then needs a
    /// `push` token, and its producer's name is recorded as the source of its events.
    /// Reloaded when it changes. Required to listen on an address other than loopback.
    #[arg(long, env = "NAAP_CREDENTIALS")]
    pub(crate) credentials: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CollectArgs {
    /// Targets and settings from a TOML file (see the pipeline README); flags add targets.
    #[arg(long, env = "NAAP_COLLECT_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// A gateway base URL (http://host:port): polls /getNetworkCapabilities and
    /// /registeredOrchestrators. Repeatable.
    #[arg(long = "gateway", env = "NAAP_COLLECT_GATEWAYS", value_delimiter = ',')]
    pub(crate) gateways: Vec<String>,
    /// A node's Prometheus endpoint (base URL or full /metrics URL). Repeatable.
    #[arg(long = "metrics", env = "NAAP_COLLECT_METRICS", value_delimiter = ',')]
    pub(crate) metrics: Vec<String>,
    /// Poll every target once, write, and exit.
    #[arg(long)]
    pub(crate) once: bool,
    /// Seconds between polls of the flag targets (default: capabilities 300, registry 900,
    /// metrics 60).
    #[arg(long, env = "NAAP_COLLECT_INTERVAL_SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) interval_secs: Option<u64>,
    /// Seconds a poll of a flag target may take.
    #[arg(long, env = "NAAP_COLLECT_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) timeout_secs: u64,
}

#[derive(Debug, Args)]
pub(crate) struct RollupArgs {
    /// Keep running: recompute the windows new or late input touches, every interval.
    #[arg(long, env = "NAAP_ROLLUP_FOLLOW")]
    pub(crate) follow: bool,
    /// Seconds between ticks with --follow (a tick in which nothing changed only reads the
    /// newest folders of the lake's change log).
    #[arg(long = "interval", env = "NAAP_ROLLUP_INTERVAL", default_value_t = 1.0, value_parser = positive_seconds)]
    pub(crate) interval_secs: f64,
    /// Seconds between stores of the rollup state with --follow (a restart recomputes at most
    /// this much recent input again).
    #[arg(long = "checkpoint-secs", env = "NAAP_ROLLUP_CHECKPOINT_SECS", default_value_t = 300)]
    pub(crate) checkpoint_secs: u64,
    /// Seconds between full listings of the lake with --follow (changes the change log did not
    /// carry are found then).
    #[arg(long = "reconcile-secs", env = "NAAP_ROLLUP_RECONCILE_SECS", default_value_t = 3600)]
    pub(crate) reconcile_secs: u64,
    /// Seconds between recomputations, with --follow, of the rollups that change slowly or are
    /// read for trends (data quality, payments, prices, GPU inventory, baselines, orchestrator
    /// regions, node and collector health); sessions, SLA, jobs and demand follow every tick.
    #[arg(long = "periodic-secs", env = "NAAP_ROLLUP_PERIODIC_SECS", default_value_t = sql::DEFAULT_PERIODIC_EVERY.as_secs_f64(), value_parser = positive_seconds)]
    pub(crate) periodic_secs: f64,
    /// Time to live of the rollup writer's lease in the lake, in seconds: a second `naap
    /// rollup` waits, and takes over this long after the first stopped renewing it.
    #[arg(long = "lease-secs", env = "NAAP_ROLLUP_LEASE_SECS", default_value_t = 30.0, value_parser = positive_seconds)]
    pub(crate) lease_secs: f64,
    /// Recompute every window, not only those touched since the last run.
    #[arg(long, env = "NAAP_ROLLUP_FULL")]
    pub(crate) full: bool,
    /// The region of a gateway, as GATEWAY=REGION (repeatable). Gives sessions, SLA rows and
    /// demand their region, and lets orchestrator regions be inferred from discovery latency.
    #[arg(long = "gateway-region", env = "NAAP_GATEWAY_REGIONS", value_delimiter = ',')]
    pub(crate) gateway_regions: Vec<String>,
    /// Memory (MiB) a rollup query may hold before sorts and aggregations spill to disk
    /// (default 768).
    #[arg(long = "memory-mb", env = "NAAP_ROLLUP_MEMORY_MB", value_parser = clap::value_parser!(u64).range(64..))]
    pub(crate) memory_mb: Option<u64>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) serve: ServeAddrs,
    /// Also expose bronze events, dead letters and private columns. Every request then needs
    /// an `operator` token from --credentials (health and metrics excepted).
    #[arg(long, env = "NAAP_OPERATOR", requires = "credentials")]
    pub(crate) operator: bool,
    /// Credentials file (`NAME SCOPE SHA256-of-token` per line), reloaded when it changes.
    #[arg(long, env = "NAAP_CREDENTIALS")]
    pub(crate) credentials: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompactArgs {
    /// Datasets to compact (repeatable; default: every bronze, silver and dead-letter
    /// dataset; gold partitions are one file already).
    #[arg(long = "dataset", env = "NAAP_COMPACT_DATASETS", value_delimiter = ',')]
    pub(crate) datasets: Vec<String>,
    /// Only partitions whose hour ended at least this many hours ago (late data settles).
    #[arg(long, env = "NAAP_COMPACT_MIN_AGE_HOURS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(2..))]
    pub(crate) min_age_hours: u64,
    /// Retention as DATASET=DAYS (repeatable): partitions older are deleted first.
    #[arg(long = "retain", env = "NAAP_RETENTION", value_delimiter = ',')]
    pub(crate) retain: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ManifestArgs {
    /// Dataset name.
    #[arg(long)]
    pub(crate) dataset: String,
}

#[derive(Debug, Args)]
pub(crate) struct SnapshotArgs {
    /// Where to publish: a directory or object-store URL; the snapshot goes to `<out>/<id>/`.
    /// Default: the lake's `snapshots/` folder, where `naap serve` lists them.
    #[arg(long, env = "NAAP_SNAPSHOT_OUT")]
    pub(crate) out: Option<String>,
    /// Start of the output range, RFC 3339, whole hour (default: 24 hours before --to).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// End of the output range, RFC 3339, whole hour, exclusive (default: the current hour's
    /// start).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// Gold datasets to publish (repeatable; default: sessions and sla_hourly). Their silver
    /// inputs are included.
    #[arg(long = "dataset", value_delimiter = ',')]
    pub(crate) datasets: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SnapshotVerifyArgs {
    /// The snapshot: its folder, an object-store URL of it, or its HTTP API URL
    /// (`http://host:8080/v1/snapshots/ID`).
    pub(crate) snapshot: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScenarioCommand {
    /// List the built-in scenarios.
    List,
    /// Simulate a scenario: events in go-livepeer's formats plus the ground truth.
    Simulate(SimulateArgs),
    /// Run a scenario's test load against a gateway and write a result bundle.
    Run(RunArgs),
    /// Check a result bundle: hashes, completeness, consistency.
    Verify(VerifyArgs),
    /// Serve a mock gateway AI API (for trying `naap scenario run`).
    MockGateway(MockGatewayArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// A built-in scenario or a scenario file with a [test_load] section.
    pub(crate) scenario: String,
    /// Gateway base URL, e.g. http://127.0.0.1:8935.
    #[arg(long)]
    pub(crate) target: String,
    /// Write the bundle here (default: ./naap-bundle-RUN_ID).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Also ingest the results into the lake (--lake) as naap_test_result events.
    #[arg(long)]
    pub(crate) ingest: bool,
    /// Probe region (default: the scenario's).
    #[arg(long)]
    pub(crate) probe_region: Option<String>,
    /// Seed of the request parameters (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = scenarios::testload::runner::DEFAULT_CONCURRENCY)]
    pub(crate) concurrency: usize,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The bundle directory.
    pub(crate) bundle: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct MockGatewayArgs {
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:8935")]
    pub(crate) listen: SocketAddr,
    /// Latency of a good answer, ms.
    #[arg(long, default_value_t = 200)]
    pub(crate) latency_ms: u64,
    /// Share of requests answered 503.
    #[arg(long, default_value_t = 0.05)]
    pub(crate) failure_rate: f64,
    /// Share of requests that hang (past a runner's timeout).
    #[arg(long, default_value_t = 0.02)]
    pub(crate) timeout_rate: f64,
    /// Share of requests answered with a malformed body.
    #[arg(long, default_value_t = 0.02)]
    pub(crate) malformed_rate: f64,
    /// Seed of the draws.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// A built-in scenario (`naap scenario list`) or a scenario file.
    pub(crate) scenario: String,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Start, RFC 3339 (default: the scenario's).
    #[arg(long)]
    pub(crate) start: Option<String>,
    /// Hours to simulate (default: the scenario's).
    #[arg(long)]
    pub(crate) hours: Option<u32>,
    /// Write events.jsonl, ground-truth.json, scenario.toml and manifest.json here.
    #[arg(long, conflicts_with_all = ["kafka_brokers", "ingest"])]
    pub(crate) out: Option<PathBuf>,
    /// Produce the events to Kafka (the ground truth goes to --truth).
    #[arg(long, env = "NAAP_KAFKA_BROKERS", conflicts_with = "ingest")]
    pub(crate) kafka_brokers: Option<String>,
    /// Kafka topic (go-livepeer writes every family to one topic).
    #[arg(long, default_value = "streaming_events")]
    pub(crate) kafka_topic: String,
    /// Ingest the events in-process into the lake (--lake).
    #[arg(long)]
    pub(crate) ingest: bool,
    /// Where to write the ground truth with --kafka-brokers or --ingest.
    #[arg(long)]
    pub(crate) truth: Option<PathBuf>,
    /// Deliver in real time (each event when its delivery time comes, relative to the
    /// first) instead of as fast as possible.
    #[arg(long)]
    pub(crate) realtime: bool,
}

/// A number of seconds ≥ 0.05.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.05 => Ok(secs),
        _ => Err(format!("{text:?} is not a number of seconds ≥ 0.05")),
    }
}
