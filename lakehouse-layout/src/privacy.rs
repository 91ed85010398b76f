//! Which columns are public: the one place that says what may leave naap through its public
//! surfaces (Flight SQL, `/v1` rows and downloads, published snapshots).
//!
//! Every column of every dataset is classified here:
//!
//! * bronze `events` and `dead_letters` are private whole: they carry each message as it was
//!   sent, whatever it contains, for operators to audit and reprocess;
//! * in silver and gold, the columns listed in [`PRIVATE_COLUMNS`] are private, each with the
//!   reason; every other column is public. A test checks that each listed column exists, and
//!   that no column whose name looks personal (IPs, prompts, parameters, logs, auth ids,
//!   tokens, …) is left public without being reviewed in [`REVIEWED_PUBLIC`].
//!
//! Rollups read private columns (they run as the operator); what they publish from them is a
//! derived figure that cannot be turned back into the value.

use std::sync::Arc;

use arrow::array::{RecordBatch, new_null_array};
use arrow::datatypes::{Schema, SchemaRef};
use bytes::Bytes;

use crate::dataset::{Dataset, Layer};
use crate::error::{Error, Result};

/// Whether a column may leave through the public surfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// Anyone may read it.
    Public,
    /// Operators only, for the reason given.
    Private(&'static str),
}

/// A private column of a public dataset, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateColumn {
    /// The dataset.
    pub dataset: Dataset,
    /// The column.
    pub column: &'static str,
    /// Why it is private.
    pub reason: &'static str,
}

const CLIENT_IP: &str = "the end user's IP address: personal data";

/// The private columns of the silver and gold datasets.
pub const PRIVATE_COLUMNS: &[PrivateColumn] = &[
    PrivateColumn {
        dataset: Dataset::AiStreamEvents,
        column: "params",
        reason: "the stream's prompt and parameters as the user sent them: user content",
    },
    PrivateColumn {
        dataset: Dataset::AiStreamEvents,
        column: "restart_logs",
        reason: "runner logs: may echo prompts, file paths and credentials",
    },
    PrivateColumn {
        dataset: Dataset::Payments,
        column: "client_ip",
        reason: CLIENT_IP,
    },
    PrivateColumn {
        dataset: Dataset::AiBatchRequests,
        column: "client_ip",
        reason: CLIENT_IP,
    },
    PrivateColumn {
        dataset: Dataset::LlmRequests,
        column: "client_ip",
        reason: CLIENT_IP,
    },
    PrivateColumn {
        dataset: Dataset::SignedTickets,
        column: "auth_id",
        reason: "the remote signer's account of the user or app that paid: identifies a customer",
    },
];

/// A public column computed from private values: published so that what the private column
/// means analytically is not lost, in a form that does not give the values back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivedFromPrivate {
    /// The public dataset.
    pub dataset: Dataset,
    /// The public column.
    pub column: &'static str,
    /// The private columns it is computed from.
    pub sources: &'static [(Dataset, &'static str)],
    /// Why it gives no value back.
    pub why_not_reversible: &'static str,
}

/// The public columns computed from private values. A snapshot publishes its inputs without
/// their private columns, so `naap verify` cannot recompute these: it compares every other
/// column and names these as not checkable.
pub const DERIVED_FROM_PRIVATE: &[DerivedFromPrivate] = &[DerivedFromPrivate {
    dataset: Dataset::DemandHourly,
    column: "distinct_clients",
    sources: &[
        (Dataset::AiBatchRequests, "client_ip"),
        (Dataset::LlmRequests, "client_ip"),
    ],
    why_not_reversible: "a count of distinct addresses per hour, gateway, pipeline and model: no address, \
                         hash or order of them is kept",
}];

/// Columns whose names look personal but that were reviewed and are public, with why.
pub const REVIEWED_PUBLIC: &[(&str, &str)] = &[
    (
        "last_params_hash",
        "a hash of the parameters: says when they changed, not what they are",
    ),
    ("sender", "a gateway's on-chain address (payments are public on chain)"),
    ("request_id", "a random id go-livepeer gives each request"),
    ("session_id", "a random id of a payment session"),
    ("pm_session_id", "a random id of a payment session"),
    ("prompt_tokens", "how many tokens a prompt had, not what it said"),
    ("prompt_to_first_frame_ms", "a latency"),
];

/// Name fragments that make a column suspect of carrying something about an end user.
pub const PERSONAL_NAME_HINTS: &[&str] = &[
    "ip",
    "prompt",
    "param",
    "log",
    "auth",
    "token_text",
    "user",
    "email",
    "secret",
    "password",
];

