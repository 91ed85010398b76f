//! # sql
//!
//! DataFusion over the lake: the catalog of datasets as tables, the read-only query engine
//! used by the public surfaces, and the rollups (`rollups/*.sql`) that compute gold datasets.
//!
//! ```text
//! silver/* ──► rollups/<name>.sql (DataFusion) ──► gold/<name>/date=…/hour=…/part-00000.parquet
//! ```

pub mod canonical;
pub mod catalog;
pub mod compat;
mod engine;
mod error;
pub mod follow;
pub mod health;
mod incremental;
pub mod leaderboard;
pub mod metrics;
pub mod prices;
mod public_table;
pub mod resident;
pub mod rollup;
pub mod slo;
pub mod snapshot;
pub mod supply;
pub mod traffic;
pub mod verify;
pub mod windows;

pub use engine::{Profile, QueryEngine, QueryLimits, STREAM_HEAD_BYTES};
pub use error::{Error, LakeChanged, Result};
pub use follow::{DEFAULT_PERIODIC_EVERY, FollowSettings, Follower};
pub use incremental::Deferred;
pub use rollup::{Cadence, ROLLUPS, Reach, Rollup, RollupOptions, RollupReport, RollupRun, run_rollups};
pub use snapshot::SCORE_VERSION;
