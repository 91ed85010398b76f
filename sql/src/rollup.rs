//! Rollups: SQL files that compute gold datasets from silver ones.
//!
//! Each rollup's query returns the rows of its gold dataset, with the window start as the
//! first column. The runner splits the rows by hour and writes each hour as one object
//! (`part-00000.parquet`), replacing the previous one in a single `put`: readers never see a
//! partition half-written or counted twice. Hours that no longer have rows are deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, StringArray, TimestampMillisecondArray, UInt32Array};
use arrow::compute::{cast, concat_batches, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use lakehouse_layout::{DataFilePath, Dataset, FileChange, FileName, Lake, PartitionKey, Partitioning};
use object_store::ObjectStore;

use crate::catalog::{FileCaches, listing_table, register_store};
use crate::error::{Error, Result};
use crate::traffic::{ProbeRule, default_probe_rules, parse_probe_rules};

/// A rollup: a SQL file and the gold dataset it computes.
#[derive(Debug, Clone, Copy)]
pub struct Rollup {
    /// Name (equal to the dataset name).
    pub name: &'static str,
    /// The gold dataset written.
    pub dataset: Dataset,
    /// The query (the content of `rollups/<name>.sql`).
    pub sql: &'static str,
    /// The datasets the query reads.
    pub inputs: &'static [Dataset],
    /// How far in time a changed input reaches into this rollup's rows, and how much input
    /// around its rows the query needs.
    pub reach: Reach,
    /// A query that narrows how far back changed input reaches, from the data: over views
    /// `changed_<input>` (the rows of the changed input partitions) and the rollup's own gold
    /// dataset, it returns one row with the earliest window start the change can touch
    /// (`affected_from`, NULL for none). The static reach stays the bound.
    pub reach_sql: Option<&'static str>,
    /// How often a follower recomputes it.
    pub cadence: Cadence,
}

/// How often a follower ([`crate::Follower`]) recomputes a rollup's changed windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// At every tick: the datasets a new event should reach within seconds (sessions, SLA,
    /// jobs, demand).
    EveryTick,
    /// At most every [`crate::FollowSettings::periodic_every`]: datasets that change slowly or
    /// are read for trends (data quality, payments, prices, inventory, baselines, regions,
    /// node and collector health). Each of these rereads a whole hour or day of its inputs, and
    /// at every tick they would make up most of it; in between, their changed windows wait in
    /// the rollup state with the deferred ones.
    Periodic,
}

/// Time reach of a rollup, used by incremental runs. Windows are aligned to each dataset's
/// partitions (hours, or days for daily datasets); offsets may be negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// A change to an input partition `[P, P + span)` can change rows from P −
    /// `affects_before_ms` …
    pub affects_before_ms: i64,
    /// … up to P + span + `affects_after_ms`.
    pub affects_after_ms: i64,
    /// Rows of window W need input from W − `reads_before_ms` …
    pub reads_before_ms: i64,
    /// … up to W + `reads_after_ms`.
    pub reads_after_ms: i64,
}

pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 24 * HOUR_MS;

impl Reach {
    /// Rows depend only on input of their own window.
    pub const SAME_WINDOW: Reach = Reach {
        affects_before_ms: 0,
        affects_after_ms: 0,
        reads_before_ms: 0,
        reads_after_ms: 0,
    };
}

