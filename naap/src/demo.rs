//! `naap demo`: everything in one process, with no service the machine lacks: simulate a
//! scenario's traffic (the `demo` scenario by default), ingest it into the lake, compute the
//! rollups, serve.

use std::sync::Arc;

use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::collect::{Collector, CollectorConfig};
use pipeline::{IngestOptions, Ingestor};
use scenarios::nodes::NodeServer;
use scenarios::testload::mock_gateway::{MockConfig, MockGateway};
use scenarios::{SimulateOptions, library, simulate_to_vec};
use sql::rollup::ReferenceData;
use sql::{Profile, RollupOptions};

use crate::cli::DemoArgs;
use crate::ingest::print_report;
use crate::serve::{start, wait_for_shutdown_signal};

const HOUR_MS: i64 = 3_600_000;

pub(crate) async fn run(lake: Lake, args: DemoArgs) -> anyhow::Result<()> {
    let scenario = library::load(&args.scenario)?;
    let hours = args.hours.unwrap_or(scenario.hours);
    let start_ms = match &args.start {
        Some(text) => scenarios::spec::parse_start(text)?,
        None => {
            let now = chrono::Utc::now().timestamp_millis();
            (now / HOUR_MS - i64::from(hours) + 1) * HOUR_MS
        }
    };
    let options = SimulateOptions {
        seed: args.seed,
        start_ms: Some(start_ms),
        hours: Some(hours),
    };
    let (messages, truth) = simulate_to_vec(&scenario, options)?;
    eprintln!(
        "demo: simulated {} events over {hours} hours ({} live sessions, {} jobs)",
        messages.len(),
        truth.live.total.requested,
        truth.jobs.batch.requests + truth.jobs.llm.requests
    );

    let ingestor = Ingestor::new(lake.clone(), Arc::new(SystemClock), IngestOptions::default());
    let source = format!("demo-{}-{}-{start_ms}", scenario.name, truth.seed);
    let report = pipeline::source::memory::ingest_messages(&ingestor, &source, 0, &messages, 20_000).await?;
    print_report(&report);

    // Test load from a probe against an in-process mock gateway, beside the organic traffic.
    if scenario.test_load.is_some() {
        let config = MockConfig {
            latency_ms: 80,
            failure_rate: 0.05,
            timeout_rate: 0.05,
            hang_ms: 3_000,
            malformed_rate: 0.05,
            seed: 1,
        };
        let mock = MockGateway::start(([127, 0, 0, 1], 0).into(), config).await?;
        let (results, summary) = crate::testload::run_load(&scenario, &mock.url(), args.seed, None, 4).await?;
        crate::testload::ingest_results(lake.clone(), &results).await?;
        eprintln!(
            "demo: test load from {}: {} of {} requests succeeded",
            summary.probe_region, summary.succeeded, summary.requests
        );
    }

    // Collectors poll a simulated gateway's HTTP endpoints, as they would a real node's; the
    // endpoints keep serving, so `naap collect --gateway URL` has something to poll too.
    let nodes = match scenarios::nodes::NodeEndpoints::from_events(&messages, None) {
        Some(endpoints) => {
            let server = NodeServer::start(([127, 0, 0, 1], 0).into(), endpoints).await?;
            let mut config = CollectorConfig::default();
            config.add_flags(
                &[server.url()],
                &[server.url()],
                None,
                pipeline::collect::DEFAULT_TIMEOUT,
            )?;
            let collector = Collector::new(config, ingestor.clone(), Arc::new(SystemClock))?;
            let report = collector.once().await?;
            eprintln!(
                "demo: collectors polled the simulated gateway at {}: {} polls, {} ok",
                server.url(),
                report.polls.values().flat_map(|by| by.values()).sum::<u64>(),
                report.count("ok")
            );
            Some(server)
        }
        None => None,
    };

    // The scenario knows where its gateways are: rollups get regions without flags.
    let reference = ReferenceData {
        gateway_regions: truth
            .gateways
            .iter()
            .filter(|(g, _)| !g.is_empty())
            .map(|(g, r)| (g.clone(), r.clone()))
            .collect(),
    };
    let rollups = sql::run_rollups(
        &lake,
        &RollupOptions {
            reference,
            ..RollupOptions::default()
        },
    )
    .await?;
    for run in &rollups.rollups {
        println!(
            "rollup {}: {} rows in {} partitions",
            run.name, run.rows, run.partitions
        );
    }

    let servers = start(&lake, &args.serve, Profile::Public).await?;
    wait_for_shutdown_signal().await;
    eprintln!("stopping: finishing in-flight requests");
    servers.shutdown().await;
    drop(nodes);
    Ok(())
}
