//! leaderboard-serverless's routes (`/compat/leaderboard/api/…`), read by the Explorer and by
//! go-livepeer gateways started with `-orchPerfStatsUrl`: its parameter rules, its
//! `{"error": …}` bodies, its 0–1 scales and its score formula
//! ([`sql::compat::leaderboard_ai_score`]), computed from naap's sessions and jobs.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use sql::compat as q;

use super::{bare, num, opt_num, query, str_of, text};
use crate::api::leaderboard::wilson;
use crate::api::params::Params;
use crate::api::sla::timestamp as ts;
use crate::error::ApiError;
use crate::http::AppState;

const DAY_MS: i64 = 24 * 3_600_000;
/// How far back `regions` looks for the regions naap has measured from.
const REGIONS_MS: i64 = 30 * DAY_MS;
/// leaderboard-serverless's `middleware.go`.
const CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=15";

fn answer(value: &Value) -> Response {
    bare(value, CACHE_CONTROL)
}

/// `since` and `until` in ms: `until` defaults to now, `since` to 24 hours before it.
fn window(params: &Params, now_ms: i64) -> (i64, i64) {
    let until = params.ms("until").unwrap_or(now_ms);
    (params.ms("since").unwrap_or(until - DAY_MS), until)
}

/// One (orchestrator, region, pipeline, model) of the window with its leaderboard figures.
#[derive(Debug, Clone)]
struct Stats {
    address: String,
    region: String,
    pipeline: String,
    model: String,
    success_rate: f64,
    rtt_ms: Option<f64>,
    round_trip_score: f64,
    score: f64,
    /// naap_score / 100: the Wilson lower bound of the good-session (or successful-job)
    /// rate; `None` without a scored session.
    naap_score: Option<f64>,
}

/// Every (orchestrator, region, pipeline, model) of `[from, to)`, live sessions and batch /
/// LLM jobs, optionally of one pipeline and model, scored against that pipeline and model's
/// median round trip across all orchestrators and regions.
async fn stats(
    state: &AppState,
    from: i64,
    to: i64,
    pipeline: Option<&str>,
    model: Option<&str>,
) -> Result<Vec<Stats>, ApiError> {
    let params = || vec![ts(from), ts(to), text(pipeline), text(model)];
    let mut rows = query(state, q::LEADERBOARD_LIVE, params()).await?;
    rows.extend(query(state, q::LEADERBOARD_JOBS, params()).await?);
    let medians = query(state, q::LEADERBOARD_MEDIANS, params()).await?;
    let median = |pipeline: &str, model: &str| {
        medians
            .iter()
            .find(|m| str_of(m, "pipeline") == Some(pipeline) && str_of(m, "model") == Some(model))
            .and_then(|m| opt_num(m, "median_ms"))
    };
    Ok(rows
        .iter()
        .filter_map(|row| {
            let (address, region) = (str_of(row, "address")?, str_of(row, "region")?);
            let (pipeline, model) = (str_of(row, "pipeline")?, str_of(row, "model")?);
            let tests = num(row, "tests");
            if tests <= 0.0 {
                return None;
            }
            let success_rate = num(row, "successes") / tests;
            let rtt_ms = opt_num(row, "rtt_ms");
            let (round_trip_score, score) = q::leaderboard_ai_score(success_rate, rtt_ms, median(pipeline, model));
            Some(Stats {
                address: address.to_string(),
                region: region.to_string(),
                pipeline: pipeline.to_string(),
                model: model.to_string(),
                success_rate,
                rtt_ms,
                round_trip_score,
                score,
                naap_score: wilson(num(row, "good"), num(row, "trials")).map(|(low, _)| low),
            })
        })
        .collect())
}

/// leaderboard-serverless's rule: `pipeline` and `model` together or neither.
fn pipeline_and_model(params: &Params) -> Result<Option<(&str, &str)>, ApiError> {
    match (params.text("pipeline"), params.text("model")) {
        (Some(pipeline), Some(model)) => Ok(Some((pipeline, model))),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ApiError::Leaderboard("pipeline required".into())),
        (Some(_), None) => Err(ApiError::Leaderboard("model required".into())),
    }
}

/// `GET /compat/leaderboard/api/aggregated_stats`.
pub(crate) async fn aggregated_stats(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    aggregated(&state, &params)
        .await
        .map_err(ApiError::in_leaderboard_shape)
}

