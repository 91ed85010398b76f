//! Gold tables answered from decoded files kept in memory.
//!
//! A month of `sla_hourly` is 720 small files. Read from Parquet, a query over it pays each
//! file's open, read and decode (0.3–0.8 s cold on two cores), and while `rollup --follow`
//! replaces the current hour every second every cached answer over that month is due again
//! each second. Kept decoded, a file is read once per version: a tick costs the one file it
//! replaced, and a month's answer is a scan of Arrow arrays in memory.
//!
//! Files are kept in *segments*: a day of an hourly dataset, a month of a daily one, their
//! rows concatenated in time order into one batch. Every operator of a plan pays a fixed cost
//! per batch (a filter allocates each of its ~40 columns again), so a month as 720 batches of
//! ~120 rows cost ~12 ms to plan and ~12 ms to filter; as 30 batches it costs a fraction. A
//! query reads whole segments (its filters still run on every row); the segment of the live
//! day is rebuilt when one of its files changes, from the rows of the files that did not
//! (slices of the old segment) and the one that did (decoded).
//!
//! Segments record the versioned name of each of their files, as the
//! [`lakehouse_layout::IndexedStore`] lists it (the object and its e-tag, or size and
//! modification time), so a replaced file is never answered from another version's rows. The
//! bytes kept are bounded ([`crate::QueryLimits::resident_bytes`]); past the bound the least
//! recently used segments go. Only aggregate datasets are kept ([`is_resident`]): the
//! per-session and per-job tables are as large as their silver inputs and stay on the Parquet
//! path.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, ArrayRef, StringArray, new_null_array};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use datafusion::arrow::compute::SortOptions;
use datafusion::catalog::Session;
use datafusion::common::ScalarValue;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::ExecutionPlan;
use futures::{StreamExt, TryStreamExt};
use lakehouse_layout::{DataFilePath, Dataset, Layer, Partitioning, unversioned_location};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::rollup::DAY_MS;

/// The column that decides a gold row's partition ([`Dataset::time_column`]): a query's bounds
/// on it skip the segments outside them before anything is read.
const TIME_COLUMN: &str = "window_start";
/// Segments assembled at once on a miss (each decodes its missing files one after another).
const CONCURRENT_SEGMENTS: usize = 8;

/// Whether `dataset` is served from decoded files: gold aggregates, not the per-session and
/// per-job rows.
pub fn is_resident(dataset: Dataset) -> bool {
    dataset.layer() == Layer::Gold && !matches!(dataset, Dataset::Sessions | Dataset::Jobs)
}

/// The files of one segment, decoded and concatenated in time order.
#[derive(Debug)]
struct Segment {
    /// Each file's versioned name with the rows it holds in `batch` (offset, length), in order.
    parts: Vec<(Path, usize, usize)>,
    /// The files' rows in the table's schema.
    batch: RecordBatch,
    /// Whether `batch` is sorted by [`TIME_COLUMN`] (each file is; the whole is unless two
    /// files share a partition).
    sorted: bool,
    bytes: usize,
}

impl Segment {
    /// Whether the segment holds exactly the files `listed`, in these versions.
    fn holds(&self, listed: &[ObjectMeta]) -> bool {
        self.parts.len() == listed.len() && self.parts.iter().zip(listed).all(|((v, _, _), m)| v == &m.location)
    }

    /// The rows of the file version `version`, if the segment holds it.
    fn rows_of(&self, version: &Path) -> Option<RecordBatch> {
        self.parts
            .iter()
            .find(|(v, _, _)| v == version)
            .map(|(_, offset, length)| self.batch.slice(*offset, *length))
    }
}

/// A segment's identity: its dataset and the first millisecond it spans.
type SegmentKey = (Dataset, i64);

#[derive(Debug, Default)]
struct State {
    /// Each segment and when it was last used.
    segments: HashMap<SegmentKey, (Arc<Segment>, u64)>,
    bytes: usize,
    clock: u64,
}

