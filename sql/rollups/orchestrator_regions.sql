-- orchestrator_regions: where each orchestrator node probably is, per day, inferred from
-- discovery latency: the region of the gateway (regions come from configuration,
-- `gateway_regions`) that measured the lowest median discovery latency to the node that day.
-- Always marked inferred; nodes only seen by gateways of unknown region get no row.
-- Source: silver discovery_results (one row per orchestrator per pool query), deduplicated.
WITH probes AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY event_id, rank ORDER BY envelope_ts) AS copy
        FROM discovery_results
    ) WHERE copy = 1 AND latency_ms IS NOT NULL AND coalesce(orchestrator_url, '') <> ''
),
by_gateway AS (
    SELECT
        date_trunc('day', p.event_ts) AS window_start,
        p.orchestrator_url,
        max(p.orchestrator_address) AS orchestrator_signer,
        gr.region,
        p.gateway,
        median(p.latency_ms) AS median_latency_ms,
        count(*) AS probes
    FROM probes p
    JOIN gateway_regions gr ON gr.gateway = p.gateway
    GROUP BY 1, 2, 4, 5
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY window_start, orchestrator_url
                                 ORDER BY median_latency_ms, region, gateway) AS closest,
           count(*) OVER (PARTITION BY window_start, orchestrator_url) AS gateways
    FROM by_gateway
)
SELECT
    window_start, orchestrator_url, orchestrator_signer, region,
    true AS inferred,
    gateway AS closest_gateway,
    round(median_latency_ms, 3) AS median_latency_ms,
    probes,
    gateways AS gateways_measuring
FROM ranked
WHERE closest = 1
ORDER BY 1, 2
