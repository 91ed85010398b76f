//! File replay: JSONL of envelopes, a JSON array of envelopes, or the log-viewer export
//! (a JSON array of records whose `value` holds the envelope) used by the real capture.

use std::path::Path;

use lakehouse_layout::{SourceKind, SourceRange};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::ingest::{IngestReport, Ingestor};

/// A replay file's content and source name.
#[derive(Debug, Clone)]
pub struct ReplayFile {
    /// Source name: the file stem and a hash of the content, so that replaying the same
    /// content from anywhere writes the same objects.
    pub name: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

#[derive(Deserialize)]
struct ViewerRecord<'a> {
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

/// Reads and splits a replay file.
pub fn read_replay_file(path: &Path) -> Result<ReplayFile> {
    let bytes = std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.display().to_string(),
        source,
    })?;
    let name = source_name(path, &bytes);
    Ok(ReplayFile { name, content: bytes })
}

/// Splits content into messages, borrowed from it: `(offset, message bytes)`, where the
/// offset is the 0-based line number for JSONL and the element index for arrays.
pub fn split_records(bytes: &[u8]) -> Result<Vec<(u64, &[u8])>, String> {
    let content = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = content.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let elements: Vec<&RawValue> = serde_json::from_slice(content).map_err(|e| e.to_string())?;
        return Ok(elements
            .into_iter()
            .enumerate()
            .map(|(i, element)| {
                let envelope = serde_json::from_str::<ViewerRecord<'_>>(element.get())
                    .ok()
                    .and_then(|r| r.value)
                    .filter(|v| v.get().starts_with('{'))
                    .unwrap_or(element);
                (i as u64, envelope.get().as_bytes())
            })
            .collect());
    }
    Ok(content
        .split(|b| *b == b'\n')
        .enumerate()
        .filter_map(|(line, text)| {
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            (!text.iter().all(u8::is_ascii_whitespace)).then_some((line as u64, text))
        })
        .collect())
}

fn source_name(path: &Path, content: &[u8]) -> String {
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(96)
        .collect();
    // BLAKE3: a cryptographic content hash at several GB/s, so naming a large replay file
    // costs a small share of replaying it (SHA-256 took a tenth of the replay time).
    let digest = blake3::hash(content).to_hex();
    format!("{}-{}", if stem.is_empty() { "file" } else { &stem }, &digest[..12])
}

/// Replays a file into the lake in ranges of at most `chunk` records, calling `progress`
/// with the number of records done after each range.
pub async fn ingest_file(
    ingestor: &Ingestor,
    path: &Path,
    chunk: usize,
    mut progress: impl FnMut(u64, u64),
) -> Result<IngestReport> {
    let file = read_replay_file(path)?;
    let records = split_records(&file.content).map_err(|detail| Error::FileFormat {
        path: path.display().to_string(),
        detail,
    })?;
    let total = records.len() as u64;
    let mut report = IngestReport::default();
    let mut done = 0;
    for messages in records.chunks(chunk.max(1)) {
        let (first, last) = (messages[0].0, messages[messages.len() - 1].0);
        let range = SourceRange::new(SourceKind::File, &file.name, 0, first, last)?;
        report.merge(ingestor.ingest(&range, messages).await?);
        done += messages.len() as u64;
        progress(done, total);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_jsonl_keeping_line_numbers() {
        let records = split_records(b"{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\":3}").unwrap();
        let offsets: Vec<u64> = records.iter().map(|r| r.0).collect();
        assert_eq!(offsets, vec![0, 2, 4]);
        assert_eq!(records[1].1, b"{\"b\":2}".as_slice());
    }

    #[test]
    fn unwraps_log_viewer_records() {
        let records =
            split_records(br#"[{"id":"log-0","value":{"id":"e1","type":"t"}},{"id":"e2","type":"t"}]"#).unwrap();
        assert_eq!(records[0].1, br#"{"id":"e1","type":"t"}"#.as_slice());
        assert_eq!(records[1].1, br#"{"id":"e2","type":"t"}"#.as_slice());
    }

    #[test]
    fn same_content_same_source_name() {
        assert_eq!(
            source_name(Path::new("/a/x.json"), b"1"),
            source_name(Path::new("/b/x.json"), b"1")
        );
        assert_ne!(
            source_name(Path::new("/a/x.json"), b"1"),
            source_name(Path::new("/a/x.json"), b"2")
        );
        assert!(lakehouse_layout::is_valid_source_name(&source_name(
            Path::new("/a/we ird$.json"),
            b"1"
        )));
    }
}
