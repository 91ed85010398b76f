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
