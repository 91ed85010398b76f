//! The public/private column contract (`lakehouse_layout::privacy`): events carrying a client
//! IP, a prompt, runner logs and a remote signer's auth id go in; no public surface lets any
//! of them out — not Flight SQL (`SELECT *`, the column by name, `information_schema`), not
//! the `/v1` rows, dataset descriptions or file downloads, not a published snapshot. What the
//! client addresses mean is published instead as a count (`demand_hourly.distinct_clients`).

use std::path::Path;

use arrow::array::Array;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use lakehouse_layout::{Dataset, Lake, PRIVATE_COLUMNS, SnapshotManifest};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use serde_json::{Value, json};

use crate::support::{Naap, flight_sql_query, http_get, naap_ok};

/// 2026-01-08T14:00:00Z.
const START_MS: i64 = 1_767_880_800_000;
/// What no public answer may contain.
const SENTINELS: [&str; 5] = [
    "203.0.113.77",
    "SECRET-PROMPT-a-cat-in-a-hat",
    "SECRET-LOG-/home/alice",
    "SECRET-AUTH-customer-42",
    "198.51.100.9",
];

fn envelope(id: &str, family: &str, ts: i64, data: Value) -> String {
    json!({"id": id, "type": family, "timestamp": ts.to_string(), "gateway": "gw-1", "data": data}).to_string()
}

/// Events of every family that carries a private field, each with a sentinel in it.
fn private_events() -> Vec<String> {
    let ts = START_MS + 3_600_000 + 60_000;
    vec![
        envelope(
            "p-1",
            "create_new_payment",
            ts,
            json!({"clientIP": SENTINELS[0], "requestID": "req-p", "sessionID": "sess-p", "manifestID": "m-p",
                   "recipient": "0xd00354656922168815fcd1e51cbddb9e359e3c7f", "sender": "0x1111111111111111111111111111111111111111",
                   "faceValue": "1000 WEI", "winProb": "0.5", "numTickets": "1", "price": "1 wei/pixel",
                   "orchestrator": "https://orch.example:8935", "capability": "live-video-to-video"}),
        ),
        envelope(
            "p-2",
            "ai_stream_events",
            ts,
            json!({"type": "restart", "stream_id": "stream-p", "request_id": "req-p", "pipeline": "live-video-to-video",
                   "restart_count": 1, "restart_logs": [SENTINELS[2]], "params": {"prompt": SENTINELS[1]},
                   "timestamp": ts}),
        ),
        envelope(
            "p-3",
            "ai_batch_request",
            ts,
            json!({"type": "ai_batch_request_completed", "request_id": "req-b", "pipeline": "text-to-image",
                   "model_id": "sd", "client_ip": SENTINELS[4], "success": true, "duration_ms": 1200, "timestamp": ts}),
        ),
        envelope(
            "p-4",
            "ai_llm_request",
            ts,
            json!({"type": "llm_request_completed", "request_id": "req-l", "model": "llama", "client_ip": SENTINELS[0],
                   "total_tokens": 10, "timestamp": ts}),
        ),
        envelope(
            "p-5",
            "create_signed_ticket",
            ts,
            json!({"app": "daydream", "auth_id": SENTINELS[3], "pipeline": "live", "billable_secs": 10.0,
                   "computed_fee": "100", "request_id": "req-t", "session_id": "sess-t"}),
        ),
    ]
}

/// Three hours of the demo network plus the private events, ingested and rolled up.
async fn lake_with_private_values(dir: &Path) {
    let scenario = scenarios::library::load("demo").unwrap();
    let options = scenarios::SimulateOptions {
        seed: Some(5),
        start_ms: Some(START_MS),
        hours: Some(3),
    };
    let (mut lines, truth) = scenarios::simulate_to_vec(&scenario, options).unwrap();
    lines.extend(private_events());
    let lake = Lake::open(dir.to_str().unwrap()).unwrap();
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
    pipeline::source::memory::ingest_messages(&ingestor, "demo", 0, &lines, 50_000)
        .await
        .unwrap();
    sql::run_rollups(&lake, &sql::RollupOptions::default()).await.unwrap();
    // The private values did reach silver (else this test would prove nothing).
    for private in PRIVATE_COLUMNS {
        let values = column_values(&lake, private.dataset, private.column).await;
        assert!(
            values.iter().any(|v| SENTINELS.iter().any(|s| v.contains(s))),
            "{}.{} holds no private value: {values:?}",
            private.dataset,
            private.column
        );
    }
}

/// Every non-null value of `column` in `dataset`'s files, as text.
async fn column_values(lake: &Lake, dataset: Dataset, column: &str) -> Vec<String> {
    let mut values = Vec::new();
    for (_, meta) in lake.list_files(dataset).await.unwrap() {
        values.extend(parquet_column(lake.get(&meta.location).await.unwrap(), column));
    }
    values
}

fn parquet_column(bytes: bytes::Bytes, column: &str) -> Vec<String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap();
    let mut values = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let Some(array) = batch.column_by_name(column) else {
            continue;
        };
        let strings = arrow::compute::cast(array, &arrow::datatypes::DataType::Utf8).unwrap();
        let strings = strings.as_any().downcast_ref::<arrow::array::StringArray>().unwrap();
        values.extend(strings.iter().flatten().map(str::to_string));
    }
    values
}

