//! The lake as a long-running reader sees it: each dataset's file listing, listed once and
//! then kept current from the change log ([`crate::change_log`]) instead of being listed again
//! for every query.
//!
//! A server or a following rollup calls [`LakeIndex::refresh`] every few hundred ms: it reads
//! the new change records and applies them to the listings loaded so far. Every listing is
//! also listed again from the store when it is older than [`RELIST_AFTER`] (a change some
//! writer did not record, or a record read too late, is seen then), and a partition is listed
//! again at once when a read finds one of its files replaced or gone
//! ([`LakeIndex::relist_partition`]).
//!
//! Readers get the listing through [`crate::IndexedStore`], which names every file by its
//! version, so that a file replaced under the same name is never read with the other
//! version's footer.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use object_store::ObjectMeta;
use object_store::path::Path;

use crate::change_log::{ChangeRecord, ChangeTail, FileChange, wall_clock_ms};
use crate::dataset::{Dataset, Layer};
use crate::error::{Error, Result};
use crate::lake::Lake;
use crate::path::{DataFilePath, dataset_dir, partition_dir};

/// A listing older than this is listed again from the store on the next refresh.
pub const RELIST_AFTER: Duration = Duration::from_secs(600);
/// Generations remembered with the time they were reached (for [`LakeIndex::changed_since`]).
const TIMELINE: usize = 4096;

#[derive(Debug)]
struct Listing {
    files: BTreeMap<String, ObjectMeta>,
    listed_at: Instant,
}

/// Listings of the lake's datasets, current to the last [`LakeIndex::refresh`].
#[derive(Debug)]
pub struct LakeIndex {
    lake: Lake,
    listings: RwLock<HashMap<Dataset, Listing>>,
    /// Changes read while a dataset is being listed, applied over that listing.
    loading: Mutex<HashMap<Dataset, Vec<FileChange>>>,
    load_lock: tokio::sync::Mutex<()>,
    tail: tokio::sync::Mutex<ChangeTail>,
    generation: AtomicU64,
    /// Wall-clock time (ms) of the last generation change; 0 before the first.
    last_change_ms: AtomicI64,
    /// Each generation with when it was reached and what its change touched.
    timeline: Mutex<VecDeque<(u64, Instant, Touched)>>,
    stale_reads: AtomicU64,
    superseded_reads: AtomicU64,
    relist_after: Duration,
    /// Partitions listed again after a stale read, with when (wall clock, ms): a change
    /// record made before that is older than what the listing found, and is not applied there.
    relisted: Mutex<HashMap<String, i64>>,
}

impl LakeIndex {
    /// An index of `lake` that follows the change log from now on.
    pub fn new(lake: Lake) -> LakeIndex {
        LakeIndex::following_from(lake, wall_clock_ms())
    }

    /// An index that follows the change log from `from_ms` (minus its grace) on.
    pub fn following_from(lake: Lake, from_ms: i64) -> LakeIndex {
        LakeIndex {
            lake,
            listings: RwLock::new(HashMap::new()),
            loading: Mutex::new(HashMap::new()),
            load_lock: tokio::sync::Mutex::new(()),
            tail: tokio::sync::Mutex::new(ChangeTail::starting_at(from_ms)),
            generation: AtomicU64::new(0),
            last_change_ms: AtomicI64::new(0),
            timeline: Mutex::new(VecDeque::new()),
            stale_reads: AtomicU64::new(0),
            superseded_reads: AtomicU64::new(0),
            relist_after: RELIST_AFTER,
            relisted: Mutex::new(HashMap::new()),
        }
    }

    /// The same with another relisting age.
    pub fn with_relist_after(mut self, age: Duration) -> LakeIndex {
        self.relist_after = age;
        self
    }

    /// The lake indexed.
    pub fn lake(&self) -> &Lake {
        &self.lake
    }

    /// A number that changes whenever a listing the index holds changed (a change record
    /// applied, a relisting that found a difference).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// When (wall clock, ms since the epoch) the index last saw the lake change, if it has
    /// since it was made.
    pub fn last_change_ms(&self) -> Option<i64> {
        Some(self.last_change_ms.load(Ordering::Acquire)).filter(|&ms| ms > 0)
    }

