//! A running deployment: `naap ingest --listen`, `naap rollup --follow` and `naap serve` as
//! three processes over one lake, while new sessions, late events and replaced gold
//! partitions arrive. HTTP and Flight SQL must show every change within a bounded wait, and a
//! reader hammering both throughout must never get an error or see a session disappear (what
//! reading a replaced file with the other version's footer would cause).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Naap, flight_sql_query};

const NAAP: &str = env!("CARGO_BIN_EXE_naap");
/// 2026-01-08T21:00:00Z, the hour of the real capture.
const HOUR: i64 = 1_767_906_000_000;
const ORCHESTRATOR: &str = "https://orch-live.example:8935";

/// A running naap process that is not a server (ingest, rollup). Killed when dropped.
pub(crate) struct Process {
    child: tokio::process::Child,
    /// The lines of its output not read yet.
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    name: String,
}

impl Process {
    /// Starts `naap --lake LAKE ARGS…` and waits (at most 60 s) until a line of its output
    /// (stdout or stderr) contains `ready`; returns the process and that line.
    pub(crate) async fn spawn(lake: &str, args: &[&str], envs: &[(&str, &str)], ready: &str) -> (Process, String) {
        let mut child = tokio::process::Command::new(NAAP)
            .args(["--lake", lake])
            .args(args)
            .env("NAAP_LOG", "warn")
            .envs(envs.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn naap");
        let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        for mut stream in [Box::new(stdout) as Box<dyn LineStream>, Box::new(stderr)] {
            let lines_tx = lines_tx.clone();
            tokio::spawn(async move {
                while let Some(line) = stream.next().await {
                    let _ = lines_tx.send(line);
                }
            });
        }
        drop(lines_tx);
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.recv().await {
                if line.contains(ready) {
                    return line;
                }
            }
            panic!("naap {args:?} exited before printing {ready:?}");
        })
        .await
        .unwrap_or_else(|_| panic!("naap {args:?} did not print {ready:?} within 60 s"));
        let name = args.first().copied().unwrap_or_default().to_string();
        (Process { child, lines, name }, found)
    }

    /// Waits (at most `limit`) for a line of output containing `needle`; returns it.
    pub(crate) async fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let name = self.name.clone();
        tokio::time::timeout(limit, async {
            while let Some(line) = self.lines.recv().await {
                eprintln!("[naap {name}] {line}");
                if line.contains(needle) {
                    return line;
                }
            }
            panic!("naap {name} exited before printing {needle:?}");
        })
        .await
        .unwrap_or_else(|_| panic!("naap {name} did not print {needle:?} within {limit:?}"))
    }

    /// Sends SIGINT (Ctrl-C) and checks that the process exits cleanly within 30 s.
    pub(crate) async fn stop_with_ctrl_c(mut self) {
        let pid = self.child.id().expect("naap is running");
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("naap stops within 30 s of Ctrl-C")
            .unwrap();
        assert!(exit.success(), "naap {} exited with {exit}", self.name);
    }

    /// Kills the process at once (SIGKILL: no clean stop, no lease released).
    pub(crate) async fn kill_9(&mut self) {
        self.child.kill().await.unwrap();
    }

    pub(crate) fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

