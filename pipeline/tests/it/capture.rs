//! The real captures decode with zero dead letters, into the silver rows they hold.

use std::collections::BTreeMap;

use lakehouse_layout::{Dataset, Lake};
use pipeline::source::file::ingest_file;
use pipeline::source::memory::ingest_messages;
use serde_json::{Value, json};

use crate::support::{decimals, ingestor, ints, read_dataset, strings};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/livepeer");

fn fixture(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(format!("{DATA}/{name}")).unwrap()).unwrap()
}

#[tokio::test]
async fn the_stream_capture_decodes_completely() {
    let lake = Lake::in_memory();
    let path = std::path::PathBuf::from(format!("{DATA}/stream-events-capture-2026-01-08.json"));
    let report = ingest_file(&ingestor(&lake), &path, 1000, |_, _| {}).await.unwrap();

    assert_eq!(report.messages, 65);
    assert_eq!(report.accepted, 65);
    assert_eq!(report.dead_letter_total(), 0, "{:?}", report.dead_letters);
    assert_eq!(report.unknown_family, 0);
    let families: BTreeMap<&str, u64> = report.by_family.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        families,
        BTreeMap::from([
            ("ai_stream_status", 17),
            ("create_new_payment", 6),
            ("discovery_results", 1),
            ("network_capabilities", 1),
            ("stream_ingest_metrics", 34),
            ("stream_trace", 6),
        ])
    );

    assert_eq!(read_dataset(&lake, Dataset::Events).await.num_rows(), 65);
    assert_eq!(read_dataset(&lake, Dataset::StreamTrace).await.num_rows(), 6);

    // Status: start_time arrives as a number (the predecessor lost it by reading a string).
    let status = read_dataset(&lake, Dataset::AiStreamStatus).await;
    assert_eq!(status.num_rows(), 17);
    let states = strings(&status, "state");
    assert_eq!(states.iter().filter(|s| s.as_deref() == Some("ONLINE")).count(), 16);
    assert_eq!(
        states
            .iter()
            .filter(|s| s.as_deref() == Some("DEGRADED_INFERENCE"))
            .count(),
        1
    );
    let start = status.column_by_name("start_time").unwrap();
    assert_eq!(start.null_count(), 0);

    // 34 ingest samples of 2 tracks each (video and audio).
    let ingest = read_dataset(&lake, Dataset::StreamIngestMetrics).await;
    assert_eq!(ingest.num_rows(), 68);

    // Discovery: one orchestrator, latency "77" (a string) as the number 77.
    let discovery = read_dataset(&lake, Dataset::DiscoveryResults).await;
    assert_eq!(discovery.num_rows(), 1);
    assert_eq!(
        strings(&discovery, "orchestrator_address"),
        [Some("0x52cf2968b3dc6016778742d3539449a6597d5954".into())]
    );

    // The capabilities event names the on-chain address (lowercased) and the signing key.
    let gpus = read_dataset(&lake, Dataset::CapabilityGpus).await;
    assert_eq!(gpus.num_rows(), 1);
    assert_eq!(strings(&gpus, "gpu_name"), [Some("NVIDIA GeForce RTX 5090".into())]);
    assert_eq!(ints(&gpus, "memory_total_bytes"), [Some(34_190_917_632)]);
    assert_eq!(
        strings(&gpus, "orchestrator_address"),
        [Some("0xd00354656922168815fcd1e51cbddb9e359e3c7f".into())]
    );
    assert_eq!(
        strings(&gpus, "local_address"),
        [Some("0x52cf2968b3dc6016778742d3539449a6597d5954".into())]
    );
    // A busy orchestrator: {"warm":true,"capacityInUse":1} without `capacity` means capacity 0.
    let models = read_dataset(&lake, Dataset::CapabilityModels).await;
    assert_eq!(ints(&models, "capacity"), [Some(0)]);
    assert_eq!(ints(&models, "capacity_in_use"), [Some(1)]);

    // Payments, in capture order: the first two carry face value "2402400000000000 WEI" and
    // win probability "0.0009990010"; the last four "2400000000000000 WEI" and "0.0010000000".
    // Expected value per ticket:
    //   2402400000000000 × 9990010 / 10^10 = 240240 × 9990010 = 2,400,000,002,400 wei
    //   2400000000000000 × 0.001                               = 2,400,000,000,000 wei
    let payments = read_dataset(&lake, Dataset::Payments).await;
    assert_eq!(payments.num_rows(), 6);
    let face: Vec<i128> = decimals(&payments, "face_value_wei")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(
        face,
        [
            2_402_400_000_000_000,
            2_402_400_000_000_000,
            2_400_000_000_000_000,
            2_400_000_000_000_000,
            2_400_000_000_000_000,
            2_400_000_000_000_000
        ]
    );
    let scale = 10i128.pow(10);
    let ev: Vec<i128> = decimals(&payments, "expected_value_wei")
        .into_iter()
        .map(|v| v.unwrap() / scale)
        .collect();
    assert_eq!(
        ev,
        [
            2_400_000_002_400,
            2_400_000_002_400,
            2_400_000_000_000,
            2_400_000_000_000,
            2_400_000_000_000,
            2_400_000_000_000
        ]
    );
    // The first payment carries 2 tickets and the request id; the others 1 ticket and none.
    assert_eq!(
        ints(&payments, "num_tickets"),
        [Some(2), Some(1), Some(1), Some(1), Some(1), Some(1)]
    );
    let request_ids: Vec<_> = strings(&payments, "request_id").into_iter().flatten().collect();
    assert_eq!(request_ids, ["db936fab"]);
    // Total: 3 × 2,400,000,002,400 + 4 × 2,400,000,000,000 = 16,800,000,007,200 wei.
    let total: i128 = decimals(&payments, "total_expected_value_wei")
        .into_iter()
        .map(|v| v.unwrap())
        .sum();
    assert_eq!(total, 16_800_000_007_200 * scale);
    assert!(
        strings(&payments, "recipient")
            .iter()
            .all(|r| r.as_deref() == Some("0xd00354656922168815fcd1e51cbddb9e359e3c7f"))
    );
}

