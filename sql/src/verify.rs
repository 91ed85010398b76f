//! `naap verify`: check a published snapshot and recompute its outputs.
//!
//! 1. The manifest matches its detached checksum.
//! 2. Every listed file exists, has its SHA-256 and its row count.
//! 3. The inputs are copied into an in-memory lake and the snapshot's own SQL recomputes the
//!    outputs (with the configuration the manifest records).
//! 4. The recomputed rows of the published range are compared with the published rows, as
//!    canonical CSV lines ([`crate::canonical`]); every difference is reported by row. Columns
//!    computed from private values ([`DERIVED_FROM_PRIVATE`]) cannot be recomputed from a
//!    snapshot, whose inputs are published without them: they are left out of the comparison
//!    and named in the report.
//!
//! 5. When the snapshot's SQL differs from this release's, the outputs are recomputed once
//!    more with this release's SQL and compared on the published columns: the report says
//!    separately whether the snapshot reproduces under its own SQL (what verifies it) and
//!    under the current one (whether today's definitions would publish the same numbers).
//!
//! Any problem is reported, not raised: the report says everything that is wrong at once.

use std::collections::BTreeMap;

use arrow::record_batch::RecordBatch;
use lakehouse_layout::{
    DERIVED_FROM_PRIVATE, DataFilePath, Dataset, Lake, SNAPSHOT_CHECKSUM, SNAPSHOT_MANIFEST, SnapshotManifest,
    SnapshotRole, describe_file, manifest_checksum,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Error, Result};
use crate::rollup::{DEFAULT_ROLLUP_MEMORY, ROLLUPS, ReferenceData, run_one};

/// At most this many differing rows are listed per dataset (all are counted).
pub const MAX_LISTED_ROWS: usize = 20;

/// One thing wrong with a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The manifest's SHA-256 is not the one its checksum file records.
    ManifestChecksum {
        /// From `snapshot.json.sha256`.
        expected: String,
        /// Of `snapshot.json`.
        actual: String,
    },
    /// A listed file is missing.
    MissingFile {
        /// Path in the snapshot.
        path: String,
    },
    /// A file's bytes are not the ones listed.
    FileChanged {
        /// Path in the snapshot.
        path: String,
        /// What is wrong (hash, rows, not Parquet).
        detail: String,
    },
    /// A recomputed output differs from the published one.
    RowsDiffer {
        /// The output dataset.
        dataset: String,
        /// Rows published but not recomputed (count).
        only_published: usize,
        /// Rows recomputed but not published (count).
        only_recomputed: usize,
        /// Up to [`MAX_LISTED_ROWS`] of each, as `- published` / `+ recomputed` CSV lines.
        rows: Vec<String>,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::ManifestChecksum { expected, actual } => write!(
                f,
                "{SNAPSHOT_MANIFEST} has SHA-256 {actual}, but {SNAPSHOT_CHECKSUM} says {expected}"
            ),
            Problem::MissingFile { path } => write!(f, "{path}: missing"),
            Problem::FileChanged { path, detail } => write!(f, "{path}: {detail}"),
            Problem::RowsDiffer {
                dataset,
                only_published,
                only_recomputed,
                rows,
            } => {
                write!(
                    f,
                    "{dataset}: {only_published} published rows are not recomputed and {only_recomputed} recomputed rows are not published"
                )?;
                for row in rows {
                    write!(f, "\n    {row}")?;
                }
                Ok(())
            }
        }
    }
}