    /// When the index first moved past `generation`: the moment an answer computed at that
    /// generation became stale. `None` while `generation` is current.
    pub fn changed_since(&self, generation: u64) -> Option<Instant> {
        self.changed_within(generation, None)
    }

    /// When the index first moved past `generation` with a change that touched a partition
    /// overlapping `window` (ms, end exclusive; `None`: any change). An answer computed at
    /// `generation` from data of `window` only is still current while this is `None`: a
    /// rollup tick rewriting this hour leaves last month's answers alone.
    pub fn changed_within(&self, generation: u64, window: Option<Span>) -> Option<Instant> {
        self.changed_in(generation, window, None)
    }

    /// [`Self::changed_within`] counting only changes to `datasets` (`None`: any): an answer
    /// read from those datasets alone stays current while another changes.
    pub fn changed_in(&self, generation: u64, window: Option<Span>, datasets: Option<&[Dataset]>) -> Option<Instant> {
        let timeline = self.timeline.lock().expect("not poisoned");
        if generation >= self.generation() {
            return None;
        }
        // Forgotten generations are old: stale since the oldest moment remembered, or now.
        let remembered_from = timeline.front().map_or(u64::MAX, |(g, _, _)| *g);
        if remembered_from > generation + 1 {
            return Some(timeline.front().map_or_else(Instant::now, |(_, at, _)| *at));
        }
        let read = datasets.map(|d| d.iter().fold(0u64, |mask, d| mask | d.bit()));
        timeline
            .iter()
            .filter(|(g, _, _)| *g > generation)
            .find(|(_, _, touched)| {
                let in_window = match (touched.span, window) {
                    (Some(span), Some(window)) => span.0 < window.1 && window.0 < span.1,
                    _ => true,
                };
                let in_datasets = match (touched.datasets, read) {
                    (Some(changed), Some(read)) => changed & read != 0,
                    _ => true,
                };
                in_window && in_datasets
            })
            .map(|(_, at, _)| *at)
    }

    /// How many reads found a file replaced or deleted since it was listed.
    pub fn stale_reads(&self) -> u64 {
        self.stale_reads.load(Ordering::Acquire)
    }

    /// How many reads found a file replaced or deleted since it was listed and read the
    /// listed version from its superseded copy ([`crate::superseded_path`]).
    pub fn superseded_reads(&self) -> u64 {
        self.superseded_reads.load(Ordering::Acquire)
    }

    pub(crate) fn count_superseded_read(&self) {
        self.superseded_reads.fetch_add(1, Ordering::AcqRel);
    }

    fn bump(&self, touched: Touched) {
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        self.last_change_ms.store(wall_clock_ms(), Ordering::Release);
        let mut timeline = self.timeline.lock().expect("not poisoned");
        timeline.push_back((generation, Instant::now(), touched));
        while timeline.len() > TIMELINE {
            timeline.pop_front();
        }
    }

    /// The files of `dataset` under `prefix` (a path at or below the dataset's folder), listing
    /// the dataset from the store the first time.
    pub async fn list(&self, dataset: Dataset, prefix: Option<&Path>) -> Result<Vec<ObjectMeta>> {
        if !self.is_loaded(dataset) {
            self.load(dataset).await?;
        }
        let listings = self.listings.read().expect("not poisoned");
        let Some(listing) = listings.get(&dataset) else {
            return Ok(Vec::new());
        };
        let start = match prefix {
            Some(prefix) if !prefix.as_ref().is_empty() => format!("{prefix}/"),
            _ => format!("{}/", dataset.dir()),
        };
        Ok(listing
            .files
            .range(start.clone()..)
            .take_while(|(path, _)| path.starts_with(&start))
            .map(|(_, meta)| meta.clone())
            .collect())
    }

    fn is_loaded(&self, dataset: Dataset) -> bool {
        self.listings.read().expect("not poisoned").contains_key(&dataset)
    }

    async fn load(&self, dataset: Dataset) -> Result<()> {
        let _guard = self.load_lock.lock().await;
        if self.is_loaded(dataset) {
            return Ok(());
        }
        self.list_and_replace(dataset).await.map(|_| ())
    }

