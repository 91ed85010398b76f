//! `naap scenario run | verify | mock-gateway`: the reference load-test gateway role.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::{IngestOptions, IngestReport, Ingestor};
use scenarios::testload::bundle::{self, RunSummary};
use scenarios::testload::mock_gateway::{MockConfig, MockGateway};
use scenarios::testload::runner::{RunOptions, TestResult, run_test_load};
use scenarios::{Scenario, library};

use crate::cli::{MockGatewayArgs, RunArgs, VerifyArgs};
use crate::health::now_ms;
use crate::serve::wait_for_shutdown_signal;

/// Run a scenario's test load; the results with their summary.
pub(crate) async fn run_load(
    scenario: &Scenario,
    target: &str,
    seed: Option<u64>,
    probe_region: Option<String>,
    concurrency: usize,
) -> anyhow::Result<(Vec<TestResult>, RunSummary)> {
    let seed = seed.unwrap_or(scenario.seed);
    let options = RunOptions {
        target: target.to_string(),
        seed,
        concurrency,
        probe_region,
    };
    let results = run_test_load(scenario, &options, now_ms).await?;
    let summary = bundle::summarise(&results, seed).context("the test load has no request")?;
    Ok((results, summary))
}

/// Ingest test results into the lake as `naap_test_result` events.
pub(crate) async fn ingest_results(lake: Lake, results: &[TestResult]) -> anyhow::Result<IngestReport> {
    let ingestor = Ingestor::new(lake, Arc::new(SystemClock), IngestOptions::default());
    let events: Vec<String> = results.iter().map(TestResult::to_envelope).collect();
    let source = format!(
        "testload-{}",
        results.first().map(|r| r.run_id.as_str()).unwrap_or("empty")
    );
    Ok(pipeline::source::memory::ingest_messages(&ingestor, &source, 0, &events, 10_000).await?)
}

pub(crate) async fn run(lake: Lake, args: RunArgs) -> anyhow::Result<()> {
    let text = library::scenario_text(&args.scenario)?;
    let scenario = Scenario::from_toml(&text)?;
    let (results, summary) = run_load(&scenario, &args.target, args.seed, args.probe_region, args.concurrency).await?;
    let dir = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("naap-bundle-{}", summary.run_id)));
    bundle::write_bundle(&dir, &text, &summary, &results)?;
    print_summary(&summary, &dir);
    if args.ingest {
        let report = ingest_results(lake, &results).await?;
        println!("ingested {} test results into the lake", report.accepted);
    }
    Ok(())
}

fn print_summary(summary: &RunSummary, dir: &Path) {
    let failures: Vec<String> = summary
        .failures
        .iter()
        .map(|(class, n)| format!("{class} {n}"))
        .collect();
    println!(
        "run {}: {} of {} requests succeeded against {} from {}{}",
        summary.run_id,
        summary.succeeded,
        summary.requests,
        summary.target,
        summary.probe_region,
        if failures.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", failures.join(", "))
        }
    );
    println!("bundle: {}", dir.display());
}

pub(crate) fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    match bundle::verify_bundle(&args.bundle) {
        Ok(summary) => {
            println!(
                "bundle {} verifies: run {}, {} requests, {} succeeded",
                args.bundle.display(),
                summary.run_id,
                summary.requests,
                summary.succeeded
            );
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("  {problem}");
            }
            anyhow::bail!(
                "bundle {} fails verification ({} problems)",
                args.bundle.display(),
                problems.len()
            )
        }
    }
}

pub(crate) async fn mock_gateway(args: MockGatewayArgs) -> anyhow::Result<()> {
    for (name, rate) in [
        ("--failure-rate", args.failure_rate),
        ("--timeout-rate", args.timeout_rate),
        ("--malformed-rate", args.malformed_rate),
    ] {
        anyhow::ensure!((0.0..=1.0).contains(&rate), "{name} must lie in [0, 1], got {rate}");
    }
    let config = MockConfig {
        latency_ms: args.latency_ms,
        failure_rate: args.failure_rate,
        timeout_rate: args.timeout_rate,
        malformed_rate: args.malformed_rate,
        seed: args.seed,
        ..MockConfig::default()
    };
    let mock = MockGateway::start(args.listen, config).await?;
    println!(
        "mock gateway at {} (POST /text-to-image, /llm, …); Ctrl-C stops it",
        mock.url()
    );
    wait_for_shutdown_signal().await;
    Ok(())
}
