//! The rollups recover the demo network's ground truth: each orchestrator's true startup
//! success probability lies in the 95 % Wilson interval of its measured startup success
//! (the acceptance check of issue #4, run on the demo generator until the simulator lands).

use std::io::Write;

use arrow::array::{Array, Int64Array, StringArray};
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake};
use pipeline::clock::FixedClock;
use pipeline::source::file::ingest_file;
use pipeline::{IngestOptions, Ingestor};
use scenarios::demo::{DemoConfig, DemoNetwork};

/// Wilson score interval at 95 %.
fn wilson(successes: f64, n: f64) -> (f64, f64) {
    let z = 1.96_f64;
    let p = successes / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z * z / n;
    ((centre - spread) / scale, (centre + spread) / scale)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_orchestrator_startup_success_is_recovered() -> anyhow::Result<()> {
    let network = DemoNetwork::new(DemoConfig {
        seed: 11,
        start_ms: 1_767_830_400_000,
        hours: 4,
        streams_per_hour: 300,
    });
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for event in network.events() {
        writeln!(file, "{}", event.to_json())?;
    }
    file.flush()?;
    drop(file);

    let lake = Lake::open(dir.path().join("lake").to_str().unwrap())?;
    let ingestor = Ingestor::new(
        lake.clone(),
        FixedClock::new(1_767_900_000_000),
        IngestOptions::default(),
    );
    let report = ingest_file(&ingestor, &path, 100_000, |_, _| {}).await?;
    assert_eq!(report.dead_letters.values().sum::<u64>(), 0);
    sql::run_rollups(&lake, &sql::RollupOptions::default()).await?;

    let ctx = SessionContext::new();
    sql::catalog::register_lake(&ctx, &lake, [Dataset::SlaHourly])?;
    let batches = ctx
        .sql(
            "SELECT orchestrator_address, sum(startup_success_sessions) AS played, \
             sum(requested_sessions - startup_excused_sessions) AS tried, \
             sum(requested_sessions) FILTER (WHERE orchestrator_address IS NULL) AS unattributed \
             FROM sla_hourly GROUP BY 1 ORDER BY 1",
        )
        .await?
        .collect()
        .await?;
    let mut measured = std::collections::BTreeMap::new();
    for batch in &batches {
        let address = batch.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        let played = batch.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        let tried = batch.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
        for row in 0..batch.num_rows() {
            assert!(
                !address.is_null(row),
                "every requested session is attributed to an orchestrator"
            );
            measured.insert(
                address.value(row).to_string(),
                (played.value(row) as f64, tried.value(row) as f64),
            );
        }
    }
    let orchestrators = network.orchestrators();
    assert_eq!(measured.len(), orchestrators.len(), "{measured:?}");
    let mut covered = 0;
    for orchestrator in orchestrators {
        let (played, tried) = measured[&orchestrator.address.to_lowercase()];
        assert!(tried >= 100.0, "{}: only {tried} sessions", orchestrator.address);
        let (low, high) = wilson(played, tried);
        let truth = orchestrator.startup_success;
        eprintln!(
            "{}: truth {truth}, measured {played}/{tried} in [{low:.3}, {high:.3}]",
            orchestrator.address
        );
        covered += usize::from((low..=high).contains(&truth));
    }
    // At least 95 % of the orchestrators: with six, all of them.
    assert!(
        covered * 100 >= 95 * orchestrators.len(),
        "{covered} of {} covered",
        orchestrators.len()
    );
    Ok(())
}
