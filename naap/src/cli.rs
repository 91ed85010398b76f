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
    /// Re-derive silver and dead letters from bronze with this build's decoders.
    Reprocess(ReprocessArgs),
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
    /// Memory kept for decoded gold aggregates (sla_hourly, demand_hourly, …), in MiB: each
    /// file is read once per version and answered from memory after (0: read every time).
    #[arg(long, env = "NAAP_RESIDENT_CACHE_MB", default_value_t = 256)]
    pub(crate) resident_cache_mb: usize,
    /// HTTP requests per second each client address may sustain (0: no limit); beyond it,
    /// 429 with Retry-After.
    #[arg(long, env = "NAAP_RATE_LIMIT_PER_SECOND", default_value_t = 20.0)]
    pub(crate) rate_limit_per_second: f64,
    /// HTTP requests a client may send at once before the rate applies.
    #[arg(long, env = "NAAP_RATE_LIMIT_BURST", default_value_t = 60.0)]
    pub(crate) rate_limit_burst: f64,
    /// `/healthz` fails when the server has not read the lake's change log for this many
    /// seconds (it reads it every second): its answers no longer follow the lake.
    #[arg(long = "stall-secs", env = "NAAP_SERVE_STALL_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) stall_secs: u64,
    /// An orchestrator (on-chain address) whose service-level objectives and health states
    /// `/metrics` carries beside the network's; repeatable. Default: every orchestrator's.
    #[arg(long = "slo-orchestrator", env = "NAAP_SLO_ORCHESTRATORS", value_delimiter = ',', value_parser = orchestrator_address)]
    pub(crate) slo_orchestrators: Vec<String>,
}

