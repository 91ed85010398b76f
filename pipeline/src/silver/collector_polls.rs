//! Silver `collector_polls`: naap's `naap_collector_poll` family, one event per poll of a
//! `naap collect` target, whatever its outcome, so that a failing target is data.

use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{event_ts, opt_f64, opt_i64, opt_text, opt_time_ms};
use super::{Common, silver_row};

silver_row! {
    /// One poll of one collector target.
    CollectorPollRow => Dataset::CollectorPolls, {
        target: S,
        endpoint: S,
        url: S,
        outcome: S,
        http_status: I,
        latency_ms: F,
        response_bytes: I,
        items: I,
        error: S,
        consecutive_failures: I,
    }
}

/// The outcomes a poll can have.
pub const POLL_OUTCOMES: [&str; 5] = ["ok", "timeout", "connect_error", "http_error", "invalid_response"];

#[derive(Deserialize)]
struct Payload {
    #[serde(default, deserialize_with = "opt_time_ms")]
    started_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    target: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    endpoint: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    outcome: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    http_status: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    response_bytes: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    items: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    error: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    consecutive_failures: Option<i64>,
}

pub(crate) fn decode(mut common: Common, data: &str) -> Result<CollectorPollRow, String> {
    let p: Payload = serde_json::from_str(data).map_err(|e| format!("naap_collector_poll payload: {e}"))?;
    let (Some(target), Some(endpoint), Some(outcome)) = (p.target, p.endpoint, p.outcome) else {
        return Err("naap_collector_poll payload needs `target`, `endpoint` and `outcome`".into());
    };
    if !POLL_OUTCOMES.contains(&outcome.as_str()) {
        return Err(format!(
            "naap_collector_poll outcome {outcome:?} is not one of {POLL_OUTCOMES:?}"
        ));
    }
    common.event_ts = event_ts(p.started_at, common.envelope_ts);
    Ok(CollectorPollRow {
        common,
        target: Some(target),
        endpoint: Some(endpoint),
        url: p.url,
        outcome: Some(outcome),
        http_status: p.http_status,
        latency_ms: p.latency_ms,
        response_bytes: p.response_bytes,
        items: p.items,
        error: p.error,
        consecutive_failures: p.consecutive_failures,
    })
}
