//! Ingestion intents: before the files of a source range are written, a small marker names
//! the range; it is deleted once the source has recorded the range as consumed (for Kafka:
//! the offset commit). A marker that survives a crash tells the next consumer exactly which
//! range to rewrite, with the same boundaries, so the same objects are overwritten instead of
//! new ones being added next to them.
//!
//! ```text
//! <lake>/_ingest/intents/<kind>-<name>-pNNNNN/<first:020>-<last:020>
//! ```
//!
//! The folder starts with `_`, so engines reading datasets never see it.

use object_store::path::Path;

use crate::error::{Error, Result};
use crate::file_name::{SourceKind, SourceRange};

/// The folder of every intent.
pub const INTENTS_DIR: &str = "_ingest/intents";

/// The folder of the intents of one source partition.
pub fn intents_dir(kind: SourceKind, name: &str, partition: u32) -> Path {
    Path::from(format!("{INTENTS_DIR}/{}-{name}-p{partition:05}", kind.as_str()))
}

/// The marker of one range.
pub fn intent_path(range: &SourceRange) -> Path {
    Path::from(format!(
        "{}/{:020}-{:020}",
        intents_dir(range.kind(), range.name(), range.partition()),
        range.first(),
        range.last()
    ))
}

/// Parses a marker path back into its range.
pub fn parse_intent_path(path: &Path) -> Result<SourceRange> {
    let text = path.as_ref();
    let bad = |reason: &str| Error::BadPath {
        path: text.to_string(),
        reason: reason.to_string(),
    };
    let rest = text
        .strip_prefix(INTENTS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| bad("not under _ingest/intents"))?;
    let (folder, offsets) = rest.split_once('/').ok_or_else(|| bad("missing offsets"))?;
    let (first, last) = offsets.split_once('-').ok_or_else(|| bad("expected <first>-<last>"))?;
    let (tag, source) = folder.split_once('-').ok_or_else(|| bad("missing source kind"))?;
    let kind = SourceKind::from_tag(tag).ok_or_else(|| bad("unknown source kind"))?;
    let (name, partition) = source.rsplit_once("-p").ok_or_else(|| bad("missing partition"))?;
    let digits = |s: &str, width: usize| {
        (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let partition = digits(partition, 5)
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| bad("partition must be 5 digits"))?;
    let first = digits(first, 20).ok_or_else(|| bad("first offset must be 20 digits"))?;
    let last = digits(last, 20).ok_or_else(|| bad("last offset must be 20 digits"))?;
    SourceRange::new(kind, name, partition, first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_paths_round_trip() {
        let range = SourceRange::new(SourceKind::Kafka, "network-events", 3, 100, 199).unwrap();
        let path = intent_path(&range);
        assert_eq!(
            path.as_ref(),
            "_ingest/intents/kafka-network-events-p00003/00000000000000000100-00000000000000000199"
        );
        assert_eq!(parse_intent_path(&path).unwrap(), range);
        assert!(
            path.as_ref()
                .starts_with(intents_dir(SourceKind::Kafka, "network-events", 3).as_ref())
        );
        assert!(parse_intent_path(&Path::from("_ingest/intents/kafka-t-p1/1-2")).is_err());
    }
}