/// Every rollup, in dependency order.
pub const ROLLUPS: &[Rollup] = &[
    Rollup {
        name: "orchestrator_sessions_hourly",
        dataset: Dataset::OrchestratorSessionsHourly,
        sql: include_str!("../rollups/orchestrator_sessions_hourly.sql"),
        inputs: &[Dataset::AiStreamStatus],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "sessions",
        dataset: Dataset::Sessions,
        sql: include_str!("../rollups/sessions.sql"),
        inputs: &[
            Dataset::StreamTrace,
            Dataset::AiStreamStatus,
            Dataset::AiStreamEvents,
            Dataset::CapabilityOrchestrators,
            Dataset::CapabilityGpus,
            Dataset::Payments,
            Dataset::SignedTickets,
        ],
        reach: Reach {
            // A session lasts up to a day (longer ones are cut at the read window in
            // incremental runs); a capability report names sessions from 30 min before it to
            // 60 min after.
            affects_before_ms: DAY_MS,
            affects_after_ms: HOUR_MS,
            reads_before_ms: HOUR_MS,
            reads_after_ms: DAY_MS,
        },
        // A late sample reaches back to where its session began, not a whole day.
        reach_sql: Some(include_str!("../rollups/sessions.reach.sql")),
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "sla_benchmarks_daily",
        dataset: Dataset::SlaBenchmarksDaily,
        sql: include_str!("../rollups/sla_benchmarks_daily.sql"),
        inputs: &[Dataset::Sessions],
        reach: Reach {
            // The benchmark of day D is the 7 full days before it: sessions of day X change
            // the benchmarks of X + 1 … X + 7.
            affects_before_ms: -DAY_MS,
            affects_after_ms: 7 * DAY_MS,
            reads_before_ms: 7 * DAY_MS,
            reads_after_ms: -DAY_MS,
        },
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "sla_hourly",
        dataset: Dataset::SlaHourly,
        sql: include_str!("../rollups/sla_hourly.sql"),
        // The day's benchmark comes from sla_benchmarks_daily: an hour reads its own sessions.
        inputs: &[Dataset::Sessions, Dataset::SlaBenchmarksDaily],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "jobs",
        dataset: Dataset::Jobs,
        sql: include_str!("../rollups/jobs.sql"),
        inputs: &[
            Dataset::AiBatchRequests,
            Dataset::LlmRequests,
            Dataset::ByocJobEvents,
            Dataset::TestResults,
        ],
        reach: Reach {
            // A job completes within an hour of its start.
            affects_before_ms: HOUR_MS,
            affects_after_ms: 0,
            reads_before_ms: 0,
            reads_after_ms: HOUR_MS,
        },
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "jobs_hourly",
        dataset: Dataset::JobsHourly,
        sql: include_str!("../rollups/jobs_hourly.sql"),
        inputs: &[Dataset::Jobs],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "demand_hourly",
        dataset: Dataset::DemandHourly,
        sql: include_str!("../rollups/demand_hourly.sql"),
        // Client addresses come from the silver requests, read as `jobs` reads them.
        inputs: &[
            Dataset::Sessions,
            Dataset::Jobs,
            Dataset::AiBatchRequests,
            Dataset::LlmRequests,
        ],
        reach: Reach {
            affects_before_ms: HOUR_MS,
            affects_after_ms: 0,
            reads_before_ms: 0,
            reads_after_ms: HOUR_MS,
        },
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "payments_hourly",
        dataset: Dataset::PaymentsHourly,
        sql: include_str!("../rollups/payments_hourly.sql"),
        inputs: &[Dataset::Payments, Dataset::SignedTickets, Dataset::SlaHourly],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "prices",
        dataset: Dataset::Prices,
        sql: include_str!("../rollups/prices.sql"),
        inputs: &[Dataset::CapabilityPrices],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "gpu_inventory",
        dataset: Dataset::GpuInventory,
        sql: include_str!("../rollups/gpu_inventory.sql"),
        inputs: &[Dataset::CapabilityGpus, Dataset::CapabilityModels],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "network_baselines_daily",
        dataset: Dataset::NetworkBaselinesDaily,
        sql: include_str!("../rollups/network_baselines_daily.sql"),
        inputs: &[Dataset::Sessions],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "data_quality_hourly",
        dataset: Dataset::DataQualityHourly,
        sql: include_str!("../rollups/data_quality_hourly.sql"),
        inputs: &[
            Dataset::Events,
            Dataset::DeadLetters,
            Dataset::Sessions,
            Dataset::StreamIngestMetrics,
        ],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "orchestrator_regions",
        dataset: Dataset::OrchestratorRegions,
        sql: include_str!("../rollups/orchestrator_regions.sql"),
        inputs: &[Dataset::DiscoveryResults],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "node_metrics_hourly",
        dataset: Dataset::NodeMetricsHourly,
        sql: include_str!("../rollups/node_metrics_hourly.sql"),
        inputs: &[Dataset::NodeMetrics],
        reach: Reach {
            // A counter's rise is measured from the sample before, which a poll interval of
            // up to an hour puts in the previous hour.
            affects_before_ms: 0,
            affects_after_ms: HOUR_MS,
            reads_before_ms: HOUR_MS,
            reads_after_ms: 0,
        },
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "collector_health_hourly",
        dataset: Dataset::CollectorHealthHourly,
        sql: include_str!("../rollups/collector_health_hourly.sql"),
        inputs: &[Dataset::CollectorPolls],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "slo_burn_rates",
        dataset: Dataset::SloBurnRates,
        sql: include_str!("../rollups/slo_burn_rates.sql"),
        inputs: &[Dataset::Sessions],
        reach: Reach {
            // An evaluation sees the sessions of the 6 hours before it: a session reaches the
            // evaluations of its hour and of the six after. Evaluations stop at the latest
            // session start, so a session also lets the hour before evaluate further.
            affects_before_ms: HOUR_MS,
            affects_after_ms: 6 * HOUR_MS,
            reads_before_ms: 6 * HOUR_MS,
            reads_after_ms: 0,
        },
        reach_sql: None,
        cadence: Cadence::EveryTick,
    },
    Rollup {
        name: "health_states",
        dataset: Dataset::HealthStates,
        sql: include_str!("../rollups/health_states.sql"),
        inputs: &[Dataset::Sessions],
        reach: Reach {
            // An hour is held against the 7 days before it: a session reaches its own hour's
            // evaluation and the baselines of the week after.
            affects_before_ms: 0,
            affects_after_ms: 7 * DAY_MS,
            reads_before_ms: 7 * DAY_MS,
            reads_after_ms: 0,
        },
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "data_health_states",
        dataset: Dataset::DataHealthStates,
        sql: include_str!("../rollups/data_health_states.sql"),
        inputs: &[Dataset::DataQualityHourly],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
    Rollup {
        name: "decoder_versions_daily",
        dataset: Dataset::DecoderVersionsDaily,
        sql: include_str!("../rollups/decoder_versions_daily.sql"),
        inputs: &[
            Dataset::DeadLetters,
            Dataset::StreamTrace,
            Dataset::AiStreamStatus,
            Dataset::AiStreamEvents,
            Dataset::StreamIngestMetrics,
            Dataset::DiscoveryResults,
            Dataset::CapabilityOrchestrators,
            Dataset::CapabilityModels,
            Dataset::CapabilityPrices,
            Dataset::CapabilityGpus,
            Dataset::Payments,
            Dataset::SignedTickets,
            Dataset::AiBatchRequests,
            Dataset::LlmRequests,
            Dataset::ByocJobEvents,
            Dataset::TestResults,
            Dataset::OrchestratorRegistry,
            Dataset::NodeMetrics,
            Dataset::CollectorPolls,
        ],
        reach: Reach::SAME_WINDOW,
        reach_sql: None,
        cadence: Cadence::Periodic,
    },
];

/// Configuration the rollups join with: which region each gateway is in, and which traffic
/// is a probe ([`crate::traffic`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceData {
    /// `(gateway, region)` pairs; gateways not listed have a NULL region.
    pub gateway_regions: Vec<(String, String)>,
    /// Probe rules in order of precedence; sessions and jobs no rule matches are organic.
    pub probe_rules: Vec<ProbeRule>,
}