/// What verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The snapshot id.
    pub id: String,
    /// Files whose hash was checked.
    pub files_checked: usize,
    /// Per output dataset: rows published and rows recomputed in the range.
    pub outputs: BTreeMap<String, (usize, usize)>,
    /// Rollups whose SQL differs from this naap's (the snapshot's SQL is what ran).
    pub sql_differs_from_this_version: Vec<String>,
    /// When some SQL differs: the outputs recomputed again with this naap's SQL (and the
    /// manifest's configuration), compared on the published columns. Informational: a
    /// snapshot verifies under its own SQL; this says whether the current definitions would
    /// publish the same numbers.
    pub under_current_sql: Option<CurrentSqlCheck>,
    /// Published columns computed from private inputs, which a snapshot cannot recompute
    /// (`dataset.column`); every other column was compared.
    pub not_checkable: Vec<String>,
    /// Everything wrong; empty when the snapshot verifies.
    pub problems: Vec<Problem>,
}

/// The outputs of a snapshot recomputed with the current release's SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentSqlCheck {
    /// Output datasets whose recomputed rows equal the published ones.
    pub reproduced: Vec<String>,
    /// Output datasets that differ, with how ([`Problem::RowsDiffer`]).
    pub differs: Vec<Problem>,
}

impl VerifyReport {
    /// Whether the snapshot verified.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the snapshot whose root is `snapshot` (the folder holding `snapshot.json`).
pub async fn verify(snapshot: &Lake) -> Result<VerifyReport> {
    let manifest_bytes = snapshot
        .get(&SNAPSHOT_MANIFEST.into())
        .await
        .map_err(|e| Error::Snapshot(format!("cannot read {SNAPSHOT_MANIFEST}: {e}")))?;
    let manifest: SnapshotManifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Error::Snapshot(format!("{SNAPSHOT_MANIFEST} is not a snapshot manifest: {e}")))?;
    let mut report = VerifyReport {
        id: manifest.id.clone(),
        ..VerifyReport::default()
    };

    let actual = manifest_checksum(&manifest_bytes);
    match snapshot.get(&SNAPSHOT_CHECKSUM.into()).await {
        Ok(recorded) if recorded.as_ref() == actual.as_bytes() => {}
        Ok(recorded) => report.problems.push(Problem::ManifestChecksum {
            expected: first_word(&String::from_utf8_lossy(&recorded)),
            actual: first_word(&actual),
        }),
        Err(_) => report.problems.push(Problem::MissingFile {
            path: SNAPSHOT_CHECKSUM.to_string(),
        }),
    }

    // Files: hashes and rows; good inputs go into the recomputation lake.
    let work = Lake::in_memory();
    let mut inputs = Vec::new();
    let mut published: BTreeMap<String, Vec<RecordBatch>> = BTreeMap::new();
    for (dataset, file) in manifest.files() {
        let Ok(bytes) = snapshot.get(&file.path.as_str().into()).await else {
            report.problems.push(Problem::MissingFile {
                path: file.path.clone(),
            });
            continue;
        };
        report.files_checked += 1;
        match describe_file(&file.path, bytes.clone()) {
            Ok(found) if found.sha256 != file.sha256 => report.problems.push(Problem::FileChanged {
                path: file.path.clone(),
                detail: format!("SHA-256 is {}, the manifest says {}", found.sha256, file.sha256),
            }),
            Ok(found) if found.rows != file.rows => report.problems.push(Problem::FileChanged {
                path: file.path.clone(),
                detail: format!("{} rows, the manifest says {}", found.rows, file.rows),
            }),
            Ok(_) => {}
            Err(e) => report.problems.push(Problem::FileChanged {
                path: file.path.clone(),
                detail: format!("not a Parquet file: {e}"),
            }),
        }
        match dataset.role {
            // Recompute from the files as they are: a changed input shows in the outputs too.
            SnapshotRole::Input => {
                work.put(&file.path.as_str().into(), bytes.clone()).await?;
                inputs.push((file.path.clone(), bytes));
            }
            SnapshotRole::Output => {
                if let Ok(batches) = read_batches(bytes) {
                    published.entry(dataset.name.clone()).or_default().extend(batches);
                }
            }
        }
    }

