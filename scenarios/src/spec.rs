//! The scenario file format (TOML, `version = 1`): network shape, workload, behaviour per
//! orchestrator group, delivery faults. `docs/scenarios.md` documents every key; unknown keys
//! are errors, so a typo never silently falls back to a default.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;

/// The format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A parsed and validated scenario.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (`[a-z0-9-]`), used in stream ids and file names.
    pub name: String,
    /// Format version; must be [`FORMAT_VERSION`].
    pub version: u32,
    /// What the scenario is for.
    #[serde(default)]
    pub description: String,
    /// Default seed (`--seed` overrides it).
    #[serde(default)]
    pub seed: u64,
    /// Start of the simulated period, RFC 3339 UTC (`--start` overrides it).
    pub start: String,
    /// Length of the simulated period in hours (`--hours` overrides it).
    pub hours: u32,
    /// Gateways: where demand enters the network.
    pub gateways: Vec<GatewaySpec>,
    /// Groups of orchestrators sharing a description; parameters given as ranges are drawn
    /// per orchestrator.
    pub orchestrators: Vec<OrchestratorGroup>,
    /// Live video-to-video demand per model.
    #[serde(default)]
    pub live: Vec<LiveWorkload>,
    /// Batch AI demand per pipeline and model.
    #[serde(default)]
    pub batch: Vec<BatchWorkload>,
    /// LLM demand per model.
    #[serde(default)]
    pub llm: Vec<LlmWorkload>,
    /// BYOC (bring your own container) jobs per capability.
    #[serde(default)]
    pub byoc: Vec<ByocWorkload>,
    /// Daily demand curve.
    #[serde(default)]
    pub diurnal: Diurnal,
    /// Traffic from families and clients naap keeps only in bronze (per live stream).
    #[serde(default)]
    pub noise: Vec<NoiseSpec>,
    /// Delivery faults between the gateways and naap.
    #[serde(default)]
    pub faults: Faults,
    /// Test jobs `naap scenario run` sends to a gateway.
    #[serde(default)]
    pub test_load: Option<TestLoad>,
    /// Periods in which an orchestrator misbehaves (the ground truth of health and alerts).
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

/// A number fixed for every orchestrator of a group (`0.9`) or drawn uniformly per
/// orchestrator from a range (`[0.8, 0.99]`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// The same value for every orchestrator.
    Fixed(f64),
    /// A uniform draw from `[low, high]` per orchestrator.
    Range([f64; 2]),
}

impl Param {
    pub(crate) fn bounds(self) -> (f64, f64) {
        match self {
            Param::Fixed(v) => (v, v),
            Param::Range([low, high]) => (low, high),
        }
    }
}

/// A log-normal distribution by its median and the standard deviation of its logarithm.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogNormal {
    /// Median.
    pub median: Param,
    /// Standard deviation of ln(x).
    pub spread: Param,
}

/// A normal distribution (values are clamped at zero where negative makes no sense).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Normal {
    /// Mean.
    pub mean: Param,
    /// Standard deviation.
    pub sd: Param,
}

/// One gateway.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySpec {
    /// `-gatewayHost` (the envelope's `gateway` field); may be empty as on the real network.
    pub name: String,
    /// Region label (`naap rollup --gateway-region` takes the same mapping).
    #[serde(default)]
    pub region: String,
    /// Share of the demand entering through this gateway (weights, normalised).
    #[serde(default = "one")]
    pub weight: f64,
    /// Whether the gateway pays through a remote signer: its live payments are the signer's
    /// `create_signed_ticket` events instead of `create_new_payment`.
    #[serde(default)]
    pub remote_signer: bool,
    /// Whether the gateway runs off chain (`-network offchain`, e.g. a test rig): it pays
    /// nobody, so no payment names the orchestrator that served one of its streams.
    #[serde(default)]
    pub offchain: bool,
}

/// A period in which one orchestrator's live streams start with another probability, or run
/// at a fraction of their frame rate.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// The orchestrator (`{group}-{i}`).
    pub orchestrator: String,
    /// Start, minutes after the scenario's start.
    pub from_minute: u32,
    /// End (exclusive), minutes after the scenario's start.
    pub to_minute: u32,
    /// Probability that a live stream it serves in the period becomes playable (unchanged
    /// when not given).
    #[serde(default)]
    pub startup_success: Option<f64>,
    /// Factor on the mean output FPS of the live streams it starts in the period (unchanged
    /// when not given).
    #[serde(default)]
    pub output_fps_factor: Option<f64>,
}