impl Default for ReferenceData {
    /// No gateway regions; the default probe rules.
    fn default() -> Self {
        ReferenceData {
            gateway_regions: Vec::new(),
            probe_rules: default_probe_rules(),
        }
    }
}

impl ReferenceData {
    /// Gateway regions as `gateway=region` pairs, comma-separated (the form of
    /// `--gateway-region` and `NAAP_GATEWAY_REGIONS`), with the default probe rules.
    pub fn parse_gateway_regions(pairs: &[String]) -> std::result::Result<ReferenceData, String> {
        let mut gateway_regions = Vec::new();
        for pair in pairs {
            match pair.split_once('=') {
                Some((gateway, region)) if !gateway.trim().is_empty() && !region.trim().is_empty() => {
                    gateway_regions.push((gateway.trim().to_string(), region.trim().to_string()));
                }
                _ => return Err(format!("{pair:?} is not GATEWAY=REGION (e.g. gw1.example.com=eu-west)")),
            }
        }
        gateway_regions.sort();
        if let Some(pair) = gateway_regions.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!("gateway {:?} is given two regions", pair[0].0));
        }
        Ok(ReferenceData {
            gateway_regions,
            ..ReferenceData::default()
        })
    }

    /// Gateway regions ([`Self::parse_gateway_regions`]) and probe rules
    /// ([`crate::traffic::parse_probe_rules`]: none given means the defaults).
    pub fn parse(gateway_regions: &[String], probe_rules: &[String]) -> std::result::Result<ReferenceData, String> {
        Ok(ReferenceData {
            probe_rules: parse_probe_rules(probe_rules)?,
            ..ReferenceData::parse_gateway_regions(gateway_regions)?
        })
    }

    /// A stable text of the configuration, recorded with the rollup state:
    /// `gw=region,…;probe_rules=FIELD=GLOB,…`.
    pub(crate) fn fingerprint(&self) -> String {
        let mut pairs = self.gateway_regions.clone();
        pairs.sort();
        let regions = pairs.iter().map(|(g, r)| format!("{g}={r}")).collect::<Vec<_>>();
        let rules = self.probe_rules.iter().map(ProbeRule::name).collect::<Vec<_>>();
        format!("{}{PROBE_RULES_MARK}{}", regions.join(","), rules.join(","))
    }

    /// The configuration a [`Self::fingerprint`] was made from. A state recorded before
    /// probe rules existed holds only regions: it gets the default rules.
    pub fn from_fingerprint(text: &str) -> std::result::Result<ReferenceData, String> {
        let split = |list: &str| {
            list.split(',')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        match text.split_once(PROBE_RULES_MARK) {
            Some((regions, rules)) => {
                let rules = split(rules);
                Ok(ReferenceData {
                    // No rule recorded is no rule, not the defaults.
                    probe_rules: match rules.is_empty() {
                        true => Vec::new(),
                        false => parse_probe_rules(&rules)?,
                    },
                    ..ReferenceData::parse_gateway_regions(&split(regions))?
                })
            }
            None => ReferenceData::parse_gateway_regions(&split(text)),
        }
    }
}

