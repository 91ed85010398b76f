//! `GET /v1/sla`: rows of `sla_hourly`, filtered, by hour or rolled up by day; organic
//! traffic unless `traffic_class` says otherwise.

use arrow::array::Int64Array;
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use datafusion::scalar::ScalarValue;
use serde_json::json;

use crate::api::format::{first_rows, negotiate, render};
use crate::api::params::{DAY_MS, HOUR_MS, Params, encode_cursor, push_equalities};
use crate::cache::ReadSpan;
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

const DIMENSIONS: &str =
    "orchestrator_address, orchestrator_url, pipeline, model_id, gpu_name, gateway, region, org, traffic_class";

/// Hourly rows as stored.
const HOURLY_COLUMNS: &str = "requested_sessions, startup_success_sessions, startup_excused_sessions, \
    startup_failed_sessions, swapped_sessions, loading_only_sessions, zero_fps_sessions, good_sessions, \
    naap_score_sessions, status_samples, session_minutes, startup_success_rate, no_swap_rate, \
    output_viability_rate, effective_success_rate, sla_score_v1, explorer_ai_score, naap_score, \
    good_rate_low, good_rate_high";

/// Day rows: counts summed; rates and naap_score recomputed from the sums (exact); the v1 and
/// Explorer scores, which depend on per-hour cohorts, averaged weighted by requested sessions.
const DAILY_COLUMNS: &str = "sum(requested_sessions) AS requested_sessions, \
    sum(startup_success_sessions) AS startup_success_sessions, \
    sum(startup_excused_sessions) AS startup_excused_sessions, \
    sum(startup_failed_sessions) AS startup_failed_sessions, \
    sum(swapped_sessions) AS swapped_sessions, \
    sum(loading_only_sessions) AS loading_only_sessions, \
    sum(zero_fps_sessions) AS zero_fps_sessions, \
    sum(good_sessions) AS good_sessions, \
    sum(naap_score_sessions) AS naap_score_sessions, \
    sum(status_samples) AS status_samples, \
    round(sum(session_minutes), 6) AS session_minutes, \
    round(CAST(sum(startup_success_sessions) AS DOUBLE) / nullif(sum(requested_sessions), 0), 6) AS startup_success_rate, \
    round(1.0 - CAST(sum(swapped_sessions) AS DOUBLE) / nullif(sum(requested_sessions), 0), 6) AS no_swap_rate, \
    round(1.0 - CAST(sum(output_failed_sessions) AS DOUBLE) / nullif(sum(requested_sessions), 0), 6) AS output_viability_rate, \
    round(1.0 - CAST(sum(effective_failed_sessions) AS DOUBLE) / nullif(sum(requested_sessions), 0), 6) AS effective_success_rate, \
    round(sum(sla_score_v1 * requested_sessions) / nullif(sum(requested_sessions) FILTER (WHERE sla_score_v1 IS NOT NULL), 0), 6) AS sla_score_v1, \
    round(sum(explorer_ai_score * requested_sessions) / nullif(sum(requested_sessions) FILTER (WHERE explorer_ai_score IS NOT NULL), 0), 6) AS explorer_ai_score, \
    round(100.0 * wilson_low(sum(good_sessions), sum(naap_score_sessions)), 6) AS naap_score, \
    round(wilson_low(sum(good_sessions), sum(naap_score_sessions)), 6) AS good_rate_low, \
    round(wilson_high(sum(good_sessions), sum(naap_score_sessions)), 6) AS good_rate_high";

