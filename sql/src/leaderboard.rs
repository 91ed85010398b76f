//! The leaderboard's evidence: per orchestrator, the sums of its `sla_hourly` rows over a
//! window, from which the handlers rank (naap_score is the Wilson lower bound of
//! good / trials, computed from these sums).
//!
//! While `rollup --follow` rewrites the current hour every second, every leaderboard whose
//! window ends in that hour is due again every second, and each used to sum a month of rows.
//! Sums add up: the window is answered as the sums of its settled part (every hour but the
//! last) plus the sums of its last hour, each kept with [`QueryEngine::query_memo`] until a
//! change reaches its hours, added per orchestrator: a tick that rewrites the live hour
//! recomputes a few hundred rows, not a month.
//! Which hour is last is a property of the request, not of the lake, so the same request
//! always adds the same two parts.

use std::sync::Arc;

use arrow::array::StringArray;
use arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{max, sum};
use datafusion::prelude::col;
use datafusion::scalar::ScalarValue;
use lakehouse_layout::Dataset;

use crate::QueryEngine;
use crate::error::{Error, Result};
use crate::rollup::HOUR_MS;

/// The sums per orchestrator, grouped by `orchestrator_address`: every column a sum but
/// `orchestrator_url` (the greatest seen).
const SUMS: &str = "SELECT orchestrator_address, max(orchestrator_url) AS orchestrator_url, \
    sum(requested_sessions) AS requested_sessions, sum(startup_success_sessions) AS startup_success_sessions, \
    sum(good_sessions) AS good_sessions, sum(naap_score_sessions) AS trials, \
    sum(startup_latency_ms_sum) AS startup_latency_ms_sum, sum(startup_latency_count) AS startup_latency_count, \
    sum(output_fps_sum) AS output_fps_sum, sum(status_samples) AS status_samples \
    FROM sla_hourly WHERE window_start >= $1 AND window_start < $2 AND orchestrator_address IS NOT NULL";

/// Columns of [`SUMS`] taken as the greatest, not summed, when parts are added.
const GREATEST: [&str; 1] = ["orchestrator_url"];

/// The sums of each orchestrator's `sla_hourly` rows in `[from, to)` that also meet
/// `conditions` (SQL over the table's columns whose placeholders start at `$3`, bound to
/// `values`): `orchestrator_address`, `orchestrator_url`, `requested_sessions`,
/// `startup_success_sessions`, `good_sessions`, `trials` (sessions the score counts),
/// `startup_latency_ms_sum`, `startup_latency_count`, `output_fps_sum`, `status_samples`.
pub async fn orchestrator_sums(
    engine: &QueryEngine,
    conditions: &[String],
    values: Vec<ScalarValue>,
    (from, to): (i64, i64),
) -> Result<Vec<RecordBatch>> {
    let mut sql = SUMS.to_string();
    for condition in conditions {
        sql.push_str(" AND ");
        sql.push_str(condition);
    }
    sql.push_str(" GROUP BY orchestrator_address");
    match in_parts(engine, &sql, values, Dataset::SlaHourly, (from, to)).await? {
        Parts::Whole(batches) => Ok(batches.as_ref().clone()),
        Parts::Split { settled, current } => add_parts(engine, settled, current).await,
    }
}

/// The orchestrators (lowercase addresses, sorted) whose capability reports in `[from, to)`
/// advertised `model` (any model when `None`): those a leaderboard lists even without
/// sessions. A month of reports costs more than the SLA rows; its settled part is kept.
pub async fn advertised_orchestrators(
    engine: &QueryEngine,
    model: Option<&str>,
    (from, to): (i64, i64),
) -> Result<Vec<String>> {
    let mut sql = "SELECT DISTINCT lower(orchestrator_address) AS orchestrator_address FROM capability_models \
         WHERE event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL"
        .to_string();
    let mut values = Vec::new();
    if let Some(model) = model {
        sql.push_str(" AND model_id = $3");
        values.push(ScalarValue::Utf8(Some(model.to_string())));
    }
    let batches: Vec<RecordBatch> = match in_parts(engine, &sql, values, Dataset::CapabilityModels, (from, to)).await? {
        Parts::Whole(batches) => batches.as_ref().clone(),
        Parts::Split { settled, current } => settled.iter().chain(current.iter()).cloned().collect(),
    };
    let mut addresses = std::collections::BTreeSet::new();
    for batch in &batches {
        let column = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        let column = column.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
        addresses.extend(column.iter().flatten().map(str::to_string));
    }
    Ok(addresses.into_iter().collect())
}