/// Decoded files shared by the tables of one engine, within a byte budget.
#[derive(Debug)]
pub struct ResidentFiles {
    budget: usize,
    state: Mutex<State>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What [`ResidentFiles`] holds and did, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentStats {
    /// Files held, in `segments` segments.
    pub files: usize,
    pub segments: usize,
    pub bytes: usize,
    /// Files a query read from memory.
    pub hits: u64,
    /// Files a query decoded.
    pub misses: u64,
}

impl ResidentFiles {
    /// Empty, keeping at most `budget` bytes of decoded arrays (0: nothing is kept, every
    /// read decodes its files again).
    pub fn new(budget: usize) -> ResidentFiles {
        ResidentFiles {
            budget,
            state: Mutex::new(State::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Files, segments and bytes held, files read from memory and decoded.
    pub fn stats(&self) -> ResidentStats {
        let state = self.state.lock().expect("not poisoned");
        ResidentStats {
            files: state.segments.values().map(|(s, _)| s.parts.len()).sum(),
            segments: state.segments.len(),
            bytes: state.bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The segment kept under `key`, marked used.
    fn get(&self, key: SegmentKey) -> Option<Arc<Segment>> {
        let mut state = self.state.lock().expect("not poisoned");
        state.clock += 1;
        let now = state.clock;
        let (segment, used) = state.segments.get_mut(&key)?;
        *used = now;
        Some(Arc::clone(segment))
    }

    fn put(&self, key: SegmentKey, segment: Arc<Segment>) {
        if segment.bytes > self.budget {
            // Too large to keep: the older version goes all the same (it is no longer read).
            let mut state = self.state.lock().expect("not poisoned");
            if let Some((old, _)) = state.segments.remove(&key) {
                state.bytes -= old.bytes;
            }
            return;
        }
        let mut state = self.state.lock().expect("not poisoned");
        state.clock += 1;
        let now = state.clock;
        if let Some((old, _)) = state.segments.insert(key, (Arc::clone(&segment), now)) {
            state.bytes -= old.bytes;
        }
        state.bytes += segment.bytes;
        while state.bytes > self.budget {
            let Some(oldest) = state
                .segments
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((gone, _)) = state.segments.remove(&oldest) {
                state.bytes -= gone.bytes;
            }
        }
    }
}

/// A gold dataset's table read through [`ResidentFiles`].
#[derive(Debug)]
pub(crate) struct ResidentTable {
    dataset: Dataset,
    /// The table's schema: the dataset's file columns, then its partition keys (strings).
    schema: SchemaRef,
    store: Arc<dyn ObjectStore>,
    files: Arc<ResidentFiles>,
}

impl ResidentTable {
    /// `dataset`'s table with `schema` (the listing table's), reading `store`.
    pub(crate) fn new(
        dataset: Dataset,
        schema: SchemaRef,
        store: Arc<dyn ObjectStore>,
        files: Arc<ResidentFiles>,
    ) -> ResidentTable {
        ResidentTable {
            dataset,
            schema,
            store,
            files,
        }
    }

    /// The segment starting at `start` holding exactly `listed` (in time order): from memory,
    /// or assembled now from the rows of the kept version and the files that changed.
    async fn segment(&self, start: i64, listed: Vec<ObjectMeta>) -> Result<Arc<Segment>> {
        let key = (self.dataset, start);
        let kept = self.files.get(key);
        if let Some(segment) = kept.as_ref().filter(|s| s.holds(&listed)) {
            self.files.hits.fetch_add(listed.len() as u64, Ordering::Relaxed);
            return Ok(Arc::clone(segment));
        }
        let mut parts = Vec::with_capacity(listed.len());
        let mut batches = Vec::with_capacity(listed.len());
        let mut offset = 0;
        for meta in listed {
            let rows = match kept.as_ref().and_then(|s| s.rows_of(&meta.location)) {
                Some(rows) => {
                    self.files.hits.fetch_add(1, Ordering::Relaxed);
                    rows
                }
                None => {
                    self.files.misses.fetch_add(1, Ordering::Relaxed);
                    self.decode(&meta).await?
                }
            };
            parts.push((meta.location, offset, rows.num_rows()));
            offset += rows.num_rows();
            batches.push(rows);
        }
        let batch = concat_batches(&self.schema, &batches)?;
        let segment = Arc::new(Segment {
            parts,
            sorted: is_sorted_by_time(&batch)?,
            bytes: batch.get_array_memory_size(),
            batch,
        });
        self.files.put(key, Arc::clone(&segment));
        Ok(segment)
    }

    /// The rows of the file `meta` lists, in the table's schema and sorted by time.
    async fn decode(&self, meta: &ObjectMeta) -> Result<RecordBatch> {
        let partition_values = partition_values(self.dataset, &meta.location);
        // Gold files are small: one GET, decoded in memory.
        let bytes = self.store.get(&meta.location).await?.bytes().await?;
        let read = ParquetRecordBatchReaderBuilder::try_new(bytes)?
            .build()?
            .collect::<std::result::Result<Vec<RecordBatch>, _>>()?;
        let batches = read
            .iter()
            .map(|batch| self.adapt(batch, &partition_values))
            .collect::<Result<Vec<_>>>()?;
        sorted_by_time(&concat_batches(&self.schema, &batches)?)
    }

    /// `batch` (as the file holds it) in the table's schema: columns by name, cast where the
    /// file's type differs, NULL where an older file lacks a column, partition values last.
    fn adapt(&self, batch: &RecordBatch, partition_values: &[Option<String>]) -> Result<RecordBatch> {
        let rows = batch.num_rows();
        let file_columns = self.schema.fields().len() - partition_values.len();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for field in &self.schema.fields()[..file_columns] {
            let column = match batch.column_by_name(field.name()) {
                Some(column) if column.data_type() == field.data_type() => Arc::clone(column),
                Some(column) => cast(column, field.data_type())?,
                None => new_null_array(field.data_type(), rows),
            };
            columns.push(column);
        }
        for value in partition_values {
            columns.push(Arc::new(StringArray::from(vec![value.as_deref(); rows])));
        }
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &options,
        )?)
    }
}

/// The first and last millisecond of [`TIME_COLUMN`] that the file at `location` can hold
/// (its partition's hour or day); unbounded for a path that does not parse.
fn partition_span(dataset: Dataset, location: &Path) -> (i64, i64) {
    let object = unversioned_location(location).unwrap_or_else(|| location.clone());
    let Ok(path) = DataFilePath::parse(&object) else {
        return (i64::MIN, i64::MAX);
    };
    let length = match dataset.partitioning() {
        Partitioning::Date => 86_400_000,
        Partitioning::DateHour | Partitioning::FamilyDateHour => 3_600_000,
    };
    let start = path.partition.start_ms();
    (start, start + length - 1)
}

/// The span of the segment holding a partition that starts at `partition_start`, as
/// (first millisecond, first millisecond after): its day for hourly partitions, its calendar
/// month for daily ones; unbounded for a path that did not parse.
fn segment_span(dataset: Dataset, partition_start: i64) -> (i64, i64) {
    if partition_start == i64::MIN {
        return (i64::MIN, i64::MAX);
    }
    match dataset.partitioning() {
        Partitioning::DateHour | Partitioning::FamilyDateHour => {
            let start = partition_start.div_euclid(DAY_MS) * DAY_MS;
            (start, start + DAY_MS)
        }
        Partitioning::Date => {
            let Some(day) = chrono::DateTime::from_timestamp_millis(partition_start) else {
                return (i64::MIN, i64::MAX);
            };
            let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).expect("day 1 exists");
            let next = first.checked_add_months(chrono::Months::new(1)).expect("in range");
            let ms = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
            (ms(first), ms(next))
        }
    }
}

/// `batch` sorted by [`TIME_COLUMN`] (as it is when the table has none).
fn sorted_by_time(batch: &RecordBatch) -> Result<RecordBatch> {
    let Some(time) = batch.column_by_name(TIME_COLUMN) else {
        return Ok(batch.clone());
    };
    let order = arrow::compute::sort_to_indices(time, None, None)?;
    Ok(arrow::compute::take_record_batch(batch, &order)?)
}

/// Whether `batch` is in ascending [`TIME_COLUMN`] order, NULLs last (false without one).
fn is_sorted_by_time(batch: &RecordBatch) -> Result<bool> {
    let Some(time) = batch.column_by_name(TIME_COLUMN) else {
        return Ok(false);
    };
    if time.len() < 2 {
        return Ok(true);
    }
    let (earlier, later) = (time.slice(0, time.len() - 1), time.slice(1, time.len() - 1));
    // Out of order where a row is after the next one; `lt` is NULL where either is NULL.
    let out_of_order = arrow::compute::kernels::cmp::lt(&later, &earlier)?;
    let nulls_before_values = (1..time.len()).any(|i| time.is_null(i - 1) && time.is_valid(i));
    Ok(out_of_order.true_count() == 0 && !nulls_before_values)
}

/// The values of `dataset`'s partition keys in `location` (`key=value` folders), in key order.
fn partition_values(dataset: Dataset, location: &Path) -> Vec<Option<String>> {
    let text = location.as_ref();
    dataset
        .partitioning()
        .keys()
        .iter()
        .map(|key| {
            text.split('/')
                .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        })
        .collect()
}

/// The range of [`TIME_COLUMN`] that `filters` (a conjunction) leave, as inclusive bounds.
fn time_bounds(filters: &[Expr]) -> (Option<i64>, Option<i64>) {
    let mut bounds = (None, None);
    for filter in filters {
        narrow(filter, &mut bounds);
    }
    bounds
}

fn narrow(expr: &Expr, bounds: &mut (Option<i64>, Option<i64>)) {
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = expr else {
        return;
    };
    if *op == Operator::And {
        narrow(left, bounds);
        narrow(right, bounds);
        return;
    }
    // `column op literal`, or `literal op column` with the comparison turned around.
    let (op, value) = match (left.as_ref(), right.as_ref()) {
        (Expr::Column(c), Expr::Literal(v, _)) if c.name == TIME_COLUMN => (*op, v),
        (Expr::Literal(v, _), Expr::Column(c)) if c.name == TIME_COLUMN => match op.swap() {
            Some(op) => (op, v),
            None => return,
        },
        _ => return,
    };
    let Some((ms, exact)) = timestamp_ms(value) else {
        return;
    };
    // A strict bound excludes its own millisecond only when the literal is a whole one.
    let step = i64::from(exact);
    let (low, high) = bounds;
    let mut raise = |at: i64| *low = Some(low.map_or(at, |l: i64| l.max(at)));
    match op {
        Operator::Gt => raise(ms + step),
        Operator::GtEq | Operator::Eq => raise(ms),
        _ => {}
    }
    let mut lower = |at: i64| *high = Some(high.map_or(at, |h: i64| h.min(at)));
    match op {
        Operator::Lt => lower(ms - step),
        Operator::LtEq | Operator::Eq => lower(ms),
        _ => {}
    }
}

/// A timestamp literal in whole milliseconds, rounded down, and whether that was exact.
fn timestamp_ms(value: &ScalarValue) -> Option<(i64, bool)> {
    let (value, per_ms) = match value {
        ScalarValue::TimestampSecond(Some(v), _) => return v.checked_mul(1000).map(|ms| (ms, true)),
        ScalarValue::TimestampMillisecond(Some(v), _) => (*v, 1),
        ScalarValue::TimestampMicrosecond(Some(v), _) => (*v, 1_000),
        ScalarValue::TimestampNanosecond(Some(v), _) => (*v, 1_000_000),
        _ => return None,
    };
    Some((value.div_euclid(per_ms), value.rem_euclid(per_ms) == 0))
}

#[async_trait]
impl TableProvider for ResidentTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let prefix = Path::from(self.dataset.dir());
        let (low, high) = time_bounds(filters);
        let mut listed: Vec<(i64, ObjectMeta)> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| (partition_span(self.dataset, &meta.location).0, meta))
            .try_collect()
            .await?;
        listed.sort_by(|(a, x), (b, y)| (a, &x.location).cmp(&(b, &y.location)));
        // Whole segments in time order, those the bounds reach.
        let mut wanted: Vec<((i64, i64), Vec<ObjectMeta>)> = Vec::new();
        for (start, meta) in listed {
            let span = segment_span(self.dataset, start);
            match wanted.last_mut() {
                Some((last, files)) if *last == span => files.push(meta),
                _ => wanted.push((span, vec![meta])),
            }
        }
        wanted.retain(|((first, end), _)| !(low.is_some_and(|l| *end <= l) || high.is_some_and(|h| *first > h)));
        let ascending = wanted.windows(2).all(|pair| pair[0].0.1 <= pair[1].0.0);
        let segments: Vec<Arc<Segment>> =
            futures::stream::iter(wanted.into_iter().map(|((start, _), files)| self.segment(start, files)))
                .buffered(CONCURRENT_SEGMENTS)
                .try_collect()
                .await?;
        // Segments in ascending time, each sorted: then every group below is sorted by the
        // time column, which lets `ORDER BY window_start … LIMIT n` stop after the first rows
        // instead of sorting the month.
        let sorted = ascending && segments.iter().all(|s| s.sorted);
        let partitions = state.config().target_partitions().max(1);
        let mut groups: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
        for (i, segment) in segments.iter().enumerate() {
            groups[i % partitions].push(segment.batch.clone());
        }
        let mut source =
            MemorySourceConfig::try_new(&groups, Arc::clone(&self.schema), projection.cloned())?.with_limit(limit);
        if let (true, Ok(index)) = (sorted, self.schema.index_of(TIME_COLUMN)) {
            let time = PhysicalSortExpr {
                expr: Arc::new(Column::new(TIME_COLUMN, index)),
                options: SortOptions {
                    descending: false,
                    nulls_first: false,
                },
            };
            source = source.try_with_sort_information(LexOrdering::new([time]).into_iter().collect())?;
        }
        Ok(datafusion::datasource::source::DataSourceExec::from_data_source(source))
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        // Seen only to skip whole files; every filter still runs on the rows.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Int64Array, StringArray, TimestampMillisecondArray};
    use chrono::NaiveDate;
    use datafusion::logical_expr::{col, lit};
    use lakehouse_layout::{FileName, Lake, PartitionKey};

