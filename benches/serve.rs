//! Serving: HTTP throughput and latency of `/v1/leaderboard` and `/v1/sla` at 64 concurrent
//! connections, and 30-day aggregate queries over Flight SQL, on this machine.
//!
//! `cargo bench -p naap-benches --bench serve [-- SECONDS_PER_RUN] [--live [--follower-nice N]]`
//!
//! The lake holds 30 days of the `realistic-day` network (its 21 orchestrators, four
//! gateways and full mix of families) at a tenth of its live, batch and LLM traffic, simulated
//! day by day, ingested and rolled up; it is built once under `$NAAP_BENCH_LAKE` (default:
//! the system temp dir). The servers run in this process on a 2-worker runtime, the load
//! generator (one HTTP/1.1 keep-alive connection per client, hyper) on another 2-worker
//! runtime: both share the machine's cores, as a co-located proxy or dashboard back-end
//! would. Baselines in the same run: `/healthz` (the HTTP stack alone) and the same
//! requests answered cold, one at a time, while warming the cache (each one a DataFusion
//! query over the month's files); for Flight SQL,
//! `python3 benches/duckdb_serve.py LAKE` runs the same aggregates in DuckDB.
//!
//! With `--live`, the HTTP runs are repeated while the month goes on: the hour after it, at
//! the real network's rate (`realistic-day`), is ingested into the same lake every second as
//! its events come due (replayed in real time from the lake's end) and a [`sql::Follower`]
//! recomputes what changed after each ingest, on a runtime of its own beside the servers —
//! the work `naap ingest` and `naap rollup --follow` do. The dashboard windows then end with
//! that live hour, so every change reaches every answer (the worst case for the response
//! cache): each is served stale while it is recomputed, and the run reports how many answers
//! were stale and how far behind the lake they were at most (`x-naap-stale-ms`). With
//! `--follower-nice N`, the ingest and follower thread runs at that scheduling priority
//! (`nice`, 0–19), as `nice -n N naap rollup --follow` would beside a server on the same
//! cores: the server's answers then come before the rollups' work, which slows down instead.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use arrow_flight::sql::client::FlightSqlServiceClient;
use futures::TryStreamExt;
use lakehouse_layout::Lake;
use naap_benches::load;
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::SimulateOptions;
use sql::{Profile, QueryLimits, RollupOptions};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DAYS: u32 = 30;
/// Share of `realistic-day`'s live, batch and LLM traffic simulated.
const TRAFFIC_SCALE: f64 = 0.1;
const CONNECTIONS: usize = 64;
/// 2026-03-01T00:00:00Z.
const START_MS: i64 = 1_772_323_200_000;
const END_MS: i64 = START_MS + DAYS as i64 * 86_400_000;

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let live = std::env::args().any(|a| a == "--live");
    let follower_nice: i32 = std::env::args()
        .skip_while(|a| a != "--follower-nice")
        .nth(1)
        .map(|n| n.parse())
        .transpose()
        .context("--follower-nice takes a number, 0 to 19")?
        .unwrap_or(0);
    let root = std::env::var_os("NAAP_BENCH_LAKE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("naap-bench-serve-30d"));
    let lake_dir = root.join("lake");
    if !root.join("READY").exists() {
        build_lake(&root, &lake_dir)?;
    }
    println!(
        "lake: {} ({})",
        lake_dir.display(),
        std::fs::read_to_string(root.join("READY"))?.trim()
    );
    let lake = Lake::open(lake_dir.to_str().context("utf-8 path")?)?;

    let server_runtime = runtime()?;
    let servers = server_runtime.block_on(flight_server::start(
        &lake,
        flight_server::ServeConfig {
            http: "127.0.0.1:0".parse()?,
            flight: "127.0.0.1:0".parse()?,
            profile: Profile::Public,
            limits: QueryLimits::default(),
            // One client address opens 64 connections: no per-IP limit here.
            rate_limit: None,
            credentials: None,
            stall_after: flight_server::DEFAULT_STALL_AFTER,
            slo_orchestrators: Vec::new(),
        },
    ))?;
    let client_runtime = runtime()?;
    let duration = Duration::from_secs(seconds);
    let http = servers.http_addr;

    println!("HTTP, {CONNECTIONS} connections, {seconds} s per run, warm cache unless said:");
    let runs: [(&str, Vec<String>); 3] = [
        ("/healthz (HTTP stack baseline)", vec!["/healthz".to_string()]),
        ("/v1/leaderboard", leaderboard_uris(END_MS)),
        ("/v1/sla", sla_uris(END_MS)),
    ];
    for (name, uris) in runs {
        // Warm the cache one request at a time; these cold answers are the baseline of what
        // each request costs without the cache (a DataFusion query over the month's files).
        let uris = Arc::new(uris);
        let cold = client_runtime.block_on(load(http, Arc::clone(&uris), 1, Duration::ZERO, Some(uris.len())))?;
        let report = client_runtime.block_on(load(http, uris, CONNECTIONS, duration, None))?;
        println!("  {name:<36} {report}");
        println!("  {:<36} {cold}", "  cold, one at a time");
    }
    // The same SQL for the DuckDB baseline (benches/duckdb_serve.py).
    let queries: Vec<serde_json::Value> = flight_queries()
        .iter()
        .map(|(name, sql)| serde_json::json!({"name": name, "sql": sql}))
        .collect();
    std::fs::write(root.join("queries.json"), serde_json::to_string_pretty(&queries)?)?;
    println!("Flight SQL, 30-day aggregates (10 runs each after one warm-up):");
    for (name, sql) in flight_queries() {
        let times = client_runtime.block_on(flight_runs(servers.flight_addr, &sql, 10))?;
        println!(
            "  {name:<36} median {:>7.1} ms   min {:>7.1} ms   ({} result rows)",
            times.median_ms, times.min_ms, times.rows
        );
    }
    println!("compare: python3 benches/duckdb_serve.py {}", lake_dir.display());
    if live {
        let network = LiveHour::start(&lake, follower_nice)?;
        println!(
            "HTTP while the next hour is ingested and followed ({:.0} events/s, follower at nice {follower_nice}; \
             the follower's first tick, the new day's deferred windows, took {:.1} s before), windows ending with it:",
            network.events_per_second,
            network.first_tick.as_secs_f64()
        );
        let end = END_MS + HOUR_MS;
        for (name, uris) in [("/v1/leaderboard", leaderboard_uris(end)), ("/v1/sla", sla_uris(end))] {
            let uris = Arc::new(uris);
            client_runtime.block_on(load(http, Arc::clone(&uris), 1, Duration::ZERO, Some(uris.len())))?;
            let report = client_runtime.block_on(load(http, uris, CONNECTIONS, duration, None))?;
            println!("  {name:<36} {report}");
        }
        let ticks = network.stop()?;
        println!("  live: {ticks}");
    }
    server_runtime.block_on(servers.shutdown());
    Ok(())
}

