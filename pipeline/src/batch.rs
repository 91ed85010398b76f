//! Accumulates the rows of one source range, grouped by dataset and partition, and writes
//! them as one file per partition named after the range.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryArray, BooleanArray, Int32Array, Int64Array, StringArray, TimestampMillisecondArray,
};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::{DataFilePath, Dataset, FileName, Lake, PartitionKey, SourceRange, WrittenFile};

use crate::dead_letter::Reason;
use crate::dedup::RecentKeys;
use crate::error::Result;
use crate::silver::{Silver, SilverBuffers};

/// Where a message came from, as stored in bronze and dead letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePosition {
    /// Offset within the source partition.
    pub offset: u64,
    /// Ingest time, ms.
    pub ingested_at: i64,
}

/// A bronze `events` row.
#[derive(Debug, Clone, PartialEq)]
pub struct BronzeRow {
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) event_subtype: Option<String>,
    pub(crate) event_ts: i64,
    pub(crate) envelope_timestamp: String,
    pub(crate) gateway: String,
    pub(crate) data: String,
    pub(crate) position: SourcePosition,
}

impl BronzeRow {
    /// The envelope id.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// The event family.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}

/// A `dead_letters` row.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetterRow {
    pub(crate) reason: Reason,
    pub(crate) detail: String,
    pub(crate) raw: Vec<u8>,
    pub(crate) raw_size: usize,
    pub(crate) event_id: Option<String>,
    pub(crate) event_type: Option<String>,
    pub(crate) position: SourcePosition,
}

impl DeadLetterRow {
    /// Why the message was rejected.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// What exactly is wrong.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// The rows of one source range, waiting to be written.
#[derive(Debug, Default)]
pub(crate) struct RangeBatch {
    bronze: BTreeMap<PartitionKey, Vec<BronzeRow>>,
    dead_letters: BTreeMap<PartitionKey, Vec<DeadLetterRow>>,
    silver: SilverBuffers,
    /// Envelopes whose silver rows were dropped because their deduplication key (the
    /// envelope id; `data.id` for `worker_lifecycle`) was seen recently.
    pub(crate) duplicates: u64,
}

impl RangeBatch {
    pub(crate) fn push_bronze(&mut self, row: BronzeRow) {
        let key = PartitionKey::family_hourly(&row.event_type, row.event_ts);
        self.bronze.entry(key).or_default().push(row);
    }

    pub(crate) fn push_dead_letter(&mut self, row: DeadLetterRow) {
        let key = PartitionKey::hourly(row.position.ingested_at);
        self.dead_letters.entry(key).or_default().push(row);
    }

    /// Adds an envelope's silver rows unless its deduplication key is in the window of
    /// recently seen keys.
    pub(crate) fn push_silver(&mut self, recent: &mut RecentKeys, dedup_key: &str, rows: Vec<Silver>) {
        if !recent.insert(dedup_key) {
            self.duplicates += 1;
            return;
        }
        for row in rows {
            self.silver.push(row);
        }
    }

    /// Writes every partition as a file named after `range`. Files of one range are written
    /// in a fixed order (dataset, then partition), so a retry rewrites the same objects.
    pub(crate) async fn write(self, lake: &Lake, range: &SourceRange) -> Result<Vec<WrittenFile>> {
        let mut written = Vec::new();
        let file = FileName::Source(range.clone());
        for (key, rows) in &self.bronze {
            let path = DataFilePath::new(Dataset::Events, key.clone(), file.clone());
            written.push(lake.write_parquet(&path, &[bronze_batch(rows, range)?]).await?);
        }
        self.silver.write(lake, &file, &mut written).await?;
        for (key, rows) in &self.dead_letters {
            let path = DataFilePath::new(Dataset::DeadLetters, key.clone(), file.clone());
            written.push(lake.write_parquet(&path, &[dead_letter_batch(rows, range)?]).await?);
        }
        Ok(written)
    }
}

fn source_columns(
    positions: impl Iterator<Item = (u64, i64)> + Clone,
    len: usize,
    range: &SourceRange,
) -> Vec<ArrayRef> {
    vec![
        Arc::new(StringArray::from(vec![range.kind().as_str(); len])),
        Arc::new(StringArray::from(vec![range.name(); len])),
        Arc::new(Int32Array::from(vec![range.partition() as i32; len])),
        Arc::new(positions.clone().map(|(o, _)| Some(o as i64)).collect::<Int64Array>()),
        Arc::new(
            positions
                .map(|(_, t)| Some(t))
                .collect::<TimestampMillisecondArray>()
                .with_timezone("UTC"),
        ),
    ]
}

fn bronze_batch(rows: &[BronzeRow], range: &SourceRange) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.event_id.as_str())).collect::<StringArray>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.event_type.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(rows.iter().map(|r| r.event_subtype.as_deref()).collect::<StringArray>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.event_ts))
                .collect::<TimestampMillisecondArray>()
                .with_timezone("UTC"),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.envelope_timestamp.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(rows.iter().map(|r| Some(r.gateway.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.data.as_str())).collect::<StringArray>()),
    ];
    columns.extend(source_columns(
        rows.iter().map(|r| (r.position.offset, r.position.ingested_at)),
        rows.len(),
        range,
    ));
    Ok(RecordBatch::try_new(Dataset::Events.file_schema(), columns)?)
}

fn dead_letter_batch(rows: &[DeadLetterRow], range: &SourceRange) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.reason.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.detail.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.raw.as_slice())).collect::<BinaryArray>()),
        Arc::new(rows.iter().map(|r| Some(r.raw_size as i64)).collect::<Int64Array>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.raw.len() < r.raw_size))
                .collect::<BooleanArray>(),
        ),
        Arc::new(rows.iter().map(|r| r.event_id.as_deref()).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| r.event_type.as_deref()).collect::<StringArray>()),
    ];
    columns.extend(source_columns(
        rows.iter().map(|r| (r.position.offset, r.position.ingested_at)),
        rows.len(),
        range,
    ));
    Ok(RecordBatch::try_new(Dataset::DeadLetters.file_schema(), columns)?)
}