    use super::*;
    use crate::{Profile, QueryEngine, QueryLimits};

    /// 2026-03-01T00:00:00Z.
    const MARCH_1: i64 = 1_772_323_200_000;

    /// One `decoder_versions_daily` file: `rows` for silver `stream_trace` on `day`.
    async fn write_day(lake: &Lake, day: i64, rows: i64) {
        let dataset = Dataset::DecoderVersionsDaily;
        let batch = RecordBatch::try_new(
            dataset.file_schema(),
            vec![
                Arc::new(TimestampMillisecondArray::from(vec![day]).with_timezone("UTC")),
                Arc::new(StringArray::from(vec!["stream_trace"])),
                Arc::new(Int64Array::from(vec![2])),
                Arc::new(Int64Array::from(vec![rows])),
            ],
        )
        .unwrap();
        let path = DataFilePath::new(dataset, PartitionKey::daily(day), FileName::Part(0));
        lake.write_parquet(&path, &[batch]).await.unwrap();
    }

    async fn total(engine: &QueryEngine, sql: &str) -> Option<i64> {
        let batches = engine.query(sql).await.unwrap();
        let column = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        column.is_valid(0).then(|| column.value(0))
    }

    fn engine(lake: &Lake, resident_bytes: usize) -> QueryEngine {
        let limits = QueryLimits {
            resident_bytes,
            ..QueryLimits::default()
        };
        QueryEngine::new(lake, Profile::Operator, limits).unwrap()
    }

