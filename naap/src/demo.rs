//! `naap demo`: everything in one process, with no service the machine lacks: generate
//! go-livepeer-shaped traffic, ingest it into the lake, compute the rollups, serve.

use std::sync::Arc;

use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::demo::{DemoConfig, DemoNetwork};
use sql::Profile;

use crate::cli::DemoArgs;
use crate::ingest::print_report;
use crate::serve::{start, wait_for_shutdown_signal};

const HOUR_MS: i64 = 3_600_000;

pub(crate) async fn run(lake: Lake, args: DemoArgs) -> anyhow::Result<()> {
    let start_ms = args.start_ms.unwrap_or_else(|| {
        let now = chrono::Utc::now().timestamp_millis();
        (now / HOUR_MS - i64::from(args.hours) + 1) * HOUR_MS
    });
    let config = DemoConfig {
        // The start is part of the seed: two demos over different periods never share event ids.
        seed: args.seed ^ start_ms as u64,
        start_ms,
        hours: args.hours,
        streams_per_hour: args.streams_per_hour,
    };
    let messages: Vec<String> = DemoNetwork::new(config).events().iter().map(|e| e.to_json()).collect();
    eprintln!("demo: generated {} events over {} hours", messages.len(), args.hours);

    let ingestor = Ingestor::new(lake.clone(), Arc::new(SystemClock), IngestOptions::default());
    let source = format!("demo-{start_ms}");
    let report = pipeline::source::memory::ingest_messages(&ingestor, &source, 0, &messages, 20_000).await?;
    print_report(&report);

    let rollups = sql::run_rollups(&lake, &sql::RollupOptions::default()).await?;
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
    Ok(())
}
