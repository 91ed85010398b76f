//! Registers the lake's datasets as DataFusion tables, named as the datasets, reading hive
//! partitions (`family`, `date`, `hour`) as string columns.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::DataType;
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::cache::cache_manager::{CacheManager, CacheManagerConfig};
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake, PARQUET_EXTENSION};
use object_store::ObjectStore;
use url::Url;

use crate::error::{Error, Result};
use crate::resident::{ResidentFiles, ResidentTable, is_resident};

/// The URL under which the lake's object store is registered in DataFusion. Every table
/// reads through this one store, whatever the lake's backend.
pub static LAKE_URL: LazyLock<Url> = LazyLock::new(|| Url::parse("naap://lake/").expect("static URL"));

/// Registers `lake`'s object store and a table per dataset in `datasets`.
pub fn register_lake(ctx: &SessionContext, lake: &Lake, datasets: impl IntoIterator<Item = Dataset>) -> Result<()> {
    register_store(ctx, lake.store(), datasets)
}

/// Registers `store` as the lake's and a table per dataset in `datasets`.
pub fn register_store(
    ctx: &SessionContext,
    store: &Arc<dyn ObjectStore>,
    datasets: impl IntoIterator<Item = Dataset>,
) -> Result<()> {
    ctx.register_object_store(&LAKE_URL, Arc::clone(store));
    for dataset in datasets {
        ctx.register_table(dataset.name(), Arc::new(listing_table(dataset)?))
            .map_err(Error::from_datafusion)?;
    }
    Ok(())
}

/// What a serving engine registers: each dataset in `datasets` read from `store`, the gold
/// aggregates through `resident` ([`crate::resident`]), the others from Parquet; with their
/// public columns only when `public`.
pub(crate) fn register_served_store(
    ctx: &SessionContext,
    store: &Arc<dyn ObjectStore>,
    datasets: impl IntoIterator<Item = Dataset>,
    resident: &Arc<ResidentFiles>,
    public: bool,
) -> Result<()> {
    ctx.register_object_store(&LAKE_URL, Arc::clone(store));
    for dataset in datasets {
        let listing = listing_table(dataset)?;
        let mut table: Arc<dyn TableProvider> = match is_resident(dataset) {
            true => Arc::new(ResidentTable::new(
                dataset,
                listing.schema(),
                Arc::clone(store),
                Arc::clone(resident),
            )),
            false => Arc::new(listing),
        };
        if public {
            table = Arc::new(crate::public_table::PublicTable::new(dataset, table));
        }
        ctx.register_table(dataset.name(), table)
            .map_err(Error::from_datafusion)?;
    }
    Ok(())
}

/// DataFusion's caches with the listing cache off. DataFusion 55 caches each table's file
/// listing for ever by default, so a long-running engine never sees a file added, replaced or
/// deleted after its first query; naap's engines list through a [`lakehouse_layout::LakeIndex`]
/// that the change log keeps current instead. The footer and statistics caches stay on: they
/// are keyed by path, and the index names each file by its version.
pub fn uncached_listings() -> CacheManagerConfig {
    CacheManagerConfig::default().with_list_files_cache_limit(0)
}

/// Footer and statistics caches shared by the queries of a long-running reader (a rollup
/// follower): each rollup run builds its own session, and without them every tick would read
/// again the footer of every file in the windows it recomputes, most of them unchanged since
/// the last tick. Entries are checked against each file's size and modification time, which
/// the lake index takes from the change record of the version it lists, so a replaced file is
/// never read with another version's footer.
#[derive(Debug, Clone)]
pub struct FileCaches(Arc<CacheManager>);

impl FileCaches {
    /// Empty caches with DataFusion's default limits (footers 50 MiB, statistics 20 MiB).
    pub fn new() -> FileCaches {
        FileCaches(CacheManager::try_new(&uncached_listings()).expect("the default cache configuration is valid"))
    }

    /// A cache configuration for one session that reads and fills these caches.
    pub fn config(&self) -> CacheManagerConfig {
        uncached_listings()
            .with_file_metadata_cache(Some(self.0.get_file_metadata_cache()))
            .with_file_statistics_cache(self.0.get_file_statistic_cache())
    }
}

impl Default for FileCaches {
    fn default() -> Self {
        FileCaches::new()
    }
}

/// The table of one dataset, with the dataset's schema (so empty datasets are queryable).
pub fn listing_table(dataset: Dataset) -> Result<ListingTable> {
    let url =
        ListingTableUrl::parse(format!("{}{}/", LAKE_URL.as_str(), dataset.dir())).map_err(Error::from_datafusion)?;
    let partition_cols = dataset
        .partitioning()
        .keys()
        .iter()
        .map(|key| (key.to_string(), DataType::Utf8))
        .collect();
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(PARQUET_EXTENSION)
        .with_table_partition_cols(partition_cols);
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(dataset.file_schema());
    ListingTable::try_new(config).map_err(Error::from_datafusion)
}
