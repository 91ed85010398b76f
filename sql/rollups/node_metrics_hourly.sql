-- node_metrics_hourly: the AI and payment metrics of go-livepeer nodes (telemetry reference
-- §8.2 and §8.4) per hour and series, from silver `node_metrics` (Prometheus pages polled by
-- `naap collect`). A series is a target, node and metric with its full label set.
--
-- Counters: `increase` is the sum of the rises between consecutive samples of the series.
-- A sample lower than the one before is a reset (the node restarted and counts from zero), so
-- its rise is its own value, as Prometheus' increase() does. The series' first sample ever has
-- nothing to rise from: an hour holding only that sample has a NULL increase. The previous
-- sample may lie in the hour before (the rollup reads one hour back).
-- Gauges: the last value of the hour and its range.
WITH samples AS (
    SELECT
        target, node_id, node_type, metric, labels, metric_type, pipeline, model_name,
        orchestrator_uri, error_code, sender, event_ts, value,
        lag(value) OVER (PARTITION BY target, node_id, metric, labels ORDER BY event_ts) AS previous
    FROM node_metrics
    WHERE target IS NOT NULL AND labels IS NOT NULL AND value IS NOT NULL AND metric IN (
        'livepeer_ai_models_requested', 'livepeer_ai_request_errors', 'livepeer_ai_result_save_failed_total',
        'livepeer_ai_live_attempt', 'livepeer_ai_request_latency_score', 'livepeer_ai_request_price',
        'livepeer_ai_container_in_use', 'livepeer_ai_container_idle', 'livepeer_ai_gpus_idle',
        'livepeer_live_ai_price_per_pixel', 'livepeer_ai_current_live_pipelines',
        'livepeer_ai_orchestrators_available_total',
        'livepeer_ticket_value_sent', 'livepeer_tickets_sent', 'livepeer_payment_create_errors',
        'livepeer_ticket_value_recv', 'livepeer_tickets_recv', 'livepeer_winning_tickets_recv',
        'livepeer_payment_recv_errors', 'livepeer_value_redeemed', 'livepeer_ticket_redemption_errors',
        'livepeer_gateway_deposit', 'livepeer_gateway_reserve', 'livepeer_transcoding_price',
        'livepeer_price_per_capability'
    )
),
rises AS (
    SELECT
        *,
        date_trunc('hour', event_ts) AS window_start,
        CASE
            WHEN metric_type <> 'counter' OR previous IS NULL THEN NULL
            WHEN value >= previous THEN value - previous
            ELSE value
        END AS rise,
        CASE WHEN metric_type = 'counter' AND value < previous THEN 1 ELSE 0 END AS reset
    FROM samples
)
SELECT
    window_start, target, node_id, max(node_type) AS node_type, metric, labels,
    last_value(metric_type ORDER BY event_ts)             AS metric_type,
    max(pipeline)                                         AS pipeline,
    max(model_name)                                       AS model_name,
    max(orchestrator_uri)                                 AS orchestrator_uri,
    max(error_code)                                       AS error_code,
    max(sender)                                           AS sender,
    count(*)                                              AS samples,
    round(sum(rise), 6)                                   AS increase,
    sum(reset)                                            AS resets,
    last_value(value ORDER BY event_ts)                   AS last_value,
    min(value)                                            AS min_value,
    max(value)                                            AS max_value,
    max(event_ts)                                         AS last_seen
FROM rises
GROUP BY window_start, target, node_id, metric, labels
ORDER BY window_start, target, node_id, metric, labels
