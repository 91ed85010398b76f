//! `GET /v1/orchestrators`, `/v1/orchestrators/{address}` and `.../history`: who an
//! orchestrator is (on-chain address, signing keys, URLs, version, GPUs, models, last seen,
//! from its capability reports) and how it served (sessions, naap_score), over a window.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use crate::api::format::{first_rows, negotiate, render, render_values};
use crate::api::leaderboard::wilson;
use crate::api::params::{Params, push_equalities};
use crate::api::rfc3339;
use crate::api::sla::{rolled_up_columns, rows_json, timestamp};
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

/// Identity and service of every orchestrator seen in [from, to), by on-chain address.
async fn profiles(
    state: &AppState,
    from: i64,
    to: i64,
    only: Option<&str>,
) -> Result<BTreeMap<String, Value>, ApiError> {
    let mut values = vec![timestamp(from), timestamp(to)];
    let filter = match only {
        Some(address) => {
            values.push(ScalarValue::Utf8(Some(address.to_string())));
            " AND lower(orchestrator_address) = $3"
        }
        None => "",
    };
    let window = format!("event_ts >= $1 AND event_ts < $2 AND orchestrator_address IS NOT NULL{filter}");
    let query = |sql: String| {
        let values = values.clone();
        async move { rows_json(&state.engine.query_with_params(&sql, values).await?) }
    };
    let identity = query(format!(
        "SELECT lower(orchestrator_address) AS address, array_agg(DISTINCT lower(local_address)) AS signing_keys, \
                array_agg(DISTINCT orchestrator_url) AS urls, last_value(version ORDER BY event_ts) AS version, \
                max(event_ts) AS last_seen \
         FROM capability_orchestrators WHERE {window} GROUP BY 1"
    ))
    .await?;
    let hardware = query(format!(
        "SELECT lower(orchestrator_address) AS address, \
                array_agg(DISTINCT gpu_name) AS gpu_models, array_agg(DISTINCT pipeline) AS pipelines \
         FROM capability_gpus WHERE {window} GROUP BY 1"
    ))
    .await?;
    let gpus = query(sql::supply::gpus_per_orchestrator_sql(&window)).await?;
    let models = query(format!(
        "SELECT lower(orchestrator_address) AS address, array_agg(DISTINCT model_id) AS models \
         FROM capability_models WHERE {window} AND model_id IS NOT NULL GROUP BY 1"
    ))
    .await?;
    let served = query(format!(
        "SELECT orchestrator_address AS address, sum(requested_sessions) AS requested_sessions, \
                sum(good_sessions) AS good_sessions, sum(naap_score_sessions) AS trials \
         FROM sla_hourly WHERE window_start >= $1 AND window_start < $2 AND orchestrator_address IS NOT NULL \
           AND coalesce(traffic_class, 'organic') = 'organic'{} GROUP BY 1",
        if only.is_some() {
            " AND orchestrator_address = $3"
        } else {
            ""
        }
    ))
    .await?;

    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (rows, keys) in [
        (&identity, &["signing_keys", "urls", "version", "last_seen"][..]),
        (&hardware, &["gpu_models", "pipelines"][..]),
        (&gpus, &["gpus", "gpu_ids_seen"][..]),
        (&models, &["models"][..]),
    ] {
        for row in rows {
            let Some(address) = row["address"].as_str() else {
                continue;
            };
            let profile = profile_of(&mut out, address);
            for key in keys {
                profile[*key] = sorted(&row[*key]);
            }
        }
    }
    for row in &served {
        let Some(address) = row["address"].as_str() else {
            continue;
        };
        let profile = profile_of(&mut out, address);
        let count = |k: &str| row[k].as_f64().unwrap_or(0.0);
        profile["requested_sessions"] = json!(count("requested_sessions") as u64);
        profile["naap_score_sessions"] = json!(count("trials") as u64);
        if let Some((low, _)) = wilson(count("good_sessions"), count("trials")) {
            profile["naap_score"] = json!((100.0 * low * 1e6).round() / 1e6);
            profile["status"] = json!("scored");
        }
    }
    Ok(out)
}

fn profile_of<'a>(out: &'a mut BTreeMap<String, Value>, address: &str) -> &'a mut Value {
    out.entry(address.to_string()).or_insert_with(|| {
        json!({"address": address, "signing_keys": [], "urls": [], "version": null, "last_seen": null,
               "gpus": 0, "gpu_ids_seen": 0, "gpu_models": [], "pipelines": [], "models": [],
               "requested_sessions": 0, "naap_score": null, "naap_score_sessions": 0, "status": "no_data"})
    })
}

/// Lists sorted (array_agg(DISTINCT) has no order), NULLs dropped; other values as they are.
fn sorted(value: &Value) -> Value {
    match value.as_array() {
        Some(items) => {
            let set: BTreeSet<String> = items.iter().filter_map(|v| v.as_str().map(String::from)).collect();
            json!(set)
        }
        None => value.clone(),
    }
}

fn path_address(address: &str) -> Result<String, ApiError> {
    if address.len() == 42 && address.starts_with("0x") && address[2..].bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(address.to_ascii_lowercase())
    } else {
        Err(ApiError::bad_parameter(
            "address",
            format!("expected 0x followed by 40 hex digits, got {address:?}"),
        ))
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let (from, to) = params.window(now_ms())?;
    let limit = params.int("limit", 100) as usize;
    let data: Vec<Value> = profiles(&state, from, to, None)
        .await?
        .into_values()
        .take(limit)
        .collect();
    render_values(format, data, json!({"from": rfc3339(from), "to": rfc3339(to)}))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    Path(address): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let address = path_address(&address)?;
    let (from, to) = params.window(now_ms())?;
    let profile = profiles(&state, from, to, Some(&address))
        .await?
        .remove(&address)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "orchestrator {address} was not seen between {} and {}",
                rfc3339(from),
                rfc3339(to)
            ))
        })?;
    render_values(format, vec![profile], json!({"from": rfc3339(from), "to": rfc3339(to)}))
}

pub(crate) async fn history(
    State(state): State<AppState>,
    Path(address): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let address = path_address(&address)?;
    let (from, to) = params.window(now_ms())?;
    // The enum is validated: it can go into the SQL text.
    let unit = if params.text("granularity") == Some("day") {
        "day"
    } else {
        "hour"
    };
    let mut filters: Vec<String> = ["window_start >= $1", "window_start < $2", "orchestrator_address = $3"]
        .map(String::from)
        .to_vec();
    let mut values = vec![timestamp(from), timestamp(to), ScalarValue::Utf8(Some(address.clone()))];
    push_equalities(
        &mut filters,
        &mut values,
        &[
            ("pipeline", params.text("pipeline")),
            ("model_id", params.text("model")),
        ],
    );
    filters.extend(params.traffic_class_filter(""));
    let sql = format!(
        "SELECT date_trunc('{unit}', window_start) AS window_start, {} FROM sla_hourly WHERE {} GROUP BY 1 ORDER BY 1",
        rolled_up_columns(),
        filters.join(" AND ")
    );
    let (schema, batches) = state.engine.query_table(&sql, values).await?;
    let meta = json!({"address": address, "granularity": unit, "from": rfc3339(from), "to": rfc3339(to),
                      "traffic_class": params.text("traffic_class").unwrap_or("organic")});
    render(format, first_rows(&schema, &batches, usize::MAX)?, meta)
}
