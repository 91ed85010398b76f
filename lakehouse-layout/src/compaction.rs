//! Compaction and retention: merge the small files of a partition into one, and drop
//! partitions older than a dataset's retention.
//!
//! Ingestion writes one file per source range and partition, so a day of Kafka batches leaves
//! thousands of small files. [`compact_partition`] merges them into
//! `compacted-<hash>.parquet` (rows in file-name order, so the same files give the same
//! bytes), keeping exactly-once: a *compaction record*
//! (`_compaction/<dataset>/<partition>/record.json`) lists every source file merged, and the
//! ingest writer asks [`Lake::is_compacted`] before writing a source range's file, so a range
//! delivered again after its file was merged is not written twice.
//!
//! Order of the steps, each a single `put` or `delete`: (1) the record, naming the new
//! compacted file and all sources; (2) the compacted file; (3) deleting the sources and the
//! previous compacted file. A crash after (1) leaves the sources (rows once); after (2) the
//! merged rows exist twice until the next run, which first rolls every record forward
//! ([`compact_partition`] deletes any source a record lists). Readers that list a partition
//! between (2) and (3) can see its rows twice for that instant: partitions are only compacted
//! once they are older than [`MIN_COMPACTION_AGE_MS`], when nothing reads them in a hurry.

use std::collections::BTreeSet;

use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use object_store::path::Path;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::change_log::FileChange;

use crate::error::{Error, Result};
use crate::{DataFilePath, Dataset, FileName, Lake, Layer, PartitionKey, Partitioning};

/// Folder of the compaction records.
pub const COMPACTION_DIR: &str = "_compaction";

/// Partitions whose time span ended less than this long ago are never compacted (late data
/// still arrives; readers and rollups are busy with them).
pub const MIN_COMPACTION_AGE_MS: i64 = 2 * 3_600_000;

/// What one partition's compaction merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactionRecord {
    /// The compacted file's name.
    pub file: String,
    /// Every source file name whose rows it holds (sorted), across successive compactions.
    pub sources: BTreeSet<String>,
    /// Rows in the compacted file.
    pub rows: u64,
    /// How many times the partition's rows were rewritten in place ([`rewrite_partition`]):
    /// part of the file name, so that a rewritten file never takes an existing name.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What compacting one partition did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionCompaction {
    /// Files before.
    pub files_before: usize,
    /// Files after.
    pub files_after: usize,
    /// Rows in the partition (unchanged by compaction).
    pub rows: u64,
}

/// The record of `partition` of `dataset`.
pub fn compaction_record_path(dataset: Dataset, partition: &PartitionKey) -> Path {
    Path::from(format!(
        "{COMPACTION_DIR}/{}/{}/record.json",
        dataset.dir(),
        partition.to_path_segments()
    ))
}

/// Whether `dataset`'s files are merged by compaction: files written per source range
/// (bronze, silver, dead letters). Gold partitions are one file already.
pub fn is_compactable(dataset: Dataset) -> bool {
    dataset.layer() != Layer::Gold
}

fn hash_of(sources: &BTreeSet<String>, revision: u64) -> String {
    let mut hasher = Sha256::new();
    for name in sources {
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
    }
    if revision > 0 {
        hasher.update(format!("revision {revision}").as_bytes());
    }
    hex::encode(hasher.finalize())[..16].to_string()
}

