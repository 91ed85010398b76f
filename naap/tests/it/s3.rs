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
    let store = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&server.endpoint)
        .with_allow_http(true)
        .with_bucket_name("naap-batch")
        .with_region("us-east-1")
        .with_access_key_id("naap-test")
        .with_secret_access_key("naap-test-secret")
        .build()
        .unwrap();
    let store: std::sync::Arc<dyn object_store::ObjectStore> =
        std::sync::Arc::new(object_store::prefix::PrefixStore::new(store, "lake"));
    let s3_lake = lakehouse_layout::Lake::from_store(store, lake);
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
