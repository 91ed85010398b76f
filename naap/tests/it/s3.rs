//! A real S3 API server for tests: moto's `moto_server`, a separate process speaking the S3
//! protocol over HTTP (`pip install "moto[server]"`; `.ci/run` installs it).
//!
//! Without `moto_server` on the PATH an S3 test reports that it was skipped, unless
//! `NAAP_REQUIRE_S3_SERVER` is set (as `.ci/run` does), in which case it fails: CI never
//! passes an S3 test that did not run.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct S3Server {
    child: Child,
    pub(crate) endpoint: String,
}

impl S3Server {
    /// Starts a server with one empty bucket, or `None` when moto is not installed (and not
    /// required).
    pub(crate) async fn start(bucket: &str) -> Option<S3Server> {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = match Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) if std::env::var_os("NAAP_REQUIRE_S3_SERVER").is_none() => {
                eprintln!("SKIPPED: no S3 server (moto_server: {e}); pip install \"moto[server]\" to run this test");
                return None;
            }
            Err(e) => panic!("NAAP_REQUIRE_S3_SERVER is set but moto_server cannot start: {e}"),
        };
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match client.put(format!("{}/{bucket}", server.endpoint)).send().await {
                Ok(response) if response.status().is_success() => return Some(server),
                Ok(response) => panic!("creating bucket {bucket}: HTTP {}", response.status()),
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => panic!("moto_server did not answer within 30 s: {e}"),
            }
        }
    }

    /// The environment that points `object_store`'s S3 client (`AmazonS3Builder::from_env`)
    /// at this server.
    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "naap-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "naap-test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl S3Server {
    /// The lake `url` (`s3://BUCKET/lake`) read straight from this server.
    pub(crate) fn lake(&self, bucket: &str, url: &str) -> lakehouse_layout::Lake {
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id("naap-test")
            .with_secret_access_key("naap-test-secret")
            .build()
            .unwrap();
        let store: std::sync::Arc<dyn object_store::ObjectStore> =
            std::sync::Arc::new(object_store::prefix::PrefixStore::new(store, "lake"));
        lakehouse_layout::Lake::from_store(store, url)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `naap ARGS…` against a lake URL with `env`, to completion; returns stdout.
fn naap_env(lake: &str, args: &[&str], env: &[(&'static str, String)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_naap"))
        .args(["--lake", lake])
        .args(args)
        .env("NAAP_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run naap");
    assert!(
        output.status.success(),
        "naap {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The batch commands over a real S3 API: ingest → rollup → snapshot → verify → compact, and
/// the lake listed over S3 holds what the same commands write on a local disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_rollup_snapshot_verify_and_compact_on_an_s3_store() {
    let Some(server) = S3Server::start("naap-batch").await else {
        return;
    };
    let env = server.env();
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(4),
        start_ms: Some(1_767_880_800_000),
        hours: Some(3),
    };
    let (lines, _) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    std::fs::write(&events, lines.join("\n")).unwrap();

    let lake = "s3://naap-batch/lake";
    let local = dir.path().join("local");
    let local = local.to_str().unwrap();
    for target in [lake, local] {
        let env: &[(&'static str, String)] = if target == lake { &env } else { &[] };
        naap_env(target, &["ingest", "--file", events.to_str().unwrap()], env);
        naap_env(target, &["rollup"], env);
    }
    // The same gold rows on S3 as on disk.
    let s3_lake = server.lake("naap-batch", lake);
    let disk_lake = lakehouse_layout::Lake::open(local).unwrap();
    same_gold(&s3_lake, &disk_lake).await;

    let printed = naap_env(
        lake,
        &[
            "snapshot",
            "--from",
            "2026-01-08T14:00:00Z",
            "--to",
            "2026-01-08T17:00:00Z",
        ],
        &env,
    );
    let id = printed.split_whitespace().nth(1).unwrap().to_string();
    let verified = naap_env(lake, &["verify", &format!("{lake}/snapshots/{id}")], &env);
    assert!(!verified.is_empty());
    naap_env(lake, &["compact", "--min-age-hours", "2"], &env);
    same_gold(&s3_lake, &disk_lake).await;
}

/// The scores and the sessions behind them are the same in both lakes.
async fn same_gold(a: &lakehouse_layout::Lake, b: &lakehouse_layout::Lake) {
    for dataset in [
        lakehouse_layout::Dataset::Sessions,
        lakehouse_layout::Dataset::SlaHourly,
    ] {
        assert_eq!(
            crate::support::sorted_rows(a, dataset).await,
            crate::support::sorted_rows(b, dataset).await,
            "{dataset}"
        );
    }
}

/// What the proxy does to the first `PUT` of an object, in turn: the n-th distinct object
/// gets `FAULTS[n % FAULTS.len()]`; the retry of the same object passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// Forwarded and answered as the server answered.
    None,
    /// Refused with `503 SlowDown`, never forwarded: a failed put.
    Refused,
    /// Dropped before it reaches the server, the connection closed without an answer.
    Dropped,
    /// Only the first half of the body reaches the server, then the connection to it closes:
    /// a put cut off mid-upload, which must never leave a partial object.
    Truncated,
    /// Stored by the server, but the answer comes after the client's timeout: a slow put
    /// whose acknowledgement is lost.
    Slow,
}

const FAULTS: [Fault; 5] = [
    Fault::None,
    Fault::Refused,
    Fault::Dropped,
    Fault::Truncated,
    Fault::Slow,
];

/// An HTTP proxy in front of the S3 server that injects [`Fault`]s into object uploads.
struct FaultyProxy {
    endpoint: String,
    injected: std::sync::Arc<std::sync::Mutex<ProxyLog>>,
}

#[derive(Default)]
struct ProxyLog {
    /// Attempts per object path.
    attempts: std::collections::HashMap<String, usize>,
    injected: std::collections::BTreeMap<Fault, usize>,
}

impl FaultyProxy {
    async fn start(upstream: &str, slow_answer: Duration) -> FaultyProxy {
        use axum::body::{Body, to_bytes};
        use axum::extract::{Request, State};
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};

        #[derive(Clone)]
        struct Proxy {
            upstream: String,
            client: reqwest::Client,
            log: std::sync::Arc<std::sync::Mutex<ProxyLog>>,
            slow_answer: Duration,
        }

        async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
            let (parts, body) = request.into_parts();
            let body = to_bytes(body, usize::MAX).await.unwrap();
            let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let fault = if parts.method == axum::http::Method::PUT {
                let mut log = proxy.log.lock().unwrap();
                let objects = log.attempts.len();
                let attempt = log.attempts.entry(parts.uri.path().to_string()).or_default();
                *attempt += 1;
                let fault = if *attempt == 1 {
                    FAULTS[objects % FAULTS.len()]
                } else {
                    Fault::None
                };
                *log.injected.entry(fault).or_default() += 1;
                fault
            } else {
                Fault::None
            };
            match fault {
                Fault::Refused => {
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "<Error><Code>SlowDown</Code><Message>injected</Message></Error>",
                    )
                        .into_response();
                }
                Fault::Dropped => {
                    // A body that fails makes hyper close the connection mid-answer.
                    let failing = futures::stream::once(async {
                        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("injected drop"))
                    });
                    return Response::builder()
                        .status(200)
                        .header("content-length", "10")
                        .body(Body::from_stream(failing))
                        .unwrap();
                }
                Fault::Truncated => {
                    // The request as sent, its declared length intact, half its body, then EOF.
                    use tokio::io::AsyncWriteExt;
                    let authority = proxy.upstream.trim_start_matches("http://");
                    let mut upstream = tokio::net::TcpStream::connect(authority).await.unwrap();
                    let mut head = format!("PUT {path_and_query} HTTP/1.1\r\n");
                    for (name, value) in &parts.headers {
                        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or_default()));
                    }
                    head.push_str("\r\n");
                    upstream.write_all(head.as_bytes()).await.unwrap();
                    upstream.write_all(&body[..body.len() / 2]).await.unwrap();
                    upstream.shutdown().await.unwrap();
                    drop(upstream);
                    return (StatusCode::BAD_GATEWAY, "injected truncation").into_response();
                }
                Fault::None | Fault::Slow => {}
            }
            let mut upstream = proxy
                .client
                .request(parts.method.clone(), format!("{}{path_and_query}", proxy.upstream))
                .body(body);
            for (name, value) in &parts.headers {
                if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
                    upstream = upstream.header(name, value);
                }
            }
            let answer = upstream.send().await.unwrap();
            if fault == Fault::Slow {
                tokio::time::sleep(proxy.slow_answer).await;
            }
            let mut response = Response::builder().status(answer.status().as_u16());
            for (name, value) in answer.headers() {
                if name != axum::http::header::TRANSFER_ENCODING && name != axum::http::header::CONNECTION {
                    response = response.header(name, value);
                }
            }
            response.body(Body::from(answer.bytes().await.unwrap())).unwrap()
        }

        let log = std::sync::Arc::new(std::sync::Mutex::new(ProxyLog::default()));
        let proxy = Proxy {
            upstream: upstream.to_string(),
            client: reqwest::Client::new(),
            log: std::sync::Arc::clone(&log),
            slow_answer,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        tokio::spawn(async move { axum::serve(listener, app).await });
        FaultyProxy {
            endpoint,
            injected: log,
        }
    }

    fn injected(&self) -> std::collections::BTreeMap<Fault, usize> {
        self.injected.lock().unwrap().injected.clone()
    }
}

