//! Rolling windows per orchestrator, region and network: the last 30 minutes, 1, 7 and 30
//! days before an evaluation time, with exact percentiles computed from session- and
//! job-level rows (`windows/orchestrator_windows.sql` says what each figure means).
//!
//! Unlike the rollups, a window moves with the clock, so it is computed when asked, as of a
//! time the caller gives (the server's clock, or a fixed one in tests).

use crate::traffic::TrafficClass;

/// The windows query, unordered: `$1` the evaluation time (ms since the epoch, the end of
/// every window), `$2` the traffic class (`organic`, `probe` or `all`).
pub const ORCHESTRATOR_WINDOWS: &str = include_str!("../windows/orchestrator_windows.sql");

/// The order of the rows: shortest window first, then scope, pipeline, model, region and
/// orchestrator.
const ORDER: &str = "CASE \"window\" WHEN '30m' THEN 1 WHEN '1d' THEN 2 WHEN '7d' THEN 3 ELSE 4 END, \
     scope, pipeline, model_id, region, gpu_name, orchestrator_address, orchestrator_url";

/// The windows query with `filters` (SQL predicates over its columns, ANDed; their
/// parameters numbered from `$3`), in order.
pub fn query(filters: &[String]) -> String {
    crate::slo::filtered(ORCHESTRATOR_WINDOWS, filters, ORDER)
}

/// The windows, shortest first, as the query names them.
pub const WINDOWS: [&str; 4] = ["30m", "1d", "7d", "30d"];

/// The longest window, ms: how far back the query reads.
pub const LONGEST_WINDOW_MS: i64 = 30 * 86_400_000;

/// The query's parameters, in order; `class` `None` is every class.
pub fn parameters(as_of_ms: i64, class: Option<TrafficClass>) -> Vec<datafusion::scalar::ScalarValue> {
    use datafusion::scalar::ScalarValue;
    vec![
        ScalarValue::Int64(Some(as_of_ms)),
        ScalarValue::Utf8(Some(class.map_or("all", TrafficClass::name).to_string())),
    ]
}
