//! Freshness: how long after a gateway sends an event its effect is visible to readers, with
//! naap running as it does in production — `naap ingest` (HTTP push and Kafka), `naap rollup
//! --follow` and `naap serve` as three processes over one lake on this machine.
//!
//! `cargo build --release -p naap && cargo bench -p naap-benches --bench freshness`
//!
//! For each traffic rate (the real network's, the `realistic-day` scenario, and ten times
//! that, `scale-10x`) the bench simulates the network from ten minutes ago, ingests those ten
//! minutes and rolls them up (the backfill), starts the three processes, and then replays the
//! simulation in real time: every 250 ms the events due are sent, first over HTTP push and
//! then to Kafka (librdkafka's in-process mock cluster, which the ingest process reaches over
//! TCP), each send carrying one probe session — a new live stream that starts successfully,
//! from a gateway of its own. A poller asks, every 100 ms, where each probe is visible:
//!
//! * silver `stream_trace` over Flight SQL (ingest: flush interval and write),
//! * gold `sessions` over Flight SQL (plus the rollup tick that recomputes the hour),
//! * gold `sla_hourly` over Flight SQL (plus the rollups after `sessions` in that tick),
//! * `GET /v1/sla?gateway=…` over HTTP (plus the lake watcher and the response cache).
//!
//! The time from the send to the first poll that shows the probe (poll time included) is the
//! probe's latency on that surface. Then, with the real-time traffic still flowing, 64 HTTP
//! connections load `/v1/leaderboard` and `/v1/sla` for 10 s each.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use arrow_flight::sql::client::FlightSqlServiceClient;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int64Type;
use futures::TryStreamExt;
use naap_benches::{load, simulate_timed};
use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

const PROBES: usize = 200;
const SEND_EVERY: Duration = Duration::from_millis(250);
const POLL_EVERY: Duration = Duration::from_millis(100);
const BACKFILL_MS: i64 = 10 * 60_000;
const TOPIC: &str = "network_events";
/// An orchestrator of the captures.
const ORCHESTRATOR: &str = "0x52cf2968b3dc6016778742d3539449a6597d5954";

