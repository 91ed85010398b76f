//! Row endpoints over one gold dataset each: a time range on `window_start`, equality
//! filters on a few columns, rows in key order, cursor pages, every row format.
//! `/v1/supply/gpus`, `/v1/prices`, `/v1/demand`, `/v1/economics`, `/v1/jobs`, `/v1/quality`,
//! `/v1/collectors`, `/v1/nodes/metrics`.

use arrow::record_batch::RecordBatch;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use datafusion::scalar::ScalarValue;
use lakehouse_layout::Dataset;
use serde_json::json;

use crate::api::format::{first_rows, negotiate, render};
use crate::api::params::{Params, encode_cursor};
use crate::api::rfc3339;
use crate::api::sla::timestamp;
use crate::error::ApiError;
use crate::http::{AppState, now_ms};

/// One table endpoint: its path, dataset and filters (parameter → column).
#[derive(Debug)]
pub(crate) struct TableEndpoint {
    pub(crate) path: &'static str,
    pub(crate) dataset: Dataset,
    pub(crate) filters: &'static [(&'static str, &'static str)],
    /// Whether rows have a traffic class: organic unless `traffic_class` says otherwise.
    pub(crate) classed: bool,
}

/// Every table endpoint (their parameters are described in [`crate::api::ENDPOINTS`]).
pub(crate) const TABLES: [TableEndpoint; 10] = [
    TableEndpoint {
        path: "/v1/supply/gpus",
        dataset: Dataset::GpuInventory,
        filters: &[
            ("orchestrator", "orchestrator_address"),
            ("pipeline", "pipeline"),
            ("model", "model_id"),
            ("gpu", "gpu_name"),
        ],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/prices",
        dataset: Dataset::Prices,
        filters: &[("orchestrator", "orchestrator_address"), ("model", "constraint")],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/demand",
        dataset: Dataset::DemandHourly,
        filters: &[
            ("gateway", "gateway"),
            ("region", "region"),
            ("pipeline", "pipeline"),
            ("model", "model_id"),
            ("org", "org"),
        ],
        classed: true,
    },
    TableEndpoint {
        path: "/v1/economics",
        dataset: Dataset::PaymentsHourly,
        filters: &[
            ("gateway", "gateway"),
            ("orchestrator", "orchestrator_address"),
            ("pipeline", "pipeline"),
            ("org", "org"),
        ],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/jobs",
        dataset: Dataset::Jobs,
        filters: &[
            ("kind", "kind"),
            ("orchestrator", "orchestrator_address"),
            ("pipeline", "pipeline"),
            ("model", "model_id"),
            ("gateway", "gateway"),
            ("region", "region"),
            ("org", "org"),
        ],
        classed: true,
    },
    TableEndpoint {
        path: "/v1/quality",
        dataset: Dataset::DataQualityHourly,
        filters: &[("family", "family"), ("source_kind", "source_kind"), ("org", "org")],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/quality/health",
        dataset: Dataset::DataHealthStates,
        filters: &[
            ("family", "family"),
            ("source_kind", "source_kind"),
            ("org", "org"),
            ("rule", "rule"),
            ("state", "state"),
        ],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/health",
        dataset: Dataset::HealthStates,
        filters: &[
            ("orchestrator", "orchestrator_address"),
            ("pipeline", "pipeline"),
            ("model", "model_id"),
            ("rule", "rule"),
            ("state", "state"),
        ],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/collectors",
        dataset: Dataset::CollectorHealthHourly,
        filters: &[("target", "target"), ("endpoint", "endpoint")],
        classed: false,
    },
    TableEndpoint {
        path: "/v1/nodes/metrics",
        dataset: Dataset::NodeMetricsHourly,
        filters: &[
            ("target", "target"),
            ("node", "node_id"),
            ("metric", "metric"),
            ("pipeline", "pipeline"),
            ("model", "model_name"),
        ],
        classed: false,
    },
];

/// The route serving the table endpoint at `path` (the route table names it).
pub(crate) fn route(path: &'static str) -> MethodRouter<AppState> {
    match TABLES.iter().find(|t| t.path == path) {
        Some(table) => {
            get(move |state: State<AppState>, headers: HeaderMap, params: Params| rows(table, state, headers, params))
        }
        None => unreachable!("the route table names {path}, which is not a table endpoint"),
    }
}

async fn rows(
    table: &'static TableEndpoint,
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let format = negotiate(&params, &headers);
    let (from, to) = params.window(now_ms())?;
    let limit = params.int("limit", 100) as u64;
    let offset = params.cursor_offset();
    let mut filters = vec!["window_start >= $1".to_string(), "window_start < $2".to_string()];
    let mut values = vec![timestamp(from), timestamp(to)];
    for (param, column) in table.filters {
        let value = if *param == "orchestrator" {
            params.address(param)
        } else {
            params.text(param).map(String::from)
        };
        if let Some(value) = value {
            values.push(ScalarValue::Utf8(Some(value)));
            filters.push(format!("\"{column}\" = ${}", values.len()));
        }
    }
    if table.classed {
        filters.extend(params.traffic_class_filter(""));
    }
    // The file's columns (not the partition columns), in order, also the sort key.
    let columns: Vec<String> = crate::http::served_schema(&state, table.dataset)
        .fields()
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect();
    let sql = format!(
        "SELECT {cols} FROM \"{name}\" WHERE {filters} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        cols = columns.join(", "),
        name = table.dataset.name(),
        filters = filters.join(" AND "),
        order = columns
            .iter()
            .map(|c| format!("{c} NULLS FIRST"))
            .collect::<Vec<_>>()
            .join(", "),
        limit = limit + 1,
    );
    let (schema, batches) = state.engine.query_table(&sql, values).await?;
    let more = batches.iter().map(RecordBatch::num_rows).sum::<usize>() as u64 > limit;
    let meta = json!({"dataset": table.dataset.name(), "from": rfc3339(from), "to": rfc3339(to),
                      "next_cursor": more.then(|| encode_cursor(offset + limit))});
    render(format, first_rows(&schema, &batches, limit as usize)?, meta)
}
