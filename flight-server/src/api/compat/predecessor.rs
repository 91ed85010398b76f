//! The predecessor's routes (`/compat/naap/v1/…`), answering in its conventions: bare JSON,
//! `[]` never `null`, camelCase or snake_case names as it spells each route, lowercase
//! addresses, numbers rather than decimal strings, canonical pipeline ids. Field meanings:
//! docs/compat.md; queries: [`sql::compat`].

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use sql::compat as q;

use super::{bare, div_safe, int, ms_of, num, opt_num, query, round, str_of, text};
use crate::api::params::{Params, predecessor_window};
use crate::api::sla::timestamp as ts;
use crate::error::ApiError;
use crate::http::AppState;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// How recent a stream's last event must be for it to count as active (job feed, active
/// streams).
const ACTIVE_MS: i64 = 2 * 60_000;
/// Discovery's score window (`selection.go`: the last 2 hours).
const DISCOVER_MS: i64 = 2 * HOUR_MS;
const LIVE: &str = "live-video-to-video";

fn answer(value: &Value) -> Response {
    bare(value, crate::cache::CLIENT_CACHE_CONTROL)
}

/// Go's `time.RFC3339` (seconds, `Z`).
fn rfc3339_s(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// ISO 8601 with milliseconds, `…T…:…:….000Z` (discovery's `last_seen`).
fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The predecessor's `computeDeltaFromValues`: % change from `first` to `second`, 0 when
/// `first` is 0.
pub(crate) fn delta_from(first: f64, second: f64) -> f64 {
    if first == 0.0 {
        0.0
    } else {
        (second - first) / first * 100.0
    }
}

/// The predecessor's `computeDelta`: the hours with data split at their midpoint (the
/// second half gets the odd one), % change of the sums.
pub(crate) fn half_delta(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let (first, second) = values.split_at(values.len() / 2);
    delta_from(first.iter().sum(), second.iter().sum())
}

/// The predecessor's `computeSuccessRateDelta`: the second half's success rate minus the
/// first half's, in percentage points (`(sessions, successes)` per hour with data).
pub(crate) fn success_rate_delta(hours: &[(f64, f64)]) -> f64 {
    if hours.len() < 2 {
        return 0.0;
    }
    let (first, second) = hours.split_at(hours.len() / 2);
    let rate = |half: &[(f64, f64)]| {
        let (sessions, successes) = half.iter().fold((0.0, 0.0), |(n, s), (a, b)| (n + a, s + b));
        div_safe(successes, sessions) * 100.0
    };
    rate(second) - rate(first)
}

/// The host of an orchestrator URL (the pricing rows' `orchName`).
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// `GET /compat/naap/v1/dashboard/kpi`.
pub(crate) async fn kpi(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let (from, to, hours) = predecessor_window(&params, state.clock.now_ms());
    let pipeline = params.text("pipeline");
    let model = params.text("model_id");
    let hourly = query(
        &state,
        q::KPI_HOURLY,
        vec![ts(from), ts(to), text(pipeline), text(model)],
    )
    .await?;
    let orchestrators = query(
        &state,
        q::KPI_ORCHESTRATORS,
        vec![ts(from - (to - from)), ts(from), ts(to), text(pipeline), text(model)],
    )
    .await?;
    let fees = query(&state, q::KPI_FEES_HOURLY, vec![ts(from), ts(to), text(pipeline)]).await?;
    let jobs = query(&state, q::JOBS_BY_PIPELINE, vec![ts(from), ts(to)]).await?;

    let series = |field: &str| -> Vec<Value> {
        hourly
            .iter()
            .map(|row| json!({"hour": ms_of(row, "hour").map(rfc3339_s), "value": num(row, field)}))
            .collect()
    };
    let sessions: Vec<f64> = hourly.iter().map(|r| num(r, "sessions")).collect();
    let mins: Vec<f64> = hourly.iter().map(|r| num(r, "mins")).collect();
    let rates: Vec<(f64, f64)> = hourly
        .iter()
        .map(|r| (num(r, "sessions"), num(r, "successes")))
        .collect();
    let total_sessions: f64 = sessions.iter().sum();
    let total_successes: f64 = rates.iter().map(|(_, s)| s).sum();
    let fee_series: Vec<f64> = fees.iter().map(|r| num(r, "fees_eth")).collect();
    let (current, previous) = orchestrators
        .first()
        .map_or((0.0, 0.0), |r| (num(r, "current"), num(r, "previous")));
    let streaming = json!({
        "successRate": {"value": div_safe(total_successes, total_sessions) * 100.0, "delta": success_rate_delta(&rates)},
        "orchestratorsObserved": {"value": current, "delta": delta_from(previous, current)},
        "dailyUsageMins": {"value": mins.iter().sum::<f64>(), "delta": half_delta(&mins)},
        "dailySessionCount": {"value": total_sessions, "delta": half_delta(&sessions)},
        "dailyNetworkFeesEth": {"value": fee_series.iter().sum::<f64>(), "delta": half_delta(&fee_series)},
        "timeframeHours": hours,
        "hourlySessions": series("sessions"),
        "hourlyUsage": series("mins"),
    });
    let family = |name: &str| {
        let rows: Vec<&Value> = jobs.iter().filter(|r| str_of(r, "family") == Some(name)).collect();
        jobs_stats(&rows)
    };
    Ok(answer(&json!({
        "streaming": streaming,
        "requests": {"ai_batch": family("ai_batch"), "byoc": family("byoc")},
    })))
}

/// The predecessor's `JobsStats` over some rows of [`q::JOBS_BY_PIPELINE`]: the average
/// duration counts jobs without one as 0 ms, as the predecessor does.
fn jobs_stats(rows: &[&Value]) -> Value {
    let total: i64 = rows.iter().map(|r| int(r, "total_jobs")).sum();
    let no_orch: i64 = rows.iter().map(|r| int(r, "no_orch_jobs")).sum();
    let successful: i64 = rows.iter().map(|r| int(r, "successful_jobs")).sum();
    let duration: f64 = rows.iter().map(|r| num(r, "duration_ms_sum")).sum();
    json!({
        "total_jobs": total,
        "selected_jobs": total - no_orch,
        "no_orch_jobs": no_orch,
        "success_rate": div_safe(successful as f64, total as f64),
        "avg_duration_ms": div_safe(duration, total as f64),
    })
}

/// `GET /compat/naap/v1/dashboard/pipelines`.
pub(crate) async fn pipelines(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let (from, to, _) = predecessor_window(&params, state.clock.now_ms());
    let limit = params.int("limit", 5) as usize;
    let usage = query(&state, q::LIVE_USAGE, vec![ts(from), ts(to)]).await?;
    let jobs = query(&state, q::JOBS_BY_PIPELINE, vec![ts(from), ts(to)]).await?;

    let mut by_pipeline: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for row in &usage {
        by_pipeline
            .entry(str_of(row, "pipeline").unwrap_or(""))
            .or_default()
            .push(row);
    }
    let fps = |rows: &[&Value]| {
        div_safe(
            rows.iter().map(|r| num(r, "fps_sum")).sum(),
            rows.iter().map(|r| num(r, "fps_samples")).sum(),
        )
    };
    let mut streaming: Vec<Value> = by_pipeline
        .into_iter()
        .map(|(name, rows)| {
            let mut models: Vec<Value> = rows
                .iter()
                .map(|r| {
                    json!({"model": str_of(r, "model_id"), "mins": num(r, "mins"),
                           "sessions": int(r, "sessions"), "avgFps": fps(&[*r])})
                })
                .collect();
            models.sort_by(|a, b| b["sessions"].as_i64().cmp(&a["sessions"].as_i64()));
            json!({
                "name": name,
                "sessions": rows.iter().map(|r| int(r, "sessions")).sum::<i64>(),
                "mins": rows.iter().map(|r| num(r, "mins")).sum::<f64>(),
                "avgFps": fps(&rows),
                "modelMins": models,
            })
        })
        .collect();
    streaming.sort_by(|a, b| b["sessions"].as_i64().cmp(&a["sessions"].as_i64()));
    streaming.truncate(limit);

    let grouped = |family: &str, key: &str| -> Vec<Value> {
        let mut out: Vec<Value> = jobs
            .iter()
            .filter(|r| str_of(r, "family") == Some(family))
            .map(|r| {
                let mut stats = jobs_stats(&[r]);
                stats[key] = json!(str_of(r, "pipeline"));
                stats
            })
            .collect();
        out.sort_by(|a, b| b["total_jobs"].as_i64().cmp(&a["total_jobs"].as_i64()));
        out
    };
    Ok(answer(&json!({
        "streaming": streaming,
        "requests": {"by_pipeline": grouped("ai_batch", "pipeline"), "by_capability": grouped("byoc", "capability")},
    })))
}

/// What the capability reports of the last 24 hours say, per orchestrator.
struct Advertised {
    rows: Vec<Value>,
    gpus: Vec<Value>,
}

impl Advertised {
    async fn read(state: &AppState, now: i64) -> Result<Advertised, ApiError> {
        let window = vec![ts(now - DAY_MS), ts(now)];
        Ok(Advertised {
            rows: query(state, &q::with_canonical_pipeline(q::ADVERTISED), window.clone()).await?,
            gpus: query(state, q::GPUS, window).await?,
        })
    }

    /// Rows of live video (`live == true`) or of the request pipelines.
    fn models(&self, live: bool) -> impl Iterator<Item = &Value> {
        self.rows
            .iter()
            .filter(move |r| (str_of(r, "pipeline") == Some(LIVE)) == live && str_of(r, "pipeline").is_some())
    }

    /// Distinct (address, GPU id) per key of a GPU row.
    fn gpu_slots<K: Ord>(&self, key: impl Fn(&Value) -> Option<K>) -> BTreeMap<K, BTreeSet<(String, String)>> {
        let mut out: BTreeMap<K, BTreeSet<(String, String)>> = BTreeMap::new();
        for row in &self.gpus {
            if let (Some(k), Some(a), Some(g)) = (key(row), str_of(row, "address"), str_of(row, "gpu_id")) {
                out.entry(k).or_default().insert((a.to_string(), g.to_string()));
            }
        }
        out
    }
}

/// `GET /compat/naap/v1/dashboard/orchestrators`.
pub(crate) async fn orchestrators(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let (from, to, _) = predecessor_window(&params, now);
    let identities = query(&state, q::IDENTITIES, vec![ts(now - DAY_MS), ts(now)]).await?;
    let service = query(&state, q::ORCHESTRATOR_SERVICE, vec![ts(from), ts(to)]).await?;
    let advertised = Advertised::read(&state, now).await?;
    let gpus = advertised.gpu_slots(|r| str_of(r, "address").map(str::to_string));

    let mut addresses: BTreeSet<&str> = identities.iter().filter_map(|r| str_of(r, "address")).collect();
    addresses.extend(service.iter().filter_map(|r| str_of(r, "address")));
    let mut rows: Vec<Value> = addresses
        .into_iter()
        .map(|address| {
            let identity = identities.iter().find(|r| str_of(r, "address") == Some(address));
            let served = service.iter().find(|r| str_of(r, "address") == Some(address));
            let mut pipeline_models: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for row in advertised.rows.iter().filter(|r| str_of(r, "address") == Some(address)) {
                if let Some(pipeline) = str_of(row, "pipeline") {
                    let models = pipeline_models.entry(pipeline).or_default();
                    models.extend(str_of(row, "model_id"));
                }
            }
            let known = served.map_or(0, |r| int(r, "known_sessions"));
            let rate = |failed: &str| {
                served
                    .filter(|_| known > 0)
                    .map(|r| 1.0 - num(r, failed) / known as f64)
            };
            let effective = rate("effective_failed");
            json!({
                "address": address,
                "serviceUri": identity.and_then(|r| str_of(r, "url")),
                "knownSessions": known,
                "successSessions": served.map_or(0, |r| int(r, "success_sessions")),
                "successRatio": effective.map(|e| round(100.0 * e, 1)),
                "effectiveSuccessRate": effective,
                "noSwapRatio": rate("swapped"),
                "slaScore": served.and_then(|r| opt_num(r, "sla_score")).map(f64::round),
                "slaWindowStart": served.and_then(|r| ms_of(r, "sla_window_start")).map(rfc3339_s),
                "pipelines": pipeline_models.keys().collect::<Vec<_>>(),
                "pipelineModels": pipeline_models.iter()
                    .map(|(p, m)| json!({"pipelineId": p, "modelIds": m}))
                    .collect::<Vec<_>>(),
                "gpuCount": gpus.get(address).map_or(0, BTreeSet::len),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b["knownSessions"]
            .as_i64()
            .cmp(&a["knownSessions"].as_i64())
            .then_with(|| a["address"].as_str().cmp(&b["address"].as_str()))
    });
    Ok(answer(&Value::Array(rows)))
}

/// `GET /compat/naap/v1/dashboard/gpu-capacity` (fixed 24 h, as the predecessor).
pub(crate) async fn gpu_capacity(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let advertised = Advertised::read(&state, state.clock.now_ms()).await?;
    let all = advertised.gpu_slots(|_| Some(()));
    let total = all.get(&()).map_or(0, BTreeSet::len);
    // Active: what each orchestrator's latest reports say is in use, at most its GPUs.
    let per_orchestrator = advertised.gpu_slots(|r| str_of(r, "address").map(str::to_string));
    let mut in_use: BTreeMap<&str, i64> = BTreeMap::new();
    for row in &advertised.rows {
        if let Some(address) = str_of(row, "address") {
            *in_use.entry(address).or_default() += int(row, "capacity_in_use").max(0);
        }
    }
    let active: usize = in_use
        .iter()
        .map(|(address, n)| (*n as usize).min(per_orchestrator.get(*address).map_or(0, BTreeSet::len)))
        .sum();
    let by_name = advertised.gpu_slots(|r| str_of(r, "gpu_name").map(str::to_string));
    let mut models: Vec<Value> = by_name
        .iter()
        .map(|(name, slots)| json!({"model": name, "count": slots.len()}))
        .collect();
    models.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
    let by_pipeline = advertised.gpu_slots(|r| str_of(r, "pipeline").map(str::to_string));
    let by_model =
        advertised.gpu_slots(|r| Some((str_of(r, "pipeline")?.to_string(), str_of(r, "model_id")?.to_string())));
    let mut pipeline_gpus: Vec<Value> = by_pipeline
        .iter()
        .map(|(pipeline, slots)| {
            let mut models: Vec<Value> = by_model
                .iter()
                .filter(|((p, _), _)| p == pipeline)
                .map(|((_, model), slots)| json!({"model": model, "gpus": slots.len()}))
                .collect();
            models.sort_by(|a, b| b["gpus"].as_u64().cmp(&a["gpus"].as_u64()));
            json!({"name": pipeline, "gpus": slots.len(), "models": models})
        })
        .collect();
    pipeline_gpus.sort_by(|a, b| b["gpus"].as_u64().cmp(&a["gpus"].as_u64()));
    Ok(answer(&json!({
        "totalGPUs": total,
        "activeGPUs": active,
        "availableCapacity": total.saturating_sub(active),
        "models": models,
        "pipelineGPUs": pipeline_gpus,
    })))
}

/// `GET /compat/naap/v1/dashboard/pipeline-catalog`.
pub(crate) async fn pipeline_catalog(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let advertised = Advertised::read(&state, now).await?;
    let regions = query(&state, q::PIPELINE_REGIONS, vec![ts(now - DAY_MS), ts(now)]).await?;
    let mut catalog: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for row in &advertised.gpus {
        if let Some(pipeline) = str_of(row, "pipeline") {
            catalog.entry(pipeline).or_default().0.extend(str_of(row, "model_id"));
        }
    }
    for row in &regions {
        if let Some(entry) = str_of(row, "pipeline").and_then(|p| catalog.get_mut(p)) {
            entry.1.extend(str_of(row, "region"));
        }
    }
    let rows: Vec<Value> = catalog
        .into_iter()
        .map(|(id, (models, regions))| json!({"id": id, "name": id, "models": models, "regions": regions}))
        .collect();
    Ok(answer(&Value::Array(rows)))
}

/// `GET /compat/naap/v1/dashboard/pricing` (and the leaderboard plugin's alias).
pub(crate) async fn pricing(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let rows = query(
        &state,
        &q::with_canonical_pipeline(q::PRICING),
        vec![ts(now - DAY_MS), ts(now)],
    )
    .await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "orchAddress": str_of(r, "address"),
                "orchName": str_of(r, "url").map(host).unwrap_or(""),
                "pipeline": str_of(r, "pipeline"),
                "model": str_of(r, "model"),
                "priceWeiPerUnit": int(r, "price_wei_per_unit"),
                "pixelsPerUnit": int(r, "pixels_per_unit"),
                "isWarm": r["is_warm"].as_bool().unwrap_or(false),
            })
        })
        .collect();
    Ok(answer(&Value::Array(rows)))
}

