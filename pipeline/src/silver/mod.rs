//! Silver: typed tables per event family.
//!
//! Each family's decoder turns one envelope's payload into zero or more rows of one or more
//! silver tables. A payload that violates its family's shape is an error (the message becomes
//! a dead letter); a family without a silver table yet stays in bronze only.

mod ai_stream_status;
mod capabilities;
mod collector_polls;
mod de;
mod discovery;
mod jobs;
mod node_metrics;
mod payments;
mod registry;
mod stream_events;
mod stream_trace;
mod test_results;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, TimestampMillisecondArray};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::{DataFilePath, Dataset, FileName, Lake, PartitionKey, WrittenFile};

pub use ai_stream_status::AiStreamStatusRow;
pub use capabilities::{CapabilityGpuRow, CapabilityModelRow, CapabilityOrchestratorRow, CapabilityPriceRow};
pub use collector_polls::{CollectorPollRow, POLL_OUTCOMES};
pub use discovery::DiscoveryResultRow;
pub use jobs::{AiBatchRequestRow, ByocJobEventRow, LlmRequestRow};
pub use node_metrics::NodeMetricRow;
pub use payments::{PaymentRow, SignedTicketRow, parse_face_value};
pub use registry::OrchestratorRegistryRow;
pub use stream_events::{AiStreamEventRow, StreamIngestMetricRow};
pub use stream_trace::StreamTraceRow;
pub use test_results::TestResultRow;

/// Columns every silver row starts with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Common {
    /// Envelope id.
    pub event_id: String,
    /// Event time: the payload's timestamp, else the envelope's (ms).
    pub event_ts: i64,
    /// Envelope time (ms, gateway clock).
    pub envelope_ts: i64,
    /// Gateway host; `None` when the envelope's `gateway` is empty.
    pub gateway: Option<String>,
    /// The [`crate::DecoderVersion`] that produced the row.
    pub decoder_version: i32,
    /// The org whose gateways feed the source ([`crate::identity`]); `None` when the source
    /// has no configured identity.
    pub org: Option<String>,
}

impl Common {
    /// Takes what `identity` says of the source: its org, and its gateway where the
    /// envelope named none.
    pub(crate) fn identify(&mut self, identity: &crate::identity::SourceIdentity) {
        self.org = Some(identity.org.clone());
        if self.gateway.is_none() {
            self.gateway.clone_from(&identity.gateway);
        }
    }
}

impl Common {
    fn columns<'a>(rows: impl Iterator<Item = &'a Common> + Clone) -> Vec<ArrayRef> {
        vec![
            Arc::new(rows.clone().map(|c| Some(c.event_id.as_str())).collect::<StringArray>()),
            timestamps(rows.clone().map(|c| Some(c.event_ts))),
            timestamps(rows.clone().map(|c| Some(c.envelope_ts))),
            strings(rows.clone().map(|c| c.gateway.as_deref())),
            Arc::new(
                rows.clone()
                    .map(|c| Some(c.decoder_version))
                    .collect::<arrow::array::Int32Array>(),
            ),
            strings(rows.map(|c| c.org.as_deref())),
        ]
    }
}

/// A row of a silver table.
pub trait SilverRow: Sized {
    /// The dataset the rows belong to.
    const DATASET: Dataset;
    /// The common columns.
    fn common(&self) -> &Common;
    /// The common columns, to fill in.
    fn common_mut(&mut self) -> &mut Common;
    /// Rows to a record batch of the dataset's schema.
    fn to_batch(rows: &[Self]) -> arrow::error::Result<RecordBatch>;
}

