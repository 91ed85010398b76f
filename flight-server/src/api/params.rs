//! Strict query-parameter validation: an unknown parameter, a bad timestamp, a bad enum
//! value, a malformed address or cursor, or an inverted range is a 400 naming the parameter.

use std::collections::HashMap;

use crate::api::{Endpoint, Kind};
use crate::error::ApiError;

/// The longest accepted window.
const MAX_WINDOW_MS: i64 = 366 * 24 * 3_600_000;
const DAY_MS: i64 = 24 * 3_600_000;

/// Validated parameters of one request.
#[derive(Debug)]
pub(crate) struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Validate every parameter against the endpoint's description.
    pub(crate) fn parse(endpoint: &Endpoint, raw: HashMap<String, String>) -> Result<Params, ApiError> {
        let mut names: Vec<&String> = raw.keys().collect();
        names.sort();
        for name in names {
            let value = &raw[name];
            let Some(doc) = endpoint.params.iter().find(|p| p.name == name) else {
                let known: Vec<&str> = endpoint.params.iter().map(|p| p.name).collect();
                return Err(ApiError::bad_parameter(
                    name.as_str(),
                    format!("unknown parameter; known: {}", known.join(", ")),
                ));
            };
            check(doc.name, doc.kind, value)?;
        }
        Ok(Params { values: raw })
    }

    /// A text parameter.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// An address, lowercased.
    pub(crate) fn address(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_ascii_lowercase)
    }

    /// An integer, or `default`.
    pub(crate) fn int(&self, name: &str, default: i64) -> i64 {
        self.text(name).map_or(default, |v| v.parse().expect("validated"))
    }

    /// The page offset a cursor encodes (0 without one).
    pub(crate) fn cursor_offset(&self) -> u64 {
        self.text("cursor").map_or(0, |c| decode_cursor(c).expect("validated"))
    }

    /// `from` and `to` in ms, with defaults (the 24 hours before `now_ms`), checked to be in
    /// order and at most a year apart.
    pub(crate) fn window(&self, now_ms: i64) -> Result<(i64, i64), ApiError> {
        let to = self.text("to").map_or(now_ms, |t| parse_time(t).expect("validated"));
        let from = self
            .text("from")
            .map_or(to - DAY_MS, |t| parse_time(t).expect("validated"));
        if from >= to {
            return Err(ApiError::bad_parameter("from", "must be before `to`"));
        }
        if to - from > MAX_WINDOW_MS {
            return Err(ApiError::bad_parameter("from", "the range may span at most 366 days"));
        }
        Ok((from, to))
    }
}

/// The cursor of the page starting at `offset`.
pub(crate) fn encode_cursor(offset: u64) -> String {
    format!("o{offset:x}")
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    cursor
        .strip_prefix('o')
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
}

fn parse_time(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

fn check(name: &str, kind: Kind, value: &str) -> Result<(), ApiError> {
    let bad = |detail: String| Err(ApiError::bad_parameter(name, detail));
    match kind {
        Kind::Time if parse_time(value).is_none() => bad(format!(
            "expected an RFC 3339 time such as 2026-03-24T09:00:00Z, got {value:?}"
        )),
        Kind::Enum(allowed) if !allowed.contains(&value) => {
            bad(format!("expected one of {}, got {value:?}", allowed.join(", ")))
        }
        Kind::Address
            if !(value.len() == 42 && value.starts_with("0x") && value[2..].bytes().all(|b| b.is_ascii_hexdigit())) =>
        {
            bad(format!("expected 0x followed by 40 hex digits, got {value:?}"))
        }
        Kind::Text if value.is_empty() || value.chars().count() > 200 => bad("expected 1 to 200 characters".into()),
        Kind::Int { min, max } if !value.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n)) => {
            bad(format!("expected an integer from {min} to {max}, got {value:?}"))
        }
        Kind::Cursor if decode_cursor(value).is_none() => bad("not a cursor returned by this API".into()),
        _ => Ok(()),
    }
}
