//! Object paths of data files: `<layer>/<dataset>/<partition folders>/<file name>`,
//! relative to the lake root.

use object_store::path::Path;

use crate::dataset::{Dataset, Layer};
use crate::error::{Error, Result};
use crate::file_name::FileName;
use crate::partition::PartitionKey;

/// The location of one data file in the lake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataFilePath {
    /// The dataset the file belongs to.
    pub dataset: Dataset,
    /// Its partition.
    pub partition: PartitionKey,
    /// Its file name.
    pub file: FileName,
}

impl DataFilePath {
    /// A data file path; panics in debug builds if the partition does not fit the dataset.
    pub fn new(dataset: Dataset, partition: PartitionKey, file: FileName) -> Self {
        debug_assert!(
            partition.fits(dataset.partitioning()),
            "{partition:?} does not fit {dataset}"
        );
        DataFilePath {
            dataset,
            partition,
            file,
        }
    }

    /// The object path relative to the lake root.
    pub fn to_path(&self) -> Path {
        Path::from(format!(
            "{}/{}/{}",
            self.dataset.dir(),
            self.partition.to_path_segments(),
            self.file
        ))
    }

    /// Parses an object path relative to the lake root.
    pub fn parse(path: &Path) -> Result<DataFilePath> {
        let text = path.as_ref();
        let bad = |reason: String| Error::BadPath {
            path: text.to_string(),
            reason,
        };
        let segments: Vec<&str> = text.split('/').collect();
        let [layer, name, rest @ ..] = segments.as_slice() else {
            return Err(bad("expected <layer>/<dataset>/…".into()));
        };
        let layer = Layer::from_dir(layer).ok_or_else(|| bad(format!("unknown layer {layer:?}")))?;
        let dataset = Dataset::from_name(name)?;
        if dataset.layer() != layer {
            return Err(bad(format!("dataset {dataset} lives in layer {}", dataset.layer())));
        }
        let [folders @ .., file] = rest else {
            return Err(bad("missing file name".into()));
        };
        let partition = PartitionKey::parse_segments(dataset.partitioning(), folders).map_err(bad)?;
        let file = FileName::parse(file)?;
        Ok(DataFilePath {
            dataset,
            partition,
            file,
        })
    }
}

/// The folder of a dataset, relative to the lake root.
pub fn dataset_dir(dataset: Dataset) -> Path {
    Path::from(dataset.dir())
}

/// The folder of one partition of a dataset, relative to the lake root.
pub fn partition_dir(dataset: Dataset, partition: &PartitionKey) -> Path {
    Path::from(format!("{}/{}", dataset.dir(), partition.to_path_segments()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_name::{SourceKind, SourceRange};

    fn sample_partition(dataset: Dataset) -> PartitionKey {
        PartitionKey::for_event(dataset.partitioning(), "ai_stream_status", 1_767_908_955_607)
    }

    #[test]
    fn every_dataset_path_round_trips() {
        for dataset in Dataset::ALL {
            for file in [
                FileName::Source(SourceRange::new(SourceKind::Kafka, "streaming_events", 5, 42, 4242).unwrap()),
                FileName::Source(SourceRange::new(SourceKind::File, "capture-1a2b.json", 0, 0, 64).unwrap()),
                FileName::Part(0),
                FileName::Compacted("0123456789abcdef".into()),
            ] {
                let path = DataFilePath::new(dataset, sample_partition(dataset), file);
                let object = path.to_path();
                assert!(
                    object
                        .as_ref()
                        .starts_with(&format!("{}/{}/", dataset.layer().dir(), dataset.name()))
                );
                assert_eq!(DataFilePath::parse(&object).unwrap(), path, "{object}");
            }
        }
    }

    #[test]
    fn bronze_paths_carry_family_date_and_hour() {
        let path = DataFilePath::new(
            Dataset::Events,
            sample_partition(Dataset::Events),
            FileName::Source(SourceRange::new(SourceKind::Kafka, "t", 1, 2, 3).unwrap()),
        );
        assert_eq!(
            path.to_path().as_ref(),
            "bronze/events/family=ai_stream_status/date=2026-01-08/hour=21/kafka-t-p00001-00000000000000000002-00000000000000000003.parquet"
        );
    }

    #[test]
    fn rejects_paths_outside_the_layout() {
        for bad in [
            "gold/events/family=a/date=2026-01-08/hour=01/part-00000.parquet",
            "silver/nope/date=2026-01-08/hour=01/part-00000.parquet",
            "silver/stream_trace/date=2026-01-08/part-00000.parquet",
            "silver/stream_trace/date=2026-01-08/hour=01",
            "tmp/stream_trace/date=2026-01-08/hour=01/part-00000.parquet",
        ] {
            assert!(DataFilePath::parse(&Path::from(bad)).is_err(), "{bad} parsed");
        }
    }
}
