//! `naap snapshot` → `naap verify`: an untouched snapshot verifies (from its folder and over
//! HTTP); a flipped byte, or one changed value in one row with every hash forged to match,
//! is reported by name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, Int64Array};
use arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use lakehouse_layout::{DataFilePath, Lake, SnapshotManifest, SnapshotRole, describe_file, manifest_checksum};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use serde_json::Value;

use crate::support::{Naap, http_get, naap, naap_ok};

/// 2026-01-08T14:00:00Z.
const START_MS: i64 = 1_767_880_800_000;

/// A lake with three hours of the demo network, ingested and rolled up in-process.
async fn demo_lake(dir: &Path) {
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(5),
        start_ms: Some(START_MS),
        hours: Some(3),
    };
    let (lines, truth) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    let lake = Lake::open(dir.to_str().unwrap()).unwrap();
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
    pipeline::source::memory::ingest_messages(&ingestor, "demo", 0, &lines, 50_000)
        .await
        .unwrap();
    let options = sql::RollupOptions {
        reference: sql::rollup::ReferenceData {
            gateway_regions: truth.gateways.into_iter().collect(),
            ..Default::default()
        },
        ..sql::RollupOptions::default()
    };
    sql::run_rollups(&lake, &options).await.unwrap();
}

fn verify(snapshot: &str) -> (bool, String) {
    let lake = tempfile::tempdir().unwrap();
    let output = naap(lake.path(), &["verify", snapshot]);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_verifies_and_any_change_is_named() {
    let lake = tempfile::tempdir().unwrap();
    demo_lake(lake.path()).await;
    let out = tempfile::tempdir().unwrap();
    let publish = {
        let lake = lake.path().to_path_buf();
        let out = out.path().to_str().unwrap().to_string();
        move || {
            let args = [
                "snapshot",
                "--from",
                "2026-01-08T14:00:00Z",
                "--to",
                "2026-01-08T17:00:00Z",
                "--out",
                &out,
            ];
            naap_ok(&lake, &args)
        }
    };
    let printed = tokio::task::spawn_blocking(publish.clone()).await.unwrap();
    let id = printed.split_whitespace().nth(1).unwrap().to_string();
    let root: PathBuf = out.path().join(&id);
    let manifest: SnapshotManifest =
        serde_json::from_slice(&std::fs::read(root.join("snapshot.json")).unwrap()).unwrap();
    assert_eq!(manifest.id, id);
    let outputs: Vec<&str> = manifest
        .datasets
        .iter()
        .filter(|d| d.role == SnapshotRole::Output)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(outputs, ["sessions", "sla_hourly"]);
    assert!(
        manifest
            .datasets
            .iter()
            .all(|d| d.rows > 0 || d.role == SnapshotRole::Input)
    );
    assert_eq!(
        manifest.rollups.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["sessions", "sla_benchmarks_daily", "sla_hourly"]
    );
    assert!(!manifest.gateway_regions.is_empty(), "the regions the rollups ran with");

    // Untouched: identical.
    let (ok, report) = verify(root.to_str().unwrap());
    assert!(ok, "{report}");
    assert!(report.contains("verified: identical"), "{report}");
    for dataset in ["sessions", "sla_hourly"] {
        let rows = manifest.datasets.iter().find(|d| d.name == dataset).unwrap().rows;
        assert!(rows > 0);
        assert!(report.contains(&format!("{dataset} {rows}/{rows} rows")), "{report}");
    }

    // Publishing the same content again gives the same id.
    let again = tokio::task::spawn_blocking(publish).await.unwrap();
    assert_eq!(again.split_whitespace().nth(1).unwrap(), id);

    // One flipped byte in one input file: named, and its outputs no longer recompute alike.
    let flipped = tempfile::tempdir().unwrap();
    copy_dir(&root, flipped.path());
    let input = manifest
        .files()
        .find(|(d, _)| d.name == "ai_stream_status")
        .map(|(_, f)| f.path.clone())
        .unwrap();
    let path = flipped.path().join(&input);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let (ok, report) = verify(flipped.path().to_str().unwrap());
    assert!(!ok);
    assert!(report.contains(&format!("problem: {input}: ")), "{report}");

    // One value of one output row changed, with the file's hash, the manifest and its
    // checksum all forged to match: only the recomputation can tell, and it names the row.
    let forged = tempfile::tempdir().unwrap();
    copy_dir(&root, forged.path());
    let gold = manifest
        .files()
        .find(|(d, f)| d.name == "sla_hourly" && f.rows > 0)
        .map(|(_, f)| f.path.clone())
        .unwrap();
    let batch = {
        let bytes = bytes::Bytes::from(std::fs::read(forged.path().join(&gold)).unwrap());
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
    };
    let column = batch.schema().index_of("requested_sessions").unwrap();
    let old = batch.column(column).as_any().downcast_ref::<Int64Array>().unwrap();
    let new: Int64Array = (0..old.len()).map(|i| Some(old.value(i) + i64::from(i == 0))).collect();
    let mut columns = batch.columns().to_vec();
    columns[column] = Arc::new(new);
    let changed = RecordBatch::try_new(batch.schema(), columns).unwrap();
    let snapshot_lake = Lake::open(forged.path().to_str().unwrap()).unwrap();
    let path = DataFilePath::parse(&gold.as_str().into()).unwrap();
    snapshot_lake.write_parquet(&path, &[changed]).await.unwrap();
    let mut manifest_value: Value = serde_json::to_value(&manifest).unwrap();
    let described = describe_file(&gold, std::fs::read(forged.path().join(&gold)).unwrap().into()).unwrap();
    for dataset in manifest_value["datasets"].as_array_mut().unwrap() {
        for file in dataset["files"].as_array_mut().unwrap() {
            if file["path"] == gold.as_str() {
                file["sha256"] = described.sha256.clone().into();
                file["bytes"] = described.bytes.into();
            }
        }
    }
    let forged_manifest: SnapshotManifest = serde_json::from_value(manifest_value).unwrap();
    let bytes = forged_manifest.to_bytes();
    std::fs::write(forged.path().join("snapshot.json"), &bytes).unwrap();
    std::fs::write(forged.path().join("snapshot.json.sha256"), manifest_checksum(&bytes)).unwrap();
    let (ok, report) = verify(forged.path().to_str().unwrap());
    assert!(!ok);
    assert!(
        report.contains("sla_hourly: 1 published rows are not recomputed and 1 recomputed rows are not published"),
        "{report}"
    );
    assert!(report.contains("\n    - ") && report.contains("\n    + "), "{report}");
    assert!(
        !report.contains("SHA-256"),
        "the forgery passes the hash checks: {report}"
    );

    // A snapshot whose recorded SQL is not this release's: verified under its own SQL and,
    // separately, recomputed under the current one. Here the recorded sla_hourly rounds
    // minutes to 2 places, so the published rows (this release's) do not reproduce under
    // the snapshot's own SQL, and do under the current SQL.
    let other_sql = tempfile::tempdir().unwrap();
    copy_dir(&root, other_sql.path());
    let mut manifest_value: Value = serde_json::to_value(&manifest).unwrap();
    for rollup in manifest_value["rollups"].as_array_mut().unwrap() {
        if rollup["name"] == "sla_hourly" {
            let sql = rollup["sql"].as_str().unwrap();
            assert!(sql.contains("round(session_minutes, 6)"));
            rollup["sql"] = sql
                .replace("round(session_minutes, 6)", "round(session_minutes, 2)")
                .into();
        }
    }
    let edited: SnapshotManifest = serde_json::from_value(manifest_value).unwrap();
    let bytes = edited.to_bytes();
    std::fs::write(other_sql.path().join("snapshot.json"), &bytes).unwrap();
    std::fs::write(other_sql.path().join("snapshot.json.sha256"), manifest_checksum(&bytes)).unwrap();
    let (ok, report) = verify(other_sql.path().to_str().unwrap());
    assert!(!ok, "{report}");
    assert!(
        report.contains("note: the snapshot's SQL of sla_hourly differs"),
        "{report}"
    );
    assert!(report.contains("problem: sla_hourly: "), "{report}");
    let current = report
        .lines()
        .find(|l| l.starts_with("under this naap version's SQL: "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        current.contains("sla_hourly") && !current.contains("differ"),
        "{report}"
    );
    // With the release's own SQL recorded, there is nothing to recompute twice.
    let (_, untouched) = verify(root.to_str().unwrap());
    assert!(!untouched.contains("under this naap version's SQL"), "{untouched}");

    // A manifest edited without its checksum is caught by the checksum.
    std::fs::write(forged.path().join("snapshot.json.sha256"), manifest_checksum(b"other")).unwrap();
    let (ok, report) = verify(forged.path().to_str().unwrap());
    assert!(!ok && report.contains("snapshot.json has SHA-256"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_are_listed_served_and_verified_over_http() {
    let lake = tempfile::tempdir().unwrap();
    demo_lake(lake.path()).await;
    let printed = tokio::task::spawn_blocking({
        let lake = lake.path().to_path_buf();
        move || {
            naap_ok(
                &lake,
                &[
                    "snapshot",
                    "--from",
                    "2026-01-08T15:00:00Z",
                    "--to",
                    "2026-01-08T17:00:00Z",
                    "--dataset",
                    "sla_hourly,demand_hourly",
                ],
            )
        }
    })
    .await
    .unwrap();
    let id = printed.split_whitespace().nth(1).unwrap().to_string();
    let naap = Naap::spawn(lake.path(), &["serve"]).await;
    let (status, list) = http_get(&naap.http, "/v1/snapshots").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["data"][0]["id"], id.as_str());
    let (status, _) = http_get(&naap.http, "/v1/snapshots/nope").await;
    assert_eq!(status, 404);
    let (status, _) = http_get(&naap.http, &format!("/v1/snapshots/{id}/files/../../events")).await;
    assert_eq!(status, 404);

    let url = format!("{}/v1/snapshots/{id}", naap.http);
    let (ok, report) = tokio::task::spawn_blocking(move || verify(&url)).await.unwrap();
    assert!(ok, "{report}");
    assert!(
        report.contains("demand_hourly") && report.contains("verified: identical"),
        "{report}"
    );
    naap.stop_with_ctrl_c().await;
}
