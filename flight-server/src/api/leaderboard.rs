//! `GET /v1/leaderboard`: orchestrators ranked by naap_score over a window. "No data" is a
//! status with a null score, never a zero.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use datafusion::scalar::ScalarValue;
use serde_json::{Value, json};

use crate::api::format::{negotiate, render_values};
use crate::api::params::{Params, push_equalities};
use crate::api::rfc3339;
use crate::api::sla::{rows_json, timestamp};
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

/// Wilson score interval at 95 % (as the rollups compute it).
pub(crate) fn wilson(successes: f64, trials: f64) -> Option<(f64, f64)> {
    if trials <= 0.0 {
        return None;
    }
    let p = successes / trials;
    let centre = p + 1.9208 / trials;
    let spread = 1.96 * (p * (1.0 - p) / trials + 0.9604 / (trials * trials)).sqrt();
    let scale = 1.0 + 3.8416 / trials;
    Some(((centre - spread) / scale, (centre + spread) / scale))
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `row[total] / row[count]` rounded to `digits` decimals; null without a count.
fn mean(row: &Value, total: &str, count: &str, digits: i32) -> Option<f64> {
    let (total, count) = (row[total].as_f64()?, row[count].as_f64()?);
    let scale = 10f64.powi(digits);
    (count != 0.0).then(|| (total / count * scale).round() / scale)
}

pub(crate) async fn get_leaderboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let limit = params.int("limit", 100) as usize;
    let (mut ranked, meta) = ranking(&state, &params, params.window(now_ms())?).await?;
    ranked.truncate(limit);
    render_values(format, ranked, meta)
}

/// `GET /v1/advice`: the best scored orchestrators for a pipeline/model (and region), with
/// the evidence behind each; orchestrators without data are never advised.
pub(crate) async fn get_advice(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let limit = params.int("limit", 3) as usize;
    let (ranked, mut meta) = ranking(&state, &params, params.window(now_ms())?).await?;
    let advised: Vec<Value> = ranked
        .into_iter()
        .filter(|e| e["status"] == "scored")
        .take(limit)
        .map(|mut e| {
            e["why"] = json!(format!(
                "{} of {} sessions good (95 % interval {:.1}–{:.1} %); mean startup {} ms; mean output {} fps",
                e["good_sessions"],
                e["sessions"],
                100.0 * e["good_rate_low"].as_f64().unwrap_or(0.0),
                100.0 * e["good_rate_high"].as_f64().unwrap_or(0.0),
                e["mean_startup_latency_ms"],
                e["mean_output_fps"]
            ));
            e
        })
        .collect();
    meta["advice"] = json!("ranked by naap_score: the lower 95 % bound of the good-session rate");
    render_values(format, advised, meta)
}

/// `GET /v1/price-performance`: the leaderboard of one pipeline and model with each
/// orchestrator's advertised price beside its score, so a buyer can weigh one against the
/// other. The price is the last one advertised in the window (`sql::prices`), with the range
/// seen; an orchestrator that advertised a price but has no ranking row is listed unscored.
pub(crate) async fn get_price_performance(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    // One window for the scores and the prices.
    let (from, to) = params.window(now_ms())?;
    let (ranked, meta) = ranking(&state, &params, (from, to)).await?;
    let values = vec![
        timestamp(from),
        timestamp(to),
        ScalarValue::Utf8(meta["pipeline"].as_str().map(str::to_string)),
        ScalarValue::Utf8(params.text("model").map(str::to_string)),
    ];
    let prices = rows_json(
        &state
            .engine
            .query_with_params(&sql::prices::latest_prices(), values)
            .await?,
    )?;
    let mut prices: BTreeMap<String, Value> = prices
        .into_iter()
        .filter_map(|row| Some((row["orchestrator_address"].as_str()?.to_string(), row)))
        .collect();
    let price_fields = [
        "price_wei_per_unit",
        "min_price_wei_per_unit",
        "max_price_wei_per_unit",
        "quotes",
        "price_last_seen",
    ];
    let mut rows = Vec::with_capacity(ranked.len());
    for mut entry in ranked {
        let address = entry["orchestrator_address"].as_str().unwrap_or_default().to_string();
        let price = prices.remove(&address);
        for field in price_fields {
            entry[field] = price.as_ref().map_or(Value::Null, |p| p[field].clone());
        }
        rows.push(entry);
    }
    for (address, price) in prices {
        let mut entry = json!({"orchestrator_address": address, "status": "no_data", "rank": null,
                               "naap_score": null, "sessions": 0});
        for field in price_fields {
            entry[field] = price[field].clone();
        }
        rows.push(entry);
    }
    let limit = params.int("limit", 100) as usize;
    rows.truncate(limit);
    render_values(format, rows, meta)
}

