//! Silver `stream_trace`: one row per lifecycle milestone (§4.1 of the telemetry contract).

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::Dataset;
use serde::Deserialize;

use super::de::{OrchestratorInfo, event_ts, nonempty, opt_time_ms};
use super::{Common, SilverRow, strings};

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    subtype: String,
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
    message: Option<String>,
    #[serde(default)]
    orchestrator_info: Option<OrchestratorInfo>,
}

/// One `stream_trace` row.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamTraceRow {
    pub(crate) common: Common,
    pub(crate) subtype: String,
    pub(crate) stream_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) pipeline_id: Option<String>,
    pub(crate) orchestrator_address: Option<String>,
    pub(crate) orchestrator_url: Option<String>,
    pub(crate) model_id: Option<String>,
    pub(crate) message: Option<String>,
}

pub(crate) fn decode(mut common: Common, data: &str) -> Result<StreamTraceRow, String> {
    let p: Payload = serde_json::from_str(data).map_err(|e| format!("stream_trace payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    let info = p.orchestrator_info.unwrap_or_default();
    Ok(StreamTraceRow {
        common,
        subtype: p.subtype,
        stream_id: nonempty(p.stream_id),
        request_id: nonempty(p.request_id),
        pipeline_id: nonempty(p.pipeline_id),
        orchestrator_address: info.address(),
        orchestrator_url: info.url(),
        model_id: nonempty(p.pipeline),
        message: nonempty(p.message),
    })
}

impl SilverRow for StreamTraceRow {
    const DATASET: Dataset = Dataset::StreamTrace;

    fn common(&self) -> &Common {
        &self.common
    }

    fn common_mut(&mut self) -> &mut Common {
        &mut self.common
    }

    fn to_batch(rows: &[Self]) -> arrow::error::Result<RecordBatch> {
        let mut columns = Common::columns(rows.iter().map(|r| &r.common));
        columns.extend([
            Arc::new(rows.iter().map(|r| Some(r.subtype.as_str())).collect::<StringArray>()) as ArrayRef,
            strings(rows.iter().map(|r| r.stream_id.as_deref())),
            strings(rows.iter().map(|r| r.request_id.as_deref())),
            strings(rows.iter().map(|r| r.pipeline_id.as_deref())),
            strings(rows.iter().map(|r| r.orchestrator_address.as_deref())),
            strings(rows.iter().map(|r| r.orchestrator_url.as_deref())),
            strings(rows.iter().map(|r| r.model_id.as_deref())),
            strings(rows.iter().map(|r| r.message.as_deref())),
        ]);
        RecordBatch::try_new(Self::DATASET.file_schema(), columns)
    }
}
