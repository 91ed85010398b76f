//! Registers the lake's datasets as DataFusion tables, named as the datasets, reading hive
//! partitions (`family`, `date`, `hour`) as string columns.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake, PARQUET_EXTENSION};
use object_store::ObjectStore;
use url::Url;

use crate::error::{Error, Result};

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
        let table = listing_table(dataset)?;
        ctx.register_table(dataset.name(), Arc::new(table))
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