/// A group of orchestrators.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrchestratorGroup {
    /// Name prefix; orchestrator `i` of the group is `{name}-{i}`.
    pub name: String,
    /// How many orchestrators.
    #[serde(default = "one_u32")]
    pub count: u32,
    /// GPU model names, one drawn per orchestrator (repeat a name to weight it).
    pub gpu_models: Vec<String>,
    /// GPUs per orchestrator.
    #[serde(default = "one_u32")]
    pub gpus: u32,
    /// Regions, one drawn per orchestrator.
    #[serde(default = "default_regions")]
    pub regions: Vec<String>,
    /// go-livepeer versions, one drawn per orchestrator.
    #[serde(default = "default_versions")]
    pub versions: Vec<String>,
    /// ai-runner versions, one drawn per orchestrator.
    #[serde(default = "default_runner_versions")]
    pub runner_versions: Vec<String>,
    /// Live price in wei per pixel (rounded to an integer).
    pub price_wei_per_pixel: Param,
    /// Concurrent live streams one orchestrator takes; also its selection weight.
    #[serde(default = "one_u32")]
    pub capacity: u32,
    /// Model ids served (live, batch or LLM); empty: every model of the workload.
    #[serde(default)]
    pub models: Vec<String>,
    /// Probability that an orchestrator signs with a hot wallet different from its on-chain
    /// address.
    #[serde(default)]
    pub hot_wallet_share: f64,
    /// Whether every orchestrator of the group signs with one shared hot wallet (two
    /// on-chain identities behind one key: only their URLs tell them apart).
    #[serde(default)]
    pub shared_hot_wallet: bool,
    /// Whether the group's orchestrators answer behind one service URI (a load balancer in
    /// front of their nodes). With a shared hot wallet too, neither the URL nor the key says
    /// which of them served a stream: only a payment does.
    #[serde(default)]
    pub shared_url: bool,
    /// How the orchestrators behave.
    pub behaviour: Behaviour,
}

/// What an orchestrator does with the work it gets: the ground truth the metrics must find.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Probability that a live stream becomes playable.
    pub startup_success: Param,
    /// Request → first processed segment, ms.
    pub startup_latency_ms: LogNormal,
    /// First ingest segment sent → runner's first processed segment, ms.
    pub e2e_latency_ms: LogNormal,
    /// Output FPS of a healthy stream.
    pub output_fps: Normal,
    /// Probability that a started stream never leaves LOADING.
    #[serde(default = "zero_param")]
    pub loading_only_rate: Param,
    /// Probability that a started stream outputs no frames at all.
    #[serde(default = "zero_param")]
    pub zero_fps_rate: Param,
    /// Probability that the gateway swaps a stream away from this orchestrator before start.
    #[serde(default = "zero_param")]
    pub swap_rate: Param,
    /// Probability that the runner restarts during a stream.
    #[serde(default = "zero_param")]
    pub restart_rate: Param,
    /// Share of status samples in a DEGRADED_INPUT episode.
    #[serde(default = "zero_param")]
    pub degraded_share: Param,
    /// Runner error messages, one drawn per runner error.
    #[serde(default = "default_runner_errors")]
    pub runner_errors: Vec<String>,
    /// Runner errors per stream-minute.
    #[serde(default = "zero_param")]
    pub runner_errors_per_minute: Param,
    /// Probability that a batch or LLM job succeeds.
    #[serde(default = "one_param")]
    pub job_success: Param,
    /// Batch job duration, ms.
    #[serde(default = "default_job_latency")]
    pub job_latency_ms: LogNormal,
    /// LLM generation speed, tokens per second.
    #[serde(default = "default_tokens_per_second")]
    pub tokens_per_second: Normal,
}

