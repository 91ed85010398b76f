//! Hive `key=value` partitions: `family=<f>/date=YYYY-MM-DD/hour=HH`.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use crate::dataset::Partitioning;

/// The family partition value used when an event family cannot be a folder name safely.
/// The family itself is always kept in the `event_type` column.
pub const OTHER_FAMILY: &str = "_other";

/// The bronze partition value of messages whose envelope did not parse (no family known):
/// they are kept in the hour they were received.
pub const UNPARSED_FAMILY: &str = "_unparsed";

/// One partition of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartitionKey {
    /// Event family (bronze only), already folder-safe (see [`family_partition_value`]).
    pub family: Option<String>,
    /// UTC date.
    pub date: NaiveDate,
    /// UTC hour, 0..=23 (absent for daily datasets).
    pub hour: Option<u8>,
}

impl PartitionKey {
    /// The hourly partition holding the instant `ts_ms` (milliseconds since the epoch, UTC).
    pub fn hourly(ts_ms: i64) -> PartitionKey {
        let time = utc(ts_ms);
        PartitionKey {
            family: None,
            date: time.date_naive(),
            hour: Some(time.hour() as u8),
        }
    }

    /// The daily partition holding the instant `ts_ms`.
    pub fn daily(ts_ms: i64) -> PartitionKey {
        PartitionKey {
            family: None,
            date: utc(ts_ms).date_naive(),
            hour: None,
        }
    }

    /// The bronze partition of an event of `family` at `ts_ms`.
    pub fn family_hourly(family: &str, ts_ms: i64) -> PartitionKey {
        let family = if family == UNPARSED_FAMILY {
            family
        } else {
            family_partition_value(family)
        };
        PartitionKey {
            family: Some(family.to_string()),
            ..PartitionKey::hourly(ts_ms)
        }
    }

    /// The partition of `ts_ms` (and `family`, for bronze) under `partitioning`.
    pub fn for_event(partitioning: Partitioning, family: &str, ts_ms: i64) -> PartitionKey {
        match partitioning {
            Partitioning::FamilyDateHour => PartitionKey::family_hourly(family, ts_ms),
            Partitioning::DateHour => PartitionKey::hourly(ts_ms),
            Partitioning::Date => PartitionKey::daily(ts_ms),
        }
    }

    /// Whether this key has exactly the parts `partitioning` asks for.
    pub fn fits(&self, partitioning: Partitioning) -> bool {
        match partitioning {
            Partitioning::FamilyDateHour => self.family.is_some() && self.hour.is_some(),
            Partitioning::DateHour => self.family.is_none() && self.hour.is_some(),
            Partitioning::Date => self.family.is_none() && self.hour.is_none(),
        }
    }

    /// The first millisecond of the partition's time span.
    pub fn start_ms(&self) -> i64 {
        let start = self
            .date
            .and_hms_opt(u32::from(self.hour.unwrap_or(0)), 0, 0)
            .expect("hour is validated to be 0..=23");
        start.and_utc().timestamp_millis()
    }

    /// The relative folder of the partition, e.g. `family=stream_trace/date=2026-01-08/hour=21`.
    pub fn to_path_segments(&self) -> String {
        let mut out = String::new();
        if let Some(family) = &self.family {
            let _ = write!(out, "family={family}/");
        }
        let _ = write!(out, "date={}", self.date.format("%Y-%m-%d"));
        if let Some(hour) = self.hour {
            let _ = write!(out, "/hour={hour:02}");
        }
        out
    }

    /// Parses the partition folders of `segments` (in path order) for `partitioning`.
    pub fn parse_segments(partitioning: Partitioning, segments: &[&str]) -> Result<PartitionKey, String> {
        let keys = partitioning.keys();
        if segments.len() != keys.len() {
            return Err(format!("expected partition folders {keys:?}, found {segments:?}"));
        }
        let mut family = None;
        let mut date = None;
        let mut hour = None;
        for (key, segment) in keys.iter().zip(segments) {
            let value = segment
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .ok_or_else(|| format!("expected folder {key}=…, found {segment:?}"))?;
            match *key {
                "family" => {
                    if value != UNPARSED_FAMILY && family_partition_value(value) != value {
                        return Err(format!("family {value:?} is not a folder-safe family name"));
                    }
                    family = Some(value.to_string());
                }
                "date" => {
                    let parsed =
                        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|e| format!("bad date {value:?}: {e}"))?;
                    if parsed.format("%Y-%m-%d").to_string() != value {
                        return Err(format!("date {value:?} is not in YYYY-MM-DD form"));
                    }
                    date = Some(parsed);
                }
                "hour" => {
                    let parsed = (value.len() == 2)
                        .then(|| value.parse::<u8>().ok())
                        .flatten()
                        .filter(|h| *h < 24)
                        .ok_or_else(|| format!("bad hour {value:?}: expected 00..23"))?;
                    hour = Some(parsed);
                }
                _ => unreachable!("partition keys are family, date and hour"),
            }
        }
        Ok(PartitionKey {
            family,
            date: date.expect("every partitioning has a date"),
            hour,
        })
    }
}

/// The folder-safe partition value of an event family: the family itself when it is 1 to 64
/// characters of `[A-Za-z0-9_.-]` not starting with `_` or `.`, else [`OTHER_FAMILY`].
pub fn family_partition_value(family: &str) -> &str {
    let safe = !family.is_empty()
        && family.len() <= 64
        && !family.starts_with(['_', '.'])
        && family
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if safe { family } else { OTHER_FAMILY }
}

fn utc(ts_ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ts_ms).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_partition_of_capture_time() {
        // 1767908945298 ms = 2026-01-08T21:49:05.298Z
        let key = PartitionKey::family_hourly("stream_trace", 1_767_908_945_298);
        assert_eq!(key.to_path_segments(), "family=stream_trace/date=2026-01-08/hour=21");
        assert_eq!(key.start_ms(), 1_767_906_000_000);
    }

    #[test]
    fn unsafe_families_fall_back_to_other() {
        assert_eq!(family_partition_value("pipelines_api_request"), "pipelines_api_request");
        assert_eq!(family_partition_value("../etc"), OTHER_FAMILY);
        assert_eq!(family_partition_value("a/b"), OTHER_FAMILY);
        assert_eq!(family_partition_value(""), OTHER_FAMILY);
        assert_eq!(family_partition_value("_other"), OTHER_FAMILY);
        assert_eq!(family_partition_value(&"x".repeat(65)), OTHER_FAMILY);
    }

    #[test]
    fn parse_rejects_malformed_segments() {
        let p = Partitioning::DateHour;
        assert!(PartitionKey::parse_segments(p, &["date=2026-1-8", "hour=01"]).is_err());
        assert!(PartitionKey::parse_segments(p, &["date=2026-01-08", "hour=24"]).is_err());
        assert!(PartitionKey::parse_segments(p, &["date=2026-01-08", "hour=1"]).is_err());
        assert!(PartitionKey::parse_segments(p, &["hour=01", "date=2026-01-08"]).is_err());
        assert!(PartitionKey::parse_segments(p, &["date=2026-01-08"]).is_err());
        assert!(
            PartitionKey::parse_segments(
                Partitioning::FamilyDateHour,
                &["family=a/b", "date=2026-01-08", "hour=01"]
            )
            .is_err()
        );
    }
}