const HOUR_MS: i64 = 3_600_000;

/// The hour after the lake's month at the real network's rate, ingested as its events come
/// due (the lake's end is "now" when it starts) and followed by the rollups, on a thread and
/// runtime of its own.
struct LiveHour {
    events_per_second: f64,
    /// How long the follower's first tick took (the new day's deferred windows: the month
    /// ends at midnight), before the HTTP runs began.
    first_tick: Duration,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<anyhow::Result<String>>,
}

impl LiveHour {
    fn start(lake: &Lake, nice: i32) -> anyhow::Result<LiveHour> {
        let scenario = scenarios::library::load("realistic-day")?;
        let events = naap_benches::simulate_timed(&scenario, END_MS, END_MS + HOUR_MS)?;
        let events_per_second = events.len() as f64 / 3600.0;
        let reference = sql::rollup::ReferenceData {
            gateway_regions: scenario
                .gateways
                .iter()
                .map(|g| (g.name.clone(), g.region.clone()))
                .collect(),
            ..Default::default()
        };
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let lake = lake.clone();
        let stopped = Arc::clone(&stop);
        let (first_tick_done, first_tick) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            // On Linux, "process" priority of a thread id is that thread's own, inherited by
            // the threads it starts.
            if nice != 0 {
                rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice)
                    .context("cannot set the follower's priority")?;
            }
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(follow_live(lake, reference, events, stopped, first_tick_done))
        });
        // The HTTP runs measure the steady state: the first tick is reported on its own.
        let first_tick = first_tick
            .recv_timeout(Duration::from_secs(600))
            .context("the follower's first tick did not end within 10 minutes")?;
        Ok(LiveHour {
            events_per_second,
            first_tick,
            stop,
            thread,
        })
    }

    /// Stops the live hour; returns what its ticks did.
    fn stop(self) -> anyhow::Result<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the live thread panicked"))?
    }
}

