//! The predecessor's lifecycle rules (`prior-art.md` §1.4–1.6), through the ingest path with
//! envelopes as go-livepeer sends them: the real capture, with the one change each rule is
//! about.

use lakehouse_layout::{Dataset, Layer};
use serde_json::{Value, json};

use crate::CAPTURE;
use crate::support::{Naap, flight_sql_query, naap_ok};

/// The capture's `runner_send_first_processed_segment`, moved 2 s before the gateway's first
/// ingest (the runner's clock behind the gateway's), and every status sample's `start_time`
/// moved after playback began.
fn capture_with_inverted_edges() -> Vec<Value> {
    let mut capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let milestone = |capture: &[Value], subtype: &str| {
        capture
            .iter()
            .find(|r| r["value"]["type"] == "stream_trace" && r["value"]["data"]["type"] == subtype)
            .map(|r| r["value"]["data"]["timestamp"].as_i64().unwrap())
            .unwrap()
    };
    let ingest = milestone(&capture, "gateway_send_first_ingest_segment");
    let playable = milestone(&capture, "gateway_receive_few_processed_segments");
    for record in &mut capture {
        let envelope = &mut record["value"];
        if envelope["type"] == "stream_trace" && envelope["data"]["type"] == "runner_send_first_processed_segment" {
            envelope["data"]["timestamp"] = json!(ingest - 2_000);
        }
        if envelope["type"] == "ai_stream_status" {
            envelope["data"]["start_time"] = json!(playable + 1_000);
        }
    }
    capture
}

/// RULE-LIFECYCLE-002: a latency whose edges are missing or inverted is NULL. No gold table
/// and no public answer holds a negative latency: every latency column of every public gold
/// dataset is walked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inverted_edges_give_null_latencies_and_nothing_served_is_negative() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("inverted.json");
    std::fs::write(&capture, serde_json::to_vec(&capture_with_inverted_edges()).unwrap()).unwrap();
    let lake = dir.path().join("lake");
    let ingest = naap_ok(&lake, &["ingest", "--file", capture.to_str().unwrap()]);
    assert!(ingest.contains("65 accepted, 0 dead letters"), "{ingest}");
    naap_ok(&lake, &["rollup"]);
    let naap = Naap::spawn(&lake, &["serve"]).await;

    // Silver keeps the edges as sent: the inversion is real (−2,000 ms by subtraction).
    let edges = flight_sql_query(
        naap.flight,
        "SELECT subtype, CAST(event_ts AS BIGINT) AS at FROM stream_trace \
         WHERE subtype IN ('gateway_send_first_ingest_segment', 'runner_send_first_processed_segment') ORDER BY subtype",
    )
    .await
    .unwrap();
    let at = |i: usize| edges[i]["at"].as_i64().unwrap();
    assert!(at(1) < at(0), "{edges:?}");

    let sessions = flight_sql_query(
        naap.flight,
        "SELECT startup_latency_ms, e2e_latency_ms, prompt_to_first_frame_ms FROM sessions",
    )
    .await
    .unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    // The startup edges are in order (gateway clock): 2,655 ms as in the unchanged capture.
    assert_eq!(sessions[0]["startup_latency_ms"], json!(2655));
    assert!(
        sessions[0].get("e2e_latency_ms").is_none_or(Value::is_null),
        "{sessions:?}"
    );
    assert!(
        sessions[0].get("prompt_to_first_frame_ms").is_none_or(Value::is_null),
        "{sessions:?}"
    );

    let mut walked = 0;
    for dataset in Dataset::ALL
        .into_iter()
        .filter(|d| d.layer() == Layer::Gold && d.is_public())
    {
        for field in dataset.public_schema().fields() {
            let name = field.name();
            let latency = name.contains("latency") || name.contains("ptff") || name.contains("prompt_to_first_frame");
            if !latency || !field.data_type().is_numeric() {
                continue;
            }
            let sql = format!("SELECT count(*) AS negative FROM {dataset} WHERE {name} < 0");
            let rows = flight_sql_query(naap.flight, &sql).await.unwrap();
            assert_eq!(rows[0]["negative"], json!(0), "{dataset}.{name}");
            walked += 1;
        }
    }
    assert!(walked >= 8, "only {walked} latency columns found");
}
