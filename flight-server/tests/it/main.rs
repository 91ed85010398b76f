//! The `/v1` HTTP API over a lake built from the `demo` scenario (simulated, ingested and
//! rolled up in-process): strict validation, SLA rows and their day roll-up, pagination, the
//! leaderboard with "no data" rows, the OpenAPI document in sync with the router, and
//! snapshots of the JSON.

use std::time::Duration;

use arrow::array::Array;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flight_server::http::{AppState, router};
use lakehouse_layout::Lake;
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::{SimulateOptions, library, simulate_to_vec};
use serde_json::Value;
use sql::rollup::ReferenceData;
use sql::{Profile, QueryEngine, QueryLimits, RollupOptions};
use tokio::sync::OnceCell;
use tower::ServiceExt;

mod compat;

/// 2026-01-08T14:00:00Z, three hours of the demo network.
const START_MS: i64 = 1_767_880_800_000;
const FROM: &str = "2026-01-08T14:00:00Z";
const TO: &str = "2026-01-08T17:00:00Z";

struct Fixture {
    _dir: tempfile::TempDir,
    lake: Lake,
    state: AppState,
    truth: scenarios::truth::GroundTruth,
}

static FIXTURE: OnceCell<Fixture> = OnceCell::const_new();

fn test_limits() -> QueryLimits {
    QueryLimits {
        timeout: Duration::from_secs(30),
        memory_bytes: 256 << 20,
        max_rows: 100_000,
        ..QueryLimits::default()
    }
}

/// Both servers on free local ports, without a rate limit.
fn serve_config(limits: QueryLimits) -> flight_server::ServeConfig {
    flight_server::ServeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        flight: "127.0.0.1:0".parse().unwrap(),
        profile: Profile::Public,
        limits,
        rate_limit: None,
        credentials: None,
        stall_after: flight_server::DEFAULT_STALL_AFTER,
        slo_orchestrators: Vec::new(),
    }
}

async fn fixture() -> &'static Fixture {
    FIXTURE
        .get_or_init(|| async {
            let scenario = library::load("demo").unwrap();
            let options = SimulateOptions {
                seed: Some(3),
                start_ms: Some(START_MS),
                hours: Some(3),
            };
            let (lines, truth) = simulate_to_vec(&scenario, options).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
            let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
            pipeline::source::memory::ingest_messages(&ingestor, "demo", 0, &lines, 50_000)
                .await
                .unwrap();
            let reference = ReferenceData {
                gateway_regions: truth.gateways.clone().into_iter().collect(),
                ..Default::default()
            };
            sql::run_rollups(
                &lake,
                &RollupOptions {
                    reference,
                    ..RollupOptions::default()
                },
            )
            .await
            .unwrap();
            let engine = QueryEngine::new(&lake, Profile::Public, test_limits()).unwrap();
            Fixture {
                _dir: dir,
                lake: lake.clone(),
                state: AppState::new(engine, lake.clone()),
                truth,
            }
        })
        .await
}

