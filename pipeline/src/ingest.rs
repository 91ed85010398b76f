//! The ingestor: decodes the messages of one source range and writes bronze, silver and dead
//! letters for it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use lakehouse_layout::{Lake, SourceRange, WrittenFile};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::batch::{BronzeRow, DeadLetterRow, KafkaRecordMeta, RangeBatch, SourcePosition};
use crate::clock::Clock;
use crate::dead_letter::Reason;
use crate::decoder::DecoderVersion;
use crate::dedup::RecentKeys;
use crate::envelope::decode_envelope;
use crate::error::Result;
use crate::identity::SourceIdentities;
use crate::metrics::IngestMetrics;
use crate::silver::{self, Common, KNOWN_FAMILIES};

/// Settings of an [`Ingestor`].
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Messages larger than this are dead letters (`too_large`); bronze keeps their first
    /// `max_message_bytes` bytes, their size and their SHA-256.
    pub max_message_bytes: usize,
    /// How many recent deduplication keys silver remembers, across ranges (0 turns silver
    /// deduplication off).
    pub dedup_window: usize,
    /// The decoders to use: [`DecoderVersion::CURRENT`] but in tests of reprocessing.
    pub decoders: DecoderVersion,
    /// The org and gateway of each source, for envelopes that do not say.
    pub identities: SourceIdentities,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            dedup_window: 500_000,
            decoders: DecoderVersion::CURRENT,
            identities: SourceIdentities::default(),
        }
    }
}

/// The default of [`IngestOptions::max_message_bytes`]: 4 MiB, far above the largest real
/// message seen (a 69 KB `network_capabilities` report).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

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
        self.ingest_each(
            range,
            messages.len(),
            |i| (messages[i].0, messages[i].1, None),
            |_| ingested_at,
        )
        .await
    }

    /// [`Ingestor::ingest`] for Kafka records, whose key, headers and timestamp bronze keeps.
    pub async fn ingest_kafka(
        &self,
        range: &SourceRange,
        records: &[(u64, Vec<u8>, KafkaRecordMeta)],
    ) -> Result<IngestReport> {
        let ingested_at = self.clock.now_ms();
        self.ingest_each(
            range,
            records.len(),
            |i| (records[i].0, records[i].1.as_slice(), Some(&records[i].2)),
            |_| ingested_at,
        )
        .await
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
        self.ingest_each(
            range,
            messages.len(),
            |i| (messages[i].0, messages[i].1, None),
            |i| received_at[i],
        )
        .await
    }

    async fn ingest_each<'m>(
        &self,
        range: &SourceRange,
        count: usize,
        message: impl Fn(usize) -> (u64, &'m [u8], Option<&'m KafkaRecordMeta>),
        ingested_at: impl Fn(usize) -> i64,
    ) -> Result<IngestReport> {
        let started = std::time::Instant::now();
        let _in_flight = self.metrics.activity().write_started();
        let mut batch = RangeBatch::default();
        let mut report = IngestReport::default();
        let identity = self.options.identities.of(range);
        for i in 0..count {
            let (offset, bytes, kafka) = message(i);
            report.messages += 1;
            let position = SourcePosition {
                offset,
                ingested_at: ingested_at(i),
            };
            let mut decoded = decode_message_from(bytes, kafka, position, &self.options);
            decoded.identify(identity);
            if decoded.bronze.accepted {
                report.accepted += 1;
                let family = decoded.bronze.event_type.as_deref().unwrap_or_default();
                match report.by_family.get_mut(family) {
                    Some(count) => *count += 1,
                    None => {
                        report.by_family.insert(family.to_string(), 1);
                    }
                }
                if !KNOWN_FAMILIES.contains(&family) {
                    report.unknown_family += 1;
                }
                if !decoded.silver.is_empty() {
                    let id = decoded.bronze.event_id.as_deref().unwrap_or_default();
                    let key = silver::dedup_key(family, id, decoded.bronze.data.unwrap_or_default());
                    let mut recent = self.recent.lock().expect("dedup window lock");
                    batch.push_silver(&mut recent, &key, decoded.silver);
                }
            }
            if let Some(dead) = decoded.dead_letter {
                *report.dead_letters.entry(dead.reason.as_str()).or_default() += 1;
                batch.push_dead_letter(dead);
            }
            batch.push_bronze(&decoded.bronze);
        }
        report.silver_duplicates = batch.duplicates;
        report.files = batch.write(&self.lake, range, identity.map(|i| i.org.as_str())).await?;
        report.files_written = report.files.len() as u64;
        self.metrics
            .record(range.kind().as_str(), &report, started.elapsed().as_secs_f64());
        Ok(report)
    }
}

/// What one message becomes: always a bronze row; silver rows when it (or some of its
/// entries) was accepted; a dead letter when it (or an entry) was rejected.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The message as received.
    pub bronze: BronzeRow<'a>,
    /// Its silver rows.
    pub silver: Vec<silver::Silver>,
    /// Why it, or part of it, was rejected.
    pub dead_letter: Option<DeadLetterRow>,
}

