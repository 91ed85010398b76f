//! Rollups: SQL files that compute gold datasets from silver ones.
//!
//! Each rollup's query returns the rows of its gold dataset, with the window start as the
//! first column. The runner splits the rows by hour and writes each hour as one object
//! (`part-00000.parquet`), replacing the previous one in a single `put`: readers never see a
//! partition half-written or counted twice. Hours that no longer have rows are deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringArray, TimestampMillisecondArray, UInt32Array};
use arrow::compute::{cast, concat_batches, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use lakehouse_layout::{DataFilePath, Dataset, FileName, Lake, PartitionKey, Partitioning};

use crate::catalog::register_lake;
use crate::error::{Error, Result};

/// A rollup: a SQL file and the gold dataset it computes.
#[derive(Debug, Clone, Copy)]
pub struct Rollup {
    /// Name (equal to the dataset name).
    pub name: &'static str,
    /// The gold dataset written.
    pub dataset: Dataset,
    /// The query (the content of `rollups/<name>.sql`).
    pub sql: &'static str,
}

/// Every rollup, in dependency order.
pub const ROLLUPS: &[Rollup] = &[
    Rollup {
        name: "orchestrator_sessions_hourly",
        dataset: Dataset::OrchestratorSessionsHourly,
        sql: include_str!("../rollups/orchestrator_sessions_hourly.sql"),
    },
    Rollup {
        name: "sessions",
        dataset: Dataset::Sessions,
        sql: include_str!("../rollups/sessions.sql"),
    },
    Rollup {
        name: "sla_hourly",
        dataset: Dataset::SlaHourly,
        sql: include_str!("../rollups/sla_hourly.sql"),
    },
    Rollup {
        name: "jobs",
        dataset: Dataset::Jobs,
        sql: include_str!("../rollups/jobs.sql"),
    },
    Rollup {
        name: "jobs_hourly",
        dataset: Dataset::JobsHourly,
        sql: include_str!("../rollups/jobs_hourly.sql"),
    },
    Rollup {
        name: "demand_hourly",
        dataset: Dataset::DemandHourly,
        sql: include_str!("../rollups/demand_hourly.sql"),
    },
    Rollup {
        name: "payments_hourly",
        dataset: Dataset::PaymentsHourly,
        sql: include_str!("../rollups/payments_hourly.sql"),
    },
    Rollup {
        name: "prices",
        dataset: Dataset::Prices,
        sql: include_str!("../rollups/prices.sql"),
    },
    Rollup {
        name: "gpu_inventory",
        dataset: Dataset::GpuInventory,
        sql: include_str!("../rollups/gpu_inventory.sql"),
    },
    Rollup {
        name: "network_baselines_daily",
        dataset: Dataset::NetworkBaselinesDaily,
        sql: include_str!("../rollups/network_baselines_daily.sql"),
    },
    Rollup {
        name: "data_quality_hourly",
        dataset: Dataset::DataQualityHourly,
        sql: include_str!("../rollups/data_quality_hourly.sql"),
    },
];

/// Configuration the rollups join with: which region each gateway is in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceData {
    /// `(gateway, region)` pairs; gateways not listed have a NULL region.
    pub gateway_regions: Vec<(String, String)>,
}

/// Registers the reference tables (`gateway_regions`) the rollups join with.
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
    Ok(())
}

/// The DataFusion configuration rollups run with. Two partitions match this machine class;
/// results do not depend on it (floats are rounded in the SQL, rows are ordered).
pub fn session_config() -> SessionConfig {
    SessionConfig::new().with_target_partitions(2)
}

/// What a rollup run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupReport {
    /// Per rollup: `(name, partitions written, rows written, partitions deleted)`.
    pub rollups: Vec<(&'static str, usize, u64, usize)>,
}

/// Runs every rollup over the whole lake and replaces their gold partitions.
pub async fn run_rollups(lake: &Lake) -> Result<RollupReport> {
    let ctx = SessionContext::new_with_config(session_config());
    register_lake(&ctx, lake, Dataset::ALL)?;
    register_reference_tables(&ctx, &ReferenceData::default())?;
    let mut report = RollupReport::default();
    for rollup in ROLLUPS {
        let frame = ctx.sql(rollup.sql).await.map_err(Error::from_datafusion)?;
        let batches = frame.collect().await.map_err(Error::from_datafusion)?;
        let schema = rollup.dataset.file_schema();
        let batches = batches
            .iter()
            .map(|b| conform(rollup, &schema, b))
            .collect::<Result<Vec<_>>>()?;
        let by_hour = split_by_window(rollup.dataset, &schema, &batches)?;
        let mut rows = 0;
        for (partition, batch) in &by_hour {
            let path = DataFilePath::new(rollup.dataset, partition.clone(), FileName::Part(0));
            rows += lake.write_parquet(&path, std::slice::from_ref(batch)).await?.rows;
        }
        let mut deleted = BTreeSet::new();
        for (path, meta) in lake.list_files(rollup.dataset).await? {
            if !by_hour.contains_key(&path.partition) || path.file != FileName::Part(0) {
                lake.delete(&meta.location).await?;
                deleted.insert(path.partition);
            }
        }
        tracing::info!(rollup = rollup.name, partitions = by_hour.len(), rows, "rollup written");
        report.rollups.push((rollup.name, by_hour.len(), rows, deleted.len()));
    }
    Ok(report)
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