    #[tokio::test]
    async fn answers_from_memory_and_follows_a_replaced_file() {
        let lake = Lake::in_memory();
        for (day, rows) in [(0, 10), (1, 20), (2, 40)] {
            write_day(&lake, MARCH_1 + day * DAY_MS, rows).await;
        }
        let engine = engine(&lake, 64 << 20);
        let all = "SELECT sum(rows) FROM decoder_versions_daily";
        assert_eq!(total(&engine, all).await, Some(70));
        let decoded = engine.resident().stats();
        // A month of a daily dataset is one segment.
        assert_eq!(
            (decoded.files, decoded.segments, decoded.misses, decoded.hits),
            (3, 1, 3, 0)
        );

        // Again: from memory. A window of one day reads that day's segment (its month).
        assert_eq!(total(&engine, all).await, Some(70));
        let second_day = "SELECT sum(rows) FROM decoder_versions_daily \
             WHERE window_start >= TIMESTAMP '2026-03-02T00:00:00Z' AND window_start < TIMESTAMP '2026-03-03T00:00:00Z'";
        assert_eq!(total(&engine, second_day).await, Some(20));
        let stats = engine.resident().stats();
        assert_eq!((stats.misses, stats.hits), (3, 6));

        // A rollup replaces the second day under the same name: the new version is read, the
        // old one leaves memory, the other files are taken from the segment kept.
        write_day(&lake, MARCH_1 + DAY_MS, 25).await;
        engine.index().relist(Dataset::DecoderVersionsDaily).await.unwrap();
        assert_eq!(total(&engine, all).await, Some(75));
        assert_eq!(total(&engine, second_day).await, Some(25));
        let stats = engine.resident().stats();
        assert_eq!((stats.files, stats.segments, stats.misses, stats.hits), (3, 1, 4, 11));
    }

