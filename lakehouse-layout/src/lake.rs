//! A lake: an object store rooted at the lake URL, and the only place that reads, writes and
//! lists data files.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use url::Url;

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::file_name::{SourceKind, SourceRange};
use crate::intent::{intent_path, intents_dir, parse_intent_path};
use crate::partition::PartitionKey;
use crate::path::{DataFilePath, dataset_dir, partition_dir};

/// How many times a storage call is tried before its error is returned.
const STORE_ATTEMPTS: u32 = 5;

/// The lake: an object store whose root is the lake root.
#[derive(Debug, Clone)]
pub struct Lake {
    store: Arc<dyn ObjectStore>,
    location: String,
}

/// What was written by [`Lake::write_parquet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Where the file is.
    pub path: DataFilePath,
    /// Number of rows.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// The store's entity tag of the version written, when it gives one.
    pub e_tag: Option<String>,
}

impl WrittenFile {
    /// The change-log entry of this write.
    pub fn change(&self) -> crate::FileChange {
        crate::FileChange::Put {
            path: self.path.to_path().to_string(),
            size: self.bytes,
            e_tag: self.e_tag.clone(),
            written_ms: crate::change_log::wall_clock_ms(),
        }
    }
}

impl Lake {
    /// Opens the lake at `location`: a local directory (created if missing), or a
    /// `file://`, `s3://`, `gs://`, `az://`/`abfs://` or `memory://` URL. Cloud credentials
    /// come from the usual environment variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`).
    pub fn open(location: &str) -> Result<Lake> {
        let bad = |reason: String| Error::BadLakeUrl {
            url: location.to_string(),
            reason,
        };
        let store: Arc<dyn ObjectStore> = match location.split_once("://") {
            None => local_store(PathBuf::from(location)).map_err(bad)?,
            Some(("file", _)) => {
                let url = Url::parse(location).map_err(|e| bad(e.to_string()))?;
                let dir = url
                    .to_file_path()
                    .map_err(|()| bad("not an absolute file URL".into()))?;
                local_store(dir).map_err(bad)?
            }
            Some(("memory", _)) => Arc::new(InMemory::new()),
            Some((scheme, _)) => {
                let url = Url::parse(location).map_err(|e| bad(e.to_string()))?;
                let bucket = format!("{scheme}://{}", url.host_str().unwrap_or_default());
                let store: Arc<dyn ObjectStore> = match scheme {
                    "s3" | "s3a" => Arc::new(
                        object_store::aws::AmazonS3Builder::from_env()
                            .with_url(&bucket)
                            .build()
                            .map_err(|e| bad(e.to_string()))?,
                    ),
                    "gs" => Arc::new(
                        object_store::gcp::GoogleCloudStorageBuilder::from_env()
                            .with_url(&bucket)
                            .build()
                            .map_err(|e| bad(e.to_string()))?,
                    ),
                    "az" | "abfs" | "abfss" | "azure" => Arc::new(
                        object_store::azure::MicrosoftAzureBuilder::from_env()
                            .with_url(location)
                            .build()
                            .map_err(|e| bad(e.to_string()))?,
                    ),
                    other => return Err(bad(format!("unsupported scheme {other:?}"))),
                };
                let prefix = url.path().trim_matches('/');
                if prefix.is_empty() {
                    store
                } else {
                    Arc::new(PrefixStore::new(store, prefix))
                }
            }
        };
        Ok(Lake {
            store,
            location: location.to_string(),
        })
    }

    /// A lake over an existing store (tests, fault-injecting wrappers).
    pub fn from_store(store: Arc<dyn ObjectStore>, location: impl Into<String>) -> Lake {
        Lake {
            store,
            location: location.into(),
        }
    }

    /// A fresh in-memory lake.
    pub fn in_memory() -> Lake {
        Lake::from_store(Arc::new(InMemory::new()), "memory://")
    }