async fn get(uri: &str) -> (StatusCode, String, Value) {
    let app = router(fixture().await.state.clone());
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.unwrap();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Compares `value` with the committed snapshot `tests/snapshots/{name}.json`
/// (`NAAP_BLESS=1` rewrites it).
fn snapshot(name: &str, value: &Value) {
    let path = format!("{}/tests/snapshots/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("NAAP_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} missing: run with NAAP_BLESS=1"));
    assert!(expected == text, "{name} differs from its snapshot {path}:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_400_problems_naming_the_parameter() {
    let cases = [
        ("/v1/sla?colour=red", "colour"),
        ("/v1/sla?from=yesterday", "from"),
        ("/v1/sla?granularity=week", "granularity"),
        ("/v1/sla?from=2026-01-08T17:00:00Z&to=2026-01-08T14:00:00Z", "from"),
        ("/v1/sla?orchestrator=0x123", "orchestrator"),
        ("/v1/sla?limit=0", "limit"),
        ("/v1/sla?cursor=bogus", "cursor"),
        ("/v1/leaderboard?to=2026-13-01T00:00:00Z", "to"),
        ("/v1/leaderboard?model=", "model"),
        ("/v1/leaderboard?format=xml", "format"),
        ("/v1/leaderboard?traffic_class=synthetic", "traffic_class"),
        ("/v1/sla?traffic_class=", "traffic_class"),
    ];
    for (uri, parameter) in cases {
        let (status, content_type, body) = get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        assert_eq!(body["parameter"], parameter, "{uri}: {body}");
        assert_eq!(body["status"], 400);
        assert!(body["detail"].as_str().unwrap().contains(parameter), "{uri}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_rows_page_and_roll_up_by_day_exactly() {
    let all = get(&format!("/v1/sla?from={FROM}&to={TO}&limit=10000")).await.2;
    let rows = all["data"].as_array().unwrap();
    assert!(rows.len() > 10, "{} rows", rows.len());
    assert_eq!(all["meta"]["next_cursor"], Value::Null);

    // Pages of 7 rows, following the cursors, give the same rows in the same order.
    let mut paged = Vec::new();
    let mut uri = format!("/v1/sla?from={FROM}&to={TO}&limit=7");
    loop {
        let (status, _, page) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/v1/sla?from={FROM}&to={TO}&limit=7&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(&paged, rows);

    // The day row of each (orchestrator, …) sums its hours; its naap_score is recomputed.
    let day = get(&format!("/v1/sla?from={FROM}&to={TO}&granularity=day&limit=10000"))
        .await
        .2;
    let days = day["data"].as_array().unwrap();
    let total = |rows: &[Value], key: &str| rows.iter().map(|r| r[key].as_i64().unwrap_or(0)).sum::<i64>();
    for key in [
        "requested_sessions",
        "startup_success_sessions",
        "good_sessions",
        "naap_score_sessions",
        "status_samples",
    ] {
        assert_eq!(total(days, key), total(rows, key), "{key}");
    }
    for d in days {
        let hours: Vec<&Value> = rows
            .iter()
            .filter(|h| {
                // A day row groups the hours of the same key, but for the window.
                lakehouse_layout::Dataset::SlaHourly.primary_key()[1..]
                    .iter()
                    .all(|k| h[*k] == d[*k])
            })
            .collect();
        let good: f64 = hours.iter().map(|h| h["good_sessions"].as_f64().unwrap()).sum();
        let trials: f64 = hours.iter().map(|h| h["naap_score_sessions"].as_f64().unwrap()).sum();
        if trials > 0.0 {
            let p = good / trials;
            let low = (p + 1.9208 / trials - 1.96 * (p * (1.0 - p) / trials + 0.9604 / (trials * trials)).sqrt())
                / (1.0 + 3.8416 / trials);
            assert!((d["naap_score"].as_f64().unwrap() - 100.0 * low).abs() < 1e-5, "{d}");
        } else {
            assert_eq!(d["naap_score"], Value::Null, "no trials, no score: {d}");
        }
    }

    // A filter on one orchestrator keeps exactly its rows, whatever the address's case.
    let address = rows[rows.len() / 2]["orchestrator_address"]
        .as_str()
        .unwrap()
        .to_string();
    let upper = format!("0x{}", address[2..].to_ascii_uppercase());
    let one = get(&format!("/v1/sla?from={FROM}&to={TO}&orchestrator={upper}&limit=10000"))
        .await
        .2;
    let expected: Vec<&Value> = rows
        .iter()
        .filter(|r| r["orchestrator_address"] == address.as_str())
        .collect();
    assert_eq!(one["data"].as_array().unwrap().iter().collect::<Vec<_>>(), expected);
    snapshot("sla_day", &day);
}

/// The demo network's probe streams (`aiJobTesterStream-*`, classed by the default rules)
/// are served beside the organic sessions, never mixed in, and count as the simulator says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_traffic_is_served_beside_organic_never_mixed() {
    let truth = &fixture().await.truth;
    let sla = |class: &str| get_owned(format!("/v1/sla?from={FROM}&to={TO}&limit=10000{class}"));
    let (organic, probe, all) = (
        sla("").await,
        sla("&traffic_class=probe").await,
        sla("&traffic_class=all").await,
    );
    let rows = |v: &Value| v["data"].as_array().unwrap().clone();
    let requested = |rows: &[Value]| {
        rows.iter()
            .map(|r| r["requested_sessions"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(organic["meta"]["traffic_class"], "organic");
    for (answer, class) in [(&organic, "organic"), (&probe, "probe")] {
        assert!(!rows(answer).is_empty(), "{class}");
        assert!(rows(answer).iter().all(|row| row["traffic_class"] == class), "{class}");
    }
    // The fixture's window is the simulated period: every session is in it.
    assert_eq!(requested(&rows(&organic)) as u64, truth.live.total.requested);
    assert_eq!(requested(&rows(&probe)) as u64, truth.probe_live.total.requested);
    assert_eq!(
        requested(&rows(&all)),
        requested(&rows(&organic)) + requested(&rows(&probe))
    );

    // The probes' view of the orchestrators, beside the organic leaderboard.
    let board = |class: &str| {
        get_owned(format!(
            "/v1/leaderboard?from={FROM}&to={TO}&model=streamdiffusion-sdxl{class}"
        ))
    };
    let (organic, probe) = (board("").await, board("&traffic_class=probe").await);
    assert_eq!(probe["meta"]["traffic_class"], "probe");
    let sessions = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sessions"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert!(sessions(&probe) > 0 && sessions(&organic) > 0);
    let probe_sla: i64 = rows(&sla("&traffic_class=probe&model=streamdiffusion-sdxl").await)
        .iter()
        .filter(|r| !r["orchestrator_address"].is_null())
        .map(|r| r["naap_score_sessions"].as_i64().unwrap())
        .sum();
    assert_eq!(
        sessions(&probe),
        probe_sla,
        "the probe leaderboard counts the probe SLA rows"
    );
}

async fn get_owned(uri: String) -> Value {
    let (status, _, body) = get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaderboard_ranks_by_score_and_says_no_data() {
    let (status, _, board) = get(&format!(
        "/v1/leaderboard?from={FROM}&to={TO}&model=streamdiffusion-sdxl"
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    let entries = board["data"].as_array().unwrap();
    assert!(entries.len() >= 5, "{board}");
    let scores: Vec<f64> = entries.iter().filter_map(|e| e["naap_score"].as_f64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked by score: {scores:?}");
    for (i, e) in entries.iter().filter(|e| e["status"] == "scored").enumerate() {
        assert_eq!(e["rank"], i + 1);
        let (low, high) = (
            e["good_rate_low"].as_f64().unwrap(),
            e["good_rate_high"].as_f64().unwrap(),
        );
        assert!(
            low <= high && (e["naap_score"].as_f64().unwrap() - 100.0 * low).abs() < 1e-4,
            "{e}"
        );
    }
    snapshot("leaderboard_sdxl", &board);

    // A model advertised by orchestrators (the batch model) but never streamed live: every
    // entry says no data, none is a zero.
    let batch = get(&format!(
        "/v1/leaderboard?from={FROM}&to={TO}&model=SG161222/RealVisXL_V4.0_Lightning"
    ))
    .await
    .2;
    let entries = batch["data"].as_array().unwrap();
    assert!(!entries.is_empty(), "{batch}");
    for e in entries {
        assert_eq!(e["status"], "no_data", "{e}");
        assert_eq!(e["naap_score"], Value::Null, "{e}");
        assert_eq!(e["rank"], Value::Null, "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_every_route_and_every_parameter() {
    let (status, _, doc) = get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc, flight_server::openapi_document());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut routed = flight_server::documented_paths();
    documented.sort_unstable();
    routed.sort_unstable();
    assert_eq!(documented, routed);
    // Each documented query parameter is accepted (a typo'd one is not: see the 400 test).
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.contains('{') || !path.starts_with("/v1/") || path == "/v1/datasets" || path == "/v1/snapshots" {
            continue;
        }
        let example = |p: &Value| match p["name"].as_str().unwrap() {
            "from" => FROM.to_string(),
            "to" | "at" => TO.to_string(),
            "limit" => "5".into(),
            "orchestrator" => "0x0000000000000000000000000000000000000001".into(),
            _ if p["schema"]["enum"].is_array() => p["schema"]["enum"][0].as_str().unwrap().to_string(),
            "cursor" => "o0".into(),
            _ => "x".into(),
        };
        // A required query parameter goes with every other one.
        let parameters = item["get"]["parameters"].as_array().unwrap();
        let required: String = parameters
            .iter()
            .filter(|p| p["required"] == true && p["in"] == "query")
            .map(|p| format!("&{}={}", p["name"].as_str().unwrap(), example(p)))
            .collect();
        for p in parameters.iter().filter(|p| p["required"] != true || p["in"] == "path") {
            let name = p["name"].as_str().unwrap();
            let example = example(p);
            let ranged = item["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "from");
            let uri = if name == "from" || name == "to" {
                format!("{path}?from={FROM}&to={TO}{required}")
            } else if ranged {
                format!("{path}?{name}={example}&from={FROM}&to={TO}{required}")
            } else {
                format!("{path}?{name}={example}{required}")
            };
            let (status, _, body) = get(&uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_kpis_agree_with_the_sla_rows_and_compare_windows() {
    let (from, to) = ("2026-01-08T15:00:00Z", "2026-01-08T17:00:00Z");
    let (status, _, body) = get(&format!("/v1/network/kpis?from={from}&to={to}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let kpi = |name: &str| {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kpi"] == name)
            .unwrap()
            .clone()
    };
    for period in [(from, to), ("2026-01-08T13:00:00Z", from)] {
        let rows = get(&format!("/v1/sla?from={}&to={}&limit=10000", period.0, period.1))
            .await
            .2;
        let rows = rows["data"].as_array().unwrap().clone();
        let sessions: i64 = rows.iter().map(|r| r["requested_sessions"].as_i64().unwrap()).sum();
        let serving: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r["requested_sessions"].as_i64().unwrap() > 0)
            .filter_map(|r| r["orchestrator_address"].as_str())
            .collect();
        let key = if period.0 == from { "value" } else { "previous" };
        assert_eq!(kpi("sessions")[key], sessions, "{body}");
        assert_eq!(kpi("orchestrators_serving")[key], serving.len(), "{body}");
    }
    let sessions = kpi("sessions");
    let (now, then) = (
        sessions["value"].as_f64().unwrap(),
        sessions["previous"].as_f64().unwrap(),
    );
    assert!(
        (sessions["change"].as_f64().unwrap() - (now - then) / then).abs() < 1e-6,
        "{sessions}"
    );
    assert!(
        kpi("fees_expected_value_wei")["value"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 0.0
    );
    snapshot("network_kpis", &body);
}

async fn request(request: Request<Body>) -> axum::response::Response {
    router(fixture().await.state.clone()).oneshot(request).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_request_ids_etags_and_cors() {
    let uri = format!("/v1/leaderboard?from={FROM}&to={TO}");
    let first = request(
        Request::get(&uri)
            .header("origin", "https://dash.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let headers = first.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers["x-request-id"].to_str().unwrap().starts_with("naap-"));
    let etag = headers["etag"].clone();
    assert_eq!(headers["cache-control"], "public, max-age=1");

    // The same resource again with its tag: 304, no body; the client's request id echoed.
    let again = request(
        Request::get(&uri)
            .header("if-none-match", etag.clone())
            .header("x-request-id", "dash-42")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.headers()["x-request-id"], "dash-42");
    assert!(axum::body::to_bytes(again.into_body(), 1024).await.unwrap().is_empty());

    // Other data, other tag; errors carry a request id too.
    let other = request(Request::get(format!("{uri}&limit=1")).body(Body::empty()).unwrap()).await;
    assert_ne!(other.headers()["etag"], etag);
    let bad = request(Request::get("/v1/sla?nope=1").body(Body::empty()).unwrap()).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.headers().contains_key("x-request-id"));
    assert!(!bad.headers().contains_key("etag"));

    // A CORS preflight from a browser dashboard.
    let preflight = request(
        Request::options("/v1/sla")
            .header("origin", "https://dash.example")
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let fixture = fixture().await;
    let config = flight_server::ServeConfig {
        rate_limit: Some(flight_server::middleware::RateLimit {
            per_second: 0.5,
            burst: 2.0,
        }),
        ..serve_config(test_limits())
    };
    let servers = flight_server::start(&fixture.lake, config).await.unwrap();
    let url = format!("http://{}/healthz", servers.http_addr);
    let client = reqwest::Client::new();
    for _ in 0..2 {
        assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    }
    let limited = client.get(&url).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "2");
    assert_eq!(limited.headers()["content-type"], "application/problem+json");
    servers.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orchestrators_have_an_identity_and_a_history() {
    let (status, _, list) = get(&format!("/v1/orchestrators?from={FROM}&to={TO}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let entries = list["data"].as_array().unwrap();
    assert_eq!(entries.len(), 6, "the demo network has six orchestrators: {list}");
    // The demo's hobbyist streams only sdxl on an RTX 4070 Ti SUPER; half the operators sign
    // with a hot wallet.
    let hobbyist = entries
        .iter()
        .find(|e| e["urls"][0].as_str().unwrap().contains("hobbyist-0"))
        .unwrap();
    assert_eq!(
        hobbyist["gpu_models"],
        serde_json::json!(["NVIDIA GeForce RTX 4070 Ti SUPER"])
    );
    assert_eq!(hobbyist["models"], serde_json::json!(["streamdiffusion-sdxl"]));
    assert_eq!(hobbyist["version"], "0.7.8");
    assert!(
        entries.iter().any(|e| e["signing_keys"][0] != e["address"]),
        "a hot wallet is listed"
    );

    // One orchestrator, any case; its history adds up to its SLA rows.
    let address = hobbyist["address"].as_str().unwrap();
    let upper = format!("0x{}", address[2..].to_ascii_uppercase());
    let one = get(&format!("/v1/orchestrators/{upper}?from={FROM}&to={TO}")).await.2;
    assert_eq!(&one["data"][0], hobbyist);
    let history = get(&format!("/v1/orchestrators/{address}/history?from={FROM}&to={TO}"))
        .await
        .2;
    let hours = history["data"].as_array().unwrap();
    assert!(!hours.is_empty() && hours.len() <= 3, "{history}");
    let total: i64 = hours.iter().map(|h| h["requested_sessions"].as_i64().unwrap()).sum();
    assert_eq!(total, hobbyist["requested_sessions"].as_i64().unwrap());
    let day = get(&format!(
        "/v1/orchestrators/{address}/history?from={FROM}&to={TO}&granularity=day"
    ))
    .await
    .2;
    assert_eq!(day["data"].as_array().unwrap().len(), 1);
    assert_eq!(day["data"][0]["naap_score"], hobbyist["naap_score"], "{day}");

    // A malformed address is a 400 naming it; an unseen one a 404.
    let (status, _, body) = get("/v1/orchestrators/0xnope/history").await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("address"))
    );
    let unseen = "0x00000000000000000000000000000000000000ff";
    let (status, content_type, _) = get(&format!("/v1/orchestrators/{unseen}?from={FROM}&to={TO}")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );
    snapshot("orchestrators", &list);
}

async fn raw(uri: &str, accept: Option<&str>) -> (StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    let mut builder = Request::get(uri);
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    let response = request(builder.body(Body::empty()).unwrap()).await;
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        axum::body::to_bytes(body, 1 << 26).await.unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_come_as_csv_arrow_and_parquet_too() {
    let base = format!("/v1/sla?from={FROM}&to={TO}&limit=9");
    let json = get(&base).await.2;
    let rows = json["data"].as_array().unwrap();
    let cursor = json["meta"]["next_cursor"].as_str().unwrap().to_string();

    let (status, headers, body) = raw(&format!("{base}&format=csv"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["x-next-cursor"], cursor.as_str());
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(text.lines().count(), rows.len() + 1, "a header and the rows");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("window_start,orchestrator_address,")
    );

    // Accept negotiates when no format is given.
    let (_, headers, body) = raw(&base, Some("application/vnd.apache.arrow.stream")).await;
    assert_eq!(headers["content-type"], "application/vnd.apache.arrow.stream");
    let reader = arrow::ipc::reader::StreamReader::try_new(std::io::Cursor::new(body.to_vec()), None).unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let arrow_rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(arrow_rows, rows.len());
    let requested = batches[0].column_by_name("requested_sessions").unwrap();
    let requested = requested.as_any().downcast_ref::<arrow::array::Int64Array>().unwrap();
    assert_eq!(requested.value(0), rows[0]["requested_sessions"].as_i64().unwrap());

    let (_, headers, body) = raw(&format!("{base}&format=parquet"), Some("text/csv")).await;
    assert_eq!(
        headers["content-type"], "application/vnd.apache.parquet",
        "format= wins over Accept"
    );
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(body)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(reader.map(|b| b.unwrap().num_rows()).sum::<usize>(), rows.len());

    // Rows computed in Rust come in every format too: the leaderboard as Arrow keeps its
    // order, ranks, scores and null "no data" scores; lists (an orchestrator's URLs) are
    // JSON text in CSV.
    let board = format!("/v1/leaderboard?from={FROM}&to={TO}");
    let json_rows = get(&board).await.2["data"].as_array().unwrap().clone();
    let (status, headers, body) = raw(&format!("{board}&format=arrow"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.apache.arrow.stream");
    let reader = arrow::ipc::reader::StreamReader::try_new(std::io::Cursor::new(body.to_vec()), None).unwrap();
    let batch = reader.map(Result::unwrap).next().unwrap();
    assert_eq!(batch.num_rows(), json_rows.len());
    let column = |name: &str| std::sync::Arc::clone(batch.column_by_name(name).unwrap());
    let addresses = column("orchestrator_address");
    let addresses = addresses.as_any().downcast_ref::<arrow::array::StringArray>().unwrap();
    let scores = column("naap_score");
    let scores = scores.as_any().downcast_ref::<arrow::array::Float64Array>().unwrap();
    for (i, row) in json_rows.iter().enumerate() {
        assert_eq!(addresses.value(i), row["orchestrator_address"].as_str().unwrap());
        assert_eq!(
            (!scores.is_null(i)).then(|| scores.value(i)),
            row["naap_score"].as_f64()
        );
    }
    let no_data = json_rows.iter().filter(|r| r["status"] == "no_data").count();
    assert_eq!(scores.null_count(), no_data, "no-data rows stay null, never zero");

    let (status, headers, body) = raw(&format!("/v1/orchestrators?from={FROM}&to={TO}&format=csv"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let mut reader = arrow::csv::ReaderBuilder::new(std::sync::Arc::new(
        arrow::csv::reader::Format::default()
            .with_header(true)
            .infer_schema(std::io::Cursor::new(body.to_vec()), None)
            .unwrap()
            .0,
    ))
    .with_header(true)
    .build(std::io::Cursor::new(body.to_vec()))
    .unwrap();
    let batch = reader.next().unwrap().unwrap();
    let urls = batch.column_by_name("urls").unwrap();
    let urls = arrow::compute::cast(urls, &arrow::datatypes::DataType::Utf8).unwrap();
    let urls = urls.as_any().downcast_ref::<arrow::array::StringArray>().unwrap();
    let first: Vec<String> = serde_json::from_str(urls.value(0)).unwrap();
    assert!(first.iter().all(|u| u.starts_with("https://")), "{first:?}");

    // A format that does not exist is a 400 naming the parameter.
    let (status, _, body) = get(&format!("{board}&format=xml")).await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("format"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasets_describe_themselves_and_snapshots_download_verbatim() {
    let (status, _, described) = get("/v1/datasets/sla_hourly").await;
    assert_eq!(status, StatusCode::OK, "{described}");
    let d = &described["data"];
    assert_eq!(d["partition_keys"], serde_json::json!(["date", "hour"]));
    let partitions = d["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 3, "three hours: {d}");
    assert!(
        partitions[0]["partition"]
            .as_str()
            .unwrap()
            .starts_with("date=2026-01-08/hour=")
    );
    let rows: u64 = partitions.iter().map(|p| p["rows"].as_u64().unwrap()).sum();
    assert_eq!(d["rows"], rows);
    let sla_rows = get(&format!("/v1/sla?from={FROM}&to={TO}&limit=10000&traffic_class=all"))
        .await
        .2;
    assert_eq!(rows as usize, sla_rows["data"].as_array().unwrap().len());

    let (status, _, snapshot) = get("/v1/datasets/sla_hourly/snapshot").await;
    assert_eq!(status, StatusCode::OK);
    assert!(snapshot["score_version"].as_str().unwrap().contains("naap_score"));
    let files = snapshot["files"].as_array().unwrap();
    assert_eq!(files.len() as u64, d["files"].as_u64().unwrap());
    for f in files {
        let (status, headers, body) = raw(f["url"].as_str().unwrap(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/vnd.apache.parquet");
        let described = lakehouse_layout::describe_file(f["path"].as_str().unwrap(), body).unwrap();
        assert_eq!(
            described.sha256,
            f["sha256"].as_str().unwrap(),
            "the download is the manifest's file"
        );
        assert_eq!(described.rows, f["rows"].as_u64().unwrap());
    }

    // Nothing but a listed file of a public dataset is reachable.
    for uri in [
        "/v1/datasets/sla_hourly/files/../../../../etc/passwd",
        "/v1/datasets/sla_hourly/files/silver/payments/date=2026-01-08/hour=14/x.parquet",
        "/v1/datasets/dead_letters/snapshot",
        "/v1/datasets/events",
    ] {
        let (status, _, _) = raw(uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_endpoints_serve_their_gold_rows() {
    let engine = &fixture().await.state.engine;
    for (path, dataset) in [
        ("/v1/supply/gpus", "gpu_inventory"),
        ("/v1/prices", "prices"),
        ("/v1/demand", "demand_hourly"),
        ("/v1/economics", "payments_hourly"),
        ("/v1/jobs", "jobs"),
        ("/v1/quality", "data_quality_hourly"),
    ] {
        let sql = format!(
            "SELECT count(*) FROM {dataset} WHERE window_start >= TIMESTAMP '2026-01-08T14:00:00Z' \
             AND window_start < TIMESTAMP '2026-01-08T17:00:00Z'"
        );
        let batches = engine.query(&sql).await.unwrap();
        let count =
            arrow::array::cast::as_primitive_array::<arrow::datatypes::Int64Type>(batches[0].column(0)).value(0);
        assert!(count > 0, "{dataset} is empty");
        // Every class: the endpoint serves the dataset's rows (organic alone by default).
        let classes = if ["/v1/demand", "/v1/jobs"].contains(&path) {
            "&traffic_class=all"
        } else {
            ""
        };
        let (status, _, body) = get(&format!("{path}?from={FROM}&to={TO}&limit=10000{classes}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["data"].as_array().unwrap().len() as i64, count, "{path}");
        assert_eq!(body["meta"]["dataset"], dataset);
    }
    // Filters narrow: LLM jobs only.
    let llm = get(&format!("/v1/jobs?from={FROM}&to={TO}&kind=llm&limit=10000"))
        .await
        .2;
    let rows = llm["data"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["kind"] == "llm"));
    let (status, _, body) = get("/v1/jobs?kind=transcode").await;
    assert_eq!(
        (status, body["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("kind"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advice_is_the_top_of_the_leaderboard_with_its_evidence() {
    let board = get(&format!(
        "/v1/leaderboard?from={FROM}&to={TO}&model=streamdiffusion-sdxl"
    ))
    .await
    .2;
    let (status, _, advice) = get(&format!("/v1/advice?from={FROM}&to={TO}&model=streamdiffusion-sdxl")).await;
    assert_eq!(status, StatusCode::OK, "{advice}");
    let advised = advice["data"].as_array().unwrap();
    assert_eq!(advised.len(), 3);
    for (a, b) in advised.iter().zip(board["data"].as_array().unwrap()) {
        assert_eq!(a["orchestrator_address"], b["orchestrator_address"]);
        assert!(a["why"].as_str().unwrap().contains("sessions good"), "{a}");
        assert!(a["mean_startup_latency_ms"].as_f64().unwrap() > 0.0, "{a}");
    }
    // A model nobody streamed: no advice, rather than advice without evidence.
    let none = get(&format!(
        "/v1/advice?from={FROM}&to={TO}&model=SG161222/RealVisXL_V4.0_Lightning"
    ))
    .await
    .2;
    assert_eq!(none["data"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flight_sql_prepared_statements_take_parameters() {
    use arrow::array::{Int64Array, StringArray};
    use arrow_flight::sql::client::FlightSqlServiceClient;
    use futures::TryStreamExt;

    let (servers, channel) = flight_servers(test_limits()).await;
    let mut client = FlightSqlServiceClient::new(channel);

    let rows = get(&format!("/v1/sla?from={FROM}&to={TO}&limit=10000&traffic_class=all"))
        .await
        .2;
    let rows = rows["data"].as_array().unwrap().clone();
    let address = rows[0]["orchestrator_address"].as_str().unwrap().to_string();
    let expected: i64 = rows
        .iter()
        .filter(|r| r["orchestrator_address"] == address.as_str())
        .map(|r| r["requested_sessions"].as_i64().unwrap())
        .sum();

    let sql = "SELECT sum(requested_sessions) AS n FROM sla_hourly WHERE orchestrator_address = $1";
    let mut statement = client.prepare(sql.to_string(), None).await.unwrap();
    let parameters = statement.parameter_schema().unwrap().clone();
    assert_eq!(parameters.fields().len(), 1);
    assert_eq!(parameters.field(0).data_type(), &arrow::datatypes::DataType::Utf8);
    let bind = |values: Vec<&str>| {
        arrow::record_batch::RecordBatch::try_new(
            std::sync::Arc::new(parameters.clone()),
            vec![std::sync::Arc::new(StringArray::from(values))],
        )
        .unwrap()
    };
    statement.set_parameters(bind(vec![address.as_str()])).unwrap();
    let info = statement.execute().await.unwrap();
    let ticket = info.endpoint[0].ticket.clone().unwrap();
    let batches: Vec<_> = client.do_get(ticket).await.unwrap().try_collect().await.unwrap();
    let n = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(n, expected);

    // Two rows at once is refused, with the reason.
    statement
        .set_parameters(bind(vec![address.as_str(), address.as_str()]))
        .unwrap();
    let error = statement.execute().await.unwrap_err().to_string();
    assert!(error.contains("one row of parameter values"), "{error}");
    servers.shutdown().await;
}

async fn flight_servers(limits: QueryLimits) -> (flight_server::RunningServers, tonic::transport::Channel) {
    let fixture = fixture().await;
    let servers = flight_server::start(&fixture.lake, serve_config(limits)).await.unwrap();
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", servers.flight_addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    (servers, channel)
}

async fn flight_query(
    channel: tonic::transport::Channel,
    sql: &str,
) -> Result<Vec<arrow::record_batch::RecordBatch>, tonic::Status> {
    use arrow_flight::sql::client::FlightSqlServiceClient;
    use futures::TryStreamExt;
    let mut client = FlightSqlServiceClient::new(channel);
    let as_status = |e: arrow_flight::error::FlightError| match e {
        arrow_flight::error::FlightError::Tonic(status) => *status,
        other => tonic::Status::unknown(other.to_string()),
    };
    let info = client.execute(sql.to_string(), None).await.map_err(as_status)?;
    let ticket = info.endpoint[0].ticket.clone().unwrap();
    let stream = client.do_get(ticket).await.map_err(as_status)?;
    stream.try_collect().await.map_err(as_status)
}

fn single_i64(batches: &[arrow::record_batch::RecordBatch]) -> i64 {
    batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap()
        .value(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flight_sql_lists_primary_keys_that_hold_on_the_data() {
    use arrow::array::{Int32Array, StringArray};
    use arrow_flight::sql::CommandGetPrimaryKeys;
    use arrow_flight::sql::client::FlightSqlServiceClient;
    use futures::TryStreamExt;

    let (servers, channel) = flight_servers(QueryLimits::default()).await;
    let mut client = FlightSqlServiceClient::new(channel.clone());
    let mut non_empty = Vec::new();
    for dataset in Profile::Public.datasets() {
        let command = CommandGetPrimaryKeys {
            catalog: None,
            db_schema: None,
            table: dataset.name().to_string(),
        };
        let info = client.get_primary_keys(command).await.unwrap();
        let ticket = info.endpoint[0].ticket.clone().unwrap();
        let batches: Vec<_> = client.do_get(ticket).await.unwrap().try_collect().await.unwrap();
        let mut listed: Vec<(i32, String)> = Vec::new();
        for batch in &batches {
            let columns = batch.column_by_name("column_name").unwrap();
            let columns = columns.as_any().downcast_ref::<StringArray>().unwrap();
            let seq = batch.column_by_name("key_seq").unwrap();
            let seq = seq.as_any().downcast_ref::<Int32Array>().unwrap();
            for row in 0..batch.num_rows() {
                listed.push((seq.value(row), columns.value(row).to_string()));
            }
        }
        listed.sort();
        let listed: Vec<&str> = listed.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(listed, dataset.primary_key(), "{dataset}");
        if listed.is_empty() {
            continue;
        }
        // The key really identifies the rows of the demo lake.
        let key = listed.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let duplicates =
            format!("SELECT count(*) FROM (SELECT {key} FROM {dataset} GROUP BY {key} HAVING count(*) > 1) AS d");
        let batches = flight_query(channel.clone(), &duplicates).await.unwrap();
        assert_eq!(single_i64(&batches), 0, "{dataset}: duplicate keys");
        let rows = flight_query(channel.clone(), &format!("SELECT count(*) FROM {dataset}"))
            .await
            .unwrap();
        if single_i64(&rows) > 0 {
            non_empty.push(dataset.name());
        }
    }
    assert!(
        non_empty.len() >= 8,
        "the keys were checked on data in {non_empty:?} only"
    );

    // Another catalog, or a table that does not exist, has no key.
    for (catalog, table) in [(Some("elsewhere"), "sla_hourly"), (None, "no_such_table")] {
        let command = CommandGetPrimaryKeys {
            catalog: catalog.map(str::to_string),
            db_schema: None,
            table: table.to_string(),
        };
        let info = client.get_primary_keys(command).await.unwrap();
        let ticket = info.endpoint[0].ticket.clone().unwrap();
        let batches: Vec<_> = client.do_get(ticket).await.unwrap().try_collect().await.unwrap();
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 0, "{table}");
    }
    servers.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flight_sql_sandbox_refuses_files_and_stops_runaway_queries() {
    let limits = QueryLimits {
        timeout: Duration::from_secs(3),
        memory_bytes: 16 << 20,
        max_rows: 1_000,
        ..QueryLimits::default()
    };
    let (servers, channel) = flight_servers(limits).await;

    // Nothing reaches a file or a URL outside the catalog.
    for sql in [
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM 'file:///etc/passwd'",
        "SELECT * FROM '../../../../etc/passwd'",
        "SELECT * FROM 'https://example.com/data.parquet'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('/etc/passwd')",
    ] {
        let error = flight_query(channel.clone(), sql).await.unwrap_err();
        assert_eq!(error.code(), tonic::Code::InvalidArgument, "{sql}: {error}");
        assert!(!error.message().contains("root:"), "{sql} leaked the file: {error}");
    }

    // Too many rows.
    let error = flight_query(channel.clone(), "SELECT * FROM generate_series(1, 5000)")
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::ResourceExhausted, "{error}");
    assert!(error.message().contains("1000 rows"), "{error}");

    // Too much memory: sorting five million rows the other way round cannot fit in 16 MiB,
    // and nothing spills to disk.
    let error = flight_query(
        channel.clone(),
        "SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY value DESC) AS r FROM generate_series(1, 5000000)) AS w",
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), tonic::Code::ResourceExhausted, "{error}");
    assert!(error.message().contains("memory"), "{error}");

    // Too long: stopped at the time limit, while other clients are served meanwhile.
    let slow = tokio::spawn(flight_query(
        channel.clone(),
        "SELECT count(*) FROM generate_series(1, 1000000000000)",
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let other = flight_query(channel.clone(), "SELECT count(*) FROM sla_hourly")
        .await
        .unwrap();
    assert!(single_i64(&other) > 0);
    assert!(
        !slow.is_finished(),
        "the slow query ended before the other client was served"
    );
    let error = slow.await.unwrap().unwrap_err();
    assert_eq!(error.code(), tonic::Code::DeadlineExceeded, "{error}");

    // Each refusal is counted by reason.
    let metrics = reqwest::get(format!("http://{}/metrics", servers.http_addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (series, count) in [
        (
            "naap_flight_sql_commands_total{command=\"statement\",outcome=\"time_limit\"}",
            1.0,
        ),
        (
            "naap_flight_sql_commands_total{command=\"statement\",outcome=\"row_limit\"}",
            1.0,
        ),
        (
            "naap_flight_sql_commands_total{command=\"statement\",outcome=\"memory_limit\"}",
            1.0,
        ),
        (
            "naap_flight_sql_commands_total{command=\"statement\",outcome=\"ok\"}",
            1.0,
        ),
        (
            "naap_flight_sql_commands_total{command=\"plan\",outcome=\"invalid_query\"}",
            6.0,
        ),
        ("naap_rejections_total{reason=\"time_limit\",surface=\"flight\"}", 1.0),
    ] {
        assert_eq!(sample(&metrics, series), Some(count), "{series} in\n{metrics}");
    }
    servers.shutdown().await;
}

async fn send(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The value of the Prometheus sample `series` (name and labels as rendered) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_metrics_and_the_response_cache() {
    let fixture = fixture().await;
    // Metrics of its own: other tests share the fixture's.
    let app = router(AppState::new(fixture.state.engine.clone(), fixture.lake.clone()));

    let (status, _, body) = send(&app, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["status"], "ready");
    assert!(ready["last_rollup"].is_string(), "{ready}");

    // The second identical request is answered from the cache, byte for byte and with the
    // same ETag; another Accept header is another entry.
    let uri = format!("/v1/sla?from={FROM}&to={TO}&limit=50");
    let first = send(&app, &uri).await;
    let second = send(&app, &uri).await;
    assert_eq!(first.0, 200);
    assert_eq!(first.2, second.2);
    assert_eq!(first.1["etag"], second.1["etag"]);
    let csv = app
        .clone()
        .oneshot(
            Request::get(&uri)
                .header("accept", "text/csv")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let (status, _, _) = send(&app, "/v1/sla?granularity=week").await;
    assert_eq!(status, 400);

    let (status, headers, metrics) = send(&app, "/metrics").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let series = |s: &str| sample(&metrics, s).unwrap_or_else(|| panic!("no {s} in\n{metrics}"));
    assert_eq!(series("naap_http_cache_lookups_total{result=\"hit\"}"), 1.0);
    assert_eq!(series("naap_http_cache_lookups_total{result=\"miss\"}"), 3.0);
    assert_eq!(
        series("naap_http_requests_total{route=\"/v1/sla\",status=\"200\"}"),
        3.0
    );
    assert_eq!(
        series("naap_http_requests_total{route=\"/v1/sla\",status=\"400\"}"),
        1.0
    );
    assert_eq!(
        series("naap_rejections_total{reason=\"bad_parameter\",surface=\"http\"}"),
        1.0
    );
    assert_eq!(
        series("naap_http_request_duration_seconds_count{route=\"/v1/sla\"}"),
        4.0
    );
    assert_eq!(
        series("naap_http_requests_total{route=\"/readyz\",status=\"200\"}"),
        1.0
    );

    // A change in the lake's change log is a new generation. One outside the window an
    // answer reads leaves it current (a hit); one inside makes it old: it is served at most
    // MAX_STALE longer, while it is recomputed in the background.
    let hits = |m: &str| sample(m, "naap_http_cache_lookups_total{result=\"hit\"}").unwrap_or(0.0);
    for (path, touches) in [
        ("gold/sla_hourly/date=1999-01-01/hour=00/part-00009.parquet", false),
        ("gold/sla_hourly/date=2026-01-08/hour=15/part-00009.parquet", true),
    ] {
        let hits_before = hits(&send(&app, "/metrics").await.2);
        record_a_change(&fixture.lake, &app, path).await;
        if !touches {
            assert_eq!(send(&app, &uri).await.2, first.2);
            assert_eq!(
                hits(&send(&app, "/metrics").await.2),
                hits_before + 1.0,
                "{path}: still a hit"
            );
        }
    }
    let third = send(&app, &uri).await;
    assert_eq!(third.2, first.2);
    let (_, _, metrics) = send(&app, "/metrics").await;
    assert_eq!(
        sample(&metrics, "naap_http_cache_lookups_total{result=\"stale\"}"),
        Some(1.0)
    );
    // Once recomputed (same data: same bytes), the answer is a hit of the new generation.
    wait_until("the stale answer is recomputed", || async {
        let before = hits(&send(&app, "/metrics").await.2);
        let again = send(&app, &uri).await;
        assert_eq!(again.2, first.2);
        hits(&send(&app, "/metrics").await.2) > before
    })
    .await;
}

/// Records a change of `path` (a file that does not exist: an answer that reads it finds it
/// missing and lists its partition again) and waits until the server has read it.
async fn record_a_change(lake: &lakehouse_layout::Lake, app: &axum::Router, path: &str) {
    let generation = |m: &str| sample(m, "naap_lake_generation").unwrap_or(0.0);
    let before = generation(&send(app, "/metrics").await.2);
    lake.record_changes(vec![lakehouse_layout::FileChange::Put {
        path: path.into(),
        size: 10,
        e_tag: None,
        written_ms: 0,
    }])
    .await
    .unwrap();
    wait_until("the server reads the change log", || async {
        generation(&send(app, "/metrics").await.2) > before
    })
    .await;
}

#[tokio::test]
async fn a_full_page_stays_current_while_later_hours_change() {
    let fixture = fixture().await;
    let app = router(AppState::new(fixture.state.engine.clone(), fixture.lake.clone()));
    // A page of one row, with more to follow: its rows (and the one after) are of 14:00.
    let uri = format!("/v1/sla?from={FROM}&to={TO}&limit=1");
    let first = send(&app, &uri).await;
    let page: Value = serde_json::from_str(&first.2).unwrap();
    assert!(page["meta"]["next_cursor"].is_string(), "{page}");
    assert!(
        page["data"][0]["window_start"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-08T14:"),
        "{page}"
    );
    let count = |m: &str, result: &str| {
        sample(m, &format!("naap_http_cache_lookups_total{{result=\"{result}\"}}")).unwrap_or(0.0)
    };
    // A change to 16:00 (inside the window, after the page) leaves it a hit; one to 14:00
    // makes it stale.
    for (hour, outcome) in [("16", "hit"), ("14", "stale")] {
        let counted = count(&send(&app, "/metrics").await.2, outcome);
        let path = format!("gold/sla_hourly/date=2026-01-08/hour={hour}/part-00009.parquet");
        record_a_change(&fixture.lake, &app, &path).await;
        assert_eq!(send(&app, &uri).await.2, first.2);
        assert_eq!(
            count(&send(&app, "/metrics").await.2, outcome),
            counted + 1.0,
            "a change to {hour}:00"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_of_one_answer_compute_it_once() {
    let fixture = fixture().await;
    let app = router(AppState::new(fixture.state.engine.clone(), fixture.lake.clone()));
    let uri = format!("/v1/leaderboard?pipeline=live-video-to-video&from={FROM}&to={TO}");
    let answers = futures::future::join_all((0..16).map(|_| send(&app, &uri))).await;
    for answer in &answers {
        assert_eq!(answer.0, 200, "{}", answer.2);
        assert_eq!(answer.2, answers[0].2, "every waiter gets the computed answer");
    }
    let metrics = send(&app, "/metrics").await.2;
    let count = |result: &str| {
        sample(
            &metrics,
            &format!("naap_http_cache_lookups_total{{result=\"{result}\"}}"),
        )
        .unwrap_or(0.0)
    };
    // All 16 arrive before the first computation ends (it is a DataFusion query, the
    // requests are already in flight), so one computes and the others wait for it.
    assert_eq!(count("miss") + count("joined"), 16.0, "{metrics}");
    assert_eq!(count("miss"), 1.0, "{metrics}");
}

/// Waits until `condition` holds, checking every 20 ms, for at most 20 s.
async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !condition().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Collectors poll a simulated gateway and a dead port; `/v1/collectors` shows both targets
/// (the dead one as connect errors) and `/v1/nodes/metrics` the gateway's counters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collector_health_and_node_metrics_are_served() {
    use pipeline::collect::{Collector, CollectorConfig};
    use scenarios::nodes::{NodeEndpoints, NodeServer};

    let scenario = library::load("demo").unwrap();
    let options = SimulateOptions {
        seed: Some(3),
        start_ms: Some(START_MS),
        hours: Some(1),
    };
    let (lines, _) = simulate_to_vec(&scenario, options).unwrap();
    let endpoints = NodeEndpoints::from_events(&lines, None).unwrap();
    let gateway_counters = endpoints.metrics.clone();
    let server = NodeServer::start("127.0.0.1:0".parse().unwrap(), endpoints)
        .await
        .unwrap();
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };

    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let clock = FixedClock::new(START_MS + 1_800_000);
    let ingestor = Ingestor::new(
        lake.clone(),
        std::sync::Arc::clone(&clock) as _,
        IngestOptions::default(),
    );
    let mut config = CollectorConfig::default();
    config
        .add_flags(&[server.url()], &[server.url(), dead], None, Duration::from_secs(5))
        .unwrap();
    let collector = Collector::new(config, ingestor, clock).unwrap();
    collector.once().await.unwrap();
    sql::run_rollups(&lake, &RollupOptions::default()).await.unwrap();
    let state = AppState::new(QueryEngine::new(&lake, Profile::Public, test_limits()).unwrap(), lake);
    let fetch = |uri: String| {
        let app = router(state.clone());
        async move {
            let response = app
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };

    let health = fetch(format!("/v1/collectors?from={FROM}&to={TO}")).await;
    let rows = health["data"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{health}");
    for row in rows {
        let dead_target = !row["url"].as_str().unwrap().starts_with(&server.url());
        let expected = if dead_target { (0, 1) } else { (1, 0) };
        assert_eq!(
            (
                row["successes"].as_i64().unwrap(),
                row["connect_errors"].as_i64().unwrap()
            ),
            expected,
            "{row}"
        );
        assert_eq!(row["last_error"].is_null(), !dead_target, "{row}");
    }
    let dead_only = fetch(format!("/v1/collectors?from={FROM}&to={TO}&endpoint=metrics")).await;
    assert_eq!(dead_only["data"].as_array().unwrap().len(), 2);

    // The served counter is the gateway's own number.
    let requested = fetch(format!(
        "/v1/nodes/metrics?from={FROM}&to={TO}&metric=livepeer_ai_live_attempt&limit=1000"
    ))
    .await;
    let served: f64 = requested["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["last_value"].as_f64().unwrap())
        .sum();
    let published: f64 = gateway_counters
        .lines()
        .filter(|l| l.starts_with("livepeer_ai_live_attempt{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(published > 0.0);
    assert_eq!(served, published);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_is_served_from_the_binary_and_reads_only_served_paths() {
    let (status, headers, page) = raw("/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let page = String::from_utf8(page.to_vec()).unwrap();
    for (path, content_type) in [
        ("/dashboard/app.js", "text/javascript; charset=utf-8"),
        ("/dashboard/app.css", "text/css; charset=utf-8"),
    ] {
        assert!(page.contains(path), "the page loads {path}");
        let (status, headers, body) = raw(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["content-type"], content_type);
        assert!(headers.contains_key("etag"), "{path} can be revalidated");
        assert!(!body.is_empty());
    }
    // Everything the script fetches is an API route (nothing from a CDN or elsewhere).
    let (_, _, script) = raw("/dashboard/app.js", None).await;
    let script = String::from_utf8(script.to_vec()).unwrap();
    let fetched: Vec<&str> = script
        .split('"')
        .chain(script.split('`'))
        .filter(|s| s.starts_with("/v1/"))
        .collect();
    assert!(fetched.len() >= 10, "{fetched:?}");
    // A route template matches segment by segment; `{name}` in a route and `${…}` in the
    // script are variables.
    let matches = |route: &str, path: &str| {
        let (route, path): (Vec<_>, Vec<_>) = (route.split('/').collect(), path.split('/').collect());
        route.len() == path.len()
            && route
                .iter()
                .zip(&path)
                .all(|(r, p)| r == p || r.starts_with('{') || p.starts_with('$'))
    };
    for path in fetched {
        assert!(
            flight_server::documented_paths().iter().any(|r| matches(r, path)),
            "the dashboard fetches {path}, which is not an API route"
        );
    }
    assert!(
        !script.contains("https://"),
        "the dashboard loads nothing from the internet"
    );
    for path in flight_server::dashboard::DASHBOARD_ROUTES {
        assert_eq!(raw(path, None).await.0, StatusCode::OK, "{path}");
    }
}

/// An operator server (bronze, dead letters, private columns) needs credentials to start, and
/// then an `operator` token on every request but health and metrics: 401/403 problem+json over
/// HTTP, `UNAUTHENTICATED`/`PERMISSION_DENIED` over Flight SQL, all counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_data_needs_an_operator_token() {
    use arrow_flight::sql::client::FlightSqlServiceClient;
    use lakehouse_layout::credentials::{Credentials, token_digest};

    let fixture = fixture().await;
    let operator = flight_server::ServeConfig {
        profile: Profile::Operator,
        ..serve_config(test_limits())
    };
    let refused = flight_server::start(&fixture.lake, operator.clone()).await.unwrap_err();
    assert!(matches!(refused, flight_server::ServeError::NoCredentials), "{refused}");

    let text = format!(
        "ops operator {}\ngw push {}\n",
        token_digest("ops-token-1"),
        token_digest("push-token-2")
    );
    let config = flight_server::ServeConfig {
        credentials: Some(std::sync::Arc::new(Credentials::from_text(&text).unwrap())),
        ..operator
    };
    let servers = flight_server::start(&fixture.lake, config).await.unwrap();
    let base = format!("http://{}", servers.http_addr);
    let client = reqwest::Client::new();
    let rows = format!("{base}/v1/datasets/events/rows?limit=1");
    for (token, status) in [
        (None, 401),
        (Some("nope"), 401),
        (Some("push-token-2"), 403),
        (Some("ops-token-1"), 200),
    ] {
        let mut request = client.get(&rows);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{token:?}");
        if status == 401 {
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
        }
        if status != 200 {
            assert_eq!(response.headers()["content-type"], "application/problem+json");
        }
    }
    assert_eq!(
        client.get(format!("{base}/healthz")).send().await.unwrap().status(),
        200
    );

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", servers.flight_addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut anonymous = FlightSqlServiceClient::new(channel.clone());
    let error = anonymous.execute("SELECT 1".into(), None).await.unwrap_err();
    assert!(
        error.to_string().contains("Unauthenticated") || error.to_string().contains("token"),
        "{error}"
    );
    let mut pusher = FlightSqlServiceClient::new(channel.clone());
    pusher.set_token("push-token-2".into());
    let error = pusher.execute("SELECT 1".into(), None).await.unwrap_err();
    assert!(
        error.to_string().contains("PermissionDenied") || error.to_string().contains("scope"),
        "{error}"
    );
    let mut ops = FlightSqlServiceClient::new(channel);
    ops.set_token("ops-token-1".into());
    let info = ops
        .execute("SELECT count(*) AS n FROM events".into(), None)
        .await
        .unwrap();
    assert_eq!(info.endpoint.len(), 1);

    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in ["missing_credential", "unknown_credential", "wrong_scope"] {
        assert!(metrics.contains(needle), "{needle} not counted:\n{metrics}");
    }
    assert!(!metrics.contains("ops-token-1") && !metrics.contains("push-token-2"));
    servers.shutdown().await;
}

/// Exact continuous percentile (linear interpolation at p × (n − 1)), as DuckDB's
/// `quantile_cont`: computed here independently of DataFusion.
fn quantile_cont(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_hold_exact_percentiles_of_the_session_rows() {
    let at = "2026-01-08T17:00:00Z";
    let (status, _, body) = get(&format!("/v1/windows?at={at}&scope=network&window=1d")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    snapshot("windows_network_1d", &body);

    // The live rows against the organic sessions that started in the day before `at`, read
    // from the lake and ranked here.
    let ctx = datafusion::prelude::SessionContext::new();
    sql::catalog::register_lake(&ctx, &fixture().await.lake, [lakehouse_layout::Dataset::Sessions]).unwrap();
    let rows = body["data"].as_array().unwrap();
    let live: Vec<&Value> = rows.iter().filter(|r| r["pipeline"] == "live-video-to-video").collect();
    assert!(!live.is_empty());
    for row in live {
        let model = row["model_id"].as_str().unwrap();
        let batches = ctx
            .sql(&format!(
                "SELECT startup_latency_ms, startup_outcome FROM sessions WHERE requested AND model_id = '{model}' \
                 AND coalesce(traffic_class, 'organic') = 'organic' \
                 AND started_at > TIMESTAMP '{at}' - INTERVAL '1 day' AND started_at <= TIMESTAMP '{at}'"
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let (mut latencies, mut outcomes) = (Vec::new(), Vec::new());
        for batch in &batches {
            for i in 0..batch.num_rows() {
                if batch.column(0).is_valid(i) {
                    let text = arrow::util::display::array_value_to_string(batch.column(0), i).unwrap();
                    latencies.push(text.parse::<f64>().unwrap());
                }
                outcomes.push(arrow::util::display::array_value_to_string(batch.column(1), i).unwrap());
            }
        }
        latencies.sort_by(f64::total_cmp);
        let count = |o: &str| outcomes.iter().filter(|x| *x == o).count() as i64;
        assert_eq!(row["samples"].as_i64().unwrap(), outcomes.len() as i64, "{model}");
        assert_eq!(row["successes"].as_i64().unwrap(), count("success"), "{model}");
        assert_eq!(row["failures"].as_i64().unwrap(), count("failed"), "{model}");
        assert_eq!(row["excused"].as_i64().unwrap(), count("excused"), "{model}");
        assert_eq!(
            row["startup_latency_ms_samples"].as_i64().unwrap(),
            latencies.len() as i64
        );
        for (label, p) in [("p50", 0.5), ("p75", 0.75), ("p90", 0.9), ("p99", 0.99)] {
            let served = row[format!("startup_latency_ms_{label}")].as_f64().unwrap();
            let expected = quantile_cont(&latencies, p);
            // DataFusion truncates the interpolation weight to 1e-6 (sql::windows): the error
            // is at most 1e-6 of the gap between the two samples, plus the rounding to 0.001.
            let bound = 1e-6 * (latencies[latencies.len() - 1] - latencies[0]) + 5e-4 + 1e-9;
            assert!(
                (served - expected).abs() <= bound,
                "{model} {label}: {served} vs {expected} of {latencies:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slo_alerts_and_outages_are_served_from_the_burn_rates() {
    let (status, _, slo) = get("/v1/slo?at=2026-01-08T17:00:00Z").await;
    assert_eq!(status, StatusCode::OK, "{slo}");
    snapshot("slo_at_17h", &slo);
    let (status, _, alerts) = get(&format!("/v1/alerts?from={FROM}&to={TO}")).await;
    assert_eq!(status, StatusCode::OK, "{alerts}");
    snapshot("alerts", &alerts);
    // Every page episode is an outage record, and the filters narrow both.
    let (status, _, outages) = get(&format!("/v1/outages?from={FROM}&to={TO}")).await;
    assert_eq!(status, StatusCode::OK, "{outages}");
    let pages = alerts["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["severity"] == "page")
        .count();
    assert_eq!(outages["data"].as_array().unwrap().len(), pages);
    let (_, _, network) = get(&format!("/v1/alerts?from={FROM}&to={TO}&scope=network&severity=ticket")).await;
    assert!(
        network["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["scope"] == "network" && a["severity"] == "ticket")
    );
    // The same state as Prometheus gauges on /metrics, as of the latest evaluation.
    let app = router(fixture().await.state.clone());
    let metrics = send(&app, "/metrics").await.2;
    let labels = "objective=\"live_startup_success\",scope=\"network\",orchestrator=\"\"";
    let firing = sample(
        &metrics,
        &format!("naap_slo_alert_firing{{{labels},severity=\"ticket\"}}"),
    );
    assert!(firing.is_some_and(|f| f == 0.0 || f == 1.0), "{metrics}");
    assert!(
        sample(&metrics, &format!("naap_slo_error_budget_remaining{{{labels}}}")).is_some(),
        "{metrics}"
    );
    // An operator who lists orchestrators gets the network's gauges and theirs only.
    let listed = slo["data"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["orchestrator_address"].as_str())
        .unwrap()
        .to_string();
    assert!(metrics.matches("scope=\"orchestrator\"").count() > metrics.matches(listed.as_str()).count());
    let state = AppState {
        slo_orchestrators: vec![listed.to_uppercase().replace("0X", "0x")].into(),
        ..fixture().await.state.clone()
    };
    let narrowed = send(&router(state), "/metrics").await.2;
    let orchestrators: std::collections::BTreeSet<&str> = narrowed
        .lines()
        .filter(|l| l.starts_with("naap_slo_") && l.contains("scope=\"orchestrator\""))
        .filter_map(|l| l.split("orchestrator=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(
        orchestrators,
        std::collections::BTreeSet::from([listed.as_str()]),
        "{narrowed}"
    );
    assert!(narrowed.contains(&format!("naap_slo_error_budget_remaining{{{labels}}}")));
    // The latest hour's health verdicts are gauges too, one per rule that could judge.
    let (_, _, health) = get(&format!("/v1/health?from={FROM}&to={TO}&limit=10000")).await;
    let rows = health["data"].as_array().unwrap();
    let latest = rows.iter().filter_map(|r| r["window_start"].as_str()).max().unwrap();
    let verdicts: std::collections::BTreeSet<String> = rows
        .iter()
        .filter(|r| r["window_start"] == latest && !r["degraded"].is_null())
        .map(|r| {
            format!(
                "naap_health_degraded{{orchestrator=\"{}\",pipeline=\"{}\",model=\"{}\",rule=\"{}\"}} {}",
                r["orchestrator_address"].as_str().unwrap(),
                r["pipeline"].as_str().unwrap(),
                r["model_id"].as_str().unwrap_or_default(),
                r["rule"].as_str().unwrap(),
                u8::from(r["degraded"] == true)
            )
        })
        .collect();
    assert!(!verdicts.is_empty());
    let gauges: std::collections::BTreeSet<String> = metrics
        .lines()
        .filter(|l| l.starts_with("naap_health_degraded{"))
        .map(str::to_string)
        .collect();
    assert_eq!(gauges, verdicts);
    assert!(metrics.contains("naap_data_degraded{source_kind=\""), "{metrics}");
    // The network's budget over 30 days is the sessions' own count.
    let network_row = slo["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "network")
        .unwrap()
        .clone();
    assert!(network_row["events_30d"].as_i64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn price_performance_puts_the_last_advertised_price_beside_the_score() {
    let model = "streamdiffusion-sdxl";
    let uri = format!("/v1/price-performance?from={FROM}&to={TO}&model={model}");
    let (status, _, body) = get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    snapshot("price_performance", &body);

    // The scores are the leaderboard's, row for row.
    let board = get_owned(format!("/v1/leaderboard?from={FROM}&to={TO}&model={model}&limit=1000")).await;
    let rows = body["data"].as_array().unwrap();
    for entry in board["data"].as_array().unwrap() {
        let row = rows
            .iter()
            .find(|r| r["orchestrator_address"] == entry["orchestrator_address"])
            .unwrap_or_else(|| panic!("{entry} missing"));
        assert_eq!(row["naap_score"], entry["naap_score"]);
        assert_eq!(row["rank"], entry["rank"]);
    }

    // The price is the last one each orchestrator advertised for live video of the model in
    // the window, read from the silver quotes here, not from gold `prices`.
    let ctx = datafusion::prelude::SessionContext::new();
    sql::catalog::register_lake(
        &ctx,
        &fixture().await.lake,
        [lakehouse_layout::Dataset::CapabilityPrices],
    )
    .unwrap();
    let batches = ctx
        .sql(&format!(
            "SELECT lower(orchestrator_address), CAST(event_ts AS BIGINT), price_wei_per_unit FROM capability_prices \
             WHERE capability_id = 35 AND \"constraint\" = '{model}' \
               AND event_ts >= TIMESTAMP '{FROM}' AND event_ts < TIMESTAMP '{TO}'"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut last: std::collections::BTreeMap<String, (i64, f64)> = Default::default();
    for batch in &batches {
        for i in 0..batch.num_rows() {
            let text = |c: usize| arrow::util::display::array_value_to_string(batch.column(c), i).unwrap();
            let (address, at, price) = (
                text(0),
                text(1).parse::<i64>().unwrap(),
                text(2).parse::<f64>().unwrap(),
            );
            let slot = last.entry(address).or_insert((at, price));
            if at >= slot.0 {
                *slot = (at, price);
            }
        }
    }
    assert!(last.len() >= 3, "{last:?}");
    for (address, (_, price)) in &last {
        let row = rows
            .iter()
            .find(|r| r["orchestrator_address"] == address.as_str())
            .unwrap_or_else(|| panic!("{address} has a price but no row"));
        assert!(
            (row["price_wei_per_unit"].as_f64().unwrap() - price).abs() < 1e-6,
            "{row}"
        );
    }
    let priced = rows.iter().filter(|r| !r["price_wei_per_unit"].is_null()).count();
    assert_eq!(priced, last.len(), "no price without a quote");

    // A price is per model: without one, a 400 that names it.
    let (status, _, problem) = get(&format!("/v1/price-performance?from={FROM}&to={TO}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["parameter"], "model", "{problem}");
}