async fn aggregated(state: &AppState, params: &Params) -> Result<Response, ApiError> {
    let Some((pipeline, model)) = pipeline_and_model(params)? else {
        // Without pipeline and model the leaderboard answers transcoding tests; naap has none.
        return Ok(answer(&json!({})));
    };
    let (from, to) = window(params, state.clock.now_ms());
    let naap = params.text("score") == Some("naap");
    let orchestrator = params.text("orchestrator");
    let region = params.text("region");
    let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    // The median is over every orchestrator and region, whatever the filters (as upstream).
    for s in stats(state, from, to, Some(pipeline), Some(model)).await? {
        if orchestrator.is_some_and(|o| o != s.address) || region.is_some_and(|r| r != s.region) {
            continue;
        }
        let score = if naap { s.naap_score } else { Some(s.score) };
        // A region without a score is left out; an orchestrator without regions is never
        // emitted (the Explorer's average of an empty map fails its whole page).
        if let Some(score) = score {
            out.entry(s.address).or_default().insert(
                s.region,
                json!({"success_rate": s.success_rate, "round_trip_score": s.round_trip_score, "score": score}),
            );
        }
    }
    Ok(answer(&json!(out)))
}

/// `GET /compat/leaderboard/api/top_ai_score`.
pub(crate) async fn top_ai_score(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    top(&state, &params).await.map_err(ApiError::in_leaderboard_shape)
}

async fn top(state: &AppState, params: &Params) -> Result<Response, ApiError> {
    let Some(orchestrator) = params.text("orchestrator") else {
        return Ok(answer(&json!({})));
    };
    let (from, to) = window(params, state.clock.now_ms());
    let best = stats(state, from, to, None, None)
        .await?
        .into_iter()
        .filter(|s| s.address == orchestrator)
        .min_by(|a, b| {
            b.success_rate
                .total_cmp(&a.success_rate)
                .then_with(|| {
                    a.rtt_ms
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.rtt_ms.unwrap_or(f64::INFINITY))
                })
                .then_with(|| (&a.region, &a.pipeline, &a.model).cmp(&(&b.region, &b.pipeline, &b.model)))
        });
    Ok(answer(&match best {
        Some(s) => json!({"region": s.region, "orchestrator": s.address, "value": s.score,
                          "model": s.model, "pipeline": s.pipeline}),
        None => json!({}),
    }))
}

/// `GET /compat/leaderboard/api/pipelines`.
pub(crate) async fn pipelines(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let (from, to) = window(&params, state.clock.now_ms());
    let region = params.text("region");
    let result = query(&state, q::PIPELINE_REGIONS, vec![ts(from), ts(to)]).await;
    let rows = result.map_err(ApiError::in_leaderboard_shape)?;
    let mut pipelines: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<String>)> = BTreeMap::new();
    for row in &rows {
        let (Some(pipeline), Some(row_region)) = (str_of(row, "pipeline"), str_of(row, "region")) else {
            continue;
        };
        let row_region = row_region.to_ascii_uppercase();
        if region.is_some_and(|r| r != row_region) {
            continue;
        }
        let entry = pipelines.entry(pipeline).or_default();
        entry.0.extend(str_of(row, "model_id"));
        entry.1.insert(row_region);
    }
    let list: Vec<Value> = pipelines
        .into_iter()
        .map(|(id, (models, regions))| json!({"id": id, "models": models, "regions": regions}))
        .collect();
    Ok(answer(&json!({ "pipelines": list })))
}

/// `GET /compat/leaderboard/api/regions`.
pub(crate) async fn regions(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let rows = query(&state, q::REGIONS, vec![ts(now - REGIONS_MS), ts(now)])
        .await
        .map_err(ApiError::in_leaderboard_shape)?;
    let mut regions = vec![json!({"id": "GLOBAL", "name": q::region_name("GLOBAL"), "type": "ai"})];
    regions.extend(
        rows.iter()
            .filter_map(|r| str_of(r, "region"))
            .filter(|code| *code != "GLOBAL")
            .map(|code| json!({"id": code, "name": q::region_name(code), "type": "ai"})),
    );
    Ok(answer(&json!({ "regions": regions })))
}
