//! The simulator: a scenario and a seed in, go-livepeer envelopes (one JSON text per line, in
//! delivery order) and the ground truth out.
//!
//! Time is simulated hour by hour: the arrivals of an hour are generated with all their
//! events (a session's events are drawn at once), held in a buffer ordered by delivery time,
//! and everything due before the next hour is written. A later hour's arrivals only produce
//! events at or after its start, so the output is in delivery order with bounded memory.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::envelope::envelope_json;
use crate::error::ScenarioError;
use crate::network::{SimOrchestrator, orchestrators};
use crate::random::{
    draw, exponential_ms, hex_digits, log_normal, normal, pick, request_id, rfc3339_ms, short_id, uuid,
};
use crate::spec::{BatchWorkload, ByocWorkload, LiveWorkload, LlmWorkload, Scenario};
use crate::truth::{GroundTruth, IncidentTruth, JobCounts, LiveTruth, SessionCounts, SessionOutcome};

const HOUR_MS: i64 = 3_600_000;
/// Live billing: 1280 × 720 × 30 pixels per second, whatever the real resolution (§6.1).
const LIVE_PIXELS_PER_SECOND: f64 = 27_648_000.0;
/// Expected value of one live ticket, wei (the capture's face value × win probability).
const TICKET_EV_WEI: f64 = 2.4e12;
const WIN_PROB: f64 = 0.000_999_001;
const GATEWAY_SENDER: &str = "0x5aE4E42dB3671370a0c25AfF451E7482aAEc3D0B";
/// Messages naap must accept but keeps in bronze only: the reference lets the simulator
/// drop them (a lost sample never changes a session's outcome).
const DROPPABLE: [&str; 4] = [
    "stream_ingest_metrics",
    "pipelines_api_request",
    "webrtc_stats",
    "discovery_results",
];

/// Overrides of the scenario's defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulateOptions {
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Start, ms since the epoch (default: the scenario's).
    pub start_ms: Option<i64>,
    /// Hours (default: the scenario's).
    pub hours: Option<u32>,
}

/// Run a scenario, handing each delivered line (without newline) with its delivery time
/// (ms since the epoch) to `sink`, in delivery order. Returns the ground truth.
pub fn simulate<E>(
    scenario: &Scenario,
    options: SimulateOptions,
    mut sink: impl FnMut(i64, &str) -> Result<(), E>,
) -> Result<GroundTruth, SimulationError<E>> {
    let seed = options.seed.unwrap_or(scenario.seed);
    let start_ms = match options.start_ms {
        Some(start) => start,
        None => scenario.start_ms().map_err(SimulationError::Scenario)?,
    };
    let hours = options.hours.unwrap_or(scenario.hours);
    let mut sim = Simulator::new(scenario, seed, start_ms, hours);
    for hour in 0..i64::from(hours) {
        let hour_start = start_ms + hour * HOUR_MS;
        sim.simulate_hour(hour_start);
        // Everything due before the next hour is final: later arrivals emit nothing earlier.
        let later = sim.pending.split_off(&(hour_start + HOUR_MS, 0));
        let due = std::mem::replace(&mut sim.pending, later);
        for ((at, _), line) in &due {
            sink(*at, line).map_err(SimulationError::Sink)?;
        }
    }
    for ((at, _), line) in &std::mem::take(&mut sim.pending) {
        sink(*at, line).map_err(SimulationError::Sink)?;
    }
    let mut truth = sim.truth;
    truth.payments.face_value_wei = truth.payments.face_value_sum.to_string();
    let signed = &mut truth.signed_tickets;
    signed.fee_wei = signed.fee_sums.values().sum::<u128>().to_string();
    signed.fee_wei_by_orchestrator = signed
        .fee_sums
        .iter()
        .map(|(a, f)| (a.clone(), f.to_string()))
        .collect();
    Ok(truth)
}

/// Run a scenario into memory.
pub fn simulate_to_vec(
    scenario: &Scenario,
    options: SimulateOptions,
) -> Result<(Vec<String>, GroundTruth), ScenarioError> {
    let mut lines = Vec::new();
    let truth = simulate(scenario, options, |_, line| {
        lines.push(line.to_string());
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        SimulationError::Scenario(e) => e,
        SimulationError::Sink(never) => match never {},
    })?;
    Ok((lines, truth))
}

/// A simulation failed: a bad scenario, or the sink refused a line.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError<E> {
    /// The scenario is invalid.
    #[error(transparent)]
    Scenario(ScenarioError),
    /// The sink failed.
    #[error("writing the events: {0}")]
    Sink(E),
}

struct Simulator<'a> {
    scenario: &'a Scenario,
    network: Vec<SimOrchestrator>,
    /// Traffic: arrivals and what each session, job and report contains.
    rng: ChaCha8Rng,
    /// Delivery faults draw from their own stream, so the traffic of a scenario with faults
    /// is the traffic of the same scenario without them.
    fault_rng: ChaCha8Rng,
    end_ms: i64,
    /// Lines by (delivery time, sequence).
    pending: BTreeMap<(i64, u64), String>,
    sequence: u64,
    truth: GroundTruth,
    /// Whether the stream being generated is a synthetic probe (its truth is kept apart).
    probe_stream: bool,
    /// Whether the stream being generated goes through an off-chain gateway (no payments).
    offchain_stream: bool,
    /// Whether a trace of the stream being generated named its orchestrator.
    stream_named: bool,
    /// Whether the stream being generated was swapped (its first payment paid another).
    stream_swapped: bool,
    /// When the stream being generated was requested, ms.
    stream_start: i64,
    /// Remote-signer state per live request: calls so far, the last call's time, the fees.
    signer_sessions: BTreeMap<String, SignerSession>,
    /// BYOC workers that announced themselves (`worker_registered`), by URL.
    byoc_workers: std::collections::BTreeSet<String>,
}

/// What a remote signer remembers of one live stream's payments.
struct SignerSession {
    sequence: u64,
    previous_ms: i64,
    balance_wei: u128,
    pm_session_id: String,
}

/// `orchestrator_info` of events that name no orchestrator (both fields empty, §4.1).
fn no_info() -> Value {
    json!({"address": "", "url": ""})
}

/// The state of a started stream's output.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    Healthy,
    LoadingOnly,
    ZeroFps,
}

