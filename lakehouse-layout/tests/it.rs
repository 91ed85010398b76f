//! Integration tests of the lakehouse layout against a real local object store.

use std::sync::Arc;

use arrow::array::{Float64Array, Int64Array, StringArray, TimestampMillisecondArray};
use arrow::record_batch::RecordBatch;
use lakehouse_layout::{DataFilePath, Dataset, FileName, Lake, Manifest, PartitionKey, SourceKind, SourceRange};

fn gold_batch(sessions: i64) -> RecordBatch {
    let schema = Dataset::OrchestratorSessionsHourly.file_schema();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMillisecondArray::from(vec![1_767_906_000_000]).with_timezone("UTC")),
            Arc::new(StringArray::from(vec![Some(
                "0x52cf2968b3dc6016778742d3539449a6597d5954",
            )])),
            Arc::new(StringArray::from(vec![Some("https://rtav-orch2.xodeapp.xyz:28935")])),
            Arc::new(StringArray::from(vec![Some("streamdiffusion-sdxl-faceid")])),
            Arc::new(StringArray::from(vec![Some("cloudspe")])),
            Arc::new(StringArray::from(vec![Some("organic")])),
            Arc::new(Int64Array::from(vec![sessions])),
            Arc::new(Int64Array::from(vec![17])),
            Arc::new(Float64Array::from(vec![Some(15.5)])),
        ],
    )
    .unwrap()
}

#[tokio::test]
async fn writing_the_same_source_range_twice_leaves_one_object() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let range = SourceRange::new(SourceKind::Kafka, "streaming_events", 4, 1000, 1099).unwrap();
    let path = DataFilePath::new(
        Dataset::OrchestratorSessionsHourly,
        PartitionKey::hourly(1_767_906_000_000),
        FileName::Source(range),
    );

    lake.write_parquet(&path, &[gold_batch(1)]).await.unwrap();
    let first = lake.get(&path.to_path()).await.unwrap();
    lake.write_parquet(&path, &[gold_batch(1)]).await.unwrap();
    let second = lake.get(&path.to_path()).await.unwrap();

    let files = lake.list_files(Dataset::OrchestratorSessionsHourly).await.unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].0, path);
    // Deterministic encoding: the rewrite produced the same bytes.
    assert_eq!(first, second);
    // And only one file exists on disk, with no temporary leftovers.
    let on_disk: Vec<_> = walk(dir.path());
    assert_eq!(on_disk.len(), 1, "{on_disk:?}");
    assert!(on_disk[0].ends_with(path.to_path().as_ref()));
}

#[tokio::test]
async fn manifest_lists_rows_sizes_and_hashes() {
    let lake = Lake::in_memory();
    let mut written = Vec::new();
    for (hour, sessions) in [(0i64, 3), (1, 5)] {
        let path = DataFilePath::new(
            Dataset::OrchestratorSessionsHourly,
            PartitionKey::hourly(1_767_906_000_000 + hour * 3_600_000),
            FileName::Part(0),
        );
        written.push(lake.write_parquet(&path, &[gold_batch(sessions)]).await.unwrap());
    }
    let manifest = Manifest::build(&lake, Dataset::OrchestratorSessionsHourly)
        .await
        .unwrap();
    assert_eq!(manifest.files.len(), 2);
    assert_eq!(manifest.total_rows, 2);
    assert_eq!(manifest.partition_keys, vec!["date", "hour"]);
    for (file, w) in manifest.files.iter().zip(&written) {
        assert_eq!(file.path, w.path.to_path().as_ref());
        let bytes = lake.get(&w.path.to_path()).await.unwrap();
        assert_eq!(file.sha256, sha256_hex(&bytes));
        assert_eq!(file.bytes, w.bytes);
        assert_eq!(file.rows, 1);
    }
    let json = serde_json::to_string(&manifest).unwrap();
    let back: Manifest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, manifest);
}

