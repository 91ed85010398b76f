//! Query parameters, parsed once into typed values by the rules of the route's convention
//! ([`crate::routes::Convention`]):
//!
//! * `/v1` is strict: an unknown or repeated parameter, a bad timestamp, enum value, address
//!   or cursor, or an inverted range is a 400 naming the parameter;
//! * the predecessor's routes are lenient as the predecessor is (unknown parameters ignored,
//!   a garbled `window` or `limit` falls back to its default or is clamped);
//! * leaderboard-serverless's routes reject what it rejects (`since`/`until` that are not
//!   numbers, `pipeline` without `model`) with its `{"error": …}` body.
//!
//! [`Params`] is an axum extractor: it finds the route's parameter list in the route table by
//! the matched path, so a handler never names its own path again, and its accessors read
//! values that are already parsed (nothing left to fail or panic on).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;

use crate::api::{Kind, ParamDoc};
use crate::error::ApiError;
use crate::routes::{Convention, Route};

/// The longest accepted window.
const MAX_WINDOW_MS: i64 = 366 * 24 * 3_600_000;
pub(crate) const DAY_MS: i64 = 24 * 3_600_000;
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// A parsed parameter value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Int(i64),
    Ms(i64),
    Cursor(u64),
}

/// Parsed parameters of one request.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: HashMap<&'static str, Vec<Value>>,
}

impl Params {
    /// Parses `raw` (name, value pairs in request order) by `route`'s parameter list and
    /// convention.
    pub(crate) fn parse(route: &Route, raw: Vec<(String, String)>) -> Result<Params, ApiError> {
        let mut values: HashMap<&'static str, Vec<Value>> = HashMap::new();
        for (name, text) in raw {
            let Some(doc) = route.params.iter().find(|p| !p.in_path() && p.name == name) else {
                if route.convention == Convention::Naap {
                    let known: Vec<&str> = route.params.iter().filter(|p| !p.in_path()).map(|p| p.name).collect();
                    return Err(ApiError::bad_parameter(
                        name,
                        if known.is_empty() {
                            "this endpoint takes no parameters".to_string()
                        } else {
                            format!("unknown parameter; known: {}", known.join(", "))
                        },
                    ));
                }
                continue; // the other conventions ignore unknown parameters, as their clients expect
            };
            let slot = values.entry(doc.name).or_default();
            if !slot.is_empty() && !matches!(doc.kind, Kind::Repeated) {
                if route.convention == Convention::Naap {
                    return Err(ApiError::bad_parameter(doc.name, "given more than once"));
                }
                continue; // the first one wins, as Go's `Query().Get` reads it
            }
            if let Some(value) = parse_value(doc, &text, route.convention)? {
                slot.push(value);
            }
        }
        if let Some(missing) = route
            .params
            .iter()
            .find(|p| p.required && !p.in_path() && !values.contains_key(p.name))
        {
            return Err(ApiError::bad_parameter(missing.name, "required"));
        }
        Ok(Params { values })
    }

    fn first(&self, name: &str) -> Option<&Value> {
        self.values.get(name).and_then(|values| values.first())
    }

