//! # pipeline
//!
//! Ingestion of go-livepeer telemetry into the lake:
//!
//! ```text
//! message bytes ──decode_envelope──► Envelope ──► bronze `events` (lossless)
//!                      │                  └──────► silver tables (typed, per family)
//!                      └── rejected ─────────────► dead_letters (reason + raw bytes)
//! ```
//!
//! Every batch comes from one *source range* (a Kafka partition's offsets, a file's lines)
//! and is written as one file per dataset partition named after that range, so writing the
//! same range twice replaces the same objects instead of duplicating rows.

pub mod activity;
mod batch;
pub mod clock;
pub mod collect;
mod dead_letter;
mod decoder;
mod dedup;
mod envelope;
mod error;
pub mod identity;
mod ingest;
pub mod metrics;
pub mod reprocess;
pub mod silver;
pub mod source;

pub use batch::{BronzeRow, DeadLetterRow, KafkaRecordMeta, SourcePosition};
pub use dead_letter::Reason;
pub use decoder::DecoderVersion;
pub use envelope::{Envelope, Rejection, decode_envelope};
pub use error::{Error, Result};
pub use identity::{SourceIdentities, SourceIdentity};
pub use ingest::{
    DEFAULT_MAX_MESSAGE_BYTES, Decoded, IngestOptions, IngestReport, Ingestor, decode_message, decode_message_from,
};
pub use silver::KNOWN_FAMILIES;