/// Declares a silver row type whose columns follow [`Common`]'s, in the order of its
/// dataset's schema in `lakehouse-layout` (checked when the batch is built).
macro_rules! silver_row {
    ($(#[$meta:meta])* $name:ident => $dataset:expr, { $($field:ident : $kind:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            pub(crate) common: $crate::silver::Common,
            $(pub(crate) $field: silver_row!(@ty $kind),)*
        }

        impl $crate::silver::SilverRow for $name {
            const DATASET: lakehouse_layout::Dataset = $dataset;

            fn common(&self) -> &$crate::silver::Common {
                &self.common
            }

            fn common_mut(&mut self) -> &mut $crate::silver::Common {
                &mut self.common
            }

            fn to_batch(rows: &[Self]) -> arrow::error::Result<arrow::record_batch::RecordBatch> {
                let mut columns = $crate::silver::Common::columns(rows.iter().map(|r| &r.common));
                $(columns.push(silver_row!(@col $kind, rows, $field));)*
                arrow::record_batch::RecordBatch::try_new(<Self as $crate::silver::SilverRow>::DATASET.file_schema(), columns)
            }
        }
    };
    (@ty S) => { Option<String> };
    (@ty T) => { Option<i64> };
    (@ty I) => { Option<i64> };
    (@ty F) => { Option<f64> };
    (@ty B) => { Option<bool> };
    (@ty D0) => { Option<i128> };
    (@ty D10) => { Option<i128> };
    (@col S, $rows:ident, $f:ident) => { $crate::silver::strings($rows.iter().map(|r| r.$f.as_deref())) };
    (@col T, $rows:ident, $f:ident) => { $crate::silver::timestamps($rows.iter().map(|r| r.$f)) };
    (@col I, $rows:ident, $f:ident) => {
        std::sync::Arc::new($rows.iter().map(|r| r.$f).collect::<arrow::array::Int64Array>()) as arrow::array::ArrayRef
    };
    (@col F, $rows:ident, $f:ident) => {
        std::sync::Arc::new($rows.iter().map(|r| r.$f).collect::<arrow::array::Float64Array>()) as arrow::array::ArrayRef
    };
    (@col B, $rows:ident, $f:ident) => {
        std::sync::Arc::new($rows.iter().map(|r| r.$f).collect::<arrow::array::BooleanArray>()) as arrow::array::ArrayRef
    };
    (@col D0, $rows:ident, $f:ident) => { $crate::silver::decimals($rows.iter().map(|r| r.$f), 0)? };
    (@col D10, $rows:ident, $f:ident) => {
        $crate::silver::decimals($rows.iter().map(|r| r.$f), lakehouse_layout::schema::EV_SCALE)?
    };
}
pub(crate) use silver_row;

/// Declares the silver tables: the [`Silver`] row enum and the per-partition buffers.
macro_rules! silver_tables {
    ($($variant:ident($row:ty) => $field:ident),* $(,)?) => {
        /// A decoded silver row of any table.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Silver {
            $(
                #[doc = concat!("A row of `", stringify!($field), "`.")]
                $variant($row),
            )*
        }

        impl Silver {
            /// The row's common columns.
            pub fn common_mut(&mut self) -> &mut Common {
                match self {
                    $(Silver::$variant(r) => r.common_mut(),)*
                }
            }
        }

        /// Silver rows of one source range, grouped by table and hourly partition.
        #[derive(Debug, Default)]
        pub(crate) struct SilverBuffers {
            $($field: BTreeMap<i64, Vec<$row>>,)*
        }

        impl SilverBuffers {
            pub(crate) fn push(&mut self, row: Silver) {
                match row {
                    $(Silver::$variant(r) => push_row(&mut self.$field, r),)*
                }
            }

            /// Every table's partitions as record batches, in a fixed order.
            pub(crate) fn batches(&self) -> arrow::error::Result<Vec<(Dataset, PartitionKey, RecordBatch)>> {
                let mut out = Vec::new();
                $(table_batches(&self.$field, &mut out)?;)*
                Ok(out)
            }

            /// Writes every table's partitions, in a fixed order, as files named `file`.
            pub(crate) async fn write(
                &self,
                lake: &Lake,
                file: &FileName,
                written: &mut Vec<WrittenFile>,
            ) -> lakehouse_layout::Result<()> {
                $(write_table(lake, file, &self.$field, written).await?;)*
                Ok(())
            }
        }
    };
}