/// A query's answer over a window, whole or as its two parts.
enum Parts {
    Whole(Arc<Vec<RecordBatch>>),
    /// Every hour but the last, and the last: each kept until a change reaches it.
    Split {
        settled: Arc<Vec<RecordBatch>>,
        current: Arc<Vec<RecordBatch>>,
    },
}

/// Runs `sql` (placeholders `$1`, `$2`: the window's bounds; from `$3`: `values`) over
/// `[from, to)`, whole or in two parts when the window is longer than its last hour, each kept by
/// [`QueryEngine::query_memo`] (reading `dataset` only) until a change reaches its hours: a
/// change to the live hour recomputes the last hour only.
async fn in_parts(
    engine: &QueryEngine,
    sql: &str,
    values: Vec<ScalarValue>,
    dataset: Dataset,
    (from, to): (i64, i64),
) -> Result<Parts> {
    let bind = |from: i64, to: i64| {
        let mut bound = vec![timestamp(from), timestamp(to)];
        bound.extend(values.iter().cloned());
        bound
    };
    let last_hour = (to - 1).div_euclid(HOUR_MS) * HOUR_MS;
    if last_hour <= from {
        let whole = engine
            .query_memo(sql, bind(from, to), &[dataset], Some((from, to)))
            .await?;
        return Ok(Parts::Whole(whole));
    }
    let settled = engine
        .query_memo(sql, bind(from, last_hour), &[dataset], Some((from, last_hour)))
        .await?;
    let current = engine
        .query_memo(sql, bind(last_hour, to), &[dataset], Some((last_hour, to)))
        .await?;
    Ok(Parts::Split { settled, current })
}

/// The rows of two parts' sums added per orchestrator.
async fn add_parts(
    engine: &QueryEngine,
    settled: Arc<Vec<RecordBatch>>,
    current: Arc<Vec<RecordBatch>>,
) -> Result<Vec<RecordBatch>> {
    let rows = |batches: &[RecordBatch]| batches.iter().map(RecordBatch::num_rows).sum::<usize>();
    if rows(&current) == 0 {
        return Ok(settled.as_ref().clone());
    }
    if rows(&settled) == 0 {
        return Ok(current.as_ref().clone());
    }
    let schema = current[0].schema();
    let key = "orchestrator_address";
    let aggregates = schema
        .fields()
        .iter()
        .map(|f| f.name())
        .filter(|name| *name != key)
        .map(|name| match GREATEST.contains(&name.as_str()) {
            true => max(col(name)).alias(name),
            false => sum(col(name)).alias(name),
        })
        .collect();
    let both: Vec<RecordBatch> = settled.iter().chain(current.iter()).cloned().collect();
    engine
        .context()
        .read_batches(both)
        .and_then(|frame| frame.aggregate(vec![col(key)], aggregates))
        .map_err(Error::from_datafusion)?
        .collect()
        .await
        .map_err(Error::from_datafusion)
}