/// Live-video demand for one model.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LiveWorkload {
    /// Model id (`streamdiffusion-sdxl`, …).
    pub model: String,
    /// New streams per hour at the diurnal mean.
    pub streams_per_hour: f64,
    /// Stream duration, seconds.
    pub duration_s: LogNormal,
    /// Share of streams ingested over WHIP (only those report `stream_ingest_metrics`).
    #[serde(default = "one")]
    pub whip_share: f64,
    /// Probability that the client leaves before the stream starts (an excused failure).
    #[serde(default)]
    pub client_abandon_rate: f64,
    /// Probability that no orchestrator is available (an excused failure).
    #[serde(default)]
    pub no_orchestrator_rate: f64,
    /// Client parameter updates per stream-minute.
    #[serde(default)]
    pub params_updates_per_minute: f64,
    /// Probability that a clean close is followed by a gateway `whip disconnected` error.
    #[serde(default)]
    pub disconnect_error_rate: f64,
    /// Whether the gateway reports a `discovery_results` at each stream start (besides the
    /// pool refresh every 6 minutes per model).
    #[serde(default = "yes")]
    pub discovery_per_stream: bool,
    /// Share of the streams that are the AI job tester's synthetic probes
    /// (`aiJobTesterStream-<ns>`): same path and behaviour, counted apart in the truth.
    #[serde(default)]
    pub probe_share: f64,
}

/// Batch AI demand (text-to-image, …).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BatchWorkload {
    /// Pipeline (`text-to-image`, …).
    pub pipeline: String,
    /// Model id.
    pub model: String,
    /// Requests per hour at the diurnal mean.
    pub requests_per_hour: f64,
    /// Price per unit the orchestrators charge.
    #[serde(default = "default_batch_price")]
    pub price_per_unit: f64,
}

/// BYOC demand: jobs for an orchestrator-defined capability, served by its workers (the fork's
/// `job_gateway`, `job_orchestrator`, `job_auth`, `job_payment` and `worker_lifecycle`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ByocWorkload {
    /// Capability name (`openai-chat-completions`, …).
    pub capability: String,
    /// Model the workers run (`worker_options[0].model`).
    pub model: String,
    /// Jobs per hour at the diurnal mean.
    pub requests_per_hour: f64,
    /// Wei per unit of compute (one unit per started second).
    #[serde(default = "default_byoc_price")]
    pub price_per_unit: f64,
    /// Job duration, ms.
    #[serde(default = "default_byoc_duration")]
    pub duration_ms: LogNormal,
    /// Workers per orchestrator.
    #[serde(default = "one_u32")]
    pub workers: u32,
}

fn default_byoc_price() -> f64 {
    2500.0
}

fn default_byoc_duration() -> LogNormal {
    LogNormal {
        median: Param::Fixed(1800.0),
        spread: Param::Fixed(0.4),
    }
}

/// LLM demand.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LlmWorkload {
    /// Model id.
    pub model: String,
    /// Requests per hour at the diurnal mean.
    pub requests_per_hour: f64,
    /// Share of streaming (SSE) requests.
    #[serde(default = "one")]
    pub streaming_share: f64,
    /// Requested maximum tokens.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// Price per unit the orchestrators charge.
    #[serde(default = "default_llm_price")]
    pub price_per_unit: f64,
}

/// Demand over the day: `rate × (1 + amplitude · cos(2π (hour − peak_hour) / 24))`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Diurnal {
    /// 0 (flat) to 1.
    #[serde(default)]
    pub amplitude: f64,
    /// Hour of the day (UTC) of the peak.
    #[serde(default)]
    pub peak_hour_utc: f64,
}

/// Events of a family naap stores only in bronze, emitted while live streams run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Family name (`pipelines_api_request`, `webrtc_stats`) or `client_trace` for
    /// client-side `stream_trace` events (`app_*` subtypes, `client_source: "scope"`).
    pub family: String,
    /// Mean seconds between two events of one stream.
    pub every_s: f64,
    /// Only WHIP streams emit it.
    #[serde(default)]
    pub whip_only: bool,
}

/// Delivery faults (reference §9.4).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Probability that an envelope is delivered twice (same bytes, a retry).
    #[serde(default)]
    pub duplicate_rate: f64,
    /// Probability that an envelope arrives late.
    #[serde(default)]
    pub late_rate: f64,
    /// Longest delay of a late envelope, minutes.
    #[serde(default)]
    pub late_max_minutes: f64,
    /// Probability that a sample (`stream_ingest_metrics`, noise families) is lost. Lifecycle
    /// events are never dropped, so the ground truth's session outcomes stay exact.
    #[serde(default)]
    pub drop_rate: f64,
    /// Malformed messages per hour, spread over the dead-letter reasons.
    #[serde(default)]
    pub malformed_per_hour: f64,
}

