//! Errors of the ingestion pipeline. Bad *input* is never an error: it becomes a dead
//! letter. These are failures of the pipeline itself.

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure that stops an ingestion run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing to or reading from the lake failed.
    #[error(transparent)]
    Lake(#[from] lakehouse_layout::Error),

    /// Building Arrow arrays failed (a bug: rows always fit their schema).
    #[error("arrow error: {0}")]
    Arrow(#[from] arrow::error::ArrowError),

    /// A replay file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The Kafka client failed (connection, group membership, commit).
    #[error("kafka: {0}")]
    Kafka(String),

    /// The Kafka cluster refused the client (wrong credentials, an untrusted certificate, no
    /// permission): retrying with the same settings cannot succeed.
    #[error("kafka refused the connection: {0}")]
    KafkaRefused(String),

    /// The source configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A replay file is not JSONL nor a JSON array of envelopes.
    #[error("{path} is neither JSONL nor a JSON array: {detail}")]
    FileFormat {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

impl Error {
    /// Whether retrying the run could succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Lake(e) => e.is_retryable(),
            Error::Kafka(_) => true,
            _ => false,
        }
    }
}
