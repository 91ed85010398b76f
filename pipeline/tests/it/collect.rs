//! Pull collectors against local HTTP servers: real capability captures, a registry answer
//! with big integers, a gateway metrics page, and targets that fail in every way.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use lakehouse_layout::{Dataset, Lake};
use pipeline::clock::{FixedClock, SystemClock};
use pipeline::collect::{Collector, CollectorConfig, Endpoint, Target};

use crate::support::{decimals, ingestor, ints, read_dataset, strings};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{path}")).unwrap()
}

/// Serves `app` on a free local port; its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A gateway serving the real 53-orchestrator capture, the registry answer and its metrics.
async fn gateway() -> String {
    let capabilities = read("livepeer/network-capabilities-53-orchestrators.json");
    let registry = read("collect/registered-orchestrators.json");
    let metrics = read("collect/go-livepeer-gateway-metrics.txt");
    serve(
        Router::new()
            .route("/getNetworkCapabilities", get(move || async move { capabilities }))
            .route("/registeredOrchestrators", get(move || async move { registry }))
            .route("/metrics", get(move || async move { metrics })),
    )
    .await
}

fn target(name: &str, endpoint: Endpoint, url: String, timeout_ms: u64) -> Target {
    Target {
        name: name.into(),
        endpoint,
        url: url.parse().unwrap(),
        interval: Duration::from_millis(150),
        timeout: Duration::from_millis(timeout_ms),
    }
}

/// 2026-01-09T10:00:00Z.
const POLL_TIME: i64 = 1_767_952_800_000;

#[tokio::test]
async fn one_poll_of_each_endpoint_fills_the_silver_tables_exactly() {
    let base = gateway().await;
    let lake = Lake::in_memory();
    let mut config = CollectorConfig::default();
    config
        .add_flags(
            std::slice::from_ref(&base),
            std::slice::from_ref(&base),
            None,
            Duration::from_secs(5),
        )
        .unwrap();
    let collector = Collector::new(config, ingestor(&lake), FixedClock::new(POLL_TIME)).unwrap();
    let report = collector.once().await.unwrap();
    assert_eq!(report.count("ok"), 3, "{report:?}");
    assert_eq!(report.ingest.dead_letter_total(), 0);

    // Capabilities become the same rows as the Kafka event (capture.rs checks those values).
    assert_eq!(
        read_dataset(&lake, Dataset::CapabilityOrchestrators).await.num_rows(),
        53
    );
    assert_eq!(read_dataset(&lake, Dataset::CapabilityGpus).await.num_rows(), 19);
    assert_eq!(read_dataset(&lake, Dataset::CapabilityPrices).await.num_rows(), 44);
    let host = base.trim_start_matches("http://").to_string();
    let orchestrators = read_dataset(&lake, Dataset::CapabilityOrchestrators).await;
    assert!(
        strings(&orchestrators, "gateway")
            .iter()
            .all(|g| g.as_deref() == Some(host.as_str()))
    );

    // The registry keeps stakes beyond 2^53 exact.
    let registry = read_dataset(&lake, Dataset::OrchestratorRegistry).await;
    assert_eq!(
        decimals(&registry, "delegated_stake"),
        [
            Some(123_456_789_012_345_678_901_234),
            Some(9_007_199_254_740_993),
            Some(0)
        ]
    );
    assert_eq!(
        strings(&registry, "status"),
        [
            Some("Registered".into()),
            Some("Registered".into()),
            Some("Not Registered".into())
        ]
    );
    assert_eq!(
        ints(&registry, "fee_share_ppm"),
        [Some(750_000), Some(500_000), Some(0)]
    );
    let prices = registry
        .column_by_name("price_wei_per_pixel")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::Float64Array>()
        .unwrap();
    assert_eq!(prices.values().to_vec(), [1200.0, 1.5, 0.0]);

    // One row per sample line of the page (28), with labels as sent.
    let metrics = read_dataset(&lake, Dataset::NodeMetrics).await;
    let page = read("collect/go-livepeer-gateway-metrics.txt");
    let lines = page
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .count();
    assert_eq!(metrics.num_rows(), lines);
    let names = strings(&metrics, "metric");
    let errors: Vec<_> = names
        .iter()
        .zip(strings(&metrics, "error_code"))
        .filter(|(name, _)| name.as_deref() == Some("livepeer_ai_request_errors"))
        .map(|(_, code)| code.unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "insufficient capacity",
            "Post \"https://23.95.72.121:8443/text-to-image\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            "invalid JSON: unexpected token at line 1\nretrying, with \\backslash, and a comma",
        ]
    );
    // Empty labels are NULL in typed columns and kept in `labels`; `livepeer_versions` has
    // no node id; histogram samples keep their suffix.
    let idle = names
        .iter()
        .position(|n| n.as_deref() == Some("livepeer_ai_container_idle"))
        .unwrap();
    assert_eq!(strings(&metrics, "pipeline")[idle], None);
    assert!(
        strings(&metrics, "labels")[idle]
            .as_deref()
            .unwrap()
            .contains(r#""pipeline":"""#)
    );
    let versions = names
        .iter()
        .position(|n| n.as_deref() == Some("livepeer_versions"))
        .unwrap();
    assert_eq!(strings(&metrics, "node_id")[versions], None);
    assert_eq!(strings(&metrics, "node_type")[versions].as_deref(), Some("bctr"));
    let count = |name: &str| names.iter().filter(|n| n.as_deref() == Some(name)).count();
    assert_eq!(count("livepeer_ai_result_download_time_seconds_bucket"), 4);
    assert_eq!(count("livepeer_ai_result_download_time_seconds_sum"), 1);

    // Every poll is a row, with what it brought.
    let polls = read_dataset(&lake, Dataset::CollectorPolls).await;
    let mut by_endpoint: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for ((endpoint, outcome), items) in strings(&polls, "endpoint")
        .into_iter()
        .zip(strings(&polls, "outcome"))
        .zip(ints(&polls, "items"))
    {
        by_endpoint.insert(endpoint.unwrap(), (outcome.unwrap(), items.unwrap()));
    }
    assert_eq!(
        by_endpoint,
        BTreeMap::from([
            ("metrics".into(), ("ok".into(), lines as i64)),
            ("network_capabilities".into(), ("ok".into(), 53)),
            ("orchestrator_registry".into(), ("ok".into(), 3)),
        ])
    );

    // Polling again at the same instant rewrites the same files: no duplicate rows.
    collector.once().await.unwrap();
    assert_eq!(read_dataset(&lake, Dataset::OrchestratorRegistry).await.num_rows(), 3);
    assert_eq!(read_dataset(&lake, Dataset::CollectorPolls).await.num_rows(), 3);
}

