//! Following the lake: the rollups recomputed as input arrives (`naap rollup --follow`).
//!
//! A follower learns what changed from the lake's change log ([`lakehouse_layout::change_log`]),
//! not by listing the lake: a tick reads the records of the last moments, turns the input
//! files they name into changed windows, and recomputes what those windows reach, reading
//! through a [`LakeIndex`] (no listing either). A tick in which nothing changed costs a few
//! small listings of the log's newest folders, whatever the size of the lake.
//!
//! The rollup state (`_rollup/state.json`: every input file with its size and entity tag)
//! is what makes this safe across restarts and against a record the log missed: at start
//! and every [`FollowSettings::reconcile_every`] the follower lists every input dataset and
//! recomputes the windows whose files differ from the state (a start after a crash redoes
//! what was done since the last checkpoint); every [`FollowSettings::checkpoint_every`] in
//! which something changed it stores the state again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lakehouse_layout::{DataFilePath, Dataset, InputSnapshot, Lake, LakeIndex, Layer, SUPERSEDED_GRACE};
use object_store::path::Path;

use crate::catalog::FileCaches;
use crate::error::Result;
use crate::incremental::{Cadences, Deferred, run_changed};
use crate::rollup::{Cadence, ROLLUPS, RollupOptions, RollupReport};

/// The cadence of the rollup named `name`.
fn cadence(name: &str) -> Option<Cadence> {
    ROLLUPS.iter().find(|r| r.name == name).map(|r| r.cadence)
}

/// How often a follower stores its state, lists the whole lake and runs its periodic rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowSettings {
    /// The rollup state is stored at most this often (and only when something changed): a
    /// restart recomputes at most this much of the most recent input again.
    pub checkpoint_every: Duration,
    /// Every input dataset is listed again this often, and windows whose files differ from
    /// the state are recomputed (changes the change log did not carry).
    pub reconcile_every: Duration,
    /// [`crate::Cadence::Periodic`] rollups (data quality, payments, prices, inventory,
    /// baselines, regions, node and collector health) are recomputed at most this often; the
    /// others at every tick.
    pub periodic_every: Duration,
}

impl Default for FollowSettings {
    fn default() -> Self {
        FollowSettings {
            checkpoint_every: Duration::from_secs(300),
            reconcile_every: Duration::from_secs(3600),
            periodic_every: DEFAULT_PERIODIC_EVERY,
        }
    }
}

/// Default of [`FollowSettings::periodic_every`].
pub const DEFAULT_PERIODIC_EVERY: Duration = Duration::from_secs(60);

/// Keeps the gold datasets current with the lake's input.
#[derive(Debug)]
pub struct Follower {
    index: Arc<LakeIndex>,
    options: RollupOptions,
    settings: FollowSettings,
    last_checkpoint: Instant,
    last_reconcile: Instant,
    last_periodic: Instant,
    dirty: bool,
    deferred: Deferred,
    /// The periodic rollups' run under way on a task of its own, and the windows handed to
    /// it (stored with the state until it ends, so a crash redoes them).
    periodic_run: Option<PeriodicRun>,
    /// Footers and statistics of the files read, kept across ticks: a tick rereads the
    /// current hour's files, and all but the newest are unchanged since the last one.
    caches: FileCaches,
}

impl Follower {
    /// Starts following `lake`: lists every input dataset, recomputes what changed since the
    /// stored state (everything with `options.full` or without a state) and stores the state.
    /// Returns the follower and what that first run did.
    pub async fn start(
        lake: Lake,
        options: RollupOptions,
        settings: FollowSettings,
    ) -> Result<(Follower, RollupReport)> {
        // Changes are followed from before the first listing, so none falls between the two;
        // the follower lists the lake itself when it reconciles.
        let index = Arc::new(LakeIndex::new(lake).with_relist_after(Duration::MAX));
        let full = options.full;
        let mut follower = Follower {
            index,
            options: RollupOptions { full: false, ..options },
            settings,
            last_checkpoint: Instant::now(),
            last_reconcile: Instant::now(),
            last_periodic: Instant::now(),
            dirty: false,
            deferred: Deferred::new(),
            periodic_run: None,
            caches: FileCaches::new(),
        };
        let report = follower.reconcile(full).await?;
        Ok((follower, report))
    }

    /// The index the follower reads through.
    pub fn index(&self) -> &Arc<LakeIndex> {
        &self.index
    }

    /// Recomputes what changed since the last tick (nothing to do: a few small listings of the
    /// change log), stores the state when a checkpoint is due, and reconciles when due.
    ///
    /// The every-tick rollups run in the tick; the periodic ones, every
    /// [`FollowSettings::periodic_every`], on a task of their own, so that a data-quality hour
    /// that takes seconds never delays the sessions of the next tick. A periodic run's report
    /// is part of the first tick after it ended.
    pub async fn tick(&mut self) -> Result<RollupReport> {
        if self.last_reconcile.elapsed() >= self.settings.reconcile_every {
            return self.reconcile(false).await;
        }
        let mut report = self.finish_periodic(false).await?;
        let records = self.index.refresh().await?;
        let mut changed: BTreeMap<Dataset, BTreeSet<i64>> = BTreeMap::new();
        for change in records.iter().flat_map(|r| &r.changes) {
            // Gold changes are the rollups' own: their dependants were recomputed with them.
            if let Ok(path) = DataFilePath::parse(&Path::from(change.path()))
                && path.dataset.layer() != Layer::Gold
            {
                changed
                    .entry(path.dataset)
                    .or_default()
                    .insert(path.partition.start_ms());
            }
        }
        let now_ms = self.options.now_ms();
        let due = self
            .deferred
            .iter()
            .any(|(name, (start, _))| *start <= now_ms && cadence(name) != Some(Cadence::Periodic));
        if !changed.is_empty() || due {
            self.dirty = true;
            let run = run_changed(
                &self.index,
                &self.options,
                Some(changed),
                &mut self.deferred,
                now_ms,
                Cadences::EveryTick,
                &self.caches,
            )
            .await?;
            report.rollups.extend(run.rollups);
        }
        if self.periodic_run.is_none() && self.last_periodic.elapsed() >= self.settings.periodic_every {
            self.start_periodic(now_ms);
        }
        if self.dirty && self.last_checkpoint.elapsed() >= self.settings.checkpoint_every {
            self.store_state().await?;
        }
        Ok(report)
    }