    #[tokio::test]
    async fn a_budget_too_small_keeps_nothing_and_still_answers() {
        let lake = Lake::in_memory();
        write_day(&lake, MARCH_1, 10).await;
        write_day(&lake, MARCH_1 + DAY_MS, 20).await;
        let engine = engine(&lake, 0);
        let all = "SELECT sum(rows) FROM decoder_versions_daily";
        assert_eq!(total(&engine, all).await, Some(30));
        assert_eq!(total(&engine, all).await, Some(30));
        let stats = engine.resident().stats();
        assert_eq!((stats.files, stats.bytes, stats.misses), (0, 0, 4));
    }

    #[tokio::test]
    async fn the_least_recently_used_segment_goes_first() {
        let lake = Lake::in_memory();
        // Three months: three segments of one file each.
        let month = 31 * DAY_MS;
        for m in 0..3 {
            write_day(&lake, MARCH_1 + m * month, 1).await;
        }
        // Measure one segment, then allow two.
        let probe = engine(&lake, 64 << 20);
        let one_day = |m: i64| {
            let start = chrono::DateTime::from_timestamp_millis(MARCH_1 + m * month).unwrap();
            format!(
                "SELECT sum(rows) FROM decoder_versions_daily WHERE window_start = TIMESTAMP '{}'",
                start.format("%Y-%m-%dT%H:%M:%SZ")
            )
        };
        total(&probe, &one_day(0)).await;
        let file_bytes = probe.resident().stats().bytes;
        let engine = engine(&lake, 2 * file_bytes);
        for day in [0, 1, 0, 2] {
            assert_eq!(total(&engine, &one_day(day)).await, Some(1));
        }
        // Month 1 was used least recently when month 2 came in: asking for it again decodes it.
        let before = engine.resident().stats();
        assert_eq!((before.files, before.misses, before.hits), (2, 3, 1));
        total(&engine, &one_day(0)).await;
        assert_eq!(engine.resident().stats().misses, 3, "month 0 stayed");
        total(&engine, &one_day(1)).await;
        assert_eq!(engine.resident().stats().misses, 4, "month 1 had gone");
    }

