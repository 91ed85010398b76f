//! `naap collect`: poll gateways and nodes over HTTP and write what they answer to the lake.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::collect::{CollectReport, Collector, CollectorConfig};
use pipeline::{IngestOptions, Ingestor};

use crate::cli::CollectArgs;
use crate::health::{Progress, now_ms};
use crate::ingest::print_report;
use crate::serve::wait_for_shutdown_signal;

pub(crate) async fn run(lake: Lake, args: CollectArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            CollectorConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => CollectorConfig::default(),
    };
    config.add_flags(
        &args.gateways,
        &args.metrics,
        args.interval_secs.map(Duration::from_secs),
        Duration::from_secs(args.timeout_secs),
    )?;
    let ingestor = Ingestor::new(lake.clone(), Arc::new(SystemClock), IngestOptions::default());
    let mut collector = Collector::new(config, ingestor, Arc::new(SystemClock))?;
    if !args.once {
        // Each completed poll (whatever its outcome: a failing target is data) is progress.
        let progress = Progress::new("collect", now_ms(), Duration::from_secs(args.stall_secs));
        crate::health::spawn(args.health_listen, Arc::clone(&progress), lake).await?;
        collector = collector.on_poll(Arc::new(move |_, _| {
            progress.round(now_ms(), Duration::ZERO, 0, 0);
        }));
    }
    for target in collector.targets() {
        eprintln!(
            "collect: {} every {}s: {}",
            target.name,
            target.interval.as_secs(),
            target.url
        );
    }
    let report = if args.once {
        collector.once().await?
    } else {
        eprintln!("collect: polling until Ctrl-C");
        collector.run(wait_for_shutdown_signal()).await?
    };
    print_collect_report(&report);
    Ok(())
}

/// Prints the polls per target and outcome, then what was written.
pub(crate) fn print_collect_report(report: &CollectReport) {
    for (target, outcomes) in &report.polls {
        let outcomes: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
        println!("poll {target}: {}", outcomes.join(", "));
    }
    print_report(&report.ingest);
}
