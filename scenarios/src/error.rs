//! Errors of the scenarios crate.

/// What can go wrong loading a scenario or writing a simulation.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file is not valid TOML for the scenario format (the message names line and key).
    #[error("scenario file: {0}")]
    Parse(String),
    /// A value is out of its domain.
    #[error("scenario field `{field}` {why}")]
    Invalid {
        /// Dotted path of the field.
        field: String,
        /// What is wrong with it.
        why: String,
    },
    /// Neither a built-in scenario nor a readable file.
    #[error("no scenario {name:?}: not a built-in ({builtins}) and not a readable file ({source})")]
    NotFound {
        /// What was asked for.
        name: String,
        /// The built-in names.
        builtins: String,
        /// Why the file could not be read.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("writing {path}: {source}")]
    Io {
        /// What was being written.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
