-- outages: the fast-burn (page) alert episodes of `alerts` (its query is inlined, over the same
-- range) as outage records: when the service broke (started_at) and came back (ended_at: the
-- alert's resolution; NULL while it fires), who (the network or one orchestrator) and what was
-- affected: the failed organic live sessions from an hour before the alert (the burn it
-- detected) to its end, and their models.
SELECT a.objective, a.scope, a.orchestrator_address, a.started_at, a.resolved_at AS ended_at, a.status,
       a.peak_burn_rate,
       count(s.session_id)                                          AS failed_sessions,
       string_agg(DISTINCT s.model_id, ', ' ORDER BY s.model_id)   AS models
FROM ({alerts}) a
LEFT JOIN sessions s
  ON s.requested AND s.startup_outcome = 'failed' AND coalesce(s.traffic_class, 'organic') = 'organic'
 AND (a.scope = 'network' OR s.orchestrator_address = a.orchestrator_address)
 AND s.started_at > a.started_at - INTERVAL '1 hour'
 AND s.started_at <= coalesce(a.resolved_at, to_timestamp_millis(CAST($2 AS BIGINT)))
WHERE a.severity = 'page'
GROUP BY a.objective, a.scope, a.orchestrator_address, a.started_at, a.resolved_at, a.status, a.peak_burn_rate
