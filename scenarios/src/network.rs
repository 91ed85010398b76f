//! A scenario's network, materialised: every orchestrator with its identity, hardware, price
//! and the behaviour values drawn for it. This is the "true" side of the ground truth.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::random::{address, checksum_like, draw, pick, uuid};
use crate::spec::{Behaviour, Scenario};

/// One simulated orchestrator.
#[derive(Debug, Clone, Serialize)]
pub struct SimOrchestrator {
    /// `{group}-{i}`.
    pub name: String,
    /// On-chain address (ticket recipient), lowercase.
    pub address: String,
    /// Node signing key ("hot wallet"), lowercase; equals `address` unless the operator uses one.
    pub signing_key: String,
    /// Service URI.
    pub url: String,
    /// Whether other orchestrators answer behind the same service URI.
    pub url_shared: bool,
    /// Region.
    pub region: String,
    /// GPU model.
    pub gpu_model: String,
    /// VRAM per GPU, bytes.
    pub vram_bytes: u64,
    /// GPU UUIDs (stable for the whole run).
    pub gpu_ids: Vec<String>,
    /// go-livepeer version.
    pub version: String,
    /// ai-runner version.
    pub runner_version: String,
    /// Live price, wei per pixel.
    pub price_wei_per_pixel: u64,
    /// Concurrent live streams; also its selection weight.
    pub capacity: u32,
    /// Model ids it serves.
    pub models: Vec<String>,
    /// The behaviour values drawn for it.
    pub behaviour: TrueBehaviour,
}

/// An orchestrator's true behaviour: what the metrics should recover.
#[derive(Debug, Clone, Serialize)]
pub struct TrueBehaviour {
    /// Probability that a live stream becomes playable.
    pub startup_success: f64,
    /// Probability that a started stream never leaves LOADING.
    pub loading_only_rate: f64,
    /// Probability that a started stream outputs no frames.
    pub zero_fps_rate: f64,
    /// Probability of a good session among those not excused: startup success × (1 −
    /// loading-only − zero-FPS). The quality naap's score estimates.
    pub good_session_probability: f64,
    /// Probability of a swap away before start.
    pub swap_rate: f64,
    /// Probability of a runner restart during a stream.
    pub restart_rate: f64,
    /// Share of DEGRADED_INPUT status samples.
    pub degraded_share: f64,
    /// Runner errors per stream-minute.
    pub runner_errors_per_minute: f64,
    /// Median startup latency (request → first processed segment), ms.
    pub startup_latency_median_ms: f64,
    /// Log-spread of the startup latency.
    pub startup_latency_spread: f64,
    /// Median E2E latency, ms.
    pub e2e_latency_median_ms: f64,
    /// Log-spread of the E2E latency.
    pub e2e_latency_spread: f64,
    /// Mean output FPS.
    pub output_fps_mean: f64,
    /// Standard deviation of output FPS.
    pub output_fps_sd: f64,
    /// Probability that a batch or LLM job succeeds.
    pub job_success: f64,
    /// Median batch job duration, ms.
    pub job_latency_median_ms: f64,
    /// Log-spread of the batch job duration.
    pub job_latency_spread: f64,
    /// Mean LLM tokens per second.
    pub tokens_per_second_mean: f64,
    /// Standard deviation of LLM tokens per second.
    pub tokens_per_second_sd: f64,
    /// Runner error messages.
    pub runner_errors: Vec<String>,
}

