//! `sla_score_v1` over a hand-built week equals the predecessor's `quality-benchmark-v1`
//! formula (docs: ../shared/reference/prior-art.md §1.7) evaluated independently here, in
//! plain Rust, from the same sessions.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::datatypes::Schema;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use lakehouse_layout::Dataset;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// 2026-01-01T00:00:00Z.
const WEEK_START: i64 = 1_767_225_600_000;

#[derive(Debug, Clone)]
struct Session {
    hour: i64,
    orchestrator: String,
    success: bool,
    excused: bool,
    swapped: bool,
    loading_only: bool,
    zero_fps: bool,
    health: i64,
    samples: i64,
    fps_sum: f64,
    ptff: Option<i64>,
    e2e: Option<i64>,
}

/// A small deterministic generator (no dependency on any crate's RNG stream).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Seven benchmark days (4 orchestrators × 2 hours × 1–2 sessions: 56 benchmark rows, above
/// the gate of 48) and the scored day, 2026-01-08, with varied outcomes.
fn week() -> Vec<Session> {
    let mut rng = Lcg(7);
    let mut sessions = Vec::new();
    for day in 0..8 {
        for hour in [10, 15] {
            for o in 0..4 {
                for _ in 0..(1 + rng.below(2)) {
                    let success = rng.below(10) < 8;
                    let samples = 3 + rng.below(40) as i64;
                    let fps = 8.0 + rng.below(160) as f64 / 10.0;
                    sessions.push(Session {
                        hour: WEEK_START + day * DAY_MS + hour * HOUR_MS,
                        orchestrator: format!("0xo{o}"),
                        success,
                        excused: !success && rng.below(3) == 0,
                        swapped: rng.below(6) == 0,
                        loading_only: !success && rng.below(2) == 0,
                        zero_fps: rng.below(12) == 0,
                        health: if success { 3 } else { 1 + rng.below(2) as i64 },
                        samples,
                        fps_sum: fps * samples as f64,
                        ptff: success.then(|| 3_000 + rng.below(6_000) as i64),
                        e2e: (rng.below(5) > 0).then(|| 80 + rng.below(400) as i64),
                    });
                }
            }
        }
    }
    sessions
}

fn insert_sql(sessions: &[Session]) -> String {
    let values: Vec<String> = sessions
        .iter()
        .map(|s| {
            let outcome = if s.success {
                "success"
            } else if s.excused {
                "excused"
            } else {
                "failed"
            };
            let opt = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
            format!(
                "(to_timestamp_millis({}), '{}', 'https://{}', 'live-video-to-video', 'm1', 'RTX 4090', 'gw1', NULL, \
                 true, '{outcome}', false, {}, {}, {}, {}, 3, {}, {}, NULL, {}, {}, 60.0)",
                s.hour,
                s.orchestrator,
                s.orchestrator,
                u8::from(s.swapped),
                s.loading_only,
                s.zero_fps,
                s.health,
                s.samples,
                s.fps_sum,
                opt(s.e2e),
                opt(s.ptff),
            )
        })
        .collect();
    format!(
        "INSERT INTO sessions (window_start, orchestrator_address, orchestrator_url, pipeline, model_id, gpu_name, \
         gateway, region, requested, startup_outcome, no_orchestrator, swap_count, loading_only, zero_output_fps, \
         health_signals, health_expected, status_samples, output_fps_sum, startup_latency_ms, e2e_latency_ms, \
         prompt_to_first_frame_ms, duration_s) VALUES {}",
        values.join(", ")
    )
}

