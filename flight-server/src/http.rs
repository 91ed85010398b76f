//! The HTTP JSON API (axum).

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use lakehouse_layout::Dataset;
use serde_json::json;
use sql::QueryEngine;

use crate::api::params::Params;
use crate::cache::ResponseCache;
use crate::error::ApiError;
use crate::metrics::ServeMetrics;
use crate::middleware::{RateLimit, RateLimiter};

/// Shared state of the HTTP handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The read-only query engine.
    pub engine: QueryEngine,
    /// The lake, for manifests and file downloads.
    pub lake: lakehouse_layout::Lake,
    /// The serving metrics (shared with the Flight SQL service).
    pub metrics: Arc<ServeMetrics>,
    /// The per-client rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// Tokens every request but health and metrics must carry one of (operator servers).
    pub credentials: Option<Arc<lakehouse_layout::credentials::Credentials>>,
    /// What "now" is for answers relative to it (the compatibility routes' "last 24 hours").
    pub clock: Clock,
    /// How long the change-log watcher may go without reading the lake before `/healthz`
    /// fails.
    pub stall_after: std::time::Duration,
    /// The orchestrators (lowercase addresses) whose service-level objectives `/metrics`
    /// carries beside the network's; empty: every orchestrator's.
    pub slo_orchestrators: Arc<[String]>,
}

/// The clock of the answers that are relative to now.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    /// The wall clock.
    #[default]
    System,
    /// A fixed instant, ms since the epoch (tests, replays of a past period).
    Fixed(i64),
}

impl Clock {
    /// Now, ms since the epoch.
    pub fn now_ms(self) -> i64 {
        match self {
            Clock::System => now_ms(),
            Clock::Fixed(ms) => ms,
        }
    }
}

impl AppState {
    /// State over `engine` and `lake`, with fresh metrics and no rate limit.
    pub fn new(engine: QueryEngine, lake: lakehouse_layout::Lake) -> Self {
        AppState {
            engine,
            lake,
            metrics: Arc::new(ServeMetrics::new()),
            rate_limit: None,
            credentials: None,
            clock: Clock::System,
            stall_after: DEFAULT_STALL_AFTER,
            slo_orchestrators: Arc::new([]),
        }
    }
}

/// The HTTP routes.
pub fn router(state: AppState) -> Router {
    crate::watch::spawn_lake_watcher(
        state.engine.index(),
        Arc::clone(&state.metrics),
        crate::watch::LAKE_POLL,
    );
    let cache = Arc::new(ResponseCache::new(
        Arc::clone(state.engine.index()),
        Arc::clone(&state.metrics),
    ));
    let metrics = Arc::clone(&state.metrics);
    let rate_limit = state.rate_limit;
    let credentials = state.credentials.clone();
    let router = crate::routes::ROUTES.iter().fold(Router::new(), |router, route| {
        router.route(&route.axum_path(), (route.handler)())
    });
    let router = router
        .with_state(state)
        // Outermost last: the request id wraps everything, so even a 304 or an error has one;
        // the cache sits inside the ETag layer, so cached answers get conditional GETs too.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BODY))
        .layer(axum::middleware::from_fn_with_state(cache, crate::cache::cache))
        .layer(axum::middleware::from_fn(crate::middleware::etag))
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods([
                    axum::http::Method::GET,
                    axum::http::Method::HEAD,
                    axum::http::Method::OPTIONS,
                ])
                .expose_headers([crate::middleware::REQUEST_ID.clone(), header::ETAG]),
        )
        .layer(axum::middleware::from_fn(crate::middleware::request_id));
    // Outside the cache: a cached answer is never served to a caller without a credential.
    let router = match credentials {
        Some(credentials) => router.layer(axum::middleware::from_fn_with_state(
            credentials,
            crate::auth::require_operator,
        )),
        None => router,
    };
    let router = match rate_limit {
        Some(limit) => router.layer(axum::middleware::from_fn_with_state(
            Arc::new(RateLimiter::new(limit)),
            crate::middleware::rate_limit,
        )),
        None => router,
    };
    // Outermost: every answer is counted, 429s included.
    router.layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::record))
}

/// The API only reads: request bodies are refused beyond this size.
const MAX_REQUEST_BODY: usize = 64 << 10;

/// The wall clock, ms since the epoch (default time windows end now).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// How long the change-log watcher may go without a successful read (it reads every
/// [`crate::watch::LAKE_POLL`]) before the server calls itself unhealthy, unless configured:
/// its answers would no longer follow the lake.
pub const DEFAULT_STALL_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