const PROBE_RULES_MARK: &str = ";probe_rules=";

/// Registers the reference tables the rollups join with: `gateway_regions` (gateway,
/// region) and `probe_rules` (position, rule, field, pattern).
pub fn register_reference_tables(ctx: &SessionContext, reference: &ReferenceData) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("gateway", DataType::Utf8, false),
        Field::new("region", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(StringArray::from_iter_values(
                reference.gateway_regions.iter().map(|(g, _)| g),
            )),
            Arc::new(StringArray::from_iter_values(
                reference.gateway_regions.iter().map(|(_, r)| r),
            )),
        ],
    )?;
    let table = MemTable::try_new(schema, vec![vec![batch]]).map_err(Error::from_datafusion)?;
    ctx.register_table("gateway_regions", Arc::new(table))
        .map_err(Error::from_datafusion)?;

    let schema = Arc::new(Schema::new(vec![
        Field::new("position", DataType::Int64, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("field", DataType::Utf8, false),
        Field::new("pattern", DataType::Utf8, false),
    ]));
    let rules = &reference.probe_rules;
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(Int64Array::from_iter_values(0..rules.len() as i64)),
            Arc::new(StringArray::from_iter_values(rules.iter().map(ProbeRule::name))),
            Arc::new(StringArray::from_iter_values(rules.iter().map(|r| r.field.as_str()))),
            Arc::new(StringArray::from_iter_values(rules.iter().map(ProbeRule::like_pattern))),
        ],
    )?;
    let table = MemTable::try_new(schema, vec![vec![batch]]).map_err(Error::from_datafusion)?;
    ctx.register_table("probe_rules", Arc::new(table))
        .map_err(Error::from_datafusion)?;
    Ok(())
}

