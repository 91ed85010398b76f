//! Health states, served as gauges: the verdicts of the latest hour each health dataset holds
//! (`rollups/health_states.sql` and `rollups/data_health_states.sql` define the rules).

/// Every rule of the latest hour of gold `health_states` that could judge: orchestrator,
/// pipeline, model ('' when none), rule and whether it found the orchestrator degraded.
pub const LATEST_ORCHESTRATOR_VERDICTS: &str = "SELECT orchestrator_address, pipeline, \
        coalesce(model_id, '') AS model_id, rule, degraded FROM health_states \
     WHERE degraded IS NOT NULL AND window_start = (SELECT max(window_start) FROM health_states) \
     ORDER BY orchestrator_address, pipeline, model_id, rule";

/// Every rule of the latest hour of gold `data_health_states` that could judge: source kind,
/// org ('' when none), family, rule and whether it found the data degraded.
pub const LATEST_DATA_VERDICTS: &str = "SELECT source_kind, coalesce(org, '') AS org, family, rule, degraded \
     FROM data_health_states \
     WHERE degraded IS NOT NULL AND window_start = (SELECT max(window_start) FROM data_health_states) \
     ORDER BY source_kind, org, family, rule";