/// `GET /compat/naap/v1/dashboard/job-feed`.
pub(crate) async fn job_feed(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let limit = params.int("limit", 50) as usize;
    let rows = query(&state, q::JOB_FEED, vec![ts(now - ACTIVE_MS), ts(now)]).await?;
    let rows: Vec<Value> = rows
        .iter()
        .take(limit)
        .map(|r| {
            let first = ms_of(r, "first_seen");
            json!({
                "id": str_of(r, "id"),
                "pipeline": str_of(r, "pipeline"),
                "model": str_of(r, "model"),
                "gateway": str_of(r, "gateway"),
                "orchestratorAddress": str_of(r, "orchestrator_address"),
                "orchestratorUrl": str_of(r, "orchestrator_url"),
                "state": str_of(r, "state"),
                "inputFps": opt_num(r, "input_fps"),
                "outputFps": opt_num(r, "output_fps"),
                "firstSeen": first.map(rfc3339_s),
                "lastSeen": ms_of(r, "last_seen").map(rfc3339_s),
                "durationSeconds": first.map(|f| ((now - f) / 1000).max(0)),
            })
        })
        .collect();
    Ok(answer(&Value::Array(rows)))
}

/// `GET /compat/naap/v1/streaming/models`.
pub(crate) async fn streaming_models(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let advertised = Advertised::read(&state, now).await?;
    let fps = query(&state, q::LIVE_FPS, vec![ts(now - DAY_MS), ts(now)]).await?;
    let active = query(&state, q::ACTIVE_STREAMS, vec![ts(now - ACTIVE_MS), ts(now)]).await?;
    let slots = advertised.gpu_slots(|r| {
        (str_of(r, "pipeline") == Some(LIVE))
            .then(|| str_of(r, "model_id").map(str::to_string))
            .flatten()
    });
    let mut warm: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in advertised.models(true) {
        let entry = warm.entry(str_of(row, "model_id").unwrap_or("")).or_default();
        if row["warm"].as_bool() == Some(true) {
            entry.extend(str_of(row, "address"));
        }
    }
    let rows: Vec<Value> = warm
        .iter()
        .map(|(model, orchestrators)| {
            let gpu_slots = slots.get(*model).map_or(0, BTreeSet::len) as i64;
            let streams = active
                .iter()
                .find(|r| str_of(r, "model_id") == Some(model))
                .map_or(0, |r| int(r, "active_streams"));
            let fps = fps.iter().find(|r| str_of(r, "model_id") == Some(model));
            json!({
                "pipeline": LIVE,
                "model": model,
                "warm_orch_count": orchestrators.len(),
                "gpu_slots": gpu_slots,
                "active_streams": streams,
                "available_capacity": (gpu_slots - streams).max(0),
                "avg_fps": fps.map_or(0.0, |r| round(div_safe(num(r, "fps_sum"), num(r, "fps_samples")), 1)),
            })
        })
        .collect();
    Ok(answer(&Value::Array(rows)))
}