silver_tables! {
    StreamTrace(StreamTraceRow) => stream_trace,
    AiStreamStatus(AiStreamStatusRow) => ai_stream_status,
    AiStreamEvent(AiStreamEventRow) => ai_stream_events,
    StreamIngestMetric(StreamIngestMetricRow) => stream_ingest_metrics,
    DiscoveryResult(DiscoveryResultRow) => discovery_results,
    CapabilityOrchestrator(CapabilityOrchestratorRow) => capability_orchestrators,
    CapabilityModel(CapabilityModelRow) => capability_models,
    CapabilityPrice(CapabilityPriceRow) => capability_prices,
    CapabilityGpu(CapabilityGpuRow) => capability_gpus,
    Payment(PaymentRow) => payments,
    SignedTicket(SignedTicketRow) => signed_tickets,
    AiBatchRequest(AiBatchRequestRow) => ai_batch_requests,
    LlmRequest(LlmRequestRow) => llm_requests,
    ByocJobEvent(ByocJobEventRow) => byoc_job_events,
    TestResult(TestResultRow) => test_results,
    OrchestratorRegistry(OrchestratorRegistryRow) => orchestrator_registry,
    NodeMetric(NodeMetricRow) => node_metrics,
    CollectorPoll(CollectorPollRow) => collector_polls,
}

impl Silver {
    /// The payload's `type` (subtype) as decoded, for the families whose payload has one;
    /// saves bronze a second parse of the payload.
    pub fn subtype(&self) -> Option<&str> {
        match self {
            Silver::StreamTrace(r) => Some(r.subtype.as_str()),
            // Every forwarded event whose type is "status" is filed as ai_stream_status.
            Silver::AiStreamStatus(_) => Some("status"),
            Silver::AiStreamEvent(r) => r.subtype.as_deref(),
            Silver::AiBatchRequest(r) => r.subtype.as_deref(),
            Silver::LlmRequest(r) => r.subtype.as_deref(),
            Silver::ByocJobEvent(r) => r.subtype.as_deref(),
            Silver::StreamIngestMetric(_)
            | Silver::DiscoveryResult(_)
            | Silver::CapabilityOrchestrator(_)
            | Silver::CapabilityModel(_)
            | Silver::CapabilityPrice(_)
            | Silver::CapabilityGpu(_)
            | Silver::Payment(_)
            | Silver::SignedTicket(_)
            | Silver::TestResult(_)
            | Silver::OrchestratorRegistry(_)
            | Silver::NodeMetric(_)
            | Silver::CollectorPoll(_) => None,
        }
    }
}

/// Whether the pipeline decodes `family` into silver (its payload's subtype, if any, is then
/// known from the silver rows).
pub(crate) fn has_silver(family: &str) -> bool {
    KNOWN_FAMILIES.contains(&family)
}

/// Families whose shape the pipeline knows, each with a silver table. Others are kept in
/// bronze and counted as unknown.
pub use lakehouse_layout::EVENT_FAMILIES as KNOWN_FAMILIES;

const HOUR_MS: i64 = 3_600_000;

/// Rows are grouped by event hour (ms / 3,600,000): an integer key per row instead of a
/// calendar partition key.
fn push_row<R: SilverRow>(table: &mut BTreeMap<i64, Vec<R>>, row: R) {
    table
        .entry(row.common().event_ts.div_euclid(HOUR_MS))
        .or_default()
        .push(row);
}

fn table_batches<R: SilverRow>(
    table: &BTreeMap<i64, Vec<R>>,
    out: &mut Vec<(Dataset, PartitionKey, RecordBatch)>,
) -> arrow::error::Result<()> {
    for (hour, rows) in table {
        out.push((R::DATASET, PartitionKey::hourly(hour * HOUR_MS), R::to_batch(rows)?));
    }
    Ok(())
}

async fn write_table<R: SilverRow>(
    lake: &Lake,
    file: &FileName,
    table: &BTreeMap<i64, Vec<R>>,
    written: &mut Vec<WrittenFile>,
) -> lakehouse_layout::Result<()> {
    for (hour, rows) in table {
        let path = DataFilePath::new(R::DATASET, PartitionKey::hourly(hour * HOUR_MS), file.clone());
        written.extend(lake.write_source_parquet(&path, &[R::to_batch(rows)?]).await?);
    }
    Ok(())
}

