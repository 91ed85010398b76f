//! HTTP push: batches of envelopes over `POST /v1/events`.

use lakehouse_layout::{Dataset, Lake};
use pipeline::source::http::router;
use serde_json::Value;

use crate::support::{ingestor, read_dataset};

async fn serve(lake: &Lake, max_body: usize) -> String {
    serve_with(lake, max_body, None).await
}

async fn serve_with(
    lake: &Lake,
    max_body: usize,
    credentials: Option<std::sync::Arc<lakehouse_layout::credentials::Credentials>>,
) -> String {
    let app = router(ingestor(lake), "push-test", 1_767_916_800_000, max_body, credentials);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1/events")
}

const CAPTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/livepeer/stream-events-capture-2026-01-08.json"
);

#[tokio::test]
async fn pushed_batches_are_durable_when_answered() {
    let lake = Lake::in_memory();
    let url = serve(&lake, 1024 * 1024).await;
    let client = reqwest::Client::new();

    // The real capture's envelopes as JSONL, with one broken line in the middle.
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let mut lines: Vec<String> = capture.iter().map(|r| r["value"].to_string()).collect();
    lines.insert(10, "{not json".to_string());
    let response = client.post(&url).body(lines.join("\n")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["received"], 66);
    assert_eq!(body["accepted"], 65);
    assert_eq!(body["dead_letters"], 1);
    assert_eq!(body["dead_letters_by_reason"]["not_json"], 1);
    // Bronze keeps every message received, the broken line too.
    assert_eq!(read_dataset(&lake, Dataset::Events).await.num_rows(), 66);
    assert_eq!(read_dataset(&lake, Dataset::DeadLetters).await.num_rows(), 1);

    // A JSON array works too, and a second batch never overwrites the first one's files. It
    // re-sends five envelopes (a client retry): bronze keeps the copies, silver does not.
    let array = Value::Array(capture.iter().take(5).map(|r| r["value"].clone()).collect());
    let response = client.post(&url).body(array.to_string()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(read_dataset(&lake, Dataset::Events).await.num_rows(), 71);

    // The metrics count what happened, by source, family and reason.
    let metrics = client.get(url.replace("/v1/events", "/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for line in [
        "naap_ingest_messages_received_total{source=\"http\"} 71",
        "naap_ingest_messages_accepted_total{family=\"ai_stream_status\",source=\"http\"} 17",
        "naap_ingest_dead_letters_total{reason=\"not_json\",source=\"http\"} 1",
        "naap_ingest_rows_written_total{dataset=\"payments\"} 6",
        "naap_ingest_flush_seconds_count{source=\"http\"} 2",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
}

#[tokio::test]
async fn unusable_bodies_get_problem_details() {
    let lake = Lake::in_memory();
    let url = serve(&lake, 64 * 1024).await;
    let client = reqwest::Client::new();

    let response = client.post(&url).body("[{\"id\": 1,").send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 400);
    assert!(problem["detail"].as_str().unwrap().contains("line 1"), "{problem}");

    let response = client.post(&url).body("\n \n").send().await.unwrap();
    assert_eq!(response.status(), 400);

    let response = client.post(&url).body(vec![b'x'; 100 * 1024]).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");

    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert!(lake.list_files(Dataset::Events).await.unwrap().is_empty());
}

/// With credentials, a push needs a `push` token: none or an unknown one is 401, an operator
/// token 403 (problem+json, counted); a good one is accepted and its producer's name is the
/// source of its events.
#[tokio::test]
async fn pushes_need_a_push_token_and_are_recorded_under_their_producer() {
    use lakehouse_layout::credentials::{Credentials, token_digest};

    let text = format!(
        "gw-daydream push {}\nops operator {}\n",
        token_digest("push-secret-1"),
        token_digest("operator-secret-2")
    );
    let credentials = std::sync::Arc::new(Credentials::from_text(&text).unwrap());
    let lake = Lake::in_memory();
    let url = serve_with(&lake, 1024 * 1024, Some(credentials)).await;
    let client = reqwest::Client::new();
    let capture: Vec<Value> = serde_json::from_slice(&std::fs::read(CAPTURE).unwrap()).unwrap();
    let body = Value::Array(capture.iter().take(3).map(|r| r["value"].clone()).collect()).to_string();

    for (token, status) in [
        (None, 401),
        (Some("Bearer wrong"), 401),
        (Some("Bearer operator-secret-2"), 403),
    ] {
        let mut request = client.post(&url).body(body.clone());
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{token:?}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem = response.text().await.unwrap();
        assert!(!problem.contains("secret"), "{problem}");
    }
    assert_eq!(
        read_dataset(&lake, Dataset::Events).await.num_rows(),
        0,
        "nothing refused was stored"
    );

    let response = client
        .post(&url)
        .header("authorization", "Bearer push-secret-1")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = read_dataset(&lake, Dataset::Events).await;
    assert_eq!(events.num_rows(), 3);
    let sources = crate::support::strings(&events, "source_name");
    assert!(
        sources.iter().all(|s| s.as_deref() == Some("push-test.gw-daydream")),
        "{sources:?}"
    );

    let metrics = client.get(url.replace("/v1/events", "/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    for line in [
        "naap_ingest_auth_refused_total{reason=\"missing_credential\"} 1",
        "naap_ingest_auth_refused_total{reason=\"unknown_credential\"} 1",
        "naap_ingest_auth_refused_total{reason=\"wrong_scope\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("secret"));
}