#[tokio::test]
async fn failing_targets_become_data_while_the_others_keep_being_polled() {
    let good = gateway().await;
    let bad = serve(
        Router::new()
            .route(
                "/slow/metrics",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "too late"
                }),
            )
            .route(
                "/error/metrics",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded") }),
            )
            .route(
                "/html/metrics",
                get(|| async { "<html><body>502 Bad Gateway</body></html>\n" }),
            )
            .route("/getNetworkCapabilities", get(|| async { "{\"orchestrators\": 12" }))
            .route(
                "/registeredOrchestrators",
                get(|| async { r#"[{"DelegatedStake": 1.5e24}]"# }),
            ),
    )
    .await;
    // A port nobody listens on: bind one, then let it go.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let lake = Lake::in_memory();
    let config = CollectorConfig {
        targets: vec![
            target("good", Endpoint::Metrics, format!("{good}/metrics"), 2000),
            target("slow", Endpoint::Metrics, format!("{bad}/slow/metrics"), 300),
            target("error", Endpoint::Metrics, format!("{bad}/error/metrics"), 2000),
            target("html", Endpoint::Metrics, format!("{bad}/html/metrics"), 2000),
            target(
                "caps",
                Endpoint::NetworkCapabilities,
                format!("{bad}/getNetworkCapabilities"),
                2000,
            ),
            target(
                "registry",
                Endpoint::OrchestratorRegistry,
                format!("{bad}/registeredOrchestrators"),
                2000,
            ),
            target("closed", Endpoint::Metrics, format!("http://{closed}/metrics"), 2000),
        ],
        flush_interval: Duration::from_millis(300),
        jitter: 0.1,
        max_backoff: Duration::from_millis(300),
        seed: 1,
        ..CollectorConfig::default()
    };
    let collector = Collector::new(config, ingestor(&lake), std::sync::Arc::new(SystemClock)).unwrap();
    let report = collector
        .run(tokio::time::sleep(Duration::from_millis(1500)))
        .await
        .unwrap();

    // The good target was polled all along, while the others failed.
    let polls = |target: &str| report.polls.get(target).cloned().unwrap_or_default();
    assert!(polls("good").get("ok").copied().unwrap_or(0) >= 4, "{report:?}");
    for (target, outcome) in [
        ("slow", "timeout"),
        ("error", "http_error"),
        ("html", "invalid_response"),
        ("caps", "invalid_response"),
        ("registry", "invalid_response"),
        ("closed", "connect_error"),
    ] {
        let by_outcome = polls(target);
        assert_eq!(by_outcome.keys().collect::<Vec<_>>(), [outcome], "{target}: {report:?}");
    }

    // Each failure is a poll row with its reason; unusable answers are dead letters.
    let rows = read_dataset(&lake, Dataset::CollectorPolls).await;
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    for ((target, error), status) in strings(&rows, "target")
        .into_iter()
        .zip(strings(&rows, "error"))
        .zip(ints(&rows, "http_status"))
    {
        let target = target.unwrap();
        if target == "error" {
            assert_eq!(status, Some(500));
        }
        if let Some(error) = error {
            errors.insert(target, error);
        }
    }
    assert!(errors["error"].contains("upstream exploded"), "{errors:?}");
    assert!(
        errors["html"].starts_with("the metrics page is not Prometheus text"),
        "{errors:?}"
    );
    assert!(errors["caps"].contains("`orchestrators` array"), "{errors:?}");
    assert!(errors["registry"].contains("DelegatedStake"), "{errors:?}");
    assert!(!errors.contains_key("good"));
    let failures = ints(&rows, "consecutive_failures");
    assert!(
        failures.iter().flatten().any(|n| *n >= 2),
        "back-off counts failures: {failures:?}"
    );

    let dead = read_dataset(&lake, Dataset::DeadLetters).await;
    // An answer that is not even the family's JSON is kept as a string: the envelope is
    // refused. One that is JSON of the wrong shape is refused by the family's decoder.
    let reasons: std::collections::BTreeSet<_> = strings(&dead, "event_type")
        .into_iter()
        .zip(strings(&dead, "reason"))
        .map(|(family, reason)| (family.unwrap(), reason.unwrap()))
        .collect();
    assert_eq!(
        reasons.into_iter().collect::<Vec<_>>(),
        [
            ("naap_metrics_scrape".to_string(), "invalid_payload".to_string()),
            ("naap_orchestrator_registry".into(), "invalid_payload".into()),
            ("network_capabilities".into(), "invalid_envelope".into()),
        ]
    );
}
