//! The `/v1` API for dashboards and gateways: endpoints described once ([`ENDPOINTS`]),
//! from which both the strict parameter validation and the OpenAPI document are derived, so
//! the two cannot drift apart.

pub(crate) mod datasets;
pub(crate) mod format;
pub(crate) mod kpis;
pub(crate) mod leaderboard;
pub(crate) mod openapi;
pub(crate) mod orchestrators;
pub(crate) mod params;
pub(crate) mod sla;
pub(crate) mod snapshots;
pub(crate) mod tables;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What a parameter accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// RFC 3339 instant.
    Time,
    /// One of the listed values.
    Enum(&'static [&'static str]),
    /// `0x` + 40 hex digits, any case.
    Address,
    /// Free text, at most 200 characters.
    Text,
    /// An integer in `[min, max]`.
    Int { min: i64, max: i64 },
    /// An opaque cursor from a previous page's `meta.next_cursor`.
    Cursor,
}

/// One query parameter of an endpoint.
#[derive(Debug)]
pub(crate) struct ParamDoc {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) description: &'static str,
}

/// One endpoint.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) params: &'static [ParamDoc],
}

const fn param(name: &'static str, kind: Kind, description: &'static str) -> ParamDoc {
    ParamDoc {
        name,
        kind,
        description,
    }
}

const FROM: ParamDoc = param(
    "from",
    Kind::Time,
    "Start of the time range, inclusive (RFC 3339). Default: 24 hours before `to`.",
);
const TO: ParamDoc = param(
    "to",
    Kind::Time,
    "End of the time range, exclusive (RFC 3339). Default: now.",
);
const LIMIT: ParamDoc = param(
    "limit",
    Kind::Int { min: 1, max: 10_000 },
    "Rows per page (default 100).",
);
const CURSOR: ParamDoc = param(
    "cursor",
    Kind::Cursor,
    "Continue after the previous page (its `meta.next_cursor`).",
);
const ORCHESTRATOR: ParamDoc = param(
    "orchestrator",
    Kind::Address,
    "On-chain address of the orchestrator (any case).",
);
const PIPELINE: ParamDoc = param("pipeline", Kind::Text, "Pipeline, e.g. `live-video-to-video`.");
const MODEL: ParamDoc = param("model", Kind::Text, "Model id, e.g. `streamdiffusion-sdxl`.");
const GATEWAY: ParamDoc = param("gateway", Kind::Text, "Gateway (the envelope's `gateway`).");
const REGION: ParamDoc = param("region", Kind::Text, "Region of the gateway that carried the sessions.");
const GPU: ParamDoc = param("gpu", Kind::Text, "GPU model name, e.g. `NVIDIA GeForce RTX 4090`.");
const GRANULARITY: ParamDoc = param(
    "granularity",
    Kind::Enum(&["hour", "day"]),
    "Row granularity (default hour).",
);
const ROW_FORMAT: ParamDoc = param(
    "format",
    Kind::Enum(format::ROW_FORMATS),
    "Response format: json (default), csv, arrow (IPC stream) or parquet; also negotiated by `Accept`.",
);
const KIND: ParamDoc = param("kind", Kind::Enum(&["ai_batch", "llm", "byoc"]), "Job kind.");
const FAMILY: ParamDoc = param("family", Kind::Text, "Event family, e.g. `ai_stream_status`.");
const SOURCE_KIND: ParamDoc = param(
    "source_kind",
    Kind::Text,
    "Kind of ingest source, e.g. `kafka`, `file`, `http`.",
);
const TARGET: ParamDoc = param(
    "target",
    Kind::Text,
    "Collector target name, e.g. `gw1.example.com-7935-capabilities`.",
);
const ENDPOINT: ParamDoc = param(
    "endpoint",
    Kind::Text,
    "Polled endpoint: `network_capabilities`, `orchestrator_registry` or `metrics`.",
);
const NODE: ParamDoc = param("node", Kind::Text, "Node id (the `node_id` label of the series).");
const METRIC: ParamDoc = param(
    "metric",
    Kind::Text,
    "Prometheus metric name, e.g. `livepeer_ai_models_requested`.",
);

