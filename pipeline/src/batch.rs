//! Accumulates the rows of one source range, grouped by dataset and partition, and writes
//! them as one file per partition named after the range.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanArray, Int32Array, Int64Array, ListBuilder, StringArray, StringBuilder,
    StructBuilder, TimestampMillisecondArray,
};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use lakehouse_layout::{
    DataFilePath, Dataset, FileName, Lake, PartitionKey, SourceRange, UNPARSED_FAMILY, WrittenFile,
    family_partition_value,
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

/// What a Kafka record carries besides its value, kept in bronze for audits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KafkaRecordMeta {
    /// The record key.
    pub key: Option<Vec<u8>>,
    /// The headers, in order (a header may have no value).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// The record timestamp (producer or broker time), ms.
    pub timestamp_ms: Option<i64>,
}

/// A bronze `events` row: the message as received, borrowing from its bytes (copied once,
/// into the Arrow columns of its partition). The envelope's fields are `None` where they did
/// not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct BronzeRow<'a> {
    pub(crate) event_id: Option<Cow<'a, str>>,
    pub(crate) event_type: Option<Cow<'a, str>>,
    pub(crate) event_subtype: Option<String>,
    pub(crate) event_ts: Option<i64>,
    pub(crate) envelope_timestamp: Option<&'a str>,
    pub(crate) gateway: Option<Cow<'a, str>>,
    pub(crate) data: Option<&'a str>,
    /// Whether the envelope and its payload (or some of its entries) were accepted.
    pub(crate) accepted: bool,
    pub(crate) dead_letter_reason: Option<Reason>,
    /// The bytes, up to the ingest limit.
    pub(crate) raw: &'a [u8],
    pub(crate) raw_size: usize,
    /// SHA-256 of the whole message, when `raw` is cut.
    pub(crate) raw_sha256: Option<String>,
    pub(crate) kafka: Option<&'a KafkaRecordMeta>,
    pub(crate) position: SourcePosition,
}

impl BronzeRow<'_> {
    /// The envelope id, when it parsed.
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// The event family, when it parsed.
    pub fn event_type(&self) -> Option<&str> {
        self.event_type.as_deref()
    }

    /// Whether the message was accepted (wholly, or some entries of it).
    pub fn accepted(&self) -> bool {
        self.accepted
    }

    /// The partition the row is stored in: its family's, in the envelope's hour (unparsed
    /// messages: [`UNPARSED_FAMILY`], in the hour they were received).
    pub(crate) fn partition(&self) -> PartitionKey {
        let (family, ts) = self.partition_family_and_time();
        PartitionKey::family_hourly(family, ts)
    }

    /// The family partition value and the time that place the row (see [`Self::partition`]),
    /// without building a partition key.
    fn partition_family_and_time(&self) -> (&str, i64) {
        let family = self
            .event_type
            .as_deref()
            .map_or(UNPARSED_FAMILY, family_partition_value);
        (family, self.event_ts.unwrap_or(self.position.ingested_at))
    }
}

/// A `dead_letters` row: why a message (or an entry of it) was rejected; the message itself
/// is in bronze, at `bronze_partition` and the same source position.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetterRow {
    pub(crate) reason: Reason,
    pub(crate) detail: String,
    pub(crate) raw_size: usize,
    pub(crate) event_id: Option<String>,
    pub(crate) event_type: Option<String>,
    pub(crate) bronze_partition: String,
    pub(crate) decoder_version: i32,
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
        let (family, ts) = row.partition_family_and_time();
        let hour = ts.div_euclid(HOUR_MS);
        let families = self.bronze.entry(hour).or_default();
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
    /// `org` is the source's configured org ([`crate::identity`]), kept beside its position.
    pub(crate) async fn write(self, lake: &Lake, range: &SourceRange, org: Option<&str>) -> Result<Vec<WrittenFile>> {
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
            written.extend(lake.write_source_parquet(&path, &[columns.finish(range, org)?]).await?);
        }
        self.silver.write(lake, &file, &mut written).await?;
        for (key, rows) in &self.dead_letters {
            let path = DataFilePath::new(Dataset::DeadLetters, key.clone(), file.clone());
            written.extend(
                lake.write_source_parquet(&path, &[dead_letter_batch(rows, range, org)?])
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
    org: Option<&str>,
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
        Arc::new(StringArray::from(vec![org; len])),
    ]
}

/// The bronze columns of one partition, appended to as rows are decoded.
#[derive(Debug, Default)]
struct BronzeColumns {
    event_id: StringBuilder,
    event_type: StringBuilder,
    event_subtype: StringBuilder,
    event_ts: Vec<Option<i64>>,
    envelope_timestamp: StringBuilder,
    gateway: StringBuilder,
    data: StringBuilder,
    accepted: Vec<bool>,
    dead_letter_reason: StringBuilder,
    raw: BinaryBuilder,
    raw_size: Vec<i64>,
    raw_sha256: StringBuilder,
    kafka_key: BinaryBuilder,
    kafka_headers: KafkaHeadersBuilderSlot,
    kafka_timestamp: Vec<Option<i64>>,
    positions: Vec<(u64, i64)>,
}

