//! The public view of a dataset: its table without the private columns
//! ([`lakehouse_layout::privacy`]).
//!
//! The public engine registers this instead of the dataset's listing table, so a private
//! column is not hidden by a view that a query could go around: it is not in the catalog at
//! all. `SELECT *`, `information_schema.columns`, `DESCRIBE`, a view or a function over the
//! table see the public columns only, and naming a private column is an unknown column.

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::Session;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use lakehouse_layout::Dataset;

/// A table that exposes only some columns of another.
#[derive(Debug)]
pub(crate) struct PublicTable {
    inner: Arc<dyn TableProvider>,
    schema: SchemaRef,
    /// For each column of `schema`, its index in `inner`'s schema.
    columns: Vec<usize>,
}

impl PublicTable {
    /// The public columns of `dataset`'s table `inner` (its file columns, then its partition
    /// columns, which are all public).
    pub(crate) fn new(dataset: Dataset, inner: Arc<dyn TableProvider>) -> PublicTable {
        let full = inner.schema();
        let public = dataset.public_schema();
        let columns: Vec<usize> = full
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                public.field_with_name(f.name()).is_ok() || dataset.file_schema().field_with_name(f.name()).is_err()
            })
            .map(|(i, _)| i)
            .collect();
        let schema = Arc::new(full.project(&columns).expect("indices come from the schema"));
        PublicTable { inner, schema, columns }
    }
}

#[async_trait]
impl TableProvider for PublicTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // Never `None` to the inner table: that would be every column, the private ones too.
        let projection: Vec<usize> = match projection {
            Some(projection) => projection.iter().map(|i| self.columns[*i]).collect(),
            None => self.columns.clone(),
        };
        self.inner.scan(state, Some(&projection), filters, limit).await
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        // Filters name public columns only (the others are not in this table's schema).
        self.inner.supports_filters_pushdown(filters)
    }
}
