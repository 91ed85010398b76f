//! Helpers: read datasets back from the lake, build envelopes, a fault-injecting store.

use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::concat_batches;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use lakehouse_layout::{Dataset, Lake};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions,
    PutOptions, PutPayload, PutResult,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 2026-01-09T00:00:00Z, the ingest time stamped by tests.
pub(crate) const INGEST_TIME: i64 = 1_767_916_800_000;

pub(crate) fn ingestor(lake: &Lake) -> Ingestor {
    Ingestor::new(lake.clone(), FixedClock::new(INGEST_TIME), IngestOptions::default())
}

/// Every row of `dataset`, read back from its Parquet files, in path order.
pub(crate) async fn read_dataset(lake: &Lake, dataset: Dataset) -> RecordBatch {
    let schema = dataset.file_schema();
    let mut batches = Vec::new();
    for (_, meta) in lake.list_files(dataset).await.unwrap() {
        let bytes = lake.get(&meta.location).await.unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            batches.push(batch.unwrap());
        }
    }
    concat_batches(&schema, &batches).unwrap()
}

/// The values of a string column.
pub(crate) fn strings(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let array = batch.column_by_name(column).unwrap().as_string::<i32>();
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i).to_string()))
        .collect()
}

/// The values of an Int64 column.
pub(crate) fn ints(batch: &RecordBatch, column: &str) -> Vec<Option<i64>> {
    let array = batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<arrow::datatypes::Int64Type>();
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i)))
        .collect()
}

/// The raw (unscaled) values of a Decimal128 column.
pub(crate) fn decimals(batch: &RecordBatch, column: &str) -> Vec<Option<i128>> {
    let array = batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<arrow::datatypes::Decimal128Type>();
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i)))
        .collect()
}

/// An object store that fails a share of calls, deterministically (seeded). A failed `put`
/// either stores nothing or stores the object and loses the acknowledgement, as a network
/// would: either way no partial object is ever visible.
#[derive(Debug)]
pub(crate) struct FaultyStore {
    inner: Arc<dyn ObjectStore>,
    rng: Mutex<ChaCha8Rng>,
    failure_rate: f64,
    /// Once this many data files (`*.parquet`) have been stored, every call fails: a writer
    /// crashing in the middle of a range, after its intent and some of its files.
    fail_after_puts: Option<u64>,
    puts: AtomicU64,
    pub(crate) failures: AtomicU64,
}

impl FaultyStore {
    pub(crate) fn new(inner: Arc<dyn ObjectStore>, failure_rate: f64, seed: u64) -> Self {
        FaultyStore {
            inner,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            failure_rate,
            fail_after_puts: None,
            puts: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    pub(crate) fn failing_after_puts(inner: Arc<dyn ObjectStore>, puts: u64) -> Self {
        FaultyStore {
            fail_after_puts: Some(puts),
            ..FaultyStore::new(inner, 0.0, 0)
        }
    }

    /// Whether the next call fails, and if so whether a put still lands.
    fn roll(&self) -> Option<bool> {
        if let Some(limit) = self.fail_after_puts {
            if self.puts.load(Ordering::SeqCst) >= limit {
                self.failures.fetch_add(1, Ordering::SeqCst);
                return Some(false);
            }
            return None;
        }
        let mut rng = self.rng.lock().unwrap();
        if rng.random_bool(self.failure_rate) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            Some(rng.random_bool(0.5))
        } else {
            None
        }
    }

    fn error(&self) -> object_store::Error {
        object_store::Error::Generic {
            store: "faulty",
            source: "injected failure".into(),
        }
    }
}

impl fmt::Display for FaultyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaultyStore({})", self.inner)
    }
}

#[async_trait::async_trait]
impl ObjectStore for FaultyStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        match self.roll() {
            None => {
                let result = self.inner.put_opts(location, payload, opts).await;
                if location.as_ref().ends_with(".parquet") {
                    self.puts.fetch_add(1, Ordering::SeqCst);
                }
                result
            }
            Some(true) => {
                // Stored, but the acknowledgement was lost.
                self.inner.put_opts(location, payload, opts).await?;
                Err(self.error())
            }
            Some(false) => Err(self.error()),
        }
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        match self.roll() {
            None => self.inner.put_multipart_opts(location, opts).await,
            Some(_) => Err(self.error()),
        }
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> object_store::Result<GetResult> {
        match self.roll() {
            None => self.inner.get_opts(location, options).await,
            Some(_) => Err(self.error()),
        }
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> object_store::Result<Vec<Bytes>> {
        match self.roll() {
            None => self.inner.get_ranges(location, ranges).await,
            Some(_) => Err(self.error()),
        }
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        if self.roll().is_some() {
            let error = self.error();
            return futures::stream::once(async move { Err(error) }).boxed();
        }
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        if self.roll().is_some() {
            let error = self.error();
            return futures::stream::once(async move { Err(error) }).boxed();
        }
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        match self.roll() {
            None => self.inner.list_with_delimiter(prefix).await,
            Some(_) => Err(self.error()),
        }
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> object_store::Result<()> {
        match self.roll() {
            None => self.inner.copy_opts(from, to, options).await,
            Some(_) => Err(self.error()),
        }
    }
}

/// Distinct values and duplicates of the `event_id` column of a silver table.
pub(crate) async fn silver_ids(lake: &Lake, dataset: Dataset) -> (std::collections::BTreeSet<String>, usize) {
    let batch = read_dataset(lake, dataset).await;
    let ids: Vec<String> = strings(&batch, "event_id").into_iter().flatten().collect();
    let distinct: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
    let duplicates = ids.len() - distinct.len();
    (distinct, duplicates)
}

#[allow(dead_code)]
pub(crate) async fn all_objects(lake: &Lake) -> Vec<Path> {
    lake.store()
        .list(None)
        .map_ok(|m| m.location)
        .try_collect()
        .await
        .unwrap()
}