/// Live while the server follows the lake: its change-log watcher read the log within its
/// stall limit (or has not had its first read yet, at start).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let limit = state.stall_after.as_secs_f64();
    match state.metrics.seconds_since_refresh() {
        Some(quiet) if quiet > limit => not_ready(format!(
            "the lake's change log at {} was last read {quiet:.0} s ago (limit {limit:.0} s): \
             answers no longer follow the lake",
            state.lake.location()
        )),
        _ => Json(json!({"status": "ok"})).into_response(),
    }
}

/// Ready when the lake answers: the rollup state is read (its absence is fine: no rollup has
/// run yet, and the datasets are simply empty).
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let probe = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        lakehouse_layout::InputSnapshot::stored_version(&state.lake),
    )
    .await;
    // What the dashboard shows as "updated N s ago": the last change of the lake this server
    // has seen (its change-log watcher polls every LAKE_POLL).
    let index = state.engine.index();
    let lake_changed_at = index.last_change_ms().map(rfc3339_ms);
    let generation = index.generation();
    match probe {
        Ok(Ok(meta)) => Json(json!({
            "status": "ready",
            "last_rollup": meta.map(|m| m.last_modified.to_rfc3339()),
            "lake_changed_at": lake_changed_at,
            "lake_generation": generation,
            "server_time": rfc3339_ms(now_ms()),
        }))
        .into_response(),
        Ok(Err(e)) => not_ready(format!("the lake at {} does not answer: {e}", state.lake.location())),
        Err(_) => not_ready(format!(
            "the lake at {} did not answer within 5 s",
            state.lake.location()
        )),
    }
}

fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn not_ready(detail: String) -> Response {
    let body = json!({"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": detail});
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

pub(crate) async fn metrics_text(State(state): State<AppState>) -> Response {
    state.metrics.resident(state.engine.resident().stats());
    let slo = crate::api::slo::gauges(&state).await;
    let health = crate::api::slo::health_gauges(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render() + &slo + &health,
    )
        .into_response()
}

fn visible(state: &AppState, dataset: Dataset) -> bool {
    state.engine.profile().datasets().any(|d| d == dataset)
}

pub(crate) async fn list_datasets(State(state): State<AppState>, _: Params) -> Result<Response, ApiError> {
    let data: Vec<_> = Dataset::ALL
        .into_iter()
        .filter(|d| visible(&state, *d))
        .map(|d| {
            json!({
                "name": d.name(),
                "layer": d.layer().dir(),
                "description": d.description(),
                "partition_keys": d.partitioning().keys(),
                "rows_url": format!("/v1/datasets/{}/rows", d.name()),
            })
        })
        .collect();
    Ok(Json(json!({ "data": data })).into_response())
}

pub(crate) async fn dataset_rows(
    State(state): State<AppState>,
    Path(name): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let dataset = Dataset::from_name(&name)
        .ok()
        .filter(|d| visible(&state, *d))
        .ok_or_else(|| ApiError::NotFound(format!("no dataset named {name:?}")))?;
    let limit = params.int("limit", 100);
    let schema = served_schema(&state, dataset);
    let order: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| !matches!(f.data_type(), arrow::datatypes::DataType::Binary))
        .map(|f| format!("\"{}\"", f.name()))
        .collect();
    let sql = format!(
        "SELECT * FROM \"{}\" ORDER BY {} LIMIT {limit}",
        dataset.name(),
        order.join(", ")
    );
    let batches = state.engine.query(&sql).await?;
    json_response(dataset.name(), &batches)
}

/// The file columns of `dataset` that this server's profile serves: the public profile leaves
/// out the private ones ([`lakehouse_layout::privacy`]).
pub(crate) fn served_schema(state: &AppState, dataset: Dataset) -> arrow::datatypes::SchemaRef {
    match state.engine.profile() {
        sql::Profile::Public => dataset.public_schema(),
        sql::Profile::Operator => dataset.file_schema(),
    }
}

/// `{"data": [rows…], "meta": {"dataset": …, "rows": n}}`, rows encoded by arrow-json.
fn json_response(dataset: &str, batches: &[RecordBatch]) -> Result<Response, ApiError> {
    let mut writer = arrow::json::ArrayWriter::new(Vec::new());
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    writer
        .write_batches(&refs)
        .and_then(|()| writer.finish())
        .map_err(|e| ApiError::Query(sql::Error::Execution(e.to_string())))?;
    let mut bytes = writer.into_inner();
    if bytes.is_empty() {
        bytes = b"[]".to_vec();
    }
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Written by hand rather than through serde_json::Value, which would sort the keys:
    // rows keep the dataset's column order.
    let data = String::from_utf8(bytes).expect("arrow-json writes UTF-8");
    let meta = json!({"dataset": dataset, "rows": rows});
    let body = format!("{{\"data\":{data},\"meta\":{meta}}}");
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