/// Wraps a `/getNetworkCapabilities` response's orchestrators as the `network_capabilities`
/// event a gateway would publish.
fn capabilities_envelope(id: &str, response: &Value) -> String {
    json!({"id": id, "type": "network_capabilities", "timestamp": "1767909021590", "gateway": "",
           "data": response["orchestrators"]})
    .to_string()
}

/// Ingests a `/getNetworkCapabilities` capture as one `network_capabilities` event, checking
/// that it decodes with no dead letter.
async fn ingest_capabilities(file: &str) -> (Lake, Value) {
    let response = fixture(file);
    let lake = Lake::in_memory();
    let report = ingest_messages(
        &ingestor(&lake),
        "caps",
        0,
        &[capabilities_envelope("caps", &response)],
        10,
    )
    .await
    .unwrap();
    assert_eq!(report.dead_letter_total(), 0, "{:?}", report.dead_letters);
    (lake, response)
}

#[tokio::test]
async fn the_53_orchestrator_capture_decodes_with_its_gpus() {
    let (lake, response) = ingest_capabilities("network-capabilities-53-orchestrators.json").await;

    assert_eq!(
        read_dataset(&lake, Dataset::CapabilityOrchestrators).await.num_rows(),
        53
    );
    let gpus = read_dataset(&lake, Dataset::CapabilityGpus).await;
    // 15 orchestrators report 19 GPUs: 6× RTX 5090, 5× RTX 4090, 2× RTX 4070 Ti SUPER,
    // 2× RTX 3090, and one each of Tesla P4, RTX A4000, RTX 6000 Ada and A100-SXM4-40GB.
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for name in strings(&gpus, "gpu_name").into_iter().flatten() {
        *by_name.entry(name).or_default() += 1;
    }
    assert_eq!(
        by_name,
        BTreeMap::from([
            ("NVIDIA A100-SXM4-40GB".to_string(), 1),
            ("NVIDIA GeForce RTX 3090".to_string(), 2),
            ("NVIDIA GeForce RTX 4070 Ti SUPER".to_string(), 2),
            ("NVIDIA GeForce RTX 4090".to_string(), 5),
            ("NVIDIA GeForce RTX 5090".to_string(), 6),
            ("NVIDIA RTX 6000 Ada Generation".to_string(), 1),
            ("NVIDIA RTX A4000".to_string(), 1),
            ("Tesla P4".to_string(), 1),
        ])
    );
    // VRAM per GPU id equals the capture's memory_total, in bytes.
    let mut expected = BTreeMap::new();
    for o in response["orchestrators"].as_array().unwrap() {
        for h in o["hardware"].as_array().into_iter().flatten() {
            for gpu in h["gpu_info"].as_object().into_iter().flat_map(|m| m.values()) {
                expected.insert(
                    gpu["id"].as_str().unwrap().to_string(),
                    gpu["memory_total"].as_i64().unwrap(),
                );
            }
        }
    }
    let actual: BTreeMap<String, i64> = strings(&gpus, "gpu_id")
        .into_iter()
        .zip(ints(&gpus, "memory_total_bytes"))
        .map(|(id, bytes)| (id.unwrap(), bytes.unwrap()))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(actual.len(), 19);
    // Addresses are lowercased; no price_info key in this capture.
    let orchestrators = read_dataset(&lake, Dataset::CapabilityOrchestrators).await;
    assert!(
        strings(&orchestrators, "orchestrator_address")
            .iter()
            .flatten()
            .all(|a| *a == a.to_ascii_lowercase())
    );
    assert_eq!(orchestrators.column_by_name("price_per_unit").unwrap().null_count(), 53);
    assert_eq!(read_dataset(&lake, Dataset::CapabilityPrices).await.num_rows(), 44);
}