fn read_batches(path: &str, bytes: Bytes) -> Result<Vec<RecordBatch>> {
    let parquet = |source| Error::Parquet {
        path: path.to_string(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .map_err(parquet)?
        .build()
        .map_err(parquet)?;
    reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| parquet(e.into()))
}

impl Lake {
    /// The compaction record of a partition, if it was ever compacted.
    pub async fn compaction_record(
        &self,
        dataset: Dataset,
        partition: &PartitionKey,
    ) -> Result<Option<CompactionRecord>> {
        let path = compaction_record_path(dataset, partition);
        let Some(bytes) = self.get_if_exists(&path).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::CorruptState {
                path: path.to_string(),
                detail: e.to_string(),
            })
    }

    /// Whether `file` of `partition` was merged by a compaction (so writing it again would
    /// duplicate its rows).
    pub async fn is_compacted(&self, dataset: Dataset, partition: &PartitionKey, file: &FileName) -> Result<bool> {
        Ok(self
            .compaction_record(dataset, partition)
            .await?
            .is_some_and(|record| record.sources.contains(&file.to_string())))
    }

    /// Writes the file of a source range like [`Lake::write_parquet`], unless a compaction
    /// already merged that file (`None`): a range delivered again stays counted once.
    pub async fn write_source_parquet(
        &self,
        path: &DataFilePath,
        batches: &[RecordBatch],
    ) -> Result<Option<crate::WrittenFile>> {
        if self.is_compacted(path.dataset, &path.partition, &path.file).await? {
            return Ok(None);
        }
        self.write_parquet(path, batches).await.map(Some)
    }
}

/// Merges the files of one partition into one. Does nothing (but roll a previous compaction
/// forward) when the partition holds fewer than two files.
pub async fn compact_partition(lake: &Lake, dataset: Dataset, partition: &PartitionKey) -> Result<PartitionCompaction> {
    let (record, files) = roll_forward(lake, dataset, partition).await?;
    let files_before = files.len();
    if files.len() < 2 {
        let rows = match files.first() {
            Some((_, meta)) => crate::describe_file(meta.location.as_ref(), lake.get(&meta.location).await?)?.rows,
            None => 0,
        };
        return Ok(PartitionCompaction {
            files_before,
            files_after: files_before,
            rows,
        });
    }
    let revision = record.as_ref().map_or(0, |r| r.revision);
    let rows = replace_files(lake, dataset, partition, record, &files, revision, Ok).await?;
    Ok(PartitionCompaction {
        files_before,
        files_after: 1,
        rows,
    })
}

/// Replaces the rows of one partition with `transform` of them, as one file, with the
/// exactly-once guarantees of compaction (the record first, then the file, then the deletion
/// of the files read; a crash is rolled forward by the next compaction or rewrite). Files
/// written to the partition while it runs are left alone. Returns the rows written.
pub async fn rewrite_partition(
    lake: &Lake,
    dataset: Dataset,
    partition: &PartitionKey,
    transform: impl FnOnce(Vec<RecordBatch>) -> Result<Vec<RecordBatch>>,
) -> Result<u64> {
    let (record, files) = roll_forward(lake, dataset, partition).await?;
    let revision = record.as_ref().map_or(0, |r| r.revision) + 1;
    replace_files(lake, dataset, partition, record, &files, revision, transform).await
}

/// The rows of one partition, read from all its files (after rolling a previous compaction
/// forward), in file-name order.
pub async fn read_partition(lake: &Lake, dataset: Dataset, partition: &PartitionKey) -> Result<Vec<RecordBatch>> {
    let mut batches = Vec::new();
    for (_, meta) in roll_forward(lake, dataset, partition).await?.1 {
        batches.extend(read_batches(meta.location.as_ref(), lake.get(&meta.location).await?)?);
    }
    Ok(batches)
}

type PartitionFiles = Vec<(DataFilePath, object_store::ObjectMeta)>;

/// Roll forward: sources a record names are merged already (a crash came before their
/// deletion); so is a compacted file that the record no longer names. Returns the record and
/// the partition's files after.
async fn roll_forward(
    lake: &Lake,
    dataset: Dataset,
    partition: &PartitionKey,
) -> Result<(Option<CompactionRecord>, PartitionFiles)> {
    let record = lake.compaction_record(dataset, partition).await?;
    let mut files = lake.list_partition(dataset, partition).await?;
    if let Some(record) = &record
        && files.iter().any(|(p, _)| p.file.to_string() == record.file)
    {
        let stale = |file: &FileName| {
            let name = file.to_string();
            name != record.file && (record.sources.contains(&name) || matches!(file, FileName::Compacted(_)))
        };
        let mut deleted = Vec::new();
        for (path, meta) in &files {
            if stale(&path.file) {
                lake.delete(&meta.location).await?;
                deleted.push(FileChange::Delete {
                    path: meta.location.to_string(),
                });
            }
        }
        lake.record_changes(deleted).await?;
        files.retain(|(path, _)| !stale(&path.file));
    }
    Ok((record, files))
}