    // Recompute with the snapshot's SQL and configuration.
    let reference = ReferenceData {
        gateway_regions: manifest
            .gateway_regions
            .iter()
            .map(|(g, r)| (g.clone(), r.clone()))
            .collect(),
        // As recorded: an empty list is no rule (a manifest from before traffic classes).
        probe_rules: manifest
            .probe_rules
            .iter()
            .map(|rule| crate::traffic::ProbeRule::parse(rule))
            .collect::<std::result::Result<_, _>>()
            .map_err(Error::Snapshot)?,
    };
    for recorded in &manifest.rollups {
        let rollup = ROLLUPS
            .iter()
            .find(|r| r.name == recorded.name)
            .ok_or_else(|| Error::Snapshot(format!("unknown rollup {:?} in the manifest", recorded.name)))?;
        if rollup.sql != recorded.sql {
            report.sql_differs_from_this_version.push(recorded.name.clone());
        }
        run_one(&work, rollup, &recorded.sql, None, &reference, DEFAULT_ROLLUP_MEMORY).await?;
    }

    for dataset in manifest.datasets.iter().filter(|d| d.role == SnapshotRole::Output) {
        let (published_rows, recomputed_rows, unchecked) =
            compared_rows(&work, dataset, published.get(&dataset.name), None).await?;
        report
            .not_checkable
            .extend(unchecked.iter().map(|c| format!("{}.{c}", dataset.name)));
        report
            .outputs
            .insert(dataset.name.clone(), (published_rows.len(), recomputed_rows.len()));
        if let Some(problem) = compare(&dataset.name, published_rows, recomputed_rows) {
            report.problems.push(problem);
        }
    }

    // Again with this release's SQL, when it differs: would today's definitions publish the
    // same numbers from the same inputs?
    if !report.sql_differs_from_this_version.is_empty() {
        let current = Lake::in_memory();
        for (path, bytes) in inputs {
            current.put(&path.as_str().into(), bytes).await?;
        }
        for recorded in &manifest.rollups {
            if let Some(rollup) = ROLLUPS.iter().find(|r| r.name == recorded.name) {
                run_one(&current, rollup, rollup.sql, None, &reference, DEFAULT_ROLLUP_MEMORY).await?;
            }
        }
        let mut check = CurrentSqlCheck::default();
        for dataset in manifest.datasets.iter().filter(|d| d.role == SnapshotRole::Output) {
            let published_batches = published.get(&dataset.name);
            let columns: Option<Vec<String>> = published_batches
                .and_then(|b| b.first())
                .map(|b| b.schema().fields().iter().map(|f| f.name().clone()).collect());
            let (published_rows, recomputed_rows, _) =
                compared_rows(&current, dataset, published_batches, columns.as_deref()).await?;
            match compare(&dataset.name, published_rows, recomputed_rows) {
                None => check.reproduced.push(dataset.name.clone()),
                Some(problem) => check.differs.push(problem),
            }
        }
        report.under_current_sql = Some(check);
    }
    Ok(report)
}

/// The published and the recomputed rows (in `lake`) of an output dataset within its
/// published range, as canonical lines, without the columns no snapshot can recompute
/// (returned too); with `only`, recomputed rows keep just those columns (the published ones).
async fn compared_rows(
    lake: &Lake,
    dataset: &lakehouse_layout::SnapshotDataset,
    published: Option<&Vec<RecordBatch>>,
    only: Option<&[String]>,
) -> Result<(Vec<String>, Vec<String>, Vec<&'static str>)> {
    let output = Dataset::from_name(&dataset.name)?;
    let range = parse_range(&dataset.from, &dataset.to)?;
    let mut recomputed = Vec::new();
    for (path, meta) in lake.list_files(output).await? {
        if in_range(&path, range) {
            recomputed.extend(read_batches(lake.get(&meta.location).await?)?);
        }
    }
    if let Some(only) = only {
        recomputed = recomputed
            .iter()
            .map(|batch| {
                let keep: Vec<usize> = only
                    .iter()
                    .filter_map(|name| batch.schema().index_of(name).ok())
                    .collect();
                batch
                    .project(&keep)
                    .map_err(|e| Error::Snapshot(format!("cannot select the published columns: {e}")))
            })
            .collect::<Result<_>>()?;
    }
    let unchecked: Vec<&'static str> = DERIVED_FROM_PRIVATE
        .iter()
        .filter(|d| d.dataset == output)
        .map(|d| d.column)
        .collect();
    let published = published.map_or(&[][..], |b| b.as_slice());
    let published = crate::canonical::rows(&without_columns(published, &unchecked)?)?;
    let recomputed = crate::canonical::rows(&without_columns(&recomputed, &unchecked)?)?;
    Ok((published, recomputed, unchecked))
}

