//! What each field of the compatibility answers means, as naap computes it (the route table
//! carries these lists; the OpenAPI document and docs/compat.md are generated from them).
//! `[a]` marks a field that is an approximation or differs from the predecessor; the reason
//! is in its text.

/// One documented field of an answer: its JSON path and its meaning.
pub(crate) type Field = (&'static str, &'static str);

pub(crate) const KPI: &[Field] = &[
    (
        "streaming.successRate.value",
        "100 · Σ startup_success_sessions / Σ requested_sessions over the window's `sla_hourly` rows (percent; 0 without sessions).",
    ),
    (
        "streaming.successRate.delta",
        "Second half's rate minus first half's, in percentage points; the halves split the hours that have rows (the predecessor's `computeSuccessRateDelta`).",
    ),
    (
        "streaming.orchestratorsObserved.value",
        "Distinct orchestrators (on-chain address) advertising a live-video model in the window's capability reports (`capability_models`, capability 35), filtered by pipeline/model.",
    ),
    (
        "streaming.orchestratorsObserved.delta",
        "% change against the previous window of equal length.",
    ),
    (
        "streaming.dailyUsageMins.value",
        "Σ session_minutes over the window (the predecessor's `total_minutes`; not scaled to a day despite the name).",
    ),
    (
        "streaming.dailyUsageMins.delta",
        "% change between the halves of the hours with rows (the predecessor's `computeDelta`).",
    ),
    (
        "streaming.dailySessionCount.value",
        "Σ requested_sessions over the window.",
    ),
    (
        "streaming.dailySessionCount.delta",
        "% change between the halves, as for minutes.",
    ),
    (
        "streaming.dailyNetworkFeesEth.value",
        "[a] Σ expected value of the tickets gateways sent (`payments_hourly.expected_value_wei`) / 10¹⁸. The predecessor sends a literal 0.",
    ),
    (
        "streaming.dailyNetworkFeesEth.delta",
        "% change between the halves of the hours with payments.",
    ),
    (
        "streaming.timeframeHours",
        "The window in hours after the predecessor's parsing (1–168, default 24).",
    ),
    (
        "streaming.hourlySessions[]",
        "`{hour (RFC 3339), value}`: Σ requested_sessions per hour with rows, oldest first.",
    ),
    (
        "streaming.hourlyUsage[]",
        "`{hour, value}`: Σ session_minutes per hour with rows.",
    ),
    (
        "requests.ai_batch",
        "Jobs of kinds `ai_batch` and `llm` in `jobs_hourly` over the window: `total_jobs`, `no_orch_jobs` (no orchestrator took it), `selected_jobs` = total − no_orch, `success_rate` = successful / total (0–1), `avg_duration_ms` = Σ duration / total (jobs without a duration count as 0 ms, as the predecessor).",
    ),
    ("requests.byoc", "The same for BYOC jobs."),
];

pub(crate) const PIPELINES: &[Field] = &[
    ("streaming[].name", "Canonical pipeline id."),
    (
        "streaming[].sessions",
        "Σ requested_sessions over the window; pipelines sorted by it, the first `limit` (≤ 20).",
    ),
    ("streaming[].mins", "Σ session_minutes."),
    (
        "streaming[].avgFps",
        "Σ output_fps_sum / Σ status_samples (mean output FPS over the status samples; 0 without samples).",
    ),
    (
        "streaming[].modelMins[]",
        "`{model, mins, sessions, avgFps}` per model of the pipeline, by sessions.",
    ),
    (
        "requests.by_pipeline[]",
        "AI batch and LLM jobs per pipeline, the `requests.ai_batch` figures of `dashboard/kpi` plus `pipeline`; by total_jobs.",
    ),
    (
        "requests.by_capability[]",
        "BYOC jobs per capability, with `capability`.",
    ),
];

pub(crate) const ORCHESTRATORS: &[Field] = &[
    (
        "[].address",
        "On-chain address, lowercase: orchestrators in capability reports of the last 24 h plus any with SLA rows in the window.",
    ),
    (
        "[].serviceUri",
        "The URL of its latest capability report in the last 24 h (null if it sent none; the web platform drops such rows).",
    ),
    (
        "[].knownSessions",
        "Σ requested_sessions of its SLA rows in the window. [a] The predecessor counts its `known_sessions_count`, which includes sessions it could not classify.",
    ),
    ("[].successSessions", "Σ startup_success_sessions."),
    (
        "[].effectiveSuccessRate",
        "1 − Σ effective_failed_sessions / Σ requested_sessions (0–1); null without sessions.",
    ),
    ("[].successRatio", "100 · effectiveSuccessRate, rounded to 0.1 (0–100)."),
    ("[].noSwapRatio", "1 − Σ swapped_sessions / Σ requested_sessions (0–1)."),
    (
        "[].slaScore",
        "Session-weighted sla_score_v1 (0–100, rounded) of its latest hour in the window with a score; null without one.",
    ),
    ("[].slaWindowStart", "That hour (RFC 3339)."),
    ("[].pipelines", "Canonical pipelines it advertised in the last 24 h."),
    (
        "[].pipelineModels[]",
        "`{pipelineId, modelIds[]}` per advertised pipeline.",
    ),
    (
        "[].gpuCount",
        "[a] Distinct GPU ids it reported in the last 24 h. Ids churn across restarts (see `gpu_inventory.physical_gpus` for naap's churn-aware count).",
    ),
];

