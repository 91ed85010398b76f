//! Publishing snapshots: the gold outputs of a time range, the silver inputs they are computed
//! from, the SQL that computes them, and a manifest with every file's SHA-256, so that anyone
//! can recompute the outputs ([`crate::verify`]).
//!
//! The inputs cover more than the range: a rollup reads around its windows (its
//! [`Reach`](crate::Reach)), and a gold input (`sessions` for `sla_hourly`) needs its own
//! inputs around that. [`plan`] walks the rollups backwards to find, for every dataset, the
//! partitions the outputs depend on.

use std::collections::BTreeMap;

use lakehouse_layout::{
    Dataset, Lake, Layer, ManifestField, Partitioning, SNAPSHOT_CHECKSUM, SNAPSHOT_MANIFEST, SNAPSHOT_VERSION,
    SnapshotDataset, SnapshotManifest, SnapshotRole, SnapshotRollup, describe_file, manifest_checksum, snapshot_id,
    snapshot_object,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::rollup::{ROLLUPS, ReferenceData, Rollup};

/// Versions of the scores the gold outputs carry.
pub const SCORE_VERSION: &str = "sla_score_v1=quality-benchmark-v1; naap_score=wilson95-good-sessions-v1";

/// The outputs published when none are named: the scores and the sessions behind them.
pub const DEFAULT_OUTPUTS: &[Dataset] = &[Dataset::Sessions, Dataset::SlaHourly];

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What to publish.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    /// Start of the output range, epoch ms (whole hours; daily outputs whole days).
    pub from_ms: i64,
    /// End of the output range (exclusive).
    pub to_ms: i64,
    /// Gold datasets to publish and make recomputable.
    pub outputs: Vec<Dataset>,
    /// The configuration the rollups ran with.
    pub reference: ReferenceData,
    /// Publication time, epoch ms (injected: same inputs and time, same bytes).
    pub created_ms: i64,
}

/// The datasets a snapshot holds and the partition range `[start, end)` of each.
#[derive(Debug, Clone)]
pub struct SnapshotPlan {
    /// Outputs and their ranges.
    pub outputs: BTreeMap<Dataset, (i64, i64)>,
    /// Inputs (silver) and their ranges.
    pub inputs: BTreeMap<Dataset, (i64, i64)>,
    /// The rollups to run, in order: the outputs' and the gold datasets between.
    pub rollups: Vec<&'static Rollup>,
}

fn rollup_of(dataset: Dataset) -> Option<&'static Rollup> {
    ROLLUPS.iter().find(|r| r.dataset == dataset)
}

fn widen(ranges: &mut BTreeMap<Dataset, (i64, i64)>, dataset: Dataset, (start, end): (i64, i64)) {
    let range = ranges.entry(dataset).or_insert((start, end));
    range.0 = range.0.min(start);
    range.1 = range.1.max(end);
}

/// Rounds a range out to whole partitions of `dataset`.
fn align(dataset: Dataset, (start, end): (i64, i64)) -> (i64, i64) {
    let unit = match dataset.partitioning() {
        Partitioning::Date => DAY_MS,
        _ => HOUR_MS,
    };
    (start.div_euclid(unit) * unit, (end + unit - 1).div_euclid(unit) * unit)
}

/// The datasets and partition ranges needed to publish `outputs` over `[from, to)`.
pub fn plan(outputs: &[Dataset], from_ms: i64, to_ms: i64) -> Result<SnapshotPlan> {
    if from_ms >= to_ms {
        return Err(Error::Snapshot("the range is empty: --from must be before --to".into()));
    }
    if from_ms % HOUR_MS != 0 || to_ms % HOUR_MS != 0 {
        return Err(Error::Snapshot("--from and --to must be whole hours".into()));
    }
    let mut needed: BTreeMap<Dataset, (i64, i64)> = BTreeMap::new();
    let mut published = BTreeMap::new();
    for &dataset in outputs {
        if rollup_of(dataset).is_none() {
            return Err(Error::Snapshot(format!(
                "{} is not a gold dataset computed by a rollup",
                dataset.name()
            )));
        }
        let range = align(dataset, (from_ms, to_ms));
        widen(&mut needed, dataset, range);
        published.insert(dataset, range);
    }
    // Backwards through the rollups (they are in dependency order): each needed gold
    // dataset asks its inputs for its range widened by what the query reads around it.
    let mut rollups = Vec::new();
    for rollup in ROLLUPS.iter().rev() {
        let Some(&(start, end)) = needed.get(&rollup.dataset) else {
            continue;
        };
        rollups.push(rollup);
        for &input in rollup.inputs {
            if !matches!(input.layer(), Layer::Silver | Layer::Gold) {
                return Err(Error::Snapshot(format!(
                    "{} is computed from {}, which is not public, so it cannot be published",
                    rollup.name,
                    input.name()
                )));
            }
            let read = (start - rollup.reach.reads_before_ms, end + rollup.reach.reads_after_ms);
            widen(&mut needed, input, align(input, read));
        }
    }
    rollups.reverse();
    let inputs = needed.into_iter().filter(|(d, _)| d.layer() == Layer::Silver).collect();
    Ok(SnapshotPlan {
        outputs: published,
        inputs,
        rollups,
    })
}