/// Orchestrators of live video (`live`) or of the request pipelines, as
/// `streaming/orchestrators` and `requests/orchestrators` list them.
async fn orchestrator_list(state: &AppState, live: bool) -> Result<Vec<Value>, ApiError> {
    let advertised = Advertised::read(state, state.clock.now_ms()).await?;
    let gpus = advertised.gpu_slots(|r| {
        let pipeline = str_of(r, "pipeline")?;
        ((pipeline == LIVE) == live).then(|| str_of(r, "address").map(str::to_string))?
    });
    let mut by_address: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for row in advertised.models(live) {
        by_address
            .entry(str_of(row, "address").unwrap_or(""))
            .or_default()
            .push(row);
    }
    let mut rows: Vec<Value> = by_address
        .into_iter()
        .map(|(address, rows)| {
            let newest = rows.iter().max_by_key(|r| ms_of(r, "last_seen")).copied();
            let entries: BTreeSet<String> = rows
                .iter()
                .filter_map(|r| {
                    let model = str_of(r, "model_id")?;
                    Some(if live {
                        model.to_string()
                    } else {
                        format!("{}:{model}", str_of(r, "pipeline")?)
                    })
                })
                .collect();
            let mut row = json!({
                "address": address,
                "uri": newest.and_then(|r| str_of(r, "url")),
                "gpu_count": gpus.get(address).map_or(0, BTreeSet::len),
                "last_seen": newest.and_then(|r| ms_of(r, "last_seen")).map(rfc3339_s),
            });
            row[if live { "models" } else { "capabilities" }] = json!(entries);
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        b["gpu_count"]
            .as_u64()
            .cmp(&a["gpu_count"].as_u64())
            .then_with(|| a["address"].as_str().cmp(&b["address"].as_str()))
    });
    Ok(rows)
}