/// Test jobs for `naap scenario run`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestLoad {
    /// Probe region the runner reports.
    pub probe_region: String,
    /// Requests per job kind.
    pub requests: u32,
    /// Time limit of one request, ms.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Jobs: pipeline and model of each kind of request.
    pub jobs: Vec<TestJob>,
}

/// One kind of test request.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestJob {
    /// `text-to-image` or `llm`.
    pub pipeline: String,
    /// Model id.
    pub model: String,
    /// Prompt sent.
    #[serde(default = "default_prompt")]
    pub prompt: String,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}
fn one_u32() -> u32 {
    1
}
fn zero_param() -> Param {
    Param::Fixed(0.0)
}
fn one_param() -> Param {
    Param::Fixed(1.0)
}
fn default_regions() -> Vec<String> {
    vec!["unknown".into()]
}
fn default_versions() -> Vec<String> {
    vec!["0.8.10".into()]
}
fn default_runner_versions() -> Vec<String> {
    vec!["0.14.1".into()]
}
fn default_runner_errors() -> Vec<String> {
    vec!["Error processing input frame: CUDA ERROR: 901".into()]
}
fn default_job_latency() -> LogNormal {
    LogNormal {
        median: Param::Fixed(2_000.0),
        spread: Param::Fixed(0.3),
    }
}
fn default_tokens_per_second() -> Normal {
    Normal {
        mean: Param::Fixed(40.0),
        sd: Param::Fixed(5.0),
    }
}
fn default_batch_price() -> f64 {
    4_768_371.0
}
fn default_llm_price() -> f64 {
    18_000.0
}
fn default_max_tokens() -> u32 {
    512
}
fn default_timeout_ms() -> u64 {
    30_000
}
fn default_prompt() -> String {
    "a lighthouse at dusk, oil painting".into()
}

impl Scenario {
    /// Parse and validate a scenario file's text.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Start of the simulated period, ms since the epoch.
    pub fn start_ms(&self) -> Result<i64, ScenarioError> {
        parse_start(&self.start)
    }

