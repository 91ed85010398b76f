//! `GET /v1/slo`, `/v1/alerts` and `/v1/outages`: service-level objectives, their burn-rate
//! alerts and the outage records, as `sql::slo` computes them from gold `slo_burn_rates` and
//! `sessions` for the time or range asked.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use datafusion::scalar::ScalarValue;
use serde_json::json;

use crate::api::format::{negotiate, render_values};
use crate::api::params::{Params, push_equalities};
use crate::api::rfc3339;
use crate::api::sla::rows_json;
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

/// The order of alert and outage rows: newest first.
const NEWEST_FIRST: &str = "started_at DESC, scope, orchestrator_address";

pub(crate) async fn get_slo(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let at = params.ms("at").unwrap_or_else(now_ms);
    let mut values = vec![ScalarValue::Int64(Some(at))];
    let filters = equalities(&params, &mut values, &[]);
    let sql = sql::slo::filtered(sql::slo::STATUS, &filters, "objective, scope, orchestrator_address");
    let rows = rows_json(&state.engine.query_with_params(&sql, values).await?)?;
    render_values(format, rows, json!({"at": rfc3339(at)}))
}

pub(crate) async fn get_alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let more = [("severity", params.text("severity")), ("status", params.text("status"))];
    over_range(&state, &headers, &params, sql::slo::ALERTS, &more).await
}

pub(crate) async fn get_outages(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    over_range(&state, &headers, &params, &sql::slo::outages(), &[]).await
}

/// `query`'s rows over the range asked (`from`, `to`), filtered, newest first.
async fn over_range(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
    query: &str,
    more: &[(&str, Option<&str>)],
) -> Result<Response, ApiError> {
    let format = negotiate(params, headers);
    let (from, to) = params.window(now_ms())?;
    let mut values = vec![ScalarValue::Int64(Some(from)), ScalarValue::Int64(Some(to))];
    let filters = equalities(params, &mut values, more);
    let sql = sql::slo::filtered(query, &filters, NEWEST_FIRST);
    let rows = rows_json(&state.engine.query_with_params(&sql, values).await?)?;
    render_values(format, rows, json!({"from": rfc3339(from), "to": rfc3339(to)}))
}

/// The filters every SLO route shares (scope, orchestrator), then `more`, bound after `values`.
fn equalities(params: &Params, values: &mut Vec<ScalarValue>, more: &[(&str, Option<&str>)]) -> Vec<String> {
    let mut filters = Vec::new();
    let orchestrator = params.address("orchestrator");
    let mut all = vec![
        ("scope", params.text("scope")),
        ("lower(orchestrator_address)", orchestrator.as_deref()),
    ];
    all.extend_from_slice(more);
    push_equalities(&mut filters, values, &all);
    filters
}
