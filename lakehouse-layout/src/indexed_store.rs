//! A read-only object store over the lake for query engines: listings come from a
//! [`LakeIndex`], and every data file is named by its version.
//!
//! Gold partitions are replaced under the same name (`part-00000.parquet`) each time a rollup
//! recomputes them. An engine that caches a file's footer or statistics by path, or that
//! listed the file before it was replaced, would read the new bytes with the old version's
//! footer. So this store lists each Parquet file under a name that carries its version
//! (`part-00000.naapv-e<hex of the e-tag>.parquet`): every cache keyed by path is keyed by
//! version, and each read of a versioned name is sent with `If-Match: <e-tag>`, so a file
//! replaced since it was listed fails the read (and its partition is listed again) instead
//! of mixing two versions. Stores without e-tags get a version from size and modification
//! time: caches stay per version, reads are not pinned.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions,
    PutOptions, PutPayload, PutResult,
};

use crate::dataset::{Dataset, Layer};
use crate::index::LakeIndex;
use crate::superseded::superseded_path;

/// What marks a versioned file name.
const VERSION_MARK: &str = ".naapv-";
const PARQUET_SUFFIX: &str = ".parquet";

/// The version a versioned name carries.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Version {
    /// The store's e-tag: reads are pinned to it.
    ETag(String),
    /// Size and modification time: a cache key only.
    Stamp,
}

/// The name a listing gives `meta`'s object (Parquet files only; other objects keep theirs).
pub fn versioned_location(meta: &ObjectMeta) -> Path {
    let text = meta.location.as_ref();
    let Some(stem) = text.strip_suffix(PARQUET_SUFFIX) else {
        return meta.location.clone();
    };
    let tag = match &meta.e_tag {
        Some(e_tag) => format!("e{}", hex::encode(e_tag)),
        None => format!(
            "m{}",
            hex::encode(format!(
                "{}-{}",
                meta.size,
                meta.last_modified.timestamp_nanos_opt().unwrap_or_default()
            ))
        ),
    };
    Path::from(format!("{stem}{VERSION_MARK}{tag}{PARQUET_SUFFIX}"))
}

/// The object a versioned name (see [`versioned_location`]) stands for; `None` for a plain
/// name. Two versions of one object give the same path.
pub fn unversioned_location(location: &Path) -> Option<Path> {
    unversioned(location).map(|(object, _)| object)
}

/// The object and version a versioned name stands for; `None` for a plain name.
fn unversioned(location: &Path) -> Option<(Path, Version)> {
    let text = location.as_ref().strip_suffix(PARQUET_SUFFIX)?;
    let (stem, tag) = text.rsplit_once(VERSION_MARK)?;
    let version = match tag.split_at_checked(1)? {
        ("e", hex) => Version::ETag(String::from_utf8(hex::decode(hex).ok()?).ok()?),
        ("m", _) => Version::Stamp,
        _ => return None,
    };
    Some((Path::from(format!("{stem}{PARQUET_SUFFIX}")), version))
}

/// The dataset whose folder holds `prefix`, if it lies inside one.
fn dataset_of(prefix: &Path) -> Option<Dataset> {
    let mut parts = prefix.as_ref().split('/');
    let layer = Layer::from_dir(parts.next()?)?;
    let dataset = Dataset::from_name(parts.next()?).ok()?;
    (dataset.layer() == layer).then_some(dataset)
}

/// The read-only, versioned view of a lake that query engines read through.
#[derive(Debug, Clone)]
pub struct IndexedStore {
    index: Arc<LakeIndex>,
}

impl IndexedStore {
    /// A store reading `index`'s lake through `index`.
    pub fn new(index: Arc<LakeIndex>) -> IndexedStore {
        IndexedStore { index }
    }

    fn inner(&self) -> &Arc<dyn ObjectStore> {
        self.index.lake().store()
    }
}

impl fmt::Display for IndexedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndexedStore({})", self.inner())
    }
}

fn read_only() -> object_store::Error {
    object_store::Error::NotSupported {
        source: "the lake is read-only here".into(),
    }
}

