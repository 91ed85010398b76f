//! The route table: every HTTP route once, with its parameters, its convention and its
//! handler. The router ([`crate::http::router`]), the parameter parsing
//! ([`crate::api::params::Params`]) and the OpenAPI document ([`crate::api::openapi`]) are
//! all derived from it.

use axum::routing::{MethodRouter, get};

use crate::api::compat::fields::{self, Field};
use crate::api::compat::{leaderboard as lb, predecessor as pre};
use crate::api::{
    ALERT_STATUS, AT, CURSOR, DATA_HEALTH_RULE, ENDPOINT, FAMILY, FROM, GATEWAY, GPU, GRANULARITY, HEALTH_RULE,
    HEALTH_STATE, KIND, Kind, LIMIT, METRIC, MODEL, NODE, ORCHESTRATOR, ORG, PIPELINE, ParamDoc, REGION, ROW_FORMAT,
    SCOPE, SEVERITY, SLO_SCOPE, SOURCE_KIND, TARGET, TO, TRAFFIC_CLASS, WINDOW_NAME, param,
};
use crate::http::AppState;

/// How a route parses its parameters, renders its errors and shapes its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Convention {
    /// naap's own API: strict parameters, problem+json errors, `{data, meta}` pages.
    Naap,
    /// The predecessor's API (`/compat/naap/v1`): unknown parameters ignored, lenient
    /// `window` and `limit`, bare JSON.
    Predecessor,
    /// leaderboard-serverless's API (`/compat/leaderboard/api`): its parameter rules and its
    /// `{"error": …}` bodies.
    Leaderboard,
    /// Not an API route (health, metrics, the dashboard's files): no parameters.
    Plain,
}

/// One route.
#[derive(Debug)]
pub(crate) struct Route {
    /// The path in OpenAPI form (`{name}`; the rest-of-path parameter is `{path}`).
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    /// Path parameters first, then query parameters.
    pub(crate) params: &'static [ParamDoc],
    pub(crate) convention: Convention,
    /// Whether `/openapi.json` describes it (the dashboard's own files are not API).
    pub(crate) documented: bool,
    /// What each field of the answer means (the compatibility routes; OpenAPI and
    /// docs/compat.md are generated from it).
    pub(crate) fields: &'static [Field],
    pub(crate) handler: fn() -> MethodRouter<AppState>,
}

impl Route {
    /// The path in axum's form (`{*path}` for the rest of the path).
    pub(crate) fn axum_path(&self) -> String {
        match self.params.iter().find(|p| matches!(p.kind, Kind::Rest)) {
            Some(rest) => self
                .path
                .replace(&format!("{{{}}}", rest.name), &format!("{{*{}}}", rest.name)),
            None => self.path.to_string(),
        }
    }
}

/// The route whose axum path is `matched` (what [`axum::extract::MatchedPath`] holds).
pub(crate) fn by_axum_path(matched: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.axum_path() == matched)
}

/// The documented paths, in table order (the OpenAPI test compares them with the document).
pub fn documented_paths() -> Vec<&'static str> {
    ROUTES.iter().filter(|r| r.documented).map(|r| r.path).collect()
}

const NAME: ParamDoc = param("name", Kind::Segment, "Dataset name (`GET /v1/datasets` lists them).");
const ID: ParamDoc = param("id", Kind::Segment, "Snapshot id (`GET /v1/snapshots` lists them).");
const FILE: ParamDoc = param("path", Kind::Rest, "Path of the file, as the manifest lists it.");
const ADDRESS: ParamDoc = param(
    "address",
    Kind::Segment,
    "On-chain address of the orchestrator (any case).",
);
const ROWS_LIMIT: ParamDoc = param("limit", Kind::Int { min: 1, max: 10_000 }, "Rows (default 100).");