    #[tokio::test]
    async fn files_in_time_order_are_declared_sorted_and_answer_ordered_queries() {
        let lake = Lake::in_memory();
        for (day, rows) in [(2, 40), (0, 10), (1, 20), (3, 80)] {
            write_day(&lake, MARCH_1 + day * DAY_MS, rows).await;
        }
        let engine = engine(&lake, 64 << 20);
        for (sql, expected) in [
            (
                "SELECT rows FROM decoder_versions_daily ORDER BY window_start LIMIT 2",
                vec![10, 20],
            ),
            (
                "SELECT rows FROM decoder_versions_daily ORDER BY window_start DESC LIMIT 3",
                vec![80, 40, 20],
            ),
            (
                "SELECT rows FROM decoder_versions_daily ORDER BY rows DESC",
                vec![80, 40, 20, 10],
            ),
        ] {
            let batches = engine.query(sql).await.unwrap();
            let got: Vec<i64> = batches
                .iter()
                .flat_map(|b| {
                    b.column(0)
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .unwrap()
                        .values()
                        .to_vec()
                })
                .collect();
            assert_eq!(got, expected, "{sql}");
        }
        let plan = engine
            .plan("SELECT rows FROM decoder_versions_daily ORDER BY window_start LIMIT 2")
            .await
            .unwrap()
            .create_physical_plan()
            .await
            .unwrap();
        let text = datafusion::physical_plan::displayable(plan.as_ref())
            .indent(true)
            .to_string();
        // No sort: the files are merged in order and reading stops at the second row.
        assert!(text.contains("output_ordering=window_start@1 ASC NULLS LAST"), "{text}");
        assert!(!text.contains("SortExec"), "{text}");
    }