    /// Every model the workload asks for.
    pub fn models(&self) -> Vec<&str> {
        let live = self.live.iter().map(|w| w.model.as_str());
        let batch = self.batch.iter().map(|w| w.model.as_str());
        let llm = self.llm.iter().map(|w| w.model.as_str());
        live.chain(batch).chain(llm).collect()
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let invalid = |field: &str, why: String| {
            Err(ScenarioError::Invalid {
                field: field.into(),
                why,
            })
        };
        if self.version != FORMAT_VERSION {
            return invalid(
                "version",
                format!("is {}; this naap reads version {FORMAT_VERSION}", self.version),
            );
        }
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return invalid("name", format!("{:?} must be non-empty [a-z0-9-]", self.name));
        }
        self.start_ms()?;
        if self.hours == 0 {
            return invalid("hours", "must be at least 1".into());
        }
        if self.gateways.is_empty() {
            return invalid("gateways", "at least one gateway is needed".into());
        }
        for (i, g) in self.gateways.iter().enumerate() {
            if !(g.weight > 0.0 && g.weight.is_finite()) {
                return invalid(&format!("gateways[{i}].weight"), format!("{} must be > 0", g.weight));
            }
        }
        if self.orchestrators.is_empty() {
            return invalid("orchestrators", "at least one orchestrator group is needed".into());
        }
        for (i, incident) in self.incidents.iter().enumerate() {
            let at = |field: &str| format!("incidents[{i}].{field}");
            let named = self.orchestrators.iter().any(|g| {
                incident
                    .orchestrator
                    .strip_prefix(&format!("{}-", g.name))
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| n < g.count)
            });
            if !named {
                return invalid(
                    &at("orchestrator"),
                    format!("{:?} is no orchestrator of the scenario", incident.orchestrator),
                );
            }
            if incident.from_minute >= incident.to_minute {
                return invalid(&at("to_minute"), "must be after from_minute".into());
            }
            if incident.startup_success.is_none() && incident.output_fps_factor.is_none() {
                return invalid(
                    &at("startup_success"),
                    "an incident changes startup_success or output_fps_factor".into(),
                );
            }
            if incident.startup_success.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
                return invalid(&at("startup_success"), "must lie in [0, 1]".into());
            }
            if incident.output_fps_factor.is_some_and(|f| !(0.0..=10.0).contains(&f)) {
                return invalid(&at("output_fps_factor"), "must lie in [0, 10]".into());
            }
        }
        let models = self.models();
        for (i, group) in self.orchestrators.iter().enumerate() {
            let at = |field: &str| format!("orchestrators[{i}].{field}");
            if group.count == 0 {
                return invalid(&at("count"), "must be at least 1".into());
            }
            if group.capacity == 0 {
                return invalid(&at("capacity"), "must be at least 1".into());
            }
            for (field, list) in [
                ("gpu_models", &group.gpu_models),
                ("regions", &group.regions),
                ("versions", &group.versions),
                ("runner_versions", &group.runner_versions),
            ] {
                if list.is_empty() {
                    return invalid(&at(field), "must name at least one value".into());
                }
            }
            if let Some(unknown) = group.models.iter().find(|m| !models.contains(&m.as_str())) {
                return invalid(&at("models"), format!("{unknown:?} is not a model of the workload"));
            }
            check_range(&at("price_wei_per_pixel"), group.price_wei_per_pixel, 0.0, 1e12)?;
            check_probability(&at("hot_wallet_share"), Param::Fixed(group.hot_wallet_share))?;
            let b = &group.behaviour;
            for (field, p) in [
                ("startup_success", b.startup_success),
                ("loading_only_rate", b.loading_only_rate),
                ("zero_fps_rate", b.zero_fps_rate),
                ("swap_rate", b.swap_rate),
                ("restart_rate", b.restart_rate),
                ("degraded_share", b.degraded_share),
                ("job_success", b.job_success),
            ] {
                check_probability(&at(&format!("behaviour.{field}")), p)?;
            }
            if b.loading_only_rate.bounds().1 + b.zero_fps_rate.bounds().1 > 1.0 {
                return invalid(
                    &at("behaviour"),
                    "loading_only_rate + zero_fps_rate must not exceed 1".into(),
                );
            }
            for (field, d) in [
                ("startup_latency_ms", b.startup_latency_ms),
                ("e2e_latency_ms", b.e2e_latency_ms),
                ("job_latency_ms", b.job_latency_ms),
            ] {
                check_range(&at(&format!("behaviour.{field}.median")), d.median, 1.0, 3.6e6)?;
                check_range(&at(&format!("behaviour.{field}.spread")), d.spread, 0.0, 3.0)?;
            }
            check_range(&at("behaviour.output_fps.mean"), b.output_fps.mean, 0.0, 240.0)?;
            check_range(&at("behaviour.output_fps.sd"), b.output_fps.sd, 0.0, 100.0)?;
            check_range(
                &at("behaviour.runner_errors_per_minute"),
                b.runner_errors_per_minute,
                0.0,
                60.0,
            )?;
            check_range(
                &at("behaviour.tokens_per_second.mean"),
                b.tokens_per_second.mean,
                0.1,
                10_000.0,
            )?;
            check_range(
                &at("behaviour.tokens_per_second.sd"),
                b.tokens_per_second.sd,
                0.0,
                10_000.0,
            )?;
        }
        for model in &models {
            let served = self
                .orchestrators
                .iter()
                .any(|g| g.models.is_empty() || g.models.iter().any(|m| m == model));
            if !served {
                return invalid("orchestrators", format!("no orchestrator group serves model {model:?}"));
            }
        }
        for (i, w) in self.byoc.iter().enumerate() {
            let at = |field: &str| format!("byoc[{i}].{field}");
            if w.capability.trim().is_empty() {
                return invalid(&at("capability"), "is empty".into());
            }
            check_range(&at("requests_per_hour"), Param::Fixed(w.requests_per_hour), 0.0, 1e6)?;
            check_range(&at("price_per_unit"), Param::Fixed(w.price_per_unit), 0.0, 1e15)?;
            check_range(&at("duration_ms.median"), w.duration_ms.median, 1.0, 3_600_000.0)?;
            check_range(&at("duration_ms.spread"), w.duration_ms.spread, 0.0, 3.0)?;
            check_range(&at("workers"), Param::Fixed(f64::from(w.workers)), 1.0, 64.0)?;
        }
        for (i, w) in self.live.iter().enumerate() {
            let at = |field: &str| format!("live[{i}].{field}");
            check_range(&at("streams_per_hour"), Param::Fixed(w.streams_per_hour), 0.0, 1e6)?;
            check_range(&at("duration_s.median"), w.duration_s.median, 1.0, 86_400.0)?;
            check_range(&at("duration_s.spread"), w.duration_s.spread, 0.0, 3.0)?;
            for (field, p) in [
                ("whip_share", w.whip_share),
                ("client_abandon_rate", w.client_abandon_rate),
                ("no_orchestrator_rate", w.no_orchestrator_rate),
                ("disconnect_error_rate", w.disconnect_error_rate),
                ("probe_share", w.probe_share),
            ] {
                check_probability(&at(field), Param::Fixed(p))?;
            }
            check_range(
                &at("params_updates_per_minute"),
                Param::Fixed(w.params_updates_per_minute),
                0.0,
                600.0,
            )?;
        }
        for (i, w) in self.batch.iter().enumerate() {
            check_range(
                &format!("batch[{i}].requests_per_hour"),
                Param::Fixed(w.requests_per_hour),
                0.0,
                1e7,
            )?;
        }
        for (i, w) in self.llm.iter().enumerate() {
            check_range(
                &format!("llm[{i}].requests_per_hour"),
                Param::Fixed(w.requests_per_hour),
                0.0,
                1e7,
            )?;
            check_probability(&format!("llm[{i}].streaming_share"), Param::Fixed(w.streaming_share))?;
        }
        check_range("diurnal.amplitude", Param::Fixed(self.diurnal.amplitude), 0.0, 1.0)?;
        check_range(
            "diurnal.peak_hour_utc",
            Param::Fixed(self.diurnal.peak_hour_utc),
            0.0,
            24.0,
        )?;
        for (i, n) in self.noise.iter().enumerate() {
            if n.family.is_empty() {
                return invalid(&format!("noise[{i}].family"), "must not be empty".into());
            }
            check_range(&format!("noise[{i}].every_s"), Param::Fixed(n.every_s), 0.1, 86_400.0)?;
        }
        let f = &self.faults;
        for (field, p) in [
            ("faults.duplicate_rate", f.duplicate_rate),
            ("faults.late_rate", f.late_rate),
            ("faults.drop_rate", f.drop_rate),
        ] {
            check_probability(field, Param::Fixed(p))?;
        }
        check_range(
            "faults.late_max_minutes",
            Param::Fixed(f.late_max_minutes),
            0.0,
            1_440.0,
        )?;
        if f.late_rate > 0.0 && f.late_max_minutes <= 0.0 {
            return invalid("faults.late_max_minutes", "must be > 0 when late_rate is set".into());
        }
        check_range(
            "faults.malformed_per_hour",
            Param::Fixed(f.malformed_per_hour),
            0.0,
            1e6,
        )?;
        if let Some(t) = &self.test_load {
            if t.jobs.is_empty() {
                return invalid("test_load.jobs", "at least one job is needed".into());
            }
            if let Some(j) = t
                .jobs
                .iter()
                .find(|j| j.pipeline != "text-to-image" && j.pipeline != "llm")
            {
                return invalid(
                    "test_load.jobs",
                    format!("pipeline {:?}: the runner speaks text-to-image and llm", j.pipeline),
                );
            }
        }
        Ok(())
    }
}

fn check_probability(field: &str, p: Param) -> Result<(), ScenarioError> {
    check_range(field, p, 0.0, 1.0)
}

fn check_range(field: &str, p: Param, min: f64, max: f64) -> Result<(), ScenarioError> {
    let (low, high) = p.bounds();
    if !(low.is_finite() && high.is_finite() && low >= min && high <= max && low <= high) {
        return Err(ScenarioError::Invalid {
            field: field.into(),
            why: format!("{p:?} must lie in [{min}, {max}] (a range as [low, high])"),
        });
    }
    Ok(())
}

/// Parse an RFC 3339 UTC instant (`2026-03-24T00:00:00Z`) to epoch ms.
pub fn parse_start(text: &str) -> Result<i64, ScenarioError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| ScenarioError::Invalid {
            field: "start".into(),
            why: format!("{text:?} is not an RFC 3339 time ({e})"),
        })
}