/// The DataFusion configuration rollups run with. Two partitions match this machine class;
/// results do not depend on it (floats are rounded in the SQL, rows are ordered).
pub fn session_config() -> SessionConfig {
    SessionConfig::new().with_target_partitions(2)
}

/// What one rollup wrote in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRun {
    /// The rollup.
    pub name: &'static str,
    /// The output windows recomputed, `[start, end)` in epoch ms; `None` for all of them.
    pub window: Option<(i64, i64)>,
    /// Partitions written.
    pub partitions: usize,
    /// Rows written.
    pub rows: u64,
    /// Partitions removed because they no longer have rows.
    pub deleted: usize,
    /// Time taken, ms (query and writes).
    pub elapsed_ms: u64,
}

/// What a rollup run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupReport {
    /// Whether every window was recomputed (first run, or asked for).
    pub full: bool,
    /// Rollups that had something to recompute, in order.
    pub rollups: Vec<RollupRun>,
}

/// How to run the rollups.
#[derive(Debug, Clone, Default)]
pub struct RollupOptions {
    /// Recompute every window instead of only those touched since the last run.
    pub full: bool,
    /// Configuration joined by the rollups.
    pub reference: ReferenceData,
    /// Memory a rollup query may hold before sorts and aggregations spill to disk;
    /// `None` for the default ([`DEFAULT_ROLLUP_MEMORY`]).
    pub memory_limit: Option<usize>,
    /// The clock: output windows that begin after it are computed once they begin; `None`
    /// for the wall clock.
    pub now_ms: Option<i64>,
}

impl RollupOptions {
    /// What time it is for the rollups.
    pub fn now_ms(&self) -> i64 {
        self.now_ms.unwrap_or_else(lakehouse_layout::change_log::wall_clock_ms)
    }
}

/// The default memory limit of a rollup query: sorts and aggregations spill to temporary
/// files beyond it, so a day at the network's scale runs within ~2 GB of RSS.
pub const DEFAULT_ROLLUP_MEMORY: usize = 768 << 20;

/// Runs the rollups once. The first run (or `options.full`) recomputes everything; later
/// runs recompute only the windows that input files added, rewritten or deleted since the last
/// successful run can reach (see [`Reach`]), and replace exactly those gold partitions. The
/// input listing is recorded at the end (`_rollup/state.json`), so a failed run is redone.
/// [`crate::Follower`] keeps doing so from the lake's change log.
pub async fn run_rollups(lake: &Lake, options: &RollupOptions) -> Result<RollupReport> {
    let settings = crate::follow::FollowSettings::default();
    Ok(crate::follow::Follower::start(lake.clone(), options.clone(), settings)
        .await?
        .1)
}

/// Where a rollup reads and writes: it writes gold partitions to `lake` and reads its inputs
/// through `reader` (the lake's own store, or an [`IndexedStore`] over it).
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) lake: &'a Lake,
    pub(crate) reader: &'a Arc<dyn ObjectStore>,
    /// Footer and statistics caches the run's sessions share (across runs in a follower).
    pub(crate) caches: &'a FileCaches,
}

