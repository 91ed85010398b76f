//! GPU supply headline figures, shared by every surface that counts GPUs.
//!
//! GPU ids churn: an orchestrator restarted or re-provisioned reports the same cards under
//! new ids (the predecessor saw 76 ids for 8 GPUs in a week), so counting distinct ids over a
//! window counts restarts, not cards. One `network_capabilities` message is a gateway's view
//! of the network at one moment and lists each installed GPU of each node once (per model it
//! serves: the ids repeat across models), so the physical estimate of an orchestrator over a
//! window is the most distinct GPU ids one message listed for it (all its nodes); the
//! network's is the sum over orchestrators. The raw id count is published beside
//! it as `gpu_ids_seen`. (`gpu_inventory` applies the same rule per hour × model.)

/// Per orchestrator (`address`, lowercase): `gpus`, its physical estimate, and
/// `gpu_ids_seen`, the distinct ids, over the `capability_gpus` rows that `filter` (a SQL
/// condition) keeps.
pub fn gpus_per_orchestrator_sql(filter: &str) -> String {
    format!(
        "SELECT r.address, max(r.listed) AS gpus, max(s.ids_seen) AS gpu_ids_seen \
         FROM (SELECT lower(orchestrator_address) AS address, event_id, count(DISTINCT gpu_id) AS listed \
               FROM capability_gpus WHERE ({filter}) AND gpu_id IS NOT NULL GROUP BY 1, 2) r \
         JOIN (SELECT lower(orchestrator_address) AS address, count(DISTINCT gpu_id) AS ids_seen \
               FROM capability_gpus WHERE ({filter}) AND gpu_id IS NOT NULL GROUP BY 1) s \
           ON s.address = r.address \
         GROUP BY r.address"
    )
}
