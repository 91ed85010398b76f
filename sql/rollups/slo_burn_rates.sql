-- slo_burn_rates: multi-window, multi-burn-rate alerting on service-level objectives (the SRE
-- workbook's method, chapter "Alerting on SLOs"), evaluated every 5 minutes per orchestrator
-- (on-chain address) and for the network, on organic traffic.
--
-- Objectives (versioned here; a change is a new metric version):
-- * live_startup_success v1: 95 % of the requested live sessions that were not excused start
--   (startup_outcome 'success' among 'success' and 'failed'), over 30 days. Error budget 5 %.
--
-- * evaluated_at: every 5-minute mark from an hour with a session in the 6 hours before it, up
--   to the latest session start (no evaluation of time the data has not reached yet).
-- * events_W / errors_W: sessions (and failed ones) that started in (evaluated_at − W,
--   evaluated_at], for W = 5 min, 30 min, 1 h, 6 h.
-- * burn_rate_W = (errors_W / events_W) / (1 − target): how many times faster than the
--   objective allows the budget burns; NULL without events.
-- * page (fast burn): burn_rate_1h ≥ 14.4 and burn_rate_5m ≥ 14.4, with ≥ 5 events in the hour
--   (2 % of a 30-day budget spent in an hour). ticket (slow burn): burn_rate_6h ≥ 6 and
--   burn_rate_30m ≥ 6, with ≥ 5 events in the 6 hours (5 % in 6 hours). The short window
--   makes an alert stop soon after the burn does.
WITH objectives (objective, objective_version, target, page_burn, ticket_burn, min_events) AS (
    VALUES ('live_startup_success', 1, 0.95, 14.4, 6.0, 5)
),
outcomes AS (
    SELECT orchestrator_address, started_at, startup_outcome = 'failed' AS failed
    FROM sessions
    WHERE requested AND startup_outcome IN ('success', 'failed')
      AND coalesce(traffic_class, 'organic') = 'organic'
),
horizon AS (
    SELECT max(started_at) AS latest FROM outcomes
),
-- Each session in the hours whose evaluations can see it (its own and the six after).
reach (hours_after) AS (
    VALUES (INTERVAL '0 hours'), (INTERVAL '1 hour'), (INTERVAL '2 hours'), (INTERVAL '3 hours'),
           (INTERVAL '4 hours'), (INTERVAL '5 hours'), (INTERVAL '6 hours')
),
marks (minutes) AS (
    VALUES (INTERVAL '0 minutes'), (INTERVAL '5 minutes'), (INTERVAL '10 minutes'), (INTERVAL '15 minutes'),
           (INTERVAL '20 minutes'), (INTERVAL '25 minutes'), (INTERVAL '30 minutes'), (INTERVAL '35 minutes'),
           (INTERVAL '40 minutes'), (INTERVAL '45 minutes'), (INTERVAL '50 minutes'), (INTERVAL '55 minutes')
),
seen AS (
    SELECT o.*, date_trunc('hour', o.started_at) + r.hours_after AS eval_hour
    FROM outcomes o CROSS JOIN reach r
),
evaluations AS (
    SELECT DISTINCT s.eval_hour, s.eval_hour + m.minutes AS evaluated_at
    FROM seen s CROSS JOIN marks m CROSS JOIN horizon h
    WHERE s.eval_hour + m.minutes <= h.latest
),
windowed AS (
    SELECT e.evaluated_at, s.orchestrator_address, s.failed,
           s.started_at > e.evaluated_at - INTERVAL '5 minutes'  AS in_5m,
           s.started_at > e.evaluated_at - INTERVAL '30 minutes' AS in_30m,
           s.started_at > e.evaluated_at - INTERVAL '1 hour'     AS in_1h
    FROM evaluations e
    JOIN seen s ON s.eval_hour = e.eval_hour
     AND s.started_at > e.evaluated_at - INTERVAL '6 hours' AND s.started_at <= e.evaluated_at
),
counted AS (
    SELECT evaluated_at,
           CASE WHEN grouping(orchestrator_address) = 0 THEN 'orchestrator' ELSE 'network' END AS scope,
           orchestrator_address,
           count(*) FILTER (WHERE in_5m)               AS events_5m,
           count(*) FILTER (WHERE in_5m AND failed)    AS errors_5m,
           count(*) FILTER (WHERE in_30m)              AS events_30m,
           count(*) FILTER (WHERE in_30m AND failed)   AS errors_30m,
           count(*) FILTER (WHERE in_1h)               AS events_1h,
           count(*) FILTER (WHERE in_1h AND failed)    AS errors_1h,
           count(*)                                    AS events_6h,
           count(*) FILTER (WHERE failed)              AS errors_6h
    FROM windowed
    GROUP BY GROUPING SETS ((evaluated_at, orchestrator_address), (evaluated_at))
),
rated AS (
    SELECT c.*, o.objective, o.objective_version, o.target, o.page_burn, o.ticket_burn, o.min_events,
           round(CAST(errors_5m AS DOUBLE) / nullif(events_5m, 0) / (1 - o.target), 6)   AS burn_rate_5m,
           round(CAST(errors_30m AS DOUBLE) / nullif(events_30m, 0) / (1 - o.target), 6) AS burn_rate_30m,
           round(CAST(errors_1h AS DOUBLE) / nullif(events_1h, 0) / (1 - o.target), 6)   AS burn_rate_1h,
           round(CAST(errors_6h AS DOUBLE) / nullif(events_6h, 0) / (1 - o.target), 6)   AS burn_rate_6h
    FROM counted c CROSS JOIN objectives o
    WHERE NOT (c.scope = 'orchestrator' AND c.orchestrator_address IS NULL)
)
SELECT
    date_trunc('hour', evaluated_at)                                           AS window_start,
    evaluated_at, objective, objective_version, target AS objective_target, scope, orchestrator_address,
    events_5m, errors_5m, events_30m, errors_30m, events_1h, errors_1h, events_6h, errors_6h,
    burn_rate_5m, burn_rate_30m, burn_rate_1h, burn_rate_6h,
    coalesce(events_1h >= min_events AND burn_rate_1h >= page_burn AND burn_rate_5m >= page_burn, false) AS page,
    coalesce(events_6h >= min_events AND burn_rate_6h >= ticket_burn AND burn_rate_30m >= ticket_burn, false) AS ticket
FROM rated
ORDER BY evaluated_at, objective, scope, orchestrator_address
