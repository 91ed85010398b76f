//! `naap reprocess`: re-derive silver and dead letters from bronze with this build's
//! decoders (see `pipeline::reprocess`), with a progress bar and a dry run.

use indicatif::{ProgressBar, ProgressStyle};
use lakehouse_layout::Lake;
use pipeline::reprocess::{ReprocessOptions, reprocess};
use pipeline::{DecoderVersion, IngestOptions};

use crate::cli::ReprocessArgs;
use crate::publish::parse_time;

pub(crate) async fn run(lake: Lake, args: ReprocessArgs) -> anyhow::Result<()> {
    let options = ReprocessOptions {
        from_ms: parse_time(&args.from, "--from")?,
        to_ms: parse_time(&args.to, "--to")?,
        families: args.families,
        dry_run: args.dry_run,
        ingest: IngestOptions {
            max_message_bytes: args.max_message_bytes,
            identities: crate::cli::source_identities(&args.source_identities)?,
            ..IngestOptions::default()
        },
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("reprocess [{bar:30}] {pos}/{len} hours, {msg} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut messages = 0;
    let report = reprocess(&lake, &options, |hour| {
        bar.set_length(hour.total as u64);
        messages += hour.messages;
        bar.set_message(format!("{messages} messages"));
        bar.set_position(hour.done as u64);
    })
    .await?;
    bar.finish_and_clear();
    let verb = if args.dry_run { "would change" } else { "changed" };
    println!(
        "reprocessed {} messages of {} bronze hours with decoders version {}: {} partitions {verb}",
        report.messages,
        report.hours,
        DecoderVersion::CURRENT,
        report.partitions_rewritten
    );
    for (dataset, changes) in &report.datasets {
        println!(
            "  {:<26} added {:>7}  removed {:>7}  changed {:>7}  re-decoded {:>7}  unchanged {:>7}",
            dataset.name(),
            changes.added,
            changes.removed,
            changes.changed,
            changes.redecoded,
            changes.unchanged
        );
    }
    if !args.dry_run && report.partitions_rewritten > 0 {
        println!(
            "run `naap rollup` (a running `naap rollup --follow` does it by itself) to recompute the gold windows these partitions reach"
        );
    }
    Ok(())
}