/// An on-chain address (`0x` and 40 hex digits, any case), lowercased.
pub(crate) fn orchestrator_address(text: &str) -> Result<String, String> {
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
    match hex {
        Some(hex) if hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit()) => Ok(text.to_ascii_lowercase()),
        _ => Err(format!("{text:?} is not an on-chain address (0x and 40 hex digits)")),
    }
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
    /// Messages larger than this are dead letters (`too_large`); bronze keeps their first
    /// bytes up to it, their size and their SHA-256.
    #[arg(long, env = "NAAP_MAX_MESSAGE_BYTES", default_value_t = pipeline::DEFAULT_MAX_MESSAGE_BYTES)]
    pub(crate) max_message_bytes: usize,
    /// The org and gateway of a source whose envelopes do not say (`gateway: ""` in go-livepeer's):
    /// SOURCE=ORG or SOURCE=ORG/GATEWAY, SOURCE a Kafka topic, an HTTP push source or a replayed
    /// file's stem. Repeatable; network_events=daydream and streaming_events=cloudspe by default.
    #[arg(long = "source-identity", env = "NAAP_SOURCE_IDENTITIES", value_delimiter = ',')]
    pub(crate) source_identities: Vec<String>,
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
    #[command(flatten)]
    pub(crate) kafka: KafkaClientArgs,
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
    /// Serve Prometheus `/metrics`, `/healthz` and `/readyz` on this address while Kafka or
    /// HTTP push ingestion runs.
    #[arg(long, env = "NAAP_INGEST_METRICS_LISTEN", default_value = "127.0.0.1:9108")]
    pub(crate) metrics_listen: SocketAddr,
    /// `/healthz` fails when a write to the lake has been in flight, or the Kafka consumer
    /// has not completed a round, for this many seconds.
    #[arg(long = "stall-secs", env = "NAAP_INGEST_STALL_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) stall_secs: u64,
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
    /// Unless --once, serve `/healthz`, `/readyz` and Prometheus `/metrics` on this address
    /// (port 0: any free port, printed at start).
    #[arg(
        long = "health-listen",
        env = "NAAP_COLLECT_HEALTH_LISTEN",
        default_value = "127.0.0.1:9110"
    )]
    pub(crate) health_listen: std::net::SocketAddr,
    /// `/healthz` fails when no poll has completed for this many seconds.
    #[arg(long = "stall-secs", env = "NAAP_COLLECT_STALL_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) stall_secs: u64,
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
    /// With --follow, serve `/healthz`, `/readyz` and Prometheus `/metrics` on this address
    /// (port 0: any free port, printed at start).
    #[arg(
        long = "health-listen",
        env = "NAAP_ROLLUP_HEALTH_LISTEN",
        default_value = "127.0.0.1:9109"
    )]
    pub(crate) health_listen: SocketAddr,
    /// With --follow, POST each burn-rate alert that starts or stops firing to this URL
    /// (JSON, signed: `X-Naap-Signature-256: sha256=<HMAC-SHA256 of the body>`).
    #[arg(
        long = "alert-webhook",
        env = "NAAP_ALERT_WEBHOOK",
        requires = "alert_webhook_secret_file"
    )]
    pub(crate) alert_webhook: Option<String>,
    /// File holding the webhook's signing secret.
    #[arg(long = "alert-webhook-secret-file", env = "NAAP_ALERT_WEBHOOK_SECRET_FILE")]
    pub(crate) alert_webhook_secret_file: Option<PathBuf>,
    /// An orchestrator (on-chain address) whose alerts the webhook posts beside the
    /// network's; repeatable. Default: every orchestrator's.
    #[arg(long = "slo-orchestrator", env = "NAAP_SLO_ORCHESTRATORS", value_delimiter = ',', value_parser = orchestrator_address)]
    pub(crate) slo_orchestrators: Vec<String>,
    /// With --follow, `/healthz` fails when no tick has completed for this many seconds (a
    /// tick stuck on the store, a lake that stopped answering).
    #[arg(long = "stall-secs", env = "NAAP_ROLLUP_STALL_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) stall_secs: u64,
    /// Recompute every window, not only those touched since the last run.
    #[arg(long, env = "NAAP_ROLLUP_FULL")]
    pub(crate) full: bool,
    /// The region of a gateway, as GATEWAY=REGION (repeatable). Gives sessions, SLA rows and
    /// demand their region, and lets orchestrator regions be inferred from discovery latency.
    #[arg(long = "gateway-region", env = "NAAP_GATEWAY_REGIONS", value_delimiter = ',')]
    pub(crate) gateway_regions: Vec<String>,
    /// A rule that marks sessions and jobs as probes (synthetic test traffic), as FIELD=GLOB
    /// with FIELD one of stream_id, gateway, org and `*` for any characters (repeatable, first
    /// match recorded). Default: stream_id=aiJobTesterStream-* (the AI job tester) and
    /// gateway=naap-probe-* (naap's test load); `none` classes everything organic.
    #[arg(long = "probe-rule", env = "NAAP_PROBE_RULES", value_delimiter = ',')]
    pub(crate) probe_rules: Vec<String>,
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
pub(crate) struct ReprocessArgs {
    /// First bronze hour to reprocess, RFC 3339, whole hour.
    #[arg(long)]
    pub(crate) from: String,
    /// End of the bronze hours, RFC 3339, whole hour, exclusive.
    #[arg(long)]
    pub(crate) to: String,
    /// Only messages of these families (repeatable; default: every family, and messages
    /// whose envelope did not parse, family `_unparsed`).
    #[arg(long = "family", value_delimiter = ',')]
    pub(crate) families: Vec<String>,
    /// Print per dataset how many rows would be added, removed and changed; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Messages larger than this are dead letters (`too_large`), as in `naap ingest`.
    #[arg(long, env = "NAAP_MAX_MESSAGE_BYTES", default_value_t = pipeline::DEFAULT_MAX_MESSAGE_BYTES)]
    pub(crate) max_message_bytes: usize,
    /// Source identities, as given to `naap ingest` (reprocessed rows keep their source's).
    #[arg(long = "source-identity", env = "NAAP_SOURCE_IDENTITIES", value_delimiter = ',')]
    pub(crate) source_identities: Vec<String>,
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

/// How a Kafka client (ingest's consumer, the simulator's producer) connects: TLS, SASL and
/// extra librdkafka properties.
#[derive(Debug, Clone, Args)]
pub(crate) struct KafkaClientArgs {
    /// Kafka security protocol: plaintext, ssl, sasl_plaintext, or sasl_ssl (Confluent Cloud
    /// and go-livepeer's `-kafkaUser`/`-kafkaPassword` producers).
    #[arg(
        long = "kafka-security-protocol",
        env = "NAAP_KAFKA_SECURITY_PROTOCOL",
        default_value = "plaintext"
    )]
    pub(crate) security_protocol: pipeline::source::kafka_security::SecurityProtocol,
    /// SASL mechanism: PLAIN (Confluent Cloud API keys), SCRAM-SHA-256 or SCRAM-SHA-512.
    #[arg(
        long = "kafka-sasl-mechanism",
        env = "NAAP_KAFKA_SASL_MECHANISM",
        default_value = "PLAIN"
    )]
    pub(crate) sasl_mechanism: pipeline::source::kafka_security::SaslMechanism,
    /// SASL user (Confluent Cloud: the API key). The password comes from the environment
    /// variable NAAP_KAFKA_PASSWORD or from --kafka-password-file, never from a flag.
    #[arg(long = "kafka-user", env = "NAAP_KAFKA_USER")]
    pub(crate) user: Option<String>,
    /// File holding the SASL password (one line).
    #[arg(long = "kafka-password-file", env = "NAAP_KAFKA_PASSWORD_FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// CA bundle (PEM) that signs the brokers' certificates; default: the system's.
    #[arg(long = "kafka-ca-file", env = "NAAP_KAFKA_CA_FILE")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Extra librdkafka property KEY=VALUE (timeouts, client id). Repeatable. Secrets
    /// (`sasl.password`, …) are refused here.
    #[arg(long = "kafka-property", env = "NAAP_KAFKA_PROPERTIES", value_delimiter = ',')]
    pub(crate) properties: Vec<String>,
}