impl Decoded<'_> {
    /// Gives its silver rows what `identity` (its source's, if configured) says of where they
    /// came from ([`crate::identity`]).
    pub fn identify(&mut self, identity: Option<&crate::identity::SourceIdentity>) {
        if let Some(identity) = identity {
            self.silver
                .iter_mut()
                .for_each(|row| row.common_mut().identify(identity));
        }
    }
}

/// Decodes one message into its bronze row, silver rows and dead letter.
/// Pure and panic-free on any input (fuzzed in `pipeline/fuzz`).
pub fn decode_message<'a>(bytes: &'a [u8], position: SourcePosition, options: &IngestOptions) -> Decoded<'a> {
    decode_message_from(bytes, None, position, options)
}

/// [`decode_message`] for a Kafka record with its metadata.
pub fn decode_message_from<'a>(
    bytes: &'a [u8],
    kafka: Option<&'a KafkaRecordMeta>,
    position: SourcePosition,
    options: &IngestOptions,
) -> Decoded<'a> {
    let too_large = bytes.len() > options.max_message_bytes;
    let kept = if too_large {
        &bytes[..options.max_message_bytes]
    } else {
        bytes
    };
    let mut bronze = BronzeRow {
        event_id: None,
        event_type: None,
        event_subtype: None,
        event_ts: None,
        envelope_timestamp: None,
        gateway: None,
        data: None,
        accepted: false,
        dead_letter_reason: None,
        raw: kept,
        raw_size: bytes.len(),
        raw_sha256: too_large.then(|| hex::encode(Sha256::digest(bytes))),
        kafka,
        position,
    };
    let version = options.decoders;
    let dead = |bronze: &mut BronzeRow<'a>, reason: Reason, detail: String| {
        bronze.dead_letter_reason = Some(reason);
        Some(DeadLetterRow {
            reason,
            detail,
            raw_size: bronze.raw_size,
            event_id: bronze.event_id.as_deref().map(str::to_string),
            event_type: bronze.event_type.as_deref().map(str::to_string),
            bronze_partition: bronze.partition().to_path_segments(),
            decoder_version: version.number(),
            position: bronze.position.clone(),
        })
    };
    if too_large {
        let detail = format!(
            "{} bytes exceed the limit of {}; bronze keeps the first {} bytes and the SHA-256 of all",
            bytes.len(),
            options.max_message_bytes,
            options.max_message_bytes
        );
        let dead_letter = dead(&mut bronze, Reason::TooLarge, detail);
        return Decoded {
            bronze,
            silver: Vec::new(),
            dead_letter,
        };
    }
    let envelope = match decode_envelope(bytes) {
        Ok(envelope) => envelope,
        Err(rejection) => {
            bronze.event_id = rejection.event_id.map(Cow::Owned);
            bronze.event_type = rejection.family.map(Cow::Owned);
            let dead_letter = dead(&mut bronze, rejection.reason, rejection.detail);
            return Decoded {
                bronze,
                silver: Vec::new(),
                dead_letter,
            };
        }
    };
    let data = envelope.data.get();
    bronze.event_ts = Some(envelope.timestamp_ms);
    bronze.envelope_timestamp = Some(envelope.timestamp_text);
    bronze.data = Some(data);
    let common = Common {
        event_id: envelope.id.to_string(),
        event_ts: envelope.timestamp_ms,
        envelope_ts: envelope.timestamp_ms,
        gateway: Some(envelope.gateway.to_string()).filter(|g| !g.is_empty()),
        decoder_version: version.number(),
        org: None,
    };
    let family = envelope.family.clone();
    bronze.event_id = Some(envelope.id);
    bronze.event_type = Some(envelope.family);
    bronze.gateway = Some(envelope.gateway);
    let decoded = match silver::decode(&family, common, data, version) {
        Ok(decoded) => decoded,
        Err(detail) => {
            let dead_letter = dead(&mut bronze, Reason::InvalidPayload, detail);
            return Decoded {
                bronze,
                silver: Vec::new(),
                dead_letter,
            };
        }
    };
    // Known families: the subtype as their silver decoder read it (families whose contract
    // has no payload `type` get none), which saves a second parse of every payload.
    bronze.event_subtype = if silver::has_silver(&family) {
        decoded
            .rows
            .first()
            .and_then(silver::Silver::subtype)
            .map(str::to_string)
    } else if data.starts_with('{') {
        serde_json::from_str::<SubtypeOnly>(data)
            .ok()
            .and_then(|s| s.subtype)
            .and_then(|v| v.as_str().map(str::to_string))
    } else {
        None
    };
    bronze.accepted = true;
    // Entries of an array payload rejected one by one: the others are kept.
    let dead_letter = if decoded.rejected_entries.is_empty() {
        None
    } else {
        let detail = format!(
            "{} of the payload's entries rejected, the others kept: {}",
            decoded.rejected_entries.len(),
            decoded.rejected_entries.join("; ")
        );
        dead(&mut bronze, Reason::InvalidPayload, detail)
    };
    Decoded {
        bronze,
        silver: decoded.rows,
        dead_letter,
    }
}