/// Puts that fail, break off mid-upload or answer too late, against the S3 server itself:
/// ingest and rollup retry each, no partial object is ever visible, and the lake ends up
/// holding exactly what a run without faults writes — nothing lost, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_cut_off_and_slow_puts_leave_nothing_partial_and_lose_nothing() {
    let Some(server) = S3Server::start("naap-faults").await else {
        return;
    };
    // The client gives up on an answer after 1 s; the proxy answers slow puts after 3 s.
    let proxy = FaultyProxy::start(&server.endpoint, Duration::from_secs(3)).await;
    let env: Vec<(&'static str, String)> = server
        .env()
        .into_iter()
        .map(|(k, v)| {
            if k == "AWS_ENDPOINT" {
                (k, proxy.endpoint.clone())
            } else {
                (k, v)
            }
        })
        .chain([("AWS_TIMEOUT", "1s".to_string())])
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(5),
        start_ms: Some(1_767_880_800_000),
        hours: Some(2),
    };
    let (lines, _) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    std::fs::write(&events, lines.join("\n")).unwrap();
    let events = events.to_str().unwrap();

    let lake = "s3://naap-faults/lake";
    let local = dir.path().join("local");
    let local = local.to_str().unwrap();
    let mut printed = Vec::new();
    for (target, env) in [(lake, env.as_slice()), (local, &[][..])] {
        printed.push(naap_env(target, &["ingest", "--file", events], env));
        naap_env(target, &["rollup"], env);
    }
    assert_eq!(printed[0], printed[1], "the same messages accepted and dead-lettered");
    let injected = proxy.injected();
    for fault in FAULTS {
        assert!(
            injected.get(&fault).copied().unwrap_or(0) > 0,
            "{fault:?} never injected: {injected:?}"
        );
    }

    // Straight from the server (not through the proxy): every object is whole...
    let s3_lake = server.lake("naap-faults", lake);
    let disk_lake = lakehouse_layout::Lake::open(local).unwrap();
    use lakehouse_layout::Layer;
    for dataset in lakehouse_layout::Dataset::ALL {
        for (_, meta) in s3_lake.list_files(dataset).await.unwrap() {
            let bytes = s3_lake.get(&meta.location).await.unwrap();
            lakehouse_layout::describe_file(meta.location.as_ref(), bytes)
                .unwrap_or_else(|e| panic!("{} is not a whole Parquet file: {e}", meta.location));
        }
        // ...and each dataset holds the same rows as the lake written without faults (bronze
        // and dead letters as many: their `ingested_at` is the wall clock of each run, and so
        // are the ingestion lags of data quality and of its freshness rule).
        let (faulty, clean) = (
            crate::support::sorted_rows(&s3_lake, dataset).await,
            crate::support::sorted_rows(&disk_lake, dataset).await,
        );
        if matches!(dataset.layer(), Layer::Bronze | Layer::DeadLetters)
            || matches!(
                dataset,
                lakehouse_layout::Dataset::DataQualityHourly | lakehouse_layout::Dataset::DataHealthStates
            )
        {
            assert_eq!(faulty.len(), clean.len(), "{dataset}");
        } else {
            assert_eq!(faulty, clean, "{dataset}");
        }
    }
}

/// A running `serve` tells when its store stops answering: live while its change-log
/// watcher reads the lake, then, once the S3 server is gone, `/healthz` fails after
/// `--stall-secs` (its answers would no longer follow the lake) and `/readyz` says the lake
/// does not answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_fails_its_health_check_when_the_store_stops_answering() {
    let Some(server) = S3Server::start("naap-stall").await else {
        return;
    };
    let env = server.env();
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let naap = crate::support::Naap::spawn_with("s3://naap-stall/lake", &["serve", "--stall-secs", "2"], &envs).await;
    crate::support::until_status(&naap.http, "/readyz", 200).await;
    // Live for longer than the stall limit while the store answers.
    let live_until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < live_until {
        assert_eq!(crate::support::http_get(&naap.http, "/healthz").await.0, 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(server);
    let body: serde_json::Value =
        serde_json::from_str(&crate::support::until_status(&naap.http, "/healthz", 503).await).unwrap();
    assert!(body["detail"].as_str().unwrap().contains("change log"), "{body}");
    let (status, body) = crate::support::http_get(&naap.http, "/readyz").await;
    assert_eq!(status, 503, "{body}");
}
