//! Simulated go-livepeer node endpoints: what a gateway of a simulated network would answer
//! on `/getNetworkCapabilities`, `/registeredOrchestrators` and `/metrics`, so that `naap
//! collect` has something real to poll in the demo and in tests.
//!
//! Every answer is derived from the simulated events of one gateway, so it agrees with what
//! that gateway published to Kafka: the capability answer is its last `network_capabilities`
//! report, the registry lists the same orchestrators, and the metric counters count its
//! requests, errors, live attempts and tickets the way go-livepeer's exporter does (telemetry
//! reference §8).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::Value;

/// The three answers of one simulated gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEndpoints {
    /// The gateway's name in the envelopes.
    pub gateway: String,
    /// Body of `/getNetworkCapabilities`.
    pub capabilities: String,
    /// Body of `/registeredOrchestrators`.
    pub registry: String,
    /// Body of `/metrics` (Prometheus text format 0.0.4).
    pub metrics: String,
}

/// Counters accumulated over a gateway's events.
#[derive(Default)]
struct Counters {
    capabilities: Option<Value>,
    requested: BTreeMap<(String, String), u64>,
    errors: BTreeMap<(String, String, String, String), u64>,
    live_attempts: BTreeMap<String, u64>,
    tickets: u64,
    ticket_value_gwei: f64,
}

impl NodeEndpoints {
    /// The answers of `gateway` (default: the first gateway, by name, that published a
    /// capability report) after the simulated events `lines`. Lines that are not envelopes
    /// (the simulator's deliberately corrupt input) are skipped: a node never counted them.
    /// `None` when no gateway published capabilities.
    pub fn from_events(lines: &[String], gateway: Option<&str>) -> Option<NodeEndpoints> {
        let envelopes: Vec<Value> = lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let gateway = match gateway {
            Some(g) => g.to_string(),
            None => envelopes
                .iter()
                .filter(|e| e["type"] == "network_capabilities")
                .filter_map(|e| e["gateway"].as_str())
                .filter(|g| !g.is_empty())
                .min()?
                .to_string(),
        };
        let mut counters = Counters::default();
        // A producer retry delivers an envelope twice; the node counted the event once.
        let mut seen = std::collections::BTreeSet::new();
        for envelope in envelopes.iter().filter(|e| e["gateway"] == gateway.as_str()) {
            if seen.insert(envelope["id"].as_str().unwrap_or_default()) {
                counters.add(envelope);
            }
        }
        let orchestrators = counters.capabilities.take()?;
        Some(NodeEndpoints {
            capabilities: serde_json::json!({ "orchestrators": orchestrators }).to_string(),
            registry: registry(&orchestrators),
            metrics: counters.render(&gateway, &orchestrators),
            gateway,
        })
    }
}

impl Counters {
    fn add(&mut self, envelope: &Value) {
        let data = &envelope["data"];
        let text = |key: &str| data[key].as_str().unwrap_or_default().to_string();
        match envelope["type"].as_str().unwrap_or_default() {
            "network_capabilities" if data.is_array() => self.capabilities = Some(data.clone()),
            "ai_batch_request" if data["type"] == "ai_batch_request_completed" => self.job(
                text("pipeline"),
                text("model_id"),
                text("orch_url"),
                data["success"] == true,
                text("error"),
            ),
            "ai_llm_request" if data["completion_id"].is_string() => {
                let error = text("error");
                self.job("llm".into(), text("model"), text("orch_url"), error.is_empty(), error)
            }
            "stream_trace" if data["type"] == "gateway_receive_stream_request" => {
                *self.live_attempts.entry(text("pipeline")).or_default() += 1;
            }
            "create_new_payment" => {
                let tickets: u64 = text("numTickets").parse().unwrap_or(0);
                let face_wei: f64 = text("faceValue").trim_end_matches(" WEI").parse().unwrap_or(0.0);
                let win_prob: f64 = text("winProb").parse().unwrap_or(0.0);
                self.tickets += tickets;
                self.ticket_value_gwei += tickets as f64 * face_wei * win_prob / 1e9;
            }
            _ => {}
        }
    }