    /// A text parameter (addresses come lowercased).
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        match self.first(name) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// Every value of a repeatable text parameter, in request order.
    pub(crate) fn texts(&self, name: &str) -> Vec<&str> {
        self.values
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|v| match v {
                Value::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The traffic class asked for (`traffic_class`): organic unless another is named; `None`
    /// for `all`.
    pub(crate) fn traffic_class(&self) -> Option<sql::traffic::TrafficClass> {
        match self.text("traffic_class") {
            None => Some(sql::traffic::TrafficClass::Organic),
            Some(name) => sql::traffic::TrafficClass::from_name(name),
        }
    }

    /// The SQL predicate of [`Self::traffic_class`] over `table`'s `traffic_class` (no
    /// qualifier when `table` is empty), if any.
    pub(crate) fn traffic_class_filter(&self, table: &str) -> Option<String> {
        sql::traffic::class_predicate(table, self.traffic_class())
    }

    /// An address, lowercased.
    pub(crate) fn address(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_string)
    }

    /// An integer (or a clamped limit, or a window in hours), or `default`.
    pub(crate) fn int(&self, name: &str, default: i64) -> i64 {
        match self.first(name) {
            Some(Value::Int(n)) => *n,
            _ => default,
        }
    }

    /// An instant in ms (`Kind::Time`, `Kind::UnixSeconds`).
    pub(crate) fn ms(&self, name: &str) -> Option<i64> {
        match self.first(name) {
            Some(Value::Ms(ms)) => Some(*ms),
            _ => None,
        }
    }

    /// The page offset a cursor encodes (0 without one).
    pub(crate) fn cursor_offset(&self) -> u64 {
        match self.first("cursor") {
            Some(Value::Cursor(offset)) => *offset,
            _ => 0,
        }
    }

    /// `from` and `to` in ms, with defaults (the 24 hours before `now_ms`), checked to be in
    /// order and at most a year apart.
    pub(crate) fn window(&self, now_ms: i64) -> Result<(i64, i64), ApiError> {
        let to = self.ms("to").unwrap_or(now_ms);
        let from = self.ms("from").unwrap_or(to - DAY_MS);
        if from >= to {
            return Err(ApiError::bad_parameter("from", "must be before `to`"));
        }
        if to - from > MAX_WINDOW_MS {
            return Err(ApiError::bad_parameter("from", "the range may span at most 366 days"));
        }
        Ok((from, to))
    }
}

/// The predecessor's `window` (`params.go:67-94`): `Nh`, `Nd` or `N` hours, clamped to
/// [1, 168]; anything else is the default, 24.
pub(crate) fn predecessor_window_hours(text: &str) -> i64 {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix('h') {
        Some(n) => (n, 1),
        None => match text.strip_suffix('d') {
            Some(n) => (n, 24),
            None => (text, 1),
        },
    };
    match number.parse::<i64>() {
        Ok(n) if n > 0 => n.saturating_mul(unit).clamp(1, 168),
        _ => 24,
    }
}

/// The window `[now − hours, now)` of a predecessor route, in ms.
pub(crate) fn predecessor_window(params: &Params, now_ms: i64) -> (i64, i64, i64) {
    let hours = params.int("window", 24);
    (now_ms - hours * HOUR_MS, now_ms, hours)
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let matched = parts
            .extensions
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let route = crate::routes::by_axum_path(&matched)
            .ok_or_else(|| ApiError::Internal(format!("no route table entry for {matched:?}")))?;
        let raw: Vec<(String, String)> = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Params::parse(route, raw)
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

/// The value of one parameter, `None` when a lenient convention drops it.
fn parse_value(doc: &ParamDoc, value: &str, convention: Convention) -> Result<Option<Value>, ApiError> {
    let name = doc.name;
    let bad = |detail: String| match convention {
        Convention::Leaderboard => Err(ApiError::Leaderboard(format!("invalid {name}: {detail}"))),
        _ => Err(ApiError::bad_parameter(name, detail)),
    };
    Ok(Some(match doc.kind {
        Kind::Time => match parse_time(value) {
            Some(ms) => Value::Ms(ms),
            None if convention == Convention::Predecessor => return Ok(None),
            None => {
                return bad(format!(
                    "expected an RFC 3339 time such as 2026-03-24T09:00:00Z, got {value:?}"
                ));
            }
        },
        Kind::UnixSeconds => match value.trim().parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds.abs() < 1e13 => Value::Ms((seconds * 1000.0).round() as i64),
            _ => return bad(format!("expected Unix seconds, got {value:?}")),
        },
        Kind::Enum(allowed) => match allowed.iter().find(|a| **a == value) {
            Some(a) => Value::Text((*a).to_string()),
            None => return bad(format!("expected one of {}, got {value:?}", allowed.join(", "))),
        },
        Kind::Address => {
            let well_formed =
                value.len() == 42 && value.starts_with("0x") && value[2..].bytes().all(|b| b.is_ascii_hexdigit());
            if !well_formed {
                return bad(format!("expected 0x followed by 40 hex digits, got {value:?}"));
            }
            Value::Text(value.to_ascii_lowercase())
        }
        Kind::Text | Kind::Repeated => {
            if value.is_empty() && convention != Convention::Naap {
                return Ok(None); // `?pipeline=` means no filter, as `Query().Get` gives ""
            }
            if value.is_empty() || value.chars().count() > 200 {
                return bad("expected 1 to 200 characters".into());
            }
            Value::Text(value.to_string())
        }
        Kind::Lowercase => Value::Text(value.to_ascii_lowercase()),
        Kind::Uppercase => Value::Text(value.to_ascii_uppercase()),
        Kind::Int { min, max } => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Value::Int(n),
            _ => return bad(format!("expected an integer from {min} to {max}, got {value:?}")),
        },
        Kind::Clamped { min, max, default } => {
            Value::Int(value.trim().parse::<i64>().map_or(default, |n| n.clamp(min, max)))
        }
        Kind::WindowHours => Value::Int(predecessor_window_hours(value)),
        Kind::Segment | Kind::Rest => Value::Text(value.to_string()),
        Kind::Cursor => match decode_cursor(value) {
            Some(offset) => Value::Cursor(offset),
            None => return bad("not a cursor returned by this API".into()),
        },
    }))
}

/// Appends `column = $n` to `filters` and binds the value, for each column given a value:
/// the equality filters of a query with positional parameters.
pub(crate) fn push_equalities(
    filters: &mut Vec<String>,
    values: &mut Vec<datafusion::scalar::ScalarValue>,
    equalities: &[(&str, Option<&str>)],
) {
    for (column, value) in equalities {
        if let Some(value) = value {
            values.push(datafusion::scalar::ScalarValue::Utf8(Some(value.to_string())));
            filters.push(format!("{column} = ${}", values.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predecessor_window_is_lenient_and_clamped() {
        assert_eq!(predecessor_window_hours("24h"), 24);
        assert_eq!(predecessor_window_hours("6"), 6);
        assert_eq!(predecessor_window_hours("2d"), 48);
        assert_eq!(predecessor_window_hours("30d"), 168);
        assert_eq!(predecessor_window_hours("0h"), 24);
        assert_eq!(predecessor_window_hours("-3"), 24);
        assert_eq!(predecessor_window_hours("week"), 24);
        assert_eq!(predecessor_window_hours(""), 24);
        assert_eq!(predecessor_window_hours("99999999999999999999d"), 24);
    }
}
