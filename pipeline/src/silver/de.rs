//! Tolerant field decoders for the quirks of real payloads: numbers sent as strings or
//! floats, times as ms integers, float ms, digit strings or RFC 3339 strings, and `null`
//! wherever Go's `omitempty` did not drop the key.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::envelope::{MAX_EVENT_MS, MIN_EVENT_MS};

/// An optional integer sent as a JSON integer, float, or decimal string.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, found {s:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!("expected an integer, found {other}"))),
    }
}

/// An optional float sent as a JSON number or decimal string.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("expected a number, found {s:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!("expected a number, found {other}"))),
    }
}

/// An optional instant in epoch ms: a JSON integer or float of ms, a decimal string of ms,
/// or an RFC 3339 string. Zero and implausible values (before 2015, after 2100) mean "not
/// set": Go sends 0 for unset times.
pub(crate) fn opt_time_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    let ms = match value {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else if let Ok(ms) = s.parse::<i64>() {
                Some(ms)
            } else if let Ok(f) = s.parse::<f64>() {
                Some(f as i64)
            } else {
                let parsed = chrono::DateTime::parse_from_rfc3339(s)
                    .map_err(|_| serde::de::Error::custom(format!("expected a time, found {s:?}")))?;
                Some(parsed.timestamp_millis())
            }
        }
        Some(other) => return Err(serde::de::Error::custom(format!("expected a time, found {other}"))),
    };
    Ok(ms.filter(|ms| (MIN_EVENT_MS..MAX_EVENT_MS).contains(ms)))
}

/// A string where `""` means "not set".
pub(crate) fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// `orchestrator_info` as the gateway adds it to stream events.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrchestratorInfo {
    #[serde(default)]
    pub(crate) address: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
}

impl OrchestratorInfo {
    /// The address, lowercased; `None` when empty.
    pub(crate) fn address(&self) -> Option<String> {
        self.address
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(str::to_ascii_lowercase)
    }

    /// The service URI; `None` when empty.
    pub(crate) fn url(&self) -> Option<String> {
        self.url.clone().filter(|u| !u.is_empty())
    }
}

/// The silver event time: the payload's own timestamp when plausible, else the envelope's.
pub(crate) fn event_ts(payload_ms: Option<i64>, envelope_ms: i64) -> i64 {
    payload_ms
        .filter(|ms| (MIN_EVENT_MS..MAX_EVENT_MS).contains(ms))
        .unwrap_or(envelope_ms)
}

/// An optional text: strings as they are, numbers and booleans printed, objects and arrays as
/// their JSON text; `null` and `""` mean "not set".
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s).filter(|s| !s.is_empty()),
        Some(other) => Some(other.to_string()),
    })
}

/// An optional boolean sent as a JSON boolean, `"true"`/`"false"`, or 0/1.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) => Ok(n.as_f64().map(|f| f != 0.0)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            other => Err(serde::de::Error::custom(format!("expected a boolean, found {other:?}"))),
        },
        Some(other) => Err(serde::de::Error::custom(format!("expected a boolean, found {other}"))),
    }
}

/// An optional exact integer (wei amounts, big prices) sent as a JSON integer or a decimal
/// string of digits. Floats are refused: they would silently lose wei.
pub(crate) fn opt_i128<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i128()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an exact integer, found {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => parse_decimal(s.trim(), 0)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an exact integer, found {s:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!("expected an integer, found {other}"))),
    }
}

/// An instant sent as float **seconds** since the epoch (runner `time`, `restart_time`), in ms.
pub(crate) fn opt_seconds_as_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(opt_f64(d)?
        .map(|s| (s * 1000.0).round() as i64)
        .filter(|ms| (MIN_EVENT_MS..MAX_EVENT_MS).contains(ms)))
}

/// Parses a plain decimal (`"123"`, `"0.0009990010"`, `"-1.5"`) exactly, scaled by
/// 10^`scale`: `parse_decimal("1.5", 2) == Some(150)`. Digits beyond `scale` must be zeros.
pub(crate) fn parse_decimal(text: &str, scale: u32) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale = scale as usize;
    let (kept, dropped) = frac_part.split_at(frac_part.len().min(scale));
    if dropped.bytes().any(|b| b != b'0') {
        return None;
    }
    let mut value: i128 = 0;
    for b in int_part.bytes().chain(kept.bytes()) {
        value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    for _ in kept.len()..scale {
        value = value.checked_mul(10)?;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("2402400000000000", 0), Some(2_402_400_000_000_000));
        assert_eq!(parse_decimal("0.0009990010", 10), Some(9_990_010));
        assert_eq!(parse_decimal("1.5", 18), Some(1_500_000_000_000_000_000));
        assert_eq!(parse_decimal("1.50", 1), Some(15));
        assert_eq!(parse_decimal("1.55", 1), None);
        assert_eq!(parse_decimal("-3", 0), Some(-3));
        for bad in ["", ".", "1e5", "0x10", "1.2.3", "abc"] {
            assert_eq!(parse_decimal(bad, 2), None, "{bad}");
        }
    }
}
