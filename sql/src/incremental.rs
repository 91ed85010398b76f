//! Incremental runs: which output windows of each rollup changed input reaches, and running
//! exactly those.
//!
//! For each rollup, in dependency order:
//!
//! 1. The *static* reach: every changed partition `[P, P + span)` of an input (span: an hour,
//!    or a day for daily datasets) reaches the output windows `[P − affects_before, P + span +
//!    affects_after)`, aligned to the output's partitions.
//! 2. The *data* reach, for rollups that declare one (`sessions`): a query over the changed
//!    partitions and the rollup's last output finds the earliest window the change touches
//!    (the start of a stream that a late sample belongs to), and the window starts there
//!    instead of a whole day back.
//! 3. Windows that begin after now are *deferred*: recorded in the rollup state and computed
//!    once they begin (a day's SLA benchmark depends on the days before it only, so it is
//!    computed at the start of the day, not at every tick of the day before).
//! 4. A [`Cadence::Periodic`] rollup's windows wait with the deferred ones in a run of the
//!    every-tick rollups ([`Cadences::EveryTick`]), and are computed by the next periodic run,
//!    which a follower runs on a task of its own beside its ticks.
//!
//! Gold windows written count as changed input for the rollups after.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{Array, TimestampMillisecondArray};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, IndexedStore, LakeIndex, RetentionHorizons};
use object_store::ObjectStore;

use crate::catalog::FileCaches;
use crate::error::{Error, Result};
use crate::rollup::{
    Cadence, DEFAULT_ROLLUP_MEMORY, ROLLUPS, Rollup, RollupOptions, RollupReport, Target, align_down, align_up,
    register_hidden, register_windowed_inputs, run_one_into, session_config, span_ms, time_filter,
};

/// Changed input windows (partition starts, epoch ms) per dataset; `None`: every window.
pub(crate) type ChangedWindows = Option<BTreeMap<Dataset, BTreeSet<i64>>>;

/// Output windows `[start, end)` per rollup name, left to compute once they begin.
pub type Deferred = BTreeMap<String, (i64, i64)>;

/// Which rollups a run computes, by their [`Cadence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cadences {
    /// Every rollup.
    All,
    /// The [`Cadence::EveryTick`] rollups; the windows of the periodic ones wait in the
    /// deferred set.
    EveryTick,
    /// Only the [`Cadence::Periodic`] rollups, from their deferred windows (and what those
    /// reach among them). They come after every every-tick rollup and none of them feeds one,
    /// so such a run can go on beside the every-tick runs of the following ticks.
    Periodic,
}

