//! `naap ingest`: replay files into the lake.

use std::io::Write;
use std::sync::Arc;

use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::{IngestOptions, IngestReport, Ingestor};

use crate::cli::IngestArgs;

pub(crate) async fn run(lake: Lake, args: IngestArgs) -> anyhow::Result<()> {
    if args.kafka_brokers.is_some() {
        anyhow::bail!("Kafka ingestion is not implemented yet (issue #3); replay files with --file");
    }
    if args.listen.is_some() {
        anyhow::bail!("HTTP push ingestion is not implemented yet (issue #3); replay files with --file");
    }
    if args.files.is_empty() {
        anyhow::bail!("nothing to ingest: give one or more --file PATH");
    }
    let ingestor = Ingestor::new(lake, Arc::new(SystemClock), IngestOptions::default());
    let mut total = IngestReport::default();
    for path in &args.files {
        let report = pipeline::source::file::ingest_file(&ingestor, path, args.batch, |done, all| {
            eprint!("\r{}: {done}/{all} records", path.display());
            let _ = std::io::stderr().flush();
        })
        .await?;
        eprintln!();
        total.merge(report);
    }
    print_report(&total);
    Ok(())
}

/// Prints what an ingestion run did.
pub(crate) fn print_report(report: &IngestReport) {
    println!(
        "ingested {} messages: {} accepted, {} dead letters, {} files written",
        report.messages,
        report.accepted,
        report.dead_letter_total(),
        report.files.len()
    );
    for (family, count) in &report.by_family {
        println!("  {family:<24} {count}");
    }
    for (reason, count) in &report.dead_letters {
        println!("  dead letter {reason:<18} {count}");
    }
}
