//! The demo network: a handful of orchestrators serving live AI video streams, emitting the
//! event families and cadences of the real network (`stream_trace` milestones,
//! `ai_stream_status` every 10 s, `stream_ingest_metrics` every 5 s, payments, discovery and
//! capabilities).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::envelope::Envelope;
use crate::random::{address as hex_address, checksum_like, short_id as short, uuid};

/// What the demo network looks like.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Start of the simulated period, ms since the epoch.
    pub start_ms: i64,
    /// Length of the simulated period in hours.
    pub hours: u32,
    /// New live streams per hour.
    pub streams_per_hour: u32,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 42,
            // 2026-01-08T18:00:00Z: the day of the real stream capture.
            start_ms: 1_767_895_200_000,
            hours: 4,
            streams_per_hour: 12,
        }
    }
}

/// One simulated orchestrator.
#[derive(Debug, Clone)]
pub struct DemoOrchestrator {
    /// On-chain address (ticket recipient), EIP-55 style mixed case as in capabilities.
    pub address: String,
    /// Node signing key ("hot wallet"), as it appears lowercase on stream events.
    pub signing_key: String,
    /// Service URI.
    pub url: String,
    /// GPU model name.
    pub gpu: &'static str,
    /// Probability that a stream starts successfully.
    pub startup_success: f64,
    /// Mean output FPS.
    pub mean_fps: f64,
    /// Price in wei per pixel.
    pub price_wei_per_pixel: u64,
}

const MODELS: [&str; 2] = ["streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v"];
const GATEWAY_SENDER: &str = "0x5aE4E42dB3671370a0c25AfF451E7482aAEc3D0B";

/// The demo network and its generator.
#[derive(Debug, Clone)]
pub struct DemoNetwork {
    config: DemoConfig,
    orchestrators: Vec<DemoOrchestrator>,
}

impl DemoNetwork {
    /// A network of six orchestrators of varied quality.
    pub fn new(config: DemoConfig) -> Self {
        let specs: [(&str, f64, f64, u64); 6] = [
            ("NVIDIA GeForce RTX 5090", 0.97, 18.5, 1618),
            ("NVIDIA GeForce RTX 4090", 0.93, 16.0, 2287),
            ("NVIDIA GeForce RTX 4090", 0.85, 14.0, 2330),
            ("NVIDIA GeForce RTX 3090", 0.75, 11.0, 1588),
            ("NVIDIA RTX 6000 Ada Generation", 0.95, 17.0, 3000),
            ("NVIDIA GeForce RTX 4070 Ti SUPER", 0.60, 9.0, 466),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x6f72_6368);
        let orchestrators = specs
            .iter()
            .enumerate()
            .map(|(i, &(gpu, startup_success, mean_fps, price))| {
                let address = hex_address(&mut rng);
                // Half of the operators sign with a hot wallet that differs from the on-chain address.
                let signing_key = if i % 2 == 0 {
                    address.clone()
                } else {
                    hex_address(&mut rng)
                };
                DemoOrchestrator {
                    address: checksum_like(&address),
                    signing_key,
                    url: format!("https://orch-{i}.demo.livepeer.example:8935"),
                    gpu,
                    startup_success,
                    mean_fps,
                    price_wei_per_pixel: price,
                }
            })
            .collect();
        DemoNetwork { config, orchestrators }
    }

    /// The orchestrators of the network.
    pub fn orchestrators(&self) -> &[DemoOrchestrator] {
        &self.orchestrators
    }

