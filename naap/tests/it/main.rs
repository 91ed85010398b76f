//! End-to-end tests of the `naap` binary: the real process, real ports, the real lake on
//! disk, queried through HTTP and through `arrow-flight`'s Flight SQL client.

mod compact;
mod golden;
mod ground_truth;
mod kafka_tls;
mod lease;
mod lifecycle;
mod live;
mod privacy;
mod reprocess;
mod retention;
mod s3;
mod scenario;
mod security;
mod slo;
mod snapshot;
mod supply;
mod support;
mod webhook;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use support::{Naap, flight_sql_prepared_query, flight_sql_query, http_get, naap_ok};

const CAPTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../pipeline/tests/data/livepeer/stream-events-capture-2026-01-08.json"
);

/// The ORDER BY the rows endpoint uses (all file columns), so both surfaces list rows alike.
const ROLLUP_SQL: &str = "SELECT * FROM orchestrator_sessions_hourly ORDER BY window_start, orchestrator_address, \
     orchestrator_url, model_id, org, traffic_class, sessions, status_samples, avg_output_fps";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_the_same_rollup_rows_over_http_and_flight_sql() {
    let lake = tempfile::tempdir().unwrap();
    let start_ms: i64 = 1_767_895_200_000; // 2026-01-08T18:00:00Z
    let naap = Naap::spawn(
        lake.path(),
        &["demo", "--seed", "7", "--hours", "3", "--start", "2026-01-08T18:00:00Z"],
    )
    .await;

    assert_eq!(http_get(&naap.http, "/healthz").await.1["status"], "ok");
    let (status, body) = http_get(&naap.http, "/v1/datasets/orchestrator_sessions_hourly/rows?limit=1000").await;
    assert_eq!(status, 200, "{body}");
    let http_rows = body["data"].as_array().unwrap().clone();
    assert!(!http_rows.is_empty());

    // The same rows through Flight SQL, as a statement and as a prepared statement.
    let flight_rows = flight_sql_query(naap.flight, ROLLUP_SQL).await.unwrap();
    assert_eq!(flight_rows, http_rows);
    let prepared_rows = flight_sql_prepared_query(naap.flight, ROLLUP_SQL).await.unwrap();
    assert_eq!(prepared_rows, http_rows);

    // The rollup agrees with the simulator's own events, counted here independently: distinct
    // streams and status samples per hour and orchestrator.
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(7),
        start_ms: Some(start_ms),
        hours: Some(3),
    };
    let (lines, _) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    let events: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut expected: BTreeMap<(i64, String), (std::collections::BTreeSet<String>, i64)> = BTreeMap::new();
    for e in events
        .iter()
        .filter(|e| e["type"] == "ai_stream_status")
        .map(|e| &e["data"])
    {
        let hour = e["timestamp"].as_i64().unwrap() / 3_600_000 * 3_600_000;
        let entry = expected
            .entry((hour, e["orchestrator_info"]["address"].as_str().unwrap().to_string()))
            .or_default();
        entry.0.insert(e["stream_id"].as_str().unwrap().to_string());
        entry.1 += 1;
    }
    let mut actual: BTreeMap<(i64, String), (usize, i64)> = BTreeMap::new();
    for row in &http_rows {
        let hour = chrono::DateTime::parse_from_rfc3339(row["window_start"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();
        // One row per model an orchestrator served that hour: a stream has one model, so
        // the rows add up.
        let entry = actual
            .entry((hour, row["orchestrator_address"].as_str().unwrap().to_string()))
            .or_default();
        entry.0 += row["sessions"].as_u64().unwrap() as usize;
        entry.1 += row["status_samples"].as_i64().unwrap();
    }
    let expected: BTreeMap<_, _> = expected.into_iter().map(|(k, (s, n))| (k, (s.len(), n))).collect();
    assert_eq!(actual, expected);

    // Nothing from outside can write: DDL, DML, COPY and SET are refused with PermissionDenied.
    for statement in [
        "CREATE TABLE x AS SELECT 1",
        "CREATE EXTERNAL TABLE x STORED AS PARQUET LOCATION '/etc/'",
        "INSERT INTO orchestrator_sessions_hourly SELECT * FROM orchestrator_sessions_hourly",
        "COPY (SELECT 1) TO '/tmp/naap-escape.parquet'",
        "SET datafusion.execution.batch_size = 1",
        "DROP TABLE orchestrator_sessions_hourly",
    ] {
        let error = flight_sql_query(naap.flight, statement).await.unwrap_err();
        assert_eq!(error.code(), tonic::Code::PermissionDenied, "{statement}: {error}");
    }
    // A bad query is the client's fault, with the message saying why.
    let error = flight_sql_query(naap.flight, "SELECT nope FROM orchestrator_sessions_hourly")
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument, "{error}");
    // Bronze is not public.
    let error = flight_sql_query(naap.flight, "SELECT * FROM events").await.unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument, "{error}");

    // The demo's collectors polled its simulated gateway: every endpoint answered.
    let (status, body) = http_get(&naap.http, "/v1/collectors").await;
    assert_eq!(status, 200, "{body}");
    let mut endpoints: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(
                (row["polls"].as_i64(), row["successes"].as_i64()),
                (Some(1), Some(1)),
                "{row}"
            );
            row["endpoint"].as_str().unwrap()
        })
        .collect();
    endpoints.sort();
    assert_eq!(endpoints, ["metrics", "network_capabilities", "orchestrator_registry"]);

    naap.stop_with_ctrl_c().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_once_polls_every_target_and_reports_failures() {
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        hours: Some(1),
        ..Default::default()
    };
    let (lines, _) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    let endpoints = scenarios::nodes::NodeEndpoints::from_events(&lines, None).unwrap();
    let orchestrators = serde_json::from_str::<Value>(&endpoints.capabilities).unwrap()["orchestrators"]
        .as_array()
        .unwrap()
        .len();
    let server = scenarios::nodes::NodeServer::start("127.0.0.1:0".parse().unwrap(), endpoints)
        .await
        .unwrap();
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let lake = tempfile::tempdir().unwrap();
    let url = server.url();
    let args = [
        "collect",
        "--once",
        "--gateway",
        &url,
        "--metrics",
        &url,
        "--metrics",
        &dead,
    ];
    let stdout = tokio::task::spawn_blocking({
        let lake = lake.path().to_path_buf();
        let args = args.map(String::from);
        move || naap_ok(&lake, &args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let port = dead.rsplit(':').next().unwrap();
    assert!(
        stdout.contains(&format!("poll 127.0.0.1-{port}-metrics: connect_error 1")),
        "{stdout}"
    );
    assert_eq!(stdout.matches(": ok 1").count(), 3, "{stdout}");
    // Capability reports land in the same silver table as Kafka's, and the registry in its
    // own: one row per orchestrator each.
    for dataset in ["capability_orchestrators", "orchestrator_registry"] {
        let manifest: Value = serde_json::from_str(&naap_ok(lake.path(), &["manifest", "--dataset", dataset])).unwrap();
        assert_eq!(manifest["total_rows"].as_u64(), Some(orchestrators as u64), "{dataset}");
    }

    // Nothing to poll, or a config with a typo: a precise error, not a silent run.
    let output = support::naap(lake.path(), &["collect", "--once"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no targets"));
    let config = lake.path().join("collect.toml");
    std::fs::write(&config, "gateway = [\"http://gw:7935\"]\n").unwrap();
    let output = support::naap(
        lake.path(),
        &["collect", "--once", "--config", config.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("unknown field `gateway`"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_capture_flows_from_file_to_http_and_flight_sql() {
    let lake = tempfile::tempdir().unwrap();
    let ingest = naap_ok(lake.path(), &["ingest", "--file", CAPTURE]);
    assert!(
        ingest.contains("ingested 65 messages: 65 accepted, 0 dead letters"),
        "{ingest}"
    );
    let rollup = naap_ok(lake.path(), &["rollup"]);
    assert!(
        rollup
            .contains("orchestrator_sessions_hourly: 1 rows in 1 partitions (0 stale partitions removed; all windows)"),
        "{rollup}"
    );

    // Expected values, computed here from the capture itself: its 17 status samples all fall in
    // 2026-01-08 21:00 UTC and name the signing key 0x52cf…5954.
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let samples: Vec<&Value> = capture
        .iter()
        .map(|record| &record["value"])
        .filter(|envelope| envelope["type"] == "ai_stream_status")
        .collect();
    assert_eq!(samples.len(), 17);
    let fps: Vec<f64> = samples
        .iter()
        .map(|s| s["data"]["inference_status"]["fps"].as_f64().unwrap())
        .collect();
    let mean = fps.iter().sum::<f64>() / fps.len() as f64;

    let naap = Naap::spawn(lake.path(), &["serve"]).await;
    let (status, body) = http_get(&naap.http, "/v1/datasets/orchestrator_sessions_hourly/rows").await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    let row = &rows[0];
    assert_eq!(row["window_start"], "2026-01-08T21:00:00Z");
    assert_eq!(
        row["orchestrator_address"],
        "0x52cf2968b3dc6016778742d3539449a6597d5954"
    );
    assert_eq!(row["orchestrator_url"], "https://rtav-orch2.xodeapp.xyz:28935");
    assert_eq!(row["model_id"], "streamdiffusion-sdxl-faceid");
    assert_eq!(row["sessions"], 1);
    assert_eq!(row["status_samples"], 17);
    let served_mean = row["avg_output_fps"].as_f64().unwrap();
    assert!((served_mean - mean).abs() < 1e-6, "{served_mean} vs {mean}");

    let flight_rows = flight_sql_query(naap.flight, ROLLUP_SQL).await.unwrap();
    assert_eq!(&flight_rows, rows);

    // Silver holds every milestone of the capture, typed.
    let milestones = flight_sql_query(
        naap.flight,
        "SELECT subtype, orchestrator_address FROM stream_trace ORDER BY event_ts, subtype",
    )
    .await
    .unwrap();
    let subtypes: Vec<&str> = milestones.iter().map(|r| r["subtype"].as_str().unwrap()).collect();
    assert_eq!(
        subtypes,
        [
            "gateway_receive_stream_request",
            "gateway_send_first_ingest_segment",
            "runner_receive_first_ingest_segment",
            "runner_send_first_processed_segment",
            "gateway_receive_first_processed_segment",
            "gateway_receive_few_processed_segments",
        ]
    );
    // The request carries no orchestrator: NULL, not "".
    assert!(milestones[0].get("orchestrator_address").is_none_or(Value::is_null));

    // The capture's one session, from gold `sessions`. Expected values, by hand from the
    // payload timestamps of the capture (silver event time is the payload's `timestamp`):
    //   gateway_receive_stream_request          1767908945298
    //   gateway_send_first_ingest_segment       1767908947583
    //   runner_send_first_processed_segment     1767908947688  (envelope 1767908947689)
    //   gateway_receive_first_processed_segment 1767908947953
    //   gateway_receive_few_processed_segments  1767908952042
    //   ai_stream_status start_time             1767908945607; last sample 1767909115608
    //   startup latency  = 947953 − 945298 = 2655 ms
    //   E2E latency      = 947688 − 947583 =  105 ms
    //   prompt to first frame = 952042 − 945607 = 6435 ms
    //   duration         = 1767909115608 − 1767908945298 = 170.310 s
    //   17 samples: 16 ONLINE, 1 DEGRADED_INFERENCE (9.79 fps at 1767909075608), no restart;
    //   fps sum 271.999176, mean 15.999952, median (9th of 17) 16.983902,
    //   population stddev / mean = 0.116319.
    // The signing key 0x52cf…5954 resolves to the on-chain 0xd003…3c7f through the capture's
    // one network_capabilities report (76 s after the start, within the 30 min look-ahead).
    let sessions = flight_sql_query(naap.flight, "SELECT * FROM sessions").await.unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let session = &sessions[0];
    let expect = [
        ("session_id", json!("stream-o5s73x-mk5zc8fy|db936fab")),
        (
            "orchestrator_address",
            json!("0xd00354656922168815fcd1e51cbddb9e359e3c7f"),
        ),
        (
            "orchestrator_signer",
            json!("0x52cf2968b3dc6016778742d3539449a6597d5954"),
        ),
        ("attribution", json!("resolved")),
        ("model_id", json!("streamdiffusion-sdxl-faceid")),
        ("startup_outcome", json!("success")),
        ("swap_count", json!(0)),
        ("restart_count", json!(0)),
        ("loading_only", json!(false)),
        ("zero_output_fps", json!(false)),
        ("startup_latency_ms", json!(2655)),
        ("e2e_latency_ms", json!(105)),
        ("prompt_to_first_frame_ms", json!(6435)),
        ("status_samples", json!(17)),
        ("online_samples", json!(16)),
        ("degraded_samples", json!(1)),
        ("loading_samples", json!(0)),
        ("error_samples", json!(0)),
        ("health_signals", json!(3)),
    ];
    for (column, value) in expect {
        assert_eq!(session[column], value, "sessions.{column}");
    }
    for (column, value) in [
        ("avg_output_fps", 15.999952),
        ("p50_output_fps", 16.983902),
        ("fps_jitter", 0.116319),
        ("duration_s", 170.31),
    ] {
        let served = session[column].as_f64().unwrap();
        assert!((served - value).abs() < 1e-6, "sessions.{column}: {served} vs {value}");
    }
    assert!(
        (mean - 15.999952).abs() < 1e-6,
        "the hand-computed mean matches the capture"
    );

    // Its payments: 2 tickets of 2402400000000000 wei at 0.000999001, 1 more at the same
    // terms, then 4 single tickets of 2400000000000000 wei at 0.001:
    // 3 × 2,400,000,002,400 + 4 × 2,400,000,000,000 = 16,800,000,007,200 wei expected value.
    let paid = flight_sql_query(
        naap.flight,
        "SELECT CAST(sum(total_expected_value_wei) AS VARCHAR) AS ev, sum(num_tickets) AS tickets FROM payments",
    )
    .await
    .unwrap();
    assert_eq!(paid[0]["tickets"], 7);
    assert_eq!(paid[0]["ev"], "16800000007200.0000000000");
    // All six are the session's: the first by its request id, the five later ones (empty
    // request id) by their auth session id 01b55632 and recipient.
    let fees = flight_sql_query(
        naap.flight,
        "SELECT payments, tickets, CAST(expected_value_wei AS VARCHAR) AS ev, payment_link, payment_session_id FROM sessions",
    )
    .await
    .unwrap();
    assert_eq!(
        fees[0],
        json!({"payments": 6, "tickets": 7, "ev": "16800000007200.0000000000",
               "payment_link": "session_id", "payment_session_id": "01b55632"})
    );

    // sla_hourly: one requested, successful session; no benchmark yet (fewer than 48 rows),
    // so quality is neutral (0.5) and v1 = 100 · 1 · (0.7 · 1 + 0.3 · 0.5) = 85.
    let sla = flight_sql_query(
        naap.flight,
        "SELECT requested_sessions, sla_score_v1, naap_score_sessions FROM sla_hourly",
    )
    .await
    .unwrap();
    assert_eq!(sla.len(), 1, "{sla:?}");
    assert_eq!(sla[0]["requested_sessions"], 1);
    assert_eq!(sla[0]["sla_score_v1"], 85.0);
    assert_eq!(sla[0]["naap_score_sessions"], 1);

    // Replaying the same file again rewrites the same objects: still one session, 17 samples.
    naap_ok(lake.path(), &["ingest", "--file", CAPTURE]);
    let again = flight_sql_query(naap.flight, "SELECT count(*) AS n FROM ai_stream_status")
        .await
        .unwrap();
    assert_eq!(again[0]["n"], 17);

    naap.stop_with_ctrl_c().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollups_recompute_only_windows_that_late_events_touch() {
    let lake = tempfile::tempdir().unwrap();
    naap_ok(lake.path(), &["ingest", "--file", CAPTURE]);
    let first = naap_ok(lake.path(), &["rollup"]);
    assert!(
        first.contains("sessions: 1 rows in 1 partitions (0 stale partitions removed; all windows)"),
        "{first}"
    );
    let again = naap_ok(lake.path(), &["rollup"]);
    assert!(again.contains("rollups: up to date"), "{again}");

    // A late status sample of the capture's session (1767909125608 = 21:52:05.608 UTC, ten
    // seconds after its last one).
    let late = lake.path().join("late.jsonl");
    let status = r#"{"id":"late-status-1","type":"ai_stream_status","timestamp":"1767909125608","gateway":"","data":{"type":"status","timestamp":1767909125608,"stream_id":"stream-o5s73x-mk5zc8fy","request_id":"db936fab","pipeline":"streamdiffusion-sdxl-faceid","orchestrator_info":{"address":"0x52cf2968b3dc6016778742d3539449a6597d5954","url":"https://rtav-orch2.xodeapp.xyz:28935"},"state":"ONLINE","start_time":1767908945607,"input_status":{"fps":30.0},"inference_status":{"fps":20.0,"restart_count":0}}}"#;
    std::fs::write(&late, format!("{status}\n")).unwrap();
    naap_ok(lake.path(), &["ingest", "--file", late.to_str().unwrap()]);
    let incremental = naap_ok(lake.path(), &["rollup"]);
    // The late sample belongs to a session that began at 21:49: sessions are recomputed
    // from the hour it began (no capability report changed, which would reach 30 minutes
    // further back), not a whole day back, to an hour past it.
    assert!(
        incremental.contains(
            "sessions: 1 rows in 1 partitions (0 stale partitions removed; 2026-01-08T21:00Z to 2026-01-08T23:00Z)"
        ),
        "{incremental}"
    );
    assert!(
        !incremental.contains("prices:"),
        "prices read no changed input: {incremental}"
    );

    // The incremental result equals a full recomputation.
    let naap = Naap::spawn(lake.path(), &["serve"]).await;
    let query = "SELECT session_id, status_samples, avg_output_fps, ended_at FROM sessions";
    let incremental_rows = flight_sql_query(naap.flight, query).await.unwrap();
    assert_eq!(incremental_rows[0]["status_samples"], 18);
    naap.stop_with_ctrl_c().await;
    // New configuration (a gateway region) recomputes every window, like --full.
    let reconfigured = naap_ok(lake.path(), &["rollup", "--gateway-region", "gw1.example.com=eu-west"]);
    assert!(
        reconfigured.contains("sessions: 1 rows in 1 partitions (0 stale partitions removed; all windows)"),
        "{reconfigured}"
    );
    let full = naap_ok(lake.path(), &["rollup", "--full"]);
    assert!(full.contains("all windows"), "{full}");
    let naap = Naap::spawn(lake.path(), &["serve"]).await;
    assert_eq!(flight_sql_query(naap.flight, query).await.unwrap(), incremental_rows);
    naap.stop_with_ctrl_c().await;

    // A sample of the same stream two hours later (23:30): the session began at 21:49, so
    // the recomputation reaches back to 21:00, found from the data, not to 22:00 alone.
    let later = status
        .replace("late-status-1", "late-status-2")
        .replace("1767909125608", "1767915000000");
    std::fs::write(&late, format!("{later}\n")).unwrap();
    naap_ok(lake.path(), &["ingest", "--file", late.to_str().unwrap()]);
    // (Same configuration as the last run, `--full` without a gateway region.)
    let reached = naap_ok(lake.path(), &["rollup"]);
    assert!(
        reached.contains(
            "sessions: 1 rows in 1 partitions (0 stale partitions removed; 2026-01-08T21:00Z to 2026-01-09T01:00Z)"
        ),
        "{reached}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_consumes_kafka_until_ctrl_c_and_commits() {
    use rdkafka::ClientConfig;
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

    // A Kafka-protocol broker in this process; the naap process connects to it over TCP.
    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic("streaming_events", 2, 1).unwrap();
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", cluster.bootstrap_servers())
        .create()
        .unwrap();
    for record in &capture {
        let envelope = record["value"].to_string();
        let id = record["value"]["id"].as_str().unwrap().to_string();
        producer
            .send(BaseRecord::to("streaming_events").key(&id).payload(&envelope))
            .unwrap();
    }
    producer.flush(std::time::Duration::from_secs(10)).unwrap();

    let lake = tempfile::tempdir().unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_naap"))
        .arg("--lake")
        .arg(lake.path())
        .args(["ingest", "--kafka-brokers", &cluster.bootstrap_servers()])
        .args([
            "--kafka-topics",
            "streaming_events",
            "--kafka-group",
            "it",
            "--kafka-flush-ms",
            "200",
        ])
        .args(["--metrics-listen", "127.0.0.1:0"])
        .args([
            "--kafka-property",
            "session.timeout.ms=3000",
            "--kafka-property",
            "heartbeat.interval.ms=300",
        ])
        .env("NAAP_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Wait until all 65 messages are in bronze, then stop with Ctrl-C.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let lake_handle = lakehouse_layout::Lake::open(lake.path().to_str().unwrap()).unwrap();
    loop {
        let files = lake_handle.list_files(lakehouse_layout::Dataset::Events).await.unwrap();
        let mut rows = 0;
        for (_, meta) in &files {
            let bytes = lake_handle.get(&meta.location).await.unwrap();
            rows += lakehouse_layout::describe_file(meta.location.as_ref(), bytes)
                .unwrap()
                .rows;
        }
        if rows == 65 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {rows} of 65 messages arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let pid = child.id().unwrap();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let output = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("naap ingest stops after Ctrl-C")
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ingested 65 messages: 65 accepted, 0 dead letters"),
        "{stdout}"
    );
    // Every range was committed: no intent is left.
    for partition in 0..2 {
        let intents = lake_handle
            .list_intents(lakehouse_layout::SourceKind::Kafka, "streaming_events", partition)
            .await
            .unwrap();
        assert!(intents.is_empty(), "{intents:?}");
    }
    std::mem::forget(producer);
}