/// `GET /compat/naap/v1/streaming/orchestrators`.
pub(crate) async fn streaming_orchestrators(
    State(state): State<AppState>,
    _params: Params,
) -> Result<Response, ApiError> {
    Ok(answer(&Value::Array(orchestrator_list(&state, true).await?)))
}

/// `GET /compat/naap/v1/requests/orchestrators` (`capabilities` as `pipeline:model`, the
/// predecessor's contract; docs/compat.md says what the web platform makes of it).
pub(crate) async fn requests_orchestrators(
    State(state): State<AppState>,
    _params: Params,
) -> Result<Response, ApiError> {
    Ok(answer(&Value::Array(orchestrator_list(&state, false).await?)))
}

/// `GET /compat/naap/v1/requests/models`.
pub(crate) async fn requests_models(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let advertised = Advertised::read(&state, now).await?;
    let jobs = query(&state, q::JOBS_BY_URL, vec![ts(now - DAY_MS), ts(now)]).await?;
    let slots =
        advertised.gpu_slots(|r| Some((str_of(r, "pipeline")?.to_string(), str_of(r, "model_id")?.to_string())));
    let mut models: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for row in advertised.models(false) {
        if let (Some(p), Some(m)) = (str_of(row, "pipeline"), str_of(row, "model_id")) {
            let entry = models.entry((p.to_string(), m.to_string())).or_default();
            if row["warm"].as_bool() == Some(true) {
                entry.extend(str_of(row, "address"));
            }
        }
    }
    for row in &jobs {
        if let (Some(p), Some(m)) = (str_of(row, "pipeline"), str_of(row, "model_id")) {
            models.entry((p.to_string(), m.to_string())).or_default();
        }
    }
    let rows: Vec<Value> = models
        .iter()
        .map(|((pipeline, model), warm)| {
            let rows: Vec<&Value> = jobs
                .iter()
                .filter(|r| str_of(r, "pipeline") == Some(pipeline) && str_of(r, "model_id") == Some(model))
                .collect();
            let count: i64 = rows.iter().map(|r| int(r, "jobs")).sum();
            let byoc = pipeline == "byoc" || rows.iter().any(|r| str_of(r, "kind") == Some("byoc"));
            json!({
                "pipeline": pipeline,
                "model": model,
                "job_type": if byoc { "byoc" } else { "ai-batch" },
                "warm_orch_count": warm.len(),
                "gpu_slots": slots.get(&(pipeline.clone(), model.clone())).map_or(0, BTreeSet::len),
                "job_count_24h": count,
                "success_rate": div_safe(rows.iter().map(|r| num(r, "successful_jobs")).sum(), count as f64),
                "avg_duration_ms": div_safe(rows.iter().map(|r| num(r, "duration_ms_sum")).sum(), count as f64),
            })
        })
        .collect();
    Ok(answer(&Value::Array(rows)))
}

