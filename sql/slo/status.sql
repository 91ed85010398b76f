-- slo_status: each objective's state at $1 (ms since the epoch) for the network and every
-- orchestrator with an organic live session in the 30 days before.
--
-- * events_30d / errors_30d: the objective's events (requested, not excused live sessions)
--   and errors (failed starts) in (at − 30 days, at]; success_rate_30d = 1 − errors / events.
-- * error_budget_remaining = 1 − errors_30d / ((1 − target) × events_30d): the share of the
--   30-day error budget left (negative when overspent); NULL without events.
-- * evaluated_at, burn_rate_1h, burn_rate_6h, page, ticket: the latest evaluation of
--   slo_burn_rates at or before `at`, within the 6 hours before it (NULL without one: no
--   session in those 6 hours, so nothing burns).
WITH bounds AS (
    SELECT to_timestamp_millis(CAST($1 AS BIGINT)) AS at_ts
),
objectives AS (
    SELECT objective, max(objective_version) AS objective_version,
           max(objective_target) AS objective_target
    FROM slo_burn_rates GROUP BY objective
),
budget AS (
    SELECT CASE WHEN grouping(orchestrator_address) = 0 THEN 'orchestrator' ELSE 'network' END AS scope,
           orchestrator_address,
           count(*)                                              AS events_30d,
           count(*) FILTER (WHERE startup_outcome = 'failed')    AS errors_30d
    FROM sessions, bounds b
    WHERE requested AND startup_outcome IN ('success', 'failed')
      AND coalesce(traffic_class, 'organic') = 'organic'
      AND started_at > b.at_ts - INTERVAL '30 days' AND started_at <= b.at_ts
    GROUP BY GROUPING SETS ((orchestrator_address), ())
),
latest AS (
    SELECT * FROM (
        SELECT r.*, row_number() OVER (PARTITION BY objective, scope, orchestrator_address
                                       ORDER BY evaluated_at DESC) AS recency
        FROM slo_burn_rates r, bounds b
        WHERE r.evaluated_at <= b.at_ts AND r.evaluated_at > b.at_ts - INTERVAL '6 hours'
    ) WHERE recency = 1
)
SELECT o.objective, o.objective_version, o.objective_target, g.scope, g.orchestrator_address,
       g.events_30d, g.errors_30d,
       round(1 - CAST(g.errors_30d AS DOUBLE) / nullif(g.events_30d, 0), 6)                      AS success_rate_30d,
       round(1 - CAST(g.errors_30d AS DOUBLE) / nullif((1 - o.objective_target) * g.events_30d, 0), 6) AS error_budget_remaining,
       l.evaluated_at, l.burn_rate_1h, l.burn_rate_6h, l.page, l.ticket
FROM budget g
CROSS JOIN objectives o
LEFT JOIN latest l
  ON l.objective = o.objective AND l.scope = g.scope
 AND (l.orchestrator_address IS NOT DISTINCT FROM g.orchestrator_address)
WHERE NOT (g.scope = 'orchestrator' AND g.orchestrator_address IS NULL)
