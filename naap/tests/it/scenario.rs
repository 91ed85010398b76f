//! `naap scenario`: simulation output through the CLI, realism through the pipeline, and the
//! test-load runner end to end (mock gateway → bundle → verify → lake).

use std::collections::BTreeMap;

use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::testload::mock_gateway::{MockConfig, MockGateway};
use scenarios::{SimulateOptions, library, simulate_to_vec};

use crate::support::{naap, naap_ok};

#[test]
fn simulate_writes_the_same_bytes_twice() {
    let lake = tempfile::tempdir().unwrap();
    let out = |name: &str| lake.path().join(name).to_str().unwrap().to_string();
    let a = naap_ok(
        lake.path(),
        &["scenario", "simulate", "faults", "--hours", "1", "--out", &out("a")],
    );
    let b = naap_ok(
        lake.path(),
        &["scenario", "simulate", "faults", "--hours", "1", "--out", &out("b")],
    );
    let hashes = |text: &str| {
        text.lines()
            .filter(|l| l.len() > 64 && l[..64].bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|l| l[..64].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(&a).len(), 3, "{a}");
    assert_eq!(hashes(&a), hashes(&b));
    for name in ["events.jsonl", "ground-truth.json", "scenario.toml", "manifest.json"] {
        assert_eq!(
            std::fs::read(lake.path().join("a").join(name)).unwrap(),
            std::fs::read(lake.path().join("b").join(name)).unwrap(),
            "{name}"
        );
    }
    // A bad scenario file is refused with the field named.
    let bad = lake.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nversion = 1\nstart = \"2026-01-01T00:00:00Z\"\nhours = 0\ngateways = []\norchestrators = []\n",
    )
    .unwrap();
    let output = naap(
        lake.path(),
        &["scenario", "simulate", bad.to_str().unwrap(), "--out", &out("c")],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`hours`"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_realistic_event_decodes_without_a_dead_letter() -> anyhow::Result<()> {
    let scenario = library::load("realistic-day")?;
    let (lines, truth) = simulate_to_vec(
        &scenario,
        SimulateOptions {
            hours: Some(1),
            ..Default::default()
        },
    )?;
    let dir = tempfile::tempdir()?;
    let lake = Lake::open(dir.path().to_str().unwrap())?;
    let ingestor = Ingestor::new(lake, FixedClock::new(truth.end_ms), IngestOptions::default());
    let report = pipeline::source::memory::ingest_messages(&ingestor, "realistic", 0, &lines, 100_000).await?;
    assert_eq!(report.dead_letter_total(), 0, "{:?}", report.dead_letters);
    assert_eq!(report.accepted, lines.len() as u64);
    let by_family: BTreeMap<String, u64> = report.by_family.clone();
    assert_eq!(by_family, truth.delivery.by_family);
    // Only the families of unknown producers stay in bronze alone.
    let unknown: u64 = ["pipelines_api_request", "webrtc_stats"]
        .iter()
        .map(|f| truth.delivery.by_family[*f])
        .sum();
    assert_eq!(report.unknown_family, unknown);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_load_runs_against_the_mock_gateway_into_a_bundle_and_the_lake() -> anyhow::Result<()> {
    let config = MockConfig {
        latency_ms: 5,
        failure_rate: 0.2,
        timeout_rate: 0.0,
        malformed_rate: 0.1,
        ..MockConfig::default()
    };
    let mock = MockGateway::start(([127, 0, 0, 1], 0).into(), config).await?;
    let dir = tempfile::tempdir()?;
    let bundle = dir.path().join("bundle");
    let lake = dir.path().join("lake");
    let args: Vec<String> = [
        "scenario",
        "run",
        "demo",
        "--target",
        &mock.url(),
        "--out",
        bundle.to_str().unwrap(),
        "--ingest",
    ]
    .map(String::from)
    .to_vec();
    let lake_for_cli = lake.clone();
    // The mock answers on this runtime while the CLI runs on a blocking thread.
    let stdout = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        naap_ok(&lake_for_cli, &args)
    })
    .await?;
    assert!(stdout.contains("of 20 requests succeeded"), "{stdout}");

    let verified = naap_ok(&lake, &["scenario", "verify", bundle.to_str().unwrap()]);
    assert!(verified.contains("verifies"), "{verified}");
    let results = std::fs::read_to_string(bundle.join("results.jsonl"))?;
    std::fs::write(
        bundle.join("results.jsonl"),
        results.replacen("\"success\":true", "\"success\":false", 1),
    )?;
    let output = naap(&lake, &["scenario", "verify", bundle.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("results.jsonl"));

    // The results sit in silver test_results, one row per request, as the bundle says.
    let ctx = SessionContext::new();
    sql::catalog::register_lake(&ctx, &Lake::open(lake.to_str().unwrap())?, [Dataset::TestResults])?;
    let batches = ctx
        .sql("SELECT count(*) AS n, count(*) FILTER (WHERE success) AS ok, count(DISTINCT probe_region) AS regions FROM test_results")
        .await?
        .collect()
        .await?;
    let row = arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
    let ok = results.matches("\"success\":true").count();
    assert!(row.contains(&format!("| 20 | {ok}")), "{row}");
    assert!(row.contains("| 1 "), "{row}");

    // Rolled up, they are probe jobs beside the network's own: one per request, in the
    // probe's region, never organic.
    naap_ok(&lake, &["rollup"]);
    let ctx = SessionContext::new();
    sql::catalog::register_lake(
        &ctx,
        &Lake::open(lake.to_str().unwrap())?,
        [Dataset::Jobs, Dataset::JobsHourly],
    )?;
    let batches = ctx
        .sql(
            "SELECT (SELECT count(*) FROM jobs WHERE kind = 'test_load') AS jobs, \
                    (SELECT count(*) FROM jobs WHERE kind = 'test_load' AND success) AS ok, \
                    (SELECT count(*) FROM jobs WHERE kind = 'test_load' AND traffic_class = 'probe' \
                        AND probe_rule = 'gateway=naap-probe-*' AND region IS NOT NULL AND duration_ms > 0) AS probes, \
                    (SELECT sum(jobs) FROM jobs_hourly WHERE kind = 'test_load' AND traffic_class = 'probe') AS hourly, \
                    (SELECT count(*) FROM jobs_hourly WHERE kind = 'test_load' AND traffic_class = 'organic') AS organic",
        )
        .await?
        .collect()
        .await?;
    let row = arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
    assert!(
        row.contains(&format!("| 20   | {ok:<2} | 20     | 20     | 0       |")),
        "{row}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_produces_to_kafka_what_it_writes_to_files() -> anyhow::Result<()> {
    use rdkafka::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::message::Message;
    use rdkafka::mocking::MockCluster;

    let cluster = MockCluster::new(1)?;
    cluster.create_topic("streaming_events", 3, 1)?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("files");
    let truth = dir.path().join("truth.json");
    let brokers = cluster.bootstrap_servers();
    let (out_arg, truth_arg) = (out.to_str().unwrap().to_string(), truth.to_str().unwrap().to_string());
    let lake = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        naap_ok(
            &lake,
            &["scenario", "simulate", "faults", "--hours", "1", "--out", &out_arg],
        );
        naap_ok(
            &lake,
            &[
                "scenario",
                "simulate",
                "faults",
                "--hours",
                "1",
                "--kafka-brokers",
                &brokers,
                "--truth",
                &truth_arg,
            ],
        );
    })
    .await?;

    let mut expected: Vec<String> = std::fs::read_to_string(out.join("events.jsonl"))?
        .lines()
        .map(String::from)
        .collect();
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(&truth)?)?;
    assert_eq!(truth["delivery"]["lines"].as_u64(), Some(expected.len() as u64));
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", cluster.bootstrap_servers())
        .set("group.id", "check")
        .set("auto.offset.reset", "earliest")
        .create()?;
    consumer.subscribe(&["streaming_events"])?;
    let mut received = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while received.len() < expected.len() && std::time::Instant::now() < deadline {
        if let Some(message) = consumer.poll(std::time::Duration::from_millis(200)) {
            received.push(String::from_utf8(message?.payload().unwrap_or_default().to_vec())?);
        }
    }
    expected.sort();
    received.sort();
    assert_eq!(received.len(), expected.len());
    assert!(received == expected, "Kafka carries exactly the lines of events.jsonl");
    Ok(())
}