    fn job(&mut self, pipeline: String, model: String, orchestrator: String, success: bool, error: String) {
        if success {
            *self.requested.entry((pipeline, model)).or_default() += 1;
        } else {
            *self.errors.entry((error, pipeline, model, orchestrator)).or_default() += 1;
        }
    }

    fn render(&self, gateway: &str, orchestrators: &Value) -> String {
        let node = format!("node_id=\"{}\",node_type=\"bctr\"", escape(gateway));
        let mut page = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, String)>| {
            // Exporters leave out a metric without series (its HELP and TYPE too).
            if samples.is_empty() {
                return;
            }
            let _ = writeln!(page, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let labels = if labels.is_empty() {
                    node.clone()
                } else {
                    format!("{labels},{node}")
                };
                let _ = writeln!(page, "{name}{{{labels}}} {value}");
            }
        };
        family(
            "livepeer_ai_models_requested",
            "counter",
            "Number of AI models requested over time",
            self.requested
                .iter()
                .map(|((p, m), n)| {
                    (
                        format!("model_name=\"{}\",pipeline=\"{}\"", escape(m), escape(p)),
                        n.to_string(),
                    )
                })
                .collect(),
        );
        family(
            "livepeer_ai_request_errors",
            "counter",
            "Errors when processing AI requests",
            self.errors
                .iter()
                .map(|((e, p, m, o), n)| {
                    let labels = format!(
                        "error_code=\"{}\",model_name=\"{}\",orchestrator_uri=\"{}\",pipeline=\"{}\"",
                        escape(e),
                        escape(m),
                        escape(o),
                        escape(p)
                    );
                    (labels, n.to_string())
                })
                .collect(),
        );
        family(
            "livepeer_ai_live_attempt",
            "counter",
            "AI Live stream attempted",
            self.live_attempts
                .iter()
                .map(|(m, n)| (format!("model_name=\"{}\"", escape(m)), n.to_string()))
                .collect(),
        );
        let mut idle = Vec::new();
        let mut prices = Vec::new();
        for o in orchestrators.as_array().into_iter().flatten() {
            let uri = escape(o["orch_uri"].as_str().unwrap_or_default());
            let live = &o["capabilities"]["constraints"]["PerCapability"]["35"]["models"];
            for (model, m) in live.as_object().into_iter().flatten() {
                let capacity = m["capacity"].as_u64().unwrap_or(0);
                idle.push((
                    format!(
                        "model_name=\"{}\",orchestrator_uri=\"{uri}\",pipeline=\"\"",
                        escape(model)
                    ),
                    capacity.to_string(),
                ));
            }
            if live.as_object().is_some_and(|m| !m.is_empty()) {
                let price = o["price_info"]["pricePerUnit"].as_f64().unwrap_or(0.0)
                    / o["price_info"]["pixelsPerUnit"].as_f64().unwrap_or(1.0).max(1.0);
                prices.push((format!("orchestrator_uri=\"{uri}\""), format!("{price}")));
            }
        }
        family(
            "livepeer_ai_container_idle",
            "gauge",
            "Number of idle AI containers",
            idle,
        );
        family(
            "livepeer_live_ai_price_per_pixel",
            "gauge",
            "Price per pixel of live AI",
            prices,
        );
        family(
            "livepeer_tickets_sent",
            "counter",
            "Tickets sent",
            vec![(String::new(), self.tickets.to_string())],
        );
        family(
            "livepeer_ticket_value_sent",
            "counter",
            "Ticket value sent",
            vec![(String::new(), format!("{:.6}", self.ticket_value_gwei))],
        );
        page
    }
}

