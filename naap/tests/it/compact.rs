//! `naap compact` on a day of demo data ingested as a Kafka consumer with small batches
//! would write it: the row set of every dataset is unchanged, the files are at least 10×
//! fewer, and messages delivered again afterwards are not counted twice.

use std::collections::BTreeMap;

use lakehouse_layout::{Dataset, Lake, Layer};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};

use crate::support::{naap_ok, sorted_rows};

/// 2026-01-08T00:00:00Z.
const START_MS: i64 = 1_767_830_400_000;

/// Messages per written batch.
const BATCH: usize = 100;

/// Every compactable dataset's rows as sorted canonical lines, and the file count.
async fn contents(lake: &Lake) -> (BTreeMap<&'static str, Vec<String>>, usize) {
    let mut rows = BTreeMap::new();
    let mut files = 0;
    for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
        files += lake.list_files(dataset).await.unwrap().len();
        rows.insert(dataset.name(), sorted_rows(lake, dataset).await);
    }
    (rows, files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_keeps_every_row_and_divides_the_files_of_a_demo_day_by_ten() {
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(2),
        start_ms: Some(START_MS),
        hours: Some(24),
    };
    let (lines, truth) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
    // Batches of 100 messages: a consumer flushing every few minutes at the demo's rate (one
    // flushing every second would write far smaller files).
    pipeline::source::memory::ingest_messages(&ingestor, "demo", 0, &lines, BATCH)
        .await
        .unwrap();
    let (before, files_before) = contents(&lake).await;

    let stdout = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || naap_ok(&path, &["compact"])
    })
    .await
    .unwrap();
    let (after, files_after) = contents(&lake).await;
    eprintln!("a demo day: {files_before} files before compaction, {files_after} after");
    for (dataset, rows) in &before {
        assert!(rows == &after[dataset], "compaction changed the rows of {dataset}");
    }
    assert!(
        files_before >= 10 * files_after,
        "{files_before} files before, {files_after} after:\n{stdout}"
    );
    assert!(stdout.contains("compacted ai_stream_status"), "{stdout}");

    // The first hours' ranges written again after compaction (a consumer resuming at an
    // intent cuts its range at the same boundaries) stay counted once.
    let redelivered = &lines[..lines.len() / 8 / BATCH * BATCH];
    pipeline::source::memory::ingest_messages(&ingestor, "demo", 0, redelivered, BATCH)
        .await
        .unwrap();
    let (again, _) = contents(&lake).await;
    for (dataset, rows) in &before {
        let now = &again[dataset];
        assert!(
            rows == now,
            "{dataset}: {} rows before the redelivery, {} after",
            rows.len(),
            now.len()
        );
    }
}