pub(crate) const GPU_CAPACITY: &[Field] = &[
    (
        "totalGPUs",
        "Distinct (orchestrator, GPU id) in the hardware reports of the last 24 h.",
    ),
    (
        "activeGPUs",
        "[a] Σ over orchestrators of the capacity in use of its latest report per model, at most its GPUs. naap has no GPU id per stream; the predecessor counts the GPUs of streams active in the last 30 min.",
    ),
    ("availableCapacity", "max(totalGPUs − activeGPUs, 0)."),
    ("models[]", "`{model: GPU name, count}`, by count."),
    (
        "pipelineGPUs[]",
        "`{name: pipeline, gpus, models[{model, gpus}]}`: distinct (orchestrator, GPU id) per pipeline and per model.",
    ),
];

pub(crate) const PIPELINE_CATALOG: &[Field] = &[
    (
        "[].id",
        "Canonical pipeline id with hardware reported for it in the last 24 h.",
    ),
    ("[].name", "The id (as the predecessor)."),
    ("[].models", "Models reported with hardware, sorted."),
    (
        "[].regions",
        "[a] Regions of the gateways that carried its sessions or jobs in the last 24 h (the predecessor sends `[]`).",
    ),
];

pub(crate) const PRICING: &[Field] = &[
    ("[].orchAddress", "On-chain address, lowercase."),
    ("[].orchName", "Host of its URL."),
    ("[].pipeline", "Canonical pipeline of the priced capability."),
    (
        "[].model",
        "The price's model constraint (the default price, without a model, is left out).",
    ),
    (
        "[].priceWeiPerUnit",
        "Price per unit in wei, as a number (the latest quote in the last 24 h with price > 0 and pixels > 0).",
    ),
    (
        "[].pixelsPerUnit",
        "Pixels per unit of that quote (divide to get wei per pixel).",
    ),
    ("[].isWarm", "Whether it reported the model warm in the last 24 h."),
];

pub(crate) const JOB_FEED: &[Field] = &[
    ("[].id", "Stream id (the session id when the stream has none)."),
    ("[].pipeline", "Canonical pipeline."),
    ("[].model", "Model id."),
    ("[].gateway", "Gateway that carried it."),
    ("[].orchestratorAddress", "Serving orchestrator, lowercase."),
    ("[].orchestratorUrl", "Its URL."),
    (
        "[].state",
        "The stream's latest status state in the last 2 min (`ONLINE`, `LOADING`, `DEGRADED_*`, …), else its startup outcome.",
    ),
    ("[].inputFps", "Input FPS of that status."),
    ("[].outputFps", "Output FPS of that status."),
    ("[].firstSeen", "Session start (RFC 3339)."),
    (
        "[].lastSeen",
        "Its latest event; only streams with an event in the last 2 min are listed, newest first, `limit` (≤ 200). [a] A stream whose close arrived is listed until 2 min after it.",
    ),
    ("[].durationSeconds", "Now − firstSeen, seconds."),
];

pub(crate) const STREAMING_MODELS: &[Field] = &[
    ("[].pipeline", "`live-video-to-video`."),
    ("[].model", "Each live model advertised in the last 24 h."),
    ("[].warm_orch_count", "Orchestrators that reported it warm."),
    ("[].gpu_slots", "Distinct (orchestrator, GPU id) reported for it."),
    ("[].active_streams", "Distinct streams with an event in the last 2 min."),
    ("[].available_capacity", "max(gpu_slots − active_streams, 0)."),
    (
        "[].avg_fps",
        "Σ output_fps_sum / Σ status_samples over 24 h, rounded to 0.1.",
    ),
];