/// Every `/v1` endpoint with parameters.
pub(crate) const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        path: "/v1/sla",
        summary: "Service level per hour or day × orchestrator × pipeline × model × GPU × gateway × region: \
                  support counts, rates and the three scores (sla_score_v1, explorer_ai_score, naap_score). \
                  Day rows are exact roll-ups of the hourly support counts.",
        params: &[
            ORCHESTRATOR,
            PIPELINE,
            MODEL,
            GATEWAY,
            REGION,
            GPU,
            FROM,
            TO,
            GRANULARITY,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
    },
    Endpoint {
        path: "/v1/orchestrators",
        summary: "Orchestrators seen in capability reports over a window, by on-chain address: signing keys, \
                  URLs, version, GPUs, pipelines, models, last seen, sessions and naap_score (null with \
                  `status: \"no_data\"` when it served none).",
        params: &[FROM, TO, LIMIT, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/orchestrators/{address}",
        summary: "One orchestrator's identity and service over a window (404 when not seen).",
        params: &[FROM, TO, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/orchestrators/{address}/history",
        summary: "One orchestrator's time series: support counts, rates and scores per hour or day \
                  (exact roll-up of its SLA rows across gateways, regions and GPUs).",
        params: &[PIPELINE, MODEL, FROM, TO, GRANULARITY, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/advice",
        summary: "The best orchestrators for a pipeline/model (and region) by naap_score, with the interval \
                  and the evidence behind each (sessions, good sessions, mean startup latency, mean output FPS). \
                  Orchestrators without data are never advised.",
        params: &[PIPELINE, MODEL, REGION, FROM, TO, LIMIT, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/supply/gpus",
        summary: "GPU inventory per hour: orchestrator, pipeline, model, GPU model and memory, physical GPUs, \
                  warm models, capacity and capacity in use (gold `gpu_inventory`).",
        params: &[ORCHESTRATOR, PIPELINE, MODEL, GPU, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/prices",
        summary: "Advertised prices per hour, orchestrator and capability/model, in wei per unit (gold `prices`).",
        params: &[ORCHESTRATOR, MODEL, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/demand",
        summary: "Demand per hour, gateway, region, pipeline and model: sessions requested, served and \
                  unserved, live minutes, jobs, tokens (gold `demand_hourly`).",
        params: &[GATEWAY, REGION, PIPELINE, MODEL, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/economics",
        summary: "Payments per hour, gateway, sender and orchestrator: tickets, face value and expected value \
                  in exact wei, fees per live minute (gold `payments_hourly`).",
        params: &[GATEWAY, ORCHESTRATOR, PIPELINE, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/jobs",
        summary: "AI batch, LLM and BYOC jobs, one row each, with outcome, error class, latency and tokens \
                  (gold `jobs`).",
        params: &[
            KIND,
            ORCHESTRATOR,
            PIPELINE,
            MODEL,
            GATEWAY,
            REGION,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
    },
    Endpoint {
        path: "/v1/quality",
        summary: "Data quality per hour, source and family: events, duplicates, dead letters by reason, \
                  accepted share, ingest lag, completeness against the expected cadence (gold `data_quality_hourly`).",
        params: &[FAMILY, SOURCE_KIND, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/collectors",
        summary: "Health of each `naap collect` target per hour: polls by outcome (ok, timeout, connect and \
                  HTTP errors, invalid answers), success rate, latency, items collected, last success and last \
                  error (gold `collector_health_hourly`). A failing target shows here, never silently.",
        params: &[TARGET, ENDPOINT, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/nodes/metrics",
        summary: "AI and payment Prometheus metrics of scraped go-livepeer nodes per hour and series: counter \
                  increase with resets handled, gauge last/min/max (gold `node_metrics_hourly`).",
        params: &[
            TARGET, NODE, METRIC, PIPELINE, MODEL, FROM, TO, LIMIT, CURSOR, ROW_FORMAT,
        ],
    },
    Endpoint {
        path: "/v1/network/kpis",
        summary: "Headline numbers over a window (active streams, sessions, minutes, startup success, \
                  orchestrators serving and advertising, GPUs, jobs, fees as expected value in wei), each with the \
                  previous window of equal length and the relative change.",
        params: &[FROM, TO, ROW_FORMAT],
    },
    Endpoint {
        path: "/v1/leaderboard",
        summary: "Orchestrators ranked by naap_score (100 × the Wilson 95 % lower bound of the good-session \
                  rate) over a window, with the interval and the sessions behind it. Orchestrators that \
                  advertised the pipeline/model but served no session are listed with `status: \"no_data\"` \
                  and a null score, never a zero.",
        params: &[PIPELINE, MODEL, REGION, FROM, TO, LIMIT, ROW_FORMAT],
    },
];

/// The endpoint described at `path`.
pub(crate) fn endpoint(path: &str) -> &'static Endpoint {
    ENDPOINTS
        .iter()
        .find(|e| e.path == path)
        .expect("every routed endpoint is described")
}

/// `{"data": rows, "meta": meta}` with a short public cache lifetime.
pub(crate) fn page_json(data: Vec<Value>, mut meta: Value) -> Response {
    meta["rows"] = json!(data.len());
    let body = json!({"data": data, "meta": meta});
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, crate::cache::CLIENT_CACHE_CONTROL),
        ],
        body.to_string(),
    )
        .into_response()
}

/// An epoch-ms instant as RFC 3339 (UTC).
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}