impl TrueBehaviour {
    fn draw(rng: &mut ChaCha8Rng, b: &Behaviour) -> TrueBehaviour {
        let startup_success = draw(rng, b.startup_success);
        let loading_only_rate = draw(rng, b.loading_only_rate);
        let zero_fps_rate = draw(rng, b.zero_fps_rate);
        TrueBehaviour {
            startup_success,
            loading_only_rate,
            zero_fps_rate,
            good_session_probability: startup_success * (1.0 - loading_only_rate - zero_fps_rate),
            swap_rate: draw(rng, b.swap_rate),
            restart_rate: draw(rng, b.restart_rate),
            degraded_share: draw(rng, b.degraded_share),
            runner_errors_per_minute: draw(rng, b.runner_errors_per_minute),
            startup_latency_median_ms: draw(rng, b.startup_latency_ms.median),
            startup_latency_spread: draw(rng, b.startup_latency_ms.spread),
            e2e_latency_median_ms: draw(rng, b.e2e_latency_ms.median),
            e2e_latency_spread: draw(rng, b.e2e_latency_ms.spread),
            output_fps_mean: draw(rng, b.output_fps.mean),
            output_fps_sd: draw(rng, b.output_fps.sd),
            job_success: draw(rng, b.job_success),
            job_latency_median_ms: draw(rng, b.job_latency_ms.median),
            job_latency_spread: draw(rng, b.job_latency_ms.spread),
            tokens_per_second_mean: draw(rng, b.tokens_per_second.mean),
            tokens_per_second_sd: draw(rng, b.tokens_per_second.sd),
            runner_errors: b.runner_errors.clone(),
        }
    }
}

/// VRAM of the GPU models seen on the network (capability captures), bytes.
fn vram_bytes(model: &str) -> u64 {
    const GIB: u64 = 1 << 30;
    let gib = match model {
        m if m.contains("5090") => 32,
        m if m.contains("4090") || m.contains("3090") => 24,
        m if m.contains("4070") || m.contains("A4000") => 16,
        m if m.contains("6000 Ada") => 48,
        m if m.contains("A100") => 40,
        m if m.contains("H100") => 80,
        m if m.contains("P4") => 8,
        _ => 24,
    };
    gib * GIB - 400 * (1 << 20)
}

/// Materialise the orchestrators of a scenario (their own random stream: changing the workload
/// does not change who the orchestrators are).
pub fn orchestrators(scenario: &Scenario, seed: u64) -> Vec<SimOrchestrator> {
    use rand::SeedableRng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_7477_6f72_6b00);
    let all_models: Vec<String> = scenario.models().into_iter().map(String::from).collect();
    let mut out = Vec::new();
    for group in &scenario.orchestrators {
        let mut shared_key: Option<String> = None;
        for i in 0..group.count {
            let on_chain = address(&mut rng);
            let hot = rng.random_bool(group.hot_wallet_share);
            let signing_key = match &shared_key {
                // The group's one hot wallet signs for all of them.
                Some(key) => key.clone(),
                None if hot || group.shared_hot_wallet => address(&mut rng),
                None => on_chain.clone(),
            };
            if group.shared_hot_wallet {
                shared_key = Some(signing_key.clone());
            }
            let gpu_model = pick(&mut rng, &group.gpu_models).clone();
            let gpu_ids = (0..group.gpus).map(|_| format!("GPU-{}", uuid(&mut rng))).collect();
            let name = format!("{}-{i}", group.name);
            out.push(SimOrchestrator {
                url: match group.shared_url {
                    true => format!("https://{}.{}.sim.livepeer.example:8935", group.name, scenario.name),
                    false => format!("https://{name}.{}.sim.livepeer.example:8935", scenario.name),
                },
                url_shared: group.shared_url && group.count > 1,
                name,
                address: on_chain,
                signing_key,
                region: pick(&mut rng, &group.regions).clone(),
                vram_bytes: vram_bytes(&gpu_model),
                gpu_model,
                gpu_ids,
                version: pick(&mut rng, &group.versions).clone(),
                runner_version: pick(&mut rng, &group.runner_versions).clone(),
                price_wei_per_pixel: draw(&mut rng, group.price_wei_per_pixel).round() as u64,
                capacity: group.capacity,
                models: if group.models.is_empty() {
                    all_models.clone()
                } else {
                    group.models.clone()
                },
                behaviour: TrueBehaviour::draw(&mut rng, &group.behaviour),
            });
        }
    }
    out
}

impl SimOrchestrator {
    /// The on-chain address as capabilities carry it (mixed case).
    pub fn checksummed_address(&self) -> String {
        checksum_like(&self.address)
    }

    /// Whether it serves a model.
    pub fn serves(&self, model: &str) -> bool {
        self.models.iter().any(|m| m == model)
    }
}