pub(crate) const STREAMING_ORCHESTRATORS: &[Field] = &[
    (
        "[].address",
        "On-chain address, lowercase, of each orchestrator advertising a live model in the last 24 h.",
    ),
    ("[].uri", "URL of its latest report."),
    ("[].models", "Its live model ids (bare ids), sorted."),
    (
        "[].gpu_count",
        "Distinct GPU ids reported for live video; rows by it, then address.",
    ),
    ("[].last_seen", "Its latest report (RFC 3339)."),
];

pub(crate) const REQUESTS_MODELS: &[Field] = &[
    (
        "[].pipeline",
        "Canonical pipeline of each request (non-live) model advertised in the last 24 h or with jobs.",
    ),
    ("[].model", "Model id."),
    ("[].job_type", "`byoc` for BYOC, else `ai-batch`."),
    ("[].warm_orch_count", "Orchestrators that reported it warm."),
    ("[].gpu_slots", "Distinct (orchestrator, GPU id) reported for it."),
    ("[].job_count_24h", "Jobs in `jobs_hourly` over 24 h."),
    ("[].success_rate", "Successful / jobs (0–1)."),
    ("[].avg_duration_ms", "Σ duration / jobs."),
];

pub(crate) const REQUESTS_ORCHESTRATORS: &[Field] = &[
    (
        "[].address",
        "On-chain address, lowercase, of each orchestrator advertising a request model in the last 24 h.",
    ),
    ("[].uri", "URL of its latest report."),
    (
        "[].capabilities",
        "`pipeline:model`, sorted: the predecessor's contract (the web platform splits on `/`; see the how-to).",
    ),
    ("[].gpu_count", "Distinct GPU ids reported for request pipelines."),
    ("[].last_seen", "Its latest report (RFC 3339)."),
];

pub(crate) const DISCOVER: &[Field] = &[
    (
        "[].address",
        "The orchestrator's service URL (one row per URL and pipeline advertised in the last 24 h).",
    ),
    (
        "[].score",
        "0–1, 3 places. Live video: session-weighted sla_score_v1 / 100 over the last 2 h; request pipelines: successful / jobs over 2 h; 0 without work.",
    ),
    (
        "[].capabilities",
        "`pipeline/model` of the pipeline's advertised models.",
    ),
    ("[].last_seen_ms", "Its latest report, ms since the epoch."),
    ("[].last_seen", "The same, RFC 3339 with milliseconds."),
    (
        "[].recent_work",
        "Whether the score was measured (work in the last 2 h). Rows by score, then number of capabilities, then address.",
    ),
];

pub(crate) const AGGREGATED_STATS: &[Field] = &[
    (
        "{address}",
        "Orchestrator address, lowercase; never with an empty region map.",
    ),
    (
        "{address}.{REGION}",
        "Region of the gateways that carried the work, uppercase (go-livepeer looks up `strings.ToUpper(-region)`).",
    ),
    (
        "{address}.{REGION}.success_rate",
        "Live video: Σ startup_success_sessions / Σ requested_sessions of `sla_hourly`; batch and LLM: successful / jobs of gold `jobs`.",
    ),
    (
        "{address}.{REGION}.round_trip_score",
        "exp(ln 0.8 · rtt / median): rtt = mean startup latency (live) or mean job duration; median over the successful sessions or jobs of the pipeline and model, all orchestrators and regions, in the window.",
    ),
    (
        "{address}.{REGION}.score",
        "0.65 · success_rate + 0.35 · round_trip_score (0 when success_rate is 0), leaderboard-serverless's formula; with `score=naap`, naap_score / 100 (the Wilson 95 % lower bound of the good-session or successful-job rate; regions without a scored session are left out).",
    ),
];

pub(crate) const TOP_AI_SCORE: &[Field] = &[
    (
        "region",
        "Region of its best combination in the window (by success_rate, then lower round trip).",
    ),
    ("orchestrator", "The address asked for, lowercase."),
    (
        "value",
        "That combination's `score` (0–1), with its pipeline and model's median.",
    ),
    ("pipeline", "Its canonical pipeline."),
    ("model", "Its model."),
];

pub(crate) const LB_PIPELINES: &[Field] = &[
    (
        "pipelines[].id",
        "Canonical pipeline with sessions or jobs in the window (and the region, if given).",
    ),
    ("pipelines[].models", "Its models, sorted."),
    ("pipelines[].regions", "Regions it was carried from, uppercase."),
];

pub(crate) const REGIONS: &[Field] = &[
    (
        "regions[].id",
        "`GLOBAL`, then each region sessions or jobs came from in the last 30 days, uppercase.",
    ),
    (
        "regions[].name",
        "The leaderboard's name for its seeded codes (MDW Chicago, FRA Frankfurt, LAX Los Angeles, …), else the code.",
    ),
    ("regions[].type", "`ai` (naap has no transcoding tests)."),
];