/// Escapes a Prometheus label value (`\`, `"` and newline).
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The `/registeredOrchestrators` answer for the orchestrators of a capability report:
/// `eth/types.Transcoder` objects whose big integers are bare JSON numbers, as Go writes
/// them. Stakes are derived from the address, so they are stable and exceed 2^53.
fn registry(orchestrators: &Value) -> String {
    let mut entries = Vec::new();
    for (i, o) in orchestrators.as_array().into_iter().flatten().enumerate() {
        let address = o["address"].as_str().unwrap_or_default().to_lowercase();
        let digits = address.trim_start_matches("0x");
        let seed = u64::from_str_radix(digits.get(..12).unwrap_or("0"), 16).unwrap_or(0);
        // Between 1 000 and ~282 000 LPT, in wei (18 decimals): well above 2^53.
        let stake = (u128::from(seed % 281_000) + 1_000) * 1_000_000_000_000_000_000 + u128::from(seed);
        let price = o["price_info"]["pricePerUnit"].as_u64().unwrap_or(0);
        let pixels = o["price_info"]["pixelsPerUnit"].as_u64().unwrap_or(1).max(1);
        let price_per_pixel = if pixels == 1 {
            price.to_string()
        } else {
            format!("{price}/{pixels}")
        };
        entries.push(format!(
            r#"{{"Address":{},"ServiceURI":{},"LastRewardRound":4012,"RewardCut":{},"FeeShare":{},"DelegatedStake":{stake},"ActivationRound":3500,"DeactivationRound":0,"LastActiveStakeUpdateRound":4012,"Active":true,"Status":"Registered","PricePerPixel":{}}}"#,
            Value::from(address.as_str()),
            Value::from(o["orch_uri"].as_str().unwrap_or_default()),
            (i as u64 % 5) * 50_000,
            500_000 + (i as u64 % 4) * 100_000,
            Value::from(price_per_pixel),
        ));
    }
    format!("[{}]", entries.join(","))
}

/// A running server of [`NodeEndpoints`].
#[derive(Debug)]
pub struct NodeServer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl NodeServer {
    /// Serve `endpoints` on `addr` (port 0: any free port).
    pub async fn start(addr: SocketAddr, endpoints: NodeEndpoints) -> std::io::Result<NodeServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/getNetworkCapabilities", get(capabilities))
            .route("/registeredOrchestrators", get(registered))
            .route("/metrics", get(metrics))
            .with_state(Arc::new(endpoints));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(NodeServer { addr, task })
    }

    /// Base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const JSON: &str = "application/json";

async fn capabilities(State(e): State<Arc<NodeEndpoints>>) -> impl IntoResponse {
    ([(CONTENT_TYPE, JSON)], e.capabilities.clone())
}

async fn registered(State(e): State<Arc<NodeEndpoints>>) -> impl IntoResponse {
    ([(CONTENT_TYPE, JSON)], e.registry.clone())
}

async fn metrics(State(e): State<Arc<NodeEndpoints>>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        e.metrics.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SimulateOptions, library, simulate_to_vec};

    #[test]
    fn the_answers_agree_with_the_gateways_events() {
        let scenario = library::load("demo").unwrap();
        let options = SimulateOptions {
            hours: Some(1),
            ..SimulateOptions::default()
        };
        let (lines, _) = simulate_to_vec(&scenario, options).unwrap();
        let nodes = NodeEndpoints::from_events(&lines, None).expect("the demo's gateways report capabilities");
        let caps: Value = serde_json::from_str(&nodes.capabilities).unwrap();
        let orchestrators = caps["orchestrators"].as_array().unwrap();
        assert!(!orchestrators.is_empty());

        // The registry names the same orchestrators, with stakes above 2^53.
        let registry: Value = serde_json::from_str(&nodes.registry).unwrap();
        assert_eq!(registry.as_array().unwrap().len(), orchestrators.len());
        let stake_text = nodes.registry.split("\"DelegatedStake\":").nth(1).unwrap();
        let stake: u128 = stake_text.split(',').next().unwrap().parse().unwrap();
        assert!(stake > 1u128 << 53);

        // Successful jobs of this gateway equal the models_requested counters.
        let completed_ok = lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| e["gateway"] == nodes.gateway.as_str() && e["type"] == "ai_batch_request")
            .filter(|e| e["data"]["type"] == "ai_batch_request_completed" && e["data"]["success"] == true)
            .count() as u64;
        let counted: u64 = nodes
            .metrics
            .lines()
            .filter(|l| l.starts_with("livepeer_ai_models_requested{") && !l.contains("pipeline=\"llm\""))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(counted, completed_ok);
        assert!(nodes.metrics.contains("# TYPE livepeer_tickets_sent counter"));
    }
}
