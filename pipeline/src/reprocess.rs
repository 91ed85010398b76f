//! `naap reprocess`: re-derive silver and dead letters from bronze with the current decoders.
//!
//! Bronze keeps every message as received (its bytes, or for files written before it did,
//! the envelope's fields, from which the message is rebuilt). Reprocessing a range of bronze
//! hours decodes their messages again, hour by hour, and replaces in silver and dead letters
//! exactly the rows those messages produced:
//!
//! * silver rows are the messages' by `event_id`, looked for in the partitions the new rows
//!   go to and in the hours around the messages' own (a payload's time is the partition's,
//!   and it lies within seconds of the envelope's);
//! * dead letters are the messages' by source position (kind, name, partition, offset), in
//!   the hours the messages were received;
//! * bronze keeps the bytes; only what the decoders made of them (`accepted`,
//!   `dead_letter_reason`) is updated.
//!
//! Each partition is replaced as a whole with [`rewrite_partition`] (the record, the new
//! file, then the deletion of the old ones: what compaction does), so a reader never sees a
//! partition half rewritten, and rows ingested meanwhile are kept. A partition whose rows
//! would not change is not touched: a second run changes nothing, and a run killed anywhere
//! is finished by running it again (the hours already done cost their reads only). The
//! rollups then recompute the gold windows the rewritten partitions reach, as for any other
//! change to their inputs.
//!
//! Within an hour, duplicate deliveries of an event get one set of silver rows (the window
//! of [`crate::IngestOptions::dedup_window`] starts empty each hour; rollups deduplicate on
//! `event_id` in any case). Do not run `naap compact` on the same partitions at the same time.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray, BooleanArray, RecordBatch, StringArray, new_null_array};
use arrow::compute::{cast, concat_batches, filter_record_batch};
use arrow::datatypes::SchemaRef;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use lakehouse_layout::compaction::{partitions, read_partition, rewrite_partition};
use lakehouse_layout::{Dataset, Lake, PartitionKey, SourceKind, SourceRange};

use crate::batch::{DeadLetterRow, KafkaRecordMeta, SourcePosition, dead_letter_batch};
use crate::dedup::RecentKeys;
use crate::error::{Error, Result};
use crate::ingest::{IngestOptions, decode_message_from};
use crate::silver::{self, SilverBuffers};

const HOUR_MS: i64 = 3_600_000;

/// What to reprocess.
#[derive(Debug, Clone)]
pub struct ReprocessOptions {
    /// First bronze hour (ms, whole hour).
    pub from_ms: i64,
    /// End of the bronze hours, exclusive (ms, whole hour).
    pub to_ms: i64,
    /// Only the bronze partitions of these families (empty: all, unparsed messages included).
    pub families: Vec<String>,
    /// Count what would change; write nothing.
    pub dry_run: bool,
    /// The decoders and limits to decode with.
    pub ingest: IngestOptions,
}

/// How the rows of one dataset changed (or would change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowChanges {
    /// Rows of messages that had none in the dataset.
    pub added: u64,
    /// Rows of messages that have none any more.
    pub removed: u64,
    /// Rows of messages whose rows differ (counted as the new rows).
    pub changed: u64,
    /// Rows equal but for the decoder version that produced them.
    pub redecoded: u64,
    /// Rows equal, decoder version included.
    pub unchanged: u64,
}

/// What a reprocessing run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReprocessReport {
    /// Bronze hours read.
    pub hours: usize,
    /// Messages decoded again.
    pub messages: u64,
    /// Partitions replaced (or, dry, to replace).
    pub partitions_rewritten: u64,
    /// Per dataset (silver tables and dead letters).
    pub datasets: BTreeMap<Dataset, RowChanges>,
}

/// One bronze hour done, for progress reports.
#[derive(Debug, Clone, Copy)]
pub struct HourDone {
    /// The hour's start, ms.
    pub hour_ms: i64,
    /// Hours done so far, this one included.
    pub done: usize,
    /// Hours to do in all.
    pub total: usize,
    /// Messages the hour held.
    pub messages: u64,
}

