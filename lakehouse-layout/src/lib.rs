//! # lakehouse-layout
//!
//! The one source of truth for naap's datasets: their names and layers, Arrow schemas,
//! hive partitions, object paths, file names, and manifests. Every other crate asks this one
//! where a dataset lives and what its files look like; none builds a path by hand.
//!
//! ```text
//! <lake>/bronze/events/family=<family>/date=YYYY-MM-DD/hour=HH/<source range>.parquet
//! <lake>/silver/<dataset>/date=YYYY-MM-DD/hour=HH/<source range>.parquet
//! <lake>/gold/<dataset>/date=YYYY-MM-DD/hour=HH/part-NNNNN.parquet
//! <lake>/dead_letters/dead_letters/date=YYYY-MM-DD/hour=HH/<source range>.parquet
//! ```
//!
//! ```
//! use lakehouse_layout::{Dataset, DataFilePath, FileName, PartitionKey, SourceKind, SourceRange};
//!
//! let range = SourceRange::new(SourceKind::Kafka, "streaming_events", 2, 100, 199).unwrap();
//! let path = DataFilePath::new(
//!     Dataset::Events,
//!     PartitionKey::family_hourly("stream_trace", 1_767_908_945_298),
//!     FileName::Source(range),
//! );
//! assert_eq!(
//!     path.to_path().as_ref(),
//!     "bronze/events/family=stream_trace/date=2026-01-08/hour=21/\
//!      kafka-streaming_events-p00002-00000000000000000100-00000000000000000199.parquet"
//! );
//! assert_eq!(DataFilePath::parse(&path.to_path()).unwrap(), path);
//! ```

pub mod change_log;
pub mod compaction;
pub mod credentials;
mod dataset;
mod error;
mod file_name;
pub mod gold_schema;
pub mod index;
mod indexed_store;
mod intent;
mod lake;
pub mod lease;
mod manifest;
mod partition;
mod path;
pub mod privacy;
mod retention;
mod rollup_state;
pub mod schema;
mod snapshot;
mod superseded;

pub use change_log::{CHANGES_DIR, ChangeRecord, ChangeTail, FileChange};
pub use compaction::{CompactionRecord, MIN_COMPACTION_AGE_MS};
pub use dataset::{Dataset, EVENT_FAMILIES, Layer, Partitioning};
pub use error::{Error, Result};
pub use file_name::{FileName, PARQUET_EXTENSION, SourceKind, SourceRange, is_valid_source_name};
pub use index::LakeIndex;
pub use indexed_store::{IndexedStore, unversioned_location, versioned_location};
pub use intent::{INTENTS_DIR, intent_path, intents_dir, parse_intent_path};
pub use lake::{Lake, WrittenFile, writer_properties};
pub use manifest::{MANIFEST_VERSION, Manifest, ManifestField, ManifestFile, describe_file};
pub use partition::{OTHER_FAMILY, PartitionKey, UNPARSED_FAMILY, family_partition_value};
pub use path::{DataFilePath, dataset_dir, partition_dir};
pub use privacy::{
    DERIVED_FROM_PRIVATE, DerivedFromPrivate, PRIVATE_COLUMNS, Privacy, PrivateColumn, redact_batch, redact_parquet,
};
pub use retention::{RETENTION_HORIZONS_PATH, RetentionHorizons};
pub use rollup_state::{ALERT_WEBHOOK_STATE_PATH, InputFile, InputSnapshot, ROLLUP_STATE_PATH};
pub use snapshot::{
    SNAPSHOT_CHECKSUM, SNAPSHOT_MANIFEST, SNAPSHOT_VERSION, SNAPSHOTS_DIR, SnapshotDataset, SnapshotManifest,
    SnapshotRole, SnapshotRollup, is_valid_snapshot_id, lake_snapshot_dir, manifest_checksum, snapshot_id,
    snapshot_object,
};
pub use superseded::{SUPERSEDED_DIR, SUPERSEDED_GRACE, superseded_path};
