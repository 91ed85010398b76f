//! `naap rollup`: recompute the gold datasets, once or as data arrives (`--follow`).

use std::time::Duration;

use lakehouse_layout::Lake;
use sql::rollup::ReferenceData;
use sql::{RollupOptions, RollupReport};

use crate::cli::RollupArgs;

pub(crate) async fn run(lake: Lake, args: RollupArgs) -> anyhow::Result<()> {
    crate::allocator::prefer_low_memory();
    let reference = ReferenceData::parse_gateway_regions(&args.gateway_regions)
        .map_err(|e| anyhow::anyhow!("--gateway-region: {e}"))?;
    let mut options = RollupOptions {
        full: args.full,
        reference,
        memory_limit: args.memory_mb.map(|mb| (mb as usize) << 20),
    };
    print_report(&sql::run_rollups(&lake, &options).await?);
    if !args.follow {
        return Ok(());
    }
    options.full = false;
    let interval = Duration::from_secs(args.interval_secs.max(1));
    println!(
        "following: recomputing touched windows every {}s; press Ctrl-C to stop",
        interval.as_secs()
    );
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                println!("stopping");
                return Ok(());
            }
            _ = tokio::time::sleep(interval) => {}
        }
        let report = sql::run_rollups(&lake, &options).await?;
        if !report.rollups.is_empty() {
            print_report(&report);
        }
    }
}

pub(crate) fn print_report(report: &RollupReport) {
    if report.rollups.is_empty() {
        println!("rollups: up to date (no input changed since the last run)");
        return;
    }
    for run in &report.rollups {
        let scope = match run.window {
            None => "all windows".to_string(),
            Some((start, end)) => format!("{} to {}", utc(start), utc(end)),
        };
        println!(
            "{}: {} rows in {} partitions ({} stale partitions removed; {scope})",
            run.name, run.rows, run.partitions, run.deleted
        );
    }
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%dT%H:%MZ").to_string())
}