    /// Every event of the simulated period, sorted by envelope timestamp (ties keep
    /// generation order).
    pub fn events(&self) -> Vec<Envelope> {
        // The period's start is part of the seed: consecutive periods generated one at a time
        // (as the benchmarks do, to bound memory) have different streams, same network.
        let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed ^ self.config.start_ms as u64);
        let mut out = Vec::new();
        let end_ms = self.config.start_ms + i64::from(self.config.hours) * 3_600_000;
        // Capabilities at start-up, then every 25 minutes.
        let mut t = self.config.start_ms;
        while t < end_ms {
            out.push(self.capabilities_event(&mut rng, t));
            t += 25 * 60_000;
        }
        let streams = self.config.streams_per_hour * self.config.hours;
        for _ in 0..streams {
            let start = rng.random_range(self.config.start_ms..end_ms - 60_000);
            self.stream_events(&mut rng, start, end_ms, &mut out);
        }
        out.sort_by_key(|e| e.timestamp_ms);
        out
    }

    fn capabilities_event(&self, rng: &mut ChaCha8Rng, t: i64) -> Envelope {
        let data: Vec<Value> = self
            .orchestrators
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let model = MODELS[i % MODELS.len()];
                json!({
                    "address": o.address,
                    "local_address": checksum_like(&o.signing_key),
                    "orch_uri": o.url,
                    "capabilities": {
                        "bitstring": [34426871807u64],
                        "capacities": {"0": 1, "35": 1},
                        "version": "0.8.10",
                        "constraints": {"PerCapability": {"35": {"models": {model: {"warm": true, "capacity": 1, "runnerVersion": "0.14.1"}}}}}
                    },
                    "price_info": {"pricePerUnit": o.price_wei_per_pixel, "pixelsPerUnit": 1},
                    "capabilities_prices": [{"pricePerUnit": o.price_wei_per_pixel, "pixelsPerUnit": 1, "capability": 35, "constraint": model}],
                    "hardware": [{"pipeline": "live-video-to-video", "model_id": model, "gpu_info": {"0": {
                        "id": format!("GPU-{}", uuid(rng)), "name": o.gpu, "major": 8, "minor": 9,
                        "memory_free": 20_000_000_000u64, "memory_total": 25_757_220_864u64}}}]
                })
            })
            .collect();
        Envelope {
            id: uuid(rng),
            family: "network_capabilities",
            timestamp_ms: t,
            gateway: "demo-gateway".into(),
            data: Value::Array(data),
        }
    }

    fn stream_events(&self, rng: &mut ChaCha8Rng, start: i64, end_ms: i64, out: &mut Vec<Envelope>) {
        let index = rng.random_range(0..self.orchestrators.len());
        let orch = &self.orchestrators[index];
        let model = MODELS[index % MODELS.len()];
        let stream_id = format!("stream-{}-{}", short(rng, 6), short(rng, 8));
        let request_id = format!("{:08x}", rng.random::<u32>());
        let info = json!({"address": orch.signing_key, "url": orch.url});
        let no_info = json!({"address": "", "url": ""});
        let gateway = "demo-gateway".to_string();
        let mut push = |rng: &mut ChaCha8Rng, family: &'static str, t: i64, data: Value| {
            out.push(Envelope {
                id: uuid(rng),
                family,
                timestamp_ms: t,
                gateway: gateway.clone(),
                data,
            })
        };
        let trace = |subtype: &str, t: i64, info: &Value| {
            json!({"orchestrator_info": info, "pipeline_id": "", "request_id": request_id,
                   "stream_id": stream_id, "timestamp": t, "type": subtype})
        };

        push(
            rng,
            "stream_trace",
            start,
            trace("gateway_receive_stream_request", start, &no_info),
        );
        let latency = rng.random_range(40..600);
        push(
            rng,
            "discovery_results",
            start + 260,
            json!([{"address": orch.signing_key, "latency_ms": latency.to_string(), "url": orch.url}]),
        );
        push(
            rng,
            "create_new_payment",
            start + 262,
            payment(orch, &request_id, model, 2),
        );

        if !rng.random_bool(orch.startup_success) {
            push(
                rng,
                "ai_stream_events",
                start + 4_000,
                json!({"capability": "", "message": "trickle subscribe error: context deadline exceeded",
                       "pipeline": model, "pipeline_id": "", "request_id": request_id,
                       "stream_id": stream_id, "type": "error"}),
            );
            push(
                rng,
                "stream_trace",
                start + 5_000,
                trace("gateway_ingest_stream_closed", start + 5_000, &no_info),
            );
            return;
        }

        let first_ingest = start + rng.random_range(1_500..3_000);
        let runner_out = first_ingest + rng.random_range(80..400);
        let first_processed = runner_out + rng.random_range(150..500);
        let playable = first_processed + rng.random_range(2_000..5_000);
        for (subtype, t) in [
            ("gateway_send_first_ingest_segment", first_ingest),
            ("runner_receive_first_ingest_segment", first_ingest + 2),
            ("runner_send_first_processed_segment", runner_out),
            ("gateway_receive_first_processed_segment", first_processed),
            ("gateway_receive_few_processed_segments", playable),
        ] {
            push(rng, "stream_trace", t, trace(subtype, t, &info));
        }

        let duration = rng.random_range(60_000..900_000);
        let close = (start + duration).min(end_ms - 1);
        let runner_start = start + 300;
        let mut t = runner_start + 10_000;
        let mut previous = runner_start;
        while t < close {
            let input_fps = 20.0 + rng.random_range(-1.0..1.0);
            let fps = (orch.mean_fps + rng.random_range(-3.0..3.0f64)).max(0.0);
            let state = if fps < 10.0 { "DEGRADED_INFERENCE" } else { "ONLINE" };
            push(
                rng,
                "ai_stream_status",
                t,
                json!({
                    "inference_status": {"fps": fps, "last_error": null, "last_error_time": null,
                        "last_output_time": t - 70, "last_params": {"height": 512, "width": 512},
                        "last_params_hash": "f2f41bce75e30de92f8c308a6722859b", "last_params_update_time": runner_start,
                        "last_restart_logs": null, "last_restart_time": null, "restart_count": 0},
                    "input_status": {"fps": input_fps, "last_input_time": t - 90},
                    "last_state_update_time": runner_start + 8_000, "last_status_timestamp": previous,
                    "orchestrator_info": info, "pipeline": model, "pipeline_id": "", "request_id": request_id,
                    "start_time": runner_start, "state": state, "stream_id": stream_id, "timestamp": t, "type": "status"
                }),
            );
            previous = t;
            t += 10_000;
        }
        let mut t = start + 5_000;
        let mut bytes = 0u64;
        while t < close {
            bytes += rng.random_range(400_000..500_000);
            let jitter: f64 = rng.random_range(5.0..25.0);
            push(
                rng,
                "stream_ingest_metrics",
                t,
                json!({"pipeline_id": "", "request_id": request_id, "stream_id": stream_id, "timestamp": t,
                       "stats": {"conn_quality": if jitter > 20.0 { "bad" } else { "good" },
                                 "peer_conn_stats": {"ID": "iceTransport", "BytesReceived": bytes, "BytesSent": 4013},
                                 "track_stats": [{"type": "video", "jitter": jitter, "packets_lost": 0,
                                                  "packets_received": bytes / 1150, "packet_loss_pct": 0,
                                                  "rtt": 0, "last_input_ts": (t - start) as f64 / 1000.0,
                                                  "last_output_ts": 0, "latency": 0}]}}),
            );
            t += 5_000;
        }
        let mut t = start + 60_000;
        while t < close {
            push(rng, "create_new_payment", t, payment(orch, "", model, 1));
            t += 54_000;
        }
        push(
            rng,
            "stream_trace",
            close,
            trace("gateway_ingest_stream_closed", close, &no_info),
        );
    }
}

