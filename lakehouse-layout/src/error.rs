//! Errors of the lakehouse layout.

use object_store::path::Path;

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when naming, locating, writing or describing lake objects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A dataset name that no dataset of the layout carries.
    #[error("unknown dataset {0:?}")]
    UnknownDataset(String),

    /// An object path that does not follow the layout (wrong layer, dataset, partition or file name).
    #[error("path {path:?} does not follow the lake layout: {reason}")]
    BadPath {
        /// The path that was parsed.
        path: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A source name that cannot be embedded in a file name.
    #[error("source name {0:?} is not usable in a file name (allowed: A-Z a-z 0-9 . _ -, 1 to 128 characters)")]
    BadSourceName(String),

    /// A first offset greater than the last one.
    #[error("offset range {first}..={last} is inverted")]
    InvertedRange {
        /// First offset of the range.
        first: u64,
        /// Last offset of the range.
        last: u64,
    },

    /// A lake URL that cannot be opened.
    #[error("cannot open lake {url:?}: {reason}")]
    BadLakeUrl {
        /// The URL or path given.
        url: String,
        /// Why it cannot be opened.
        reason: String,
    },

    /// An object-store call failed; retrying may help.
    #[error("object store error at {path}: {source}")]
    ObjectStore {
        /// The object the call was about.
        path: Path,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },

    /// A state object (rollup state, compaction record) does not parse.
    #[error("state object {path} is corrupt: {detail}")]
    CorruptState {
        /// The object.
        path: String,
        /// What is wrong.
        detail: String,
    },

    /// Listing the objects of a dataset failed; retrying may help.
    #[error("object store listing failed: {0}")]
    List(#[source] object_store::Error),

    /// Encoding or decoding Parquet failed.
    #[error("parquet error in {path}: {source}")]
    Parquet {
        /// The object being written or read.
        path: String,
        /// The Parquet error.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// Building Arrow data failed.
    #[error("arrow error: {0}")]
    Arrow(#[from] arrow::error::ArrowError),

    /// Another process took over a lease this one held (it renewed too late).
    #[error("lost the {name} lease to {taker}: another writer took over; stopping")]
    LeaseLost {
        /// The lease.
        name: String,
        /// Who holds it now.
        taker: String,
    },

    /// A credentials file that cannot be read or parsed.
    #[error("credentials file {path}: {detail}")]
    Credentials {
        /// The file.
        path: String,
        /// What is wrong (never a token).
        detail: String,
    },

    /// A record batch whose schema is not the dataset's.
    #[error("record batch schema does not match dataset {dataset}: {detail}")]
    SchemaMismatch {
        /// Dataset the batch was written to.
        dataset: &'static str,
        /// The first difference found.
        detail: String,
    },
}

impl Error {
    /// Whether retrying the same call could succeed (transient storage trouble), as opposed
    /// to an error in the input or the program.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::ObjectStore { .. } | Error::List(_))
    }
}
