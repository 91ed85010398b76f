//! Silver `discovery_results` (§4.5): one row per orchestrator, latency as a number.

use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{opt_f64, opt_text};
use super::{Common, Silver, silver_row};

silver_row! {
    /// One orchestrator of one `discovery_results` event.
    DiscoveryResultRow => Dataset::DiscoveryResults, {
        rank: I,
        orchestrator_address: S,
        orchestrator_url: S,
        latency_ms: F,
    }
}

#[derive(Deserialize)]
struct Element {
    #[serde(default, deserialize_with = "opt_text")]
    address: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    url: Option<String>,
    /// Sent as a string of ms.
    #[serde(default, deserialize_with = "opt_f64")]
    latency_ms: Option<f64>,
}

pub(crate) fn decode(common: Common, data: &str) -> Result<Vec<Silver>, String> {
    let elements: Vec<Element> = serde_json::from_str(data).map_err(|e| format!("discovery_results payload: {e}"))?;
    Ok(elements
        .into_iter()
        .enumerate()
        .map(|(rank, e)| {
            Silver::DiscoveryResult(DiscoveryResultRow {
                common: common.clone(),
                rank: Some(rank as i64),
                orchestrator_address: e.address.map(|a| a.to_ascii_lowercase()),
                orchestrator_url: e.url,
                latency_ms: e.latency_ms,
            })
        })
        .collect())
}