/// Runs one rollup with `sql` (its own, or the one a snapshot recorded) over `window` (all
/// windows when `None`) and replaces its partitions there, reading the lake's store directly.
pub(crate) async fn run_one(
    lake: &Lake,
    rollup: &Rollup,
    sql: &str,
    window: Option<(i64, i64)>,
    reference: &ReferenceData,
    memory_limit: usize,
) -> Result<RollupRun> {
    let caches = FileCaches::new();
    let target = Target {
        lake,
        reader: lake.store(),
        caches: &caches,
    };
    Ok(run_one_into(target, rollup, sql, window, reference, memory_limit)
        .await?
        .0)
}

/// [`run_one`] reading through `target.reader`; also returns the files it changed (recorded
/// in the change log too).
pub(crate) async fn run_one_into(
    target: Target<'_>,
    rollup: &Rollup,
    sql: &str,
    window: Option<(i64, i64)>,
    reference: &ReferenceData,
    memory_limit: usize,
) -> Result<(RollupRun, Vec<FileChange>)> {
    let lake = target.lake;
    let started = std::time::Instant::now();
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(memory_limit, 1.0)
        .with_cache_manager(target.caches.config())
        .build_arc()
        .map_err(Error::from_datafusion)?;
    let ctx = SessionContext::new_with_config_rt(session_config(), runtime);
    match window {
        None => register_store(&ctx, target.reader, Dataset::ALL)?,
        Some((start, end)) => {
            let read = (start - rollup.reach.reads_before_ms, end + rollup.reach.reads_after_ms);
            register_windowed_inputs(&ctx, target.reader, rollup.inputs, read).await?;
        }
    }
    register_reference_tables(&ctx, reference)?;
    let frame = ctx.sql(sql).await.map_err(Error::from_datafusion)?;
    let batches = frame.collect().await.map_err(Error::from_datafusion)?;
    let schema = rollup.dataset.file_schema();
    let batches = batches
        .iter()
        .map(|b| conform(rollup, &schema, b))
        .collect::<Result<Vec<_>>>()?;
    let in_window = |partition: &PartitionKey| window.is_none_or(|(s, e)| (s..e).contains(&partition.start_ms()));
    let mut by_window = split_by_window(rollup.dataset, &schema, &batches)?;
    by_window.retain(|partition, _| in_window(partition));
    let mut rows = 0;
    let mut changes = Vec::new();
    for (partition, batch) in &by_window {
        let path = DataFilePath::new(rollup.dataset, partition.clone(), FileName::Part(0));
        // A query that listed the version there may still be reading it.
        lake.keep_superseded(&path.to_path()).await?;
        let written = lake.write_parquet(&path, std::slice::from_ref(batch)).await?;
        rows += written.rows;
        changes.push(written.change());
    }
    // Only the days of the window are listed: a tick must not list a month of gold.
    let existing = match window {
        // A window bounded only by retention spans everything after it: list the dataset.
        Some((start, end)) if end - start <= 62 * DAY_MS => lake.list_days(rollup.dataset, start, end).await?,
        _ => lake.list_files(rollup.dataset).await?,
    };
    let mut deleted = BTreeSet::new();
    for (path, meta) in existing {
        let stale = !by_window.contains_key(&path.partition) || path.file != FileName::Part(0);
        if stale && in_window(&path.partition) {
            lake.keep_superseded(&meta.location).await?;
            lake.delete(&meta.location).await?;
            changes.push(FileChange::Delete {
                path: meta.location.to_string(),
            });
            deleted.insert(path.partition);
        }
    }
    lake.record_changes(changes.clone()).await?;
    let run = RollupRun {
        name: rollup.name,
        window,
        partitions: by_window.len(),
        rows,
        deleted: deleted.len(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    Ok((run, changes))
}

/// Registers each input dataset as a view of its rows with a partition time in
/// `[start, end)`: whole partitions outside are pruned by their `date` folder.
pub(crate) async fn register_windowed_inputs(
    ctx: &SessionContext,
    reader: &Arc<dyn ObjectStore>,
    inputs: &[Dataset],
    (start, end): (i64, i64),
) -> Result<()> {
    register_store(ctx, reader, std::iter::empty())?;
    for dataset in inputs {
        // A daily input's row for the day of `start` begins before `start`.
        let span = span_ms(*dataset);
        let (start, end) = (align_down(start, span), align_up(end, span));
        let hidden = register_hidden(ctx, *dataset)?;
        let view = format!(
            "CREATE VIEW {} AS SELECT * FROM {hidden} WHERE {}",
            dataset.name(),
            time_filter(*dataset, &[(start, end)]),
        );
        ctx.sql(&view).await.map_err(Error::from_datafusion)?;
    }
    Ok(())
}

/// Registers the whole table of `dataset` under a hidden name, which it returns.
pub(crate) fn register_hidden(ctx: &SessionContext, dataset: Dataset) -> Result<String> {
    let hidden = format!("__input_{}", dataset.name());
    ctx.register_table(hidden.as_str(), Arc::new(listing_table(dataset)?))
        .map_err(Error::from_datafusion)?;
    Ok(hidden)
}

/// A filter keeping the rows of `dataset` whose time lies in one of `ranges` (`[start, end)`,
/// epoch ms), with the `date` folders outside pruned; `false` for no range.
pub(crate) fn time_filter(dataset: Dataset, ranges: &[(i64, i64)]) -> String {
    let day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let column = dataset.time_column();
    let terms: Vec<String> = ranges
        .iter()
        .map(|(start, end)| {
            format!(
                "(date >= '{}' AND date <= '{}' AND {column} >= to_timestamp_millis({start}) \
                 AND {column} < to_timestamp_millis({end}))",
                day(*start),
                day(*end),
            )
        })
        .collect();
    match terms.is_empty() {
        true => "false".to_string(),
        false => terms.join(" OR "),
    }
}

/// The time span of one partition of `dataset`, ms.
pub(crate) fn span_ms(dataset: Dataset) -> i64 {
    match dataset.partitioning() {
        Partitioning::Date => DAY_MS,
        _ => HOUR_MS,
    }
}

pub(crate) fn align_down(ms: i64, span: i64) -> i64 {
    ms.div_euclid(span) * span
}

pub(crate) fn align_up(ms: i64, span: i64) -> i64 {
    (ms + span - 1).div_euclid(span) * span
}

/// Casts the query's columns to the dataset's types (e.g. `count` gives Int64, a timestamp
/// function may change the unit) and checks the column names.
fn conform(rollup: &Rollup, schema: &SchemaRef, batch: &RecordBatch) -> Result<RecordBatch> {
    let mismatch = |detail: String| Error::RollupSchema {
        rollup: rollup.name,
        detail,
    };
    if batch.num_columns() != schema.fields().len() {
        return Err(mismatch(format!(
            "{} columns instead of {}",
            batch.num_columns(),
            schema.fields().len()
        )));
    }
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, (column, actual)) in schema
        .fields()
        .iter()
        .zip(batch.columns().iter().zip(batch.schema().fields()))
    {
        if field.name() != actual.name() {
            return Err(mismatch(format!(
                "column {} where {} is expected",
                actual.name(),
                field.name()
            )));
        }
        let column = cast(column, field.data_type()).map_err(|e| mismatch(format!("column {}: {e}", field.name())))?;
        if !field.is_nullable() && column.null_count() > 0 {
            return Err(mismatch(format!("column {} has NULLs", field.name())));
        }
        columns.push(column);
    }
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| mismatch(e.to_string()))
}

