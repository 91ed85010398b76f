//! The Kafka envelope of go-livepeer: `{"id","type","timestamp","gateway","data"}`.
//!
//! The envelope timestamp is a **string** of epoch milliseconds in real traffic; a number
//! is tolerated too. `data` is an object for most families and an array for
//! `discovery_results` and `network_capabilities`. `data` is kept as raw JSON text, so bronze
//! stores exactly what was sent.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::dead_letter::Reason;

/// Earliest plausible event time: 2015-01-01 (before Livepeer existed).
pub(crate) const MIN_EVENT_MS: i64 = 1_420_070_400_000;
/// Latest plausible event time: 2100-01-01.
pub(crate) const MAX_EVENT_MS: i64 = 4_102_444_800_000;

#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    family: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    gateway: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// A decoded envelope, borrowing from the message bytes.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Envelope id (UUID).
    pub id: Cow<'a, str>,
    /// Event family (`type`).
    pub family: Cow<'a, str>,
    /// Envelope timestamp in ms.
    pub timestamp_ms: i64,
    /// The envelope timestamp as sent (without JSON quotes).
    pub timestamp_text: &'a str,
    /// `gateway` as sent (`""` when absent).
    pub gateway: Cow<'a, str>,
    /// The payload, as raw JSON text.
    pub data: &'a RawValue,
}

/// Why an envelope was rejected, with a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The reason class (a dead-letter reason).
    pub reason: Reason,
    /// What exactly is wrong.
    pub detail: String,
    /// The envelope id, when it could be read.
    pub event_id: Option<String>,
    /// The family, when it could be read.
    pub family: Option<String>,
}

impl Rejection {
    fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
            event_id: None,
            family: None,
        }
    }
}

/// Decodes one message's bytes into an envelope.
pub fn decode_envelope(bytes: &[u8]) -> Result<Envelope<'_>, Rejection> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Rejection::new(Reason::NotUtf8, format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
    // serde reads a struct from a JSON array too (fields by position): an array such as
    // `["id","stream_trace",1767908945298]` would otherwise pass for an envelope without `data`.
    if text.trim_start().starts_with('[') {
        return Err(Rejection::new(
            Reason::InvalidEnvelope,
            "an envelope must be a JSON object, found an array",
        ));
    }
    let wire: WireEnvelope<'_> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            Rejection::new(Reason::InvalidEnvelope, e.to_string())
        } else {
            Rejection::new(Reason::NotJson, e.to_string())
        }
    })?;
    let event_id = wire.id.as_ref().map(|s| s.to_string());
    let family = wire.family.as_ref().map(|s| s.to_string());
    let reject = |reason: Reason, detail: String| Rejection {
        reason,
        detail,
        event_id: event_id.clone(),
        family: family.clone(),
    };
    let id = match wire.id {
        Some(id) if !id.trim().is_empty() => id,
        Some(_) => return Err(reject(Reason::MissingField, "envelope `id` is empty".into())),
        None => return Err(reject(Reason::MissingField, "envelope has no `id`".into())),
    };
    let family = match wire.family {
        Some(f) if !f.trim().is_empty() => f,
        Some(_) => return Err(reject(Reason::MissingField, "envelope `type` is empty".into())),
        None => return Err(reject(Reason::MissingField, "envelope has no `type`".into())),
    };
    let raw_ts = wire
        .timestamp
        .ok_or_else(|| reject(Reason::MissingField, "envelope has no `timestamp`".into()))?;
    let (timestamp_ms, timestamp_text) =
        parse_envelope_timestamp(raw_ts.get()).map_err(|detail| reject(Reason::BadTimestamp, detail))?;
    let data = wire
        .data
        .ok_or_else(|| reject(Reason::MissingField, "envelope has no `data`".into()))?;
    if !matches!(data.get().as_bytes().first(), Some(b'{' | b'[')) {
        return Err(reject(
            Reason::InvalidEnvelope,
            format!("`data` must be an object or an array, found {}", preview(data.get())),
        ));
    }
    Ok(Envelope {
        id,
        family,
        timestamp_ms,
        timestamp_text,
        gateway: wire.gateway.unwrap_or(Cow::Borrowed("")),
        data,
    })
}

/// Parses the envelope timestamp: a JSON string of decimal ms (as sent) or a JSON number.
fn parse_envelope_timestamp(raw: &str) -> Result<(i64, &str), String> {
    let text = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
    let ms = text
        .parse::<i64>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
        .ok_or_else(|| format!("envelope `timestamp` {} is not epoch milliseconds", preview(raw)))?;
    if !(MIN_EVENT_MS..MAX_EVENT_MS).contains(&ms) {
        return Err(format!("envelope `timestamp` {ms} is outside 2015..2100"));
    }
    Ok((ms, text))
}

fn preview(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        format!("{}…", &text[..end])
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_real_envelope() {
        let msg = br#"{"id":"59485235-8460-472f-a894-3b84f37ee9bb","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{"type":"gateway_receive_stream_request"}}"#;
        let env = decode_envelope(msg).unwrap();
        assert_eq!(env.id, "59485235-8460-472f-a894-3b84f37ee9bb");
        assert_eq!(env.family, "stream_trace");
        assert_eq!(env.timestamp_ms, 1_767_908_945_298);
        assert_eq!(env.timestamp_text, "1767908945298");
        assert_eq!(env.data.get(), r#"{"type":"gateway_receive_stream_request"}"#);
    }

    #[test]
    fn tolerates_numeric_timestamp_and_missing_gateway() {
        let env = decode_envelope(br#"{"id":"a","type":"x","timestamp":1767908945298,"data":[]}"#).unwrap();
        assert_eq!(env.timestamp_ms, 1_767_908_945_298);
        assert_eq!(env.gateway, "");
    }

    #[test]
    fn rejects_with_reasons() {
        let cases: [(&[u8], Reason); 10] = [
            (b"\xff\xfe", Reason::NotUtf8),
            (b"{\"id\":", Reason::NotJson),
            (b"[1,2]", Reason::InvalidEnvelope),
            // Positionally, serde would read this array as an envelope without `data`.
            (br#"["a","stream_trace","1767908945298"]"#, Reason::InvalidEnvelope),
            (
                br#"{"id":5,"type":"x","timestamp":"1767908945298","data":{}}"#,
                Reason::InvalidEnvelope,
            ),
            (
                br#"{"type":"x","timestamp":"1767908945298","data":{}}"#,
                Reason::MissingField,
            ),
            (
                br#"{"id":"","type":"x","timestamp":"1767908945298","data":{}}"#,
                Reason::MissingField,
            ),
            (
                br#"{"id":"a","type":"x","timestamp":"soon","data":{}}"#,
                Reason::BadTimestamp,
            ),
            (
                br#"{"id":"a","type":"x","timestamp":"12","data":{}}"#,
                Reason::BadTimestamp,
            ),
            (
                br#"{"id":"a","type":"x","timestamp":"1767908945298","data":"text"}"#,
                Reason::InvalidEnvelope,
            ),
        ];
        for (bytes, reason) in cases {
            let rejection = decode_envelope(bytes).unwrap_err();
            assert_eq!(
                rejection.reason,
                reason,
                "{:?}: {}",
                String::from_utf8_lossy(bytes),
                rejection.detail
            );
        }
    }
}
