//! History survives retention: 40 days of sessions are rolled up, the raw data (bronze and
//! silver) of the first 10 days is deleted by retention, and every gold row of those days is
//! still there, unchanged, after an incremental run and after a full one.

use std::collections::BTreeMap;

use lakehouse_layout::{Dataset, Lake, Layer};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use serde_json::json;

const DAY_MS: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z.
const START_MS: i64 = 1_767_225_600_000;
const DAYS: i64 = 40;
const RETAINED_DAYS: i64 = 30;

fn trace(stream: &str, subtype: &str, ts: i64) -> String {
    json!({"id": format!("{stream}-{subtype}"), "type": "stream_trace", "timestamp": ts.to_string(), "gateway": "gw-1",
           "data": {"type": subtype, "stream_id": stream, "request_id": format!("req-{stream}"),
                    "pipeline_id": "pipe", "orchestrator_info": {"address": "0x5a06000000000000000000000000000000000001",
                    "url": "https://o1.example:8935"}, "timestamp": ts}})
    .to_string()
}

/// Three sessions a day (one never plays), every day at 10:00.
fn events() -> Vec<String> {
    let mut lines = Vec::new();
    for day in 0..DAYS {
        for n in 0..3 {
            let stream = format!("stream-{day}-{n}");
            let start = START_MS + day * DAY_MS + 10 * 3_600_000 + n * 60_000;
            lines.push(trace(&stream, "gateway_receive_stream_request", start));
            lines.push(trace(&stream, "gateway_receive_first_processed_segment", start + 1_500));
            if n != 2 {
                lines.push(trace(&stream, "gateway_receive_few_processed_segments", start + 3_000));
            }
        }
    }
    lines
}

/// Every gold row of the days before `until_ms`, per dataset, as canonical lines.
async fn gold_before(lake: &Lake, until_ms: i64) -> BTreeMap<&'static str, Vec<String>> {
    let mut rows = BTreeMap::new();
    for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() == Layer::Gold) {
        let lines = crate::support::sorted_rows_where(lake, dataset, |path| path.partition.start_ms() < until_ms).await;
        rows.insert(dataset.name(), lines);
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gold_history_survives_the_retention_of_raw_data() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let end_ms = START_MS + DAYS * DAY_MS;
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(end_ms), IngestOptions::default());
    pipeline::source::memory::ingest_messages(&ingestor, "history", 0, &events(), 50_000)
        .await
        .unwrap();
    let options = sql::RollupOptions {
        now_ms: Some(end_ms),
        ..sql::RollupOptions::default()
    };
    sql::run_rollups(&lake, &options).await.unwrap();
    let retired_until = end_ms - RETAINED_DAYS * DAY_MS;
    let before = gold_before(&lake, retired_until).await;
    assert_eq!(before["sessions"].len(), 30, "three sessions a day for ten days");
    assert!(!before["sla_hourly"].is_empty());

    // Retain 30 days of every raw dataset.
    let mut deleted = 0;
    for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
        deleted += lakehouse_layout::compaction::apply_retention(&lake, dataset, retired_until)
            .await
            .unwrap();
    }
    assert!(deleted > 0);

    // The next incremental run sees the deleted files, and a full run recomputes everything
    // it can: neither touches the windows retention made final.
    sql::run_rollups(&lake, &options).await.unwrap();
    assert_eq!(
        gold_before(&lake, retired_until).await,
        before,
        "after an incremental run"
    );
    let full = sql::RollupOptions { full: true, ..options };
    sql::run_rollups(&lake, &full).await.unwrap();
    assert_eq!(gold_before(&lake, retired_until).await, before, "after a full run");
    // The days still held are still computed.
    let sessions = crate::support::sorted_rows(&lake, Dataset::Sessions).await;
    assert_eq!(sessions.len() as i64, 3 * DAYS);
}
