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

/// RULE-INGEST-003: `app_*` trace subtypes (client applications' own events) are kept in
/// silver as sent and reach no session, minute or score: the capture with two of them added
/// (one on the capture's stream after its last sample, one on a stream of its own) gives the
/// gold rows of the capture alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_trace_subtypes_reach_no_gold_row() {
    let dir = tempfile::tempdir().unwrap();
    let original: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let last_ms = original
        .iter()
        .map(|r| r["value"]["timestamp"].as_str().unwrap().parse::<i64>().unwrap())
        .max()
        .unwrap();
    let mut capture = original.clone();
    for (i, (subtype, stream, request)) in [
        ("app_stream_ended", "stream-o5s73x-mk5zc8fy", "db936fab"),
        ("app_send_stream_request", "stream-app-only", "a1"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = last_ms + 60_000 * (i as i64 + 1);
        let mut record = original[0].clone();
        record["value"] = json!({
            "id": format!("app-{i}"), "type": "stream_trace", "timestamp": at.to_string(), "gateway": "",
            "data": {"type": subtype, "stream_id": stream, "request_id": request, "timestamp": at,
                     "pipeline_id": "", "orchestrator_info": {"address": "", "url": ""}}
        });
        capture.push(record);
    }
    let with_app = dir.path().join("with-app.json");
    std::fs::write(&with_app, serde_json::to_vec(&capture).unwrap()).unwrap();

    let mut answers = Vec::new();
    for (name, file) in [("alone", CAPTURE), ("with-app", with_app.to_str().unwrap())] {
        let lake = dir.path().join(name);
        naap_ok(&lake, &["ingest", "--file", file]);
        naap_ok(&lake, &["rollup"]);
        let naap = Naap::spawn(&lake, &["serve"]).await;
        let traces = flight_sql_query(naap.flight, "SELECT count(*) AS n FROM stream_trace")
            .await
            .unwrap();
        let mut gold = vec![traces[0]["n"].clone()];
        for sql in [
            "SELECT session_id, duration_s, startup_outcome FROM sessions ORDER BY session_id",
            "SELECT window_start, requested_sessions, session_minutes FROM sla_hourly ORDER BY window_start",
            "SELECT window_start, pipeline, sessions_requested, sessions_served, live_minutes FROM demand_hourly ORDER BY window_start, pipeline",
        ] {
            gold.push(json!(flight_sql_query(naap.flight, sql).await.unwrap()));
        }
        answers.push(gold);
    }
    let (alone, with_app) = (&answers[0], &answers[1]);
    // Silver holds the two app events as sent…
    assert_eq!(with_app[0].as_i64().unwrap(), alone[0].as_i64().unwrap() + 2);
    // …and no gold row changes: still one session, the same minutes.
    assert_eq!(with_app[1].as_array().unwrap().len(), 1, "{with_app:?}");
    assert_eq!(&with_app[1..], &alone[1..]);
}