/// Every orchestrator of the window `[from, to)`, ranked (scored first), with the page's meta.
async fn ranking(state: &AppState, params: &Params, (from, to): (i64, i64)) -> Result<(Vec<Value>, Value), ApiError> {
    let pipeline = params.text("pipeline").unwrap_or("live-video-to-video").to_string();

    // Support counts per orchestrator from the SLA rows of the window, of one traffic class
    // (organic unless asked otherwise: a probe's view of the orchestrators sits beside it).
    let mut conditions = vec!["pipeline = $3".to_string()];
    // $1 and $2 are the window's bounds, bound by `orchestrator_sums`.
    let mut values = vec![
        timestamp(from),
        timestamp(to),
        ScalarValue::Utf8(Some(pipeline.clone())),
    ];
    let model = params.text("model").map(str::to_string);
    push_equalities(
        &mut conditions,
        &mut values,
        &[
            ("model_id", model.as_deref()),
            ("region", params.text("region")),
            ("org", params.text("org")),
        ],
    );
    conditions.extend(params.traffic_class_filter(""));
    let values = values.split_off(2);
    let measured =
        rows_json(&sql::leaderboard::orchestrator_sums(&state.engine, &conditions, values, (from, to)).await?)?;

    // Orchestrators that advertised the pipeline's model in the window but served nothing.
    let advertised = sql::leaderboard::advertised_orchestrators(&state.engine, model.as_deref(), (from, to)).await?;

    let mut entries: BTreeMap<String, Value> = BTreeMap::new();
    for address in advertised {
        let entry = json!({"orchestrator_address": address, "status": "no_data", "naap_score": null,
                           "good_rate_low": null, "good_rate_high": null, "sessions": 0, "good_sessions": 0,
                           "requested_sessions": 0, "startup_success_rate": null, "orchestrator_url": null,
                           "mean_startup_latency_ms": null, "mean_output_fps": null});
        entries.insert(address, entry);
    }
    for row in &measured {
        let address = row["orchestrator_address"].as_str().unwrap_or_default().to_string();
        let count = |key: &str| row[key].as_f64().unwrap_or(0.0);
        let (trials, good, requested) = (count("trials"), count("good_sessions"), count("requested_sessions"));
        let interval = wilson(good, trials);
        entries.insert(
            address.clone(),
            json!({
                "orchestrator_address": address,
                "orchestrator_url": row["orchestrator_url"],
                "status": if interval.is_some() { "scored" } else { "no_data" },
                "naap_score": interval.map(|(low, _)| round6(100.0 * low)),
                "good_rate_low": interval.map(|(low, _)| round6(low)),
                "good_rate_high": interval.map(|(_, high)| round6(high)),
                "sessions": trials as u64,
                "good_sessions": good as u64,
                "requested_sessions": requested as u64,
                "startup_success_rate": (requested > 0.0).then(|| round6(count("startup_success_sessions") / requested)),
                "mean_startup_latency_ms": mean(row, "startup_latency_ms_sum", "startup_latency_count", 1),
                "mean_output_fps": mean(row, "output_fps_sum", "status_samples", 3),
            }),
        );
    }
    // Scored first by score, then by evidence; unscored after, by address.
    let mut ranked: Vec<Value> = entries.into_values().collect();
    ranked.sort_by(|a, b| {
        let score = |v: &Value| v["naap_score"].as_f64();
        match (score(a), score(b)) {
            (Some(x), Some(y)) => y
                .total_cmp(&x)
                .then(b["sessions"].as_u64().cmp(&a["sessions"].as_u64())),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| {
            a["orchestrator_address"]
                .as_str()
                .cmp(&b["orchestrator_address"].as_str())
        })
    });
    let mut rank = 0;
    for entry in &mut ranked {
        if entry["naap_score"].is_number() {
            rank += 1;
            entry["rank"] = json!(rank);
        } else {
            entry["rank"] = Value::Null;
        }
    }
    let meta = json!({"pipeline": pipeline, "model": model, "region": params.text("region"),
                      "org": params.text("org"),
                      "traffic_class": params.text("traffic_class").unwrap_or("organic"),
                      "from": rfc3339(from), "to": rfc3339(to), "score": "naap_score"});
    Ok((ranked, meta))
}
