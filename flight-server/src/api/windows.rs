//! `GET /v1/windows`: rolling windows (the last 30 minutes, 1, 7 and 30 days) per
//! orchestrator, region and the network, with exact percentiles and their sample counts. The
//! meaning of every figure lives in `sql::windows`; this handler binds the evaluation time and
//! the filters.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use crate::api::format::{negotiate, render_values};
use crate::api::params::{Params, push_equalities};
use crate::api::rfc3339;
use crate::api::sla::rows_json;
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

pub(crate) async fn get_windows(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let at = params.ms("at").unwrap_or_else(now_ms);
    let mut values = sql::windows::parameters(at, params.traffic_class());
    let mut filters = Vec::new();
    let orchestrator = params.address("orchestrator");
    push_equalities(
        &mut filters,
        &mut values,
        &[
            ("\"window\"", params.text("window")),
            ("scope", params.text("scope")),
            ("lower(orchestrator_address)", orchestrator.as_deref()),
            ("pipeline", params.text("pipeline")),
            ("model_id", params.text("model")),
            ("region", params.text("region")),
        ],
    );
    let sql = sql::windows::query(&filters);
    let rows = rows_json(&state.engine.query_with_params(&sql, values).await?)?;
    let meta = json!({
        "at": rfc3339(at),
        "windows": sql::windows::WINDOWS,
        "traffic_class": params.text("traffic_class").unwrap_or("organic"),
    });
    render_values(format, rows, meta)
}