impl<'a> Simulator<'a> {
    fn new(scenario: &'a Scenario, seed: u64, start_ms: i64, hours: u32) -> Self {
        let network = orchestrators(scenario, seed);
        let truth = GroundTruth {
            scenario: scenario.name.clone(),
            seed,
            start_ms,
            end_ms: start_ms + i64::from(hours) * HOUR_MS,
            gateways: scenario
                .gateways
                .iter()
                .map(|g| (g.name.clone(), g.region.clone()))
                .collect(),
            orchestrators: network.clone(),
            incidents: scenario
                .incidents
                .iter()
                .filter_map(|i| {
                    let o = network.iter().find(|o| o.name == i.orchestrator)?;
                    Some(IncidentTruth {
                        orchestrator: o.address.clone(),
                        from_ms: start_ms + i64::from(i.from_minute) * 60_000,
                        to_ms: start_ms + i64::from(i.to_minute) * 60_000,
                        startup_success: i.startup_success,
                        output_fps_factor: i.output_fps_factor,
                    })
                })
                .collect(),
            ..GroundTruth::default()
        };
        Simulator {
            scenario,
            network,
            // The start is part of the traffic's seed: two periods of one network (a demo
            // today and one tomorrow) never share stream or envelope ids.
            rng: ChaCha8Rng::seed_from_u64(seed ^ start_ms as u64),
            fault_rng: ChaCha8Rng::seed_from_u64(seed ^ start_ms as u64 ^ 0x6661_756c_7473),
            end_ms: start_ms + i64::from(hours) * HOUR_MS,
            pending: BTreeMap::new(),
            sequence: 0,
            truth,
            probe_stream: false,
            offchain_stream: false,
            stream_named: false,
            stream_swapped: false,
            stream_start: 0,
            signer_sessions: BTreeMap::new(),
            byoc_workers: std::collections::BTreeSet::new(),
        }
    }

    fn simulate_hour(&mut self, hour_start: i64) {
        let hour_end = hour_start + HOUR_MS;
        self.periodic_reports(hour_start, hour_end);
        // Arrivals of every workload, then generated in time order.
        enum Arrival {
            Live(usize),
            Batch(usize),
            Llm(usize),
            Byoc(usize),
        }
        let mut arrivals: Vec<(i64, Arrival)> = Vec::new();
        // No arrival in the last minute: a stream needs a few seconds to start.
        let last = hour_end.min(self.end_ms - 60_000);
        for (i, w) in self.scenario.live.iter().enumerate() {
            for t in self.arrival_times(w.streams_per_hour, hour_start, last) {
                arrivals.push((t, Arrival::Live(i)));
            }
        }
        for (i, w) in self.scenario.batch.iter().enumerate() {
            for t in self.arrival_times(w.requests_per_hour, hour_start, last) {
                arrivals.push((t, Arrival::Batch(i)));
            }
        }
        for (i, w) in self.scenario.llm.iter().enumerate() {
            for t in self.arrival_times(w.requests_per_hour, hour_start, last) {
                arrivals.push((t, Arrival::Llm(i)));
            }
        }
        for (i, w) in self.scenario.byoc.iter().enumerate() {
            for t in self.arrival_times(w.requests_per_hour, hour_start, last) {
                arrivals.push((t, Arrival::Byoc(i)));
            }
        }
        arrivals.sort_by_key(|(t, _)| *t);
        let scenario = self.scenario;
        for (t, arrival) in arrivals {
            match arrival {
                Arrival::Live(i) => self.live_stream(t, &scenario.live[i]),
                Arrival::Batch(i) => self.batch_job(t, &scenario.batch[i]),
                Arrival::Llm(i) => self.llm_job(t, &scenario.llm[i]),
                Arrival::Byoc(i) => self.byoc_job(t, &scenario.byoc[i]),
            }
        }
        self.malformed(hour_start, hour_end);
    }

    /// Poisson arrivals of `per_hour` (at the diurnal mean) in `[from, to)`, by thinning.
    fn arrival_times(&mut self, per_hour: f64, from: i64, to: i64) -> Vec<i64> {
        let amplitude = self.scenario.diurnal.amplitude;
        let max_rate = per_hour * (1.0 + amplitude) / HOUR_MS as f64;
        let mut out = Vec::new();
        if max_rate <= 0.0 || from >= to {
            return out;
        }
        let mut t = from as f64;
        loop {
            t += exponential_ms(&mut self.rng, max_rate);
            if t >= to as f64 {
                return out;
            }
            let accept = self.diurnal_factor(t as i64) / (1.0 + amplitude);
            if self.rng.random::<f64>() < accept {
                out.push(t as i64);
            }
        }
    }

    fn diurnal_factor(&self, t: i64) -> f64 {
        let d = &self.scenario.diurnal;
        let hour_of_day = (t.rem_euclid(24 * HOUR_MS)) as f64 / HOUR_MS as f64;
        1.0 + d.amplitude * (std::f64::consts::TAU * (hour_of_day - d.peak_hour_utc) / 24.0).cos()
    }

    /// Capabilities every 25 minutes and discovery every 6 minutes per live model, per gateway.
    fn periodic_reports(&mut self, hour_start: i64, hour_end: i64) {
        let start = self.truth.start_ms;
        for g in 0..self.scenario.gateways.len() {
            // Gateways are not in lockstep: each is offset by a few seconds.
            let offset = g as i64 * 7_000;
            let mut t = start + offset;
            while t < hour_end {
                if t >= hour_start {
                    self.capabilities(g, t);
                }
                t += 25 * 60_000;
            }
            for m in 0..self.scenario.live.len() {
                let mut t = start + offset + 30_000 + m as i64 * 1_000;
                while t < hour_end {
                    if t >= hour_start {
                        let model = self.scenario.live[m].model.clone();
                        let candidates: Vec<usize> = (0..self.network.len())
                            .filter(|&i| self.network[i].serves(&model))
                            .collect();
                        self.discovery(g, t, &candidates);
                    }
                    t += 6 * 60_000;
                }
            }
        }
    }

    fn gateway_name(&self, g: usize) -> String {
        self.scenario.gateways[g].name.clone()
    }

    fn pick_gateway(&mut self) -> usize {
        let total: f64 = self.scenario.gateways.iter().map(|g| g.weight).sum();
        let mut x = self.rng.random::<f64>() * total;
        for (i, g) in self.scenario.gateways.iter().enumerate() {
            if x < g.weight {
                return i;
            }
            x -= g.weight;
        }
        self.scenario.gateways.len() - 1
    }