/// `GET /compat/naap/v1/discover/orchestrators` (and the leaderboard plugin's alias).
pub(crate) async fn discover(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let advertised = Advertised::read(&state, now).await?;
    let recent = vec![ts(now - DISCOVER_MS), ts(now)];
    let live = query(&state, q::DISCOVER_LIVE_SCORES, recent.clone()).await?;
    let jobs = query(&state, q::JOBS_BY_URL, recent).await?;
    let caps = params.texts("caps");

    let mut offers: BTreeMap<(&str, &str), (BTreeSet<String>, i64)> = BTreeMap::new();
    for row in &advertised.rows {
        if let (Some(url), Some(pipeline)) = (str_of(row, "url"), str_of(row, "pipeline")) {
            let entry = offers.entry((url, pipeline)).or_default();
            entry
                .0
                .extend(str_of(row, "model_id").map(|m| format!("{pipeline}/{m}")));
            entry.1 = entry.1.max(ms_of(row, "last_seen").unwrap_or(0));
        }
    }
    let mut rows: Vec<Value> = offers
        .into_iter()
        .filter(|((_, pipeline), (capabilities, _))| {
            caps.is_empty() || caps.iter().any(|c| c == pipeline || capabilities.contains(*c))
        })
        .map(|((url, pipeline), (capabilities, last_seen))| {
            let score = if pipeline == LIVE {
                live.iter()
                    .find(|r| str_of(r, "url") == Some(url) && str_of(r, "pipeline") == Some(pipeline))
                    .and_then(|r| opt_num(r, "score"))
                    .map(|s| s / 100.0)
            } else {
                let rows: Vec<&Value> = jobs
                    .iter()
                    .filter(|r| str_of(r, "url") == Some(url) && str_of(r, "pipeline") == Some(pipeline))
                    .collect();
                let count: f64 = rows.iter().map(|r| num(r, "jobs")).sum();
                (count > 0.0).then(|| rows.iter().map(|r| num(r, "successful_jobs")).sum::<f64>() / count)
            };
            json!({
                "address": url,
                "score": round(score.unwrap_or(0.0), 3),
                "capabilities": capabilities,
                "last_seen_ms": last_seen,
                "last_seen": rfc3339_ms(last_seen),
                "recent_work": score.is_some(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        let caps = |v: &Value| v["capabilities"].as_array().map_or(0, Vec::len);
        b["score"]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&a["score"].as_f64().unwrap_or(0.0))
            .then_with(|| caps(b).cmp(&caps(a)))
            .then_with(|| a["address"].as_str().cmp(&b["address"].as_str()))
    });
    Ok(answer(&Value::Array(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_the_predecessors() {
        // computeDelta: [1, 2 | 3, 4] → (7 − 3) / 3 · 100.
        assert!((half_delta(&[1.0, 2.0, 3.0, 4.0]) - 400.0 / 3.0).abs() < 1e-9);
        // An odd count: the second half gets the middle hour.
        assert!((half_delta(&[2.0, 1.0, 1.0]) - 0.0).abs() < 1e-9);
        assert_eq!(half_delta(&[5.0]), 0.0);
        assert_eq!(half_delta(&[0.0, 5.0]), 0.0);
        // Success rate: 50 % then 100 %: +50 points.
        assert!((success_rate_delta(&[(2.0, 1.0), (4.0, 4.0)]) - 50.0).abs() < 1e-9);
        assert_eq!(delta_from(4.0, 5.0), 25.0);
    }

    #[test]
    fn the_host_of_a_url() {
        assert_eq!(host("https://orch.example.com:8935"), "orch.example.com");
        assert_eq!(host("https://orch.example.com/path"), "orch.example.com");
        assert_eq!(host("orch.example.com:1"), "orch.example.com");
        assert_eq!(host("https://[::1]:8935"), "[::1]");
    }
}