#[tokio::test]
async fn the_40_orchestrator_byoc_capture_decodes_with_its_prices() {
    let (lake, _) = ingest_capabilities("network-capabilities-40-orchestrators-byoc.json").await;
    assert_eq!(
        read_dataset(&lake, Dataset::CapabilityOrchestrators).await.num_rows(),
        40
    );
    // 12 orchestrators report 42 GPU entries (41 distinct: one GPU serves two pipelines).
    let gpus = read_dataset(&lake, Dataset::CapabilityGpus).await;
    assert_eq!(gpus.num_rows(), 42);
    let distinct: std::collections::BTreeSet<_> = strings(&gpus, "gpu_id").into_iter().collect();
    assert_eq!(distinct.len(), 41);
    // 40 default prices (price_info, including zero prices {"pixelsPerUnit":1}) + 39 per capability.
    let prices = read_dataset(&lake, Dataset::CapabilityPrices).await;
    assert_eq!(prices.num_rows(), 79);
    let byoc: Vec<_> = strings(&prices, "constraint")
        .into_iter()
        .zip(ints(&prices, "capability_id"))
        .filter(|(_, c)| *c == Some(37))
        .map(|(constraint, _)| constraint.unwrap())
        .collect();
    assert_eq!(
        byoc,
        [
            "openai-chat-completions",
            "openai-text-embeddings",
            "openai-image-generation"
        ]
    );
}

#[tokio::test]
async fn duplicated_envelopes_give_silver_rows_once_across_ranges() {
    // The capture delivered twice (a producer retry appends the same envelopes again), in
    // ranges of 20 messages: bronze keeps all 130 copies, silver holds each event once.
    let capture = fixture("stream-events-capture-2026-01-08.json");
    let envelopes: Vec<String> = capture
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].to_string())
        .collect();
    let twice: Vec<String> = envelopes.iter().chain(&envelopes).cloned().collect();
    let lake = Lake::in_memory();
    let report = ingest_messages(&ingestor(&lake), "retried", 0, &twice, 20)
        .await
        .unwrap();
    assert_eq!(report.accepted, 130);
    assert_eq!(report.silver_duplicates, 65);
    assert_eq!(read_dataset(&lake, Dataset::Events).await.num_rows(), 130);
    assert_eq!(read_dataset(&lake, Dataset::AiStreamStatus).await.num_rows(), 17);
    assert_eq!(read_dataset(&lake, Dataset::Payments).await.num_rows(), 6);
    assert_eq!(read_dataset(&lake, Dataset::StreamIngestMetrics).await.num_rows(), 68);
}
