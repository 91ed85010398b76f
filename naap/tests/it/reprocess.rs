//! History corrected after a decoder fix: a lake ingested with decoder version 1, which
//! dead-letters a whole capability report for one malformed entry, is reprocessed from bronze
//! with the current decoders (which reject that entry alone) and then equals, row for row in
//! silver, dead letters and gold, a lake ingested with the current decoders from the start; a
//! second run changes nothing; a run killed with SIGKILL and run again gives the same result.

use std::path::Path;
use std::time::{Duration, Instant};

use lakehouse_layout::{Dataset, Lake, Layer};
use pipeline::clock::FixedClock;
use pipeline::{DecoderVersion, IngestOptions, Ingestor};
use serde_json::{Value, json};

use crate::support::{naap_ok, sorted_rows};

/// 2026-01-08T14:00:00Z.
const START_MS: i64 = 1_767_880_800_000;
const HOURS: i64 = 3;
const FROM: &str = "2026-01-08T14:00:00Z";
/// The simulation's last events fall at its end, 17:00.
const TO: &str = "2026-01-08T18:00:00Z";
/// What dead letters kept of a message before bronze kept every message whole.
const OLD_DEAD_LETTER_CAP: usize = 64 * 1024;

/// The real 40-orchestrator capability report (69 KB) with one entry of an unexpected shape.
fn capability_report_with_a_bad_entry() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../pipeline/tests/data/livepeer/network-capabilities-40-orchestrators-byoc.json");
    let response: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut orchestrators = response["orchestrators"].clone();
    orchestrators[3]["capabilities"] = json!({"bitstring": "all"});
    let ts = START_MS + 3_600_000 + 120_000;
    // Indented, as a producer may send it: bronze must keep the bytes, not a re-serialization.
    serde_json::to_string_pretty(&json!({"id": "caps-bad-entry", "type": "network_capabilities",
           "timestamp": ts.to_string(), "gateway": "gw-1", "data": orchestrators}))
    .unwrap()
}

/// Three hours of the demo network and the report.
fn input() -> (Vec<String>, i64) {
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(11),
        start_ms: Some(START_MS),
        hours: Some(HOURS as u32),
    };
    let (mut lines, truth) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    lines.push(capability_report_with_a_bad_entry());
    (lines, truth.end_ms)
}

/// Ingests the input with `decoders` into `dir` and rolls it up.
async fn ingested(dir: &Path, decoders: DecoderVersion) -> Lake {
    let (lines, end_ms) = input();
    let lake = Lake::open(dir.to_str().unwrap()).unwrap();
    let options = IngestOptions {
        decoders,
        ..IngestOptions::default()
    };
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(end_ms), options);
    pipeline::source::memory::ingest_messages(&ingestor, "history", 0, &lines, 5_000)
        .await
        .unwrap();
    sql::run_rollups(&lake, &sql::RollupOptions::default()).await.unwrap();
    lake
}

/// Silver, dead letters and gold, each as sorted canonical rows.
async fn derived_rows(lake: &Lake) -> Vec<(Dataset, Vec<String>)> {
    let mut all = Vec::new();
    for dataset in Dataset::ALL
        .into_iter()
        .filter(|d| matches!(d.layer(), Layer::Silver | Layer::Gold) || *d == Dataset::DeadLetters)
    {
        all.push((dataset, sorted_rows(lake, dataset).await));
    }
    all
}

async fn assert_same_rows(actual: &Lake, expected: &Lake) {
    let (actual, expected) = (derived_rows(actual).await, derived_rows(expected).await);
    for ((dataset, actual), (_, expected)) in actual.iter().zip(&expected) {
        assert_eq!(
            actual.len(),
            expected.len(),
            "{dataset}: {} rows, a fresh ingest has {}",
            actual.len(),
            expected.len()
        );
        let first = actual.iter().zip(expected).find(|(a, e)| a != e);
        assert!(first.is_none(), "{dataset} differs: {first:?}");
    }
}

