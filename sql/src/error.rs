//! Errors of the SQL layer.

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong planning, running or storing a query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The statement is not a read-only query (DDL, DML, `COPY`, `SET`, …).
    #[error("only read-only queries are allowed: {0}")]
    NotReadOnly(String),

    /// The SQL does not parse or plan (unknown table or column, type error, …).
    #[error("invalid query: {0}")]
    InvalidQuery(String),

    /// The query ran longer than its time limit.
    #[error("query exceeded its time limit of {0:?}")]
    Timeout(std::time::Duration),

    /// The query needed more memory than its limit.
    #[error("query exceeded its memory limit: {0}")]
    ResourcesExhausted(String),

    /// The result has more rows than the row limit.
    #[error("query result exceeds the limit of {0} rows; add a LIMIT or a narrower filter")]
    TooManyRows(usize),

    /// A file the query listed was replaced or deleted before it was read (a rollup rewrote
    /// its partition): nothing was mixed, and running the query again reads the new version.
    #[error("the lake changed under the query (a file it listed was replaced or deleted); run it again")]
    LakeChanged,

    /// DataFusion failed while executing.
    #[error("query execution failed: {0}")]
    Execution(String),

    /// Reading or writing the lake failed.
    #[error(transparent)]
    Lake(#[from] lakehouse_layout::Error),

    /// A rollup produced columns that do not fit its gold dataset (a bug in the SQL file).
    #[error("rollup {rollup} does not produce the schema of its dataset: {detail}")]
    RollupSchema {
        /// Rollup name.
        rollup: &'static str,
        /// The first difference found.
        detail: String,
    },

    /// A snapshot cannot be published or read as asked (bad range, dataset, manifest).
    #[error("snapshot: {0}")]
    Snapshot(String),
}

/// Raised inside a query's stream when a read found a file replaced since it was listed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the lake changed under the query")]
pub struct LakeChanged;

impl Error {
    /// Classifies a DataFusion error raised while planning or running a query.
    pub fn from_datafusion(error: datafusion::error::DataFusionError) -> Error {
        use datafusion::error::DataFusionError as E;
        match error.find_root() {
            E::External(e) if e.is::<LakeChanged>() => Error::LakeChanged,
            E::ResourcesExhausted(msg) => Error::ResourcesExhausted(msg.clone()),
            E::Plan(msg) | E::SQL(_, Some(msg)) => Error::InvalidQuery(msg.clone()),
            E::SQL(parse, None) => Error::InvalidQuery(parse.to_string()),
            E::SchemaError(e, _) => Error::InvalidQuery(e.to_string()),
            E::NotImplemented(msg) => Error::InvalidQuery(format!("not supported: {msg}")),
            _ => Error::Execution(error.to_string()),
        }
    }
}
