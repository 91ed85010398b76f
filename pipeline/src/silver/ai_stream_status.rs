//! Silver `ai_stream_status`: one row per status sample (§4.2 of the telemetry contract).
//! `start_time` arrives as a number in real payloads (the predecessor read it as a string
//! and lost prompt-to-first-frame); every time field here accepts both.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{OrchestratorInfo, event_ts, nonempty, opt_f64, opt_i64, opt_time_ms};
use super::{Common, SilverRow, strings, timestamps};

#[derive(Deserialize)]
struct Payload {
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default)]
    stream_id: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    pipeline_id: Option<String>,
    #[serde(default)]
    pipeline: Option<String>,
    #[serde(default)]
    orchestrator_info: Option<OrchestratorInfo>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    start_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    last_state_update_time: Option<i64>,
    #[serde(default)]
    input_status: Option<InputStatus>,
    #[serde(default)]
    inference_status: Option<InferenceStatus>,
}

#[derive(Default, Deserialize)]
struct InputStatus {
    #[serde(default, deserialize_with = "opt_f64")]
    fps: Option<f64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    last_input_time: Option<i64>,
}

#[derive(Default, Deserialize)]
struct InferenceStatus {
    #[serde(default, deserialize_with = "opt_f64")]
    fps: Option<f64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    last_output_time: Option<i64>,
    #[serde(default)]
    last_error: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    last_error_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    restart_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    last_restart_time: Option<i64>,
    #[serde(default)]
    last_params_hash: Option<String>,
}

/// One `ai_stream_status` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AiStreamStatusRow {
    pub(crate) common: Common,
    pub(crate) stream_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) pipeline_id: Option<String>,
    pub(crate) orchestrator_address: Option<String>,
    pub(crate) orchestrator_url: Option<String>,
    pub(crate) model_id: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) start_time: Option<i64>,
    pub(crate) last_state_update_time: Option<i64>,
    pub(crate) input_fps: Option<f64>,
    pub(crate) output_fps: Option<f64>,
    pub(crate) last_input_time: Option<i64>,
    pub(crate) last_output_time: Option<i64>,
    pub(crate) last_error: Option<String>,
    pub(crate) last_error_time: Option<i64>,
    pub(crate) restart_count: Option<i64>,
    pub(crate) last_restart_time: Option<i64>,
    pub(crate) last_params_hash: Option<String>,
}

pub(crate) fn decode(mut common: Common, data: &str) -> Result<AiStreamStatusRow, String> {
    let p: Payload = serde_json::from_str(data).map_err(|e| format!("ai_stream_status payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    let info = p.orchestrator_info.unwrap_or_default();
    let input = p.input_status.unwrap_or_default();
    let inference = p.inference_status.unwrap_or_default();
    Ok(AiStreamStatusRow {
        common,
        stream_id: nonempty(p.stream_id),
        request_id: nonempty(p.request_id),
        pipeline_id: nonempty(p.pipeline_id),
        orchestrator_address: info.address(),
        orchestrator_url: info.url(),
        model_id: nonempty(p.pipeline),
        state: nonempty(p.state),
        start_time: p.start_time,
        last_state_update_time: p.last_state_update_time,
        input_fps: input.fps,
        output_fps: inference.fps,
        last_input_time: input.last_input_time,
        last_output_time: inference.last_output_time,
        last_error: nonempty(inference.last_error),
        last_error_time: inference.last_error_time,
        restart_count: inference.restart_count,
        last_restart_time: inference.last_restart_time,
        last_params_hash: nonempty(inference.last_params_hash),
    })
}

impl SilverRow for AiStreamStatusRow {
    const DATASET: Dataset = Dataset::AiStreamStatus;

    fn common(&self) -> &Common {
        &self.common
    }

    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }

    fn to_batch(rows: &[Self]) -> arrow::error::Result<RecordBatch> {
        let mut columns = Common::columns(rows.iter().map(|r| &r.common));
        columns.extend([
            strings(rows.iter().map(|r| r.stream_id.as_deref())),
            strings(rows.iter().map(|r| r.request_id.as_deref())),
            strings(rows.iter().map(|r| r.pipeline_id.as_deref())),
            strings(rows.iter().map(|r| r.orchestrator_address.as_deref())),
            strings(rows.iter().map(|r| r.orchestrator_url.as_deref())),
            strings(rows.iter().map(|r| r.model_id.as_deref())),
            strings(rows.iter().map(|r| r.state.as_deref())),
            timestamps(rows.iter().map(|r| r.start_time)),
            timestamps(rows.iter().map(|r| r.last_state_update_time)),
            Arc::new(rows.iter().map(|r| r.input_fps).collect::<Float64Array>()) as ArrayRef,
            Arc::new(rows.iter().map(|r| r.output_fps).collect::<Float64Array>()) as ArrayRef,
            timestamps(rows.iter().map(|r| r.last_input_time)),
            timestamps(rows.iter().map(|r| r.last_output_time)),
            strings(rows.iter().map(|r| r.last_error.as_deref())),
            timestamps(rows.iter().map(|r| r.last_error_time)),
            Arc::new(rows.iter().map(|r| r.restart_count).collect::<Int64Array>()) as ArrayRef,
            timestamps(rows.iter().map(|r| r.last_restart_time)),
            strings(rows.iter().map(|r| r.last_params_hash.as_deref())),
        ]);
        RecordBatch::try_new(Self::DATASET.file_schema(), columns)
    }
}