    /// Lists `dataset` from the store, with the changes read meanwhile applied over the
    /// listing, and replaces its listing; whether it differs from the one replaced. The caller
    /// holds the load lock.
    async fn list_and_replace(&self, dataset: Dataset) -> Result<bool> {
        self.loading.lock().expect("not poisoned").insert(dataset, Vec::new());
        let listed = self.list_store(&dataset_dir(dataset)).await;
        let pending = self
            .loading
            .lock()
            .expect("not poisoned")
            .remove(&dataset)
            .unwrap_or_default();
        let mut files = listed?;
        for change in &pending {
            apply(&mut files, change);
        }
        let mut listings = self.listings.write().expect("not poisoned");
        let differs = listings.get(&dataset).is_none_or(|old| !same_files(&old.files, &files));
        listings.insert(
            dataset,
            Listing {
                files,
                listed_at: Instant::now(),
            },
        );
        Ok(differs)
    }

    async fn list_store(&self, prefix: &Path) -> Result<BTreeMap<String, ObjectMeta>> {
        let metas: Vec<ObjectMeta> = self
            .lake
            .store()
            .list(Some(prefix))
            .try_collect()
            .await
            .map_err(Error::List)?;
        Ok(metas
            .into_iter()
            .filter(|meta| DataFilePath::parse(&meta.location).is_ok())
            .map(|meta| (meta.location.to_string(), meta))
            .collect())
    }

    /// Reads the change records made since the last refresh and applies them; lists one
    /// listing older than the relisting age again. Returns the records read.
    pub async fn refresh(&self) -> Result<Vec<ChangeRecord>> {
        let records = {
            let mut tail = self.tail.lock().await;
            tail.poll(&self.lake, wall_clock_ms()).await?
        };
        let changes: Vec<&FileChange> = {
            let mut relisted = self.relisted.lock().expect("not poisoned");
            // Forget relistings older than any record still to come.
            let horizon = wall_clock_ms() - 2 * crate::change_log::DEFAULT_GRACE_MS;
            relisted.retain(|_, at| *at >= horizon);
            records
                .iter()
                .flat_map(|r| r.changes.iter().map(move |c| (r.at_ms, c)))
                .filter(|(at, change)| {
                    let dir = change.path().rsplit_once('/').map_or("", |(dir, _)| dir);
                    relisted.get(dir).is_none_or(|relisted_at| at >= relisted_at)
                })
                .map(|(_, change)| change)
                .collect()
        };
        self.apply(changes);
        let oldest = {
            let listings = self.listings.read().expect("not poisoned");
            listings
                .iter()
                .filter(|(_, l)| l.listed_at.elapsed() >= self.relist_after)
                .min_by_key(|(_, l)| l.listed_at)
                .map(|(d, _)| *d)
        };
        if let Some(dataset) = oldest {
            self.relist(dataset).await?;
        }
        Ok(records)
    }

