//! Rollups over one simulated day at the real network's event rate (≈ 4.6 M events), on this
//! machine, with peak memory; compared with DuckDB running the same session + SLA logic over
//! the same Parquet files (`benches/duckdb_rollups.py`).
//!
//! `cargo bench -p naap-benches --bench rollups [-- EVENTS_PER_DAY]`
//!
//! The lake is built once (demo network traffic, generated hour by hour and replayed through
//! the ingest pipeline) under `$NAAP_BENCH_LAKE` (default: the system temp dir), then every
//! rollup runs over all windows in a child process that reports its peak RSS.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lakehouse_layout::Lake;
use pipeline::clock::FixedClock;
use pipeline::source::file::ingest_file;
use pipeline::{IngestOptions, Ingestor};
use scenarios::demo::{DemoConfig, DemoNetwork};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 2026-01-08T00:00:00Z.
const DAY_START_MS: i64 = 1_767_830_400_000;
/// Events per new stream of the demo network (measured: status, ingest metrics, milestones,
/// payments over its life).
const EVENTS_PER_STREAM: u32 = 125;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        return child(Path::new(&args[i + 1]));
    }
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        return explain(Path::new(&args[i + 1]), &args[i + 2]);
    }
    let events_per_day: u32 = args.iter().skip(1).find_map(|a| a.parse().ok()).unwrap_or(4_600_000);
    let root = std::env::var_os("NAAP_BENCH_LAKE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("naap-bench-rollups-{events_per_day}")));
    let lake_dir = root.join("lake");
    if !root.join("READY").exists() {
        build_lake(&root, &lake_dir, events_per_day)?;
    }
    let bronze = count_files(&lake_dir.join("bronze"))?;
    println!("lake: {} ({bronze} bronze files)", lake_dir.display());

    let start = Instant::now();
    let output = Command::new(std::env::current_exe()?)
        .args(["--child", lake_dir.to_str().expect("utf-8 path")])
        .output()?;
    let elapsed = start.elapsed();
    anyhow::ensure!(
        output.status.success(),
        "rollups failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    print!("{}", String::from_utf8_lossy(&output.stdout));
    println!(
        "naap rollups, all windows:   {:.1} s wall (child process)",
        elapsed.as_secs_f64()
    );
    println!("compare: python3 benches/duckdb_rollups.py {}", lake_dir.display());
    Ok(())
}

/// Generates the day hour by hour and replays each hour's JSONL through the ingest pipeline.
fn build_lake(root: &Path, lake_dir: &Path, events_per_day: u32) -> anyhow::Result<()> {
    std::fs::create_dir_all(root)?;
    let streams_per_hour = (events_per_day / 24 / EVENTS_PER_STREAM).max(1);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let lake = Lake::open(lake_dir.to_str().expect("utf-8 path"))?;
    let ingestor = Ingestor::new(
        lake,
        FixedClock::new(DAY_START_MS + 86_400_000),
        IngestOptions::default(),
    );
    let mut total = 0u64;
    let started = Instant::now();
    for hour in 0..24 {
        let events = DemoNetwork::new(DemoConfig {
            seed: 7,
            start_ms: DAY_START_MS + hour * 3_600_000,
            hours: 1,
            streams_per_hour,
        })
        .events();
        let path = root.join(format!("hour-{hour:02}.jsonl"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for event in &events {
            writeln!(file, "{}", event.to_json())?;
        }
        file.flush()?;
        drop(file);
        let report = runtime.block_on(ingest_file(&ingestor, &path, 100_000, |_, _| {}))?;
        std::fs::remove_file(&path)?;
        total += report.accepted;
        eprintln!(
            "built hour {hour:02}: {} events ({total} so far, {:.0?})",
            report.accepted,
            started.elapsed()
        );
    }
    std::fs::write(root.join("READY"), format!("{total} events\n"))?;
    Ok(())
}

/// Runs every rollup over all windows and prints the time and the peak RSS of this process.
#[allow(unsafe_code)] // two mimalloc option settings, see below
fn child(lake_dir: &Path) -> anyhow::Result<()> {
    // As `naap rollup` does (naap/src/allocator.rs): return freed memory at once, commit
    // arenas lazily.
    // SAFETY: mi_option_set only stores option values (4: arena_eager_commit, 15: purge_delay).
    unsafe {
        libmimalloc_sys::mi_option_set(4, 0);
        libmimalloc_sys::mi_option_set(15, 0);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let lake = Lake::open(lake_dir.to_str().expect("utf-8 path"))?;
    let start = Instant::now();
    let options = sql::RollupOptions {
        full: true,
        ..sql::RollupOptions::default()
    };
    let report = runtime.block_on(sql::run_rollups(&lake, &options))?;
    let elapsed = start.elapsed();
    for run in &report.rollups {
        println!(
            "  {:<30} {:>9} rows  {:>5} partitions  {:>7.1} s",
            run.name,
            run.rows,
            run.partitions,
            run.elapsed_ms as f64 / 1000.0
        );
    }
    println!("naap rollups, all windows:   {:.1} s", elapsed.as_secs_f64());
    println!("peak RSS:                    {} MiB", peak_rss_kib()? / 1024);
    Ok(())
}

/// Prints `EXPLAIN ANALYZE` of one rollup's query over the whole lake (for profiling).
fn explain(lake_dir: &Path, name: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let lake = Lake::open(lake_dir.to_str().expect("utf-8 path"))?;
    let rollup = sql::ROLLUPS
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| anyhow::anyhow!("no rollup {name}"))?;
    runtime.block_on(async {
        let ctx = datafusion::prelude::SessionContext::new_with_config(sql::rollup::session_config());
        sql::catalog::register_lake(&ctx, &lake, lakehouse_layout::Dataset::ALL)?;
        sql::rollup::register_reference_tables(&ctx, &sql::rollup::ReferenceData::default())?;
        let frame = ctx.sql(&format!("EXPLAIN ANALYZE {}", rollup.sql)).await?;
        frame.show().await?;
        anyhow::Ok(())
    })
}

fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/self/status"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

fn count_files(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            n += if path.is_dir() { count_files(&path)? } else { 1 };
        }
    }
    Ok(n)
}
