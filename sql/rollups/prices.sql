-- prices: advertised prices over time, per hour × orchestrator × capability × constraint
-- (the model for AI capabilities; NULL for the orchestrator's default price), from silver
-- `capability_prices` (network_capabilities reports, every 25 min per gateway). The row holds
-- the last price advertised in the hour, and the range seen across the hour's reports.
WITH quotes AS (
    SELECT
        date_trunc('hour', event_ts) AS window_start, orchestrator_address, orchestrator_url,
        capability_id, capability_name, "constraint", event_ts, price_per_unit, pixels_per_unit, price_wei_per_unit
    FROM capability_prices
    WHERE coalesce(orchestrator_address, '') <> ''
)
SELECT
    window_start, orchestrator_address, orchestrator_url, capability_id, capability_name, "constraint",
    last_value(price_per_unit ORDER BY event_ts)                      AS price_per_unit,
    last_value(pixels_per_unit ORDER BY event_ts)                     AS pixels_per_unit,
    round(last_value(price_wei_per_unit ORDER BY event_ts), 9)        AS price_wei_per_unit,
    round(min(price_wei_per_unit), 9)                                 AS min_price_wei_per_unit,
    round(max(price_wei_per_unit), 9)                                 AS max_price_wei_per_unit,
    count(*)                                                          AS quotes,
    max(event_ts)                                                     AS last_seen
FROM quotes
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
