//! `GET /v1/slo`, `/v1/alerts` and `/v1/outages`: service-level objectives, their burn-rate
//! alerts and the outage records, as `sql::slo` computes them from gold `slo_burn_rates` and
//! `sessions` for the time or range asked.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

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

/// The objectives' state at the latest evaluation as Prometheus gauges, for an operator's
/// Alertmanager to page on: `naap_slo_error_budget_remaining`, `naap_slo_burn_rate{window}`
/// and `naap_slo_alert_firing{severity}`, labelled by objective, scope and orchestrator: the
/// network's, and those of the orchestrators the operator listed (all when none is). The
/// latest evaluation is a tick old while `rollup --follow` runs (`naap_lake_last_refresh_…`
/// says how fresh the lake is). Empty when there is no evaluation yet.
pub(crate) async fn gauges(state: &AppState) -> String {
    let latest = "SELECT CAST(max(evaluated_at) AS BIGINT) AS at_ms FROM slo_burn_rates";
    let at = match state.engine.query_with_params(latest, vec![]).await {
        Ok(batches) => rows_json(&batches)
            .unwrap_or_default()
            .first()
            .and_then(|r| r["at_ms"].as_i64()),
        Err(_) => None,
    };
    let Some(at) = at else { return String::new() };
    let sql = sql::slo::filtered(sql::slo::STATUS, &[], "objective, scope, orchestrator_address");
    let rows = match state
        .engine
        .query_with_params(&sql, vec![ScalarValue::Int64(Some(at))])
        .await
    {
        Ok(batches) => rows_json(&batches).unwrap_or_default(),
        Err(_) => return String::new(),
    };
    let mut budget = String::new();
    let mut burn = String::new();
    let mut firing = String::new();
    let rows: Vec<&Value> = rows
        .iter()
        .filter(|row| {
            row["scope"] != "orchestrator" || listed(state, row["orchestrator_address"].as_str().unwrap_or_default())
        })
        .collect();
    for row in &rows {
        let label = |key: &str| row[key].as_str().unwrap_or_default().replace(['\\', '"', '\n'], "_");
        let labels = format!(
            "objective=\"{}\",scope=\"{}\",orchestrator=\"{}\"",
            label("objective"),
            label("scope"),
            label("orchestrator_address")
        );
        if let Some(value) = row["error_budget_remaining"].as_f64() {
            budget += &format!("naap_slo_error_budget_remaining{{{labels}}} {value}\n");
        }
        for window in ["1h", "6h"] {
            if let Some(value) = row[format!("burn_rate_{window}")].as_f64() {
                burn += &format!("naap_slo_burn_rate{{{labels},window=\"{window}\"}} {value}\n");
            }
        }
        for severity in ["page", "ticket"] {
            let on = row[severity].as_bool().unwrap_or(false);
            firing += &format!(
                "naap_slo_alert_firing{{{labels},severity=\"{severity}\"}} {}\n",
                u8::from(on)
            );
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "# HELP naap_slo_error_budget_remaining Share of the 30-day error budget left (negative: overspent).\n\
         # TYPE naap_slo_error_budget_remaining gauge\n{budget}\
         # HELP naap_slo_burn_rate Error budget burn rate of the latest evaluation (1 = the objective's pace).\n\
         # TYPE naap_slo_burn_rate gauge\n{burn}\
         # HELP naap_slo_alert_firing 1 while the burn-rate alert fires at the latest evaluation.\n\
         # TYPE naap_slo_alert_firing gauge\n{firing}"
    )
}

/// The latest hour's health verdicts as Prometheus gauges: `naap_health_degraded` per
/// orchestrator × pipeline × model × rule (the listed orchestrators only, when the operator
/// listed some) and `naap_data_degraded` per source kind × org × family × rule, 1 when the
/// rule finds it degraded, 0 when it finds it healthy; a rule that cannot judge has no
/// sample. Empty before the first evaluation.
pub(crate) async fn health_gauges(state: &AppState) -> String {
    let rows = |sql: &'static str| async move {
        match state.engine.query_with_params(sql, vec![]).await {
            Ok(batches) => rows_json(&batches).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    };
    let orchestrators: Vec<Value> = rows(sql::health::LATEST_ORCHESTRATOR_VERDICTS)
        .await
        .into_iter()
        .filter(|row| listed(state, row["orchestrator_address"].as_str().unwrap_or_default()))
        .collect();
    let data = rows(sql::health::LATEST_DATA_VERDICTS).await;
    verdict_gauges(
        "naap_health_degraded",
        "1 when the health rule finds the orchestrator degraded in the latest hour evaluated (gold health_states).",
        &[
            ("orchestrator", "orchestrator_address"),
            ("pipeline", "pipeline"),
            ("model", "model_id"),
            ("rule", "rule"),
        ],
        &orchestrators,
    ) + &verdict_gauges(
        "naap_data_degraded",
        "1 when the data-quality rule finds the family's data degraded in the latest hour evaluated (gold data_health_states).",
        &[
            ("source_kind", "source_kind"),
            ("org", "org"),
            ("family", "family"),
            ("rule", "rule"),
        ],
        &data,
    )
}

/// One gauge `name` with a sample per row: its `degraded` verdict as 0 or 1, labelled by the
/// row's columns (`(label, column)`). Nothing without rows.
fn verdict_gauges(name: &str, help: &str, labels: &[(&str, &str)], rows: &[Value]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("# HELP {name} {help}\n# TYPE {name} gauge\n");
    for row in rows {
        let labels: Vec<String> = labels
            .iter()
            .map(|(label, column)| {
                let value = row[*column]
                    .as_str()
                    .unwrap_or_default()
                    .replace(['\\', '"', '\n'], "_");
                format!("{label}=\"{value}\"")
            })
            .collect();
        let degraded = u8::from(row["degraded"].as_bool().unwrap_or(false));
        out += &format!("{name}{{{}}} {degraded}\n", labels.join(","));
    }
    out
}

/// Whether `/metrics` carries an orchestrator's gauges: when the operator listed it, or
/// listed none.
fn listed(state: &AppState, orchestrator: &str) -> bool {
    state.slo_orchestrators.is_empty()
        || state
            .slo_orchestrators
            .iter()
            .any(|l| l.eq_ignore_ascii_case(orchestrator))
}