/// Every second: ingests the events due, then runs a follower tick (as `naap ingest` with its
/// one-second flush and `naap rollup --follow --interval 1` would).
async fn follow_live(
    lake: Lake,
    reference: sql::rollup::ReferenceData,
    events: Vec<(i64, String)>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    first_tick_done: std::sync::mpsc::Sender<Duration>,
) -> anyhow::Result<String> {
    let clock = FixedClock::new(END_MS);
    let ingestor = Ingestor::new(lake.clone(), Arc::<FixedClock>::clone(&clock), IngestOptions::default());
    let options = RollupOptions {
        reference,
        now_ms: Some(END_MS + HOUR_MS),
        ..RollupOptions::default()
    };
    let (mut follower, _) = sql::Follower::start(lake, options, sql::FollowSettings::default()).await?;
    let first = Instant::now();
    follower.tick().await?;
    let _ = first_tick_done.send(first.elapsed());
    let started = Instant::now();
    let mut next = 0;
    let mut tick_ms = Vec::new();
    // Each every-tick rollup's run times, to say where a tick's time goes.
    let mut rollup_ms: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let now = END_MS + started.elapsed().as_millis() as i64;
        clock.set(now);
        let due = events[next..].partition_point(|(at, _)| *at <= now);
        let lines: Vec<String> = events[next..next + due].iter().map(|(_, line)| line.clone()).collect();
        if !lines.is_empty() {
            pipeline::source::memory::ingest_messages(&ingestor, "live", next as u64, &lines, 100_000).await?;
        }
        next += due;
        let tick = Instant::now();
        let report = follower.tick().await?;
        if !report.rollups.is_empty() {
            tick_ms.push(tick.elapsed().as_millis() as u64);
        }
        for run in &report.rollups {
            rollup_ms.entry(run.name).or_default().push(run.elapsed_ms);
        }
        tokio::time::sleep(Duration::from_secs(1).saturating_sub(tick.elapsed())).await;
    }
    let runs: Vec<String> = rollup_ms
        .iter_mut()
        .map(|(name, ms)| format!("{name} {}", quantile(ms, 0.5)))
        .collect();
    Ok(format!(
        "{next} events ingested, {} ticks recomputed something, tick run time p50 {} ms, p95 {} ms, max {} ms\n    \
         each rollup's run time in a tick, p50 ms: {}",
        tick_ms.len(),
        quantile(&mut tick_ms, 0.5),
        quantile(&mut tick_ms, 0.95),
        quantile(&mut tick_ms, 1.0),
        runs.join(", ")
    ))
}

