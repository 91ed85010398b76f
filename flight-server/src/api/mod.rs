//! The HTTP API's handlers and the parameter vocabulary of the route table
//! ([`crate::routes::ROUTES`]), from which the router, the parameter parsing and the OpenAPI
//! document are all derived, so they cannot drift apart.

pub(crate) mod compat;
pub(crate) mod datasets;
pub(crate) mod format;
pub(crate) mod kpis;
pub(crate) mod leaderboard;
pub(crate) mod openapi;
pub(crate) mod orchestrators;
pub(crate) mod params;
pub(crate) mod sla;
pub(crate) mod slo;
pub(crate) mod snapshots;
pub(crate) mod tables;
pub(crate) mod windows;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What a parameter accepts, and how it is parsed ([`params`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// RFC 3339 instant.
    Time,
    /// Unix seconds, fractions allowed (leaderboard-serverless's `since`/`until`).
    UnixSeconds,
    /// One of the listed values.
    Enum(&'static [&'static str]),
    /// `0x` + 40 hex digits, any case (kept lowercased).
    Address,
    /// Free text, at most 200 characters.
    Text,
    /// Free text, may be given several times (OR).
    Repeated,
    /// Free text, lowercased (leaderboard-serverless's `orchestrator`).
    Lowercase,
    /// Free text, uppercased (leaderboard-serverless's `region`).
    Uppercase,
    /// An integer in `[min, max]`.
    Int { min: i64, max: i64 },
    /// An integer clamped to `[min, max]`; anything unparsable is `default` (the predecessor's `limit`).
    Clamped { min: i64, max: i64, default: i64 },
    /// The predecessor's `window`: `Nh`, `Nd` or `N`, clamped to 1–168 hours, else 24.
    WindowHours,
    /// An opaque cursor from a previous page's `meta.next_cursor`.
    Cursor,
    /// A path segment (path parameters only).
    Segment,
    /// The rest of the path (path parameters only).
    Rest,
}

/// One parameter of a route.
#[derive(Debug)]
pub(crate) struct ParamDoc {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) description: &'static str,
    /// A query parameter without which the route cannot answer (path parameters always are).
    pub(crate) required: bool,
}

impl ParamDoc {
    /// Whether it is part of the path rather than the query.
    pub(crate) fn in_path(&self) -> bool {
        matches!(self.kind, Kind::Segment | Kind::Rest)
    }

    /// The same parameter, required.
    pub(crate) const fn required(self) -> ParamDoc {
        ParamDoc { required: true, ..self }
    }
}

pub(crate) const fn param(name: &'static str, kind: Kind, description: &'static str) -> ParamDoc {
    ParamDoc {
        name,
        kind,
        description,
        required: false,
    }
}