impl KafkaClientArgs {
    /// The TLS and SASL settings; the password from `NAAP_KAFKA_PASSWORD` or the file
    /// `--kafka-password-file` names (never both).
    pub(crate) fn security(&self) -> anyhow::Result<pipeline::source::kafka_security::KafkaSecurity> {
        use pipeline::source::kafka_security::{KafkaSecurity, Secret};
        let password = match (&self.password_file, std::env::var("NAAP_KAFKA_PASSWORD")) {
            (Some(_), Ok(_)) => anyhow::bail!("both NAAP_KAFKA_PASSWORD and --kafka-password-file are set: keep one"),
            (Some(file), Err(_)) => Some(Secret::from_file(file)?),
            (None, Ok(password)) => Some(Secret::new(password)),
            (None, Err(_)) => None,
        };
        let security = KafkaSecurity {
            protocol: self.security_protocol,
            mechanism: self.sasl_mechanism,
            username: self.user.clone(),
            password,
            ca_file: self.ca_file.clone(),
        };
        security.validate()?;
        Ok(security)
    }

    /// The extra properties as (key, value), each checked to be `KEY=VALUE` and not a secret.
    pub(crate) fn extra_properties(&self) -> anyhow::Result<Vec<(String, String)>> {
        self.properties
            .iter()
            .map(|property| {
                let (key, value) = property
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--kafka-property {property:?} is not KEY=VALUE"))?;
                anyhow::ensure!(
                    !pipeline::source::kafka_security::SECRET_PROPERTIES.contains(&key),
                    "{key} is a secret: give the SASL password with NAAP_KAFKA_PASSWORD or --kafka-password-file, \
                     not as a property"
                );
                Ok((key.to_string(), value.to_string()))
            })
            .collect()
    }
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
    #[command(flatten)]
    pub(crate) kafka: KafkaClientArgs,
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

/// docs/operations.md is what an operator types: every command in it must parse, every flag
/// and environment variable it names must exist, and the defaults of its settings table must
/// be the ones the command line has.
/// The source identities of `--source-identity` assignments (over the defaults).
pub(crate) fn source_identities(assignments: &[String]) -> anyhow::Result<pipeline::SourceIdentities> {
    pipeline::SourceIdentities::parse(assignments.iter().map(String::as_str))
        .map_err(|e| anyhow::anyhow!("--source-identity {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_orchestrator_is_an_on_chain_address_kept_lowercase() {
        let upper = "0xABCDEF0123456789ABCDEF0123456789ABCDEF01";
        assert_eq!(super::orchestrator_address(upper).unwrap(), upper.to_ascii_lowercase());
        for bad in [
            "abcdef0123456789abcdef0123456789abcdef01",
            "0x123",
            "0xZZcdef0123456789abcdef0123456789abcdef01",
        ] {
            let error = super::orchestrator_address(bad).unwrap_err();
            assert!(error.contains("not an on-chain address"), "{error}");
        }
    }
}

#[cfg(test)]
mod operations_doc {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    const DOC: &str = include_str!("../../docs/operations.md");

    /// Environment variables read by the code rather than declared on a flag.
    const READ_BY_CODE: [&str; 2] = ["NAAP_KAFKA_PASSWORD", "NAAP_LOG"];

    /// Every argument of every subcommand (and the global ones), with its command's name.
    fn arguments() -> Vec<(String, clap::Arg)> {
        let cli = Cli::command();
        let mut all: Vec<(String, clap::Arg)> = cli.get_arguments().map(|a| ("all".to_string(), a.clone())).collect();
        for command in cli.get_subcommands() {
            all.extend(
                command
                    .get_arguments()
                    .map(|a| (command.get_name().to_string(), a.clone())),
            );
            for nested in command.get_subcommands() {
                all.extend(
                    nested
                        .get_arguments()
                        .map(|a| (command.get_name().to_string(), a.clone())),
                );
            }
        }
        all
    }

    /// Splits a command line like a POSIX shell does for the quoting the doc uses.
    fn shell_words(line: &str) -> Vec<String> {
        let (mut words, mut word, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => (quote, in_word) = (Some(c), true),
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (_, c) => (word.push(c), in_word = true).1,
            }
        }
        if in_word {
            words.push(word);
        }
        words
    }

    /// The `naap …` command lines of the doc's shell blocks (continuation lines joined,
    /// comments dropped).
    fn shell_commands() -> Vec<String> {
        let mut commands = Vec::new();
        let mut in_block = false;
        let mut pending = String::new();
        for line in DOC.lines() {
            if line.starts_with("```") {
                in_block = line == "```sh";
                continue;
            }
            if !in_block {
                continue;
            }
            let line = line.split(" #").next().unwrap_or_default().trim();
            pending.push_str(line.trim_end_matches('\\'));
            pending.push(' ');
            if !line.ends_with('\\') {
                if pending.trim_start().starts_with("naap ") {
                    commands.push(pending.trim().to_string());
                }
                pending.clear();
            }
        }
        commands
    }

    #[test]
    fn every_command_in_the_doc_parses() {
        let commands = shell_commands();
        assert!(!commands.is_empty(), "the doc has shell examples");
        for command in commands {
            // Placeholders such as `<bootstrap>` stand for a value.
            let mut line = command.clone();
            while let (Some(open), Some(close)) = (line.find('<'), line.find('>')) {
                line.replace_range(open..=close, "placeholder");
            }
            let words = shell_words(&line);
            if let Err(e) = Cli::try_parse_from(&words) {
                panic!("docs/operations.md: `{command}` does not parse:\n{e}");
            }
        }
    }

    #[test]
    fn every_flag_and_variable_the_doc_names_exists() {
        let arguments = arguments();
        let longs: Vec<&str> = arguments.iter().filter_map(|(_, a)| a.get_long()).collect();
        let envs: Vec<String> = arguments
            .iter()
            .filter_map(|(_, a)| a.get_env().map(|e| e.to_string_lossy().into_owned()))
            .collect();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*';
        for token in DOC.split(|c: char| !word(c)) {
            if let Some(flag) = token
                .strip_prefix("--")
                .map(|f| f.trim_end_matches('*'))
                .filter(|f| f.starts_with(|c: char| c.is_ascii_alphabetic()))
            {
                assert!(
                    longs.contains(&flag) || flag == "help",
                    "docs/operations.md names `--{flag}`, which no command has"
                );
            }
            if let Some(prefix) = token.strip_suffix('*').filter(|t| t.starts_with("NAAP_")) {
                assert!(
                    envs.iter().any(|e| e.starts_with(prefix)),
                    "docs/operations.md names `{token}`, which matches no variable"
                );
            } else if token.starts_with("NAAP_") {
                assert!(
                    envs.iter().any(|e| e == token) || READ_BY_CODE.contains(&token),
                    "docs/operations.md names `{token}`, which nothing reads"
                );
            }
        }
    }

    /// The first number in a default as written (`16 MiB`, `1,000,000`, `30 s`), in the
    /// unit of the flag `name` (bytes for `…-bytes`).
    fn documented_number(text: &str, name: &str) -> Option<f64> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let digits: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
            .filter(|c| *c != ',')
            .collect();
        let number: f64 = digits.parse().ok()?;
        let unit = text[start..].trim_start_matches(|c: char| c.is_ascii_digit() || c == ',' || c == '.');
        Some(if unit.trim_start().starts_with("MiB") && name.ends_with("-bytes") {
            number * 1_048_576.0
        } else {
            number
        })
    }