async fn reprocess(dir: &Path, extra: &[&str]) -> String {
    let dir = dir.to_path_buf();
    let mut args = vec!["reprocess", "--from", FROM, "--to", TO];
    args.extend_from_slice(extra);
    let args: Vec<String> = args.into_iter().map(str::to_string).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        naap_ok(&dir, &args)
    })
    .await
    .unwrap()
}

/// Every file of the lake's silver and dead letters, with its size.
fn files(dir: &Path) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("silver"), dir.join("dead_letters")];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push((path.display().to_string(), entry.metadata().unwrap().len()));
            }
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reprocessing_with_the_current_decoders_equals_a_fresh_ingest() {
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = ingested(fresh_dir.path(), DecoderVersion::CURRENT).await;
    let old_dir = tempfile::tempdir().unwrap();
    let old = ingested(old_dir.path(), DecoderVersion::V1).await;

    // Version 1 dead-lettered the whole report; bronze kept it byte for byte, though it is
    // larger than what a dead letter used to keep.
    let report = capability_report_with_a_bad_entry();
    assert!(report.len() > OLD_DEAD_LETTER_CAP);
    let dead = sorted_rows(&old, Dataset::DeadLetters).await;
    assert_eq!(
        dead.iter().filter(|r| r.contains("caps-bad-entry")).count(),
        1,
        "{dead:?}"
    );
    let bronze = pipeline_bronze_bytes(&old, "caps-bad-entry").await;
    assert_eq!(bronze.as_deref(), Some(report.as_bytes()));
    assert!(derived_rows(&old).await != derived_rows(&fresh).await);

    // A dry run says what would change and changes nothing.
    let before = files(old_dir.path());
    let dry = reprocess(old_dir.path(), &["--dry-run"]).await;
    assert!(dry.contains("partitions would change"), "{dry}");
    assert!(dry.contains("capability_orchestrators"), "{dry}");
    assert_eq!(files(old_dir.path()), before, "a dry run wrote");

    let printed = reprocess(old_dir.path(), &[]).await;
    assert!(!printed.contains(" 0 partitions changed"), "{printed}");
    sql::run_rollups(&old, &sql::RollupOptions::default()).await.unwrap();
    assert_same_rows(&old, &fresh).await;

    // Again: nothing to change, not a file touched.
    let settled = files(old_dir.path());
    let again = reprocess(old_dir.path(), &[]).await;
    assert!(again.contains(" 0 partitions changed"), "{again}");
    assert_eq!(files(old_dir.path()), settled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reprocessing_killed_midway_and_run_again_finishes_the_job() {
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = ingested(fresh_dir.path(), DecoderVersion::CURRENT).await;
    let dir = tempfile::tempdir().unwrap();
    let lake = ingested(dir.path(), DecoderVersion::V1).await;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_naap"))
        .arg("--lake")
        .arg(dir.path())
        .args(["reprocess", "--from", FROM, "--to", TO])
        .env("NAAP_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as it has replaced a first partition (bounded wait on that condition).
    let records = dir.path().join("_compaction");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !records.exists() {
        assert!(Instant::now() < deadline, "reprocessing never replaced a partition");
        assert!(
            child.try_wait().unwrap().is_none(),
            "reprocessing ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run finished before SIGKILL reached it");

    reprocess(dir.path(), &[]).await;
    sql::run_rollups(&lake, &sql::RollupOptions::default()).await.unwrap();
    assert_same_rows(&lake, &fresh).await;
}

/// The bytes bronze holds for the message with envelope id `id`.
async fn pipeline_bronze_bytes(lake: &Lake, id: &str) -> Option<Vec<u8>> {
    for (_, meta) in lake.list_files(Dataset::Events).await.unwrap() {
        let bytes = lake.get(&meta.location).await.unwrap();
        let reader = datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let ids = batch
                .column_by_name("event_id")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .unwrap();
            let raw = batch
                .column_by_name("raw")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow::array::BinaryArray>()
                .unwrap();
            if let Some(row) = (0..batch.num_rows()).find(|i| ids.value(*i) == id) {
                return Some(raw.value(row).to_vec());
            }
        }
    }
    None
}
