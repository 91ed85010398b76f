//! The one place that maps errors to HTTP status codes (RFC 7807 problem bodies) and to
//! gRPC status codes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered by the HTTP API, rendered as `application/problem+json`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is malformed or unknown.
    #[error("invalid parameter `{parameter}`: {detail}")]
    BadParameter {
        /// The parameter's name.
        parameter: String,
        /// What is wrong with it.
        detail: String,
    },
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The resource exists but is not served to this caller (private columns, operator data).
    #[error("{0}")]
    Forbidden(String),
    /// The request's credential is missing, unknown or of another scope.
    #[error("{}", .0.detail(lakehouse_layout::credentials::Scope::Operator))]
    Denied(lakehouse_layout::credentials::Denied),
    /// The query layer failed.
    #[error(transparent)]
    Query(#[from] sql::Error),
    /// The server failed for a reason of its own.
    #[error("{0}")]
    Internal(String),
    /// A parameter error of a leaderboard-serverless route: 400 `{"error": …}`, its shape.
    #[error("{0}")]
    Leaderboard(String),
    /// Any other error of a leaderboard-serverless route, in its `{"error": …}` shape.
    #[error("{0}")]
    InLeaderboardShape(Box<ApiError>),
}

impl ApiError {
    /// This error in leaderboard-serverless's `{"error": …}` shape.
    pub fn in_leaderboard_shape(self) -> Self {
        match self {
            ApiError::Leaderboard(_) | ApiError::InLeaderboardShape(_) => self,
            other => ApiError::InLeaderboardShape(Box::new(other)),
        }
    }

    /// A bad-parameter error.
    pub fn bad_parameter(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Denied(lakehouse_layout::credentials::Denied::WrongScope) => StatusCode::FORBIDDEN,
            ApiError::Denied(_) => StatusCode::UNAUTHORIZED,
            ApiError::Query(e) => http_status(e),
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Leaderboard(_) => StatusCode::BAD_REQUEST,
            ApiError::InLeaderboardShape(inner) => inner.status(),
        }
    }

    /// The reason label of the rejection, for the metrics.
    fn reason(&self) -> &'static str {
        match self {
            ApiError::BadParameter { .. } => "bad_parameter",
            ApiError::NotFound(_) => "not_found",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Denied(denied) => denied.reason(),
            ApiError::Query(e) => rejection_reason(e),
            ApiError::Internal(_) => "internal",
            ApiError::Leaderboard(_) => "bad_parameter",
            ApiError::InLeaderboardShape(inner) => inner.reason(),
        }
    }
}

/// A 500 problem response for failures of the server's own.
pub fn internal_error(detail: String) -> Response {
    ApiError::Internal(detail).into_response()
}

/// The metrics label of a query error.
pub fn rejection_reason(error: &sql::Error) -> &'static str {
    match error {
        sql::Error::NotReadOnly(_) => "not_read_only",
        sql::Error::InvalidQuery(_) => "invalid_query",
        sql::Error::Timeout(_) => "time_limit",
        sql::Error::ResourcesExhausted(_) => "memory_limit",
        sql::Error::TooManyRows(_) => "row_limit",
        sql::Error::Lake(e) if e.is_retryable() => "lake_unavailable",
        sql::Error::LakeChanged => "lake_changed",
        _ => "internal",
    }
}

/// The HTTP status of a query error.
pub fn http_status(error: &sql::Error) -> StatusCode {
    match error {
        sql::Error::NotReadOnly(_) => StatusCode::FORBIDDEN,
        sql::Error::InvalidQuery(_) => StatusCode::BAD_REQUEST,
        sql::Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        sql::Error::ResourcesExhausted(_) | sql::Error::TooManyRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
        sql::Error::Lake(e) if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
        sql::Error::LakeChanged => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The gRPC status of a query error.
pub fn grpc_status(error: &sql::Error) -> tonic::Status {
    let message = error.to_string();
    match error {
        sql::Error::NotReadOnly(_) => tonic::Status::permission_denied(message),
        sql::Error::InvalidQuery(_) => tonic::Status::invalid_argument(message),
        sql::Error::Timeout(_) => tonic::Status::deadline_exceeded(message),
        sql::Error::ResourcesExhausted(_) | sql::Error::TooManyRows(_) => tonic::Status::resource_exhausted(message),
        sql::Error::Lake(e) if e.is_retryable() => tonic::Status::unavailable(message),
        sql::Error::LakeChanged => tonic::Status::unavailable(message),
        _ => tonic::Status::internal(message),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if matches!(self, ApiError::Leaderboard(_) | ApiError::InLeaderboardShape(_)) {
            // leaderboard-serverless's `common/common.go`: `{"error": "<msg>"}`.
            let mut response = (status, axum::Json(json!({"error": self.to_string()}))).into_response();
            response
                .extensions_mut()
                .insert(crate::metrics::Rejection(self.reason()));
            return response;
        }
        let title = status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
            "detail": self.to_string(),
        });
        if let ApiError::BadParameter { parameter, .. } = &self {
            body["parameter"] = json!(parameter);
        }
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
            .extensions_mut()
            .insert(crate::metrics::Rejection(self.reason()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}
