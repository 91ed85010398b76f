//! `GET /v1/network/kpis`: the network's headline numbers over a window, each with the same
//! number over the previous window of equal length and the relative change.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::api::format::{negotiate, render_values};
use crate::api::params::Params;
use crate::api::rfc3339;
use crate::api::sla::{rows_json, timestamp};
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

/// One row of headline numbers for [$1, $2), of organic traffic. Scalar subqueries, each over one dataset; `gpus`
/// and `gpu_ids_seen` come from [`sql::supply`].
fn kpi_sql() -> String {
    let gpus = sql::supply::gpus_per_orchestrator_sql("event_ts >= $1 AND event_ts < $2");
    KPI_SQL.replace("{gpus}", &gpus)
}

const KPI_SQL: &str = "SELECT \
    (SELECT count(*) FROM sessions WHERE coalesce(traffic_class, 'organic') = 'organic' AND requested AND started_at < $2 AND ended_at >= $1) AS active_streams, \
    (SELECT sum(requested_sessions) FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) AS sessions, \
    (SELECT round(sum(session_minutes), 3) FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) AS session_minutes, \
    (SELECT round(CAST(sum(startup_success_sessions) AS DOUBLE) / nullif(sum(requested_sessions), 0), 6) \
       FROM sla_hourly WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) AS startup_success_rate, \
    (SELECT count(DISTINCT orchestrator_address) FROM sla_hourly \
       WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2 AND requested_sessions > 0) AS orchestrators_serving, \
    (SELECT count(DISTINCT orchestrator_address) FROM capability_orchestrators WHERE event_ts >= $1 AND event_ts < $2) \
       AS orchestrators_advertising, \
    (SELECT coalesce(sum(gpus), 0) FROM ({gpus})) AS gpus, \
    (SELECT count(DISTINCT gpu_id) FROM capability_gpus WHERE event_ts >= $1 AND event_ts < $2) AS gpu_ids_seen, \
    (SELECT count(*) FROM jobs WHERE coalesce(traffic_class, 'organic') = 'organic' AND window_start >= $1 AND window_start < $2) AS jobs, \
    (SELECT CAST(sum(expected_value_wei) AS VARCHAR) FROM payments_hourly WHERE window_start >= $1 AND window_start < $2) \
       AS fees_expected_value_wei, \
    (SELECT CAST(sum(signer_fee_wei) AS VARCHAR) FROM payments_hourly WHERE window_start >= $1 AND window_start < $2) \
       AS fees_remote_signer_wei";

pub(crate) async fn get_kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let (from, to) = params.window(now_ms())?;
    let previous_from = from - (to - from);
    let current = kpis(&state, from, to).await?;
    let previous = kpis(&state, previous_from, from).await?;
    let mut out = Vec::new();
    for (name, value) in &current {
        let before = &previous[name];
        let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok()));
        let change = match (number(value), number(before)) {
            (Some(now), Some(then)) if then != 0.0 => json!(((now - then) / then * 1e6).round() / 1e6),
            _ => Value::Null,
        };
        out.push(json!({"kpi": name, "value": value, "previous": before, "change": change}));
    }
    let meta = json!({"from": rfc3339(from), "to": rfc3339(to), "previous_from": rfc3339(previous_from)});
    render_values(format, out, meta)
}

async fn kpis(state: &AppState, from: i64, to: i64) -> Result<Map<String, Value>, ApiError> {
    let rows = rows_json(
        &state
            .engine
            .query_with_params(&kpi_sql(), vec![timestamp(from), timestamp(to)])
            .await?,
    )?;
    match rows.into_iter().next() {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::Query(sql::Error::Execution(
            "the KPI query returned no row".into(),
        ))),
    }
}
