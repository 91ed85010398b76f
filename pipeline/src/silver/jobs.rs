//! Silver tables of the fork-only job families (§5): `ai_batch_requests`, `llm_requests`,
//! and one `byoc_job_events` table for `job_gateway`, `job_orchestrator`, `job_auth`,
//! `job_payment` and `worker_lifecycle`. Their producers are not public, so every field is
//! decoded tolerantly.

use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{OrchestratorInfo, event_ts, opt_bool, opt_f64, opt_i64, opt_text, opt_time_ms};
use super::{Common, silver_row};

silver_row! {
    /// One `ai_batch_request` event.
    AiBatchRequestRow => Dataset::AiBatchRequests, {
        subtype: S,
        request_id: S,
        pipeline: S,
        model_id: S,
        client_ip: S,
        orchestrator_url: S,
        success: B,
        tries: I,
        duration_ms: F,
        latency_score: F,
        price_per_unit: F,
        error_type: S,
        error: S,
    }
}

#[derive(Deserialize)]
struct BatchPayload {
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    subtype: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    model_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    client_ip: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orchestrator: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_url: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "opt_i64")]
    tries: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    duration_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    price_per_unit: Option<f64>,
    #[serde(default, deserialize_with = "opt_text")]
    error_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    error: Option<String>,
}

pub(crate) fn decode_batch(mut common: Common, data: &str) -> Result<AiBatchRequestRow, String> {
    let p: BatchPayload = serde_json::from_str(data).map_err(|e| format!("ai_batch_request payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    Ok(AiBatchRequestRow {
        common,
        subtype: p.subtype,
        request_id: p.request_id,
        pipeline: p.pipeline,
        model_id: p.model_id,
        client_ip: p.client_ip,
        orchestrator_url: p.orch_url.or(p.orchestrator),
        success: p.success,
        tries: p.tries,
        duration_ms: p.duration_ms,
        latency_score: p.latency_score,
        price_per_unit: p.price_per_unit,
        error_type: p.error_type,
        error: p.error,
    })
}

silver_row! {
    /// One `ai_llm_request` event.
    LlmRequestRow => Dataset::LlmRequests, {
        subtype: S,
        request_id: S,
        model: S,
        streaming: B,
        max_tokens: I,
        message_count: I,
        temperature: F,
        orchestrator_url: S,
        completion_id: S,
        prompt_tokens: I,
        completion_tokens: I,
        total_tokens: I,
        token_utilization: F,
        finish_reason: S,
        total_duration_ms: F,
        tokens_per_second: F,
        ttft_ms: F,
        latency_score: F,
        price_per_unit: F,
        client_ip: S,
        error: S,
    }
}

#[derive(Deserialize)]
struct LlmPayload {
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    subtype: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    model: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    streaming: Option<bool>,
    #[serde(default, deserialize_with = "opt_i64")]
    max_tokens: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    max_tokens_requested: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    message_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    temperature: Option<f64>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    completion_id: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    prompt_tokens: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    completion_tokens: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    total_tokens: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    token_utilization: Option<f64>,
    #[serde(default, deserialize_with = "opt_text")]
    finish_reason: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    total_duration_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    tokens_per_second: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    ttft_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    price_per_unit: Option<f64>,
    #[serde(default, deserialize_with = "opt_text")]
    client_ip: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    error: Option<String>,
}

pub(crate) fn decode_llm(mut common: Common, data: &str) -> Result<LlmRequestRow, String> {
    let p: LlmPayload = serde_json::from_str(data).map_err(|e| format!("ai_llm_request payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    Ok(LlmRequestRow {
        common,
        subtype: p.subtype,
        request_id: p.request_id,
        model: p.model,
        streaming: p.streaming,
        max_tokens: p.max_tokens.or(p.max_tokens_requested),
        message_count: p.message_count,
        temperature: p.temperature,
        orchestrator_url: p.orch_url,
        completion_id: p.completion_id,
        prompt_tokens: p.prompt_tokens,
        completion_tokens: p.completion_tokens,
        total_tokens: p.total_tokens,
        token_utilization: p.token_utilization,
        finish_reason: p.finish_reason,
        total_duration_ms: p.total_duration_ms,
        tokens_per_second: p.tokens_per_second,
        ttft_ms: p.ttft_ms,
        latency_score: p.latency_score,
        price_per_unit: p.price_per_unit,
        client_ip: p.client_ip,
        error: p.error,
    })
}

silver_row! {
    /// One BYOC event of any of the five BYOC families.
    ByocJobEventRow => Dataset::ByocJobEvents, {
        family: S,
        subtype: S,
        dedup_key: S,
        request_id: S,
        stream_id: S,
        capability: S,
        model: S,
        success: B,
        error: S,
        duration_ms: F,
        http_status: I,
        streaming: B,
        orchestrator_address: S,
        orchestrator_url: S,
        worker_url: S,
        price_per_unit: F,
        charged_compute: F,
        sender: S,
        balance_wei: F,
        diff_wei: F,
        available_capacity: I,
        selected: I,
    }
}

#[derive(Deserialize)]
struct ByocPayload {
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    subtype: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    stream_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    capability: Option<String>,
    #[serde(default)]
    worker_options: Option<Vec<Option<WorkerOption>>>,
    #[serde(default, deserialize_with = "opt_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "opt_text")]
    error: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    duration_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    http_status: Option<i64>,
    #[serde(default, deserialize_with = "opt_bool")]
    streaming: Option<bool>,
    #[serde(default)]
    orchestrator_info: Option<OrchestratorInfo>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orchestrator_addr: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    worker_url: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    price_per_unit: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    charged_compute: Option<f64>,
    #[serde(default, deserialize_with = "opt_text")]
    sender: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    balance: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    diff: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    available_capacity: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    selected: Option<i64>,
}

#[derive(Deserialize)]
struct WorkerOption {
    #[serde(default, deserialize_with = "opt_text")]
    model: Option<String>,
}

pub(crate) fn decode_byoc(family: &str, mut common: Common, data: &str) -> Result<ByocJobEventRow, String> {
    let p: ByocPayload = serde_json::from_str(data).map_err(|e| format!("{family} payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    let dedup_key = super::dedup_key(family, &common.event_id, data);
    let info = p.orchestrator_info.unwrap_or_default();
    Ok(ByocJobEventRow {
        common,
        family: Some(family.to_string()),
        subtype: p.subtype,
        dedup_key: Some(dedup_key),
        request_id: p.request_id,
        stream_id: p.stream_id,
        capability: p.capability,
        model: p
            .worker_options
            .and_then(|options| options.into_iter().flatten().find_map(|o| o.model)),
        success: p.success,
        error: p.error,
        duration_ms: p.duration_ms.or(p.latency_ms),
        http_status: p.http_status,
        streaming: p.streaming,
        orchestrator_address: info.address().or(p.orchestrator_addr.map(|a| a.to_ascii_lowercase())),
        orchestrator_url: info.url().or(p.orch_url),
        worker_url: p.worker_url,
        price_per_unit: p.price_per_unit,
        charged_compute: p.charged_compute,
        sender: p.sender.map(|a| a.to_ascii_lowercase()),
        balance_wei: p.balance,
        diff_wei: p.diff,
        available_capacity: p.available_capacity,
        selected: p.selected,
    })
}
