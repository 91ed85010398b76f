//! Integration tests of the SQL layer.

mod metric_catalog;
mod scale;
mod sla_v1;
mod slt;