pub(crate) const FROM: ParamDoc = param(
    "from",
    Kind::Time,
    "Start of the time range, inclusive (RFC 3339). Default: 24 hours before `to`.",
);
pub(crate) const TO: ParamDoc = param(
    "to",
    Kind::Time,
    "End of the time range, exclusive (RFC 3339). Default: now.",
);
pub(crate) const LIMIT: ParamDoc = param(
    "limit",
    Kind::Int { min: 1, max: 10_000 },
    "Rows per page (default 100).",
);
pub(crate) const CURSOR: ParamDoc = param(
    "cursor",
    Kind::Cursor,
    "Continue after the previous page (its `meta.next_cursor`).",
);
pub(crate) const ORCHESTRATOR: ParamDoc = param(
    "orchestrator",
    Kind::Address,
    "On-chain address of the orchestrator (any case).",
);
pub(crate) const PIPELINE: ParamDoc = param("pipeline", Kind::Text, "Pipeline, e.g. `live-video-to-video`.");
pub(crate) const MODEL: ParamDoc = param("model", Kind::Text, "Model id, e.g. `streamdiffusion-sdxl`.");
pub(crate) const GATEWAY: ParamDoc = param("gateway", Kind::Text, "Gateway (the envelope's `gateway`).");
pub(crate) const REGION: ParamDoc = param("region", Kind::Text, "Region of the gateway that carried the sessions.");
pub(crate) const ORG: ParamDoc = param(
    "org",
    Kind::Text,
    "Org whose gateways carried the traffic (the source's identity, e.g. `daydream`, `cloudspe`).",
);
pub(crate) const TRAFFIC_CLASS: ParamDoc = param(
    "traffic_class",
    Kind::Enum(&["organic", "probe", "all"]),
    "Traffic class: `organic` (default: the network's users), `probe` (synthetic test traffic a probe rule \
     recognised, e.g. `aiJobTesterStream-*` streams) or `all`.",
);
pub(crate) const GPU: ParamDoc = param("gpu", Kind::Text, "GPU model name, e.g. `NVIDIA GeForce RTX 4090`.");
pub(crate) const GRANULARITY: ParamDoc = param(
    "granularity",
    Kind::Enum(&["hour", "day"]),
    "Row granularity (default hour).",
);
pub(crate) const ROW_FORMAT: ParamDoc = param(
    "format",
    Kind::Enum(format::ROW_FORMATS),
    "Response format: json (default), csv, arrow (IPC stream) or parquet; also negotiated by `Accept`.",
);
pub(crate) const KIND: ParamDoc = param(
    "kind",
    Kind::Enum(&["ai_batch", "llm", "byoc", "test_load"]),
    "Job kind (`test_load`: naap's own test-load requests, always probes).",
);
pub(crate) const AT: ParamDoc = param(
    "at",
    Kind::Time,
    "Evaluation time, the end of every window (RFC 3339). Default: now.",
);
pub(crate) const WINDOW_NAME: ParamDoc = param(
    "window",
    Kind::Enum(&sql::windows::WINDOWS),
    "Only this window: `30m`, `1d`, `7d` or `30d` (default: all four).",
);
pub(crate) const SLO_SCOPE: ParamDoc = param(
    "scope",
    Kind::Enum(&["orchestrator", "network"]),
    "Only rows about one orchestrator each, or about the network as a whole (default: both).",
);
pub(crate) const HEALTH_RULE: ParamDoc = param(
    "rule",
    Kind::Enum(&[
        "fps_drop_own",
        "fps_below_network_p10",
        "startup_latency_above_network_p90",
        "startup_success_floor",
    ]),
    "Only this health rule (default: all).",
);
pub(crate) const DATA_HEALTH_RULE: ParamDoc = param(
    "rule",
    Kind::Enum(&["freshness_lag_p90", "completeness_floor", "ingestion_success_floor"]),
    "Only this data-quality rule (default: all).",
);
pub(crate) const HEALTH_STATE: ParamDoc = param(
    "state",
    Kind::Enum(&["degraded", "healthy", "unknown"]),
    "Only hours in this state (default: all).",
);
pub(crate) const SEVERITY: ParamDoc = param(
    "severity",
    Kind::Enum(&["page", "ticket"]),
    "Only fast-burn (`page`) or slow-burn (`ticket`) alerts (default: both).",
);
pub(crate) const ALERT_STATUS: ParamDoc = param(
    "status",
    Kind::Enum(&["firing", "resolved"]),
    "Only alerts still firing at the end of the range, or resolved ones (default: both).",
);
pub(crate) const SCOPE: ParamDoc = param(
    "scope",
    Kind::Enum(&["orchestrator", "region", "network"]),
    "Only rows of this scope: per orchestrator × pipeline × model, per region × pipeline × model, or the \
     network × pipeline × model (default: all three).",
);
pub(crate) const FAMILY: ParamDoc = param("family", Kind::Text, "Event family, e.g. `ai_stream_status`.");
pub(crate) const SOURCE_KIND: ParamDoc = param(
    "source_kind",
    Kind::Text,
    "Kind of ingest source, e.g. `kafka`, `file`, `http`.",
);
pub(crate) const TARGET: ParamDoc = param(
    "target",
    Kind::Text,
    "Collector target name, e.g. `gw1.example.com-7935-capabilities`.",
);
pub(crate) const ENDPOINT: ParamDoc = param(
    "endpoint",
    Kind::Text,
    "Polled endpoint: `network_capabilities`, `orchestrator_registry` or `metrics`.",
);
pub(crate) const NODE: ParamDoc = param("node", Kind::Text, "Node id (the `node_id` label of the series).");
pub(crate) const METRIC: ParamDoc = param(
    "metric",
    Kind::Text,
    "Prometheus metric name, e.g. `livepeer_ai_models_requested`.",
);

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
