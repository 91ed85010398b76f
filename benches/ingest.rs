//! Ingestion throughput on one core: file replay → bronze + silver Parquet, beside a plain
//! `serde_json` parse of the same file in the same run.
//!
//! `cargo bench -p naap-benches --bench ingest [-- EVENTS] [realistic] [ingest-only]`
//! (default 300,000 events of the demo network, whose every event has a silver table: the
//! heavy case; `realistic`: the `realistic-day` scenario, the real network's family mix,
//! calibrated to the 2026-03-24 topic sample; `ingest-only` skips the baselines, for
//! profiling).

use std::io::Write;
use std::time::{Duration, Instant};

use lakehouse_layout::Lake;
use pipeline::clock::FixedClock;
use pipeline::source::file::ingest_file;
use pipeline::{IngestOptions, Ingestor};
use scenarios::demo::{DemoConfig, DemoNetwork};

// The same allocator as the `naap` binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let target: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300_000);
    let ingest_only = std::env::args().any(|a| a == "ingest-only");
    let realistic = std::env::args().any(|a| a == "realistic");
    let chunk: usize = std::env::var("NAAP_BENCH_CHUNK")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");

    let lines = if realistic {
        realistic_lines(target)
    } else {
        demo_lines(target)
    };
    let path = dir.path().join("events.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create file"));
    for line in &lines {
        writeln!(file, "{line}").expect("write");
    }
    file.flush().expect("flush");
    drop(file);
    drop(lines);
    let bytes = std::fs::metadata(&path).expect("metadata").len();
    let n = target as f64;

    let runs = if ingest_only { 0 } else { 3 };
    // Baseline: read the file and parse every line with serde_json, nothing else.
    let parse = best_of(runs, || {
        let content = std::fs::read(&path).expect("read");
        let mut parsed = 0usize;
        for line in content.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let value: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
            parsed += usize::from(value.is_object());
        }
        assert_eq!(parsed, target);
    });

    // naap decoding alone (envelope, bronze row, silver rows), without writing anything.
    let decode = best_of(runs, || {
        let content = std::fs::read(&path).expect("read");
        let options = IngestOptions::default();
        let mut accepted = 0usize;
        for (offset, line) in content.split(|b| *b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            let position = pipeline::SourcePosition {
                offset: offset as u64,
                ingested_at: 0,
            };
            accepted += usize::from(pipeline::decode_message(line, position, &options).bronze.accepted());
        }
        assert_eq!(accepted, target);
    });

    // naap: the same file replayed into bronze + silver Parquet on local disk, one core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ingest = best_of(3, || {
        let lake_dir = tempfile::tempdir_in(dir.path()).expect("lake dir");
        let lake = Lake::open(lake_dir.path().to_str().expect("utf-8 path")).expect("lake");
        let ingestor = Ingestor::new(lake, FixedClock::new(1_767_916_800_000), IngestOptions::default());
        let report = runtime
            .block_on(ingest_file(&ingestor, &path, chunk, |_, _| {}))
            .expect("ingest");
        assert_eq!(report.accepted as usize, target);
    });

    let parse_rate = n / parse.as_secs_f64();
    let ingest_rate = n / ingest.as_secs_f64();
    println!("events: {target} ({:.1} MB of JSONL)", bytes as f64 / 1e6);
    println!(
        "serde_json parse only:        {:>10.0} events/s  ({:.3} s)",
        parse_rate,
        parse.as_secs_f64()
    );
    let decode_rate = n / decode.as_secs_f64();
    println!(
        "naap decode only:             {:>10.0} events/s  ({:.3} s)",
        decode_rate,
        decode.as_secs_f64()
    );
    println!(
        "naap file → bronze + silver:  {:>10.0} events/s  ({:.3} s)",
        ingest_rate,
        ingest.as_secs_f64()
    );
    println!(
        "ratio naap / parse-only:      {:>10.1} %",
        100.0 * ingest_rate / parse_rate
    );
}

/// The demo network, enough hours to reach `target` events.
fn demo_lines(target: usize) -> Vec<String> {
    let mut hours = 1;
    loop {
        let events = DemoNetwork::new(DemoConfig {
            seed: 1,
            start_ms: 1_767_895_200_000,
            hours,
            streams_per_hour: 200,
        })
        .events();
        if events.len() >= target {
            return events.iter().take(target).map(|e| e.to_json()).collect();
        }
        hours += 1;
    }
}

/// The `realistic-day` scenario from its start, the first `target` lines.
fn realistic_lines(target: usize) -> Vec<String> {
    let scenario = scenarios::library::load("realistic-day").expect("built-in scenario");
    let mut lines = Vec::with_capacity(target);
    let _ = scenarios::simulate(&scenario, scenarios::SimulateOptions::default(), |_, line| {
        if lines.len() < target {
            lines.push(line.to_string());
            Ok(())
        } else {
            Err("enough")
        }
    });
    assert_eq!(lines.len(), target, "realistic-day has fewer events than asked for");
    lines
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or(Duration::MAX)
}
