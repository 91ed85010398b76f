//! The ingestor: decodes the messages of one source range and writes bronze, silver and dead
//! letters for it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use lakehouse_layout::{Lake, SourceRange, WrittenFile};
use serde::Deserialize;

use crate::batch::{BronzeRow, DeadLetterRow, RangeBatch, SourcePosition};
use crate::clock::Clock;
use crate::dead_letter::Reason;
use crate::dedup::RecentKeys;
use crate::envelope::decode_envelope;
use crate::error::Result;
use crate::metrics::IngestMetrics;
use crate::silver::{self, Common, KNOWN_FAMILIES};

/// Settings of an [`Ingestor`].
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Messages larger than this are dead letters (`too_large`).
    pub max_message_bytes: usize,
    /// At most this many bytes of a rejected message are kept in the dead-letter row.
    pub dead_letter_raw_cap: usize,
    /// How many recent deduplication keys silver remembers, across ranges (0 turns silver
    /// deduplication off).
    pub dedup_window: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_message_bytes: 1024 * 1024,
            dead_letter_raw_cap: 64 * 1024,
            dedup_window: 500_000,
        }
    }
}

/// What one call to [`Ingestor::ingest`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Messages read.
    pub messages: u64,
    /// Messages stored in bronze.
    pub accepted: u64,
    /// Accepted messages per family.
    pub by_family: BTreeMap<String, u64>,
    /// Accepted messages of families the pipeline does not know.
    pub unknown_family: u64,
    /// Dead letters per reason.
    pub dead_letters: BTreeMap<&'static str, u64>,
    /// Envelopes whose silver rows were dropped as duplicates (see `IngestOptions::dedup_window`).
    pub silver_duplicates: u64,
    /// Files written, in total.
    pub files_written: u64,
    /// The files written by one [`Ingestor::ingest`] call. Merged reports keep only the
    /// count: a Kafka consumer runs for weeks and must not accumulate a list of every file.
    pub files: Vec<WrittenFile>,
}

impl IngestReport {
    /// Total dead letters.
    pub fn dead_letter_total(&self) -> u64 {
        self.dead_letters.values().sum()
    }

    /// Adds another report's counts to this one.
    pub fn merge(&mut self, other: IngestReport) {
        self.messages += other.messages;
        self.accepted += other.accepted;
        self.unknown_family += other.unknown_family;
        self.silver_duplicates += other.silver_duplicates;
        for (k, v) in other.by_family {
            *self.by_family.entry(k).or_default() += v;
        }
        for (k, v) in other.dead_letters {
            *self.dead_letters.entry(k).or_default() += v;
        }
        self.files_written += other.files_written;
    }
}

/// Decodes messages and writes them to the lake.
#[derive(Debug, Clone)]
pub struct Ingestor {
    lake: Lake,
    clock: Arc<dyn Clock>,
    options: IngestOptions,
    metrics: Arc<IngestMetrics>,
    recent: Arc<Mutex<RecentKeys>>,
}

#[derive(Deserialize)]
struct SubtypeOnly {
    #[serde(default, rename = "type")]
    subtype: Option<serde_json::Value>,
}

impl Ingestor {
    /// An ingestor writing to `lake`, stamping rows with `clock`.
    pub fn new(lake: Lake, clock: Arc<dyn Clock>, options: IngestOptions) -> Self {
        Ingestor {
            lake,
            clock,
            metrics: Arc::new(IngestMetrics::new()),
            recent: Arc::new(Mutex::new(RecentKeys::new(options.dedup_window))),
            options,
        }
    }

    /// The ingestion metrics (rendered at `/metrics`).
    pub fn metrics(&self) -> &Arc<IngestMetrics> {
        &self.metrics
    }

    /// The lake written to.
    pub fn lake(&self) -> &Lake {
        &self.lake
    }

    /// Ingests the messages of `range`, given as `(offset, bytes)` in offset order, and writes
    /// one file per dataset partition, named after the range. Calling it again with the same
    /// range and messages rewrites the same objects with the same rows.
    pub async fn ingest(&self, range: &SourceRange, messages: &[(u64, &[u8])]) -> Result<IngestReport> {
        let ingested_at = self.clock.now_ms();
        self.ingest_each(range, messages, |_| ingested_at).await
    }

    /// [`Ingestor::ingest`] for messages that were received over time (a replay of a
    /// simulation's deliveries): `received_at[i]` (ms) is the `ingested_at` of message `i`,
    /// so ingestion lag and partitions are those of the original deliveries.
    pub async fn ingest_received(
        &self,
        range: &SourceRange,
        messages: &[(u64, &[u8])],
        received_at: &[i64],
    ) -> Result<IngestReport> {
        assert_eq!(messages.len(), received_at.len(), "one reception time per message");
        self.ingest_each(range, messages, |i| received_at[i]).await
    }