    /// An orchestrator serving `model`, weighted by capacity, other than `except`.
    fn pick_orchestrator(&mut self, model: &str, except: Option<usize>) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.network.len())
            .filter(|&i| Some(i) != except && self.network[i].serves(model))
            .collect();
        let total: u32 = candidates.iter().map(|&i| self.network[i].capacity).sum();
        if total == 0 {
            return None;
        }
        let mut x = self.rng.random_range(0..total);
        for &i in &candidates {
            let c = self.network[i].capacity;
            if x < c {
                return Some(i);
            }
            x -= c;
        }
        None
    }

    // ---------------------------------------------------------------- emission and faults

    fn emit(&mut self, family: &str, ts: i64, gateway: &str, data: Value) {
        let id = uuid(&mut self.rng);
        let line = envelope_json(&id, family, ts, gateway, &data);
        if self.scenario.faults.drop_rate > 0.0
            && DROPPABLE.contains(&family)
            && self.fault_rng.random_bool(self.scenario.faults.drop_rate)
        {
            *self.truth.delivery.dropped.entry(family.to_string()).or_default() += 1;
            return;
        }
        *self.truth.delivery.by_family.entry(family.to_string()).or_default() += 1;
        self.truth.delivery.envelopes += 1;
        let faults = &self.scenario.faults;
        let mut delivered_at = ts;
        if faults.late_rate > 0.0 && self.fault_rng.random_bool(faults.late_rate) {
            let max = (faults.late_max_minutes * 60_000.0) as i64;
            delivered_at += self.fault_rng.random_range(1..=max.max(1));
            self.truth.delivery.late += 1;
        }
        if faults.duplicate_rate > 0.0 && self.fault_rng.random_bool(faults.duplicate_rate) {
            // A producer retry: the same bytes again, a moment later.
            let retry_at = delivered_at + self.fault_rng.random_range(0..5_000);
            self.deliver(retry_at, line.clone());
            self.truth.delivery.duplicates += 1;
        }
        self.deliver(delivered_at, line);
    }

    fn deliver(&mut self, at: i64, line: String) {
        self.sequence += 1;
        self.pending.insert((at, self.sequence), line);
        self.truth.delivery.lines += 1;
    }

    /// Messages naap must dead-letter, one per reason in turn.
    fn malformed(&mut self, hour_start: i64, hour_end: i64) {
        let per_hour = self.scenario.faults.malformed_per_hour;
        if per_hour <= 0.0 {
            return;
        }
        let mut count = per_hour.floor() as u64;
        if self.fault_rng.random::<f64>() < per_hour.fract() {
            count += 1;
        }
        for _ in 0..count {
            let at = self.fault_rng.random_range(hour_start..hour_end);
            let id = uuid(&mut self.fault_rng);
            let (reason, line) = match self.fault_rng.random_range(0..5) {
                0 => (
                    "not_json",
                    format!(r#"{{"id":"{id}","type":"stream_trace","timestamp":"{at}","da"#),
                ),
                1 => ("invalid_envelope", format!(r#"["{id}","stream_trace",{at}]"#)),
                2 => (
                    "missing_field",
                    format!(r#"{{"type":"ai_stream_status","timestamp":"{at}","gateway":"","data":{{}}}}"#),
                ),
                3 => (
                    "bad_timestamp",
                    format!(
                        r#"{{"id":"{id}","type":"stream_trace","timestamp":"yesterday","gateway":"","data":{{}}}}"#
                    ),
                ),
                _ => (
                    "invalid_payload",
                    format!(
                        r#"{{"id":"{id}","type":"discovery_results","timestamp":"{at}","gateway":"","data":{{"address":"0x0"}}}}"#
                    ),
                ),
            };
            *self.truth.delivery.malformed.entry(reason.to_string()).or_default() += 1;
            self.deliver(at, line);
        }
    }

    // ---------------------------------------------------------------- periodic reports

    fn capabilities(&mut self, g: usize, t: i64) {
        let scenario = self.scenario;
        let data: Vec<Value> = self
            .network
            .iter()
            .map(|o| {
                let mut per_capability = serde_json::Map::new();
                let mut prices = Vec::new();
                let mut hardware = Vec::new();
                for model in &o.models {
                    let (capability, pipeline, price) = if let Some(w) = scenario.batch.iter().find(|w| &w.model == model) {
                        (capability_id(&w.pipeline), w.pipeline.clone(), w.price_per_unit as u64)
                    } else if let Some(w) = scenario.llm.iter().find(|w| &w.model == model) {
                        (33, "llm".to_string(), w.price_per_unit as u64)
                    } else {
                        (35, "live-video-to-video".to_string(), o.price_wei_per_pixel)
                    };
                    let entry = per_capability
                        .entry(capability.to_string())
                        .or_insert_with(|| json!({"models": {}}));
                    entry["models"][model] = json!({"warm": true, "capacity": o.capacity, "runnerVersion": o.runner_version});
                    prices.push(json!({"pricePerUnit": price, "pixelsPerUnit": 1, "capability": capability, "constraint": model}));
                    let gpus: serde_json::Map<String, Value> = o
                        .gpu_ids
                        .iter()
                        .enumerate()
                        .map(|(i, id)| {
                            (i.to_string(), json!({"id": id, "name": o.gpu_model, "major": 8, "minor": 9,
                                "memory_free": o.vram_bytes / 5 * 4, "memory_total": o.vram_bytes}))
                        })
                        .collect();
                    hardware.push(json!({"pipeline": pipeline, "model_id": model, "gpu_info": gpus}));
                }
                let capacities: serde_json::Map<String, Value> =
                    per_capability.keys().map(|c| (c.clone(), json!(o.capacity))).collect();
                json!({
                    "address": o.checksummed_address(),
                    "local_address": crate::random::checksum_like(&o.signing_key),
                    "orch_uri": o.url,
                    "capabilities": {
                        "bitstring": [34426871807u64],
                        "capacities": capacities,
                        "version": o.version,
                        "constraints": {"PerCapability": per_capability}
                    },
                    "price_info": {"pricePerUnit": o.price_wei_per_pixel, "pixelsPerUnit": 1},
                    "capabilities_prices": prices,
                    "hardware": hardware
                })
            })
            .collect();
        let gateway = self.gateway_name(g);
        self.emit("network_capabilities", t, &gateway, Value::Array(data));
    }

    fn discovery(&mut self, g: usize, t: i64, candidates: &[usize]) {
        let region = self.scenario.gateways[g].region.clone();
        let mut entries = Vec::new();
        for &i in candidates {
            // Close orchestrators answer fast: what naap infers regions from.
            let base = if self.network[i].region == region { 60.0 } else { 320.0 };
            let latency = (base * (0.3 * crate::random::standard_normal(&mut self.rng)).exp()).round() as i64;
            let o = &self.network[i];
            entries.push(json!({"address": o.signing_key, "latency_ms": latency.to_string(), "url": o.url}));
        }
        let gateway = self.gateway_name(g);
        self.emit("discovery_results", t, &gateway, Value::Array(entries));
    }

    // ---------------------------------------------------------------- live video

    fn live_stream(&mut self, t0: i64, w: &LiveWorkload) {
        let g = self.pick_gateway();
        let gateway = self.gateway_name(g);
        self.offchain_stream = self.scenario.gateways[g].offchain;
        self.stream_named = false;
        self.stream_swapped = false;
        self.stream_start = t0;
        // No draw without probes: scenarios without them keep their traffic exactly.
        self.probe_stream = w.probe_share > 0.0 && self.rng.random_bool(w.probe_share.min(1.0));
        let stream_id = if self.probe_stream {
            // The AI job tester's form: a 19-digit nanosecond timestamp.
            format!(
                "aiJobTesterStream-{}",
                t0 * 1_000_000 + self.rng.random_range(0..1_000_000)
            )
        } else {
            format!("stream-{}-{}", short_id(&mut self.rng, 6), short_id(&mut self.rng, 8))
        };
        let request_id = request_id(&mut self.rng);
        let whip = self.rng.random_bool(w.whip_share);
        let model = w.model.as_str();
        let ids = StreamIds {
            stream_id: &stream_id,
            request_id: &request_id,
            model,
            gateway: &gateway,
        };
        self.live_truth().total.requested += 1;
        self.trace(&ids, "gateway_receive_stream_request", t0, no_info());

        let chosen = if self.rng.random_bool(w.no_orchestrator_rate) {
            None
        } else {
            self.pick_orchestrator(model, None)
        };
        let Some(first) = chosen else {
            self.trace(&ids, "gateway_no_orchestrators_available", t0 + 180, no_info());
            self.gateway_error(&ids, t0 + 190, "no orchestrators available");
            self.trace(&ids, "gateway_ingest_stream_closed", t0 + 400, no_info());
            self.live_truth().total.excused += 1;
            self.live_truth().no_orchestrator += 1;
            return;
        };
        let candidates: Vec<usize> = std::iter::once(first)
            .chain(
                (0..self.network.len())
                    .filter(|&i| i != first && self.network[i].serves(model))
                    .take(2),
            )
            .collect();
        if w.discovery_per_stream {
            self.discovery(g, t0 + 260, &candidates);
        }
        self.live_payment(&ids, first, t0 + 262, 2, true);

        if self.rng.random_bool(w.client_abandon_rate) {
            let at = t0 + self.rng.random_range(800..3_000);
            self.gateway_error(&ids, at, "whip disconnected");
            self.trace(&ids, "gateway_ingest_stream_closed", at + 50, no_info());
            self.count(first, |c| {
                c.requested += 1;
                c.excused += 1;
            });
            self.live_truth().total.excused += 1;
            self.live_truth().client_abandoned += 1;
            return;
        }

        let mut serving = first;
        let mut t_start = t0;
        let mut swapped = false;
        if self.rng.random_bool(self.network[first].behaviour.swap_rate)
            && let Some(next) = self.pick_orchestrator(model, Some(first))
        {
            let at = t0 + self.rng.random_range(2_000..6_000);
            let data = json!({"message": "trickle subscribe error, swapping", "orchestrator_info": self.info(first),
                              "pipeline": model, "pipeline_id": "", "request_id": request_id,
                              "stream_id": stream_id, "type": "orchestrator_swap"});
            self.emit("stream_trace", at, &gateway, data);
            // Only the first payment of a stream carries its request id.
            self.live_payment(&ids, next, at + 5, 2, false);
            serving = next;
            t_start = at;
            swapped = true;
            self.stream_swapped = true;
            self.live_truth().total.swapped += 1;
        }

        let behaviour = self.network[serving].behaviour.clone();
        if !self.rng.random_bool(self.startup_success(serving, t_start)) {
            // Either the first segment went out and nothing came back, or (without a swap,
            // whose trace already names an orchestrator) the stream died before it.
            let at = t_start + self.rng.random_range(1_500..3_000);
            if swapped || self.rng.random_bool(0.5) {
                let info = self.info(serving);
                self.trace(&ids, "gateway_send_first_ingest_segment", at, info);
            }
            self.gateway_error(&ids, at + 2_500, "trickle subscribe error: context deadline exceeded");
            self.trace(&ids, "gateway_ingest_stream_closed", at + 3_000, no_info());
            self.count(serving, |c| {
                c.requested += 1;
                c.failed += 1;
                c.swapped += u64::from(swapped);
            });
            self.live_truth().total.failed += 1;
            return;
        }

        // Milestones: startup latency L splits into ingest wait, E2E (runner) and return.
        let latency = log_normal(
            &mut self.rng,
            behaviour.startup_latency_median_ms,
            behaviour.startup_latency_spread,
        )
        .clamp(300.0, 60_000.0);
        let e2e = log_normal(
            &mut self.rng,
            behaviour.e2e_latency_median_ms,
            behaviour.e2e_latency_spread,
        )
        .clamp(20.0, 0.5 * latency);
        let back = self.rng.random_range(0.05..0.2) * latency;
        let first_output = t_start + latency.round() as i64;
        let first_ingest = first_output - e2e.round() as i64 - back.round() as i64;
        let runner_out = first_ingest + e2e.round() as i64;
        let playable = first_output + self.rng.random_range(2_000..5_000);
        let runner_start = t_start + 300;
        let info = self.info(serving);
        for (subtype, t) in [
            ("gateway_send_first_ingest_segment", first_ingest),
            ("runner_receive_first_ingest_segment", first_ingest + 2),
            ("runner_send_first_processed_segment", runner_out),
            ("gateway_receive_first_processed_segment", first_output),
            ("gateway_receive_few_processed_segments", playable),
        ] {
            self.trace(&ids, subtype, t, info.clone());
        }

        let u: f64 = self.rng.random();
        let output = if u < behaviour.loading_only_rate {
            Output::LoadingOnly
        } else if u < behaviour.loading_only_rate + behaviour.zero_fps_rate {
            Output::ZeroFps
        } else {
            Output::Healthy
        };
        let median = draw(&mut self.rng, w.duration_s.median);
        let spread = draw(&mut self.rng, w.duration_s.spread);
        let duration = log_normal(&mut self.rng, median, spread).clamp(20.0, 6.0 * 3_600.0);
        let close = (t0 + (duration * 1_000.0) as i64)
            .min(self.end_ms - 1)
            .max(playable + 1);

        let samples = self.status_samples(&ids, serving, runner_start, close, output);
        self.runner_events(&ids, serving, runner_start, close);
        if w.params_updates_per_minute > 0.0 {
            let rate = w.params_updates_per_minute / 60_000.0;
            let mut t = playable as f64;
            loop {
                t += exponential_ms(&mut self.rng, rate);
                if t >= close as f64 {
                    break;
                }
                let data = json!({"orchestrator_info": info, "params": {"prompt": "oil painting, warm light", "height": 512, "width": 512},
                                  "pipeline": model, "pipeline_id": "", "request_id": request_id, "stream_id": stream_id,
                                  "type": "params_update"});
                self.emit("ai_stream_events", t as i64, &gateway, data);
            }
        }
        if whip {
            self.ingest_metrics(&ids, t0, close);
        }
        self.noise(&ids, t0, close, whip);
        // Live payments: +6 s, +12 s, then every EV / (price × 27.648 Mpx/s).
        let price = self.network[serving].price_wei_per_pixel.max(1) as f64;
        let interval = ((TICKET_EV_WEI / (price * LIVE_PIXELS_PER_SECOND)) * 1_000.0) as i64;
        let mut t = t_start + 6_262;
        let mut n = 0;
        while t < close {
            self.live_payment(&ids, serving, t, 1, false);
            n += 1;
            t += if n < 2 { 6_000 } else { interval.max(1_000) };
        }
        self.trace(&ids, "gateway_ingest_stream_closed", close, no_info());
        if self.rng.random_bool(w.disconnect_error_rate) {
            self.gateway_error(&ids, close + 5, "whip disconnected");
        }

        let loading_only = output == Output::LoadingOnly && samples > 0;
        let zero_fps = output != Output::Healthy && samples > 0;
        self.count(serving, |c| {
            c.requested += 1;
            c.success += 1;
            c.swapped += u64::from(swapped);
            c.loading_only += u64::from(loading_only);
            c.zero_fps += u64::from(zero_fps);
            c.good += u64::from(!loading_only && !zero_fps);
        });
        let total = &mut self.live_truth().total;
        total.success += 1;
        total.loading_only += u64::from(loading_only);
        total.zero_fps += u64::from(zero_fps);
        total.good += u64::from(!loading_only && !zero_fps);
    }

    /// Count a session for an orchestrator (its swaps and outcomes already in `update`), or
    /// apart when naap cannot know it served the session: a stream of an off-chain gateway
    /// (no payment names anyone) that no trace named an orchestrator for; or one served
    /// behind a service URI and key that two orchestrators share, which no payment to that
    /// URL names (off chain, or swapped there: the stream's first payment paid another).
    fn count(&mut self, orchestrator: usize, update: impl Fn(&mut SessionCounts)) {
        let address = self.network[orchestrator].address.clone();
        let shared = self.network[orchestrator].url_shared;
        let (offchain, named, swapped) = (self.offchain_stream, self.stream_named, self.stream_swapped);
        let mut outcome = SessionCounts::default();
        update(&mut outcome);
        let started_ms = self.stream_start;
        let truth = self.live_truth();
        let attributed = if offchain && !named {
            update(&mut truth.unnamed);
            None
        } else if shared && named && (offchain || swapped) {
            update(&mut truth.ambiguous);
            None
        } else {
            update(truth.by_orchestrator.entry(address.clone()).or_default());
            Some(address)
        };
        if outcome.success + outcome.failed > 0 {
            truth.outcomes.push(SessionOutcome {
                started_ms,
                orchestrator: attributed,
                failed: outcome.failed > 0,
            });
        }
    }

    /// The incidents of `orchestrator` at `t`.
    fn incidents_at(&self, orchestrator: usize, t: i64) -> impl Iterator<Item = &crate::spec::Incident> {
        let name = &self.network[orchestrator].name;
        let start = self.truth.start_ms;
        self.scenario.incidents.iter().filter(move |i| {
            i.orchestrator == *name
                && t >= start + i64::from(i.from_minute) * 60_000
                && t < start + i64::from(i.to_minute) * 60_000
        })
    }

    /// The probability that a live stream `orchestrator` serves, started at `t`, becomes
    /// playable: its own, or an incident's.
    fn startup_success(&self, orchestrator: usize, t: i64) -> f64 {
        self.incidents_at(orchestrator, t)
            .find_map(|i| i.startup_success)
            .unwrap_or(self.network[orchestrator].behaviour.startup_success)
    }

    /// The factor on the output FPS of a stream `orchestrator` started at `t` (1 without an
    /// incident).
    fn fps_factor(&self, orchestrator: usize, t: i64) -> f64 {
        self.incidents_at(orchestrator, t)
            .find_map(|i| i.output_fps_factor)
            .unwrap_or(1.0)
    }

    /// The truth the current stream counts in: organic, or the probes'.
    fn live_truth(&mut self) -> &mut LiveTruth {
        match self.probe_stream {
            true => &mut self.truth.probe_live,
            false => &mut self.truth.live,
        }
    }

    /// `orchestrator_info` naming an orchestrator: its signing key, lowercase, and its URL.
    fn info(&self, orchestrator: usize) -> Value {
        let o = &self.network[orchestrator];
        json!({"address": o.signing_key, "url": o.url})
    }

    fn trace(&mut self, ids: &StreamIds<'_>, subtype: &str, t: i64, info: Value) {
        self.stream_named |= info["url"].as_str().is_some_and(|url| !url.is_empty());
        let data = json!({"orchestrator_info": info, "pipeline_id": "", "request_id": ids.request_id,
                          "stream_id": ids.stream_id, "timestamp": t, "type": subtype});
        self.emit("stream_trace", t, ids.gateway, data);
    }

    /// A gateway error: every value a string, no orchestrator, no timestamp (§4.3).
    fn gateway_error(&mut self, ids: &StreamIds<'_>, t: i64, message: &str) {
        let data = json!({"capability": "", "message": message, "pipeline": ids.model, "pipeline_id": "",
                          "request_id": ids.request_id, "stream_id": ids.stream_id, "type": "error"});
        self.emit("ai_stream_events", t, ids.gateway, data);
    }

    fn live_payment(&mut self, ids: &StreamIds<'_>, orchestrator: usize, t: i64, tickets: u32, first: bool) {
        if self.offchain_stream {
            return;
        }
        if self
            .scenario
            .gateways
            .iter()
            .any(|g| g.name == ids.gateway && g.remote_signer)
        {
            return self.signed_ticket(ids, orchestrator, t, tickets);
        }
        let o = &self.network[orchestrator];
        let face = (TICKET_EV_WEI / WIN_PROB).round() as u128;
        let (manifest, request) = if first {
            (format!("35_{}", ids.model), ids.request_id)
        } else {
            (ids.request_id.chars().rev().collect::<String>(), "")
        };
        let data = json!({"capability": "", "clientIP": "", "faceValue": format!("{face} WEI"), "manifestID": manifest,
                          "numTickets": tickets.to_string(), "orchestrator": o.url,
                          "price": format!("{}.000 wei/pixel", o.price_wei_per_pixel), "recipient": o.checksummed_address(),
                          "requestID": request, "sender": GATEWAY_SENDER, "sessionID": ids.request_id, "winProb": "0.0009990010"});
        self.payment_truth(face, tickets);
        self.emit("create_new_payment", t, ids.gateway, data);
    }

    /// A remote signer's `create_signed_ticket` for a live payment (reference §4.8): the
    /// seconds since the stream's previous call are billed (the first call preloads 60 s) at
    /// 27,648,000 pixels per second and the orchestrator's price per pixel.
    fn signed_ticket(&mut self, ids: &StreamIds<'_>, orchestrator: usize, t: i64, tickets: u32) {
        let o = &self.network[orchestrator];
        let price = o.price_wei_per_pixel.max(1);
        let (address, checksummed, url) = (o.address.clone(), o.checksummed_address(), o.url.clone());
        if !self.signer_sessions.contains_key(ids.request_id) {
            let pm_session_id = format!("0x{}", hex_digits(&mut self.rng, 64));
            let first = SignerSession {
                sequence: 0,
                previous_ms: t - 60_000,
                balance_wei: 0,
                pm_session_id,
            };
            self.signer_sessions.insert(ids.request_id.to_string(), first);
        }
        let session = self.signer_sessions.get_mut(ids.request_id).expect("inserted above");
        let billable_ms = (t - session.previous_ms).max(0);
        let pixels = (LIVE_PIXELS_PER_SECOND as u128) * billable_ms as u128 / 1_000;
        let fee = pixels * u128::from(price);
        session.balance_wei += fee;
        let data = json!({
            "app": "", "auth_id": "", "billable_secs": billable_ms as f64 / 1_000.0, "computed_fee": fee.to_string(),
            "cost": format!("{price}.0000000000"), "current_time": rfc3339_ms(t), "current_time_unix": t,
            "manifest_id": ids.request_id.chars().rev().collect::<String>(), "num_tickets": tickets,
            "orch_address": checksummed, "orch_url": url, "pipeline": "live-video-to-video", "pixels": pixels as u64,
            "pm_session_id": session.pm_session_id, "previous_time": rfc3339_ms(session.previous_ms),
            "previous_time_unix": session.previous_ms, "request_id": ids.request_id, "sequence_number": session.sequence,
            "session_balance": session.balance_wei.to_string(), "session_id": ids.request_id,
            "session_status": if session.sequence == 0 { "new" } else { "continuing" }
        });
        session.sequence += 1;
        session.previous_ms = t;
        let truth = &mut self.truth.signed_tickets;
        truth.events += 1;
        *truth.fee_sums.entry(address).or_default() += fee;
        // The signer serves the gateway, which names none in its envelopes (`gateway: ""`).
        self.emit("create_signed_ticket", t, ids.gateway, data);
    }

    fn payment_truth(&mut self, face: u128, tickets: u32) {
        let p = &mut self.truth.payments;
        p.events += 1;
        p.tickets += u64::from(tickets);
        p.face_value_sum += face * u128::from(tickets);
    }

    /// `ai_stream_status` every 10 s from the runner's start; returns the samples emitted.
    fn status_samples(
        &mut self,
        ids: &StreamIds<'_>,
        orchestrator: usize,
        runner_start: i64,
        close: i64,
        output: Output,
    ) -> u64 {
        let b = self.network[orchestrator].behaviour.clone();
        let fps_factor = self.fps_factor(orchestrator, self.stream_start);
        let info = self.info(orchestrator);
        let mut restart_at = None;
        if self.rng.random_bool(b.restart_rate) && close > runner_start + 20_000 {
            restart_at = Some(self.rng.random_range(runner_start + 10_000..close));
        }
        let mut restarts = 0;
        let mut samples = 0;
        let mut previous = runner_start;
        let mut t = runner_start + 10_000 + self.rng.random_range(0..400);
        while t < close {
            if let Some(at) = restart_at
                && at <= t
            {
                restart_at = None;
                restarts += 1;
                let data = json!({"orchestrator_info": info, "pipeline": ids.model, "pipeline_id": "",
                                  "request_id": ids.request_id, "restart_count": restarts,
                                  "restart_logs": ["CUDA error: an illegal memory access was encountered"],
                                  "restart_time": at as f64 / 1000.0, "stream_id": ids.stream_id,
                                  "timestamp": at, "type": "restart"});
                self.emit("ai_stream_events", at, ids.gateway, data);
            }
            let degraded_input = self.rng.random_bool(b.degraded_share);
            let input_fps = if degraded_input {
                self.rng.random_range(3.0..8.0)
            } else {
                20.0 + self.rng.random_range(-1.0..1.0)
            };
            let (state, fps) = match output {
                Output::LoadingOnly => ("LOADING", 0.0),
                Output::ZeroFps => ("DEGRADED_INFERENCE", 0.0),
                Output::Healthy => {
                    let fps = normal(&mut self.rng, b.output_fps_mean * fps_factor, b.output_fps_sd).max(0.1);
                    let state = if degraded_input {
                        "DEGRADED_INPUT"
                    } else if fps < 10.0 {
                        "DEGRADED_INFERENCE"
                    } else {
                        "ONLINE"
                    };
                    (state, (fps * 1000.0).round() / 1000.0)
                }
            };
            let data = json!({
                "inference_status": {"fps": fps, "last_error": null, "last_error_time": null,
                    "last_output_time": t - 70, "last_params": {"height": 512, "width": 512},
                    "last_params_hash": "f2f41bce75e30de92f8c308a6722859b", "last_params_update_time": runner_start,
                    "last_restart_logs": null, "last_restart_time": null, "restart_count": restarts},
                "input_status": {"fps": (input_fps * 1000.0f64).round() / 1000.0, "last_input_time": t - 90},
                "last_state_update_time": runner_start + 8_000, "last_status_timestamp": previous,
                "orchestrator_info": info, "pipeline": ids.model, "pipeline_id": "", "request_id": ids.request_id,
                "start_time": runner_start, "state": state, "stream_id": ids.stream_id, "timestamp": t, "type": "status"
            });
            self.emit("ai_stream_status", t, ids.gateway, data);
            samples += 1;
            previous = t;
            t += 10_000;
        }
        samples
    }

    /// Runner errors: a Poisson number per stream-minute, forwarded with the gateway's
    /// enrichment (`time` in float seconds, `timestamp` in ms).
    fn runner_events(&mut self, ids: &StreamIds<'_>, orchestrator: usize, from: i64, to: i64) {
        let rate = self.network[orchestrator].behaviour.runner_errors_per_minute / 60_000.0;
        if rate <= 0.0 {
            return;
        }
        let info = self.info(orchestrator);
        let mut t = from as f64;
        loop {
            t += exponential_ms(&mut self.rng, rate);
            if t >= to as f64 {
                return;
            }
            let message = pick(&mut self.rng, &self.network[orchestrator].behaviour.runner_errors).clone();
            let at = t as i64;
            let data = json!({"message": message, "orchestrator_info": info, "pipeline": ids.model, "pipeline_id": "",
                              "request_id": ids.request_id, "stream_id": ids.stream_id,
                              "time": (at - 5) as f64 / 1000.0, "timestamp": at, "type": "error"});
            self.emit("ai_stream_events", at, ids.gateway, data);
        }
    }

    /// `stream_ingest_metrics` every 5 s of a WHIP stream.
    fn ingest_metrics(&mut self, ids: &StreamIds<'_>, t0: i64, close: i64) {
        let mut t = t0 + 5_000;
        let mut bytes = 0u64;
        while t < close {
            bytes += self.rng.random_range(400_000..500_000);
            let jitter: f64 = (self.rng.random_range(5.0..25.0f64) * 1000.0).round() / 1000.0;
            let data = json!({"pipeline_id": "", "request_id": ids.request_id, "stream_id": ids.stream_id, "timestamp": t,
                "stats": {"conn_quality": if jitter > 20.0 { "bad" } else { "good" },
                          "peer_conn_stats": {"ID": "iceTransport", "BytesReceived": bytes, "BytesSent": 4013},
                          "track_stats": [{"type": "video", "jitter": jitter, "packets_lost": 0,
                                           "packets_received": bytes / 1150, "packet_loss_pct": 0,
                                           "rtt": 0, "last_input_ts": (t - t0) as f64 / 1000.0,
                                           "last_output_ts": 0, "latency": 0}]}});
            self.emit("stream_ingest_metrics", t, ids.gateway, data);
            t += 5_000;
        }
    }

    /// Traffic of families naap keeps in bronze only. Their producers are not public: the
    /// payloads carry the stream's ids and little else (shapes unverified, reference §2.5).
    fn noise(&mut self, ids: &StreamIds<'_>, t0: i64, close: i64, whip: bool) {
        let scenario = self.scenario;
        for spec in &scenario.noise {
            if spec.whip_only && !whip {
                continue;
            }
            let rate = 1.0 / (spec.every_s * 1_000.0);
            let mut t = t0 as f64;
            loop {
                t += exponential_ms(&mut self.rng, rate);
                if t >= close as f64 {
                    break;
                }
                let at = t as i64;
                if spec.family == "client_trace" {
                    let subtype = pick(
                        &mut self.rng,
                        &[
                            "app_send_stream_request",
                            "app_start_broadcast_stream",
                            "app_receive_first_segment",
                        ],
                    );
                    let data = json!({"client_source": "scope", "request_id": ids.request_id, "stream_id": ids.stream_id,
                                      "timestamp": at, "type": subtype});
                    self.emit("stream_trace", at, ids.gateway, data);
                } else {
                    let data = json!({"request_id": ids.request_id, "stream_id": ids.stream_id, "pipeline": ids.model, "timestamp": at});
                    self.emit(&spec.family, at, ids.gateway, data);
                }
            }
        }
    }

    // ---------------------------------------------------------------- jobs

    /// Who takes a job: its gateway, request id and orchestrator.
    fn job_route(&mut self, model: &str) -> Option<JobRoute> {
        let g = self.pick_gateway();
        let gateway = self.gateway_name(g);
        let request_id = request_id(&mut self.rng);
        let orchestrator = self.pick_orchestrator(model, None)?;
        let o = &self.network[orchestrator];
        Some(JobRoute {
            gateway,
            request_id,
            orchestrator,
            behaviour: o.behaviour.clone(),
            url: o.url.clone(),
        })
    }

    fn batch_job(&mut self, t: i64, w: &BatchWorkload) {
        let Some(route) = self.job_route(&w.model) else { return };
        let JobRoute {
            gateway,
            request_id,
            orchestrator: i,
            behaviour: b,
            url,
        } = route;
        let received = json!({"client_ip": "203.0.113.7", "model_id": w.model, "orchestrator": url, "pipeline": w.pipeline,
                              "request_id": request_id, "timestamp": t, "type": "ai_batch_request_received"});
        self.emit("ai_batch_request", t, &gateway, received);
        let duration = log_normal(&mut self.rng, b.job_latency_median_ms, b.job_latency_spread)
            .clamp(50.0, 600_000.0)
            .round();
        let success = self.rng.random_bool(b.job_success);
        let (error_type, error, tries) = if success {
            ("", "", 1)
        } else {
            (
                "orchestrator_error",
                "500 Internal Server Error: CUDA out of memory",
                self.rng.random_range(1..=3),
            )
        };
        let done = t + duration as i64;
        let completed = json!({"duration_ms": duration, "error": error, "error_type": error_type,
                               "latency_score": duration / 1000.0 / (1024.0 * 1024.0 * 4.0), "model_id": w.model,
                               "orch_url": url, "pipeline": w.pipeline, "price_per_unit": w.price_per_unit,
                               "request_id": request_id, "success": success, "timestamp": done, "tries": tries,
                               "type": "ai_batch_request_completed"});
        self.emit("ai_batch_request", done, &gateway, completed);
        if success {
            let data = json!({"capability": display_name(&w.pipeline), "clientIP": "203.0.113.7", "faceValue": format!("{} WEI", (TICKET_EV_WEI / WIN_PROB).round() as u128),
                              "manifestID": "", "numTickets": "1", "orchestrator": url,
                              "price": format!("{:.3} wei/pixel", w.price_per_unit), "recipient": self.network[i].checksummed_address(),
                              "requestID": request_id, "sender": GATEWAY_SENDER, "sessionID": request_id, "winProb": "0.0009990010"});
            self.payment_truth((TICKET_EV_WEI / WIN_PROB).round() as u128, 1);
            self.emit("create_new_payment", t + 40, &gateway, data);
        }
        count_job(&mut self.truth.jobs.batch, success);
        count_job(self.truth.jobs.by_orchestrator_url.entry(url).or_default(), success);
    }

    fn llm_job(&mut self, t: i64, w: &LlmWorkload) {
        let Some(JobRoute {
            gateway,
            request_id,
            behaviour: b,
            url,
            ..
        }) = self.job_route(&w.model)
        else {
            return;
        };
        let streaming = self.rng.random_bool(w.streaming_share);
        let started = json!({"client_ip": "203.0.113.9", "max_tokens": w.max_tokens, "message_count": 2, "model": w.model,
                             "orch_url": url, "price_per_unit": w.price_per_unit, "request_id": request_id,
                             "streaming": streaming, "system_prompt": true, "temperature": 0.7, "timestamp": t,
                             "type": "llm_request_started"});
        self.emit("ai_llm_request", t, &gateway, started);
        let success = self.rng.random_bool(b.job_success);
        let prompt_tokens = self.rng.random_range(20..400u32);
        let completion_tokens = if success {
            self.rng.random_range(16..=w.max_tokens.max(16))
        } else {
            0
        };
        let tps = normal(&mut self.rng, b.tokens_per_second_mean, b.tokens_per_second_sd).max(1.0);
        let ttft = self.rng.random_range(150..600) as f64;
        let total_ms = (ttft + f64::from(completion_tokens) / tps * 1_000.0).round();
        let done = t + total_ms as i64;
        let subtype = if streaming {
            "llm_stream_completed"
        } else {
            "llm_request_completed"
        };
        let mut completed = json!({"completion_id": format!("chatcmpl-{request_id}"), "completion_tokens": completion_tokens,
            "error": if success { "" } else { "upstream error: 503 Service Unavailable" },
            "finish_reason": if success { "stop" } else { "error" }, "latency_score": total_ms / 1000.0 / f64::from(completion_tokens.max(1)),
            "max_tokens_requested": w.max_tokens, "model": w.model, "orch_url": url, "price_per_unit": w.price_per_unit,
            "prompt_tokens": prompt_tokens, "request_id": request_id, "timestamp": done,
            "tokens_per_second": (tps * 100.0).round() / 100.0,
            "token_utilization": (f64::from(completion_tokens) / f64::from(w.max_tokens.max(1)) * 1000.0).round() / 1000.0,
            "total_duration_ms": total_ms, "total_tokens": prompt_tokens + completion_tokens, "type": subtype});
        if streaming {
            completed["ttft_ms"] = json!(ttft);
        }
        self.emit("ai_llm_request", done, &gateway, completed);
        count_job(&mut self.truth.jobs.llm, success);
        count_job(self.truth.jobs.by_orchestrator_url.entry(url).or_default(), success);
    }
}

impl Simulator<'_> {
    /// One BYOC job (reference §5.2–5.6): the gateway submits it to an orchestrator, which
    /// verifies the credential, runs it on one of its workers (announced once with
    /// `worker_registered`) and reports what it charged (one unit per started second); the
    /// gateway reports the completion and syncs the payment balance.
    fn byoc_job(&mut self, t: i64, w: &ByocWorkload) {
        let g = self.pick_gateway();
        let gateway = self.gateway_name(g);
        let request_id = request_id(&mut self.rng);
        let i = self.rng.random_range(0..self.network.len());
        let worker = self.rng.random_range(0..w.workers);
        let b = self.network[i].behaviour.clone();
        let info = self.info(i);
        let worker_url = format!("http://{}-worker-{worker}:8000", self.network[i].name);
        if self.byoc_workers.insert(worker_url.clone()) {
            let data = json!({"capability": w.capability, "id": uuid(&mut self.rng), "orchestrator_info": info,
                              "price_per_unit": w.price_per_unit, "type": "worker_registered",
                              "worker_options": [{"model": w.model}], "worker_url": worker_url});
            self.emit("worker_lifecycle", t - 1_000, &gateway, data);
        }
        let submitted = json!({"capability": w.capability, "orchestrator_info": info, "request_id": request_id,
                               "type": "job_gateway_submitted"});
        self.emit("job_gateway", t, &gateway, submitted);
        let auth = json!({"capability": w.capability, "error": "", "orchestrator_info": info, "success": true,
                          "type": "job_credential_verify_result"});
        self.emit("job_auth", t + 5, &gateway, auth);
        let median = draw(&mut self.rng, w.duration_ms.median);
        let spread = draw(&mut self.rng, w.duration_ms.spread);
        let duration = log_normal(&mut self.rng, median, spread)
            .clamp(50.0, 3_600_000.0)
            .round() as i64;
        let success = self.rng.random_bool(b.job_success);
        let status = if success { 200 } else { 500 };
        let charged = if success { (duration + 999) / 1_000 } else { 0 };
        let fee = (charged as f64 * w.price_per_unit).round() as u64;
        let done = t + duration;
        let ran = json!({"capability": w.capability, "charged_compute": charged, "duration_ms": duration - 40,
                         "http_status": status, "orchestrator_info": info, "price_per_unit": w.price_per_unit,
                         "request_id": request_id, "success": success, "type": "job_orchestrator_completed",
                         "worker_url": worker_url});
        self.emit("job_orchestrator", done - 20, &gateway, ran);
        let completed = json!({"capability": w.capability, "duration_ms": duration,
                               "error": if success { Value::Null } else { json!("worker returned 500") },
                               "http_status": status, "orchestrator_info": info, "request_id": request_id,
                               "streaming": false, "success": success, "type": "job_gateway_completed"});
        self.emit("job_gateway", done, &gateway, completed);
        if success {
            let balance = 1_000_000.0 - fee as f64;
            let sync = json!({"balance": format!("{balance:.3}"), "capability": w.capability,
                              "diff": format!("{:.3}", -(fee as f64)), "min_bal_covered": true,
                              "orchestrator_addr": self.network[i].checksummed_address(), "orchestrator_info": info,
                              "reset_to_zero": false, "sender": GATEWAY_SENDER, "type": "payment_balance_sync"});
            self.emit("job_payment", done + 10, &gateway, sync);
        }
        count_job(&mut self.truth.jobs.byoc, success);
        *self.truth.jobs.byoc_fee_wei_by_worker.entry(worker_url).or_default() += fee;
    }
}

struct JobRoute {
    gateway: String,
    request_id: String,
    orchestrator: usize,
    behaviour: crate::network::TrueBehaviour,
    url: String,
}

struct StreamIds<'s> {
    stream_id: &'s str,
    request_id: &'s str,
    model: &'s str,
    gateway: &'s str,
}

fn count_job(counts: &mut JobCounts, success: bool) {
    counts.requests += 1;
    counts.succeeded += u64::from(success);
    counts.failed += u64::from(!success);
}

/// Capability id of a batch pipeline (§6.1).
fn capability_id(pipeline: &str) -> u32 {
    match pipeline {
        "text-to-image" => 27,
        "image-to-image" => 28,
        "image-to-video" => 29,
        "upscale" => 30,
        "audio-to-text" => 31,
        "segment-anything-2" => 32,
        "llm" => 33,
        "image-to-text" => 34,
        "live-video-to-video" => 35,
        "text-to-speech" => 36,
        _ => 37,
    }
}

/// `text-to-image` → `Text to image` (§6.2): what payments carry as capability.
fn display_name(slug: &str) -> String {
    let spaced = slug.replace('-', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
