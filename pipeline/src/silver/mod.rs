//! Silver: typed tables per event family.

pub(crate) mod ai_stream_status;
mod de;
pub(crate) mod stream_trace;

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, TimestampMillisecondArray};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::Dataset;

pub use ai_stream_status::AiStreamStatusRow;
pub use stream_trace::StreamTraceRow;

/// Columns every silver row starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    /// Envelope id.
    pub event_id: String,
    /// Event time: the payload's timestamp, else the envelope's (ms).
    pub event_ts: i64,
    /// Envelope time (ms, gateway clock).
    pub envelope_ts: i64,
    /// Gateway host; `None` when the envelope's `gateway` is empty.
    pub gateway: Option<String>,
}

impl Common {
    fn columns<'a>(rows: impl Iterator<Item = &'a Common> + Clone) -> Vec<ArrayRef> {
        vec![
            Arc::new(rows.clone().map(|c| Some(c.event_id.as_str())).collect::<StringArray>()),
            timestamps(rows.clone().map(|c| Some(c.event_ts))),
            timestamps(rows.clone().map(|c| Some(c.envelope_ts))),
            strings(rows.map(|c| c.gateway.as_deref())),
        ]
    }
}

/// A row of a silver table.
pub trait SilverRow: Sized {
    /// The dataset the rows belong to.
    const DATASET: Dataset;
    /// The common columns.
    fn common(&self) -> &Common;
    /// Rows to a record batch of the dataset's schema.
    fn to_batch(rows: &[Self]) -> arrow::error::Result<RecordBatch>;
}

/// A decoded silver row of any family.
#[derive(Debug, Clone, PartialEq)]
pub enum Silver {
    /// A `stream_trace` row.
    StreamTrace(StreamTraceRow),
    /// An `ai_stream_status` row.
    AiStreamStatus(AiStreamStatusRow),
}

/// The silver decoding of a family's payload: `Ok(None)` for families without a silver table
/// yet (they stay in bronze), `Err(detail)` when the payload violates the family's schema.
pub(crate) fn decode(family: &str, common: Common, data: &str) -> Result<Option<Silver>, String> {
    let is_object = data.starts_with('{');
    match family {
        "stream_trace" | "ai_stream_status" if !is_object => Err(format!("{family} payload must be a JSON object")),
        "stream_trace" => stream_trace::decode(common, data).map(|r| Some(Silver::StreamTrace(r))),
        "ai_stream_status" => ai_stream_status::decode(common, data).map(|r| Some(Silver::AiStreamStatus(r))),
        _ => Ok(None),
    }
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn timestamps(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(values.collect::<TimestampMillisecondArray>().with_timezone("UTC"))
}
