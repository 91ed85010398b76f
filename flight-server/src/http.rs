//! The HTTP JSON API (axum).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lakehouse_layout::Dataset;
use serde_json::json;
use sql::QueryEngine;

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
    let router = Router::new()
        .route("/", get(crate::dashboard::index))
        .route("/dashboard/app.js", get(crate::dashboard::script))
        .route("/dashboard/app.css", get(crate::dashboard::style))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/v1/datasets", get(list_datasets))
        .route("/v1/datasets/{name}", get(crate::api::datasets::describe))
        .route("/v1/datasets/{name}/rows", get(dataset_rows))
        .route("/v1/datasets/{name}/snapshot", get(crate::api::datasets::snapshot))
        .route("/v1/datasets/{name}/files/{*path}", get(crate::api::datasets::file))
        .route("/v1/snapshots", get(crate::api::snapshots::list))
        .route("/v1/snapshots/{id}", get(crate::api::snapshots::manifest))
        .route("/v1/snapshots/{id}/files/{*path}", get(crate::api::snapshots::file))
        .route("/v1/sla", get(crate::api::sla::get_sla))
        .route("/v1/leaderboard", get(crate::api::leaderboard::get_leaderboard))
        .route("/v1/advice", get(crate::api::leaderboard::get_advice))
        .route("/v1/network/kpis", get(crate::api::kpis::get_kpis))
        .route("/v1/orchestrators", get(crate::api::orchestrators::list))
        .route("/v1/orchestrators/{address}", get(crate::api::orchestrators::one))
        .route(
            "/v1/orchestrators/{address}/history",
            get(crate::api::orchestrators::history),
        )
        .route("/openapi.json", get(crate::api::openapi::get_openapi));
    let router = crate::api::tables::TABLES.iter().fold(router, |router, table| {
        router.route(table.path, crate::api::tables::route(table))
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

/// The paths the router serves (the OpenAPI test compares them with the document).
pub const ROUTES: [&str; 27] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/datasets",
    "/v1/datasets/{name}",
    "/v1/datasets/{name}/rows",
    "/v1/datasets/{name}/snapshot",
    "/v1/datasets/{name}/files/{path}",
    "/v1/snapshots",
    "/v1/snapshots/{id}",
    "/v1/snapshots/{id}/files/{path}",
    "/v1/sla",
    "/v1/leaderboard",
    "/v1/advice",
    "/v1/network/kpis",
    "/v1/supply/gpus",
    "/v1/prices",
    "/v1/demand",
    "/v1/economics",
    "/v1/jobs",
    "/v1/quality",
    "/v1/collectors",
    "/v1/nodes/metrics",
    "/v1/orchestrators",
    "/v1/orchestrators/{address}",
    "/v1/orchestrators/{address}/history",
    "/openapi.json",
];

/// The wall clock, ms since the epoch (default time windows end now).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the lake answers: the rollup state is read (its absence is fine: no rollup has
/// run yet, and the datasets are simply empty).
async fn readyz(State(state): State<AppState>) -> Response {
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

async fn metrics_text(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

fn visible(state: &AppState, dataset: Dataset) -> bool {
    state.engine.profile().datasets().any(|d| d == dataset)
}

async fn list_datasets(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    reject_unknown(&params, &[])?;
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

const MAX_ROWS_PER_PAGE: usize = 10_000;

async fn dataset_rows(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    reject_unknown(&params, &["limit"])?;
    let dataset = Dataset::from_name(&name)
        .ok()
        .filter(|d| visible(&state, *d))
        .ok_or_else(|| ApiError::NotFound(format!("no dataset named {name:?}")))?;
    let limit = match params.get("limit") {
        None => 100,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_ROWS_PER_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::bad_parameter(
                    "limit",
                    format!("expected an integer from 1 to {MAX_ROWS_PER_PAGE}, got {text:?}"),
                )
            })?,
    };
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

/// Rejects query parameters that the endpoint does not know: a typo must not be silently
/// ignored.
pub(crate) fn reject_unknown(params: &HashMap<String, String>, known: &[&str]) -> Result<(), ApiError> {
    let mut unknown: Vec<&String> = params.keys().filter(|k| !known.contains(&k.as_str())).collect();
    unknown.sort();
    match unknown.first() {
        Some(name) => Err(ApiError::bad_parameter(
            name.as_str(),
            if known.is_empty() {
                "this endpoint takes no parameters".to_string()
            } else {
                format!("unknown parameter; known: {}", known.join(", "))
            },
        )),
        None => Ok(()),
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
