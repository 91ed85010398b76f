//! Integration tests of the SQL layer.

mod metric_catalog;
mod slt;
