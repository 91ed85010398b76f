//! Routes that answer as the APIs the existing clients already read (docs/compat.md):
//! [`predecessor`] for the livepeer/naap web platform and its leaderboard plugin,
//! [`leaderboard`] for the Explorer and go-livepeer's `-orchPerfStatsUrl`. What each field
//! means is in [`sql::compat`]; these handlers run the queries and shape the answers.

pub(crate) mod fields;
pub(crate) mod leaderboard;
pub(crate) mod predecessor;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use datafusion::scalar::ScalarValue;
use serde_json::Value;

use crate::api::sla::rows_json;
use crate::error::ApiError;
use crate::http::AppState;

/// The rows of `sql` with `params`, as JSON objects.
pub(crate) async fn query(state: &AppState, sql: &str, params: Vec<ScalarValue>) -> Result<Vec<Value>, ApiError> {
    rows_json(&state.engine.query_with_params(sql, params).await?)
}

/// An optional text parameter of a query (`NULL` when absent).
pub(crate) fn text(value: Option<&str>) -> ScalarValue {
    ScalarValue::Utf8(value.map(str::to_string))
}

/// A bare JSON answer with the clients' cache lifetime.
pub(crate) fn bare(value: &Value, cache_control: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, cache_control),
        ],
        value.to_string(),
    )
        .into_response()
}

/// A number field (JSON numbers, or decimals arrow-json wrote as strings); 0 for null.
pub(crate) fn num(row: &Value, field: &str) -> f64 {
    match &row[field] {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// An optional number field.
pub(crate) fn opt_num(row: &Value, field: &str) -> Option<f64> {
    match &row[field] {
        Value::Null => None,
        _ => Some(num(row, field)),
    }
}

/// An integer field; 0 for null.
pub(crate) fn int(row: &Value, field: &str) -> i64 {
    match &row[field] {
        Value::Number(n) => n.as_i64().unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A text field.
pub(crate) fn str_of<'a>(row: &'a Value, field: &str) -> Option<&'a str> {
    row[field].as_str()
}

/// A timestamp field as ms since the epoch (arrow-json writes RFC 3339, with or without an
/// offset).
pub(crate) fn ms_of(row: &Value, field: &str) -> Option<i64> {
    let text = row[field].as_str()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc().timestamp_millis())
        })
}

/// `x` rounded to `places` decimals.
pub(crate) fn round(x: f64, places: i32) -> f64 {
    let scale = 10_f64.powi(places);
    (x * scale).round() / scale
}

/// `a / b`, 0 when `b` is 0 (the predecessor's `divSafe`).
pub(crate) fn div_safe(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}