    #[tokio::test]
    async fn a_memo_is_answered_again_until_a_dataset_it_reads_changes() {
        let lake = Lake::in_memory();
        write_day(&lake, MARCH_1, 10).await;
        let engine = engine(&lake, 64 << 20);
        let sql = "SELECT sum(rows) FROM decoder_versions_daily";
        let window = Some((MARCH_1, MARCH_1 + DAY_MS));
        let reads = [Dataset::DecoderVersionsDaily];
        let first = engine.query_memo(sql, Vec::new(), &reads, window).await.unwrap();

        // Another dataset changes: the same result, not computed again.
        engine.index().list(Dataset::Prices, None).await.unwrap();
        let price = DataFilePath::new(Dataset::Prices, PartitionKey::hourly(MARCH_1), FileName::Part(0));
        engine.index().apply(&[lakehouse_layout::FileChange::Put {
            path: price.to_path().to_string(),
            size: 1,
            e_tag: None,
            written_ms: 0,
        }]);
        let again = engine.query_memo(sql, Vec::new(), &reads, window).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));

        // The dataset it reads changes within its window: computed again.
        write_day(&lake, MARCH_1, 12).await;
        engine.index().relist(Dataset::DecoderVersionsDaily).await.unwrap();
        let after = engine.query_memo(sql, Vec::new(), &reads, window).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &after));
        let total = after[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0);
        assert_eq!(total, 12);
    }

    #[test]
    fn bounds_come_from_comparisons_with_the_time_column_either_way_round() {
        let at = |ms: i64| lit(ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into())));
        let filters = [
            col(TIME_COLUMN).gt_eq(at(100)).and(col("pipeline").eq(lit("live"))),
            at(500).gt(col(TIME_COLUMN)),
            col(TIME_COLUMN).lt(at(900)),
        ];
        assert_eq!(time_bounds(&filters), (Some(100), Some(499)));
        let micros = lit(ScalarValue::TimestampMicrosecond(Some(1_500), None));
        assert_eq!(time_bounds(&[col(TIME_COLUMN).lt(micros)]), (None, Some(1)));
        assert_eq!(time_bounds(&[col("other").gt(at(5))]), (None, None));
        // An OR is not a bound.
        let either = col(TIME_COLUMN).lt(at(5)).or(col(TIME_COLUMN).gt(at(50)));
        assert_eq!(time_bounds(&[either]), (None, None));
    }

    #[test]
    fn a_segment_spans_the_day_of_an_hour_or_the_month_of_a_day() {
        let hour = MARCH_1 + 30 * DAY_MS + 5 * 3_600_000;
        assert_eq!(
            segment_span(Dataset::SlaHourly, hour),
            (MARCH_1 + 30 * DAY_MS, MARCH_1 + 31 * DAY_MS)
        );
        // March 31st is in March; April has 30 days.
        let april_1 = MARCH_1 + 31 * DAY_MS;
        assert_eq!(
            segment_span(Dataset::DecoderVersionsDaily, april_1 - DAY_MS),
            (MARCH_1, april_1)
        );
        assert_eq!(
            segment_span(Dataset::DecoderVersionsDaily, april_1),
            (april_1, april_1 + 30 * DAY_MS)
        );
        assert_eq!(segment_span(Dataset::SlaHourly, i64::MIN), (i64::MIN, i64::MAX));
    }

    #[test]
    fn a_partition_spans_its_hour_or_day() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let hourly = DataFilePath::new(
            Dataset::SlaHourly,
            PartitionKey {
                family: None,
                date: day,
                hour: Some(5),
            },
            FileName::Part(0),
        );
        let start = MARCH_1 + 5 * 3_600_000;
        assert_eq!(
            partition_span(Dataset::SlaHourly, &hourly.to_path()),
            (start, start + 3_599_999)
        );
        let daily = DataFilePath::new(
            Dataset::DecoderVersionsDaily,
            PartitionKey::daily(MARCH_1),
            FileName::Part(0),
        );
        assert_eq!(
            partition_span(Dataset::DecoderVersionsDaily, &daily.to_path()),
            (MARCH_1, MARCH_1 + DAY_MS - 1)
        );
    }
}