    /// The object store rooted at the lake root.
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// The location the lake was opened from.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Writes `batches` as one Parquet object at `path`, replacing any object already there.
    ///
    /// The object is encoded in memory and stored with a single `put`, so readers see either
    /// the old object or the complete new one, never a partial file. Encoding is
    /// deterministic: the same batches give the same bytes.
    pub async fn write_parquet(&self, path: &DataFilePath, batches: &[RecordBatch]) -> Result<WrittenFile> {
        let expected = path.dataset.file_schema();
        for batch in batches {
            check_schema(path.dataset, &expected, batch)?;
        }
        let object = path.to_path();
        let bytes = encode_parquet(&expected, batches).map_err(|source| Error::Parquet {
            path: object.to_string(),
            source,
        })?;
        let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
        let size = bytes.len() as u64;
        let put = self.put_object(&object, bytes).await?;
        Ok(WrittenFile {
            path: path.clone(),
            rows,
            bytes: size,
            e_tag: put.e_tag,
        })
    }

    /// Stores `bytes` at `object`, retrying transient failures with a short back-off.
    pub async fn put(&self, object: &Path, bytes: Bytes) -> Result<()> {
        self.put_object(object, bytes).await.map(|_| ())
    }

    /// [`Lake::put`], returning what the store says of the version written.
    pub async fn put_object(&self, object: &Path, bytes: Bytes) -> Result<object_store::PutResult> {
        retry(object, || {
            let payload = PutPayload::from(bytes.clone());
            async move { self.store.put(object, payload).await }
        })
        .await
    }

    /// Reads a whole object, retrying transient failures.
    pub async fn get(&self, object: &Path) -> Result<Bytes> {
        retry(object, || async move { self.store.get(object).await?.bytes().await }).await
    }

    /// Reads a whole object like [`Lake::get`], `None` when it does not exist.
    pub async fn get_if_exists(&self, object: &Path) -> Result<Option<Bytes>> {
        match self.get(object).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Error::ObjectStore {
                source: object_store::Error::NotFound { .. },
                ..
            }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The metadata of an object, `None` when it does not exist. Not retried: callers use it
    /// as a cheap probe (readiness, cache validity) and want a prompt answer.
    pub async fn head(&self, object: &Path) -> Result<Option<ObjectMeta>> {
        match self.store.head(object).await {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(Error::ObjectStore {
                path: object.clone(),
                source,
            }),
        }
    }

    /// Deletes an object (absent objects are fine), retrying transient failures.
    pub async fn delete(&self, object: &Path) -> Result<()> {
        retry(object, || async move {
            match self.store.delete(object).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other,
            }
        })
        .await
    }

    /// Records that the files of `range` are about to be written (see [`crate::intent_path`]).
    pub async fn put_intent(&self, range: &SourceRange) -> Result<()> {
        self.put(&intent_path(range), Bytes::new()).await
    }

    /// Removes the intent of `range` once the source has recorded the range as consumed.
    pub async fn delete_intent(&self, range: &SourceRange) -> Result<()> {
        self.delete(&intent_path(range)).await
    }

    /// The ranges of one source partition whose intents are still recorded, by first offset.
    pub async fn list_intents(&self, kind: SourceKind, name: &str, partition: u32) -> Result<Vec<SourceRange>> {
        let prefix = intents_dir(kind, name, partition);
        let metas: Vec<ObjectMeta> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(Error::List)?;
        let mut ranges: Vec<SourceRange> = metas
            .iter()
            .filter_map(|meta| parse_intent_path(&meta.location).ok())
            .collect();
        ranges.sort();
        Ok(ranges)
    }

    /// Every data file of `dataset`, sorted by path. Objects that do not follow the layout
    /// (temporary files, stray uploads) are skipped.
    pub async fn list_files(&self, dataset: Dataset) -> Result<Vec<(DataFilePath, ObjectMeta)>> {
        self.list_under(&dataset_dir(dataset)).await
    }

    /// Every data file of one partition of `dataset`, sorted by path.
    pub async fn list_partition(
        &self,
        dataset: Dataset,
        partition: &PartitionKey,
    ) -> Result<Vec<(DataFilePath, ObjectMeta)>> {
        self.list_under(&partition_dir(dataset, partition)).await
    }