/// Progress of a publication: files done and in all.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Publishes a snapshot of `lake` into `store` under `<dir>/<id>/` and returns its manifest.
/// Files are copied first and the manifest last, so an interrupted publication leaves no
/// manifest and is not a snapshot. Publishing the same content again gives the same id and
/// rewrites the same bytes.
pub async fn publish(
    lake: &Lake,
    store: &Lake,
    dir: &str,
    options: &SnapshotOptions,
    progress: Progress<'_>,
) -> Result<SnapshotManifest> {
    let plan = plan(&options.outputs, options.from_ms, options.to_ms)?;
    let chosen: Vec<(Dataset, (i64, i64), SnapshotRole)> = plan
        .inputs
        .iter()
        .map(|(d, r)| (*d, *r, SnapshotRole::Input))
        .chain(plan.outputs.iter().map(|(d, r)| (*d, *r, SnapshotRole::Output)))
        .collect();
    let mut files_of = Vec::new();
    for (dataset, (start, end), _) in &chosen {
        let files: Vec<_> = lake
            .list_files(*dataset)
            .await?
            .into_iter()
            .filter(|(path, _)| (*start..*end).contains(&path.partition.start_ms()))
            .map(|(_, meta)| meta.location)
            .collect();
        files_of.push(files);
    }
    let total: u64 = files_of.iter().map(|f| f.len() as u64).sum();
    progress(0, total);

    // First pass: describe every file (the id depends on their hashes).
    let mut datasets = Vec::new();
    let mut done = 0;
    for ((dataset, (start, end), role), files) in chosen.iter().zip(&files_of) {
        let mut described = Vec::new();
        for location in files {
            let bytes = published_bytes(lake, *dataset, location).await?;
            described.push(describe_file(location.as_ref(), bytes)?);
            done += 1;
            progress(done, total * 2);
        }
        described.sort_by(|a, b| a.path.cmp(&b.path));
        let schema = dataset.file_schema();
        datasets.push(SnapshotDataset {
            name: dataset.name().to_string(),
            layer: dataset.layer().dir().to_string(),
            role: *role,
            from: rfc3339(*start),
            to: rfc3339(*end),
            schema_fingerprint: lakehouse_layout::schema::fingerprint(&schema),
            schema: schema
                .fields()
                .iter()
                .map(|f| ManifestField {
                    name: f.name().clone(),
                    data_type: f.data_type().to_string(),
                    nullable: f.is_nullable(),
                })
                .collect(),
            rows: described.iter().map(|f| f.rows).sum(),
            files: described,
        });
    }
    let rollups: Vec<SnapshotRollup> = plan
        .rollups
        .iter()
        .map(|r| SnapshotRollup {
            name: r.name.to_string(),
            inputs: r.inputs.iter().map(|d| d.name().to_string()).collect(),
            sql: r.sql.to_string(),
            sql_sha256: hex(r.sql.as_bytes()),
        })
        .collect();
    let gateway_regions: BTreeMap<String, String> = options.reference.gateway_regions.iter().cloned().collect();
    let probe_rules: Vec<String> = options.reference.probe_rules.iter().map(|r| r.name()).collect();
    let (from, to) = (rfc3339(options.from_ms), rfc3339(options.to_ms));
    let content: Vec<String> = datasets
        .iter()
        .flat_map(|d| d.files.iter().map(|f| format!("{} {}", f.path, f.sha256)))
        .chain(rollups.iter().map(|r| format!("rollup {} {}", r.name, r.sql_sha256)))
        .chain(gateway_regions.iter().map(|(g, r)| format!("region {g}={r}")))
        .chain(probe_rules.iter().map(|rule| format!("probe {rule}")))
        .collect();
    let id = snapshot_id(&from, &to, &content);
    let root = snapshot_object(dir, &id).to_string();

    // Second pass: copy, then the manifest and its checksum.
    for ((dataset, _, _), file) in chosen
        .iter()
        .zip(&datasets)
        .flat_map(|(c, d)| d.files.iter().map(move |f| (c, f)))
    {
        let bytes = published_bytes(lake, *dataset, &file.path.as_str().into()).await?;
        if hex(&bytes) != file.sha256 {
            return Err(Error::Snapshot(format!(
                "{} changed while it was being published; publish again",
                file.path
            )));
        }
        store.put(&snapshot_object(&root, &file.path), bytes).await?;
        done += 1;
        progress(done, total * 2);
    }
    let manifest = SnapshotManifest {
        snapshot_version: SNAPSHOT_VERSION,
        id,
        created_at: rfc3339(options.created_ms),
        naap_version: env!("CARGO_PKG_VERSION").to_string(),
        from,
        to,
        score_version: SCORE_VERSION.to_string(),
        gateway_regions,
        probe_rules,
        rollups,
        datasets,
    };
    let bytes = manifest.to_bytes();
    store
        .put(
            &snapshot_object(&root, SNAPSHOT_CHECKSUM),
            manifest_checksum(&bytes).into_bytes().into(),
        )
        .await?;
    store
        .put(&snapshot_object(&root, SNAPSHOT_MANIFEST), bytes.into())
        .await?;
    Ok(manifest)
}

