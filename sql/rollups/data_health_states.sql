-- data_health_states: each hour, every source kind × org × family of data_quality_hourly held
-- against the data-quality floors, rule by rule, with the evidence: the hour's value, the
-- threshold and the messages behind it. The rules (versioned here; a change is a new metric
-- version):
--
-- * freshness_lag_p90 v1: the hour's p90 ingestion lag (ingest time − event time) is above
--   2 minutes. Not judged for file replays (source_kind 'file'): a replay's lag is its age.
-- * completeness_floor v1: fewer than 75 % of the events the family's cadence expects
--   (ai_stream_status, stream_ingest_metrics, network_capabilities; see
--   data_quality_hourly). Events are counted in their own hour and the expectation in the
--   hour the session started, so a healthy hour reads 85–100 %, not exactly 100 %.
-- * ingestion_success_floor v1: fewer than 99 % of the messages accepted (events / (events +
--   dead letters)), with at least 20 messages.
--
-- degraded: true or false; NULL when the rule cannot judge (no expectation, too few messages,
-- a replay). state (on every rule row of a source × org × family hour): 'degraded' when a
-- rule is, else 'healthy' when a rule could judge, else 'unknown'.
WITH quality AS (
    SELECT window_start, source_kind, org, family, events, dead_letters, lag_ms_p90,
           expected_events, completeness, accepted_share
    FROM data_quality_hourly
),
evidence AS (
    SELECT window_start, source_kind, org, family,
           'freshness_lag_p90' AS rule, lag_ms_p90 AS value, 120000.0 AS threshold, events AS samples,
           CASE WHEN source_kind <> 'file' AND events > 0 THEN lag_ms_p90 > 120000.0 END AS degraded
    FROM quality
    UNION ALL
    SELECT window_start, source_kind, org, family,
           'completeness_floor', completeness, 0.75, events,
           CASE WHEN expected_events > 0 THEN completeness < 0.75 END
    FROM quality
    UNION ALL
    SELECT window_start, source_kind, org, family,
           'ingestion_success_floor', accepted_share, 0.99, events + dead_letters,
           CASE WHEN events + dead_letters >= 20 THEN accepted_share < 0.99 END
    FROM quality
)
SELECT
    window_start, source_kind, org, family, rule,
    1                                                                    AS rule_version,
    round(value, 6)                                                      AS value,
    threshold,
    samples, degraded,
    CASE WHEN bool_or(degraded) OVER (PARTITION BY window_start, source_kind, org, family) THEN 'degraded'
         WHEN count(degraded) OVER (PARTITION BY window_start, source_kind, org, family) > 0 THEN 'healthy'
         ELSE 'unknown' END                                              AS state
FROM evidence
ORDER BY window_start, source_kind, org, family, rule