/// Families whose rows are deduplicated on a payload key instead of the envelope id:
/// `worker_lifecycle` events are re-published under new envelope ids when re-polled.
pub(crate) fn dedup_key(family: &str, envelope_id: &str, data: &str) -> String {
    if family == "worker_lifecycle" {
        #[derive(serde::Deserialize)]
        struct Id {
            #[serde(default, deserialize_with = "de::opt_text")]
            id: Option<String>,
        }
        if let Ok(Id { id: Some(id) }) = serde_json::from_str::<Id>(data) {
            return format!("worker_lifecycle:{id}");
        }
    }
    envelope_id.to_string()
}

/// What a payload decodes to: its rows, and the entries of an array payload that were
/// rejected one by one (each described), the others being kept.
#[derive(Debug, Default)]
pub(crate) struct SilverOutput {
    pub(crate) rows: Vec<Silver>,
    pub(crate) rejected_entries: Vec<String>,
}

impl From<Vec<Silver>> for SilverOutput {
    fn from(rows: Vec<Silver>) -> Self {
        SilverOutput {
            rows,
            rejected_entries: Vec::new(),
        }
    }
}

/// The silver rows of one envelope's payload, decoded by `version`'s rules. No rows for
/// families without a silver table; `Err(detail)` when the payload violates the family's
/// shape as a whole.
pub(crate) fn decode(
    family: &str,
    common: Common,
    data: &str,
    version: crate::DecoderVersion,
) -> Result<SilverOutput, String> {
    let expects_array = matches!(
        family,
        "discovery_results" | "network_capabilities" | "naap_orchestrator_registry"
    );
    if !has_silver(family) {
        return Ok(SilverOutput::default());
    }
    let is_array = data.starts_with('[');
    if expects_array != is_array {
        let shape = if expects_array { "an array" } else { "an object" };
        return Err(format!("{family} payload must be {shape}"));
    }
    let one = |row: Silver| vec![row];
    let rows = match family {
        "stream_trace" => stream_trace::decode(common, data).map(|r| one(Silver::StreamTrace(r))),
        "ai_stream_status" => ai_stream_status::decode(common, data).map(|r| one(Silver::AiStreamStatus(r))),
        "ai_stream_events" => stream_events::decode_event(common, data).map(|r| one(Silver::AiStreamEvent(r))),
        "stream_ingest_metrics" => stream_events::decode_ingest_metrics(common, data),
        "discovery_results" => discovery::decode(common, data),
        "network_capabilities" => return capabilities::decode(common, data, version),
        "create_new_payment" => payments::decode_payment(common, data).map(|r| one(Silver::Payment(r))),
        "create_signed_ticket" => payments::decode_signed_ticket(common, data).map(|r| one(Silver::SignedTicket(r))),
        "ai_batch_request" => jobs::decode_batch(common, data).map(|r| one(Silver::AiBatchRequest(r))),
        "ai_llm_request" => jobs::decode_llm(common, data).map(|r| one(Silver::LlmRequest(r))),
        "naap_test_result" => test_results::decode(common, data).map(|r| one(Silver::TestResult(r))),
        "naap_orchestrator_registry" => registry::decode(common, data),
        "naap_metrics_scrape" => node_metrics::decode(common, data),
        "naap_collector_poll" => collector_polls::decode(common, data).map(|r| one(Silver::CollectorPoll(r))),
        byoc => jobs::decode_byoc(byoc, common, data).map(|r| one(Silver::ByocJobEvent(r))),
    };
    rows.map(SilverOutput::from)
}

pub(crate) fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

pub(crate) fn timestamps(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(values.collect::<TimestampMillisecondArray>().with_timezone("UTC"))
}

pub(crate) fn decimals(values: impl Iterator<Item = Option<i128>>, scale: i8) -> arrow::error::Result<ArrayRef> {
    let array = values
        .collect::<arrow::array::Decimal128Array>()
        .with_precision_and_scale(lakehouse_layout::schema::WEI_PRECISION, scale)?;
    Ok(Arc::new(array))
}