pub(crate) async fn get_sla(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let (from, to) = params.window(now_ms())?;
    let daily = params.text("granularity") == Some("day");
    let limit = params.int("limit", 100) as u64;
    let offset = params.cursor_offset();

    let mut filters = vec!["window_start >= $1".to_string(), "window_start < $2".to_string()];
    let mut values = vec![timestamp(from), timestamp(to)];
    let orchestrator = params.address("orchestrator");
    push_equalities(
        &mut filters,
        &mut values,
        &[
            ("orchestrator_address", orchestrator.as_deref()),
            ("pipeline", params.text("pipeline")),
            ("model_id", params.text("model")),
            ("gateway", params.text("gateway")),
            ("region", params.text("region")),
            ("gpu_name", params.text("gpu")),
            ("org", params.text("org")),
        ],
    );
    filters.extend(params.traffic_class_filter(""));
    let order = format!(
        "window_start, {}",
        DIMENSIONS.replace(", ", " NULLS FIRST, ") + " NULLS FIRST"
    );
    // One row more than asked for tells whether another page follows.
    let sql = if daily {
        format!(
            "SELECT date_trunc('day', window_start) AS window_start, {DIMENSIONS}, {} FROM sla_hourly WHERE {} \
             GROUP BY 1, {DIMENSIONS} ORDER BY {order} LIMIT {} OFFSET {offset}",
            rolled_up_columns(),
            filters.join(" AND "),
            limit + 1
        )
    } else {
        format!(
            "SELECT window_start, {DIMENSIONS}, {HOURLY_COLUMNS} FROM sla_hourly WHERE {} ORDER BY {order} LIMIT {} OFFSET {offset}",
            filters.join(" AND "),
            limit + 1
        )
    };
    let (schema, batches) = state.engine.query_table(&sql, values).await?;
    let more = batches.iter().map(RecordBatch::num_rows).sum::<usize>() as u64 > limit;
    let next = more.then(|| encode_cursor(offset + limit));
    let meta = json!({"granularity": if daily { "day" } else { "hour" }, "next_cursor": next,
                      "traffic_class": params.text("traffic_class").unwrap_or("organic")});
    let mut response = render(format, first_rows(&schema, &batches, limit as usize)?, meta)?;
    // Rows come in time order: a full page (another row follows it) cannot change with the
    // rows of later windows than its last, so changes to those (the live hour, while rollups
    // follow) leave the cached page current.
    if more && let Some(last) = last_window_start(&batches)? {
        let length = if daily { DAY_MS } else { HOUR_MS };
        response
            .extensions_mut()
            .insert(ReadSpan(from, to.min(last.saturating_add(length))));
    }
    Ok(response)
}

/// The latest `window_start` of `batches` (epoch ms), if any row has one.
fn last_window_start(batches: &[RecordBatch]) -> Result<Option<i64>, ApiError> {
    let mut last = None;
    for batch in batches {
        let Some(column) = batch.column_by_name("window_start") else {
            continue;
        };
        let ms = arrow::compute::cast(column, &DataType::Timestamp(TimeUnit::Millisecond, None))
            .and_then(|c| arrow::compute::cast(&c, &DataType::Int64))
            .map_err(|e| ApiError::Query(sql::Error::Execution(e.to_string())))?;
        let ms = ms.as_any().downcast_ref::<Int64Array>().expect("cast to Int64");
        last = last.max(arrow::compute::max(ms));
    }
    Ok(last)
}

/// Support counts summed over rows, with rates and scores recomputed from the sums.
pub(crate) fn rolled_up_columns() -> String {
    wilson_sql(DAILY_COLUMNS)
}

/// Expands `wilson_low(s, n)` / `wilson_high(s, n)` into the Wilson 95 % bounds (the rollup's
/// formula), NULL when n = 0.
fn wilson_sql(columns: &str) -> String {
    let bound = |sign: &str, s: &str, n: &str| {
        format!(
            "(CASE WHEN {n} > 0 THEN ((CAST({s} AS DOUBLE) / {n}) + 1.9208 / {n} {sign} 1.96 * sqrt((CAST({s} AS DOUBLE) / {n}) \
             * (1.0 - CAST({s} AS DOUBLE) / {n}) / {n} + 0.9604 / ({n} * {n}))) / (1.0 + 3.8416 / {n}) END)"
        )
    };
    let s = "sum(good_sessions)";
    let n = "sum(naap_score_sessions)";
    columns
        .replace(&format!("wilson_low({s}, {n})"), &bound("-", s, n))
        .replace(&format!("wilson_high({s}, {n})"), &bound("+", s, n))
}

pub(crate) fn timestamp(ms: i64) -> ScalarValue {
    ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into()))
}

/// Rows as JSON objects (arrow-json: timestamps RFC 3339, NULLs kept as null).
pub(crate) fn rows_json(batches: &[RecordBatch]) -> Result<Vec<serde_json::Value>, ApiError> {
    let mut writer = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow::json::writer::JsonArray>(Vec::new());
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    writer
        .write_batches(&refs)
        .and_then(|()| writer.finish())
        .map_err(|e| ApiError::Query(sql::Error::Execution(e.to_string())))?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::Query(sql::Error::Execution(e.to_string())))
}
