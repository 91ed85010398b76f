//! The dataset registry: every dataset of the lake, its layer, partitioning and schema.
//!
//! A dataset lives under `<lake>/<layer>/<dataset>/`, so any engine (DataFusion, DuckDB,
//! Spark, Polars) finds it by name and prunes on its hive partitions.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;

use crate::error::{Error, Result};
use crate::schema;

/// The four layers of the lake, each a top-level folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Every accepted message, losslessly, as sent.
    Bronze,
    /// Typed, deduplicated tables per event family.
    Silver,
    /// Rollups computed by the `sql` crate: the public metrics.
    Gold,
    /// Messages that could not be accepted, with the reason.
    DeadLetters,
}

impl Layer {
    /// All layers, in data-flow order.
    pub const ALL: [Layer; 4] = [Layer::Bronze, Layer::Silver, Layer::Gold, Layer::DeadLetters];

    /// The folder name of the layer.
    pub fn dir(self) -> &'static str {
        match self {
            Layer::Bronze => "bronze",
            Layer::Silver => "silver",
            Layer::Gold => "gold",
            Layer::DeadLetters => "dead_letters",
        }
    }

    /// The layer whose folder is `dir`.
    pub fn from_dir(dir: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|layer| layer.dir() == dir)
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dir())
    }
}

/// How a dataset's objects are split into hive `key=value` folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partitioning {
    /// `family=<family>/date=YYYY-MM-DD/hour=HH` (bronze: event family, then event time).
    FamilyDateHour,
    /// `date=YYYY-MM-DD/hour=HH` (event time for silver, window start for hourly gold,
    /// ingest time for dead letters).
    DateHour,
    /// `date=YYYY-MM-DD` (daily gold rollups).
    Date,
}

impl Partitioning {
    /// The partition keys in path order.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Partitioning::FamilyDateHour => &["family", "date", "hour"],
            Partitioning::DateHour => &["date", "hour"],
            Partitioning::Date => &["date"],
        }
    }
}

/// Every dataset of the lake. The names are a public contract: they are the Flight SQL
/// table names and the download names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dataset {
    /// Bronze `events`: every accepted envelope with its raw `data` JSON and source position.
    Events,
    /// Dead letters: rejected messages with a reason.
    DeadLetters,
    /// Silver `stream_trace`: stream lifecycle milestones, one row per event.
    StreamTrace,
    /// Silver `ai_stream_status`: one row per live-stream status sample.
    AiStreamStatus,
    /// Gold `orchestrator_sessions_hourly`: live sessions, status samples and output FPS per
    /// orchestrator, model and hour.
    OrchestratorSessionsHourly,
}

impl Dataset {
    /// Every dataset, bronze first, gold last.
    pub const ALL: [Dataset; 5] = [
        Dataset::Events,
        Dataset::DeadLetters,
        Dataset::StreamTrace,
        Dataset::AiStreamStatus,
        Dataset::OrchestratorSessionsHourly,
    ];

    /// The dataset's name (folder name and table name).
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Events => "events",
            Dataset::DeadLetters => "dead_letters",
            Dataset::StreamTrace => "stream_trace",
            Dataset::AiStreamStatus => "ai_stream_status",
            Dataset::OrchestratorSessionsHourly => "orchestrator_sessions_hourly",
        }
    }

    /// The dataset called `name`.
    pub fn from_name(name: &str) -> Result<Dataset> {
        Dataset::ALL
            .into_iter()
            .find(|dataset| dataset.name() == name)
            .ok_or_else(|| Error::UnknownDataset(name.to_string()))
    }

    /// The layer the dataset belongs to.
    pub fn layer(self) -> Layer {
        match self {
            Dataset::Events => Layer::Bronze,
            Dataset::DeadLetters => Layer::DeadLetters,
            Dataset::StreamTrace | Dataset::AiStreamStatus => Layer::Silver,
            Dataset::OrchestratorSessionsHourly => Layer::Gold,
        }
    }

    /// How the dataset is partitioned.
    pub fn partitioning(self) -> Partitioning {
        match self {
            Dataset::Events => Partitioning::FamilyDateHour,
            _ => Partitioning::DateHour,
        }
    }

    /// Whether the dataset is served to the public (silver and gold). Bronze and dead
    /// letters are for operators only.
    pub fn is_public(self) -> bool {
        matches!(self.layer(), Layer::Silver | Layer::Gold)
    }

    /// One sentence on what a row is.
    pub fn description(self) -> &'static str {
        match self {
            Dataset::Events => "Every accepted go-livepeer envelope, losslessly, with its source position",
            Dataset::DeadLetters => "Messages that could not be accepted, with the reason and the raw bytes",
            Dataset::StreamTrace => "One row per stream_trace milestone event",
            Dataset::AiStreamStatus => "One row per ai_stream_status sample of a live AI stream",
            Dataset::OrchestratorSessionsHourly => {
                "Live sessions with status evidence, status samples and average output FPS per orchestrator, model and hour"
            }
        }
    }

    /// The Arrow schema of the dataset's files. Partition columns (`family`, `date`,
    /// `hour`) are not in the files: engines derive them from the hive folders.
    pub fn file_schema(self) -> SchemaRef {
        match self {
            Dataset::Events => Arc::clone(&schema::EVENTS),
            Dataset::DeadLetters => Arc::clone(&schema::DEAD_LETTERS),
            Dataset::StreamTrace => Arc::clone(&schema::STREAM_TRACE),
            Dataset::AiStreamStatus => Arc::clone(&schema::AI_STREAM_STATUS),
            Dataset::OrchestratorSessionsHourly => Arc::clone(&schema::ORCHESTRATOR_SESSIONS_HOURLY),
        }
    }

    /// The folder of the dataset relative to the lake root: `<layer>/<dataset>`.
    pub fn dir(self) -> String {
        format!("{}/{}", self.layer().dir(), self.name())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