fn main() -> anyhow::Result<()> {
    let naap = naap_binary()?;
    println!("naap: {}", naap.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    for (label, scenario) in [("real rate", "realistic-day"), ("10x", "scale-10x")] {
        runtime.block_on(run_rate(&naap, label, scenario))?;
    }
    Ok(())
}

/// The release `naap` binary beside this bench (`target/release/naap`), or `$NAAP_BIN`.
fn naap_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("NAAP_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let release = exe.parent().and_then(Path::parent).context("bench path")?;
    let naap = release.join("naap");
    if !naap.exists() {
        bail!(
            "{} is missing: run `cargo build --release -p naap` first (or set NAAP_BIN)",
            naap.display()
        );
    }
    Ok(naap)
}

async fn run_rate(naap: &Path, label: &str, scenario: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let lake = dir.path().join("lake");
    let lake = lake.to_str().context("utf-8 path")?.to_string();
    let now = now_ms();
    let start = now / 60_000 * 60_000 - BACKFILL_MS;
    let events = simulate_timed(&scenarios::library::load(scenario)?, start, now + 10 * 60_000)?;
    let (backfill, live): (Vec<_>, Vec<_>) = events.into_iter().partition(|(at, _)| *at < now);
    let file = dir.path().join("backfill.jsonl");
    let body: String = backfill.iter().map(|(_, line)| format!("{line}\n")).collect();
    std::fs::write(&file, body)?;
    let started = Instant::now();
    run_once(naap, &lake, &["ingest", "--file", file.to_str().unwrap()]).await?;
    run_once(naap, &lake, &["rollup"]).await?;
    let live_rate = live.iter().filter(|(at, _)| *at < now + 60_000).count() as f64 / 60.0;
    println!(
        "\n== {label} ({scenario}): backfill of {} events (10 min) ingested and rolled up in {:.1?}; \
         live traffic {live_rate:.0} events/s",
        backfill.len(),
        started.elapsed()
    );

    let cluster = MockCluster::new(1)?;
    cluster.create_topic(TOPIC, 3, 1)?;
    let brokers = cluster.bootstrap_servers();
    let (ingest, line) = Process::spawn(
        naap,
        &lake,
        &[
            "ingest",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--kafka-brokers",
            &brokers,
            "--kafka-topics",
            TOPIC,
            "--kafka-group",
            "freshness",
        ],
        |line| line.contains("accepting pushed events at"),
    )
    .await?;
    let push_url = line.rsplit(' ').next().unwrap_or_default().to_string();
    let (rollup, _) = Process::spawn(
        naap,
        &lake,
        &["rollup", "--follow", "--health-listen", "127.0.0.1:0"],
        |line| line.contains("following the lake's change log"),
    )
    .await?;
    let (serve, _) = Process::spawn(
        naap,
        &lake,
        // One client address (the bench) opens 64 connections: no per-address rate limit.
        &[
            "serve",
            "--http",
            "127.0.0.1:0",
            "--flight",
            "127.0.0.1:0",
            "--rate-limit-per-second",
            "0",
        ],
        |line| line.contains("press Ctrl-C to stop"),
    )
    .await?;
    let http = serve
        .line_after("health:")
        .context("serve printed no health URL")?
        .trim_end_matches("/healthz")
        .to_string();
    let flight: SocketAddr = serve
        .line_after("flight sql:")
        .context("serve printed no Flight SQL address")?
        .trim_start_matches("grpc://")
        .parse()?;

    let producer: FutureProducer = ClientConfig::new().set("bootstrap.servers", &brokers).create()?;
    let mut traffic = Traffic { live, next: 0 };
    let http_sink = Sink::Http {
        client: reqwest::Client::new(),
        url: push_url,
    };
    let kafka_sink = Sink::Kafka(producer.clone());
    for (name, sink) in [("HTTP push", &http_sink), ("Kafka", &kafka_sink)] {
        let gateway = format!("probe-{}", name.split(' ').next().unwrap().to_lowercase());
        let ticks_before = rollup.count("tick:");
        let sent = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let poller = tokio::spawn(poll(
            http.clone(),
            flight,
            gateway.clone(),
            Arc::clone(&sent),
            Arc::clone(&done),
        ));
        let phase_started = Instant::now();
        traffic.drive(sink, &gateway, PROBES, &sent).await?;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let visible = poller.await??;
        let elapsed = phase_started.elapsed();
        let sent = sent.lock().unwrap().clone();
        println!("{name}: {PROBES} probe sessions over {elapsed:.1?}; send -> visible (p50 / p95 / max, s):");
        for (surface, times) in SURFACES.iter().zip(&visible) {
            println!("  {surface:<34} {}", summary(&sent, times));
        }
        let ticks = rollup.lines_since("tick:", ticks_before);
        println!("  rollup ticks: {}", tick_summary(&ticks));
    }

    // Serving under the same live traffic.
    let uris = dashboard_uris(now);
    let http_addr: SocketAddr = http.trim_start_matches("http://").parse()?;
    let background = {
        let mut traffic = Traffic {
            live: traffic.live.split_off(traffic.next),
            next: 0,
        };
        tokio::spawn(async move {
            let sent = Mutex::new(Vec::new());
            traffic.drive(&kafka_sink, "probe-serve", usize::MAX, &sent).await
        })
    };
    for (name, uris) in [("/v1/leaderboard", uris.0), ("/v1/sla", uris.1)] {
        let uris = Arc::new(uris);
        // Warm the cache first, one request at a time.
        load(http_addr, Arc::clone(&uris), 1, Duration::ZERO, Some(uris.len())).await?;
        let report = load(http_addr, uris, 64, Duration::from_secs(10), None).await?;
        println!("serving with ingest and rollup --follow active: {name:<16} {report}");
    }
    background.abort();
    producer.flush(Duration::from_secs(5))?;
    drop((ingest, rollup, serve));
    Ok(())
}

const SURFACES: [&str; 4] = [
    "silver stream_trace (Flight SQL)",
    "gold sessions (Flight SQL)",
    "gold sla_hourly (Flight SQL)",
    "GET /v1/sla (HTTP)",
];

/// Dashboard requests over the hours the lake holds: leaderboards and SLA pages.
fn dashboard_uris(now: i64) -> (Vec<String>, Vec<String>) {
    let from = rfc3339(now - 3_600_000);
    let to = rfc3339(now + 3_600_000);
    let mut leaderboard = Vec::new();
    let mut sla = Vec::new();
    for model in ["streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v"] {
        leaderboard.push(format!(
            "/v1/leaderboard?pipeline=live-video-to-video&model={model}&from={from}&to={to}"
        ));
        for granularity in ["hour", "day"] {
            sla.push(format!(
                "/v1/sla?model={model}&granularity={granularity}&from={from}&to={to}&limit=100"
            ));
        }
    }
    leaderboard.push(format!(
        "/v1/leaderboard?pipeline=live-video-to-video&from={from}&to={to}"
    ));
    (leaderboard, sla)
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A scenario's delivered lines from `start_ms` until `until_ms`, with their delivery times.
/// The simulated network's live events, replayed in real time.
struct Traffic {
    live: Vec<(i64, String)>,
    next: usize,
}

impl Traffic {
    /// Every [`SEND_EVERY`], sends the events due and one probe session (until `probes` were
    /// sent), recording each probe's send time in `sent`.
    async fn drive(
        &mut self,
        sink: &Sink,
        gateway: &str,
        probes: usize,
        sent: &Mutex<Vec<Instant>>,
    ) -> anyhow::Result<()> {
        let mut tick = tokio::time::interval(SEND_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for probe in 0..probes {
            tick.tick().await;
            let now = now_ms();
            let due = self.live[self.next..].partition_point(|(at, _)| *at <= now);
            let mut lines: Vec<String> = self.live[self.next..self.next + due]
                .iter()
                .map(|(_, line)| line.clone())
                .collect();
            self.next += due;
            lines.extend(probe_session(gateway, probe, now).iter().map(Value::to_string));
            sent.lock().unwrap().push(Instant::now());
            sink.send(&lines).await?;
        }
        Ok(())
    }
}

/// A live stream that a gateway starts successfully: request, first processed segment and
/// the third segment that makes it playable (the last sent now).
fn probe_session(gateway: &str, n: usize, now: i64) -> Vec<Value> {
    [
        ("gateway_receive_stream_request", now - 3_000),
        ("gateway_receive_first_processed_segment", now - 1_500),
        ("gateway_receive_few_processed_segments", now),
    ]
    .map(|(subtype, ts)| {
        json!({
            "id": format!("{gateway}-{n}-{subtype}"), "type": "stream_trace",
            "timestamp": ts.to_string(), "gateway": gateway,
            "data": {
                "type": subtype, "timestamp": ts, "stream_id": probe_stream(gateway, n),
                "request_id": format!("{gateway}-req-{n}"), "pipeline_id": "",
                "orchestrator_info": {"address": ORCHESTRATOR, "url": "https://orch-probe.example:8935"},
            },
        })
    })
    .to_vec()
}

fn probe_stream(gateway: &str, n: usize) -> String {
    format!("{gateway}-stream-{n}")
}

enum Sink {
    Http { client: reqwest::Client, url: String },
    Kafka(FutureProducer),
}

impl Sink {
    async fn send(&self, lines: &[String]) -> anyhow::Result<()> {
        match self {
            Sink::Http { client, url } => {
                let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
                let response = client.post(url).body(body).send().await?;
                if !response.status().is_success() {
                    bail!("push: HTTP {}: {}", response.status(), response.text().await?);
                }
            }
            Sink::Kafka(producer) => {
                for line in lines {
                    // Enqueued now; librdkafka delivers within its linger (5 ms by default).
                    let record: FutureRecord<'_, (), str> = FutureRecord::to(TOPIC).payload(line.as_str());
                    if let Err((e, _)) = producer.send_result(record) {
                        bail!("produce: {e}");
                    }
                }
            }
        }
        Ok(())
    }
}

/// Polls the four surfaces until every probe sent is visible on all of them (or 120 s after
/// the last send); returns, per surface, when each probe was first seen.
async fn poll(
    http: String,
    flight: SocketAddr,
    gateway: String,
    sent: Arc<Mutex<Vec<Instant>>>,
    done: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<[Vec<Option<Instant>>; 4]> {
    let channel = tonic::transport::Channel::from_shared(format!("http://{flight}"))?
        .connect()
        .await?;
    let mut client = FlightSqlServiceClient::new(channel);
    let client_http = reqwest::Client::new();
    let mut seen: [Vec<Option<Instant>>; 4] = Default::default();
    let mut finished_at = None;
    loop {
        let polled = Instant::now();
        let silver = strings(
            &mut client,
            &format!("SELECT DISTINCT stream_id FROM stream_trace WHERE gateway = '{gateway}'"),
        )
        .await?;
        let sessions = strings(
            &mut client,
            &format!("SELECT stream_id FROM sessions WHERE gateway = '{gateway}'"),
        )
        .await?;
        let sla_flight = count(
            &mut client,
            &format!(
                "SELECT CAST(coalesce(sum(requested_sessions), 0) AS BIGINT) FROM sla_hourly WHERE gateway = '{gateway}'"
            ),
        )
        .await?;
        let body: Value = client_http
            .get(format!("{http}/v1/sla?gateway={gateway}&limit=1000"))
            .send()
            .await?
            .json()
            .await?;
        let sla_http: usize = body["data"]
            .as_array()
            .context("no data in /v1/sla")?
            .iter()
            .map(|row| row["requested_sessions"].as_u64().unwrap_or(0) as usize)
            .sum();
        let at = Instant::now();
        let n = sent.lock().unwrap().len();
        for (surface, visible) in seen.iter_mut().enumerate() {
            visible.resize(n, None);
            for (i, slot) in visible.iter_mut().enumerate() {
                let shown = match surface {
                    0 => silver.contains(&probe_stream(&gateway, i)),
                    1 => sessions.contains(&probe_stream(&gateway, i)),
                    2 => i < sla_flight,
                    _ => i < sla_http,
                };
                if shown && slot.is_none() {
                    *slot = Some(at);
                }
            }
        }
        let complete = seen.iter().all(|v| v.iter().all(Option::is_some));
        if done.load(std::sync::atomic::Ordering::Relaxed) {
            let finished = *finished_at.get_or_insert(at);
            if complete || finished.elapsed() > Duration::from_secs(120) {
                return Ok(seen);
            }
        }
        tokio::time::sleep(POLL_EVERY.saturating_sub(polled.elapsed())).await;
    }
}

type Client = FlightSqlServiceClient<tonic::transport::Channel>;

async fn query(client: &mut Client, sql: &str) -> anyhow::Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
    let info = client.execute(sql.to_string(), None).await?;
    let ticket = info.endpoint[0].ticket.clone().context("no ticket")?;
    Ok(client.do_get(ticket).await?.try_collect().await?)
}

async fn strings(client: &mut Client, sql: &str) -> anyhow::Result<HashSet<String>> {
    let mut out = HashSet::new();
    for batch in query(client, sql).await? {
        let column = datafusion::arrow::compute::cast(batch.column(0), &datafusion::arrow::datatypes::DataType::Utf8)?;
        let column = column.as_string::<i32>();
        out.extend(
            (0..column.len())
                .filter(|&i| column.is_valid(i))
                .map(|i| column.value(i).to_string()),
        );
    }
    Ok(out)
}

async fn count(client: &mut Client, sql: &str) -> anyhow::Result<usize> {
    let batches = query(client, sql).await?;
    let batch = batches.first().context("no result")?;
    Ok(batch.column(0).as_primitive::<Int64Type>().value(0) as usize)
}

/// p50 / p95 / max of send -> visible, in seconds, and how many were never seen.
fn summary(sent: &[Instant], visible: &[Option<Instant>]) -> String {
    let mut latencies: Vec<f64> = sent
        .iter()
        .zip(visible)
        .filter_map(|(s, v)| v.map(|v| v.duration_since(*s).as_secs_f64()))
        .collect();
    latencies.sort_by(f64::total_cmp);
    let missing = sent.len() - latencies.len();
    if latencies.is_empty() {
        return format!("never visible ({missing} probes)");
    }
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let mut text = format!("{:>5.2} / {:>5.2} / {:>5.2}", at(0.5), at(0.95), at(1.0));
    if missing > 0 {
        text.push_str(&format!("   ({missing} not visible within 120 s)"));
    }
    text
}

/// Ticks and their run times, from the rollup's `tick: N datasets recomputed in M ms` lines.
fn tick_summary(lines: &[String]) -> String {
    let mut ms: Vec<u64> = lines
        .iter()
        .filter_map(|l| l.rsplit(" in ").next()?.trim_end_matches(" ms").parse().ok())
        .collect();
    ms.sort_unstable();
    if ms.is_empty() {
        return "none".into();
    }
    format!(
        "{} ticks, run time p50 {} ms, p95 {} ms, max {} ms",
        ms.len(),
        ms[ms.len() / 2],
        ms[(ms.len() - 1) * 95 / 100],
        ms[ms.len() - 1]
    )
}

/// Runs `naap --lake LAKE ARGS…` to completion.
async fn run_once(naap: &Path, lake: &str, args: &[&str]) -> anyhow::Result<()> {
    let output = tokio::process::Command::new(naap)
        .args(["--lake", lake])
        .args(args)
        .env("NAAP_LOG", "warn")
        .output()
        .await?;
    if !output.status.success() {
        bail!("naap {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// A long-running naap process whose output lines are kept. Killed when dropped; its lines
/// are then appended to `$NAAP_BENCH_LOG_DIR/<command>.log` when that is set.
struct Process {
    _child: tokio::process::Child,
    command: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        let Some(dir) = std::env::var_os("NAAP_BENCH_LOG_DIR") else {
            return;
        };
        let path = Path::new(&dir).join(format!("{}.log", self.command));
        let text: String = self.lines.lock().unwrap().iter().map(|l| format!("{l}\n")).collect();
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()));
        if let Err(e) = written {
            eprintln!("{}: {e}", path.display());
        }
    }
}

impl Process {
    /// Starts naap and waits (at most 120 s) for a line of its output that `ready` accepts.
    async fn spawn(
        naap: &Path,
        lake: &str,
        args: &[&str],
        ready: impl Fn(&str) -> bool,
    ) -> anyhow::Result<(Process, String)> {
        let mut child = tokio::process::Command::new(naap)
            .args(["--lake", lake])
            .args(args)
            // `NAAP_BENCH_LOG=sql=debug` shows each rollup's run time in the kept lines.
            .env(
                "NAAP_LOG",
                std::env::var("NAAP_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().context("stdout")?;
        let stderr = child.stderr.take().context("stderr")?;
        tokio::spawn(keep_lines(BufReader::new(stdout), Arc::clone(&lines)));
        tokio::spawn(keep_lines(BufReader::new(stderr), Arc::clone(&lines)));
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let found = lines.lock().unwrap().iter().find(|l| ready(l)).cloned();
            if let Some(line) = found {
                let command = args.first().copied().unwrap_or("naap").to_string();
                return Ok((
                    Process {
                        _child: child,
                        command,
                        lines,
                    },
                    line,
                ));
            }
            if let Some(status) = child.try_wait()? {
                bail!("naap {args:?} exited ({status}): {:?}", lines.lock().unwrap());
            }
            if Instant::now() > deadline {
                bail!("naap {args:?} was not ready within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The rest of the first line that starts with `prefix`.
    fn line_after(&self, prefix: &str) -> Option<String> {
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|rest| rest.trim().to_string()))
    }

    fn count(&self, prefix: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    /// Lines starting with `prefix`, after the first `skip` of them.
    fn lines_since(&self, prefix: &str, skip: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .filter(|l| l.starts_with(prefix))
            .skip(skip)
            .cloned()
            .collect()
    }
}

async fn keep_lines(reader: impl tokio::io::AsyncBufRead + Unpin, lines: Arc<Mutex<Vec<String>>>) {
    let mut reader = reader.lines();
    while let Ok(Some(line)) = reader.next_line().await {
        lines.lock().unwrap().push(line);
    }
}
