//! `rollup --follow --alert-webhook`: the `incident` scenario's first four hours end inside
//! its outage (one orchestrator fails every start from 03:00 to 04:30), so a follower started
//! over them announces the firing alerts of that orchestrator, signed. It is stopped; the rest
//! of the day arrives while it is down, and the orchestrator recovers; a new follower
//! announces their resolution, and does not announce them as firing again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use lakehouse_layout::Lake;
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::{SimulateOptions, library, simulate_to_vec};
use serde_json::Value;

use crate::live::Process;

/// Each POST's signature header and body.
type Received = Arc<Mutex<Vec<(String, Bytes)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_that_start_and_stop_firing_are_posted_signed() {
    let scenario = library::load("incident").unwrap();
    let (lines, truth) = simulate_to_vec(&scenario, SimulateOptions::default()).unwrap();
    let incident = truth.incidents.iter().find(|i| i.startup_success == Some(0.0)).unwrap();
    let split = truth.start_ms + 4 * 3_600_000;
    // The envelope's timestamp: ms, as a string (as go-livepeer sends it) or a number.
    let time = |line: &String| {
        let envelope = serde_json::from_str::<Value>(line).ok()?;
        let t = &envelope["timestamp"];
        t.as_i64().or_else(|| t.as_str()?.parse().ok())
    };
    let (first, rest): (Vec<String>, Vec<String>) = lines.into_iter().partition(|l| time(l).is_none_or(|t| t < split));

    let dir = tempfile::tempdir().unwrap();
    let lake_dir = dir.path().join("lake");
    std::fs::create_dir_all(&lake_dir).unwrap();
    let lake = Lake::open(lake_dir.to_str().unwrap()).unwrap();
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
    pipeline::source::memory::ingest_messages(&ingestor, "first", 0, &first, 100_000)
        .await
        .unwrap();

    // The receiver: every POST with its signature header.
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(r): axum::extract::State<Received>, headers: HeaderMap, body: Bytes| async move {
                    let signature = headers["x-naap-signature-256"].to_str().unwrap().to_string();
                    r.lock().unwrap().push((signature, body));
                },
            ),
        )
        .with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "s3cret\n").unwrap();

    let args = [
        "rollup",
        "--follow",
        "--interval",
        "0.2",
        "--health-listen",
        "127.0.0.1:0",
        "--alert-webhook",
        &url,
        "--alert-webhook-secret-file",
        secret.to_str().unwrap(),
    ];
    let follow = || {
        Process::spawn(
            lake_dir.to_str().unwrap(),
            &args,
            &[],
            "following the lake's change log",
        )
    };
    let (rollup, _) = follow().await;
    let wait_for = |event: &'static str| {
        let received = Arc::clone(&received);
        let orchestrator = incident.orchestrator.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let got: Vec<Value> = received
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(signature, body)| {
                        // Signed with the secret, over the exact body.
                        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"s3cret");
                        let expected = hex::encode(ring::hmac::sign(&key, body).as_ref());
                        assert_eq!(signature, &format!("sha256={expected}"));
                        serde_json::from_slice::<Value>(body).unwrap()
                    })
                    .filter(|b| b["event"] == event && b["orchestrator_address"] == orchestrator.as_str())
                    .collect();
                if !got.is_empty() {
                    return got;
                }
                assert!(
                    Instant::now() < deadline,
                    "no {event} alert of {orchestrator} within 60 s"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let firing = wait_for("firing").await;
    assert!(!firing.is_empty(), "the outage's orchestrator fires");
    assert!(
        firing
            .iter()
            .all(|b| b["scope"] == "orchestrator" && b["objective"] == "live_startup_success")
    );

    // The follower stops; the rest of the day arrives meanwhile: the orchestrator recovers.
    rollup.stop_with_ctrl_c().await;
    let announced = received.lock().unwrap().len();
    pipeline::source::memory::ingest_messages(&ingestor, "rest", 0, &rest, 100_000)
        .await
        .unwrap();
    // A new follower catches up, and announces the resolution it missed, not the firing.
    let (rollup, _) = follow().await;
    let resolved = wait_for("resolved").await;
    assert!(!resolved.is_empty(), "its alerts resolve");
    let refired = received.lock().unwrap()[announced..]
        .iter()
        .map(|(_, body)| serde_json::from_slice::<Value>(body).unwrap())
        .filter(|b| b["event"] == "firing")
        .count();
    assert_eq!(refired, 0, "a restarted follower announced a firing alert again");
    rollup.stop_with_ctrl_c().await;
}
