//! Manifests: what a snapshot of a dataset holds, with enough to verify every byte.

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::lake::Lake;
use crate::schema::fingerprint;

/// The manifest format version; bump it when a field changes meaning.
pub const MANIFEST_VERSION: u32 = 1;

/// A dataset snapshot: its files with row counts, sizes and SHA-256 hashes, and its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub manifest_version: u32,
    /// Dataset name.
    pub dataset: String,
    /// Layer folder of the dataset.
    pub layer: String,
    /// [`fingerprint`] of the files' schema.
    pub schema_fingerprint: String,
    /// The files' columns.
    pub schema: Vec<ManifestField>,
    /// Partition keys, in folder order.
    pub partition_keys: Vec<String>,
    /// The files, sorted by path.
    pub files: Vec<ManifestFile>,
    /// Sum of the files' rows.
    pub total_rows: u64,
    /// Sum of the files' sizes.
    pub total_bytes: u64,
}

/// One column of a manifest's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestField {
    /// Column name.
    pub name: String,
    /// Arrow data type, as Arrow prints it.
    pub data_type: String,
    /// Whether the column may hold NULL.
    pub nullable: bool,
}

/// One file of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path relative to the lake root.
    pub path: String,
    /// Rows in the file (from its Parquet footer).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

impl Manifest {
    /// Builds the manifest of every file of `dataset` in `lake`, reading each file once.
    pub async fn build(lake: &Lake, dataset: Dataset) -> Result<Manifest> {
        let schema = dataset.file_schema();
        let mut files = Vec::new();
        for (path, meta) in lake.list_files(dataset).await? {
            let bytes = lake.get(&meta.location).await?;
            files.push(describe_file(meta.location.as_ref(), bytes)?);
            debug_assert_eq!(path.to_path(), meta.location);
        }
        Ok(Manifest {
            manifest_version: MANIFEST_VERSION,
            dataset: dataset.name().to_string(),
            layer: dataset.layer().dir().to_string(),
            schema_fingerprint: fingerprint(&schema),
            schema: schema
                .fields()
                .iter()
                .map(|f| ManifestField {
                    name: f.name().clone(),
                    data_type: f.data_type().to_string(),
                    nullable: f.is_nullable(),
                })
                .collect(),
            partition_keys: dataset.partitioning().keys().iter().map(|k| k.to_string()).collect(),
            total_rows: files.iter().map(|f| f.rows).sum(),
            total_bytes: files.iter().map(|f| f.bytes).sum(),
            files,
        })
    }
}

/// Describes one Parquet object: rows from its footer, size and SHA-256.
pub fn describe_file(path: &str, bytes: Bytes) -> Result<ManifestFile> {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as u64;
    let reader = SerializedFileReader::new(bytes).map_err(|source| Error::Parquet {
        path: path.to_string(),
        source,
    })?;
    let rows = u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
    Ok(ManifestFile {
        path: path.to_string(),
        rows,
        bytes: size,
        sha256,
    })
}