    /// Applies changes this process made itself (so that it reads them before their record
    /// comes back through the log; applying one twice is harmless).
    pub fn apply<'a>(&self, changes: impl IntoIterator<Item = &'a FileChange>) {
        let mut changed = false;
        let mut touched: Option<Span> = None;
        let mut datasets = 0u64;
        {
            let mut listings = self.listings.write().expect("not poisoned");
            let mut loading = self.loading.lock().expect("not poisoned");
            for change in changes {
                let Ok(path) = DataFilePath::parse(&Path::from(change.path())) else {
                    continue;
                };
                if let Some(pending) = loading.get_mut(&path.dataset) {
                    pending.push(change.clone());
                }
                // Only a change to a listing held can make an answer old: a dataset not
                // listed yet was read by no answer, and a record of what the listing already
                // shows (the server's own first listing, a writer's own change coming back
                // through the log) changes nothing.
                if let Some(listing) = listings.get_mut(&path.dataset)
                    && apply(&mut listing.files, change)
                {
                    changed = true;
                    let span = partition_span(&path);
                    touched = Some(touched.map_or(span, |t| (t.0.min(span.0), t.1.max(span.1))));
                    datasets |= path.dataset.bit();
                }
            }
        }
        if changed {
            self.bump(Touched {
                span: touched,
                datasets: Some(datasets),
            });
        }
    }

    /// Lists `dataset` again from the store and replaces its listing.
    pub async fn relist(&self, dataset: Dataset) -> Result<()> {
        let _guard = self.load_lock.lock().await;
        if self.list_and_replace(dataset).await? {
            self.bump(Touched {
                span: None,
                datasets: Some(dataset.bit()),
            });
        }
        Ok(())
    }

    /// Lists the partition of the file at `location` again (a read found the file replaced or
    /// deleted since it was listed).
    pub async fn relist_partition(&self, location: &Path) -> Result<()> {
        self.stale_reads.fetch_add(1, Ordering::AcqRel);
        let Ok(path) = DataFilePath::parse(location) else {
            return Ok(());
        };
        let dir = partition_dir(path.dataset, &path.partition);
        let listed_at = wall_clock_ms();
        let fresh = self.list_store(&dir).await?;
        self.relisted
            .lock()
            .expect("not poisoned")
            .insert(dir.to_string(), listed_at);
        let start = format!("{dir}/");
        {
            let mut listings = self.listings.write().expect("not poisoned");
            if let Some(listing) = listings.get_mut(&path.dataset) {
                listing.files.retain(|p, _| !p.starts_with(&start));
                listing.files.extend(fresh);
            }
        }
        self.bump(Touched {
            span: Some(partition_span(&path)),
            datasets: Some(path.dataset.bit()),
        });
        Ok(())
    }

    /// Every file of the datasets loaded so far that are not gold, by path (what the rollups
    /// computed from).
    pub fn input_files(&self) -> Vec<ObjectMeta> {
        let listings = self.listings.read().expect("not poisoned");
        listings
            .iter()
            .filter(|(d, _)| d.layer() != Layer::Gold)
            .flat_map(|(_, l)| l.files.values().cloned())
            .collect()
    }
}

/// A time span in ms since the epoch, end exclusive.
pub type Span = (i64, i64);

/// What one generation's change touched.
#[derive(Debug, Clone, Copy)]
struct Touched {
    /// The time span of the partitions (`None`: not known, or not time-partitioned:
    /// everything).
    span: Option<Span>,
    /// The datasets, one bit each ([`Dataset::bit`]; `None`: any).
    datasets: Option<u64>,
}

/// The time span the partition of `path` covers: its hour, or its day.
fn partition_span(path: &DataFilePath) -> Span {
    (
        path.partition.start_ms(),
        crate::compaction::partition_end_ms(path.dataset, &path.partition),
    )
}

/// Applies `change` to a listing; whether the listing changed (a record of a version the
/// listing already holds, or of a deletion it already shows, changes nothing).
fn apply(files: &mut BTreeMap<String, ObjectMeta>, change: &FileChange) -> bool {
    match change.object_meta() {
        Some(meta) => {
            let same = files.get(change.path()).is_some_and(|old| same_version(old, &meta));
            files.insert(change.path().to_string(), meta);
            !same
        }
        None => files.remove(change.path()).is_some(),
    }
}

fn same_version(a: &ObjectMeta, b: &ObjectMeta) -> bool {
    a.size == b.size
        && match (&a.e_tag, &b.e_tag) {
            (Some(x), Some(y)) => x == y,
            _ => a.last_modified == b.last_modified,
        }
}

/// The same files in the same versions (a listing's modification times are the store's, a
/// change record's the writer's: compare what identifies a version).
fn same_files(a: &BTreeMap<String, ObjectMeta>, b: &BTreeMap<String, ObjectMeta>) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((pa, ma), (pb, mb))| pa == pb && same_version(ma, mb))
}

