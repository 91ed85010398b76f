//! Golden replay: a committed input (an hour of the `faults` scenario, the real capture of a
//! live stream, collected registry and metrics pages with a node restart) goes through
//! ingestion and every rollup; the gold rows, silver row counts and dead letters by reason
//! must equal the committed expectations in `tests/data/golden/expected/`.
//!
//! A change of formula changes these files: regenerate them with
//! `NAAP_BLESS=1 cargo test -p naap --test it golden` and commit them with the change, so the
//! review shows what moved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lakehouse_layout::{Dataset, Lake, Layer};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use sql::ROLLUPS;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden");
const CAPTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../pipeline/tests/data/livepeer/stream-events-capture-2026-01-08.json"
);
/// Ingest time of every message: 2026-01-08T23:00:00Z.
const INGEST_MS: i64 = 1_767_913_200_000;

async fn dataset_lines(lake: &Lake, dataset: Dataset) -> Vec<String> {
    let rows = crate::support::sorted_rows(lake, dataset).await;
    let header = dataset
        .file_schema()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect::<Vec<_>>()
        .join(",");
    std::iter::once(header).chain(rows).collect()
}

/// Compares `actual` with the committed file (or writes it when blessing); returns a
/// description of the first difference.
fn check(name: &str, actual: &[String]) -> Option<String> {
    let path: PathBuf = Path::new(GOLDEN).join("expected").join(name);
    let text = actual.join("\n") + "\n";
    if std::env::var_os("NAAP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == text {
        return None;
    }
    let expected: Vec<&str> = expected.lines().collect();
    let line = expected
        .iter()
        .zip(actual)
        .position(|(e, a)| e != a)
        .unwrap_or(expected.len().min(actual.len()));
    Some(format!(
        "{name}: {} lines expected, {} computed; first difference at line {}:\n  expected {:?}\n  computed {:?}",
        expected.len(),
        actual.len(),
        line + 1,
        expected.get(line),
        actual.get(line)
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_replay_gives_the_committed_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(INGEST_MS), IngestOptions::default());
    let mut dead_letters: BTreeMap<String, u64> = BTreeMap::new();
    for input in [
        Path::new(GOLDEN).join("simulated-faults.jsonl"),
        Path::new(GOLDEN).join("collected.jsonl"),
        PathBuf::from(CAPTURE),
    ] {
        let report = pipeline::source::file::ingest_file(&ingestor, &input, 10_000, |_, _| {})
            .await
            .unwrap();
        for (reason, count) in report.dead_letters {
            *dead_letters.entry(reason.to_string()).or_default() += count;
        }
    }
    let scenario = scenarios::library::load(&format!("{GOLDEN}/scenario.toml")).unwrap();
    let options = sql::RollupOptions {
        reference: sql::rollup::ReferenceData {
            gateway_regions: scenario
                .gateways
                .iter()
                .filter(|g| !g.name.is_empty())
                .map(|g| (g.name.clone(), g.region.clone()))
                .collect(),
            ..Default::default()
        },
        ..sql::RollupOptions::default()
    };
    sql::run_rollups(&lake, &options).await.unwrap();

    let mut differences = Vec::new();
    // What ingestion kept: rows per silver dataset, dead letters per reason.
    let mut counts = vec!["dataset,rows".to_string()];
    for dataset in Dataset::ALL.iter().filter(|d| d.layer() == Layer::Silver) {
        let rows = dataset_lines(&lake, *dataset).await.len() - 1;
        counts.push(format!("{},{rows}", dataset.name()));
    }
    counts.extend(
        dead_letters
            .iter()
            .map(|(reason, n)| format!("dead_letters:{reason},{n}")),
    );
    differences.extend(check("ingested.csv", &counts));
    // Every gold dataset, row by row.
    let mut empty = Vec::new();
    for rollup in ROLLUPS {
        let lines = dataset_lines(&lake, rollup.dataset).await;
        if lines.len() == 1 {
            empty.push(rollup.name);
        }
        differences.extend(check(&format!("{}.csv", rollup.name), &lines));
    }
    assert!(
        differences.is_empty(),
        "the replay differs from the committed expectations (bless with NAAP_BLESS=1 if the change is intended):\n{}",
        differences.join("\n")
    );
    // A rich input leaves no rollup without rows.
    assert!(empty.is_empty(), "rollups without rows: {empty:?}");
}