/// A stream's later payments carry no request id, only its auth session id: one that arrives
/// after the session's hour was computed (here two hours after the stream, in a partition of
/// its own) is still linked, and the incremental rollup recomputes the session's hour for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_payment_without_request_id_reaches_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let is_payment = |r: &Value| r["value"]["type"] == "create_new_payment";
    let last_payment = capture.iter().rposition(is_payment).unwrap();
    assert_eq!(capture[last_payment]["value"]["data"]["requestID"], "");
    let mut late = capture[last_payment].clone();
    let at = late["value"]["timestamp"].as_str().unwrap().parse::<i64>().unwrap() + 2 * 3_600_000;
    late["value"]["timestamp"] = json!(at.to_string());
    let first: Vec<Value> = capture
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != last_payment)
        .map(|(_, r)| r.clone())
        .collect();
    let (early_file, late_file) = (dir.path().join("early.json"), dir.path().join("late.json"));
    std::fs::write(&early_file, serde_json::to_vec(&first).unwrap()).unwrap();
    std::fs::write(&late_file, serde_json::to_vec(&[late]).unwrap()).unwrap();

    let lake = dir.path().join("lake");
    let payments = |lake: &std::path::Path| {
        let lake = lake.to_path_buf();
        async move {
            let naap = Naap::spawn(&lake, &["serve"]).await;
            let rows = flight_sql_query(naap.flight, "SELECT payments, tickets FROM sessions")
                .await
                .unwrap();
            (rows[0]["payments"].clone(), rows[0]["tickets"].clone())
        }
    };
    naap_ok(&lake, &["ingest", "--file", early_file.to_str().unwrap()]);
    naap_ok(&lake, &["rollup"]);
    assert_eq!(payments(&lake).await, (json!(5), json!(6)));
    naap_ok(&lake, &["ingest", "--file", late_file.to_str().unwrap()]);
    let rollup = naap_ok(&lake, &["rollup"]);
    assert_eq!(payments(&lake).await, (json!(6), json!(7)), "{rollup}");
}

/// Source identity: the real capture names no gateway (`gateway: ""` in all 65 envelopes); the
/// source's configuration gives its org and gateway, and the gateway's configured region
/// follows into sessions and SLA rows; data quality is reported per org. Without the
/// configuration they stay NULL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_capture_takes_org_gateway_and_region_from_its_source() {
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    assert!(capture.iter().all(|r| r["value"]["gateway"] == ""));
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for (name, identity) in [
        (
            "configured",
            Some("stream-events-capture-2026-01-08=cloudspe/cloudspe-gw-1"),
        ),
        ("bare", None),
    ] {
        let lake = dir.path().join(name);
        let mut args = vec!["ingest", "--file", CAPTURE];
        if let Some(identity) = identity {
            args.extend(["--source-identity", identity]);
        }
        naap_ok(&lake, &args);
        naap_ok(&lake, &["rollup", "--gateway-region", "cloudspe-gw-1=us-east"]);
        let naap = Naap::spawn(&lake, &["serve"]).await;
        let silver = flight_sql_query(
            naap.flight,
            "SELECT DISTINCT org, gateway FROM stream_trace UNION SELECT DISTINCT org, gateway FROM payments",
        )
        .await
        .unwrap();
        let session = flight_sql_query(naap.flight, "SELECT org, gateway, region FROM sessions")
            .await
            .unwrap();
        let sla = flight_sql_query(naap.flight, "SELECT gateway, region FROM sla_hourly")
            .await
            .unwrap();
        // Bronze keeps the source's org beside its position, so data quality is per org.
        let quality = flight_sql_query(naap.flight, "SELECT DISTINCT org FROM data_quality_hourly")
            .await
            .unwrap();
        seen.push((silver, session, sla, quality));
    }
    let null = |v: &Value, k: &str| v.get(k).is_none_or(Value::is_null);
    let (silver, session, sla, quality) = &seen[0];
    assert_eq!(quality, &vec![json!({"org": "cloudspe"})]);
    assert_eq!(silver, &vec![json!({"org": "cloudspe", "gateway": "cloudspe-gw-1"})]);
    assert_eq!(
        session,
        &vec![json!({"org": "cloudspe", "gateway": "cloudspe-gw-1", "region": "us-east"})]
    );
    assert_eq!(sla, &vec![json!({"gateway": "cloudspe-gw-1", "region": "us-east"})]);
    let (silver, session, sla, quality) = &seen[1];
    assert!(quality.len() == 1 && null(&quality[0], "org"), "{quality:?}");
    assert!(
        silver.iter().all(|r| null(r, "org") && null(r, "gateway")),
        "{silver:?}"
    );
    assert!(null(&session[0], "org") && null(&session[0], "region"), "{session:?}");
    assert!(null(&sla[0], "gateway") && null(&sla[0], "region"), "{sla:?}");
}