/// Groups rows by the partition (hour, or day for daily datasets) of their first column, the
/// window start.
fn split_by_window(
    dataset: Dataset,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<BTreeMap<PartitionKey, RecordBatch>> {
    let partition_of = |start: i64| match dataset.partitioning() {
        Partitioning::Date => PartitionKey::daily(start),
        _ => PartitionKey::hourly(start),
    };
    let mut parts: BTreeMap<PartitionKey, Vec<RecordBatch>> = BTreeMap::new();
    for batch in batches {
        let starts = batch
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
            .expect("conform() cast the first column to a ms timestamp");
        let mut indices: BTreeMap<PartitionKey, Vec<u32>> = BTreeMap::new();
        for (row, start) in starts.iter().enumerate() {
            let start = start.expect("window_start is not nullable");
            indices.entry(partition_of(start)).or_default().push(row as u32);
        }
        for (key, rows) in indices {
            let part = take_record_batch(batch, &UInt32Array::from(rows))?;
            parts.entry(key).or_default().push(part);
        }
    }
    parts
        .into_iter()
        .map(|(key, batches)| Ok((key, concat_batches(schema, &batches)?)))
        .collect()
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::Execution(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_regions_are_validated() {
        let parsed = ReferenceData::parse_gateway_regions(&["gw2=us-east".into(), " gw1 = eu-west ".into()]).unwrap();
        assert_eq!(
            parsed.gateway_regions,
            [
                ("gw1".to_string(), "eu-west".to_string()),
                ("gw2".to_string(), "us-east".to_string())
            ]
        );
        let missing = ReferenceData::parse_gateway_regions(&["gw1".into()]).unwrap_err();
        assert!(missing.contains("is not GATEWAY=REGION"), "{missing}");
        let empty = ReferenceData::parse_gateway_regions(&["gw1=".into()]).unwrap_err();
        assert!(empty.contains("is not GATEWAY=REGION"), "{empty}");
        let twice = ReferenceData::parse_gateway_regions(&["gw1=a".into(), "gw1=b".into()]).unwrap_err();
        assert!(twice.contains("two regions"), "{twice}");
    }

    #[test]
    fn the_recorded_configuration_reads_back() {
        let regions = ["gw2=us-east".to_string(), "gw1=eu-west".to_string()];
        for rules in [
            vec![],
            vec!["none".to_string()],
            vec!["org=tester".to_string(), "stream_id=probe-*".to_string()],
        ] {
            let reference = ReferenceData::parse(&regions, &rules).unwrap();
            assert_eq!(
                ReferenceData::from_fingerprint(&reference.fingerprint()).unwrap(),
                reference
            );
        }
        // A state written before probe rules: regions only, the default rules.
        let old = ReferenceData::from_fingerprint("gw1=eu-west").unwrap();
        assert_eq!(old.gateway_regions, [("gw1".to_string(), "eu-west".to_string())]);
        assert_eq!(old.probe_rules, crate::traffic::default_probe_rules());
    }

    /// A silver dataset added without a line in decoder_versions_daily would hide its rows'
    /// decoder versions from data quality.
    #[test]
    fn decoder_versions_cover_every_silver_dataset_and_dead_letters() {
        let rollup = ROLLUPS.iter().find(|r| r.name == "decoder_versions_daily").unwrap();
        for dataset in Dataset::ALL.into_iter().filter(|d| {
            matches!(
                d.layer(),
                lakehouse_layout::Layer::Silver | lakehouse_layout::Layer::DeadLetters
            )
        }) {
            assert!(
                rollup
                    .sql
                    .contains(&format!("'{0}' AS dataset, decoder_version FROM {0}\n", dataset.name())),
                "decoder_versions_daily.sql does not count {dataset}"
            );
            assert!(
                rollup.inputs.contains(&dataset),
                "decoder_versions_daily does not read {dataset}"
            );
        }
    }
}