fn index_error(e: crate::Error) -> object_store::Error {
    match e {
        crate::Error::List(source) | crate::Error::ObjectStore { source, .. } => source,
        other => object_store::Error::Generic {
            store: "naap lake index",
            source: Box::new(other),
        },
    }
}

#[async_trait]
impl ObjectStore for IndexedStore {
    async fn put_opts(&self, _: &Path, _: PutPayload, _: PutOptions) -> object_store::Result<PutResult> {
        Err(read_only())
    }

    async fn put_multipart_opts(
        &self,
        _: &Path,
        _: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        Err(read_only())
    }

    async fn get_opts(&self, location: &Path, mut options: GetOptions) -> object_store::Result<GetResult> {
        let Some((object, version)) = unversioned(location) else {
            return self.inner().get_opts(location, options).await;
        };
        let pinned = match (&version, &options.if_match) {
            (Version::ETag(e_tag), None) => Some(e_tag.clone()),
            _ => None,
        };
        options.if_match = options.if_match.or_else(|| pinned.clone());
        let fallback = options.clone();
        let error = match self.inner().get_opts(&object, options).await {
            Ok(mut result) => {
                result.meta.location = location.clone();
                return Ok(result);
            }
            Err(e) => e,
        };
        if !matches!(
            error,
            object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }
        ) {
            return Err(error);
        }
        // Replaced or deleted since it was listed: its writer kept the listed version for a
        // while, so the query reads the lake as it listed it.
        if let Some(e_tag) = pinned {
            let copy = superseded_path(&object, &e_tag);
            let options = GetOptions {
                if_match: None,
                ..fallback
            };
            if let Ok(mut result) = self.inner().get_opts(&copy, options).await {
                self.index.count_superseded_read();
                result.meta.location = location.clone();
                result.meta.e_tag = Some(e_tag);
                return Ok(result);
            }
        }
        // Gone for good: list its partition again, so that the query's retry reads the
        // current version.
        let _ = self.index.relist_partition(&object).await;
        Err(error)
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> object_store::Result<Vec<Bytes>> {
        object_store::coalesce_ranges(
            ranges,
            |range| async move {
                let options = GetOptions {
                    range: Some(range.into()),
                    ..GetOptions::default()
                };
                self.get_opts(location, options).await?.bytes().await
            },
            object_store::OBJECT_STORE_COALESCE_DEFAULT,
        )
        .await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        locations.map(|_| Err(read_only())).boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        let Some(dataset) = prefix.and_then(dataset_of) else {
            return self
                .inner()
                .list(prefix)
                .map_ok(|meta| ObjectMeta {
                    location: versioned_location(&meta),
                    ..meta
                })
                .boxed();
        };
        let index = Arc::clone(&self.index);
        let prefix = prefix.cloned();
        futures::stream::once(async move { index.list(dataset, prefix.as_ref()).await.map_err(index_error) })
            .map_ok(|metas| {
                futures::stream::iter(metas.into_iter().map(|meta| {
                    Ok(ObjectMeta {
                        location: versioned_location(&meta),
                        ..meta
                    })
                }))
            })
            .try_flatten()
            .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        let mut result = self.inner().list_with_delimiter(prefix).await?;
        for meta in &mut result.objects {
            meta.location = versioned_location(meta);
        }
        Ok(result)
    }

