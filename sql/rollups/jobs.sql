-- jobs: one row per AI batch, LLM or BYOC request, in the hour it started (request received,
-- else completed). Sources: silver ai_batch_requests, llm_requests, byoc_job_events
-- (job_gateway_completed), each deduplicated on event_id.
--
-- Test-load jobs (kind 'test_load'): naap's own test-load requests (silver test_results, one
-- per request, keyed run/sequence), measured by the client from sending the request to the
-- end of the answer. They name the gateway they went through (`naap-probe-{region}`, in the
-- probe's region), not the orchestrator that served them, and are always probes: they sit
-- beside the network's own jobs of the same pipeline and model for comparison.
--
-- BYOC jobs: the orchestrator's relayed job_orchestrator_completed (when it carries the
-- request id) names the worker that ran the job and the compute it charged; compute_fee_wei
-- = charged_compute × price_per_unit (one unit per started second in the fork).
--
-- traffic_class: 'probe' when a probe rule matches the job's gateway or org (probe_rule says
-- which) or the job is naap's own test load ('naap test load' when no rule names it), else
-- 'organic'.
--
-- error_class (NULL on success): no_orchestrator (the error mentions no orchestrators),
-- timeout (timeout / deadline exceeded), http_4xx / http_5xx (BYOC http_status), the batch
-- event's error_type when set, else other; 'incomplete' when no completion was seen.
WITH batch AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY envelope_ts) AS copy FROM ai_batch_requests
    ) WHERE copy = 1
),
llm AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY envelope_ts) AS copy FROM llm_requests
    ) WHERE copy = 1
),
byoc AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY envelope_ts) AS copy FROM byoc_job_events
    ) WHERE copy = 1 AND family IN ('job_gateway', 'job_orchestrator')
),
test_load AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY envelope_ts) AS copy FROM test_results
    ) WHERE copy = 1
),
all_jobs AS (
    SELECT
        'ai_batch' AS kind, request_id,
        max(gateway) AS gateway,
        max(org) AS org,
        min(event_ts) FILTER (WHERE subtype = 'ai_batch_request_received') AS received_at,
        max(event_ts) FILTER (WHERE subtype = 'ai_batch_request_completed') AS completed_at,
        CAST(NULL AS VARCHAR) AS orchestrator_address,
        max(orchestrator_url) AS orchestrator_url,
        max(pipeline) AS pipeline,
        max(model_id) AS model_id,
        bool_or(success) FILTER (WHERE subtype = 'ai_batch_request_completed') AS success,
        max(tries) AS tries,
        max(duration_ms) FILTER (WHERE subtype = 'ai_batch_request_completed') AS duration_ms,
        max(nullif(error_type, '')) AS error_type,
        max(nullif(error, '')) AS error,
        CAST(NULL AS BIGINT) AS http_status,
        CAST(NULL AS BIGINT) AS prompt_tokens,
        CAST(NULL AS BIGINT) AS completion_tokens,
        CAST(NULL AS BIGINT) AS total_tokens,
        CAST(NULL AS DOUBLE) AS tokens_per_second,
        CAST(NULL AS DOUBLE) AS ttft_ms,
        max(price_per_unit) AS price_per_unit,
        CAST(NULL AS VARCHAR) AS worker_url,
        CAST(NULL AS DOUBLE) AS charged_compute,
        CAST(NULL AS VARCHAR) AS own_region
    FROM batch
    WHERE coalesce(request_id, '') <> ''
    GROUP BY request_id
    UNION ALL
    SELECT
        'llm' AS kind,
        request_id AS request_id,
        max(gateway) AS gateway,
        max(org) AS org,
        min(event_ts) FILTER (WHERE subtype = 'llm_request_started') AS received_at,
        max(event_ts) FILTER (WHERE subtype IN ('llm_request_completed', 'llm_stream_completed')) AS completed_at,
        CAST(NULL AS VARCHAR) AS orchestrator_address,
        max(orchestrator_url) AS orchestrator_url,
        'llm' AS pipeline,
        max(model) AS model_id,
        bool_or(coalesce(error, '') = '') FILTER (WHERE subtype IN ('llm_request_completed', 'llm_stream_completed')) AS success,
        CAST(NULL AS BIGINT) AS tries,
        max(total_duration_ms) AS duration_ms,
        CAST(NULL AS VARCHAR) AS error_type,
        max(nullif(error, '')) AS error,
        CAST(NULL AS BIGINT) AS http_status,
        max(prompt_tokens) AS prompt_tokens,
        max(completion_tokens) AS completion_tokens,
        max(total_tokens) AS total_tokens,
        max(tokens_per_second) AS tokens_per_second,
        max(ttft_ms) AS ttft_ms,
        max(price_per_unit) AS price_per_unit,
        CAST(NULL AS VARCHAR) AS worker_url,
        CAST(NULL AS DOUBLE) AS charged_compute,
        CAST(NULL AS VARCHAR) AS own_region
    FROM llm
    WHERE coalesce(request_id, '') <> ''
    GROUP BY request_id
    UNION ALL
    SELECT
        'byoc' AS kind,
        request_id AS request_id,
        max(gateway) AS gateway,
        max(org) AS org,
        min(event_ts) FILTER (WHERE subtype = 'job_gateway_submitted') AS received_at,
        max(event_ts) FILTER (WHERE subtype = 'job_gateway_completed') AS completed_at,
        last_value(orchestrator_address ORDER BY event_ts) AS orchestrator_address,
        last_value(orchestrator_url ORDER BY event_ts) AS orchestrator_url,
        'byoc' AS pipeline,
        max(capability) AS model_id,
        bool_or(success) FILTER (WHERE subtype = 'job_gateway_completed') AS success,
        count(*) FILTER (WHERE subtype = 'job_gateway_submitted') AS tries,
        max(duration_ms) FILTER (WHERE subtype = 'job_gateway_completed') AS duration_ms,
        CAST(NULL AS VARCHAR) AS error_type,
        max(nullif(error, '')) AS error,
        max(http_status) FILTER (WHERE subtype = 'job_gateway_completed') AS http_status,
        CAST(NULL AS BIGINT) AS prompt_tokens,
        CAST(NULL AS BIGINT) AS completion_tokens,
        CAST(NULL AS BIGINT) AS total_tokens,
        CAST(NULL AS DOUBLE) AS tokens_per_second,
        CAST(NULL AS DOUBLE) AS ttft_ms,
        max(price_per_unit) AS price_per_unit,
        max(nullif(worker_url, '')) FILTER (WHERE subtype = 'job_orchestrator_completed') AS worker_url,
        sum(charged_compute) FILTER (WHERE subtype = 'job_orchestrator_completed') AS charged_compute,
        CAST(NULL AS VARCHAR) AS own_region
    FROM byoc
    WHERE coalesce(request_id, '') <> ''
      AND subtype IN ('job_gateway_submitted', 'job_gateway_completed', 'job_orchestrator_completed')
    GROUP BY request_id
    UNION ALL
    SELECT
        'test_load' AS kind,
        concat(run_id, '/', CAST(sequence AS VARCHAR)) AS request_id,
        gateway,
        org,
        event_ts AS received_at,
        to_timestamp_millis(started_at_ms + CAST(round(latency_ms) AS BIGINT)) AS completed_at,
        CAST(NULL AS VARCHAR) AS orchestrator_address,
        CAST(NULL AS VARCHAR) AS orchestrator_url,
        pipeline,
        model_id,
        success,
        CAST(NULL AS BIGINT) AS tries,
        latency_ms AS duration_ms,
        nullif(error_class, '') AS error_type,
        nullif(error, '') AS error,
        http_status,
        CAST(NULL AS BIGINT) AS prompt_tokens,
        CAST(NULL AS BIGINT) AS completion_tokens,
        CAST(NULL AS BIGINT) AS total_tokens,
        CAST(NULL AS DOUBLE) AS tokens_per_second,
        CAST(NULL AS DOUBLE) AS ttft_ms,
        CAST(NULL AS BIGINT) AS price_per_unit,
        CAST(NULL AS VARCHAR) AS worker_url,
        CAST(NULL AS DOUBLE) AS charged_compute,
        nullif(probe_region, '') AS own_region
    FROM test_load
    WHERE coalesce(run_id, '') <> '' AND sequence IS NOT NULL AND started_at_ms IS NOT NULL
),
-- Each job with the probe rules its gateway or org matches (jobs have no stream id); the first
-- rule in configured order is the one recorded.
classified AS (
    SELECT j.*, pr.rule AS probe_rule,
           row_number() OVER (PARTITION BY j.kind, j.request_id ORDER BY pr.position NULLS LAST) AS rule_rank
    FROM all_jobs j
    LEFT JOIN probe_rules pr
      ON (pr.field = 'gateway' AND coalesce(j.gateway, '') LIKE pr.pattern)
      OR (pr.field = 'org' AND coalesce(j.org, '') LIKE pr.pattern)
)
SELECT
    date_trunc('hour', coalesce(received_at, completed_at))          AS window_start,
    concat(kind, '|', request_id)                                     AS job_id,
    kind,
    request_id,
    nullif(j.gateway, '')                                             AS gateway,
    coalesce(gr.region, j.own_region)                                 AS region,
    j.org                                                             AS org,
    CASE WHEN probe_rule IS NULL AND kind <> 'test_load' THEN 'organic' ELSE 'probe' END AS traffic_class,
    CASE WHEN kind = 'test_load' THEN coalesce(probe_rule, 'naap test load') ELSE probe_rule END AS probe_rule,
    nullif(orchestrator_address, '')                                  AS orchestrator_address,
    nullif(orchestrator_url, '')                                      AS orchestrator_url,
    coalesce(nullif(pipeline, ''), kind)                              AS pipeline,
    nullif(model_id, '')                                              AS model_id,
    coalesce(received_at, completed_at)                               AS started_at,
    completed_at,
    completed_at IS NOT NULL                                          AS completed,
    success,
    CASE WHEN kind = 'byoc' AND tries = 0 THEN NULL ELSE tries END    AS tries,
    round(duration_ms, 3)                                             AS duration_ms,
    CASE
        WHEN completed_at IS NULL THEN 'incomplete'
        WHEN success THEN NULL
        WHEN lower(coalesce(error, '')) LIKE '%no orchestrator%' THEN 'no_orchestrator'
        WHEN lower(coalesce(error, '')) LIKE '%timeout%' OR lower(coalesce(error, '')) LIKE '%deadline exceeded%' THEN 'timeout'
        WHEN http_status >= 500 THEN 'http_5xx'
        WHEN http_status >= 400 THEN 'http_4xx'
        WHEN error_type IS NOT NULL THEN lower(error_type)
        ELSE 'other'
    END                                                               AS error_class,
    error,
    http_status,
    prompt_tokens,
    completion_tokens,
    total_tokens,
    round(tokens_per_second, 6)                                       AS tokens_per_second,
    round(ttft_ms, 3)                                                 AS ttft_ms,
    price_per_unit,
    worker_url,
    charged_compute,
    CAST(round(charged_compute * price_per_unit) AS DECIMAL(38, 0))  AS compute_fee_wei
FROM classified j
LEFT JOIN gateway_regions gr ON gr.gateway = j.gateway
WHERE j.rule_rank = 1 AND coalesce(received_at, completed_at) IS NOT NULL
ORDER BY window_start, job_id