/// `batches` without the named columns.
fn without_columns(batches: &[RecordBatch], columns: &[&str]) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|batch| {
            let keep: Vec<usize> = (0..batch.num_columns())
                .filter(|i| !columns.contains(&batch.schema().field(*i).name().as_str()))
                .collect();
            batch
                .project(&keep)
                .map_err(|e| Error::Snapshot(format!("cannot drop columns {columns:?}: {e}")))
        })
        .collect()
}

fn first_word(text: &str) -> String {
    text.split_whitespace().next().unwrap_or_default().to_string()
}

fn read_batches(bytes: bytes::Bytes) -> Result<Vec<RecordBatch>> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .and_then(|b| b.build())
        .map_err(|e| Error::Snapshot(format!("cannot read a Parquet file: {e}")))?;
    reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Snapshot(format!("cannot read a Parquet file: {e}")))
}

fn parse_range(from: &str, to: &str) -> Result<(i64, i64)> {
    let ms = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| t.timestamp_millis())
            .map_err(|e| Error::Snapshot(format!("bad time {t:?} in the manifest: {e}")))
    };
    Ok((ms(from)?, ms(to)?))
}

fn in_range(path: &DataFilePath, (start, end): (i64, i64)) -> bool {
    (start..end).contains(&path.partition.start_ms())
}

/// Compares two multisets of rows; `None` when equal.
fn compare(dataset: &str, published: Vec<String>, recomputed: Vec<String>) -> Option<Problem> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for row in published {
        *counts.entry(row).or_default() += 1;
    }
    for row in recomputed {
        *counts.entry(row).or_default() -= 1;
    }
    counts.retain(|_, n| *n != 0);
    if counts.is_empty() {
        return None;
    }
    let only_published: i64 = counts.values().filter(|n| **n > 0).sum();
    let only_recomputed: i64 = -counts.values().filter(|n| **n < 0).sum::<i64>();
    let mut rows: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .take(MAX_LISTED_ROWS)
        .map(|(row, _)| format!("- {row}"))
        .collect();
    rows.extend(
        counts
            .iter()
            .filter(|(_, n)| **n < 0)
            .take(MAX_LISTED_ROWS)
            .map(|(row, _)| format!("+ {row}")),
    );
    Some(Problem::RowsDiffer {
        dataset: dataset.to_string(),
        only_published: only_published as usize,
        only_recomputed: only_recomputed as usize,
        rows,
    })
}

/// A one-line summary of a report.
pub fn summary(report: &VerifyReport) -> String {
    let outputs: Vec<String> = report
        .outputs
        .iter()
        .map(|(name, (published, recomputed))| format!("{name} {published}/{recomputed} rows"))
        .collect();
    let not_checkable = if report.not_checkable.is_empty() {
        String::new()
    } else {
        format!(
            " (not checkable, computed from private inputs: {})",
            report.not_checkable.join(", ")
        )
    };
    format!(
        "snapshot {}: {} files checked, outputs published/recomputed: {}{not_checkable}; {}",
        report.id,
        report.files_checked,
        outputs.join(", "),
        if report.ok() {
            "verified: identical".to_string()
        } else {
            format!("{} problems", report.problems.len())
        }
    )
}
