//! HTTP push: `POST /v1/events` with a JSON array or JSONL batch of envelopes.
//!
//! With a credentials file (`naap ingest --credentials`), a push needs a bearer token of the
//! `push` scope ([`lakehouse_layout::credentials`]).
//!
//! Each request is one source range (`http-<listener>-p00000-<first>-<last>`), written before
//! the response is sent: a 200 means the batch is durable. Offsets continue from the
//! listener's start time in microseconds, so a restarted listener never reuses a name.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lakehouse_layout::credentials::{Credentials, Denied, Scope, bearer_token};
use lakehouse_layout::{SourceKind, SourceRange};
use serde_json::json;

use crate::ingest::Ingestor;
use crate::metrics::IngestMetrics;
use crate::source::file::split_records;

/// Default maximum request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug)]
struct PushState {
    ingestor: Ingestor,
    name: String,
    next_offset: AtomicU64,
    credentials: Option<Arc<Credentials>>,
}

/// The push routes for a listener called `name` (a source name: `[A-Za-z0-9._-]`).
///
/// With `credentials`, every push needs a bearer token of the `push` scope (401 without one
/// or with an unknown one, 403 with another scope), and its events are recorded with the
/// source name `<name>.<producer>`: each producer is the source of its own events.
pub fn router(
    ingestor: Ingestor,
    name: &str,
    start_ms: i64,
    max_body_bytes: usize,
    credentials: Option<Arc<Credentials>>,
) -> Router {
    let state = Arc::new(PushState {
        ingestor,
        name: name.to_string(),
        next_offset: AtomicU64::new(u64::try_from(start_ms).unwrap_or(0).saturating_mul(1000)),
        credentials,
    });
    let metrics = Arc::clone(state.ingestor.metrics());
    Router::new()
        .route("/v1/events", post(push))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
        .merge(metrics_router(metrics))
}

/// `GET /metrics`: the ingestion metrics in the Prometheus text format.
pub fn metrics_router(metrics: Arc<IngestMetrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render()) }
        }),
    )
}

/// Serves `router` on a bound listener until `shutdown` resolves.
pub async fn serve(
    router: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

fn problem(status: StatusCode, detail: String) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, "application/problem+json".parse().unwrap());
    response
}

async fn push(
    State(state): State<Arc<PushState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let source_name = match &state.credentials {
        None => state.name.clone(),
        Some(credentials) => {
            let token = bearer_token(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
            match credentials.authorize(token, Scope::Push) {
                Ok(producer) => format!("{}.{}", state.name, producer.name),
                Err(denied) => {
                    state.ingestor.metrics().auth_refused(denied.reason());
                    let status = match denied {
                        Denied::WrongScope => StatusCode::FORBIDDEN,
                        Denied::Missing | Denied::Unknown => StatusCode::UNAUTHORIZED,
                    };
                    let mut response = problem(status, denied.detail(Scope::Push));
                    if status == StatusCode::UNAUTHORIZED {
                        response
                            .headers_mut()
                            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                    }
                    return response;
                }
            }
        }
    };
    let body = match body {
        Ok(body) => body,
        // Too large (413) or unreadable: the same problem+json shape as every other error.
        Err(rejection) => return problem(rejection.status(), rejection.body_text()),
    };
    let records = match split_records(&body) {
        Ok(records) => records,
        Err(detail) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("the body is neither a JSON array nor JSONL: {detail}"),
            );
        }
    };
    if records.is_empty() {
        return problem(StatusCode::BAD_REQUEST, "the body holds no records".into());
    }
    let count = records.len() as u64;
    let first = state.next_offset.fetch_add(count, Ordering::SeqCst);
    let range = match SourceRange::new(SourceKind::Http, &source_name, 0, first, first + count - 1) {
        Ok(range) => range,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let messages: Vec<(u64, &[u8])> = records
        .iter()
        .enumerate()
        .map(|(i, (_, bytes))| (first + i as u64, *bytes))
        .collect();
    match state.ingestor.ingest(&range, &messages).await {
        Ok(report) => {
            let first_rejected = report.dead_letter_total();
            Json(json!({
                "received": report.messages,
                "accepted": report.accepted,
                "dead_letters": first_rejected,
                "dead_letters_by_reason": report.dead_letters,
                "first_offset": first,
            }))
            .into_response()
        }
        Err(e) if e.is_retryable() => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage is unavailable, retry: {e}"),
        ),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
