-- alerts: the firing episodes of slo_burn_rates' alerts evaluated in [$1, $2] (ms since the
-- epoch), per objective, scope, orchestrator and severity (page: fast burn; ticket: slow).
--
-- * An episode is a run of consecutive firing evaluations. started_at: its first firing
--   evaluation (the range's first, when it began before the range: started_in_range false).
-- * resolved_at: the first evaluation after the run that no longer fires; when the
--   orchestrator had no evaluation after it (no session in the 6 hours), the next 5-minute mark;
--   NULL while the latest evaluation still fires (status 'firing', else 'resolved').
-- * peak_burn_rate: the highest long-window burn rate of the episode (1 h for page, 6 h for
--   ticket); evaluations: how many firing evaluations it spans.
WITH evaluations AS (
    SELECT evaluated_at, objective, scope, orchestrator_address, 'page' AS severity,
           page AS firing, burn_rate_1h AS long_burn
    FROM slo_burn_rates
    WHERE evaluated_at >= to_timestamp_millis(CAST($1 AS BIGINT)) AND evaluated_at <= to_timestamp_millis(CAST($2 AS BIGINT))
    UNION ALL
    SELECT evaluated_at, objective, scope, orchestrator_address, 'ticket' AS severity,
           ticket AS firing, burn_rate_6h AS long_burn
    FROM slo_burn_rates
    WHERE evaluated_at >= to_timestamp_millis(CAST($1 AS BIGINT)) AND evaluated_at <= to_timestamp_millis(CAST($2 AS BIGINT))
),
latest AS (
    SELECT max(evaluated_at) AS latest, min(evaluated_at) AS earliest FROM evaluations
),
marked AS (
    SELECT e.*,
           coalesce(lag(firing) OVER (PARTITION BY objective, scope, orchestrator_address, severity ORDER BY evaluated_at), false) AS was_firing,
           lead(evaluated_at) OVER (PARTITION BY objective, scope, orchestrator_address, severity ORDER BY evaluated_at) AS next_at
    FROM evaluations e
),
numbered AS (
    SELECT m.*,
           sum(CASE WHEN firing AND NOT was_firing THEN 1 ELSE 0 END) OVER (
               PARTITION BY objective, scope, orchestrator_address, severity ORDER BY evaluated_at
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS episode
    FROM marked m
),
episodes AS (
    SELECT objective, scope, orchestrator_address, severity, episode,
           min(evaluated_at) AS started_at,
           max(evaluated_at) AS last_firing_at,
           count(*) AS evaluations,
           max(long_burn) AS peak_burn_rate
    FROM numbered
    WHERE firing
    GROUP BY objective, scope, orchestrator_address, severity, episode
)
SELECT
    ep.objective, ep.scope, ep.orchestrator_address, ep.severity,
    ep.started_at, ep.started_at > l.earliest                                    AS started_in_range,
    coalesce(n.next_at,
             CASE WHEN ep.last_firing_at < l.latest THEN ep.last_firing_at + INTERVAL '5 minutes' END) AS resolved_at,
    CASE WHEN ep.last_firing_at < l.latest OR n.next_at IS NOT NULL THEN 'resolved' ELSE 'firing' END AS status,
    ep.evaluations, ep.peak_burn_rate
FROM episodes ep
CROSS JOIN latest l
LEFT JOIN numbered n
  ON n.objective = ep.objective AND n.scope = ep.scope AND n.severity = ep.severity
 AND (n.orchestrator_address IS NOT DISTINCT FROM ep.orchestrator_address)
 AND n.evaluated_at = ep.last_firing_at