impl Dataset {
    /// Whether `column` of this dataset may leave through the public surfaces.
    pub fn column_privacy(self, column: &str) -> Privacy {
        if !matches!(self.layer(), Layer::Silver | Layer::Gold) {
            return Privacy::Private("bronze and dead letters hold each message as it was sent");
        }
        PRIVATE_COLUMNS
            .iter()
            .find(|p| p.dataset == self && p.column == column)
            .map_or(Privacy::Public, |p| Privacy::Private(p.reason))
    }

    /// Whether the dataset has a private column (silver, gold) or is private whole.
    pub fn has_private_columns(self) -> bool {
        !self.is_public() || PRIVATE_COLUMNS.iter().any(|p| p.dataset == self)
    }

    /// The schema of what the public may read of the dataset: its file schema without the
    /// private columns.
    pub fn public_schema(self) -> SchemaRef {
        let schema = self.file_schema();
        let fields: Vec<_> = schema
            .fields()
            .iter()
            .filter(|f| self.column_privacy(f.name()) == Privacy::Public)
            .cloned()
            .collect();
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
    }
}

/// `batch` of `dataset` with every private column's values replaced by NULL (the columns
/// stay, so the file keeps its dataset's schema). Private columns are nullable.
pub fn redact_batch(dataset: Dataset, batch: &RecordBatch) -> Result<RecordBatch> {
    let schema = batch.schema();
    let columns = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| match dataset.column_privacy(field.name()) {
            Privacy::Public => Arc::clone(column),
            Privacy::Private(_) => new_null_array(field.data_type(), batch.num_rows()),
        })
        .collect();
    RecordBatch::try_new(schema, columns).map_err(|e| Error::SchemaMismatch {
        dataset: dataset.name(),
        detail: e.to_string(),
    })
}

/// A Parquet file of `dataset` with its private columns' values replaced by NULL, encoded as
/// every data file is (same input, same bytes). Files of datasets without private columns
/// come back unchanged.
pub fn redact_parquet(dataset: Dataset, bytes: Bytes) -> Result<Bytes> {
    if !PRIVATE_COLUMNS.iter().any(|p| p.dataset == dataset) {
        return Ok(bytes);
    }
    let parquet_error = |source| Error::Parquet {
        path: dataset.name().to_string(),
        source,
    };
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;
    let mut batches = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(e.into()))?;
        batches.push(redact_batch(dataset, &batch)?);
    }
    crate::lake::encode_parquet(&dataset.file_schema(), &batches).map_err(parquet_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_private_column_exists_and_is_nullable() {
        for private in PRIVATE_COLUMNS {
            let schema = private.dataset.file_schema();
            let field = schema
                .field_with_name(private.column)
                .unwrap_or_else(|_| panic!("{}.{} does not exist", private.dataset, private.column));
            assert!(field.is_nullable(), "{}.{}", private.dataset, private.column);
            assert!(private.dataset.public_schema().field_with_name(private.column).is_err());
        }
    }

    /// A new column whose name suggests personal data must be classified on purpose.
    #[test]
    fn every_column_that_looks_personal_was_classified() {
        let mut unclassified = Vec::new();
        for dataset in Dataset::ALL.into_iter().filter(|d| d.is_public()) {
            for field in dataset.file_schema().fields() {
                let name = field.name().as_str();
                let suspect = name
                    .split('_')
                    .any(|part| PERSONAL_NAME_HINTS.iter().any(|hint| part.starts_with(hint)));
                let reviewed = REVIEWED_PUBLIC.iter().any(|(column, _)| *column == name);
                if suspect && !reviewed && dataset.column_privacy(name) == Privacy::Public {
                    unclassified.push(format!("{dataset}.{name}"));
                }
            }
        }
        assert!(unclassified.is_empty(), "classify these columns: {unclassified:?}");
    }

    #[test]
    fn derived_columns_are_public_and_come_from_private_ones() {
        for derived in DERIVED_FROM_PRIVATE {
            assert!(
                derived.dataset.public_schema().field_with_name(derived.column).is_ok(),
                "{}.{} is not a public column",
                derived.dataset,
                derived.column
            );
            for (dataset, column) in derived.sources {
                assert!(
                    PRIVATE_COLUMNS
                        .iter()
                        .any(|p| p.dataset == *dataset && p.column == *column),
                    "{dataset}.{column} is not a private column"
                );
            }
        }
    }

    #[test]
    fn bronze_and_dead_letters_are_private_whole() {
        assert!(matches!(
            Dataset::Events.column_privacy("event_id"),
            Privacy::Private(_)
        ));
        assert!(Dataset::DeadLetters.has_private_columns());
        assert_eq!(Dataset::Sessions.column_privacy("stream_id"), Privacy::Public);
        assert_eq!(
            Dataset::Payments.column_privacy("client_ip"),
            Privacy::Private(CLIENT_IP)
        );
    }
}
