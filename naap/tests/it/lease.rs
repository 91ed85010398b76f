//! One rollup writer: a second `naap rollup --follow` over the same lake waits for the
//! first's lease, and takes over when the first is killed with SIGKILL (no clean release);
//! while it follows, it serves its health and metrics, as a running collector and a running
//! ingest do.

use std::time::{Duration, Instant};

use lakehouse_layout::{Dataset, Lake};
use serde_json::json;

use crate::live::Process;
use crate::support::{http_get_text, naap_ok, sorted_rows, until_status};

/// 2026-01-08T21:00:00Z.
const HOUR: i64 = 1_767_906_000_000;

fn session(stream: &str, start: i64) -> String {
    [
        ("gateway_receive_stream_request", start),
        ("gateway_receive_first_processed_segment", start + 1_500),
        ("gateway_receive_few_processed_segments", start + 3_000),
    ]
    .iter()
    .map(|(subtype, ts)| {
        json!({"id": format!("{stream}-{subtype}"), "type": "stream_trace", "timestamp": ts.to_string(),
               "gateway": "gw-1", "data": {"type": subtype, "stream_id": stream, "request_id": format!("r-{stream}"),
               "timestamp": ts}})
        .to_string()
    })
    .collect::<Vec<_>>()
    .join("\n")
}

fn ingest(lake: &std::path::Path, name: &str, lines: &str) {
    let file = lake.parent().unwrap().join(format!("{name}.jsonl"));
    std::fs::write(&file, lines).unwrap();
    naap_ok(lake, &["ingest", "--file", file.to_str().unwrap()]);
}