    async fn ingest_each(
        &self,
        range: &SourceRange,
        messages: &[(u64, &[u8])],
        ingested_at: impl Fn(usize) -> i64,
    ) -> Result<IngestReport> {
        let started = std::time::Instant::now();
        let mut batch = RangeBatch::default();
        let mut report = IngestReport::default();
        for (i, (offset, bytes)) in messages.iter().enumerate() {
            report.messages += 1;
            let position = SourcePosition {
                offset: *offset,
                ingested_at: ingested_at(i),
            };
            match decode_message(bytes, position.clone(), &self.options) {
                Ok((bronze, silver)) => {
                    report.accepted += 1;
                    match report.by_family.get_mut(bronze.event_type.as_ref()) {
                        Some(count) => *count += 1,
                        None => {
                            report.by_family.insert(bronze.event_type.to_string(), 1);
                        }
                    }
                    if !KNOWN_FAMILIES.contains(&bronze.event_type.as_ref()) {
                        report.unknown_family += 1;
                    }
                    if !silver.is_empty() {
                        let key = silver::dedup_key(&bronze.event_type, &bronze.event_id, bronze.data);
                        let mut recent = self.recent.lock().expect("dedup window lock");
                        batch.push_silver(&mut recent, &key, silver);
                    }
                    batch.push_bronze(&bronze);
                }
                Err(dead) => {
                    *report.dead_letters.entry(dead.reason.as_str()).or_default() += 1;
                    batch.push_dead_letter(*dead);
                }
            }
        }
        report.silver_duplicates = batch.duplicates;
        report.files = batch.write(&self.lake, range).await?;
        report.files_written = report.files.len() as u64;
        self.metrics
            .record(range.kind().as_str(), &report, started.elapsed().as_secs_f64());
        Ok(report)
    }
}

/// Decodes one message: its bronze row and silver rows, or the dead letter it becomes.
/// Pure and panic-free on any input (fuzzed in `pipeline/fuzz`).
pub fn decode_message<'a>(
    bytes: &'a [u8],
    position: SourcePosition,
    options: &IngestOptions,
) -> Result<(BronzeRow<'a>, Vec<silver::Silver>), Box<DeadLetterRow>> {
    let dead = |reason: Reason, detail: String, event_id: Option<String>, event_type: Option<String>| {
        Box::new(DeadLetterRow {
            reason,
            detail,
            raw: bytes[..bytes.len().min(options.dead_letter_raw_cap)].to_vec(),
            raw_size: bytes.len(),
            event_id,
            event_type,
            position: position.clone(),
        })
    };
    if bytes.len() > options.max_message_bytes {
        return Err(dead(
            Reason::TooLarge,
            format!(
                "{} bytes exceed the limit of {}",
                bytes.len(),
                options.max_message_bytes
            ),
            None,
            None,
        ));
    }
    let envelope = decode_envelope(bytes).map_err(|r| dead(r.reason, r.detail, r.event_id, r.family))?;
    let data = envelope.data.get();
    let common = Common {
        event_id: envelope.id.to_string(),
        event_ts: envelope.timestamp_ms,
        envelope_ts: envelope.timestamp_ms,
        gateway: Some(envelope.gateway.to_string()).filter(|g| !g.is_empty()),
    };
    let silver = silver::decode(&envelope.family, common, data).map_err(|detail| {
        dead(
            Reason::InvalidPayload,
            detail,
            Some(envelope.id.to_string()),
            Some(envelope.family.to_string()),
        )
    })?;
    // Known families: the subtype as their silver decoder read it (families whose contract
    // has no payload `type` get none), which saves a second parse of every payload.
    let event_subtype = if silver::has_silver(&envelope.family) {
        silver.first().and_then(silver::Silver::subtype).map(str::to_string)
    } else if data.starts_with('{') {
        serde_json::from_str::<SubtypeOnly>(data)
            .ok()
            .and_then(|s| s.subtype)
            .and_then(|v| v.as_str().map(str::to_string))
    } else {
        None
    };
    let bronze = BronzeRow {
        event_id: envelope.id,
        event_type: envelope.family,
        event_subtype,
        event_ts: envelope.timestamp_ms,
        envelope_timestamp: envelope.timestamp_text,
        gateway: envelope.gateway,
        data,
        position,
    };
    Ok((bronze, silver))
}