fn timestamp(ms: i64) -> ScalarValue {
    ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into()))
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, ArrayRef, Int64Array, TimestampMillisecondArray};
    use arrow::compute::cast;
    use lakehouse_layout::{DataFilePath, FileName, Lake, PartitionKey};

    use super::*;
    use crate::{Profile, QueryLimits};

    /// 2026-03-01T00:00:00Z.
    const MARCH_1: i64 = 1_772_323_200_000;
    const ORCHESTRATORS: [&str; 2] = ["0xaaaa", "0xbbbb"];

    /// The `sla_hourly` file of `hour`: one row per orchestrator with `sessions[i]` requested
    /// and scored sessions, `good[i]` good ones; every other column zero or empty.
    async fn write_hour(lake: &Lake, hour: i64, sessions: [i64; 2], good: [i64; 2]) {
        let schema = Dataset::SlaHourly.file_schema();
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| -> ArrayRef {
                match field.name().as_str() {
                    "window_start" => Arc::new(TimestampMillisecondArray::from(vec![hour; 2]).with_timezone("UTC")),
                    "orchestrator_address" => Arc::new(StringArray::from(ORCHESTRATORS.to_vec())),
                    "pipeline" => Arc::new(StringArray::from(vec!["live-video-to-video"; 2])),
                    "requested_sessions" | "naap_score_sessions" => Arc::new(Int64Array::from(sessions.to_vec())),
                    "good_sessions" => Arc::new(Int64Array::from(good.to_vec())),
                    _ => cast(&Int64Array::from(vec![0; 2]), field.data_type()).unwrap(),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema, columns).unwrap();
        let path = DataFilePath::new(Dataset::SlaHourly, PartitionKey::hourly(hour), FileName::Part(0));
        lake.write_parquet(&path, &[batch]).await.unwrap();
    }

    /// (address, requested, good) per orchestrator.
    async fn sums(engine: &QueryEngine, window: (i64, i64)) -> Vec<(String, i64, i64)> {
        let conditions = ["pipeline = $3".to_string()];
        let values = vec![ScalarValue::Utf8(Some("live-video-to-video".into()))];
        let batches = orchestrator_sums(engine, &conditions, values, window).await.unwrap();
        let mut rows = Vec::new();
        for batch in &batches {
            let column = |name: &str| Arc::clone(batch.column_by_name(name).unwrap());
            let (address, requested, good) = (
                column("orchestrator_address"),
                column("requested_sessions"),
                column("good_sessions"),
            );
            let address = cast(&address, &arrow::datatypes::DataType::Utf8).unwrap();
            let address = address.as_any().downcast_ref::<StringArray>().unwrap();
            let int = |a: &ArrayRef| a.as_any().downcast_ref::<Int64Array>().unwrap().clone();
            let (requested, good) = (int(&requested), int(&good));
            for i in 0..batch.num_rows() {
                rows.push((address.value(i).to_string(), requested.value(i), good.value(i)));
            }
        }
        rows.sort();
        rows
    }

    fn expected(requested: [i64; 2], good: [i64; 2]) -> Vec<(String, i64, i64)> {
        (0..2)
            .map(|i| (ORCHESTRATORS[i].to_string(), requested[i], good[i]))
            .collect()
    }

    #[tokio::test]
    async fn the_settled_hours_and_the_last_add_up_and_each_follows_its_changes() {
        let hour = |n: i64| MARCH_1 + n * HOUR_MS;
        let lake = Lake::in_memory();
        write_hour(&lake, hour(0), [4, 1], [3, 1]).await;
        write_hour(&lake, hour(1), [2, 2], [2, 0]).await;
        write_hour(&lake, hour(2), [1, 5], [0, 5]).await;
        let engine = QueryEngine::new(&lake, Profile::Operator, QueryLimits::default()).unwrap();
        let window = (hour(0), hour(3));
        assert_eq!(sums(&engine, window).await, expected([7, 8], [5, 6]));
        // A window within one hour is answered whole.
        assert_eq!(sums(&engine, (hour(1), hour(2))).await, expected([2, 2], [2, 0]));

        // A settled hour changes: the kept part is computed again.
        write_hour(&lake, hour(0), [10, 1], [9, 1]).await;
        engine.index().relist(Dataset::SlaHourly).await.unwrap();
        assert_eq!(sums(&engine, window).await, expected([13, 8], [11, 6]));
        // The last hour changes: so is its part.
        write_hour(&lake, hour(2), [1, 9], [1, 9]).await;
        engine.index().relist(Dataset::SlaHourly).await.unwrap();
        assert_eq!(sums(&engine, window).await, expected([13, 12], [12, 10]));
    }
}
