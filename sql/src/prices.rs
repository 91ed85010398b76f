//! Advertised prices as a buyer compares them: what each orchestrator last asked for one
//! pipeline and model over a window, beside its service (`/v1/price-performance`).

use crate::compat::CANONICAL_PIPELINE;

/// Per orchestrator (`orchestrator_address`, lowercase), the price per unit it advertised
/// last in `[$1, $2)` for pipeline `$3` (canonical id) and model `$4`, the lowest and highest
/// it advertised in the window, and when it was last seen. A price is per model (AI
/// capabilities are priced per constraint), so the model is not optional; the orchestrator's
/// default price (no capability) is not a price of any pipeline and is left out. When one
/// address advertises from several URLs, the latest report wins, then the greater URL, so
/// that the answer does not depend on the scan order.
pub fn latest_prices() -> String {
    format!(
        "SELECT lower(orchestrator_address) AS orchestrator_address, \
                last_value(price_wei_per_unit ORDER BY last_seen, window_start, orchestrator_url) AS price_wei_per_unit, \
                min(min_price_wei_per_unit) AS min_price_wei_per_unit, \
                max(max_price_wei_per_unit) AS max_price_wei_per_unit, \
                sum(quotes) AS quotes, max(last_seen) AS price_last_seen \
         FROM prices \
         WHERE window_start >= $1 AND window_start < $2 AND capability_id IS NOT NULL \
           AND ({CANONICAL_PIPELINE}) = $3 AND \"constraint\" = $4 \
         GROUP BY 1"
    )
}
