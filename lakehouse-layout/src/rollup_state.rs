//! What the rollups last computed from: a snapshot of the input files (path, size, modification
//! time) stored at `_rollup/state.json`. Comparing it with the current listing tells which
//! input hours changed since (new, late, rewritten or deleted files).

use std::collections::{BTreeMap, BTreeSet};

use object_store::ObjectMeta;
use object_store::path::Path;
use serde::{Deserialize, Serialize};

use crate::{DataFilePath, Dataset, Error, Lake, Layer, Result};

/// The object holding the rollup state, relative to the lake root.
pub const ROLLUP_STATE_PATH: &str = "_rollup/state.json";

/// The object holding which burn-rate alerts the follower's webhook last announced as firing
/// (`rollup --follow --alert-webhook`), so that a restarted follower announces only changes,
/// resolutions that happened while it was down included.
pub const ALERT_WEBHOOK_STATE_PATH: &str = "_rollup/alert_webhook.json";

/// One input file as listed: its size, entity tag and last modification (ms).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputFile {
    /// Size in bytes.
    pub size: u64,
    /// The store's entity tag of the version, when it gives one: what identifies a version
    /// (a change record knows it; its modification time is only the writer's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    /// Last modification, epoch ms (compared only when there is no entity tag).
    pub modified_ms: i64,
    /// Start of the file's partition window (hour or day), epoch ms.
    pub window_start_ms: i64,
    /// The dataset the file belongs to.
    pub dataset: String,
}

impl PartialEq for InputFile {
    fn eq(&self, other: &InputFile) -> bool {
        let same_version = match (&self.e_tag, &other.e_tag) {
            (Some(a), Some(b)) => a == b,
            _ => self.modified_ms == other.modified_ms,
        };
        self.size == other.size
            && same_version
            && self.window_start_ms == other.window_start_ms
            && self.dataset == other.dataset
    }
}

impl Eq for InputFile {}

/// The input files (bronze, dead letters, silver) by object path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSnapshot {
    /// Files by object path.
    pub files: BTreeMap<String, InputFile>,
    /// The configuration the rollups joined with (e.g. gateway regions), as text: when it
    /// changes, every window is recomputed.
    #[serde(default)]
    pub reference: String,
    /// Output windows `[start, end)` per rollup left to compute once they begin (they lie
    /// after the time of the run that reached them).
    #[serde(default)]
    pub deferred: BTreeMap<String, (i64, i64)>,
}

impl InputSnapshot {
    /// Lists the current input files of `lake`: every dataset that is not gold.
    pub async fn list(lake: &Lake) -> Result<InputSnapshot> {
        let mut files = Vec::new();
        for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
            files.extend(lake.list_files(dataset).await?.into_iter().map(|(_, meta)| meta));
        }
        Ok(InputSnapshot::from_files(files))
    }

    /// The snapshot of the input files among `files` (objects of gold datasets and objects
    /// outside the layout are left out).
    pub fn from_files(files: impl IntoIterator<Item = ObjectMeta>) -> InputSnapshot {
        let files = files
            .into_iter()
            .filter_map(|meta| {
                let path = DataFilePath::parse(&meta.location).ok()?;
                (path.dataset.layer() != Layer::Gold).then(|| (meta.location.to_string(), input_file(&path, &meta)))
            })
            .collect();
        InputSnapshot {
            files,
            reference: String::new(),
            deferred: BTreeMap::new(),
        }
    }

    /// `(dataset, partition window start in epoch ms)` of the files that differ between
    /// `self` (older) and `newer`: added, removed, or changed in size or modification time.
    pub fn changed_windows(&self, newer: &InputSnapshot) -> BTreeSet<(Dataset, i64)> {
        let mut changed = BTreeSet::new();
        let mut mark = |file: &InputFile| {
            if let Ok(dataset) = Dataset::from_name(&file.dataset) {
                changed.insert((dataset, file.window_start_ms));
            }
        };
        for (path, file) in &newer.files {
            if self.files.get(path) != Some(file) {
                mark(file);
            }
        }
        for (path, file) in &self.files {
            if !newer.files.contains_key(path) {
                mark(file);
            }
        }
        changed
    }

    /// The snapshot the last successful rollup run recorded, if any.
    pub async fn load(lake: &Lake) -> Result<Option<InputSnapshot>> {
        let object = Path::from(ROLLUP_STATE_PATH);
        let bytes = match lake.get(&object).await {
            Ok(bytes) => bytes,
            Err(Error::ObjectStore {
                source: object_store::Error::NotFound { .. },
                ..
            }) => return Ok(None),
            Err(e) => return Err(e),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::CorruptState {
                path: ROLLUP_STATE_PATH.to_string(),
                detail: e.to_string(),
            })
    }

    /// The version of the stored state (size, modification time, e-tag), `None` before the
    /// first rollup run: it changes exactly when a rollup run has rewritten gold data.
    pub async fn stored_version(lake: &Lake) -> Result<Option<ObjectMeta>> {
        lake.head(&Path::from(ROLLUP_STATE_PATH)).await
    }

    /// Records this snapshot as the input of the last successful run (one atomic `put`).
    pub async fn store(&self, lake: &Lake) -> Result<()> {
        let bytes = serde_json::to_vec(self).expect("a snapshot serializes");
        lake.put(&Path::from(ROLLUP_STATE_PATH), bytes.into()).await
    }
}

fn input_file(path: &DataFilePath, meta: &ObjectMeta) -> InputFile {
    InputFile {
        size: meta.size,
        e_tag: meta.e_tag.clone(),
        modified_ms: meta.last_modified.timestamp_millis(),
        window_start_ms: path.partition.start_ms(),
        dataset: path.dataset.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, window: i64) -> InputFile {
        InputFile {
            size,
            e_tag: None,
            modified_ms: 1,
            window_start_ms: window,
            dataset: "stream_trace".to_string(),
        }
    }

    #[test]
    fn added_removed_and_rewritten_files_mark_their_windows() {
        let old = InputSnapshot {
            files: BTreeMap::from([
                ("a".to_string(), file(10, 100)),
                ("b".to_string(), file(10, 200)),
                ("c".to_string(), file(10, 300)),
            ]),
            reference: String::new(),
            deferred: BTreeMap::new(),
        };
        let new = InputSnapshot {
            files: BTreeMap::from([
                ("a".to_string(), file(10, 100)),
                ("b".to_string(), file(11, 200)),
                ("d".to_string(), file(10, 400)),
            ]),
            reference: String::new(),
            deferred: BTreeMap::new(),
        };
        let windows: Vec<i64> = old.changed_windows(&new).into_iter().map(|(_, w)| w).collect();
        assert_eq!(windows, [200, 300, 400]);
        assert!(new.changed_windows(&new).is_empty());
    }
}