    async fn copy_opts(&self, _: &Path, _: &Path, _: CopyOptions) -> object_store::Result<()> {
        Err(read_only())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lake;
    use object_store::ObjectStoreExt;

    #[test]
    fn versioned_names_round_trip() {
        let meta = ObjectMeta {
            location: Path::from("gold/sessions/date=2026-01-08/hour=21/part-00000.parquet"),
            last_modified: chrono::DateTime::from_timestamp_millis(1).unwrap(),
            size: 10,
            e_tag: Some("\"9b2cf535f27731c974343645a3985328\"".into()),
            version: None,
        };
        let versioned = versioned_location(&meta);
        assert!(versioned.as_ref().ends_with(".parquet"), "{versioned}");
        assert!(
            versioned
                .as_ref()
                .starts_with("gold/sessions/date=2026-01-08/hour=21/part-00000.naapv-e")
        );
        assert_eq!(
            unversioned(&versioned),
            Some((meta.location.clone(), Version::ETag(meta.e_tag.clone().unwrap())))
        );
        assert_eq!(unversioned(&meta.location), None);
        assert_eq!(
            dataset_of(&Path::from("gold/sessions/date=2026-01-08")),
            Some(Dataset::Sessions)
        );
        assert_eq!(dataset_of(&Path::from("silver/sessions")), None);
    }

    #[tokio::test]
    async fn a_replaced_file_is_never_read_in_another_version() {
        let lake = Lake::in_memory();
        let location = Path::from("gold/sessions/date=2026-01-08/hour=21/part-00000.parquet");
        lake.put(&location, Bytes::from_static(b"version one")).await.unwrap();
        let index = Arc::new(LakeIndex::new(lake.clone()));
        let store = IndexedStore::new(Arc::clone(&index));
        let listed: Vec<ObjectMeta> = store
            .list(Some(&Path::from("gold/sessions")))
            .try_collect()
            .await
            .unwrap();
        let [old] = listed.as_slice() else { panic!("{listed:?}") };
        assert_eq!(
            store.get_range(&old.location, 0..7).await.unwrap(),
            Bytes::from_static(b"version")
        );

        lake.put(&location, Bytes::from_static(b"VERSION TWO")).await.unwrap();
        let error = store.get_range(&old.location, 0..7).await.unwrap_err();
        assert!(matches!(error, object_store::Error::Precondition { .. }), "{error}");
        // The failed read listed the partition again: the next listing has the new version.
        let listed: Vec<ObjectMeta> = store
            .list(Some(&Path::from("gold/sessions")))
            .try_collect()
            .await
            .unwrap();
        assert_ne!(listed[0].location, old.location);
        assert_eq!(
            store.get_range(&listed[0].location, 0..7).await.unwrap(),
            Bytes::from_static(b"VERSION")
        );
        assert!(store.put(&location, Bytes::new().into()).await.is_err(), "read-only");
    }

    #[tokio::test]
    async fn a_query_reads_the_version_it_listed_while_its_writer_keeps_it() {
        let lake = Lake::in_memory();
        let location = Path::from("gold/sessions/date=2026-01-08/hour=21/part-00000.parquet");
        lake.put(&location, Bytes::from_static(b"version one")).await.unwrap();
        let index = Arc::new(LakeIndex::new(lake.clone()));
        let store = IndexedStore::new(Arc::clone(&index));
        let listed: Vec<ObjectMeta> = store
            .list(Some(&Path::from("gold/sessions")))
            .try_collect()
            .await
            .unwrap();
        let [old] = listed.as_slice() else { panic!("{listed:?}") };

        // Replaced twice, then deleted, each time as a rollup does it.
        for bytes in [&b"VERSION TWO"[..], b"version three"] {
            lake.keep_superseded(&location).await.unwrap();
            lake.put(&location, Bytes::copy_from_slice(bytes)).await.unwrap();
        }
        lake.keep_superseded(&location).await.unwrap();
        lake.delete(&location).await.unwrap();
        assert_eq!(
            store.get_range(&old.location, 0..11).await.unwrap(),
            Bytes::from_static(b"version one"),
            "the listed version, not a later one"
        );
        let whole = store.get(&old.location).await.unwrap();
        assert_eq!(whole.meta.location, old.location);
        assert_eq!(whole.bytes().await.unwrap(), Bytes::from_static(b"version one"));
        assert_eq!(index.superseded_reads(), 2);
        assert_eq!(index.stale_reads(), 0, "nothing had to be listed again");

        // Past the grace the copy is gone and the read fails as any stale read does.
        lake.sweep_superseded(std::time::Duration::ZERO).await.unwrap();
        let error = store.get_range(&old.location, 0..7).await.unwrap_err();
        assert!(matches!(error, object_store::Error::NotFound { .. }), "{error}");
        assert_eq!(index.stale_reads(), 1);
    }
}