// The predecessor's parameters (`api/internal/runtime/params.go`).
const WINDOW: ParamDoc = param(
    "window",
    Kind::WindowHours,
    "Hours back from now: `Nh`, `Nd` or `N`, clamped to 1–168; anything else is 24 (the predecessor's rule).",
);
const KPI_PIPELINE: ParamDoc = param(
    "pipeline",
    Kind::Text,
    "Canonical pipeline id, e.g. `live-video-to-video`.",
);
const MODEL_ID: ParamDoc = param("model_id", Kind::Text, "Model id, e.g. `streamdiffusion-sdxl`.");
const PIPELINES_LIMIT: ParamDoc = param(
    "limit",
    Kind::Clamped {
        min: 1,
        max: 20,
        default: 5,
    },
    "Pipelines to return, clamped to 1–20 (default 5), as the predecessor clamps it.",
);
const FEED_LIMIT: ParamDoc = param(
    "limit",
    Kind::Clamped {
        min: 1,
        max: 200,
        default: 50,
    },
    "Streams to return, clamped to 1–200 (default 50).",
);
const IGNORED_LIMIT: ParamDoc = param(
    "limit",
    Kind::Clamped {
        min: 1,
        max: 1000,
        default: 1000,
    },
    "Accepted and ignored: every orchestrator is returned, as by the predecessor.",
);
const CAPS: ParamDoc = param(
    "caps",
    Kind::Repeated,
    "Capability filter `pipeline/model` (or a bare pipeline); repeatable, any of them matches.",
);

// leaderboard-serverless's parameters (`common/params.go`).
const LB_ORCHESTRATOR: ParamDoc = param("orchestrator", Kind::Lowercase, "Orchestrator address (lowercased).");
const LB_REGION: ParamDoc = param("region", Kind::Uppercase, "Region code (uppercased), e.g. `US-EAST`.");
const LB_PIPELINE: ParamDoc = param(
    "pipeline",
    Kind::Text,
    "Canonical pipeline id; with `model`, or neither (400 `pipeline required` / `model required`).",
);
const LB_MODEL: ParamDoc = param("model", Kind::Text, "Model id; with `pipeline`, or neither.");
const SINCE: ParamDoc = param(
    "since",
    Kind::UnixSeconds,
    "Start, Unix seconds (fractions allowed); default 24 h before `until`.",
);
const UNTIL: ParamDoc = param("until", Kind::UnixSeconds, "End, Unix seconds; default now.");
const SCORE: ParamDoc = param(
    "score",
    Kind::Enum(&["explorer", "naap"]),
    "Which score `score` carries: `explorer` (default: leaderboard-serverless's formula) or `naap` \
     (naap_score / 100, the confidence-aware score).",
);

macro_rules! handler {
    ($f:path) => {
        || get($f)
    };
}