/// Runs every rollup that `changed` (or a deferred window now begun) reaches, reading the lake
/// through `index` (which learns of each rollup's own output before the next one reads it)
/// with the footer and statistics caches `caches`.
/// Windows that begin after `now_ms` go to `deferred`, and so do the windows of
/// [`Cadence::Periodic`] rollups in a [`Cadences::EveryTick`] run; a full run (`changed` =
/// `None`) computes everything and clears it.
pub(crate) async fn run_changed(
    index: &Arc<LakeIndex>,
    options: &RollupOptions,
    changed: ChangedWindows,
    deferred: &mut Deferred,
    now_ms: i64,
    cadences: Cadences,
    caches: &FileCaches,
) -> Result<RollupReport> {
    let lake = index.lake().clone();
    let reader: Arc<dyn ObjectStore> = Arc::new(IndexedStore::new(Arc::clone(index)));
    let target = Target {
        lake: &lake,
        reader: &reader,
        caches,
    };
    let memory = options.memory_limit.unwrap_or(DEFAULT_ROLLUP_MEMORY);
    let mut report = RollupReport {
        full: changed.is_none(),
        rollups: Vec::new(),
    };
    let mut changed = changed;
    let horizons = RetentionHorizons::load(&lake).await?;
    for rollup in ROLLUPS {
        if cadences == Cadences::Periodic && rollup.cadence != Cadence::Periodic {
            continue;
        }
        let floor = retention_floor(rollup, &horizons);
        let window = match &changed {
            // Everything, but what retention made final.
            None => floor.map(|floor| (floor, FAR_FUTURE_MS)),
            Some(changed) => {
                let reached = match static_window(rollup, changed) {
                    Some(window) => Some(narrowed(target, rollup, changed, window, memory).await?),
                    None => None,
                };
                let Some(window) = union(reached, deferred.remove(rollup.name)) else {
                    continue;
                };
                // Windows that read input deleted by retention are final.
                let window = (window.0.max(floor.unwrap_or(i64::MIN)), window.1);
                if window.0 >= window.1 {
                    continue;
                }
                if rollup.cadence == Cadence::Periodic && cadences == Cadences::EveryTick {
                    deferred.insert(rollup.name.to_string(), window);
                    continue;
                }
                // Partitions that begin after now wait until they begin.
                let due_end = align_down(now_ms, span_ms(rollup.dataset)) + span_ms(rollup.dataset);
                if window.1 > due_end {
                    deferred.insert(rollup.name.to_string(), (window.0.max(due_end), window.1));
                }
                if window.0 >= due_end {
                    continue;
                }
                Some((window.0, window.1.min(due_end)))
            }
        };
        let (run, changes) = run_one_into(target, rollup, rollup.sql, window, &options.reference, memory).await?;
        index.apply(&changes);
        if let (Some(changed), Some((start, end))) = (&mut changed, window) {
            let windows = changed.entry(rollup.dataset).or_default();
            windows.extend((start..end).step_by(span_ms(rollup.dataset) as usize));
        }
        // Debug: a follower writes a few of these every second; the CLI prints each run.
        tracing::debug!(
            rollup = rollup.name,
            partitions = run.partitions,
            rows = run.rows,
            elapsed_ms = run.elapsed_ms,
            "rollup written"
        );
        report.rollups.push(run);
    }
    if changed.is_none() {
        deferred.clear();
    }
    Ok(report)
}

/// The end of "every window" once retention bounds the start: far in the future, yet a date
/// that formats (year 9000).
const FAR_FUTURE_MS: i64 = 221_845_392_000_000;

/// The first output window of `rollup` that reads no input deleted by retention: every
/// window before it is final. Gold inputs do not count (gold is kept; the rollups that make
/// it are bounded by their own inputs).
fn retention_floor(rollup: &Rollup, horizons: &RetentionHorizons) -> Option<i64> {
    rollup
        .inputs
        .iter()
        .filter(|input| input.layer() != lakehouse_layout::Layer::Gold)
        .filter_map(|input| horizons.of(*input))
        .max()
        .map(|horizon| align_up(horizon + rollup.reach.reads_before_ms, span_ms(rollup.dataset)))
}

/// The smallest window holding both.
fn union(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
        (a, b) => a.or(b),
    }
}

/// The output windows that the changed partitions of `rollup`'s inputs reach by its static
/// reach, aligned to the output's partitions; `None` when no input changed.
pub(crate) fn static_window(rollup: &Rollup, changed: &BTreeMap<Dataset, BTreeSet<i64>>) -> Option<(i64, i64)> {
    let mut window = None;
    for input in rollup.inputs {
        let Some(windows) = changed.get(input) else {
            continue;
        };
        let (Some(first), Some(last)) = (windows.first(), windows.last()) else {
            continue;
        };
        let reached = (
            first - rollup.reach.affects_before_ms,
            last + span_ms(*input) + rollup.reach.affects_after_ms,
        );
        window = union(window, Some(reached));
    }
    let span = span_ms(rollup.dataset);
    window
        .map(|(start, end)| (align_down(start, span), align_up(end, span)))
        .filter(|(start, end)| start < end)
}