type KafkaHeadersBuilder = ListBuilder<StructBuilder>;

/// The headers' builder, with the field names of the dataset's schema.
struct KafkaHeadersBuilderSlot(KafkaHeadersBuilder);

impl std::fmt::Debug for KafkaHeadersBuilderSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KafkaHeadersBuilder")
    }
}

fn kafka_headers_builder() -> KafkaHeadersBuilder {
    let DataType::List(item) = lakehouse_layout::schema::kafka_headers_type() else {
        unreachable!("kafka headers are a list")
    };
    let DataType::Struct(fields) = item.data_type() else {
        unreachable!("a kafka header is a struct")
    };
    let values = StructBuilder::new(
        fields.clone(),
        vec![Box::new(StringBuilder::new()), Box::new(BinaryBuilder::new())],
    );
    ListBuilder::new(values).with_field(item)
}

impl Default for KafkaHeadersBuilderSlot {
    fn default() -> Self {
        KafkaHeadersBuilderSlot(kafka_headers_builder())
    }
}

impl BronzeColumns {
    fn push(&mut self, row: &BronzeRow<'_>) {
        self.event_id.append_option(row.event_id.as_deref());
        self.event_type.append_option(row.event_type.as_deref());
        self.event_subtype.append_option(row.event_subtype.as_deref());
        self.event_ts.push(row.event_ts);
        self.envelope_timestamp.append_option(row.envelope_timestamp);
        self.gateway.append_option(row.gateway.as_deref());
        self.data.append_option(row.data);
        self.accepted.push(row.accepted);
        self.dead_letter_reason
            .append_option(row.dead_letter_reason.map(Reason::as_str));
        self.raw.append_value(row.raw);
        self.raw_size.push(row.raw_size as i64);
        self.raw_sha256.append_option(row.raw_sha256.as_deref());
        match row.kafka {
            Some(kafka) => {
                self.kafka_key.append_option(kafka.key.as_deref());
                let headers = &mut self.kafka_headers.0;
                for (key, value) in &kafka.headers {
                    let header = headers.values();
                    header
                        .field_builder::<StringBuilder>(0)
                        .expect("key builder")
                        .append_value(key);
                    header
                        .field_builder::<BinaryBuilder>(1)
                        .expect("value builder")
                        .append_option(value.as_deref());
                    header.append(true);
                }
                headers.append(true);
                self.kafka_timestamp.push(kafka.timestamp_ms);
            }
            None => {
                self.kafka_key.append_null();
                self.kafka_headers.0.append(false);
                self.kafka_timestamp.push(None);
            }
        }
        self.positions.push((row.position.offset, row.position.ingested_at));
    }

    fn finish(mut self, range: &SourceRange, org: Option<&str>) -> Result<RecordBatch> {
        let len = self.positions.len();
        let times = |values: Vec<Option<i64>>| Arc::new(TimestampMillisecondArray::from(values).with_timezone("UTC"));
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_id.finish()),
            Arc::new(self.event_type.finish()),
            Arc::new(self.event_subtype.finish()),
            times(std::mem::take(&mut self.event_ts)),
            Arc::new(self.envelope_timestamp.finish()),
            Arc::new(self.gateway.finish()),
            Arc::new(self.data.finish()),
            Arc::new(BooleanArray::from(std::mem::take(&mut self.accepted))),
            Arc::new(self.dead_letter_reason.finish()),
            Arc::new(self.raw.finish()),
            Arc::new(Int64Array::from(std::mem::take(&mut self.raw_size))),
            Arc::new(self.raw_sha256.finish()),
            Arc::new(self.kafka_key.finish()),
            Arc::new(self.kafka_headers.0.finish()),
            times(std::mem::take(&mut self.kafka_timestamp)),
        ];
        columns.extend(source_columns(self.positions.iter().copied(), len, range, org));
        Ok(RecordBatch::try_new(Dataset::Events.file_schema(), columns)?)
    }
}

pub(crate) fn dead_letter_batch(rows: &[DeadLetterRow], range: &SourceRange, org: Option<&str>) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| Some(r.reason.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.detail.as_str())).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| Some(r.raw_size as i64)).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| r.event_id.as_deref()).collect::<StringArray>()),
        Arc::new(rows.iter().map(|r| r.event_type.as_deref()).collect::<StringArray>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.bronze_partition.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(rows.iter().map(|r| Some(r.decoder_version)).collect::<Int32Array>()),
    ];
    columns.extend(source_columns(
        rows.iter().map(|r| (r.position.offset, r.position.ingested_at)),
        rows.len(),
        range,
        org,
    ));
    Ok(RecordBatch::try_new(Dataset::DeadLetters.file_schema(), columns)?)
}
