//! Silver `payments` (`create_new_payment`, §4.7) and `signed_tickets`
//! (`create_signed_ticket`, §4.8). Money is kept exact: face values in wei as integers,
//! expected values as decimals with the win probability's 10 places.

use lakehouse_layout::Dataset;
use lakehouse_layout::schema::EV_SCALE;
use serde::Deserialize;

use super::de::{opt_f64, opt_i64, opt_i128, opt_text, opt_time_ms, parse_decimal};
use super::{Common, silver_row};

silver_row! {
    /// One ticket batch created by a gateway.
    PaymentRow => Dataset::Payments, {
        capability: S,
        client_ip: S,
        request_id: S,
        manifest_id: S,
        session_id: S,
        recipient: S,
        sender: S,
        orchestrator_url: S,
        face_value_text: S,
        face_value_wei: D0,
        win_prob: F,
        win_prob_text: S,
        expected_value_wei: D10,
        num_tickets: I,
        total_expected_value_wei: D10,
        price_wei_per_pixel: F,
    }
}

/// Every value of `create_new_payment` is a string.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentPayload {
    #[serde(default, deserialize_with = "opt_text")]
    capability: Option<String>,
    #[serde(default, rename = "clientIP", deserialize_with = "opt_text")]
    client_ip: Option<String>,
    #[serde(default, rename = "requestID", deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, rename = "manifestID", deserialize_with = "opt_text")]
    manifest_id: Option<String>,
    #[serde(default, rename = "sessionID", deserialize_with = "opt_text")]
    session_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    recipient: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    sender: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orchestrator: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    face_value: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    win_prob: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    price: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    num_tickets: Option<i64>,
}

/// Parses a face value: `"<integer> WEI"` (below 0.01 ETH) or `"<decimal> ETH"` (up to 18
/// decimals), exactly, to wei. `GWEI` and a bare number (wei) are accepted too. `None` when
/// the text is not an exact amount in a known unit.
pub fn parse_face_value(text: &str) -> Option<i128> {
    let mut parts = text.split_whitespace();
    let number = parts.next()?;
    let unit = parts.next().unwrap_or("wei").to_ascii_lowercase();
    if parts.next().is_some() {
        return None;
    }
    let decimals = match unit.as_str() {
        "wei" => 0,
        "gwei" => 9,
        "eth" | "ether" => 18,
        _ => return None,
    };
    parse_decimal(number, decimals).filter(|wei| *wei >= 0)
}

/// `"1635.021 wei/pixel"` → 1635.021.
fn parse_price(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

pub(crate) fn decode_payment(common: Common, data: &str) -> Result<PaymentRow, String> {
    let p: PaymentPayload = serde_json::from_str(data).map_err(|e| format!("create_new_payment payload: {e}"))?;
    let face_value_wei = p.face_value.as_deref().and_then(parse_face_value);
    let win_prob_scaled = p
        .win_prob
        .as_deref()
        .and_then(|w| parse_decimal(w.trim(), EV_SCALE as u32))
        .filter(|w| (0..=10_i128.pow(EV_SCALE as u32)).contains(w));
    let expected_value_wei = face_value_wei.zip(win_prob_scaled).and_then(|(f, w)| f.checked_mul(w));
    Ok(PaymentRow {
        common,
        capability: p.capability,
        client_ip: p.client_ip,
        request_id: p.request_id,
        manifest_id: p.manifest_id,
        session_id: p.session_id,
        recipient: p.recipient.map(|a| a.to_ascii_lowercase()),
        sender: p.sender.map(|a| a.to_ascii_lowercase()),
        orchestrator_url: p.orchestrator,
        face_value_text: p.face_value,
        face_value_wei,
        win_prob: p.win_prob.as_deref().and_then(|w| w.trim().parse().ok()),
        win_prob_text: p.win_prob,
        expected_value_wei,
        num_tickets: p.num_tickets,
        total_expected_value_wei: expected_value_wei
            .zip(p.num_tickets)
            .and_then(|(ev, n)| ev.checked_mul(i128::from(n))),
        price_wei_per_pixel: p.price.as_deref().and_then(parse_price),
    })
}

silver_row! {
    /// One remote-signer live payment.
    SignedTicketRow => Dataset::SignedTickets, {
        app: S,
        auth_id: S,
        billable_secs: F,
        pixels: I,
        computed_fee_wei: D0,
        session_balance_wei: D0,
        cost: F,
        current_time: T,
        previous_time: T,
        manifest_id: S,
        request_id: S,
        session_id: S,
        pm_session_id: S,
        num_tickets: I,
        sequence_number: I,
        orchestrator_address: S,
        orchestrator_url: S,
        pipeline: S,
        session_status: S,
    }
}

#[derive(Deserialize)]
struct SignedTicketPayload {
    #[serde(default, deserialize_with = "opt_text")]
    app: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    auth_id: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    billable_secs: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pixels: Option<i64>,
    #[serde(default, deserialize_with = "opt_i128")]
    computed_fee: Option<i128>,
    #[serde(default, deserialize_with = "opt_i128")]
    session_balance: Option<i128>,
    #[serde(default, deserialize_with = "opt_f64")]
    cost: Option<f64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    current_time_unix: Option<i64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    current_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    previous_time_unix: Option<i64>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    previous_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    manifest_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    session_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pm_session_id: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    num_tickets: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    sequence_number: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_address: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    orch_url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    session_status: Option<String>,
}

pub(crate) fn decode_signed_ticket(mut common: Common, data: &str) -> Result<SignedTicketRow, String> {
    let p: SignedTicketPayload =
        serde_json::from_str(data).map_err(|e| format!("create_signed_ticket payload: {e}"))?;
    let current = p.current_time_unix.or(p.current_time);
    common.event_ts = super::de::event_ts(current, common.envelope_ts);
    Ok(SignedTicketRow {
        common,
        app: p.app,
        auth_id: p.auth_id,
        billable_secs: p.billable_secs,
        pixels: p.pixels,
        computed_fee_wei: p.computed_fee,
        session_balance_wei: p.session_balance,
        cost: p.cost,
        current_time: current,
        previous_time: p.previous_time_unix.or(p.previous_time),
        manifest_id: p.manifest_id,
        request_id: p.request_id,
        session_id: p.session_id,
        pm_session_id: p.pm_session_id,
        num_tickets: p.num_tickets,
        sequence_number: p.sequence_number,
        orchestrator_address: p.orch_address.map(|a| a.to_ascii_lowercase()),
        orchestrator_url: p.orch_url,
        pipeline: p.pipeline,
        session_status: p.session_status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_values_in_every_unit() {
        assert_eq!(parse_face_value("2402400000000000 WEI"), Some(2_402_400_000_000_000));
        assert_eq!(parse_face_value("0.0124 ETH"), Some(12_400_000_000_000_000));
        assert_eq!(
            parse_face_value("1.000000000000000001 ETH"),
            Some(1_000_000_000_000_000_001)
        );
        assert_eq!(parse_face_value("3 gwei"), Some(3_000_000_000));
        assert_eq!(parse_face_value("12"), Some(12));
        for bad in [
            "",
            "ETH",
            "1.5 WEI",
            "1 BTC",
            "-1 WEI",
            "1 ETH extra",
            "0.0000000000000000001 ETH",
        ] {
            assert_eq!(parse_face_value(bad), None, "{bad}");
        }
    }
}