    /// Hands the periodic rollups' windows that have begun to a run of their own.
    fn start_periodic(&mut self, now_ms: i64) {
        self.last_periodic = Instant::now();
        let windows: Deferred = self
            .deferred
            .iter()
            .filter(|(name, (start, _))| *start <= now_ms && cadence(name) == Some(Cadence::Periodic))
            .map(|(name, window)| (name.clone(), *window))
            .collect();
        if windows.is_empty() {
            return;
        }
        for name in windows.keys() {
            self.deferred.remove(name);
        }
        self.dirty = true;
        let (index, options, caches) = (Arc::clone(&self.index), self.options.clone(), self.caches.clone());
        let mut left = windows.clone();
        let task = tokio::spawn(async move {
            let report = run_changed(
                &index,
                &options,
                Some(BTreeMap::new()),
                &mut left,
                now_ms,
                Cadences::Periodic,
                &caches,
            )
            .await?;
            Ok((report, left))
        });
        self.periodic_run = Some(PeriodicRun { windows, task });
    }

    /// The report of the periodic run once it ended (at once with `wait`), its windows still
    /// to compute put back with the deferred ones; an empty report while it goes on.
    async fn finish_periodic(&mut self, wait: bool) -> Result<RollupReport> {
        match &self.periodic_run {
            Some(run) if wait || run.task.is_finished() => {}
            _ => return Ok(RollupReport::default()),
        }
        let run = self.periodic_run.take().expect("checked above");
        let outcome = match run.task.await {
            Ok(outcome) => outcome,
            Err(join) => Err(crate::Error::Execution(format!(
                "the periodic rollups' task ended: {join}"
            ))),
        };
        // On failure the windows handed over are computed again by the next periodic run.
        let (report, left) = match outcome {
            Ok(done) => done,
            Err(e) => {
                merge(&mut self.deferred, &run.windows);
                return Err(e);
            }
        };
        merge(&mut self.deferred, &left);
        Ok(report)
    }

    /// Stores the state now (at a clean stop), after the periodic run under way has ended.
    pub async fn checkpoint(&mut self) -> Result<()> {
        self.finish_periodic(true).await?;
        self.store_state().await
    }

    async fn store_state(&mut self) -> Result<()> {
        self.current_inputs().store(self.index.lake()).await?;
        self.index.lake().sweep_superseded(SUPERSEDED_GRACE).await?;
        self.last_checkpoint = Instant::now();
        self.dirty = false;
        Ok(())
    }

    fn current_inputs(&self) -> InputSnapshot {
        let mut snapshot = InputSnapshot::from_files(self.index.input_files());
        snapshot.reference = self.options.reference.fingerprint();
        snapshot.deferred = self.deferred.clone();
        if let Some(run) = &self.periodic_run {
            merge(&mut snapshot.deferred, &run.windows);
        }
        snapshot
    }

    async fn reconcile(&mut self, full: bool) -> Result<RollupReport> {
        // A reconciliation computes every rollup: never beside a periodic run.
        let mut report = self.finish_periodic(true).await?;
        let lake = self.index.lake().clone();
        for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
            self.index.relist(dataset).await?;
        }
        let mut current = self.current_inputs();
        let previous = match full {
            true => None,
            // Changed configuration changes every window.
            false => InputSnapshot::load(&lake)
                .await?
                .filter(|previous| previous.reference == current.reference),
        };
        let changed = previous.map(|previous| {
            // Windows deferred by the run that stored the state are still to compute.
            merge(&mut self.deferred, &previous.deferred);
            let mut changed: BTreeMap<Dataset, BTreeSet<i64>> = BTreeMap::new();
            for (dataset, window) in previous.changed_windows(&current) {
                changed.entry(dataset).or_default().insert(window);
            }
            changed
        });
        let now_ms = self.options.now_ms();
        let run = run_changed(
            &self.index,
            &self.options,
            changed,
            &mut self.deferred,
            now_ms,
            Cadences::All,
            &self.caches,
        )
        .await?;
        report.full = run.full;
        report.rollups.extend(run.rollups);
        self.last_periodic = Instant::now();
        current.deferred = self.deferred.clone();
        current.store(&lake).await?;
        lake.sweep_superseded(SUPERSEDED_GRACE).await?;
        self.last_reconcile = Instant::now();
        self.last_checkpoint = self.last_reconcile;
        self.dirty = false;
        Ok(report)
    }
}

/// A run of the periodic rollups on its own task.
#[derive(Debug)]
struct PeriodicRun {
    windows: Deferred,
    task: tokio::task::JoinHandle<Result<(RollupReport, Deferred)>>,
}

/// Adds `windows` to `deferred`, widening a rollup's window that is there already.
fn merge(deferred: &mut Deferred, windows: &Deferred) {
    for (name, window) in windows {
        let entry = deferred.entry(name.clone()).or_insert(*window);
        *entry = (entry.0.min(window.0), entry.1.max(window.1));
    }
}