fn payment(orch: &DemoOrchestrator, request_id: &str, model: &str, tickets: u32) -> Value {
    let manifest = if request_id.is_empty() {
        "d05da5dd".to_string()
    } else {
        format!("35_{model}")
    };
    json!({"capability": "", "clientIP": "", "faceValue": "2402400000000000 WEI", "manifestID": manifest,
           "numTickets": tickets.to_string(), "orchestrator": orch.url,
           "price": format!("{}.000 wei/pixel", orch.price_wei_per_pixel), "recipient": orch.address,
           "requestID": request_id, "sender": GATEWAY_SENDER, "sessionID": "01b55632", "winProb": "0.0009990010"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_events() {
        let a: Vec<String> = DemoNetwork::new(DemoConfig::default())
            .events()
            .iter()
            .map(Envelope::to_json)
            .collect();
        let b: Vec<String> = DemoNetwork::new(DemoConfig::default())
            .events()
            .iter()
            .map(Envelope::to_json)
            .collect();
        assert_eq!(a, b);
        let c: Vec<String> = DemoNetwork::new(DemoConfig {
            seed: 7,
            ..DemoConfig::default()
        })
        .events()
        .iter()
        .map(Envelope::to_json)
        .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn events_have_the_real_envelope_shape() {
        let events = DemoNetwork::new(DemoConfig::default()).events();
        assert!(events.windows(2).all(|w| w[0].timestamp_ms <= w[1].timestamp_ms));
        for event in events.iter().take(500) {
            let v: Value = serde_json::from_str(&event.to_json()).unwrap();
            assert!(v["timestamp"].is_string(), "envelope timestamp must be a string");
            assert_eq!(v["id"].as_str().unwrap().len(), 36);
            match event.family {
                "discovery_results" | "network_capabilities" => assert!(v["data"].is_array()),
                _ => assert!(v["data"].is_object()),
            }
        }
        let status = events.iter().filter(|e| e.family == "ai_stream_status").count();
        let requests = events
            .iter()
            .filter(|e| e.family == "stream_trace" && e.data["type"] == "gateway_receive_stream_request")
            .count();
        assert_eq!(requests, 48);
        assert!(status > requests, "{status} status samples for {requests} streams");
    }
}