    /// Every data file of the days `[start_ms, end_ms)` touches, of a dataset partitioned by
    /// date first (silver, gold, dead letters), sorted by path: one listing per day instead of
    /// one of the whole dataset.
    pub async fn list_days(
        &self,
        dataset: Dataset,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<(DataFilePath, ObjectMeta)>> {
        const DAY_MS: i64 = 86_400_000;
        let mut files = Vec::new();
        let mut day = start_ms.div_euclid(DAY_MS) * DAY_MS;
        while day < end_ms {
            let date = PartitionKey::daily(day).to_path_segments();
            files.extend(
                self.list_under(&Path::from(format!("{}/{date}", dataset.dir())))
                    .await?,
            );
            day += DAY_MS;
        }
        Ok(files)
    }

    async fn list_under(&self, prefix: &Path) -> Result<Vec<(DataFilePath, ObjectMeta)>> {
        let metas: Vec<ObjectMeta> = self.store.list(Some(prefix)).try_collect().await.map_err(Error::List)?;
        let mut files: Vec<_> = metas
            .into_iter()
            .filter_map(|meta| DataFilePath::parse(&meta.location).ok().map(|path| (path, meta)))
            .collect();
        files.sort_by(|a, b| a.0.to_path().as_ref().cmp(b.0.to_path().as_ref()));
        Ok(files)
    }
}

fn local_store(dir: PathBuf) -> Result<Arc<dyn ObjectStore>, String> {
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

fn check_schema(dataset: Dataset, expected: &arrow::datatypes::Schema, batch: &RecordBatch) -> Result<()> {
    let actual = batch.schema();
    if actual.fields().len() != expected.fields().len() {
        return Err(Error::SchemaMismatch {
            dataset: dataset.name(),
            detail: format!(
                "{} columns instead of {}",
                actual.fields().len(),
                expected.fields().len()
            ),
        });
    }
    for (a, e) in actual.fields().iter().zip(expected.fields()) {
        if a.name() != e.name() || a.data_type() != e.data_type() || (a.is_nullable() && !e.is_nullable()) {
            return Err(Error::SchemaMismatch {
                dataset: dataset.name(),
                detail: format!(
                    "column {} {} where {} {} is expected",
                    a.name(),
                    a.data_type(),
                    e.name(),
                    e.data_type()
                ),
            });
        }
    }
    Ok(())
}

/// Columns whose values are (nearly) all distinct and large: raw payloads and ids. A
/// dictionary never pays off for them and min/max statistics of JSON text prune nothing.
const UNIQUE_COLUMNS: [&str; 4] = ["data", "raw", "event_id", "detail"];

/// The writer settings of every data file: zstd, statistics on, deterministic output.
pub fn writer_properties() -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("zstd level 1 is valid")))
        .set_max_row_group_row_count(Some(256 * 1024));
    for column in UNIQUE_COLUMNS {
        let path = ColumnPath::from(column);
        builder = builder
            .set_column_dictionary_enabled(path.clone(), false)
            .set_column_statistics_enabled(path, EnabledStatistics::None);
    }
    builder.build()
}

pub(crate) fn encode_parquet(
    schema: &arrow::datatypes::SchemaRef,
    batches: &[RecordBatch],
) -> std::result::Result<Bytes, parquet::errors::ParquetError> {
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut writer = ArrowWriter::try_new(&mut buffer, Arc::clone(schema), Some(writer_properties()))?;
    for batch in batches {
        // Batches may declare looser nullability than the dataset; write under the dataset's schema.
        let batch = RecordBatch::try_new(Arc::clone(schema), batch.columns().to_vec())?;
        writer.write(&batch)?;
    }
    writer.close()?;
    Ok(Bytes::from(buffer))
}

pub(crate) async fn retry<T, F, Fut>(object: &Path, mut call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = object_store::Result<T>>,
{
    let mut delay = Duration::from_millis(10);
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(source) => {
                if is_permanent(&source) || attempt >= STORE_ATTEMPTS {
                    return Err(Error::ObjectStore {
                        path: object.clone(),
                        source,
                    });
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(500));
                attempt += 1;
            }
        }
    }
}

/// Errors that the same call will hit again, so retrying them only wastes time.
fn is_permanent(error: &object_store::Error) -> bool {
    use object_store::Error::*;
    matches!(
        error,
        NotFound { .. }
            | InvalidPath { .. }
            | NotSupported { .. }
            | AlreadyExists { .. }
            | Precondition { .. }
            | NotImplemented { .. }
            | PermissionDenied { .. }
            | Unauthenticated { .. }
    )
}
