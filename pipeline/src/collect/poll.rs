//! One poll of one target: the HTTP request, and the envelopes its answer becomes.
//!
//! Every poll yields a `naap_collector_poll` envelope describing it. A 2xx answer also yields
//! the data envelope of the target's family, even when the answer is unusable: it then
//! becomes a dead letter with the reason (and the poll's outcome is `invalid_response`), so
//! nothing a node served is silently dropped.

use std::time::Instant;

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use super::target::{Endpoint, Target};
use crate::batch::SourcePosition;
use crate::ingest::{IngestOptions, decode_message};
use crate::silver::Silver;

/// The envelopes of one poll.
#[derive(Debug)]
pub(crate) struct PollResult {
    /// When the poll started (ms); the envelopes' timestamp.
    pub(crate) started_ms: i64,
    /// The data envelope, for answers with a body.
    pub(crate) data: Option<Vec<u8>>,
    /// The `naap_collector_poll` envelope.
    pub(crate) poll: Vec<u8>,
    /// `ok`, `timeout`, `connect_error`, `http_error` or `invalid_response`.
    pub(crate) outcome: &'static str,
}

struct Outcome {
    outcome: &'static str,
    http_status: Option<u16>,
    response_bytes: Option<usize>,
    items: Option<usize>,
    error: Option<String>,
    data: Option<Vec<u8>>,
}

impl Outcome {
    fn failed(outcome: &'static str, http_status: Option<u16>, error: String) -> Self {
        Outcome {
            outcome,
            http_status,
            response_bytes: None,
            items: None,
            error: Some(error),
            data: None,
        }
    }
}

/// The error text of a reqwest failure, with its causes (reqwest's own text is terse).
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn transport_failure(error: &reqwest::Error) -> Outcome {
    let outcome = if error.is_timeout() { "timeout" } else { "connect_error" };
    Outcome::failed(outcome, None, chain(error))
}

/// Reads the body, refusing more than `max` bytes.
async fn read_body(response: &mut reqwest::Response, max: usize) -> Result<Vec<u8>, Outcome> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(Outcome::failed(
                        "invalid_response",
                        Some(response.status().as_u16()),
                        format!("the answer exceeds {max} bytes"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(transport_failure(&e)),
        }
    }
}

#[derive(Deserialize)]
struct CapabilitiesAnswer<'a> {
    #[serde(borrow)]
    orchestrators: &'a RawValue,
}

/// The payload of the target's family for an answer `body`: the JSON to put in `data`.
/// An answer of the wrong shape is passed on as a JSON string, which the family's decoder
/// refuses: the dead letter keeps the bytes.
fn payload(target: &Target, body: &[u8]) -> Result<String, (String, String)> {
    let as_text = || json!(String::from_utf8_lossy(body)).to_string();
    let text = std::str::from_utf8(body).map_err(|e| (as_text(), format!("the answer is not UTF-8: {e}")))?;
    match target.endpoint {
        Endpoint::NetworkCapabilities => match serde_json::from_str::<CapabilitiesAnswer<'_>>(text) {
            Ok(answer) => Ok(answer.orchestrators.get().to_string()),
            Err(e) => Err((
                as_text(),
                format!("the answer is not a JSON object with an `orchestrators` array: {e}"),
            )),
        },
        Endpoint::OrchestratorRegistry => match serde_json::from_str::<&RawValue>(text) {
            Ok(raw) => Ok(raw.get().to_string()),
            Err(e) => Err((as_text(), format!("the answer is not JSON: {e}"))),
        },
        Endpoint::Metrics => Ok(json!({"target": target.name, "url": target.url.as_str(), "text": text}).to_string()),
    }
}

/// Orchestrators of a capabilities or registry answer, samples of a metrics page.
fn items(silver: &[Silver]) -> usize {
    silver
        .iter()
        .filter(|row| {
            !matches!(
                row,
                Silver::CapabilityModel(_) | Silver::CapabilityPrice(_) | Silver::CapabilityGpu(_)
            )
        })
        .count()
}

fn envelope(id: &str, family: &str, started_ms: i64, gateway: &str, data: &str) -> Vec<u8> {
    format!(
        r#"{{"id":{},"type":"{family}","timestamp":"{started_ms}","gateway":{},"data":{data}}}"#,
        json!(id),
        json!(gateway)
    )
    .into_bytes()
}

/// Polls `target` once. Never fails: every failure is an outcome.
pub(crate) async fn poll(
    client: &reqwest::Client,
    target: &Target,
    started_ms: i64,
    consecutive_failures: u64,
    max_response_bytes: usize,
) -> PollResult {
    let started = Instant::now();
    let outcome = fetch(client, target, started_ms, max_response_bytes).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let failures = if outcome.outcome == "ok" {
        0
    } else {
        consecutive_failures + 1
    };
    let poll = json!({
        "started_at": started_ms,
        "target": target.name,
        "endpoint": target.endpoint.as_str(),
        "url": target.url.as_str(),
        "outcome": outcome.outcome,
        "http_status": outcome.http_status,
        "latency_ms": (latency_ms * 1000.0).round() / 1000.0,
        "response_bytes": outcome.response_bytes,
        "items": outcome.items,
        "error": outcome.error,
        "consecutive_failures": failures,
    });
    let id = format!("{}-{started_ms}-poll", target.name);
    PollResult {
        started_ms,
        data: outcome.data,
        poll: envelope(
            &id,
            "naap_collector_poll",
            started_ms,
            &target.gateway(),
            &poll.to_string(),
        ),
        outcome: outcome.outcome,
    }
}

async fn fetch(client: &reqwest::Client, target: &Target, started_ms: i64, max: usize) -> Outcome {
    let request = client.get(target.url.clone()).timeout(target.timeout);
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(e) => return transport_failure(&e),
    };
    let status = response.status();
    let body = match read_body(&mut response, max).await {
        Ok(body) => body,
        Err(outcome) => return outcome,
    };
    if !status.is_success() {
        let excerpt: String = String::from_utf8_lossy(&body).chars().take(200).collect();
        return Outcome {
            response_bytes: Some(body.len()),
            ..Outcome::failed("http_error", Some(status.as_u16()), format!("HTTP {status}: {excerpt}"))
        };
    }
    let id = format!("{}-{started_ms}", target.name);
    let family = target.endpoint.family();
    let (data, error) = match payload(target, &body) {
        Ok(data) => (data, None),
        Err((data, error)) => (data, Some(error)),
    };
    let data = envelope(&id, family, started_ms, &target.gateway(), &data);
    // The answer is decoded here once to learn whether it is usable and how many items it
    // has; the ingestor decodes it again (polls are small and rare next to Kafka traffic).
    let options = IngestOptions {
        max_message_bytes: usize::MAX,
        ..IngestOptions::default()
    };
    let position = SourcePosition {
        offset: 0,
        ingested_at: started_ms,
    };
    let decoded = decode_message(&data, position, &options);
    let rejected = decoded.dead_letter.map(|dead| dead.detail);
    let (outcome, items, error) = match error {
        Some(error) => ("invalid_response", None, Some(error)),
        // Entries rejected one by one leave the others usable: the poll is ok, and says so.
        None if decoded.bronze.accepted() => ("ok", Some(items(&decoded.silver)), rejected),
        None => ("invalid_response", None, rejected),
    };
    Outcome {
        outcome,
        http_status: Some(status.as_u16()),
        response_bytes: Some(body.len()),
        items,
        error,
        data: Some(data),
    }
}