/// A message read back from bronze, with where it came from.
struct Stored {
    source: (SourceKind, String, u32),
    offset: u64,
    ingested_at: i64,
    bytes: Vec<u8>,
    kafka: Option<KafkaRecordMeta>,
}

/// Reprocesses the bronze hours `[from_ms, to_ms)`; `progress` is called after each hour.
pub async fn reprocess(
    lake: &Lake,
    options: &ReprocessOptions,
    mut progress: impl FnMut(HourDone),
) -> Result<ReprocessReport> {
    if options.from_ms % HOUR_MS != 0 || options.to_ms % HOUR_MS != 0 || options.from_ms >= options.to_ms {
        return Err(Error::Config(
            "reprocess needs whole hours, with --from before --to".to_string(),
        ));
    }
    let wanted = |family: &str| options.families.is_empty() || options.families.iter().any(|f| f == family);
    let mut by_hour: BTreeMap<i64, Vec<PartitionKey>> = BTreeMap::new();
    for (partition, _) in partitions(lake, Dataset::Events).await? {
        let start = partition.start_ms();
        if (options.from_ms..options.to_ms).contains(&start) && partition.family.as_deref().is_some_and(wanted) {
            by_hour.entry(start).or_default().push(partition);
        }
    }
    let mut report = ReprocessReport {
        hours: by_hour.len(),
        ..ReprocessReport::default()
    };
    let total = by_hour.len();
    for (done, (hour_ms, bronze_partitions)) in by_hour.into_iter().enumerate() {
        let messages = reprocess_hour(lake, options, hour_ms, &bronze_partitions, &mut report).await?;
        report.messages += messages;
        progress(HourDone {
            hour_ms,
            done: done + 1,
            total,
            messages,
        });
    }
    Ok(report)
}