/// The index, shared.
pub type SharedIndex = Arc<LakeIndex>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileName, PartitionKey};

    fn path(hour: i64, part: u32) -> DataFilePath {
        DataFilePath::new(
            Dataset::Sessions,
            PartitionKey::hourly(1_767_906_000_000 + hour * 3_600_000),
            FileName::Part(part),
        )
    }

    #[tokio::test]
    async fn listings_follow_recorded_changes_without_listing_again() {
        let lake = Lake::in_memory();
        let index = LakeIndex::new(lake.clone());
        lake.put(&path(0, 0).to_path(), bytes::Bytes::from_static(b"one"))
            .await
            .unwrap();
        let first = index.list(Dataset::Sessions, None).await.unwrap();
        assert_eq!(first.len(), 1);
        let generation = index.generation();

        // Replaced and a new partition, recorded: seen after a refresh.
        let replaced = lake
            .put_object(&path(0, 0).to_path(), bytes::Bytes::from_static(b"two!"))
            .await
            .unwrap();
        let added = lake
            .put_object(&path(1, 0).to_path(), bytes::Bytes::from_static(b"three"))
            .await
            .unwrap();
        let put = |p: &DataFilePath, size: u64, e_tag: Option<String>| FileChange::Put {
            path: p.to_path().to_string(),
            size,
            e_tag,
            written_ms: 0,
        };
        lake.record_changes(vec![
            put(&path(0, 0), 4, replaced.e_tag.clone()),
            put(&path(1, 0), 5, added.e_tag),
        ])
        .await
        .unwrap();
        assert_eq!(
            index.list(Dataset::Sessions, None).await.unwrap(),
            first,
            "not before a refresh"
        );
        assert_eq!(index.changed_since(generation), None);
        index.refresh().await.unwrap();
        assert!(index.changed_since(generation).is_some());
        let now = index.list(Dataset::Sessions, None).await.unwrap();
        assert_eq!(now.len(), 2);
        assert_eq!(now[0].size, 4);
        assert_eq!(now[0].e_tag, replaced.e_tag);
        let hour1 = Path::from(partition_dir(Dataset::Sessions, &path(1, 0).partition).to_string());
        assert_eq!(index.list(Dataset::Sessions, Some(&hour1)).await.unwrap().len(), 1);

        // An unrecorded deletion is found when a read asks for the partition again.
        lake.delete(&path(1, 0).to_path()).await.unwrap();
        index.relist_partition(&path(1, 0).to_path()).await.unwrap();
        assert_eq!(index.list(Dataset::Sessions, None).await.unwrap().len(), 1);
        assert_eq!(index.stale_reads(), 1);
    }

    #[tokio::test]
    async fn a_change_dates_only_the_answers_whose_window_it_touches() {
        let index = LakeIndex::new(Lake::in_memory());
        index.list(Dataset::Sessions, None).await.unwrap();
        const HOUR: i64 = 3_600_000;
        let base = 1_767_906_000_000; // 2026-01-08T21:00Z
        let before = index.generation();
        // A rollup tick rewrites hour 0 and hour 1.
        let put = |p: &DataFilePath| FileChange::Put {
            path: p.to_path().to_string(),
            size: 1,
            e_tag: None,
            written_ms: 0,
        };
        index.apply(&[put(&path(0, 0)), put(&path(1, 0))]);
        assert!(index.changed_within(before, Some((base, base + HOUR))).is_some());
        assert!(
            index
                .changed_within(before, Some((base + HOUR, base + 2 * HOUR)))
                .is_some()
        );
        assert!(
            index.changed_within(before, None).is_some(),
            "an unbounded answer is older"
        );
        assert_eq!(
            index.changed_within(before, Some((base - 30 * 24 * HOUR, base))),
            None,
            "last month's answers stay current"
        );
        assert_eq!(
            index.changed_within(before, Some((base + 2 * HOUR, base + 3 * HOUR))),
            None
        );
        // The change was to sessions: an answer read from other datasets stays current.
        let window = Some((base, base + HOUR));
        assert!(index.changed_in(before, window, Some(&[Dataset::Sessions])).is_some());
        assert_eq!(
            index.changed_in(before, window, Some(&[Dataset::CapabilityModels, Dataset::SlaHourly])),
            None
        );
        // A change of unknown reach may have changed anything.
        let generation = index.generation();
        index.bump(Touched {
            span: None,
            datasets: None,
        });
        assert!(index.changed_within(generation, Some((0, 1))).is_some());
        assert!(
            index
                .changed_in(generation, Some((0, 1)), Some(&[Dataset::Prices]))
                .is_some()
        );
    }
}