/// `window` with its start moved forward to what the rollup's data reach says (never after
/// the earliest changed partition, never before the static start).
async fn narrowed(
    target: Target<'_>,
    rollup: &Rollup,
    changed: &BTreeMap<Dataset, BTreeSet<i64>>,
    window: (i64, i64),
    memory: usize,
) -> Result<(i64, i64)> {
    let Some(reach_sql) = rollup.reach_sql else {
        return Ok(window);
    };
    let Some(first_changed) = rollup
        .inputs
        .iter()
        .filter_map(|d| changed.get(d).and_then(|w| w.first()))
        .min()
    else {
        return Ok(window);
    };
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(memory, 1.0)
        .with_cache_manager(target.caches.config())
        .build_arc()
        .map_err(Error::from_datafusion)?;
    let ctx = SessionContext::new_with_config_rt(session_config(), runtime);
    // The rollup's last output over the static window, and the changed input partitions.
    register_windowed_inputs(&ctx, target.reader, &[rollup.dataset], window).await?;
    for input in rollup.inputs {
        let ranges: Vec<(i64, i64)> = changed
            .get(input)
            .into_iter()
            .flatten()
            .map(|start| (*start, start + span_ms(*input)))
            .collect();
        let hidden = register_hidden(&ctx, *input)?;
        let view = format!(
            "CREATE VIEW changed_{} AS SELECT * FROM {hidden} WHERE {}",
            input.name(),
            time_filter(*input, &ranges)
        );
        ctx.sql(&view).await.map_err(Error::from_datafusion)?;
    }
    let batches = ctx
        .sql(reach_sql)
        .await
        .map_err(Error::from_datafusion)?
        .collect()
        .await
        .map_err(Error::from_datafusion)?;
    let affected_from = batches
        .iter()
        .filter(|b| b.num_columns() == 1 && b.num_rows() > 0)
        .find_map(|b| {
            let column = arrow::compute::cast(
                b.column(0),
                &arrow::datatypes::DataType::Timestamp(arrow::datatypes::TimeUnit::Millisecond, None),
            )
            .ok()?;
            let times = column.as_any().downcast_ref::<TimestampMillisecondArray>()?;
            (!times.is_null(0)).then(|| times.value(0))
        });
    let from = (*first_changed).min(affected_from.unwrap_or(i64::MAX));
    let start = align_down(from, span_ms(rollup.dataset)).max(window.0);
    Ok((start, window.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::{DAY_MS, HOUR_MS};

    fn rollup(name: &str) -> &'static Rollup {
        ROLLUPS.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn static_windows_cover_the_reach_and_align_to_partitions() {
        // Input changed in the hours starting at 10:00 and 12:00 of day 0.
        let changed = BTreeMap::from([(Dataset::StreamTrace, BTreeSet::from([10 * HOUR_MS, 12 * HOUR_MS]))]);
        assert_eq!(
            static_window(rollup("sessions"), &changed),
            Some((10 * HOUR_MS - DAY_MS, 14 * HOUR_MS))
        );
        let sessions = BTreeMap::from([(Dataset::Sessions, BTreeSet::from([10 * HOUR_MS, 12 * HOUR_MS]))]);
        assert_eq!(
            static_window(rollup("network_baselines_daily"), &sessions),
            Some((0, DAY_MS))
        );
        // Sessions of day 0 change the benchmarks of days 1 to 7, not day 0's.
        assert_eq!(
            static_window(rollup("sla_benchmarks_daily"), &sessions),
            Some((DAY_MS, 8 * DAY_MS))
        );
        // A changed daily benchmark reaches every hour of its day.
        let benchmark = BTreeMap::from([(Dataset::SlaBenchmarksDaily, BTreeSet::from([DAY_MS]))]);
        assert_eq!(
            static_window(rollup("sla_hourly"), &benchmark),
            Some((DAY_MS, 2 * DAY_MS))
        );
        assert_eq!(static_window(rollup("prices"), &sessions), None);
    }

    #[test]
    fn windows_merge() {
        assert_eq!(union(Some((1, 3)), Some((2, 5))), Some((1, 5)));
        assert_eq!(union(None, Some((2, 5))), Some((2, 5)));
        assert_eq!(union(None, None), None);
    }
}