/// The bytes a snapshot publishes for a file of `dataset`: the file, with the values of its
/// private columns ([`lakehouse_layout::privacy`]) replaced by NULL. No rollup reads them, so
/// the outputs still recompute from what is published.
async fn published_bytes(lake: &Lake, dataset: Dataset, location: &object_store::path::Path) -> Result<bytes::Bytes> {
    Ok(lakehouse_layout::redact_parquet(dataset, lake.get(location).await?)?)
}

/// Epoch ms as RFC 3339 (UTC, seconds).
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The snapshot manifests in `store` under `dir`, newest first (by creation time, then id).
pub async fn list(store: &Lake, dir: &str) -> Result<Vec<SnapshotManifest>> {
    let prefix = object_store::path::Path::from(dir);
    let listing = store
        .store()
        .list_with_delimiter(Some(&prefix))
        .await
        .map_err(|e| Error::Snapshot(format!("cannot list snapshots: {e}")))?;
    let mut manifests = Vec::new();
    for folder in listing.common_prefixes {
        let path = snapshot_object(folder.as_ref(), SNAPSHOT_MANIFEST);
        let Some(_) = store.head(&path).await? else { continue };
        let bytes = store.get(&path).await?;
        match serde_json::from_slice::<SnapshotManifest>(&bytes) {
            Ok(m) => manifests.push(m),
            Err(e) => tracing::warn!(path = %path, error = %e, "unreadable snapshot manifest skipped"),
        }
    }
    manifests.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
    Ok(manifests)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_767_880_800_000; // 2026-01-08T14:00Z

    #[test]
    fn the_plan_follows_the_reach_of_every_rollup_back_to_silver() {
        let plan = plan(&[Dataset::SlaHourly], T, T + 3 * HOUR_MS).unwrap();
        assert_eq!(plan.outputs.keys().collect::<Vec<_>>(), [&Dataset::SlaHourly]);
        let names: Vec<&str> = plan.rollups.iter().map(|r| r.name).collect();
        assert_eq!(names, ["sessions", "sla_benchmarks_daily", "sla_hourly"]);
        // sla_hourly reads its hours' sessions and its day's benchmark, which reads the 7
        // days of sessions before that day (T is 14:00); sessions read an hour before their
        // windows and a day after.
        assert_eq!(plan.inputs.get(&Dataset::Sessions), None, "gold inputs are recomputed");
        let (start, end) = plan.inputs[&Dataset::StreamTrace];
        assert_eq!(start, T - 14 * HOUR_MS - 7 * DAY_MS - HOUR_MS);
        assert_eq!(end, T + 3 * HOUR_MS + DAY_MS);
        assert!(plan.inputs.keys().all(|d| d.layer() == Layer::Silver));
    }

    #[test]
    fn bad_requests_are_refused_precisely() {
        assert!(plan(&[Dataset::SlaHourly], T, T).is_err());
        assert!(plan(&[Dataset::SlaHourly], T + 1, T + HOUR_MS).is_err());
        let silver = plan(&[Dataset::Payments], T, T + HOUR_MS).unwrap_err().to_string();
        assert!(silver.contains("not a gold dataset"), "{silver}");
        let bronze = plan(&[Dataset::DataQualityHourly], T, T + HOUR_MS)
            .unwrap_err()
            .to_string();
        assert!(bronze.contains("not public"), "{bronze}");
    }
}
