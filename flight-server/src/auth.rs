//! Credentials on the serving side: an operator server (`naap serve --operator`, which serves
//! bronze, dead letters and private columns) answers only requests that carry an `operator`
//! token ([`lakehouse_layout::credentials`]), over HTTP and Flight SQL alike. Health and
//! metrics stay open, so that probes and scrapers need no secret.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lakehouse_layout::credentials::{Credentials, Scope, bearer_token};

use crate::error::ApiError;
use crate::metrics::ServeMetrics;

/// Paths served without a credential.
const OPEN_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Refuses HTTP requests without an operator token (401) or with a token of another scope
/// (403), as problem+json; counted in `naap_rejections_total{surface="http"}`.
pub async fn require_operator(State(credentials): State<Arc<Credentials>>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let token = bearer_token(
        request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    match credentials.authorize(token, Scope::Operator) {
        Ok(principal) => {
            tracing::debug!(principal = %principal.name, path = %request.uri().path(), "operator request");
            next.run(request).await
        }
        Err(denied) => ApiError::Denied(denied).into_response(),
    }
}

/// The Flight SQL interceptor: on an operator server (with credentials), `UNAUTHENTICATED`
/// without a valid token (`authorization: Bearer …` metadata) and `PERMISSION_DENIED` with
/// another scope; on a public server (without), every call passes.
#[derive(Debug, Clone)]
pub struct OperatorInterceptor {
    credentials: Option<Arc<Credentials>>,
    metrics: Arc<ServeMetrics>,
}

impl OperatorInterceptor {
    /// An interceptor checking against `credentials` (none: let everything through),
    /// counting refusals in `metrics`.
    pub fn new(credentials: Option<Arc<Credentials>>, metrics: Arc<ServeMetrics>) -> Self {
        OperatorInterceptor { credentials, metrics }
    }
}

impl tonic::service::Interceptor for OperatorInterceptor {
    fn call(&mut self, request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        let Some(credentials) = &self.credentials else {
            return Ok(request);
        };
        let token = bearer_token(request.metadata().get("authorization").and_then(|v| v.to_str().ok()));
        match credentials.authorize(token, Scope::Operator) {
            Ok(_) => Ok(request),
            Err(denied) => {
                self.metrics.flight_command("auth", Err(denied.reason()));
                let detail = denied.detail(Scope::Operator);
                Err(match denied {
                    lakehouse_layout::credentials::Denied::WrongScope => tonic::Status::permission_denied(detail),
                    _ => tonic::Status::unauthenticated(detail),
                })
            }
        }
    }
}
