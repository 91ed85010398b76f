//! Data file names.
//!
//! Files written by ingestion carry the identity of their input: source kind, source name
//! (Kafka topic, replayed file, HTTP listener), source partition and the first and last
//! offset, zero-padded so that names sort in offset order. Writing the same input range again
//! lands on the same object, which is what makes replays after a crash idempotent.
//!
//! Files written by rollups are `part-NNNNN.parquet`: a rollup replaces a whole partition.

use std::fmt;

use crate::error::{Error, Result};

/// The extension of every data file.
pub const PARQUET_EXTENSION: &str = ".parquet";

/// Where a batch of messages came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// A Kafka topic partition; offsets are Kafka offsets.
    Kafka,
    /// A replayed file; offsets are record numbers (0-based).
    File,
    /// An HTTP push listener; offsets are a per-listener sequence of accepted records.
    Http,
    /// The built-in event generator; offsets are its sequence numbers.
    Generator,
    /// A pull collector; offsets are a per-target poll sequence.
    Collector,
}

impl SourceKind {
    /// All kinds.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Kafka,
        SourceKind::File,
        SourceKind::Http,
        SourceKind::Generator,
        SourceKind::Collector,
    ];

    /// The kind's tag in file names and in the `source_kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Kafka => "kafka",
            SourceKind::File => "file",
            SourceKind::Http => "http",
            SourceKind::Generator => "gen",
            SourceKind::Collector => "collect",
        }
    }

    /// The kind tagged `tag`.
    pub fn from_tag(tag: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|kind| kind.as_str() == tag)
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contiguous range of one source partition: the identity of an ingestion batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceRange {
    kind: SourceKind,
    name: String,
    partition: u32,
    first: u64,
    last: u64,
}

impl SourceRange {
    /// A range of offsets `first..=last` of partition `partition` of source `name`.
    ///
    /// `name` must be 1 to 128 characters of `[A-Za-z0-9._-]` (Kafka topic names are).
    pub fn new(kind: SourceKind, name: &str, partition: u32, first: u64, last: u64) -> Result<Self> {
        if !is_valid_source_name(name) {
            return Err(Error::BadSourceName(name.to_string()));
        }
        if first > last {
            return Err(Error::InvertedRange { first, last });
        }
        Ok(SourceRange {
            kind,
            name: name.to_string(),
            partition,
            first,
            last,
        })
    }

    /// The kind of source.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// The source name (topic, file name, listener name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source partition.
    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// The first offset of the range.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// The last offset of the range (inclusive).
    pub fn last(&self) -> u64 {
        self.last
    }
}

/// Whether `name` can be embedded in a file name as a source name.
pub fn is_valid_source_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The name of a data file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileName {
    /// A file written by ingestion from a source range.
    Source(SourceRange),
    /// Part `n` of a partition written by a rollup.
    Part(u32),
    /// The files of a partition merged by compaction; the 16 hex digits hash the names of
    /// the source files merged (see [`crate::CompactionRecord`]).
    Compacted(String),
}

impl FileName {
    /// Parses a file name (the last path segment).
    pub fn parse(file: &str) -> Result<FileName> {
        let bad = |reason: &str| Error::BadPath {
            path: file.to_string(),
            reason: reason.to_string(),
        };
        let stem = file
            .strip_suffix(PARQUET_EXTENSION)
            .ok_or_else(|| bad("data files end in .parquet"))?;
        if let Some(hash) = stem.strip_prefix("compacted-") {
            return if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                Ok(FileName::Compacted(hash.to_string()))
            } else {
                Err(bad("a compacted file is compacted-<16 lowercase hex digits>.parquet"))
            };
        }
        if let Some(n) = stem.strip_prefix("part-") {
            return parse_fixed(n, 5)
                .and_then(|n| u32::try_from(n).ok())
                .map(FileName::Part)
                .ok_or_else(|| bad("part number must be 5 digits"));
        }
        let (tag, rest) = stem.split_once('-').ok_or_else(|| bad("missing source kind"))?;
        let kind = SourceKind::from_tag(tag).ok_or_else(|| bad("unknown source kind"))?;
        // The source name may contain '-', so the fixed-width fields are taken from the right.
        let mut fields = rest.rsplitn(4, '-');
        let last = fields.next().and_then(|s| parse_fixed(s, 20));
        let first = fields.next().and_then(|s| parse_fixed(s, 20));
        let partition = fields
            .next()
            .and_then(|s| s.strip_prefix('p'))
            .and_then(|s| parse_fixed(s, 5))
            .and_then(|p| u32::try_from(p).ok());
        let name = fields.next();
        match (name, partition, first, last) {
            (Some(name), Some(partition), Some(first), Some(last)) => {
                SourceRange::new(kind, name, partition, first, last).map(FileName::Source)
            }
            _ => Err(bad(
                "expected <kind>-<name>-pNNNNN-<20-digit first>-<20-digit last>.parquet",
            )),
        }
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileName::Source(range) => write!(
                f,
                "{}-{}-p{:05}-{:020}-{:020}{PARQUET_EXTENSION}",
                range.kind, range.name, range.partition, range.first, range.last
            ),
            FileName::Part(n) => write!(f, "part-{n:05}{PARQUET_EXTENSION}"),
            FileName::Compacted(hash) => write!(f, "compacted-{hash}{PARQUET_EXTENSION}"),
        }
    }
}

/// Parses exactly `width` ASCII digits.
fn parse_fixed(s: &str, width: usize) -> Option<u64> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_file_name_is_zero_padded_and_sortable() {
        let a = FileName::Source(SourceRange::new(SourceKind::Kafka, "streaming_events", 3, 9, 99).unwrap());
        let b = FileName::Source(SourceRange::new(SourceKind::Kafka, "streaming_events", 3, 100, 180).unwrap());
        assert_eq!(
            a.to_string(),
            "kafka-streaming_events-p00003-00000000000000000009-00000000000000000099.parquet"
        );
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn names_with_dashes_round_trip() {
        let name = FileName::Source(SourceRange::new(SourceKind::Kafka, "network-events-p1", 12, 0, u64::MAX).unwrap());
        assert_eq!(FileName::parse(&name.to_string()).unwrap(), name);
    }

    #[test]
    fn rejects_bad_names() {
        assert!(SourceRange::new(SourceKind::File, "a/b", 0, 0, 0).is_err());
        assert!(SourceRange::new(SourceKind::File, "", 0, 0, 0).is_err());
        assert!(SourceRange::new(SourceKind::File, "ok", 0, 5, 4).is_err());
        for bad in [
            "part-1.parquet",
            "kafka-t-p00001-1-2.parquet",
            "kafka-t-p00001-00000000000000000002-00000000000000000001.parquet",
            "nope-t-p00001-00000000000000000001-00000000000000000002.parquet",
            "kafka-t-p00001-00000000000000000001-00000000000000000002.csv",
            "kafka--p00001-00000000000000000001-00000000000000000002.parquet",
        ] {
            assert!(FileName::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