/// Percentile with linear interpolation between closest ranks (PostgreSQL's percentile_cont).
fn percentile_cont(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.to_vec();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = p * (v.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    Some(v[low] + (v[high] - v[low]) * (rank - low as f64))
}

struct Benchmark {
    ptff: (f64, f64, usize),
    e2e: (f64, f64, usize),
    fps: (f64, f64, usize),
}

/// The 7-day benchmark for `day`: daily percentiles of per-(hour, orchestrator) averages,
/// combined by a row-count-weighted average over the 7 days before.
fn benchmark(sessions: &[Session], day: i64) -> Benchmark {
    let mut acc = [(0.0, 0.0, 0usize); 3];
    for d in (day - 7)..day {
        let mut rows: BTreeMap<(i64, &str), Vec<&Session>> = BTreeMap::new();
        for s in sessions
            .iter()
            .filter(|s| (s.hour - WEEK_START).div_euclid(DAY_MS) == d)
        {
            rows.entry((s.hour, &s.orchestrator)).or_default().push(s);
        }
        let avg = |f: &dyn Fn(&Session) -> Option<f64>, rows: &[&Session]| {
            let v: Vec<f64> = rows.iter().filter_map(|s| f(s)).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let ptff: Vec<f64> = rows
            .values()
            .filter_map(|r| avg(&|s| s.ptff.map(|x| x as f64), r))
            .collect();
        let e2e: Vec<f64> = rows
            .values()
            .filter_map(|r| avg(&|s| s.e2e.map(|x| x as f64), r))
            .collect();
        let fps: Vec<f64> = rows
            .values()
            .map(|r| r.iter().map(|s| s.fps_sum).sum::<f64>() / r.iter().map(|s| s.samples).sum::<i64>() as f64)
            .collect();
        for (i, (values, lo, hi)) in [(ptff, 0.5, 0.9), (e2e, 0.5, 0.9), (fps, 0.1, 0.5)]
            .into_iter()
            .enumerate()
        {
            if let (Some(a), Some(b)) = (percentile_cont(&values, lo), percentile_cont(&values, hi)) {
                acc[i].0 += a * values.len() as f64;
                acc[i].1 += b * values.len() as f64;
                acc[i].2 += values.len();
            }
        }
    }
    let w = |(a, b, n): (f64, f64, usize)| (a / n as f64, b / n as f64, n);
    Benchmark {
        ptff: w(acc[0]),
        e2e: w(acc[1]),
        fps: w(acc[2]),
    }
}

/// quality-benchmark-v1 for the sessions of one row.
fn score_v1(row: &[&Session], bench: &Benchmark) -> f64 {
    let n = row.len() as f64;
    let count = |f: &dyn Fn(&Session) -> bool| row.iter().filter(|s| f(s)).count() as f64;
    let startup_success = count(&|s| s.success) / n;
    let no_swap = 1.0 - count(&|s| s.swapped) / n;
    let viability = 1.0 - count(&|s| s.loading_only || s.zero_fps) / n;
    let reliability = (0.4 * startup_success + 0.2 * no_swap + 0.4 * viability).clamp(0.0, 1.0);
    let coverage = (row.iter().map(|s| s.health).sum::<i64>() as f64 / (3.0 * n)).min(1.0);
    let mean = |v: Vec<i64>| (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64);
    let ptff_values: Vec<i64> = row.iter().filter_map(|s| s.ptff).collect();
    let e2e_values: Vec<i64> = row.iter().filter_map(|s| s.e2e).collect();
    let (ptff_n, e2e_n) = (ptff_values.len() as f64, e2e_values.len() as f64);
    let samples = row.iter().map(|s| s.samples).sum::<i64>() as f64;
    let fps = row.iter().map(|s| s.fps_sum).sum::<f64>() / samples;
    let lower_is_better = |x: Option<f64>, (p50, p90, rows): (f64, f64, usize)| match x {
        None => 0.5,
        Some(_) if rows < 48 => 0.5,
        Some(x) if p90 <= p50 => f64::from(u8::from(x <= p50)),
        Some(x) if x <= p50 => 1.0,
        Some(x) if x >= p90 => 0.0,
        Some(x) => 1.0 - (x - p50) / (p90 - p50),
    };
    let (p10, p50, rows) = bench.fps;
    let fps_raw = if rows < 48 {
        0.5
    } else if p50 <= p10 {
        f64::from(u8::from(fps >= p50))
    } else if fps >= p50 {
        1.0
    } else if fps <= p10 {
        0.0
    } else {
        (fps - p10) / (p50 - p10)
    };
    let shrink = |raw: f64, k: f64| (0.5 + k.min(1.0) * (raw - 0.5)).clamp(0.0, 1.0);
    let ptff_score = shrink(lower_is_better(mean(ptff_values), bench.ptff), ptff_n / 10.0);
    let e2e_score = shrink(lower_is_better(mean(e2e_values), bench.e2e), e2e_n / 10.0);
    let fps_score = shrink(fps_raw, samples / 30.0);
    let quality = 0.6 * (0.6 * ptff_score + 0.4 * e2e_score) + 0.4 * fps_score;
    (100.0 * coverage * (0.7 * reliability + 0.3 * quality)).clamp(0.0, 100.0)
}

#[tokio::test]
async fn sla_score_v1_equals_the_predecessor_formula() -> anyhow::Result<()> {
    let sessions = week();
    let ctx = SessionContext::new_with_config(sql::rollup::session_config());
    let schema = Dataset::Sessions.file_schema();
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    ctx.register_table(
        "sessions",
        Arc::new(MemTable::try_new(Arc::new(Schema::new(fields)), vec![vec![]])?),
    )?;
    ctx.sql(&insert_sql(&sessions)).await?.collect().await?;
    // The day's benchmark (sla_benchmarks_daily), then the hourly rows scored against it.
    for name in ["sla_benchmarks_daily", "sla_hourly"] {
        let rollup = sql::ROLLUPS.iter().find(|r| r.name == name).expect("rollup");
        ctx.sql(&format!("CREATE VIEW {name} AS {}", rollup.sql)).await?;
    }
    let frame = ctx
        .sql(
            "SELECT CAST(window_start AS BIGINT) AS hour, orchestrator_address, sla_score_v1 FROM sla_hourly \
             WHERE window_start >= '2026-01-08T00:00:00Z' ORDER BY 1, 2",
        )
        .await?;
    let batches = frame.collect().await?;
    let bench = benchmark(&sessions, 7);
    assert!(bench.ptff.2 >= 48 && bench.fps.2 >= 48, "the week passes the gate");
    let mut checked = 0;
    for batch in &batches {
        let hours = batch
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .unwrap();
        let orchestrators = batch
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        let scores = batch
            .column(2)
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        for i in 0..batch.num_rows() {
            let row: Vec<&Session> = sessions
                .iter()
                .filter(|s| s.hour == hours.value(i) && s.orchestrator == orchestrators.value(i))
                .collect();
            let expected = score_v1(&row, &bench);
            let actual = scores.value(i);
            assert!(
                (actual - expected).abs() < 1e-5,
                "{} {}: sla_score_v1 {actual} vs the formula's {expected}",
                hours.value(i),
                orchestrators.value(i)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 8, "4 orchestrators × 2 hours on the scored day");
    Ok(())
}