/// Writes `transform` of the rows of `files` as the partition's one file and deletes `files`.
async fn replace_files(
    lake: &Lake,
    dataset: Dataset,
    partition: &PartitionKey,
    record: Option<CompactionRecord>,
    files: &PartitionFiles,
    revision: u64,
    transform: impl FnOnce(Vec<RecordBatch>) -> Result<Vec<RecordBatch>>,
) -> Result<u64> {
    // The merged file holds the rows of every file now in the partition, in name order.
    let mut sources: BTreeSet<String> = record.map(|r| r.sources).unwrap_or_default();
    let mut batches = Vec::new();
    for (path, meta) in files {
        if let FileName::Source(_) = path.file {
            sources.insert(path.file.to_string());
        }
        batches.extend(read_batches(meta.location.as_ref(), lake.get(&meta.location).await?)?);
    }
    let batches = transform(batches)?;
    let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    let file = FileName::Compacted(hash_of(&sources, revision));
    let record = CompactionRecord {
        file: file.to_string(),
        sources,
        rows,
        revision,
    };
    let record_bytes = serde_json::to_vec_pretty(&record).expect("a record serializes");
    lake.put(&compaction_record_path(dataset, partition), record_bytes.into())
        .await?;
    let target = DataFilePath::new(dataset, partition.clone(), file);
    let written = lake.write_parquet(&target, &batches).await?;
    let mut changes = vec![written.change()];
    for (path, meta) in files {
        if *path != target {
            lake.delete(&meta.location).await?;
            changes.push(FileChange::Delete {
                path: meta.location.to_string(),
            });
        }
    }
    lake.record_changes(changes).await?;
    Ok(rows)
}

/// The partitions of `dataset`, each with its number of files.
pub async fn partitions(lake: &Lake, dataset: Dataset) -> Result<Vec<(PartitionKey, usize)>> {
    let mut counts: std::collections::BTreeMap<PartitionKey, usize> = std::collections::BTreeMap::new();
    for (path, _) in lake.list_files(dataset).await? {
        *counts.entry(path.partition).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

/// The end of a partition's time span, epoch ms.
pub fn partition_end_ms(dataset: Dataset, partition: &PartitionKey) -> i64 {
    let span = match dataset.partitioning() {
        Partitioning::Date => 24 * 3_600_000,
        _ => 3_600_000,
    };
    partition.start_ms() + span
}

/// Deletes the partitions of `dataset` whose span ended before `cutoff_ms`, with their
/// compaction records. Returns the files deleted.
///
/// The dataset's retention horizon is recorded first ([`crate::RetentionHorizons`]): what the
/// rollups computed from the deleted partitions is final from then on.
pub async fn apply_retention(lake: &Lake, dataset: Dataset, cutoff_ms: i64) -> Result<usize> {
    if dataset.layer() != crate::Layer::Gold {
        crate::RetentionHorizons::advance(lake, dataset, cutoff_ms).await?;
    }
    let mut deleted = 0;
    let mut partitions = BTreeSet::new();
    let mut changes = Vec::new();
    for (path, meta) in lake.list_files(dataset).await? {
        if partition_end_ms(dataset, &path.partition) <= cutoff_ms {
            lake.delete(&meta.location).await?;
            changes.push(FileChange::Delete {
                path: meta.location.to_string(),
            });
            partitions.insert(path.partition);
            deleted += 1;
        }
    }
    lake.record_changes(changes).await?;
    for partition in partitions {
        lake.delete(&compaction_record_path(dataset, &partition)).await?;
    }
    Ok(deleted)
}
