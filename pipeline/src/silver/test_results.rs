//! Silver `test_results`: naap's own `naap_test_result` family, one event per test-load
//! request sent by `naap scenario run` (docs/scenarios.md documents the payload).

use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{event_ts, opt_bool, opt_f64, opt_i64, opt_text, opt_time_ms};
use super::{Common, silver_row};

silver_row! {
    /// One test-load request.
    TestResultRow => Dataset::TestResults, {
        run_id: S,
        sequence: I,
        scenario: S,
        probe_region: S,
        target: S,
        pipeline: S,
        model_id: S,
        started_at_ms: I,
        latency_ms: F,
        success: B,
        http_status: I,
        error_class: S,
        error: S,
        naap_version: S,
    }
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default, deserialize_with = "opt_text")]
    run_id: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    sequence: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    scenario: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    probe_region: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    target: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    model_id: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    started_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency_ms: Option<f64>,
    #[serde(default, deserialize_with = "opt_bool")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "opt_i64")]
    http_status: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    error_class: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    error: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    naap_version: Option<String>,
}

pub(crate) fn decode(mut common: Common, data: &str) -> Result<TestResultRow, String> {
    let p: Payload = serde_json::from_str(data).map_err(|e| format!("naap_test_result payload: {e}"))?;
    if p.run_id.is_none() || p.success.is_none() {
        return Err("naap_test_result payload needs `run_id` and `success`".into());
    }
    common.event_ts = event_ts(p.started_at, common.envelope_ts);
    Ok(TestResultRow {
        common,
        run_id: p.run_id,
        sequence: p.sequence,
        scenario: p.scenario,
        probe_region: p.probe_region,
        target: p.target,
        pipeline: p.pipeline,
        model_id: p.model_id,
        started_at_ms: p.started_at,
        latency_ms: p.latency_ms,
        success: p.success,
        http_status: p.http_status,
        error_class: p.error_class,
        error: p.error,
        naap_version: p.naap_version,
    })
}
