//! The lake's change log: every process that writes or deletes data files (ingestion,
//! rollups, compaction, retention) appends a small record saying which files it changed, so
//! that readers learn what changed without listing the lake.
//!
//! ```text
//! <lake>/_changes/YYYYMMDD/HHMM/<at ms, 13 digits>-<writer>-<sequence, 10 digits>.json
//! ```
//!
//! A record is written after the files it names are stored, so a reader that sees a record
//! finds its files. Records are grouped in one folder per minute of the writer's clock; a
//! reader ([`ChangeTail`]) lists the folders of the last few minutes on each poll, so a poll
//! costs a handful of small listings whatever the size of the lake. A record that becomes
//! visible more than [`DEFAULT_GRACE_MS`] after its writer's clock time (a put retried for
//! minutes, a clock far behind) may be missed by a reader that polled past that minute:
//! readers reconcile with a full listing now and then (the rollup at start and every
//! `--reconcile-interval`, the server every [`crate::index::RELIST_AFTER`]), so a missed record
//! delays a change, never loses it.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::{StreamExt, TryStreamExt};
use object_store::ObjectMeta;
use object_store::path::Path;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lake::Lake;

/// The folder of the change log, relative to the lake root.
pub const CHANGES_DIR: &str = "_changes";
/// How late (after its writer's clock time) a record may become visible and still be seen
/// by every reader: readers list the folders of this many ms before their last poll.
pub const DEFAULT_GRACE_MS: i64 = 120_000;
const MINUTE_MS: i64 = 60_000;

/// One change to one data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FileChange {
    /// The file was written (created or replaced).
    Put {
        /// Object path relative to the lake root.
        path: String,
        /// Size in bytes.
        size: u64,
        /// The store's entity tag of the version written, when the store gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        e_tag: Option<String>,
        /// The writer's clock when the file was stored, epoch ms.
        written_ms: i64,
    },
    /// The file was deleted.
    Delete {
        /// Object path relative to the lake root.
        path: String,
    },
}

impl FileChange {
    /// The object path changed.
    pub fn path(&self) -> &str {
        match self {
            FileChange::Put { path, .. } | FileChange::Delete { path } => path,
        }
    }

    /// The object's metadata after a `Put` (`None` for a `Delete`), as a listing would give it
    /// (the modification time is the writer's clock).
    pub fn object_meta(&self) -> Option<ObjectMeta> {
        match self {
            FileChange::Put {
                path,
                size,
                e_tag,
                written_ms,
            } => Some(ObjectMeta {
                location: Path::from(path.as_str()),
                last_modified: chrono::DateTime::from_timestamp_millis(*written_ms).unwrap_or_default(),
                size: *size,
                e_tag: e_tag.clone(),
                version: None,
            }),
            FileChange::Delete { .. } => None,
        }
    }
}

/// One record of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// The writing process (see [`writer_id`]).
    pub writer: String,
    /// The writer's clock when the record was made, epoch ms.
    pub at_ms: i64,
    /// What changed, in the order it was done.
    pub changes: Vec<FileChange>,
}

/// This process's writer id: random per process start, so two processes (or two starts of
/// one) never write a record under the same name.
pub fn writer_id() -> &'static str {
    static ID: LazyLock<String> = LazyLock::new(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let seed = format!("{}-{nanos}-{:p}", std::process::id(), &nanos);
        let digest = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
        hex::encode(&digest[..6])
    });
    &ID
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The wall clock, epoch ms.
pub fn wall_clock_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn minute_dir(ms: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(ms.div_euclid(MINUTE_MS) * MINUTE_MS).unwrap_or_default();
    format!("{CHANGES_DIR}/{}", time.format("%Y%m%d/%H%M"))
}

/// The object path of a record.
pub fn record_path(writer: &str, at_ms: i64, sequence: u64) -> Path {
    Path::from(format!(
        "{}/{:013}-{writer}-{sequence:010}.json",
        minute_dir(at_ms),
        at_ms.max(0)
    ))
}

/// The writer's clock time encoded in a record's name.
fn record_time(location: &Path) -> Option<i64> {
    location.filename()?.split('-').next()?.parse().ok()
}

impl Lake {
    /// Appends a record of `changes` to the change log (nothing when empty). Call it after the
    /// files are stored and the deletions done.
    ///
    /// Records are named by the wall clock, not by an injected clock: readers find them by the
    /// time they poll at, and a replay stamped with a fixed clock still changes the lake now.
    pub async fn record_changes(&self, changes: Vec<FileChange>) -> Result<()> {
        self.record_changes_at(wall_clock_ms(), changes).await
    }