async fn sessions(lake: &Lake) -> usize {
    sorted_rows(lake, Dataset::Sessions).await.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_writer_waits_and_takes_over_from_a_killed_one() {
    let dir = tempfile::tempdir().unwrap();
    let lake_dir = dir.path().join("lake");
    std::fs::create_dir_all(&lake_dir).unwrap();
    let lake_path = lake_dir.to_str().unwrap().to_string();
    let lake = Lake::open(&lake_path).unwrap();
    ingest(&lake_dir, "first", &session("stream-a", HOUR + 60_000));

    let follow = [
        "rollup",
        "--follow",
        "--interval",
        "0.2",
        "--lease-secs",
        "2",
        "--health-listen",
        "127.0.0.1:0",
    ];
    let (mut first, _) = Process::spawn(&lake_path, &follow, &[], "following the lake's change log").await;
    assert_eq!(sessions(&lake).await, 1, "the first writer computed the lake");
    let (mut second, _) = Process::spawn(&lake_path, &follow, &[], "waiting for the rollup lease held by").await;

    // While the first one lives and renews, the second one only waits.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(second.is_running());
    first.kill_9().await;
    let killed = Instant::now();
    second.wait_for("rollup lease acquired", Duration::from_secs(30)).await;
    second
        .wait_for("following the lake's change log", Duration::from_secs(60))
        .await;
    let took_over = killed.elapsed();

    // The new writer follows the lake: a new session reaches gold.
    ingest(&lake_dir, "second", &session("stream-b", HOUR + 120_000));
    let deadline = Instant::now() + Duration::from_secs(60);
    while sessions(&lake).await != 2 {
        assert!(
            Instant::now() < deadline,
            "the new writer did not compute the new session"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("took over {took_over:?} after the kill");
    assert!(second.is_running());
}

/// `rollup --follow` reports its health as it runs: live while ticks complete, ready while
/// the lake answers and it holds the lease, and its ticks counted in `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_following_rollup_serves_its_health_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let lake_dir = dir.path().join("lake");
    std::fs::create_dir_all(&lake_dir).unwrap();
    ingest(&lake_dir, "first", &session("stream-a", HOUR + 60_000));
    let args = [
        "rollup",
        "--follow",
        "--interval",
        "0.2",
        "--health-listen",
        "127.0.0.1:0",
    ];
    let (rollup, line) = Process::spawn(lake_dir.to_str().unwrap(), &args, &[], "health at http://").await;
    let base = health_base(&line);
    assert_eq!(http_get_text(&base, "/healthz").await.0, 200);
    assert_eq!(http_get_text(&base, "/readyz").await.0, 200);
    // Ticks are counted as they complete.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, text) = http_get_text(&base, "/metrics").await;
        assert_eq!(status, 200);
        let rounds = counter(&text, "naap_rollup_rounds_total");
        if rounds >= 3 {
            assert!(text.contains("naap_rollup_allowed 1\n"), "{text}");
            break;
        }
        assert!(Instant::now() < deadline, "fewer than 3 ticks in 30 s: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    rollup.stop_with_ctrl_c().await;
}

/// `collect` reports its progress too: every completed poll counts, a failing target's
/// included (it is data), and `/healthz` stays live while polls complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_collector_serves_its_health_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let lake_dir = dir.path().join("lake");
    std::fs::create_dir_all(&lake_dir).unwrap();
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let args = [
        "collect",
        "--metrics",
        &dead,
        "--interval-secs",
        "1",
        "--health-listen",
        "127.0.0.1:0",
    ];
    let (collect, line) = Process::spawn(lake_dir.to_str().unwrap(), &args, &[], "health at http://").await;
    let base = health_base(&line);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = http_get_text(&base, "/metrics").await.1;
        let polls = counter(&text, "naap_collect_rounds_total");
        if polls >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "fewer than 2 polls in 30 s: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(http_get_text(&base, "/healthz").await.0, 200);
    assert_eq!(http_get_text(&base, "/readyz").await.0, 200);
    collect.stop_with_ctrl_c().await;
}

/// `ingest` serves `/healthz` and `/readyz` beside its `/metrics`: a push listener over a
/// lake that answers is live and ready; a Kafka consumer is ready only once a broker is up
/// (a broker in this process), and not while none answers, though it stays live: it keeps
/// going round, waiting for the brokers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_ingest_is_ready_only_when_its_sources_and_the_lake_answer() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    std::fs::create_dir_all(&lake).unwrap();
    let lake = lake.to_str().unwrap();
    let metrics_base = |line: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|w| w.strip_suffix("/metrics,"))
            .map(|addr| format!("http://{addr}"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
    };
    let push = ["ingest", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"];
    let (ingest, line) = Process::spawn(lake, &push, &[], "metrics at http://").await;
    let base = metrics_base(&line);
    assert_eq!(http_get_text(&base, "/healthz").await.0, 200);
    assert_eq!(http_get_text(&base, "/readyz").await.0, 200);
    ingest.stop_with_ctrl_c().await;

    // Nothing listens where the consumer looks for its brokers.
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let kafka = |brokers: String| {
        [
            "ingest",
            "--kafka-brokers",
            &brokers,
            "--kafka-topics",
            "streaming_events",
            "--kafka-flush-ms",
            "200",
            "--metrics-listen",
            "127.0.0.1:0",
        ]
        .map(String::from)
    };
    let args = kafka(nowhere.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ingest, line) = Process::spawn(lake, &args, &[], "metrics at http://").await;
    let base = metrics_base(&line);
    let body = until_status(&base, "/readyz", 503).await;
    assert!(body.contains("Kafka"), "{body}");
    // Once the client has tried its brokers, it says none is up.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !http_get_text(&base, "/readyz")
        .await
        .1
        .contains("no Kafka broker is up")
    {
        assert!(Instant::now() < deadline, "no statistics after 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        http_get_text(&base, "/healthz").await.0,
        200,
        "waiting for brokers is not a stall"
    );
    assert!(
        http_get_text(&base, "/metrics")
            .await
            .1
            .contains("naap_kafka_brokers_up 0\n")
    );
    ingest.stop_with_ctrl_c().await;

    let cluster = rdkafka::mocking::MockCluster::new(1).unwrap();
    cluster.create_topic("streaming_events", 1, 1).unwrap();
    let args = kafka(cluster.bootstrap_servers());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ingest, line) = Process::spawn(lake, &args, &[], "metrics at http://").await;
    let base = metrics_base(&line);
    until_status(&base, "/readyz", 200).await;
    assert_eq!(http_get_text(&base, "/healthz").await.0, 200);
    ingest.stop_with_ctrl_c().await;
}

/// The health server's base URL, from the line a command prints when it starts it.
fn health_base(line: &str) -> String {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|w| w.strip_suffix("/healthz,"))
        .map(|addr| format!("http://{addr}"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
}

/// The value of the unlabelled counter `name` in a Prometheus text exposition.
fn counter(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")).and_then(|v| v.parse().ok()))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}