/// Lines of a child's output.
trait LineStream: Send {
    fn next(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send + '_>>;
}

impl<R: tokio::io::AsyncBufRead + Unpin + Send> LineStream for tokio::io::Lines<R> {
    fn next(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send + '_>> {
        Box::pin(async move { self.next_line().await.ok().flatten() })
    }
}

fn envelope(id: &str, family: &str, ts: i64, data: Value) -> Value {
    json!({"id": id, "type": family, "timestamp": ts.to_string(), "gateway": "gw-live", "data": data})
}

/// The milestones of one live session as go-livepeer's gateway sends them: request, first
/// processed segment, and (when `playable`) the third segment that makes it playable.
fn session(n: usize, start: i64, playable: bool) -> Vec<Value> {
    let mut events = vec![
        trace(n, "gateway_receive_stream_request", start),
        trace(n, "gateway_receive_first_processed_segment", start + 1_500),
    ];
    if playable {
        events.push(trace(n, "gateway_receive_few_processed_segments", start + 3_000));
    }
    events
}

fn trace(n: usize, subtype: &str, ts: i64) -> Value {
    envelope(
        &format!("live-{n}-{subtype}"),
        "stream_trace",
        ts,
        json!({
            "type": subtype, "timestamp": ts, "stream_id": format!("stream-live-{n}"),
            "request_id": format!("req-{n}"), "pipeline_id": "",
            "orchestrator_info": {"address": "0x52cf2968b3dc6016778742d3539449a6597d5954", "url": ORCHESTRATOR},
        }),
    )
}

async fn push(url: &str, events: &[Value]) {
    let body: String = events.iter().map(|e| format!("{e}\n")).collect();
    let response = reqwest::Client::new().post(url).body(body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

/// Sessions as served: stream id → startup outcome.
type Served = BTreeMap<String, String>;

fn outcomes(rows: &[Value]) -> Served {
    rows.iter()
        .map(|r| {
            (
                r["stream_id"].as_str().unwrap_or_default().to_string(),
                r["startup_outcome"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn served_http(http: &str) -> Result<Served, String> {
    let response = reqwest::get(format!("{http}/v1/datasets/sessions/rows?limit=1000"))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("HTTP {status}: {body}"));
    }
    Ok(outcomes(body["data"].as_array().ok_or("no data")?))
}

async fn served_flight(flight: std::net::SocketAddr) -> Result<Served, String> {
    let rows = flight_sql_query(flight, "SELECT stream_id, startup_outcome FROM sessions")
        .await
        .map_err(|e| e.to_string())?;
    Ok(outcomes(&rows))
}

/// Waits until both surfaces show `expected`; returns how long that took.
async fn until_served(http: &str, flight: std::net::SocketAddr, expected: &Served) -> Duration {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    loop {
        let (h, f) = (served_http(http).await, served_flight(flight).await);
        if h.as_ref() == Ok(expected) && f.as_ref() == Ok(expected) {
            return started.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "not served within 60 s: expected {expected:?}\nHTTP {h:?}\nFlight SQL {f:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads both surfaces over and over; fails on any error or on a session that disappears or
/// goes back from success (sessions are only ever added and improved here).
fn spawn_reader(http: String, flight: std::net::SocketAddr, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        // Per surface: the HTTP cache may answer up to its documented staleness behind
        // Flight SQL, but neither surface ever goes back.
        let mut seen: [Served; 2] = [Served::new(), Served::new()];
        let mut reads = 0;
        while !stop.load(Ordering::Relaxed) {
            for (surface, served) in [served_http(&http).await, served_flight(flight).await]
                .into_iter()
                .enumerate()
            {
                let served = served.unwrap_or_else(|e| panic!("a read failed while the lake changed: {e}"));
                for (stream, outcome) in &seen[surface] {
                    let now = served.get(stream);
                    assert!(now.is_some(), "{stream} disappeared: {served:?}");
                    assert!(
                        !(outcome == "success" && now != Some(outcome)),
                        "{stream} went back from success to {now:?}"
                    );
                }
                seen[surface] = served;
                reads += 1;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        reads
    })
}

/// Runs the three processes over `lake` and checks every change reaches both surfaces.
pub(crate) async fn live_deployment(lake: &str, envs: &[(&str, &str)]) {
    let (mut ingest, line) = Process::spawn(
        lake,
        &["ingest", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"],
        envs,
        "accepting pushed events at",
    )
    .await;
    let push_url = line.rsplit(' ').next().unwrap().to_string();
    let (mut rollup, _) = Process::spawn(
        lake,
        // Periodic rollups every half second: they run on their own task beside the ticks.
        &[
            "rollup",
            "--follow",
            "--interval",
            "0.2",
            "--periodic-secs",
            "0.5",
            "--health-listen",
            "127.0.0.1:0",
        ],
        envs,
        "following the lake's change log",
    )
    .await;
    let naap = Naap::spawn_with(lake, &["serve"], envs).await;
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_reader(naap.http.clone(), naap.flight, Arc::clone(&stop));

    // 1. Five sessions in hour H: the first version of its gold partition. Session 0 is not
    //    yet playable.
    let mut events = session(0, HOUR + 60_000, false);
    for n in 1..5 {
        events.extend(session(n, HOUR + 60_000 * (n as i64 + 1), true));
    }
    push(&push_url, &events).await;
    let mut pushed = events.len();
    let mut expected: Served = (0..5)
        .map(|n| {
            (
                format!("stream-live-{n}"),
                if n == 0 { "failed" } else { "success" }.to_string(),
            )
        })
        .collect();
    let first = until_served(&naap.http, naap.flight, &expected).await;

    // 2. Five more in the same hour (the partition is replaced under the same name) and two
    //    in the next hour (a new partition).
    let mut events = Vec::new();
    for n in 5..10 {
        events.extend(session(n, HOUR + 60_000 * (n as i64 + 1), true));
    }
    for n in 10..12 {
        events.extend(session(n, HOUR + 3_600_000 + 60_000 * n as i64, true));
    }
    push(&push_url, &events).await;
    pushed += events.len();
    expected.extend((5..12).map(|n| (format!("stream-live-{n}"), "success".to_string())));
    let replaced = until_served(&naap.http, naap.flight, &expected).await;

    // 3. A late event changes the already served hour H: session 0 becomes playable.
    push(
        &push_url,
        &[trace(0, "gateway_receive_few_processed_segments", HOUR + 63_000)],
    )
    .await;
    pushed += 1;
    expected.insert("stream-live-0".into(), "success".into());
    let late = until_served(&naap.http, naap.flight, &expected).await;

    // 4. A late event of hour H again, after a pause in which nothing changed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    push(&push_url, &session(12, HOUR + 30 * 60_000, true)).await;
    pushed += 3;
    expected.insert("stream-live-12".into(), "success".into());
    let again = until_served(&naap.http, naap.flight, &expected).await;

    // 5. The periodic rollups (data quality here) follow too, on their own cadence.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = flight_sql_query(
            naap.flight,
            "SELECT CAST(sum(events) AS BIGINT) AS n FROM data_quality_hourly WHERE family = 'stream_trace'",
        )
        .await
        .unwrap();
        if rows[0]["n"].as_i64() == Some(pushed as i64) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "data quality counts {rows:?} of the {pushed} events pushed after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    stop.store(true, Ordering::Relaxed);
    let reads = reader.await.unwrap();
    assert!(reads > 20, "the reader read while the lake changed ({reads} reads)");
    assert!(
        ingest.is_running() && rollup.is_running(),
        "ingest and rollup keep running"
    );
    eprintln!(
        "visible after: first {first:?}, replaced partition {replaced:?}, late event {late:?}, \
         after a pause {again:?}; {reads} concurrent reads, no error"
    );
    naap.stop_with_ctrl_c().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_deployment_serves_every_change_on_local_disk() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    live_deployment(lake.to_str().unwrap(), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_deployment_serves_every_change_on_an_s3_store() {
    let Some(server) = crate::s3::S3Server::start("naap-live").await else {
        return;
    };
    let env = server.env();
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    live_deployment("s3://naap-live/lake", &envs).await;
}