    #[test]
    fn the_settings_table_has_the_real_defaults() {
        let arguments = arguments();
        let section = DOC
            .split("## Settings of the long-running commands")
            .nth(1)
            .expect("the settings section")
            .split("\n## ")
            .next()
            .unwrap();
        let mut checked = 0;
        for row in section
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Command") && !l.contains("---"))
        {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let [command, flags, envs, defaults] = cells[..] else {
                panic!("a settings row has four cells: {row}");
            };
            let flags: Vec<&str> = flags
                .split(", ")
                .map(|f| f.trim_matches('`').split(' ').next().unwrap())
                .collect();
            let envs: Vec<&str> = envs.split(", ").map(|e| e.trim_matches('`')).collect();
            let defaults: Vec<&str> = defaults.split(", ").collect();
            for (i, flag) in flags.iter().enumerate() {
                let name = flag.trim_start_matches("--");
                let (_, arg) = arguments
                    .iter()
                    .find(|(c, a)| c == command && a.get_long() == Some(name))
                    .unwrap_or_else(|| panic!("`naap {command}` has no `{flag}` (row: {row})"));
                let env = arg
                    .get_env()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let documented_env = envs.get(i).or(envs.last()).unwrap();
                let documented_env = documented_env.strip_suffix('*').unwrap_or(documented_env);
                assert!(
                    env.starts_with(documented_env),
                    "{flag}: the doc says {documented_env}, the flag reads {env}"
                );
                let Some(documented) = defaults.get(i).or(defaults.last()) else {
                    continue;
                };
                let actual = arg
                    .get_default_values()
                    .first()
                    .map(|v| v.to_string_lossy().into_owned());
                match (actual, documented_number(documented, name)) {
                    (Some(actual), _) if actual == "false" => {
                        assert!(
                            documented.starts_with("off"),
                            "{flag}: documented default {documented}, actual off"
                        );
                    }
                    (Some(actual), Some(number)) if actual.parse::<f64>().is_ok() => {
                        assert_eq!(
                            actual.parse::<f64>().unwrap(),
                            number,
                            "{flag}: documented default {documented}"
                        );
                    }
                    (Some(actual), _) => assert!(
                        documented.contains(&actual),
                        "{flag}: documented default {documented}, actual {actual}"
                    ),
                    (None, _) => {}
                }
                checked += 1;
            }
        }
        // The Kafka table's rows: | `--flag` / `ENV` | default | notes |
        for row in DOC.lines().filter(|l| l.starts_with("| `--") && l.contains("` / `")) {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let (flag, env) = cells[0].split_once(" / ").unwrap();
            let (flag, env) = (flag.trim_matches('`').trim_start_matches("--"), env.trim_matches('`'));
            let (_, arg) = arguments
                .iter()
                .find(|(_, a)| a.get_long() == Some(flag))
                .unwrap_or_else(|| panic!("no command has `--{flag}` (row: {row})"));
            assert_eq!(
                arg.get_env().map(|e| e.to_string_lossy().into_owned()).as_deref(),
                Some(env),
                "{row}"
            );
            let documented = cells[1].trim_matches('`');
            match arg
                .get_default_values()
                .first()
                .map(|v| v.to_string_lossy().into_owned())
            {
                Some(actual) => match (actual.parse::<f64>(), documented_number(documented, flag)) {
                    (Ok(actual), Some(number)) => assert_eq!(actual, number, "{row}"),
                    _ => assert_eq!(actual, documented, "{row}"),
                },
                // Without a default the doc says what happens instead ("none", "system trust
                // store"), never a value.
                None => assert!(
                    !documented.starts_with(|c: char| c.is_ascii_digit()) && !cells[1].starts_with('`'),
                    "{row}: no default, documented {documented}"
                ),
            }
            checked += 1;
        }
        assert!(checked >= 25, "only {checked} settings checked");
    }
}