/// The `q` quantile of `values` (nearest rank below), 0 when there are none.
fn quantile(values: &mut [u64], q: f64) -> u64 {
    values.sort_unstable();
    values
        .get(((values.len().max(1) - 1) as f64 * q) as usize)
        .copied()
        .unwrap_or(0)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn rfc3339(ms: i64) -> String {
    timestamp(ms, "%Y-%m-%dT%H:%M:%SZ")
}

fn timestamp(ms: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("in range")
        .format(format)
        .to_string()
}

/// Windows a dashboard asks for: the last day, week and month before `end`.
fn windows(end: i64) -> [(String, String); 3] {
    [1, 7, DAYS as i64].map(|days| (rfc3339(end - days * 86_400_000), rfc3339(end)))
}

/// Leaderboards per model × region (and all regions) × window: 24 distinct requests.
fn leaderboard_uris(end: i64) -> Vec<String> {
    let mut uris = Vec::new();
    for model in ["streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v"] {
        for region in ["", "&region=eu-central", "&region=us-east", "&region=us-west"] {
            for (from, to) in windows(end) {
                uris.push(format!(
                    "/v1/leaderboard?pipeline=live-video-to-video&model={model}{region}&from={from}&to={to}"
                ));
            }
        }
    }
    uris
}

/// SLA rows per model × granularity × window × region: 48 distinct requests of 100 rows.
fn sla_uris(end: i64) -> Vec<String> {
    let mut uris = Vec::new();
    for model in ["streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v"] {
        for granularity in ["hour", "day"] {
            for region in ["", "&region=eu-central", "&region=us-east", "&region=us-west"] {
                for (from, to) in windows(end) {
                    uris.push(format!(
                        "/v1/sla?model={model}&granularity={granularity}{region}&from={from}&to={to}&limit=100"
                    ));
                }
            }
        }
    }
    uris
}

/// Aggregates a researcher runs over the whole month: one over gold, one over silver.
fn flight_queries() -> [(&'static str, String); 2] {
    // A literal both DataFusion and DuckDB read as UTC.
    let sql_time = |ms| timestamp(ms, "%Y-%m-%d %H:%M:%S");
    let range = format!(
        "window_start >= TIMESTAMP '{}' AND window_start < TIMESTAMP '{}'",
        sql_time(START_MS),
        sql_time(END_MS)
    );
    [
        (
            "gold sla_hourly per orchestrator",
            format!(
                "SELECT orchestrator_address, model_id, sum(requested_sessions) AS sessions, \
                 sum(good_sessions) AS good, sum(startup_latency_ms_sum) / sum(startup_latency_count) AS startup_ms, \
                 sum(output_fps_sum) / sum(status_samples) AS fps \
                 FROM sla_hourly WHERE {range} GROUP BY 1, 2 ORDER BY sessions DESC"
            ),
        ),
        (
            "silver ai_stream_status per day",
            format!(
                "SELECT date_trunc('day', event_ts) AS day, count(*) AS samples, \
                 count(DISTINCT stream_id) AS streams, avg(output_fps) AS fps \
                 FROM ai_stream_status WHERE {} GROUP BY 1 ORDER BY 1",
                range.replace("window_start", "event_ts")
            ),
        ),
    ]
}

struct FlightTimes {
    median_ms: f64,
    min_ms: f64,
    rows: usize,
}

async fn flight_runs(addr: SocketAddr, sql: &str, runs: usize) -> anyhow::Result<FlightTimes> {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut client = FlightSqlServiceClient::new(channel);
    let mut times = Vec::new();
    let mut rows = 0;
    for run in 0..=runs {
        let started = Instant::now();
        let info = client.execute(sql.to_string(), None).await?;
        let ticket = info.endpoint[0].ticket.clone().context("no ticket")?;
        let batches: Vec<_> = client.do_get(ticket).await?.try_collect().await?;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        rows = batches.iter().map(|b| b.num_rows()).sum();
        if run > 0 {
            times.push(elapsed);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(FlightTimes {
        median_ms: times[times.len() / 2],
        min_ms: times[0],
        rows,
    })
}

/// Simulates the month day by day, ingests each day, then runs every rollup.
fn build_lake(root: &Path, lake_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(lake_dir)?;
    let mut scenario = scenarios::library::load("realistic-day")?;
    for live in &mut scenario.live {
        live.streams_per_hour *= TRAFFIC_SCALE;
    }
    for batch in &mut scenario.batch {
        batch.requests_per_hour *= TRAFFIC_SCALE;
    }
    for llm in &mut scenario.llm {
        llm.requests_per_hour *= TRAFFIC_SCALE;
    }
    let runtime = runtime()?;
    let lake = Lake::open(lake_dir.to_str().context("utf-8 path")?)?;
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(END_MS), IngestOptions::default());
    let started = Instant::now();
    let mut offset = 0u64;
    // Rolled up day by day, as `naap rollup` runs beside ingestion: each run recomputes only
    // the windows whose inputs changed. (One `--full` run over the month needs more than the
    // default 768 MiB rollup memory pool.)
    let mut sla_rows = 0;
    for day in 0..DAYS {
        let options = SimulateOptions {
            seed: Some(scenario.seed + u64::from(day)),
            start_ms: Some(START_MS + i64::from(day) * 86_400_000),
            hours: Some(24),
        };
        let (lines, truth) = scenarios::simulate_to_vec(&scenario, options)?;
        runtime.block_on(pipeline::source::memory::ingest_messages(
            &ingestor, "bench", offset, &lines, 100_000,
        ))?;
        offset += lines.len() as u64;
        let options = RollupOptions {
            reference: sql::rollup::ReferenceData {
                gateway_regions: truth.gateways.into_iter().collect(),
                ..Default::default()
            },
            ..RollupOptions::default()
        };
        let report = runtime.block_on(sql::run_rollups(&lake, &options))?;
        sla_rows += report
            .rollups
            .iter()
            .find(|r| r.name == "sla_hourly")
            .map_or(0, |r| r.rows);
        eprintln!(
            "built day {:02}: {} events ({offset} so far, {:.0?})",
            day + 1,
            lines.len(),
            started.elapsed()
        );
    }
    eprintln!("built in {:.0?}", started.elapsed());
    std::fs::write(
        root.join("READY"),
        format!("{offset} events over {DAYS} days, {sla_rows} sla_hourly rows written by the daily rollup runs\n"),
    )?;
    Ok(())
}
