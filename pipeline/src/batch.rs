//! Accumulates the rows of one source range, grouped by dataset and partition, and writes
//! them as one file per partition named after the range.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryArray, BooleanArray, Int32Array, Int64Array, StringArray, StringBuilder, TimestampMillisecondArray,
};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::{
    DataFilePath, Dataset, FileName, Lake, PartitionKey, SourceRange, WrittenFile, family_partition_value,
};

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

/// A bronze `events` row, borrowing from the message bytes: it is copied once, into the
/// Arrow columns of its partition.
#[derive(Debug, Clone, PartialEq)]
pub struct BronzeRow<'a> {
    pub(crate) event_id: Cow<'a, str>,
    pub(crate) event_type: Cow<'a, str>,
    pub(crate) event_subtype: Option<String>,
    pub(crate) event_ts: i64,
    pub(crate) envelope_timestamp: &'a str,
    pub(crate) gateway: Cow<'a, str>,
    pub(crate) data: &'a str,
    pub(crate) position: SourcePosition,
}

impl BronzeRow<'_> {
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

const HOUR_MS: i64 = 3_600_000;

/// The rows of one source range, waiting to be written.
#[derive(Debug, Default)]
pub(crate) struct RangeBatch {
    /// Bronze columns by event hour (ms / 3,600,000), then family: integer and short string
    /// comparisons per row instead of building a partition key for every event.
    bronze: BTreeMap<i64, Vec<(String, BronzeColumns)>>,
    dead_letters: BTreeMap<PartitionKey, Vec<DeadLetterRow>>,
    silver: SilverBuffers,
    /// Envelopes whose silver rows were dropped because their deduplication key (the
    /// envelope id; `data.id` for `worker_lifecycle`) was seen recently.
    pub(crate) duplicates: u64,
}

impl RangeBatch {
    pub(crate) fn push_bronze(&mut self, row: &BronzeRow<'_>) {
        // Keyed by the partition value, so that families stored under `_other` share a file.
        let family = family_partition_value(&row.event_type);
        let families = self.bronze.entry(row.event_ts.div_euclid(HOUR_MS)).or_default();
        let index = match families.iter().position(|(f, _)| f == family) {
            Some(index) => index,
            None => {
                families.push((family.to_string(), BronzeColumns::default()));
                families.len() - 1
            }
        };
        families[index].1.push(row);
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
        // Files in partition-key order (family, date, hour), as before the hour buckets.
        let mut bronze: Vec<(PartitionKey, BronzeColumns)> = self
            .bronze
            .into_iter()
            .flat_map(|(hour, families)| {
                families
                    .into_iter()
                    .map(move |(family, columns)| (PartitionKey::family_hourly(&family, hour * HOUR_MS), columns))
            })
            .collect();
        bronze.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, columns) in bronze {
            let path = DataFilePath::new(Dataset::Events, key, file.clone());
            written.extend(lake.write_source_parquet(&path, &[columns.finish(range)?]).await?);
        }
        self.silver.write(lake, &file, &mut written).await?;
        for (key, rows) in &self.dead_letters {
            let path = DataFilePath::new(Dataset::DeadLetters, key.clone(), file.clone());
            written.extend(
                lake.write_source_parquet(&path, &[dead_letter_batch(rows, range)?])
                    .await?,
            );
        }
        // Readers that follow the lake (servers, rollup --follow) learn of the files here.
        lake.record_changes(written.iter().map(WrittenFile::change).collect())
            .await?;
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

/// The bronze columns of one partition, appended to as rows are decoded.
#[derive(Debug, Default)]
struct BronzeColumns {
    event_id: StringBuilder,
    event_type: StringBuilder,
    event_subtype: StringBuilder,
    event_ts: Vec<i64>,
    envelope_timestamp: StringBuilder,
    gateway: StringBuilder,
    data: StringBuilder,
    positions: Vec<(u64, i64)>,
}

impl BronzeColumns {
    fn push(&mut self, row: &BronzeRow<'_>) {
        self.event_id.append_value(&row.event_id);
        self.event_type.append_value(&row.event_type);
        self.event_subtype.append_option(row.event_subtype.as_deref());
        self.event_ts.push(row.event_ts);
        self.envelope_timestamp.append_value(row.envelope_timestamp);
        self.gateway.append_value(&row.gateway);
        self.data.append_value(row.data);
        self.positions.push((row.position.offset, row.position.ingested_at));
    }

    fn finish(mut self, range: &SourceRange) -> Result<RecordBatch> {
        let len = self.positions.len();
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_id.finish()),
            Arc::new(self.event_type.finish()),
            Arc::new(self.event_subtype.finish()),
            Arc::new(TimestampMillisecondArray::from(std::mem::take(&mut self.event_ts)).with_timezone("UTC")),
            Arc::new(self.envelope_timestamp.finish()),
            Arc::new(self.gateway.finish()),
            Arc::new(self.data.finish()),
        ];
        columns.extend(source_columns(self.positions.iter().copied(), len, range));
        Ok(RecordBatch::try_new(Dataset::Events.file_schema(), columns)?)
    }
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