async fn reprocess_hour(
    lake: &Lake,
    options: &ReprocessOptions,
    hour_ms: i64,
    bronze_partitions: &[PartitionKey],
    report: &mut ReprocessReport,
) -> Result<u64> {
    let mut stored = Vec::new();
    for partition in bronze_partitions {
        for batch in read_partition(lake, Dataset::Events, partition).await? {
            stored.extend(stored_messages(&batch)?);
        }
    }
    // The order messages were delivered in, per source.
    stored.sort_by(|a, b| (&a.source, a.offset).cmp(&(&b.source, b.offset)));

    let mut recent = RecentKeys::new(options.ingest.dedup_window);
    let mut silver = SilverBuffers::default();
    let mut dead_letters: BTreeMap<PartitionKey, Vec<(&Stored, DeadLetterRow)>> = BTreeMap::new();
    let mut event_ids: HashSet<String> = HashSet::new();
    let mut positions: HashSet<PositionKey> = HashSet::new();
    let mut received_hours: BTreeSet<PartitionKey> = BTreeSet::new();
    let mut outcomes: HashMap<PositionKey, (bool, Option<&'static str>)> = HashMap::new();
    for message in &stored {
        let position = SourcePosition {
            offset: message.offset,
            ingested_at: message.ingested_at,
        };
        let mut decoded = decode_message_from(&message.bytes, message.kafka.as_ref(), position, &options.ingest);
        // The source's identity, as ingest gave it.
        decoded.identify(options.ingest.identities.of_source(message.source.0, &message.source.1));
        positions.insert(position_key(message));
        outcomes.insert(
            position_key(message),
            (
                decoded.bronze.accepted(),
                decoded.dead_letter.as_ref().map(|d| d.reason().as_str()),
            ),
        );
        received_hours.insert(PartitionKey::hourly(message.ingested_at));
        if let Some(id) = decoded.bronze.event_id() {
            event_ids.insert(id.to_string());
        }
        if decoded.bronze.accepted() && !decoded.silver.is_empty() {
            let family = decoded.bronze.event_type().unwrap_or_default();
            let id = decoded.bronze.event_id().unwrap_or_default();
            let key = silver::dedup_key(family, id, decoded.bronze.data.unwrap_or_default());
            if recent.insert(&key) {
                for row in decoded.silver {
                    silver.push(row);
                }
            }
        }
        if let Some(dead) = decoded.dead_letter {
            let partition = PartitionKey::hourly(dead.position.ingested_at);
            dead_letters.entry(partition).or_default().push((message, dead));
        }
    }

    // Bronze keeps the bytes as received; what the decoders made of them is updated.
    for partition in bronze_partitions {
        update_outcomes(lake, options, report, partition, &outcomes).await?;
    }

    // Silver: the partitions new rows go to, and the hours around the messages'.
    let mut new_rows: BTreeMap<(Dataset, PartitionKey), Vec<RecordBatch>> = BTreeMap::new();
    for (dataset, partition, batch) in silver.batches()? {
        new_rows.entry((dataset, partition)).or_default().push(batch);
    }
    let mut targets: BTreeSet<(Dataset, PartitionKey)> = new_rows.keys().cloned().collect();
    for dataset in Dataset::ALL
        .into_iter()
        .filter(|d| d.layer() == lakehouse_layout::Layer::Silver)
    {
        for hour in [hour_ms - HOUR_MS, hour_ms, hour_ms + HOUR_MS] {
            targets.insert((dataset, PartitionKey::hourly(hour)));
        }
    }
    for (dataset, partition) in targets {
        let new = new_rows.remove(&(dataset, partition.clone())).unwrap_or_default();
        let mine = |batch: &RecordBatch| membership(batch, "event_id", |row| event_ids.contains(row));
        replace(lake, options, report, dataset, &partition, new, &mine, "event_id").await?;
    }

    // Dead letters: the hours the messages were received in.
    for partition in &received_hours {
        let rows = dead_letters.remove(partition).unwrap_or_default();
        let mut new = Vec::new();
        let mut by_source: BTreeMap<(SourceKind, String, u32), Vec<DeadLetterRow>> = BTreeMap::new();
        for (message, row) in rows {
            by_source.entry(message.source.clone()).or_default().push(row);
        }
        for ((kind, name, source_partition), rows) in by_source {
            let first = rows.iter().map(|r| r.position.offset).min().unwrap_or(0);
            let last = rows.iter().map(|r| r.position.offset).max().unwrap_or(0);
            let range = SourceRange::new(kind, &name, source_partition, first, last)?;
            let org = options.ingest.identities.of(&range).map(|i| i.org.as_str());
            new.push(dead_letter_batch(&rows, &range, org)?);
        }
        let mine = |batch: &RecordBatch| dead_letter_membership(batch, &positions);
        replace(
            lake,
            options,
            report,
            Dataset::DeadLetters,
            partition,
            new,
            &mine,
            "source_offset",
        )
        .await?;
    }
    Ok(stored.len() as u64)
}

type PositionKey = (String, String, i64, i64);

/// Sets `accepted` and `dead_letter_reason` of a bronze partition's rows to what the current
/// decoders made of them, rewriting the partition only if one changed.
async fn update_outcomes(
    lake: &Lake,
    options: &ReprocessOptions,
    report: &mut ReprocessReport,
    partition: &PartitionKey,
    outcomes: &HashMap<PositionKey, (bool, Option<&'static str>)>,
) -> Result<()> {
    let schema = Dataset::Events.file_schema();
    let with_outcomes = |batch: &RecordBatch| -> Result<(RecordBatch, u64)> {
        let batch = conform(batch, &schema)?;
        let keys = position_keys(&batch)?;
        let accepted = column(&batch, "accepted")?
            .as_any()
            .downcast_ref::<BooleanArray>()
            .expect("accepted is boolean")
            .clone();
        let reasons = string_column(&batch, "dead_letter_reason")?;
        let mut changed = 0;
        let mut new_accepted = Vec::with_capacity(keys.len());
        let mut new_reasons = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            // Files written before bronze kept every message have no outcome: every row of
            // them was accepted whole.
            let before = (
                Some(!accepted.is_valid(i) || accepted.value(i)),
                reasons.is_valid(i).then(|| reasons.value(i)),
            );
            let after = outcomes.get(key).map(|(a, r)| (Some(*a), *r)).unwrap_or(before);
            changed += u64::from(after != before);
            new_accepted.push(after.0);
            new_reasons.push(after.1);
        }
        let mut columns = batch.columns().to_vec();
        columns[schema.index_of("accepted")?] = Arc::new(BooleanArray::from(new_accepted));
        columns[schema.index_of("dead_letter_reason")?] = Arc::new(StringArray::from(new_reasons));
        Ok((RecordBatch::try_new(Arc::clone(&schema), columns)?, changed))
    };
    let mut changed = 0;
    let mut rows = 0;
    for batch in read_partition(lake, Dataset::Events, partition).await? {
        rows += batch.num_rows() as u64;
        changed += with_outcomes(&batch)?.1;
    }
    let changes = report.datasets.entry(Dataset::Events).or_default();
    changes.changed += changed;
    changes.unchanged += rows - changed;
    if changed == 0 {
        return Ok(());
    }
    report.partitions_rewritten += 1;
    if options.dry_run {
        return Ok(());
    }
    rewrite_partition(lake, Dataset::Events, partition, |batches| {
        batches
            .iter()
            .map(|b| with_outcomes(b).map(|(b, _)| b).map_err(lake_error))
            .collect()
    })
    .await?;
    Ok(())
}

/// Replaces the rows `mine` selects in one partition with `new`, unless they are equal.
#[allow(clippy::too_many_arguments)]
async fn replace(
    lake: &Lake,
    options: &ReprocessOptions,
    report: &mut ReprocessReport,
    dataset: Dataset,
    partition: &PartitionKey,
    new: Vec<RecordBatch>,
    mine: &(dyn Fn(&RecordBatch) -> Result<BooleanArray> + Sync),
    key_column: &str,
) -> Result<()> {
    let schema = dataset.file_schema();
    let new: Vec<RecordBatch> = new.iter().map(|b| conform(b, &schema)).collect::<Result<_>>()?;
    let current: Vec<RecordBatch> = read_partition(lake, dataset, partition)
        .await?
        .iter()
        .map(|b| conform(b, &schema))
        .collect::<Result<_>>()?;
    let mut old = Vec::new();
    for batch in &current {
        old.push(filter_record_batch(batch, &mine(batch)?)?);
    }
    let old_rows = canonical_rows(&old, key_column)?;
    let new_rows = canonical_rows(&new, key_column)?;
    if old_rows.is_empty() && new_rows.is_empty() {
        return Ok(());
    }
    let changes = report.datasets.entry(dataset).or_default();
    let same = count_changes(&old_rows, &new_rows, changes);
    if same {
        return Ok(());
    }
    report.partitions_rewritten += 1;
    if options.dry_run {
        return Ok(());
    }
    rewrite_partition(lake, dataset, partition, |batches| {
        let mut kept = Vec::new();
        for batch in &batches {
            let batch = conform(batch, &schema).map_err(lake_error)?;
            let selected = mine(&batch).map_err(lake_error)?;
            let keep = arrow::compute::not(&selected).map_err(arrow_error)?;
            kept.push(filter_record_batch(&batch, &keep).map_err(arrow_error)?);
        }
        kept.extend(new);
        let merged = concat_batches(&schema, &kept).map_err(arrow_error)?;
        Ok(vec![merged])
    })
    .await?;
    Ok(())
}

/// The lake's error for a failure inside a partition rewrite (only lake and Arrow errors
/// arise there).
fn lake_error(error: Error) -> lakehouse_layout::Error {
    match error {
        Error::Lake(e) => e,
        Error::Arrow(e) => lakehouse_layout::Error::Arrow(e),
        other => lakehouse_layout::Error::CorruptState {
            path: "reprocess".to_string(),
            detail: other.to_string(),
        },
    }
}

fn arrow_error(error: arrow::error::ArrowError) -> lakehouse_layout::Error {
    lakehouse_layout::Error::Arrow(error)
}

/// Adds the differences between the rows a partition holds for the messages and their new
/// rows, by key; true when they are identical, decoder versions included.
fn count_changes(
    old: &BTreeMap<String, Vec<(String, String)>>,
    new: &BTreeMap<String, Vec<(String, String)>>,
    changes: &mut RowChanges,
) -> bool {
    let mut identical = true;
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let sorted = |rows: Option<&Vec<(String, String)>>, with_version: bool| {
            let mut rows: Vec<String> = rows
                .map(|r| {
                    r.iter()
                        .map(|(row, version)| {
                            if with_version {
                                format!("{row}|{version}")
                            } else {
                                row.clone()
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            rows.sort();
            rows
        };
        let (before, after) = (old.get(key), new.get(key));
        let n_after = after.map_or(0, Vec::len) as u64;
        match (before, after) {
            (None, Some(_)) => changes.added += n_after,
            (Some(rows), None) => changes.removed += rows.len() as u64,
            _ if sorted(before, false) != sorted(after, false) => changes.changed += n_after,
            _ if sorted(before, true) != sorted(after, true) => changes.redecoded += n_after,
            _ => {
                changes.unchanged += n_after;
                continue;
            }
        }
        identical = false;
    }
    identical
}

/// Every row as text (decoder version apart), grouped by its key column.
fn canonical_rows(batches: &[RecordBatch], key_column: &str) -> Result<BTreeMap<String, Vec<(String, String)>>> {
    let mut rows: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let options = FormatOptions::default().with_null("∅");
    for batch in batches {
        let schema = batch.schema();
        let mut columns = Vec::new();
        let mut version = None;
        let mut key = None;
        for (i, field) in schema.fields().iter().enumerate() {
            let formatter = ArrayFormatter::try_new(batch.column(i).as_ref(), &options)?;
            match field.name().as_str() {
                "decoder_version" => version = Some(formatter),
                name => {
                    if name == key_column {
                        key = Some(columns.len());
                    }
                    columns.push(formatter);
                }
            }
        }
        for row in 0..batch.num_rows() {
            let text: Vec<String> = columns.iter().map(|c| c.value(row).to_string()).collect();
            let version = version.as_ref().map(|v| v.value(row).to_string()).unwrap_or_default();
            let key = key.map(|k| text[k].clone()).unwrap_or_default();
            rows.entry(key).or_default().push((text.join("|"), version));
        }
    }
    Ok(rows)
}

/// `batch` with the columns of `schema`, in its order: columns a file written by an older
/// naap lacks are NULL, columns it has that the schema dropped are left out.
fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|field| match batch.column_by_name(field.name()) {
            Some(column) if column.data_type() == field.data_type() => Ok(Arc::clone(column)),
            Some(column) => cast(column, field.data_type()),
            None => Ok(new_null_array(field.data_type(), batch.num_rows())),
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

/// Which rows of `batch` have a `column` value `wanted` accepts.
fn membership(batch: &RecordBatch, column: &str, wanted: impl Fn(&str) -> bool) -> Result<BooleanArray> {
    let values = string_column(batch, column)?;
    Ok((0..batch.num_rows())
        .map(|i| Some(values.is_valid(i) && wanted(values.value(i))))
        .collect())
}

fn dead_letter_membership(batch: &RecordBatch, positions: &HashSet<PositionKey>) -> Result<BooleanArray> {
    let keys = position_keys(batch)?;
    Ok(keys.iter().map(|key| Some(positions.contains(key))).collect())
}

/// The source position of every row of a bronze or dead-letter batch.
fn position_keys(batch: &RecordBatch) -> Result<Vec<PositionKey>> {
    let kinds = string_column(batch, "source_kind")?;
    let names = string_column(batch, "source_name")?;
    let partitions = cast(column(batch, "source_partition")?, &arrow::datatypes::DataType::Int64)?;
    let partitions = partitions
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .expect("cast to Int64");
    let offsets = cast(column(batch, "source_offset")?, &arrow::datatypes::DataType::Int64)?;
    let offsets = offsets
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .expect("cast to Int64");
    Ok((0..batch.num_rows())
        .map(|i| {
            (
                kinds.value(i).to_string(),
                names.value(i).to_string(),
                partitions.value(i),
                offsets.value(i),
            )
        })
        .collect())
}

fn position_key(message: &Stored) -> PositionKey {
    (
        message.source.0.as_str().to_string(),
        message.source.1.clone(),
        i64::from(message.source.2),
        message.offset as i64,
    )
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        Error::Lake(lakehouse_layout::Error::CorruptState {
            path: "bronze".to_string(),
            detail: format!("a file has no column {name:?}"),
        })
    })
}

fn string_column(batch: &RecordBatch, name: &str) -> Result<StringArray> {
    let values = cast(column(batch, name)?, &arrow::datatypes::DataType::Utf8)?;
    Ok(values
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8")
        .clone())
}

/// The messages of a bronze batch: their bytes as received, or for rows written before
/// bronze kept them, the envelope rebuilt from its columns (decoding depends on nothing else).
fn stored_messages(batch: &RecordBatch) -> Result<Vec<Stored>> {
    let schema = Dataset::Events.file_schema();
    let batch = conform(batch, &schema)?;
    let text = |name: &str| string_column(&batch, name);
    let (ids, families, envelope_ts, gateways, data) = (
        text("event_id")?,
        text("event_type")?,
        text("envelope_timestamp")?,
        text("gateway")?,
        text("data")?,
    );
    let (kinds, names) = (text("source_kind")?, text("source_name")?);
    let raw = column(&batch, "raw")?
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("raw is binary");
    let ints = |name: &str| -> Result<arrow::array::Int64Array> {
        let values = cast(column(&batch, name)?, &arrow::datatypes::DataType::Int64)?;
        Ok(values
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .expect("cast to Int64")
            .clone())
    };
    let (partitions, offsets, ingested) = (ints("source_partition")?, ints("source_offset")?, ints("ingested_at")?);
    let (key, timestamps) = (
        column(&batch, "kafka_key")?
            .as_any()
            .downcast_ref::<BinaryArray>()
            .expect("kafka_key is binary"),
        ints("kafka_timestamp")?,
    );
    let headers = column(&batch, "kafka_headers")?
        .as_any()
        .downcast_ref::<arrow::array::ListArray>()
        .expect("kafka_headers is a list");
    let mut messages = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let kind = SourceKind::from_tag(kinds.value(i)).ok_or_else(|| {
            Error::Lake(lakehouse_layout::Error::CorruptState {
                path: "bronze".to_string(),
                detail: format!("unknown source kind {:?}", kinds.value(i)),
            })
        })?;
        let bytes = if raw.is_valid(i) {
            raw.value(i).to_vec()
        } else {
            rebuild_envelope(
                ids.value(i),
                families.value(i),
                envelope_ts.value(i),
                gateways.value(i),
                data.value(i),
            )
        };
        let kafka = (kind == SourceKind::Kafka && headers.is_valid(i)).then(|| KafkaRecordMeta {
            key: key.is_valid(i).then(|| key.value(i).to_vec()),
            headers: header_pairs(&headers.value(i)),
            timestamp_ms: timestamps.is_valid(i).then(|| timestamps.value(i)),
        });
        messages.push(Stored {
            source: (kind, names.value(i).to_string(), partitions.value(i) as u32),
            offset: offsets.value(i) as u64,
            ingested_at: ingested.value(i),
            bytes,
            kafka,
        });
    }
    Ok(messages)
}

fn header_pairs(headers: &ArrayRef) -> Vec<(String, Option<Vec<u8>>)> {
    let headers = headers
        .as_any()
        .downcast_ref::<arrow::array::StructArray>()
        .expect("a header is a struct");
    let keys = headers.column(0).as_any().downcast_ref::<StringArray>().expect("key");
    let values = headers.column(1).as_any().downcast_ref::<BinaryArray>().expect("value");
    (0..headers.len())
        .map(|i| {
            (
                keys.value(i).to_string(),
                values.is_valid(i).then(|| values.value(i).to_vec()),
            )
        })
        .collect()
}

/// The envelope of a bronze row written before bronze kept the bytes: only accepted
/// messages were in bronze then, so every field is there.
fn rebuild_envelope(id: &str, family: &str, timestamp: &str, gateway: &str, data: &str) -> Vec<u8> {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    format!(
        r#"{{"id":{},"type":{},"timestamp":{},"gateway":{},"data":{data}}}"#,
        quote(id),
        quote(family),
        quote(timestamp),
        quote(gateway)
    )
    .into_bytes()
}
