//! `naap compact`: retention, then compaction of settled partitions.

use std::collections::BTreeMap;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use lakehouse_layout::compaction::{apply_retention, compact_partition, is_compactable, partition_end_ms, partitions};
use lakehouse_layout::{Dataset, Lake};

use crate::cli::CompactArgs;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

pub(crate) async fn run(lake: Lake, args: CompactArgs) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let datasets: Vec<Dataset> = if args.datasets.is_empty() {
        Dataset::ALL.iter().copied().filter(|d| is_compactable(*d)).collect()
    } else {
        args.datasets
            .iter()
            .map(|name| Dataset::from_name(name))
            .collect::<Result<_, _>>()?
    };
    let mut retention: BTreeMap<Dataset, u64> = BTreeMap::new();
    for rule in &args.retain {
        let (name, days) = rule
            .split_once('=')
            .with_context(|| format!("--retain {rule:?} is not DATASET=DAYS"))?;
        let days: u64 = days
            .trim()
            .parse()
            .ok()
            .filter(|d| *d > 0)
            .with_context(|| format!("--retain {rule:?}: DAYS must be a whole number above 0"))?;
        retention.insert(Dataset::from_name(name.trim())?, days);
    }
    for (dataset, days) in &retention {
        let cutoff = now - i64::try_from(*days).unwrap_or(i64::MAX / DAY_MS) * DAY_MS;
        let deleted = apply_retention(&lake, *dataset, cutoff).await?;
        println!("retention {}: {days} days, {deleted} files deleted", dataset.name());
    }

    let settled_before = now - i64::try_from(args.min_age_hours).unwrap_or(i64::MAX / HOUR_MS) * HOUR_MS;
    let mut work = Vec::new();
    for dataset in &datasets {
        if !is_compactable(*dataset) {
            anyhow::bail!(
                "{} is a gold dataset: its partitions are one file already",
                dataset.name()
            );
        }
        for (partition, files) in partitions(&lake, *dataset).await? {
            if files >= 2 && partition_end_ms(*dataset, &partition) <= settled_before {
                work.push((*dataset, partition, files));
            }
        }
    }
    let bar = ProgressBar::new(work.len() as u64).with_style(
        ProgressStyle::with_template("compact [{bar:30}] {pos}/{len} partitions ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut totals: BTreeMap<Dataset, (usize, usize, usize)> = BTreeMap::new();
    for (dataset, partition, _) in work {
        let done = compact_partition(&lake, dataset, &partition).await?;
        let entry = totals.entry(dataset).or_default();
        *entry = (entry.0 + 1, entry.1 + done.files_before, entry.2 + done.files_after);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let (mut before, mut after) = (0, 0);
    for (dataset, (partitions, files_before, files_after)) in &totals {
        println!(
            "compacted {:<26} {files_before:>7} files -> {files_after:>5} in {partitions} partitions",
            dataset.name()
        );
        before += files_before;
        after += files_after;
    }
    println!("compacted {before} files into {after}");
    Ok(())
}