fn assert_clean(surface: &str, text: &str) {
    for sentinel in SENTINELS {
        assert!(!text.contains(sentinel), "{surface} leaks {sentinel:?}: {text:.2000}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_private_column_reaches_a_public_surface() {
    let lake_dir = tempfile::tempdir().unwrap();
    lake_with_private_values(lake_dir.path()).await;
    let lake_path = lake_dir.path().to_path_buf();
    let out = tempfile::tempdir().unwrap();
    let out_path = out.path().to_str().unwrap().to_string();
    let printed = tokio::task::spawn_blocking(move || {
        naap_ok(
            &lake_path,
            &[
                "snapshot",
                "--from",
                "2026-01-08T14:00:00Z",
                "--to",
                "2026-01-08T17:00:00Z",
                "--out",
                &out_path,
                "--dataset",
                "sla_hourly",
                "--dataset",
                "demand_hourly",
            ],
        )
    })
    .await
    .unwrap();
    let id = printed.split_whitespace().nth(1).unwrap().to_string();

    // A published snapshot: every file's private columns are NULL, and it still verifies.
    let root = out.path().join(&id);
    let manifest: SnapshotManifest =
        serde_json::from_slice(&std::fs::read(root.join("snapshot.json")).unwrap()).unwrap();
    let mut checked = 0;
    for dataset in &manifest.datasets {
        let parsed = Dataset::from_name(&dataset.name).unwrap();
        for file in &dataset.files {
            let bytes = bytes::Bytes::from(std::fs::read(root.join(&file.path)).unwrap());
            for private in PRIVATE_COLUMNS.iter().filter(|p| p.dataset == parsed) {
                let values = parquet_column(bytes.clone(), private.column);
                assert!(
                    values.is_empty(),
                    "snapshot {} leaks {}: {values:?}",
                    file.path,
                    private.column
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "the snapshot published no dataset with private columns");
    // Redacted inputs still recompute every published output, but for the columns computed
    // from private values, which verify names instead of failing on.
    let verified = naap_ok(lake_dir.path(), &["verify", root.to_str().unwrap()]);
    assert!(
        verified.contains("not checkable, computed from private inputs: demand_hourly.distinct_clients"),
        "{verified}"
    );

    let naap = Naap::spawn(lake_dir.path(), &["serve"]).await;
    // Flight SQL: the catalog has no private column, naming one fails, `SELECT *` has none.
    let columns = flight_sql_query(
        naap.flight,
        "SELECT table_name, column_name FROM information_schema.columns",
    )
    .await
    .unwrap();
    for private in PRIVATE_COLUMNS {
        assert!(
            !columns
                .iter()
                .any(|c| c["table_name"] == private.dataset.name() && c["column_name"] == private.column),
            "information_schema lists {}.{}",
            private.dataset,
            private.column
        );
        let named = flight_sql_query(
            naap.flight,
            &format!("SELECT {} FROM {}", private.column, private.dataset.name()),
        )
        .await;
        assert!(named.is_err(), "{}.{} can be selected", private.dataset, private.column);
    }
    for dataset in Dataset::ALL.into_iter().filter(|d| d.is_public()) {
        let rows = flight_sql_query(naap.flight, &format!("SELECT * FROM {}", dataset.name()))
            .await
            .unwrap();
        assert_clean(
            &format!("Flight SQL SELECT * FROM {dataset}"),
            &Value::from(rows).to_string(),
        );

        // HTTP: rows and the description have no private column; the files of a dataset with
        // private columns are refused, the others served.
        let (status, body) = http_get(&naap.http, &format!("/v1/datasets/{}/rows?limit=10000", dataset.name())).await;
        assert_eq!(status, 200, "{dataset}: {body}");
        assert_clean(&format!("/v1/datasets/{dataset}/rows"), &body.to_string());
        let (status, body) = http_get(&naap.http, &format!("/v1/datasets/{}", dataset.name())).await;
        assert_eq!(status, 200, "{dataset}: {body}");
        for private in PRIVATE_COLUMNS.iter().filter(|p| p.dataset == dataset) {
            assert!(
                !body["data"]["schema"]
                    .to_string()
                    .contains(&format!("\"{}\"", private.column)),
                "{dataset} describes {}",
                private.column
            );
        }
        let (status, body) = http_get(&naap.http, &format!("/v1/datasets/{}/snapshot", dataset.name())).await;
        if dataset.has_private_columns() {
            assert_eq!(status, 403, "{dataset}: {body}");
            assert!(body["detail"].as_str().unwrap().contains("private"), "{body}");
        } else {
            assert_eq!(status, 200, "{dataset}: {body}");
        }
    }
    // What the client addresses mean analytically is published as a count, per gateway,
    // pipeline and model: one client sent the batch request, one the LLM request.
    let counts = flight_sql_query(
        naap.flight,
        "SELECT pipeline, model_id, distinct_clients FROM demand_hourly WHERE gateway = 'gw-1' AND jobs > 0 ORDER BY pipeline",
    )
    .await
    .unwrap();
    assert_eq!(
        Value::from(counts),
        json!([
            {"pipeline": "llm", "model_id": "llama", "distinct_clients": 1},
            {"pipeline": "text-to-image", "model_id": "sd", "distinct_clients": 1},
        ])
    );
    // Every private dataset's file download is refused too.
    for private in PRIVATE_COLUMNS {
        let lake = Lake::open(lake_dir.path().to_str().unwrap()).unwrap();
        let (_, meta) = lake.list_files(private.dataset).await.unwrap().remove(0);
        let (status, _) = http_get(
            &naap.http,
            &format!("/v1/datasets/{}/files/{}", private.dataset.name(), meta.location),
        )
        .await;
        assert_eq!(status, 403, "{}", private.dataset);
    }
    naap.stop_with_ctrl_c().await;
}