#[tokio::test]
async fn rejects_batches_of_another_dataset() {
    let lake = Lake::in_memory();
    let path = DataFilePath::new(Dataset::StreamTrace, PartitionKey::hourly(0), FileName::Part(0));
    let err = lake.write_parquet(&path, &[gold_batch(1)]).await.unwrap_err();
    assert!(err.to_string().contains("does not match dataset stream_trace"), "{err}");
}

#[test]
fn lake_urls_are_validated() {
    assert!(Lake::open("ftp://example/x").is_err());
    assert!(Lake::open("file://relative/path").is_err());
    assert!(Lake::open("memory://").is_ok());
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.to_string_lossy().into_owned());
        }
    }
    out
}

#[tokio::test]
async fn intents_are_recorded_listed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let a = SourceRange::new(SourceKind::Kafka, "streaming_events", 7, 0, 1011).unwrap();
    let b = SourceRange::new(SourceKind::Kafka, "streaming_events", 7, 1012, 2000).unwrap();
    let other = SourceRange::new(SourceKind::Kafka, "streaming_events", 17, 0, 5).unwrap();
    for range in [&b, &a, &other] {
        lake.put_intent(range).await.unwrap();
    }
    assert_eq!(
        lake.list_intents(SourceKind::Kafka, "streaming_events", 7)
            .await
            .unwrap(),
        [a.clone(), b.clone()]
    );
    lake.delete_intent(&a).await.unwrap();
    assert_eq!(
        lake.list_intents(SourceKind::Kafka, "streaming_events", 7)
            .await
            .unwrap(),
        [b]
    );
    assert_eq!(
        lake.list_intents(SourceKind::Kafka, "streaming_events", 1)
            .await
            .unwrap(),
        []
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn every_gold_dataset_names_a_primary_key_of_its_own_columns() {
    for dataset in Dataset::ALL {
        let key = dataset.primary_key();
        if dataset.layer() != lakehouse_layout::Layer::Gold {
            assert!(key.is_empty(), "{dataset} keeps every event and has no key");
            continue;
        }
        assert!(!key.is_empty(), "{dataset} has no primary key");
        let schema = dataset.file_schema();
        for column in key {
            assert!(schema.field_with_name(column).is_ok(), "{dataset}: no column {column}");
        }
        let distinct: std::collections::BTreeSet<_> = key.iter().collect();
        assert_eq!(distinct.len(), key.len(), "{dataset}: repeated key column");
    }
}

fn sessions_of(batches: &[RecordBatch]) -> Vec<i64> {
    let mut values: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            b.column_by_name("sessions")
                .expect("a sessions column")
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect();
    values.sort_unstable();
    values
}

async fn partition_rows(lake: &Lake, dataset: Dataset) -> Vec<i64> {
    let mut batches = Vec::new();
    for (_, meta) in lake.list_files(dataset).await.unwrap() {
        let bytes = lake.get(&meta.location).await.unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        batches.extend(reader.map(Result::unwrap));
    }
    sessions_of(&batches)
}

#[tokio::test]
async fn compaction_merges_a_partition_and_a_redelivered_range_stays_counted_once() {
    use lakehouse_layout::compaction::{apply_retention, compact_partition};

    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let dataset = Dataset::OrchestratorSessionsHourly;
    let partition = PartitionKey::hourly(1_767_906_000_000);
    let path_of = |first: u64| {
        let range = SourceRange::new(SourceKind::Kafka, "streaming_events", 0, first, first + 9).unwrap();
        DataFilePath::new(dataset, partition.clone(), FileName::Source(range))
    };
    for first in [0, 10, 20] {
        lake.write_source_parquet(&path_of(first), &[gold_batch(first as i64)])
            .await
            .unwrap()
            .unwrap();
    }
    let before = partition_rows(&lake, dataset).await;

    let done = compact_partition(&lake, dataset, &partition).await.unwrap();
    assert_eq!((done.files_before, done.files_after, done.rows), (3, 1, 3));
    let files = lake.list_files(dataset).await.unwrap();
    assert_eq!(files.len(), 1);
    assert!(matches!(files[0].0.file, FileName::Compacted(_)));
    assert_eq!(partition_rows(&lake, dataset).await, before);
    // Compacting the same files again gives the same bytes (same name, same content).
    let record = lake.compaction_record(dataset, &partition).await.unwrap().unwrap();
    assert_eq!(record.sources.len(), 3);

    // A merged range delivered again is not written; a new one is, and merges next time.
    assert!(
        lake.write_source_parquet(&path_of(10), &[gold_batch(10)])
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        lake.write_source_parquet(&path_of(30), &[gold_batch(30)])
            .await
            .unwrap()
            .is_some()
    );
    let done = compact_partition(&lake, dataset, &partition).await.unwrap();
    assert_eq!((done.files_before, done.files_after, done.rows), (2, 1, 4));
    assert_eq!(partition_rows(&lake, dataset).await, [0, 10, 20, 30]);

    // A crash after the merged file was written but before the sources were deleted: the
    // next run rolls forward and every row is there once.
    let record = lake.compaction_record(dataset, &partition).await.unwrap().unwrap();
    let compacted = lake.list_files(dataset).await.unwrap()[0].clone();
    lake.write_parquet(&path_of(20), &[gold_batch(20)]).await.unwrap();
    assert_eq!(partition_rows(&lake, dataset).await, [0, 10, 20, 20, 30]);
    compact_partition(&lake, dataset, &partition).await.unwrap();
    assert_eq!(partition_rows(&lake, dataset).await, [0, 10, 20, 30]);
    assert_eq!(lake.list_files(dataset).await.unwrap()[0].0, compacted.0);
    assert_eq!(
        lake.compaction_record(dataset, &partition).await.unwrap().unwrap(),
        record
    );

    // Retention drops the partition and its record.
    assert_eq!(apply_retention(&lake, dataset, 1_767_906_000_000).await.unwrap(), 0);
    assert_eq!(apply_retention(&lake, dataset, 1_767_909_600_000).await.unwrap(), 1);
    assert!(lake.list_files(dataset).await.unwrap().is_empty());
    assert!(lake.compaction_record(dataset, &partition).await.unwrap().is_none());
}

/// A reader that listed a gold partition reads that version's Parquet file whole, footer and
/// rows, after a rollup replaced it on a local disk (the store whose e-tags are inode, time
/// and size).
#[tokio::test]
async fn a_listed_gold_file_is_read_whole_after_a_rollup_replaced_it_on_disk() {
    use futures::TryStreamExt;
    use lakehouse_layout::{IndexedStore, LakeIndex};
    use object_store::{ObjectStore, ObjectStoreExt};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let path = DataFilePath::new(
        Dataset::OrchestratorSessionsHourly,
        PartitionKey::hourly(1_767_906_000_000),
        FileName::Part(0),
    );
    lake.write_parquet(&path, &[gold_batch(1)]).await.unwrap();
    let store = IndexedStore::new(Arc::new(LakeIndex::new(lake.clone())));
    let listed: Vec<object_store::ObjectMeta> = store
        .list(Some(&Dataset::OrchestratorSessionsHourly.dir().into()))
        .try_collect()
        .await
        .unwrap();
    let [listed] = listed.as_slice() else {
        panic!("{listed:?}")
    };

    for sessions in 2..=3 {
        lake.keep_superseded(&path.to_path()).await.unwrap();
        lake.write_parquet(&path, &[gold_batch(sessions)]).await.unwrap();
    }
    let bytes = store.get(&listed.location).await.unwrap().bytes().await.unwrap();
    let rows: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sessions_of(&rows), vec![1], "the version listed, not a later one");
    // The folder a direct reader (DuckDB) lists still holds one file.
    let files = lake.list_files(Dataset::OrchestratorSessionsHourly).await.unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
}
