//! Service-level objectives, served: the state of each objective (error budget left, the
//! latest burn rates), the burn-rate alerts as episodes (firing and resolved) and outage
//! records, all derived from gold `slo_burn_rates` (`rollups/slo_burn_rates.sql` defines the
//! objectives and the alert rules) and `sessions` when asked, for a time or range the caller
//! gives. The SQL files in `slo/` say what every column means.

/// Alert episodes evaluated in [`$1`, `$2`] (ms since the epoch), unordered.
pub const ALERTS: &str = include_str!("../slo/alerts.sql");

/// Outage records (fast-burn episodes) in [`$1`, `$2`], unordered.
pub fn outages() -> String {
    include_str!("../slo/outages.sql").replace("{alerts}", ALERTS)
}

/// Each objective's state at `$1` (ms since the epoch), unordered.
pub const STATUS: &str = include_str!("../slo/status.sql");

/// `query` (one of the above) with `filters` (SQL predicates over its columns, ANDed) and an
/// order.
pub fn filtered(query: &str, filters: &[String], order: &str) -> String {
    let mut sql = format!("SELECT * FROM ({query}) q");
    if !filters.is_empty() {
        sql += &format!(" WHERE {}", filters.join(" AND "));
    }
    format!("{sql} ORDER BY {order}")
}
