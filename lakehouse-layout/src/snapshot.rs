//! Published snapshots: a dated, content-addressed copy of chosen datasets for a time range,
//! laid out like a lake, with a manifest and a detached checksum of the manifest.
//!
//! ```text
//! <store>/<snapshot id>/silver/<dataset>/date=…/hour=…/<file>.parquet   (inputs)
//! <store>/<snapshot id>/gold/<dataset>/date=…/hour=…/part-00000.parquet  (outputs)
//! <store>/<snapshot id>/snapshot.json                                    (the manifest)
//! <store>/<snapshot id>/snapshot.json.sha256                             (`sha256sum` format)
//! ```
//!
//! A lake publishes into `<lake>/snapshots/` by default, where the HTTP API lists them. The
//! manifest is written last: a snapshot without one is incomplete and never listed.

use std::collections::BTreeMap;

use object_store::path::Path;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ManifestField, ManifestFile};

/// Version of the snapshot manifest format.
pub const SNAPSHOT_VERSION: u32 = 1;
/// File name of a snapshot's manifest.
pub const SNAPSHOT_MANIFEST: &str = "snapshot.json";
/// File name of the manifest's detached checksum.
pub const SNAPSHOT_CHECKSUM: &str = "snapshot.json.sha256";
/// Folder of a lake that holds the snapshots published from it.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// The manifest of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotManifest {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub snapshot_version: u32,
    /// `<from>_<to>_<content hash>`: same content, same id.
    pub id: String,
    /// When it was published, RFC 3339.
    pub created_at: String,
    /// The naap version that published it.
    pub naap_version: String,
    /// Start of the published output range, RFC 3339 (inclusive).
    pub from: String,
    /// End of the published output range, RFC 3339 (exclusive).
    pub to: String,
    /// Versions of the scores the outputs carry.
    pub score_version: String,
    /// Configuration the rollups joined with: gateway → region.
    pub gateway_regions: BTreeMap<String, String>,
    /// Configuration the rollups joined with: the probe rules (`FIELD=GLOB`) in order of
    /// precedence. Absent from manifests written before traffic classes (their SQL used none).
    #[serde(default)]
    pub probe_rules: Vec<String>,
    /// The rollups that compute the outputs from the inputs, in order, with their SQL.
    pub rollups: Vec<SnapshotRollup>,
    /// The datasets, inputs first.
    pub datasets: Vec<SnapshotDataset>,
}

/// One rollup of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRollup {
    /// Rollup (and gold dataset) name.
    pub name: String,
    /// Datasets it reads.
    pub inputs: Vec<String>,
    /// Its SQL, as run.
    pub sql: String,
    /// SHA-256 of `sql`, hex.
    pub sql_sha256: String,
}

/// Whether a dataset of a snapshot is given or to be recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotRole {
    /// Published data the outputs are computed from.
    Input,
    /// Published results, recomputable from the inputs.
    Output,
}

/// One dataset of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDataset {
    /// Dataset name.
    pub name: String,
    /// Layer folder.
    pub layer: String,
    /// Input or output.
    pub role: SnapshotRole,
    /// Partitions included start at or after this time, RFC 3339.
    pub from: String,
    /// … and before this one.
    pub to: String,
    /// Fingerprint of the files' schema.
    pub schema_fingerprint: String,
    /// The files' columns.
    pub schema: Vec<ManifestField>,
    /// Sum of the files' rows.
    pub rows: u64,
    /// The files, sorted by path (relative to the snapshot root).
    pub files: Vec<ManifestFile>,
}

impl SnapshotManifest {
    /// The manifest as written: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Every file of the snapshot.
    pub fn files(&self) -> impl Iterator<Item = (&SnapshotDataset, &ManifestFile)> {
        self.datasets.iter().flat_map(|d| d.files.iter().map(move |f| (d, f)))
    }
}

/// The content of the detached checksum of manifest bytes (`sha256sum` format, so that
/// `sha256sum -c snapshot.json.sha256` checks it).
pub fn manifest_checksum(manifest: &[u8]) -> String {
    format!("{}  {SNAPSHOT_MANIFEST}\n", hex::encode(Sha256::digest(manifest)))
}

/// The id of a snapshot: its output range and a hash of its content (every file's path and
/// SHA-256, every rollup's SQL, the configuration), so that the same content gets the same id.
pub fn snapshot_id(from: &str, to: &str, content: &[String]) -> String {
    let mut hasher = Sha256::new();
    for line in content {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    // 2026-01-08T14:00:00Z → 20260108T1400Z
    let compact = |t: &str| t.replace(['-', ':'], "").replace("00Z", "Z");
    format!(
        "{}_{}_{}",
        compact(from),
        compact(to),
        &hex::encode(hasher.finalize())[..16]
    )
}

/// Whether `id` has the shape of a snapshot id (safe as one path segment).
pub fn is_valid_snapshot_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == 'T' || c == 'Z')
}

/// `<dir>/<relative path>` as an object path (`dir` may be empty: the store's root).
pub fn snapshot_object(dir: &str, relative: &str) -> Path {
    if dir.is_empty() {
        Path::from(relative)
    } else {
        Path::from(format!("{}/{relative}", dir.trim_end_matches('/')))
    }
}

/// Where the snapshot `id` lives inside a lake.
pub fn lake_snapshot_dir(id: &str) -> String {
    format!("{SNAPSHOTS_DIR}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_dated_and_content_addressed() {
        let a = snapshot_id("2026-01-08T14:00:00Z", "2026-01-08T17:00:00Z", &["x 1".into()]);
        assert!(a.starts_with("20260108T1400Z_20260108T1700Z_"), "{a}");
        assert!(is_valid_snapshot_id(&a));
        assert_eq!(
            a,
            snapshot_id("2026-01-08T14:00:00Z", "2026-01-08T17:00:00Z", &["x 1".into()])
        );
        assert_ne!(
            a,
            snapshot_id("2026-01-08T14:00:00Z", "2026-01-08T17:00:00Z", &["x 2".into()])
        );
        assert!(!is_valid_snapshot_id("../etc"));
    }

    #[test]
    fn the_checksum_is_sha256sum_format() {
        assert_eq!(
            manifest_checksum(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  snapshot.json\n"
        );
    }
}
