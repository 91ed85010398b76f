//! The test-load runner against the mock gateway: every outcome classified as the mock
//! served it (success, 4xx, 5xx, timeout, malformed body, no listener), and result bundles
//! that verify untouched and fail when tampered with.

use std::collections::BTreeMap;

use scenarios::Scenario;
use scenarios::testload::bundle::{summarise, verify_bundle, write_bundle};
use scenarios::testload::mock_gateway::{MockConfig, MockGateway, Served};
use scenarios::testload::runner::{RunError, RunOptions, TestResult, run_test_load};

const TEST_LOAD: &str = r#"
[test_load]
probe_region = "FRA"
requests = 20
timeout_ms = 300
jobs = [
    { pipeline = "text-to-image", model = "SG161222/RealVisXL_V4.0_Lightning" },
    { pipeline = "llm", model = "meta-llama/Meta-Llama-3.1-8B-Instruct" },
    { pipeline = "text-to-image", model = "" },
]
"#;

fn scenario() -> (String, Scenario) {
    let demo = scenarios::library::scenario_text("demo").unwrap();
    let text = format!("{}{TEST_LOAD}", &demo[..demo.find("[test_load]").unwrap()]);
    let scenario = Scenario::from_toml(&text).unwrap();
    (text, scenario)
}

fn options(target: String) -> RunOptions {
    RunOptions {
        target,
        seed: 3,
        concurrency: 8,
        probe_region: None,
    }
}

fn clock() -> i64 {
    1_767_895_200_000
}

async fn run_against_mock() -> (Vec<TestResult>, BTreeMap<Served, u64>) {
    let config = MockConfig {
        latency_ms: 5,
        failure_rate: 0.2,
        timeout_rate: 0.1,
        hang_ms: 1_500,
        malformed_rate: 0.1,
        seed: 9,
    };
    let mock = MockGateway::start(([127, 0, 0, 1], 0).into(), config).await.unwrap();
    let (_, scenario) = scenario();
    let results = run_test_load(&scenario, &options(mock.url()), clock).await.unwrap();
    (results, mock.served())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outcome_is_classified_as_the_gateway_served_it() {
    let (results, served) = run_against_mock().await;
    assert_eq!(results.len(), 60);
    assert!(
        results.iter().enumerate().all(|(i, r)| r.sequence == i as u64),
        "results in request order"
    );
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &results {
        *classes
            .entry(if r.success { "ok" } else { r.error_class.as_str() })
            .or_default() += 1;
    }
    let get = |s: Served| served.get(&s).copied().unwrap_or(0);
    assert_eq!(
        get(Served::BadRequest),
        20,
        "the job without a model is refused every time"
    );
    let expected: BTreeMap<&str, u64> = [
        ("ok", get(Served::Ok)),
        ("http_4xx", get(Served::BadRequest)),
        ("http_5xx", get(Served::Unavailable)),
        ("timeout", get(Served::Hung)),
        ("malformed_response", get(Served::Malformed)),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    assert_eq!(classes, expected);
    for class in ["http_5xx", "timeout", "malformed_response", "ok"] {
        assert!(
            classes.contains_key(class),
            "the mock's rates should produce {class}: {classes:?}"
        );
    }
    for r in &results {
        match r.error_class.as_str() {
            "" => assert_eq!(r.http_status, Some(200)),
            "http_4xx" => assert_eq!(r.http_status, Some(400)),
            "http_5xx" => assert_eq!(r.http_status, Some(503)),
            "timeout" => assert!(r.latency_ms >= 300.0 && r.http_status.is_none(), "{r:?}"),
            "malformed_response" => assert!(
                r.error.contains("images[].url") || r.error.contains("choices") || r.error.contains("not JSON"),
                "{r:?}"
            ),
            other => panic!("unexpected class {other}"),
        }
        assert_eq!(r.probe_region, "FRA");
        assert_eq!(r.started_at, clock());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_listener_is_a_connect_error_and_a_bad_target_is_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_, scenario) = scenario();
    let results = run_test_load(&scenario, &options(format!("http://127.0.0.1:{port}")), clock)
        .await
        .unwrap();
    assert!(
        results.iter().all(|r| r.error_class == "connect_error"),
        "{:?}",
        results[0]
    );
    let error = run_test_load(&scenario, &options("ftp://gateway".into()), clock)
        .await
        .unwrap_err();
    assert!(matches!(error, RunError::BadTarget(_)), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_verifies_and_tampering_is_named() {
    let (results, _) = run_against_mock().await;
    let (text, _) = scenario();
    let summary = summarise(&results, 3).unwrap();
    assert_eq!(summary.requests, 60);
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &text, &summary, &results).unwrap();
    assert_eq!(verify_bundle(dir.path()).unwrap(), summary);

    // One byte of the results flipped: named by its hash.
    let results_path = dir.path().join("results.jsonl");
    let mut tampered = std::fs::read(&results_path).unwrap();
    let at = tampered.iter().position(|&b| b == b'7').unwrap_or(10);
    tampered[at] = if tampered[at] == b'7' { b'8' } else { b'x' };
    std::fs::write(&results_path, &tampered).unwrap();
    let problems = verify_bundle(dir.path()).unwrap_err();
    assert!(
        problems.iter().any(|p| p.starts_with("results.jsonl: content differs")),
        "{problems:?}"
    );

    // A result changed and the manifest rewritten to match: the events and summary disagree.
    let mut changed = results.clone();
    changed[0].success = !changed[0].success;
    write_bundle(dir.path(), &text, &summary, &changed).unwrap();
    let problems = verify_bundle(dir.path()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("run.json: summary does not match")),
        "{problems:?}"
    );

    // A missing and an extra file.
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &text, &summary, &results).unwrap();
    std::fs::remove_file(dir.path().join("events.jsonl")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hi").unwrap();
    let problems = verify_bundle(dir.path()).unwrap_err();
    assert!(
        problems.iter().any(|p| p.starts_with("events.jsonl: cannot read")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("notes.txt: not part of a bundle")),
        "{problems:?}"
    );
}