    /// [`Lake::record_changes`] with the record's time given (tests of late records).
    pub async fn record_changes_at(&self, at_ms: i64, changes: Vec<FileChange>) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let writer = writer_id();
        let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let record = ChangeRecord {
            writer: writer.to_string(),
            at_ms,
            changes,
        };
        let bytes = serde_json::to_vec(&record).expect("a change record serializes");
        self.put(&record_path(writer, at_ms, sequence), bytes.into()).await
    }

    /// Deletes the change log's minute folders that ended before `cutoff_ms`. Returns the
    /// records deleted.
    pub async fn prune_change_log(&self, cutoff_ms: i64) -> Result<usize> {
        let metas: Vec<ObjectMeta> = self
            .store()
            .list(Some(&Path::from(CHANGES_DIR)))
            .try_collect()
            .await
            .map_err(Error::List)?;
        let mut deleted = 0;
        for meta in metas {
            if record_time(&meta.location)
                .is_some_and(|at| at.div_euclid(MINUTE_MS) * MINUTE_MS + MINUTE_MS <= cutoff_ms)
            {
                self.delete(&meta.location).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

/// A reader's position in the change log: which records it has seen.
#[derive(Debug, Clone)]
pub struct ChangeTail {
    /// Records are looked for from `polled_ms − grace_ms` on.
    polled_ms: i64,
    grace_ms: i64,
    /// Records seen in the folders still listed, by name.
    seen: BTreeMap<String, i64>,
}

impl ChangeTail {
    /// A reader that sees the records made from `from_ms` on (minus the grace).
    pub fn starting_at(from_ms: i64) -> ChangeTail {
        ChangeTail {
            polled_ms: from_ms,
            grace_ms: DEFAULT_GRACE_MS,
            seen: BTreeMap::new(),
        }
    }

    /// The same with another grace period.
    pub fn with_grace(mut self, grace_ms: i64) -> ChangeTail {
        self.grace_ms = grace_ms.max(0);
        self
    }

    /// When the last poll ran (reader's clock), epoch ms.
    pub fn polled_ms(&self) -> i64 {
        self.polled_ms
    }

    /// The records that appeared since the last poll, oldest first. `now_ms` is the reader's
    /// clock; folders up to a minute ahead of it are listed too (writers' clocks differ).
    pub async fn poll(&mut self, lake: &Lake, now_ms: i64) -> Result<Vec<ChangeRecord>> {
        let first_minute = (self.polled_ms - self.grace_ms).div_euclid(MINUTE_MS);
        let last_minute = (now_ms + MINUTE_MS).div_euclid(MINUTE_MS);
        let mut fresh: Vec<(i64, Path)> = Vec::new();
        for minute in first_minute..=last_minute.max(first_minute) {
            let dir = Path::from(minute_dir(minute * MINUTE_MS));
            let metas: Vec<ObjectMeta> = match lake.store().list(Some(&dir)).try_collect().await {
                Ok(metas) => metas,
                Err(object_store::Error::NotFound { .. }) => Vec::new(),
                Err(e) => return Err(Error::List(e)),
            };
            for meta in metas {
                let name = meta.location.to_string();
                if self.seen.contains_key(&name) {
                    continue;
                }
                if let Some(at) = record_time(&meta.location) {
                    fresh.push((at, meta.location));
                }
            }
        }
        fresh.sort();
        let records: Vec<(String, ChangeRecord)> = futures::stream::iter(fresh)
            .map(|(_, location)| async move {
                let bytes = lake.get(&location).await?;
                let record: ChangeRecord = serde_json::from_slice(&bytes).map_err(|e| Error::CorruptState {
                    path: location.to_string(),
                    detail: e.to_string(),
                })?;
                Ok::<_, Error>((location.to_string(), record))
            })
            .buffered(8)
            .try_collect()
            .await?;
        for (name, record) in &records {
            self.seen.insert(name.clone(), record.at_ms);
        }
        // Forget the names of folders the next poll no longer lists.
        self.polled_ms = self.polled_ms.max(now_ms);
        let keep_from = (self.polled_ms - self.grace_ms).div_euclid(MINUTE_MS) * MINUTE_MS;
        self.seen.retain(|_, at| *at >= keep_from);
        Ok(records.into_iter().map(|(_, record)| record).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(path: &str) -> FileChange {
        FileChange::Put {
            path: path.to_string(),
            size: 1,
            e_tag: Some("e".into()),
            written_ms: 0,
        }
    }

    #[test]
    fn record_names_sort_by_time_and_carry_it() {
        let path = record_path("abc", 1_767_908_945_298, 7);
        assert_eq!(
            path.as_ref(),
            "_changes/20260108/2149/1767908945298-abc-0000000007.json"
        );
        assert_eq!(record_time(&path), Some(1_767_908_945_298));
    }

    #[tokio::test]
    async fn a_tail_sees_each_record_once_and_late_ones_within_the_grace() {
        let lake = Lake::in_memory();
        let t0 = 1_767_908_945_298;
        let mut tail = ChangeTail::starting_at(t0);
        lake.record_changes_at(t0 + 10, vec![put("a")]).await.unwrap();
        let first = tail.poll(&lake, t0 + 1_000).await.unwrap();
        assert_eq!(first.len(), 1);
        assert!(tail.poll(&lake, t0 + 2_000).await.unwrap().is_empty(), "seen once");
        // Written with a clock 90 s behind the reader's last poll: still within the grace.
        lake.record_changes_at(t0 + 2_000 - 90_000, vec![put("late")])
            .await
            .unwrap();
        lake.record_changes_at(t0 + 3_000, vec![put("b"), FileChange::Delete { path: "a".into() }])
            .await
            .unwrap();
        let next = tail.poll(&lake, t0 + 4_000).await.unwrap();
        let paths: Vec<&str> = next
            .iter()
            .flat_map(|r| r.changes.iter().map(FileChange::path))
            .collect();
        assert_eq!(paths, ["late", "b", "a"]);
        // Ten minutes on, nothing new and nothing seen again.
        assert!(tail.poll(&lake, t0 + 600_000).await.unwrap().is_empty());
        assert!(tail.seen.is_empty(), "old names are forgotten: {:?}", tail.seen);
        assert_eq!(lake.prune_change_log(t0 + 600_000).await.unwrap(), 3);
    }
}