/// Every route.
pub(crate) static ROUTES: &[Route] = &[
    Route {
        path: "/",
        summary: "The dashboard.",
        params: &[],
        convention: Convention::Plain,
        documented: false,
        fields: &[],
        handler: handler!(crate::dashboard::index),
    },
    Route {
        path: "/dashboard/app.js",
        summary: "The dashboard's script.",
        params: &[],
        convention: Convention::Plain,
        documented: false,
        fields: &[],
        handler: handler!(crate::dashboard::script),
    },
    Route {
        path: "/dashboard/app.css",
        summary: "The dashboard's style sheet.",
        params: &[],
        convention: Convention::Plain,
        documented: false,
        fields: &[],
        handler: handler!(crate::dashboard::style),
    },
    Route {
        path: "/healthz",
        summary: "Liveness: `{\"status\":\"ok\"}` while the server follows the lake; 503 (problem) when its \
                  change-log watcher has not read the log for `--stall-secs` (default 5 minutes).",
        params: &[],
        convention: Convention::Plain,
        documented: true,
        fields: &[],
        handler: handler!(crate::http::healthz),
    },
    Route {
        path: "/readyz",
        summary: "Readiness: 200 when the lake answers, with the time of the last stored rollup state (`last_rollup`) \
                  and of the last lake change this server has seen (`lake_changed_at`, `lake_generation`); 503 \
                  (problem) when it does not.",
        params: &[],
        convention: Convention::Plain,
        documented: true,
        fields: &[],
        handler: handler!(crate::http::readyz),
    },
    Route {
        path: "/metrics",
        summary: "Prometheus metrics: requests and latency per route, Flight SQL commands, rejections by reason, \
                  cache lookups.",
        params: &[],
        convention: Convention::Plain,
        documented: true,
        fields: &[],
        handler: handler!(crate::http::metrics_text),
    },
    Route {
        path: "/openapi.json",
        summary: "This document.",
        params: &[],
        convention: Convention::Plain,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::openapi::get_openapi),
    },
    Route {
        path: "/v1/datasets",
        summary: "The public datasets: name, layer, description, partition keys.",
        params: &[],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::http::list_datasets),
    },
    Route {
        path: "/v1/datasets/{name}",
        summary: "A dataset: schema, partitions with files, rows and bytes, totals (404 when there is no such dataset).",
        params: &[NAME],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::datasets::describe),
    },
    Route {
        path: "/v1/datasets/{name}/rows",
        summary: "Rows of a dataset, in key order.",
        params: &[NAME, ROWS_LIMIT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::http::dataset_rows),
    },
    Route {
        path: "/v1/datasets/{name}/snapshot",
        summary: "A manifest of the dataset: every file with rows, bytes, SHA-256 and a download URL; schema, naap \
                  and score versions (403 for datasets with private columns).",
        params: &[NAME],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::datasets::snapshot),
    },
    Route {
        path: "/v1/datasets/{name}/files/{path}",
        summary: "One Parquet file of the dataset, as listed by its snapshot.",
        params: &[NAME, FILE],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::datasets::file),
    },
    Route {
        path: "/v1/snapshots",
        summary: "Published snapshots (naap snapshot), newest first: id, range, datasets, versions, manifest URL.",
        params: &[],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::snapshots::list),
    },
    Route {
        path: "/v1/snapshots/{id}",
        summary: "A snapshot's manifest as published (files with SHA-256, schemas, the SQL of each rollup, naap and \
                  score versions); its checksum is at files/snapshot.json.sha256.",
        params: &[ID],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::snapshots::manifest),
    },
    Route {
        path: "/v1/snapshots/{id}/files/{path}",
        summary: "A file of a snapshot: a Parquet file its manifest lists, snapshot.json or snapshot.json.sha256.",
        params: &[ID, FILE],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::snapshots::file),
    },
    Route {
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
            ORG,
            TRAFFIC_CLASS,
            FROM,
            TO,
            GRANULARITY,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::sla::get_sla),
    },
    Route {
        path: "/v1/leaderboard",
        summary: "Orchestrators ranked by naap_score (100 × the Wilson 95 % lower bound of the good-session \
                  rate) over a window, with the interval and the sessions behind it. Orchestrators that \
                  advertised the pipeline/model but served no session are listed with `status: \"no_data\"` \
                  and a null score, never a zero.",
        params: &[PIPELINE, MODEL, REGION, ORG, TRAFFIC_CLASS, FROM, TO, LIMIT, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::leaderboard::get_leaderboard),
    },
    Route {
        path: "/v1/advice",
        summary: "The best orchestrators for a pipeline/model (and region) by naap_score, with the interval \
                  and the evidence behind each (sessions, good sessions, mean startup latency, mean output FPS). \
                  Orchestrators without data are never advised.",
        params: &[PIPELINE, MODEL, REGION, ORG, TRAFFIC_CLASS, FROM, TO, LIMIT, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::leaderboard::get_advice),
    },
    Route {
        path: "/v1/price-performance",
        summary: "Price against performance for one pipeline and model: the leaderboard's rows (naap_score, its \
                  interval, sessions) with the price per unit each orchestrator advertised last in the window for \
                  that model (`price_wei_per_unit`), the lowest and highest it advertised, its quotes and when it \
                  was last seen. Orchestrators with a price and no ranking row are listed unscored.",
        params: &[
            PIPELINE,
            MODEL.required(),
            REGION,
            ORG,
            TRAFFIC_CLASS,
            FROM,
            TO,
            LIMIT,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::leaderboard::get_price_performance),
    },
    Route {
        path: "/v1/windows",
        summary: "Rolling windows — the last 30 minutes, 1, 7 and 30 days before `at` — per orchestrator × pipeline \
                  × model, per region and for the network: success rate (successes / (successes + failures); \
                  excused, caller errors and incomplete jobs counted beside it) and exact p50/p75/p90/p99 of \
                  startup latency, E2E latency, prompt to first frame and output FPS (live), duration, time to \
                  first token and tokens/s (jobs), each with its sample count; computed from session- and \
                  job-level rows, NULL without samples. A window without a sample has no row.",
        params: &[
            AT,
            WINDOW_NAME,
            SCOPE,
            ORCHESTRATOR,
            PIPELINE,
            MODEL,
            REGION,
            TRAFFIC_CLASS,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::windows::get_windows),
    },
    Route {
        path: "/v1/slo",
        summary: "Service-level objectives at `at` (live startup success: 95 % over 30 days), for the network and \
                  each orchestrator: events and errors over 30 days, the error budget left (negative when \
                  overspent), and the latest evaluation's 1 h and 6 h burn rates and alerts (gold `slo_burn_rates`).",
        params: &[AT, SLO_SCOPE, ORCHESTRATOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::slo::get_slo),
    },
    Route {
        path: "/v1/alerts",
        summary: "Burn-rate alerts evaluated in the range, as episodes, newest first: `page` (fast burn: 14.4x the \
                  budget over 1 h and 5 min) and `ticket` (slow burn: 6x over 6 h and 30 min), each with its start, \
                  resolution (NULL while firing), status, evaluations and peak burn rate.",
        params: &[FROM, TO, SLO_SCOPE, ORCHESTRATOR, SEVERITY, ALERT_STATUS, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::slo::get_alerts),
    },
    Route {
        path: "/v1/outages",
        summary: "Outage records in the range, newest first: each fast-burn alert with its start, end (NULL while it \
                  lasts), who was affected (the network or an orchestrator), the failed sessions from an hour \
                  before it to its end, and their models.",
        params: &[FROM, TO, SLO_SCOPE, ORCHESTRATOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::slo::get_outages),
    },
    Route {
        path: "/v1/network/kpis",
        summary: "Headline numbers over a window (active streams, sessions, minutes, startup success, \
                  orchestrators serving and advertising, GPUs — `gpus`, physical (per orchestrator the most GPUs one \
                  capability report listed, as ids churn), with the raw `gpu_ids_seen` beside it — jobs, fees as \
                  expected value of the tickets sent and as remote signers' computed fees, in wei), each with the \
                  previous window of equal length and the relative change.",
        params: &[FROM, TO, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::kpis::get_kpis),
    },
    Route {
        path: "/v1/supply/gpus",
        summary: "GPU inventory per hour: orchestrator, pipeline, model, GPU model and memory, physical GPUs, \
                  warm models, capacity and capacity in use (gold `gpu_inventory`).",
        params: &[ORCHESTRATOR, PIPELINE, MODEL, GPU, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/supply/gpus"),
    },
    Route {
        path: "/v1/prices",
        summary: "Advertised prices per hour, orchestrator and capability/model, in wei per unit (gold `prices`).",
        params: &[ORCHESTRATOR, MODEL, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/prices"),
    },
    Route {
        path: "/v1/demand",
        summary: "Demand per hour, gateway, region, pipeline and model: sessions requested, served and \
                  unserved, live minutes, jobs, tokens (gold `demand_hourly`).",
        params: &[
            GATEWAY,
            REGION,
            PIPELINE,
            MODEL,
            ORG,
            TRAFFIC_CLASS,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/demand"),
    },
    Route {
        path: "/v1/economics",
        summary: "Payments per hour, gateway, sender and orchestrator: tickets, face value and expected value \
                  in exact wei, fees per live minute (gold `payments_hourly`).",
        params: &[
            GATEWAY,
            ORCHESTRATOR,
            PIPELINE,
            ORG,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/economics"),
    },
    Route {
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
            ORG,
            TRAFFIC_CLASS,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/jobs"),
    },
    Route {
        path: "/v1/quality",
        summary: "Data quality per hour, source and family: events, duplicates, dead letters by reason, \
                  accepted share, ingest lag, completeness against the expected cadence (gold `data_quality_hourly`).",
        params: &[FAMILY, SOURCE_KIND, ORG, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/quality"),
    },
    Route {
        path: "/v1/quality/health",
        summary: "Health of the data per hour, source kind, org and family, rule by rule, with the evidence: the \
                  hour's p90 ingestion lag against 2 minutes (not judged for file replays), its completeness against \
                  75 % of the cadence's expectation, its accepted share against 99 % (with at least 20 messages), \
                  whether the rule finds it degraded, and the hour's state (gold `data_health_states`).",
        params: &[
            FAMILY,
            SOURCE_KIND,
            ORG,
            DATA_HEALTH_RULE,
            HEALTH_STATE,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/quality/health"),
    },
    Route {
        path: "/v1/health",
        summary: "Health of each orchestrator × pipeline × model per hour, rule by rule, with the evidence: the \
                  hour's value, the threshold (its own 7-day median FPS less 20 %, the network's 7-day FPS p10 or \
                  startup-latency p90, the 0.8 startup-success floor), the samples behind both, whether the rule \
                  finds it degraded, and the hour's state (degraded, healthy, unknown) (gold `health_states`).",
        params: &[
            ORCHESTRATOR,
            PIPELINE,
            MODEL,
            HEALTH_RULE,
            HEALTH_STATE,
            FROM,
            TO,
            LIMIT,
            CURSOR,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/health"),
    },
    Route {
        path: "/v1/collectors",
        summary: "Health of each `naap collect` target per hour: polls by outcome (ok, timeout, connect and \
                  HTTP errors, invalid answers), success rate, latency, items collected, last success and last \
                  error (gold `collector_health_hourly`). A failing target shows here, never silently.",
        params: &[TARGET, ENDPOINT, FROM, TO, LIMIT, CURSOR, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/collectors"),
    },
    Route {
        path: "/v1/nodes/metrics",
        summary: "AI and payment Prometheus metrics of scraped go-livepeer nodes per hour and series: counter \
                  increase with resets handled, gauge last/min/max (gold `node_metrics_hourly`).",
        params: &[
            TARGET, NODE, METRIC, PIPELINE, MODEL, FROM, TO, LIMIT, CURSOR, ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: || crate::api::tables::route("/v1/nodes/metrics"),
    },
    Route {
        path: "/v1/orchestrators",
        summary: "Orchestrators seen in capability reports over a window, by on-chain address: signing keys, \
                  URLs, version, GPUs (`gpus`: the most one capability report listed; `gpu_ids_seen`: distinct ids, \
                  which churn), pipelines, models, last seen, sessions and naap_score (null with \
                  `status: \"no_data\"` when it served none).",
        params: &[FROM, TO, LIMIT, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::orchestrators::list),
    },
    Route {
        path: "/v1/orchestrators/{address}",
        summary: "One orchestrator's identity and service over a window (404 when not seen).",
        params: &[ADDRESS, FROM, TO, ROW_FORMAT],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::orchestrators::one),
    },
    Route {
        path: "/v1/orchestrators/{address}/history",
        summary: "One orchestrator's time series: support counts, rates and scores per hour or day \
                  (exact roll-up of its SLA rows across gateways, regions and GPUs) of one traffic class: \
                  organic by default, `traffic_class=probe` for the probes' view of it.",
        params: &[
            ADDRESS,
            PIPELINE,
            MODEL,
            TRAFFIC_CLASS,
            FROM,
            TO,
            GRANULARITY,
            ROW_FORMAT,
        ],
        convention: Convention::Naap,
        documented: true,
        fields: &[],
        handler: handler!(crate::api::orchestrators::history),
    },
    // The predecessor's routes that real clients call (docs/compat.md), under /compat/naap.
    Route {
        path: "/compat/naap/v1/dashboard/kpi",
        summary: "Predecessor-compatible KPIs over the window: success rate (%), orchestrators observed, usage \
                  minutes, sessions, fees in ETH (real, from payments), hourly series, and AI-batch / BYOC job \
                  stats. Deltas as the predecessor defines them (halves of the window's hours; previous window for \
                  orchestrators).",
        params: &[WINDOW, KPI_PIPELINE, MODEL_ID],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::KPI,
        handler: handler!(pre::kpi),
    },
    Route {
        path: "/compat/naap/v1/dashboard/pipelines",
        summary: "Predecessor-compatible usage per live pipeline (sessions, minutes, mean output FPS, per model) \
                  and job stats per request pipeline and BYOC capability.",
        params: &[PIPELINES_LIMIT, WINDOW],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::PIPELINES,
        handler: handler!(pre::pipelines),
    },
    Route {
        path: "/compat/naap/v1/dashboard/orchestrators",
        summary: "Predecessor-compatible orchestrator rows: sessions, success (successRatio 0–100; \
                  effectiveSuccessRate and noSwapRatio 0–1), slaScore (0–100, latest scored hour), pipelines, \
                  models, GPUs.",
        params: &[WINDOW],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::ORCHESTRATORS,
        handler: handler!(pre::orchestrators),
    },
    Route {
        path: "/compat/naap/v1/dashboard/gpu-capacity",
        summary: "Predecessor-compatible GPU capacity over the last 24 h (the window is ignored, as by the \
                  predecessor): GPUs, active GPUs, per GPU model and per pipeline/model.",
        params: &[WINDOW],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::GPU_CAPACITY,
        handler: handler!(pre::gpu_capacity),
    },
    Route {
        path: "/compat/naap/v1/dashboard/pipeline-catalog",
        summary: "Predecessor-compatible catalog of the pipelines advertised in the last 24 h, with models and \
                  the regions they were served in.",
        params: &[],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::PIPELINE_CATALOG,
        handler: handler!(pre::pipeline_catalog),
    },
    Route {
        path: "/compat/naap/v1/dashboard/pricing",
        summary: "Predecessor-compatible prices: the latest advertised price per orchestrator, pipeline and model \
                  in the last 24 h (wei per unit, as a number).",
        params: &[],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::PRICING,
        handler: handler!(pre::pricing),
    },
    Route {
        path: "/compat/naap/v1/dashboard/job-feed",
        summary: "Predecessor-compatible feed of the live streams active in the last 2 minutes, latest first.",
        params: &[FEED_LIMIT],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::JOB_FEED,
        handler: handler!(pre::job_feed),
    },
    Route {
        path: "/compat/naap/v1/streaming/models",
        summary: "Predecessor-compatible live-video models of the last 24 h: warm orchestrators, GPU slots, \
                  active streams, available capacity, mean output FPS.",
        params: &[],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::STREAMING_MODELS,
        handler: handler!(pre::streaming_models),
    },
    Route {
        path: "/compat/naap/v1/streaming/orchestrators",
        summary: "Predecessor-compatible orchestrators with a live-video model in the last 24 h.",
        params: &[IGNORED_LIMIT],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::STREAMING_ORCHESTRATORS,
        handler: handler!(pre::streaming_orchestrators),
    },
    Route {
        path: "/compat/naap/v1/requests/models",
        summary: "Predecessor-compatible request (AI batch, LLM, BYOC) models of the last 24 h with job counts, \
                  success and duration.",
        params: &[],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::REQUESTS_MODELS,
        handler: handler!(pre::requests_models),
    },
    Route {
        path: "/compat/naap/v1/requests/orchestrators",
        summary: "Predecessor-compatible orchestrators with a request capability in the last 24 h \
                  (`capabilities` as `pipeline:model`, the predecessor's contract).",
        params: &[IGNORED_LIMIT],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::REQUESTS_ORCHESTRATORS,
        handler: handler!(pre::requests_orchestrators),
    },
    Route {
        path: "/compat/naap/v1/discover/orchestrators",
        summary: "Predecessor-compatible discovery: one row per orchestrator URL and pipeline with a 0–1 score over \
                  the last 2 hours and its `pipeline/model` capabilities.",
        params: &[CAPS],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::DISCOVER,
        handler: handler!(pre::discover),
    },
    Route {
        path: "/compat/naap/api/v1/gw/naap-discover/orchestrators",
        summary: "The orchestrator-leaderboard plugin's gateway-mode path for discovery (same answer).",
        params: &[CAPS],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::DISCOVER,
        handler: handler!(pre::discover),
    },
    Route {
        path: "/compat/naap/api/v1/gw/naap-pricing/pricing",
        summary: "The orchestrator-leaderboard plugin's gateway-mode path for prices (same answer).",
        params: &[],
        convention: Convention::Predecessor,
        documented: true,
        fields: fields::PRICING,
        handler: handler!(pre::pricing),
    },
    // leaderboard-serverless's routes, read by the Explorer and by go-livepeer's -orchPerfStatsUrl.
    Route {
        path: "/compat/leaderboard/api/aggregated_stats",
        summary: "`{address: {REGION: {success_rate, round_trip_score, score}}}` (0–1) over [since, until) for a \
                  pipeline and model, leaderboard-serverless's formula; `score=naap` puts naap_score / 100 in \
                  `score`. Without pipeline and model: `{}` (naap has no transcoding tests).",
        params: &[LB_ORCHESTRATOR, LB_REGION, LB_PIPELINE, LB_MODEL, SINCE, UNTIL, SCORE],
        convention: Convention::Leaderboard,
        documented: true,
        fields: fields::AGGREGATED_STATS,
        handler: handler!(lb::aggregated_stats),
    },
    Route {
        path: "/compat/leaderboard/api/top_ai_score",
        summary: "An orchestrator's best (region, pipeline, model) of the window by success then round trip, \
                  with its score: `{region, orchestrator, value, model, pipeline}`, or `{}`.",
        params: &[LB_ORCHESTRATOR, SINCE, UNTIL],
        convention: Convention::Leaderboard,
        documented: true,
        fields: fields::TOP_AI_SCORE,
        handler: handler!(lb::top_ai_score),
    },
    Route {
        path: "/compat/leaderboard/api/pipelines",
        summary: "`{pipelines: [{id, models, regions}]}`: the pipelines with sessions or jobs in the window.",
        params: &[LB_REGION, SINCE, UNTIL],
        convention: Convention::Leaderboard,
        documented: true,
        fields: fields::LB_PIPELINES,
        handler: handler!(lb::pipelines),
    },
    Route {
        path: "/compat/leaderboard/api/regions",
        summary: "`{regions: [{id, name, type}]}`: GLOBAL and every region naap has measured from (type `ai`).",
        params: &[],
        convention: Convention::Leaderboard,
        documented: true,
        fields: fields::REGIONS,
        handler: handler!(lb::regions),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_rest_parameters_become_axum_wildcards() {
        let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        paths.sort_unstable();
        let before = paths.len();
        paths.dedup();
        assert_eq!(before, paths.len(), "a path is in the table twice");
        let files = ROUTES
            .iter()
            .find(|r| r.path == "/v1/datasets/{name}/files/{path}")
            .unwrap();
        assert_eq!(files.axum_path(), "/v1/datasets/{name}/files/{*path}");
        assert!(std::ptr::eq(
            by_axum_path("/v1/datasets/{name}/files/{*path}").unwrap(),
            files
        ));
    }

    #[test]
    fn every_compatibility_route_documents_its_fields() {
        for route in ROUTES
            .iter()
            .filter(|r| matches!(r.convention, Convention::Predecessor | Convention::Leaderboard))
        {
            assert!(!route.fields.is_empty(), "{} says nothing of its fields", route.path);
        }
    }

    #[test]
    fn every_path_parameter_is_in_the_path() {
        for route in ROUTES {
            for p in route.params.iter().filter(|p| p.in_path()) {
                assert!(
                    route.path.contains(&format!("{{{}}}", p.name)),
                    "{}: {}",
                    route.path,
                    p.name
                );
            }
        }
    }
}
