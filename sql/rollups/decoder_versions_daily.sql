-- decoder_versions_daily: how many rows of each silver dataset (by event day) and of dead
-- letters (by the day they were received) each decoder version produced; decoder_version
-- NULL: rows decoded before naap recorded versions. Days with rows of an older version than
-- the current one (`pipeline::DecoderVersion::CURRENT`) are what `naap reprocess` would
-- re-derive. Every silver dataset is listed (a test checks it).
WITH counted AS (
    SELECT date_trunc('day', event_ts) AS window_start, 'stream_trace' AS dataset, decoder_version FROM stream_trace
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'ai_stream_status' AS dataset, decoder_version FROM ai_stream_status
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'ai_stream_events' AS dataset, decoder_version FROM ai_stream_events
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'stream_ingest_metrics' AS dataset, decoder_version FROM stream_ingest_metrics
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'discovery_results' AS dataset, decoder_version FROM discovery_results
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'capability_orchestrators' AS dataset, decoder_version FROM capability_orchestrators
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'capability_models' AS dataset, decoder_version FROM capability_models
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'capability_prices' AS dataset, decoder_version FROM capability_prices
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'capability_gpus' AS dataset, decoder_version FROM capability_gpus
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'payments' AS dataset, decoder_version FROM payments
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'signed_tickets' AS dataset, decoder_version FROM signed_tickets
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'ai_batch_requests' AS dataset, decoder_version FROM ai_batch_requests
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'llm_requests' AS dataset, decoder_version FROM llm_requests
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'byoc_job_events' AS dataset, decoder_version FROM byoc_job_events
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'test_results' AS dataset, decoder_version FROM test_results
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'orchestrator_registry' AS dataset, decoder_version FROM orchestrator_registry
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'node_metrics' AS dataset, decoder_version FROM node_metrics
    UNION ALL
    SELECT date_trunc('day', event_ts) AS window_start, 'collector_polls' AS dataset, decoder_version FROM collector_polls
    UNION ALL
    SELECT date_trunc('day', ingested_at) AS window_start, 'dead_letters' AS dataset, decoder_version FROM dead_letters
)
SELECT window_start, dataset, CAST(decoder_version AS BIGINT) AS decoder_version, count(*) AS rows
FROM counted
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
