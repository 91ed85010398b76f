//! In-process producers (the demo generator): messages handed over in memory.

use lakehouse_layout::{SourceKind, SourceRange};

use crate::error::Result;
use crate::ingest::{IngestReport, Ingestor};

/// Ingests `messages` as the generator source `name`, numbering them from `first_offset`,
/// in ranges of at most `chunk` messages.
pub async fn ingest_messages(
    ingestor: &Ingestor,
    name: &str,
    first_offset: u64,
    messages: &[String],
    chunk: usize,
) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    for (i, chunk_messages) in messages.chunks(chunk.max(1)).enumerate() {
        let first = first_offset + (i * chunk.max(1)) as u64;
        let last = first + chunk_messages.len() as u64 - 1;
        let range = SourceRange::new(SourceKind::Generator, name, 0, first, last)?;
        let batch: Vec<(u64, &[u8])> = chunk_messages
            .iter()
            .enumerate()
            .map(|(j, m)| (first + j as u64, m.as_bytes()))
            .collect();
        report.merge(ingestor.ingest(&range, &batch).await?);
    }
    Ok(report)
}
