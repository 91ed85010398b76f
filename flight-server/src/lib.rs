//! # flight-server
//!
//! naap's public surfaces over the lake, both read-only and backed by one [`sql::QueryEngine`]:
//!
//! * Arrow Flight SQL ([`flight::NaapFlightSql`]) for data researchers (ADBC, JDBC, Grafana);
//! * an HTTP JSON API ([`http::router`]) for dashboards and gateways.
//!
//! Errors are mapped to HTTP and gRPC status codes in one place ([`error`]).

mod api;
pub mod auth;
pub mod cache;
pub mod dashboard;
pub mod error;
pub mod flight;
pub mod http;
pub mod metrics;
pub mod middleware;
mod routes;
mod server;
pub mod watch;

pub use http::DEFAULT_STALL_AFTER;
pub use routes::documented_paths;
pub use server::{RunningServers, ServeConfig, ServeError, start};
pub use watch::LAKE_POLL;

/// The Markdown reference of the compatibility routes (parameters and fields), which
/// docs/compat.md includes.
pub fn compat_reference() -> String {
    api::openapi::compat_reference()
}

/// The OpenAPI 3 document of the HTTP API (also served at `/openapi.json`).
pub fn openapi_document() -> serde_json::Value {
    api::openapi::document()
}
