//! Tolerant field decoders for the quirks of real payloads: numbers sent as strings or
//! floats, times as ms integers, float ms, digit strings or RFC 3339 strings, and `null`
//! wherever Go's `omitempty` did not drop the key.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::envelope::{MAX_EVENT_MS, MIN_EVENT_MS};

/// A scalar as sent: numbers, strings and booleans decoded without building a
/// `serde_json::Value` (this runs for every numeric field of every event).
enum Flex<'de> {
    Null,
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
    Text(std::borrow::Cow<'de, str>),
    /// An object or array, as its JSON text.
    Json(String),
}

struct FlexVisitor;

impl<'de> serde::de::Visitor<'de> for FlexVisitor {
    type Value = Flex<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, a string, a boolean or null")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Flex::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Flex::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Flex::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Flex::Uint(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Flex::Float(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Flex::Bool(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Flex::Text(std::borrow::Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Flex::Text(std::borrow::Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Flex::Text(std::borrow::Cow::Owned(v)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Flex::Json(value.to_string()))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Flex::Json(value.to_string()))
    }
}

fn flex<'de, D: Deserializer<'de>>(d: D) -> Result<Flex<'de>, D::Error> {
    d.deserialize_option(FlexVisitor)
}

fn unexpected<E: serde::de::Error>(expected: &str, found: &Flex<'_>) -> E {
    let found = match found {
        Flex::Null => "null".to_string(),
        Flex::Int(v) => v.to_string(),
        Flex::Uint(v) => v.to_string(),
        Flex::Float(v) => v.to_string(),
        Flex::Bool(v) => v.to_string(),
        Flex::Text(s) => format!("{s:?}"),
        Flex::Json(s) => s.clone(),
    };
    E::custom(format!("expected {expected}, found {found}"))
}

/// An optional integer sent as a JSON integer, float, or decimal string.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match flex(d)? {
        Flex::Null => Ok(None),
        Flex::Int(v) => Ok(Some(v)),
        Flex::Uint(v) => i64::try_from(v)
            .map(Some)
            .map_err(|_| unexpected("an integer", &Flex::Uint(v))),
        Flex::Float(v) => Ok(Some(v as i64)),
        Flex::Text(s) if s.trim().is_empty() => Ok(None),
        Flex::Text(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| unexpected("an integer", &Flex::Text(s))),
        other => Err(unexpected("an integer", &other)),
    }
}

/// An optional float sent as a JSON number or decimal string.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match flex(d)? {
        Flex::Null => Ok(None),
        Flex::Int(v) => Ok(Some(v as f64)),
        Flex::Uint(v) => Ok(Some(v as f64)),
        Flex::Float(v) => Ok(Some(v)),
        Flex::Text(s) if s.trim().is_empty() => Ok(None),
        Flex::Text(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| unexpected("a number", &Flex::Text(s))),
        other => Err(unexpected("a number", &other)),
    }
}

/// An optional instant in epoch ms: a JSON integer or float of ms, a decimal string of ms,
/// or an RFC 3339 string. Zero and implausible values (before 2015, after 2100) mean "not
/// set": Go sends 0 for unset times.
pub(crate) fn opt_time_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let ms = match flex(d)? {
        Flex::Null => None,
        Flex::Int(v) => Some(v),
        Flex::Uint(v) => i64::try_from(v).ok(),
        Flex::Float(v) => Some(v as i64),
        Flex::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                None
            } else if let Ok(ms) = t.parse::<i64>() {
                Some(ms)
            } else if let Ok(f) = t.parse::<f64>() {
                Some(f as i64)
            } else {
                let parsed = chrono::DateTime::parse_from_rfc3339(t)
                    .map_err(|_| unexpected("a time", &Flex::Text(s.clone())))?;
                Some(parsed.timestamp_millis())
            }
        }
        other => return Err(unexpected("a time", &other)),
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
    Ok(match flex(d)? {
        Flex::Null => None,
        Flex::Text(s) => Some(s.into_owned()).filter(|s| !s.is_empty()),
        Flex::Int(v) => Some(v.to_string()),
        Flex::Uint(v) => Some(v.to_string()),
        Flex::Float(v) => Some(v.to_string()),
        Flex::Bool(v) => Some(v.to_string()),
        Flex::Json(s) => Some(s),
    })
}

/// An optional boolean sent as a JSON boolean, `"true"`/`"false"`, or 0/1.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match flex(d)? {
        Flex::Null => Ok(None),
        Flex::Bool(b) => Ok(Some(b)),
        Flex::Int(v) => Ok(Some(v != 0)),
        Flex::Uint(v) => Ok(Some(v != 0)),
        Flex::Float(v) => Ok(Some(v != 0.0)),
        Flex::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(unexpected("a boolean", &Flex::Text(s))),
        },
        other => Err(unexpected("a boolean", &other)),
    }
}

/// An optional exact integer (wei amounts, big prices) sent as a JSON integer or a decimal
/// string of digits. Floats are refused: they would silently lose wei. (serde_json hands
/// integers beyond u64 over as floats, so such amounts must come as strings.)
pub(crate) fn opt_i128<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
    match flex(d)? {
        Flex::Null => Ok(None),
        Flex::Int(v) => Ok(Some(i128::from(v))),
        Flex::Uint(v) => Ok(Some(i128::from(v))),
        Flex::Text(s) if s.trim().is_empty() => Ok(None),
        Flex::Text(s) => parse_decimal(s.trim(), 0)
            .map(Some)
            .ok_or_else(|| unexpected("an exact integer", &Flex::Text(s))),
        other => Err(unexpected("an exact integer", &other)),
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
