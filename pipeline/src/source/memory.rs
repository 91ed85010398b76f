//! In-process producers (the demo generator): messages handed over in memory.

use lakehouse_layout::{SourceKind, SourceRange};

use crate::error::Result;
use crate::ingest::{IngestReport, Ingestor};

/// Ingests `messages` as the generator source `name`, numbering them from `first_offset`,
/// in ranges of at most `chunk` messages, stamped with the ingestor's clock.
pub async fn ingest_messages(
    ingestor: &Ingestor,
    name: &str,
    first_offset: u64,
    messages: &[String],
    chunk: usize,
) -> Result<IngestReport> {
    ingest_chunks(ingestor, name, first_offset, messages, chunk, |m| (None, m.as_str())).await
}

/// [`ingest_messages`] for `(received_at_ms, message)` pairs: each row's `ingested_at` is its
/// reception time (a simulation's delivery), not the time of this call.
pub async fn ingest_received(
    ingestor: &Ingestor,
    name: &str,
    first_offset: u64,
    messages: &[(i64, String)],
    chunk: usize,
) -> Result<IngestReport> {
    ingest_chunks(ingestor, name, first_offset, messages, chunk, |(at, m)| {
        (Some(*at), m.as_str())
    })
    .await
}

async fn ingest_chunks<T>(
    ingestor: &Ingestor,
    name: &str,
    first_offset: u64,
    messages: &[T],
    chunk: usize,
    parts: impl Fn(&T) -> (Option<i64>, &str),
) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    for (i, chunk_messages) in messages.chunks(chunk.max(1)).enumerate() {
        let first = first_offset + (i * chunk.max(1)) as u64;
        let last = first + chunk_messages.len() as u64 - 1;
        let range = SourceRange::new(SourceKind::Generator, name, 0, first, last)?;
        let batch: Vec<(u64, &[u8])> = chunk_messages
            .iter()
            .enumerate()
            .map(|(j, m)| (first + j as u64, parts(m).1.as_bytes()))
            .collect();
        let received_at: Option<Vec<i64>> = chunk_messages.iter().map(|m| parts(m).0).collect();
        report.merge(match received_at {
            Some(received_at) => ingestor.ingest_received(&range, &batch, &received_at).await?,
            None => ingestor.ingest(&range, &batch).await?,
        });
    }
    Ok(report)
}
