//! A corpus of malformed input: every message is kept in bronze as received, each rejected
//! one has a dead letter with its reason pointing to it; nothing panics and nothing valid next
//! to it is lost.

use std::collections::BTreeMap;

use lakehouse_layout::{Dataset, Lake, SourceKind, SourceRange};
use pipeline::IngestOptions;
use pipeline::clock::FixedClock;

use sha2::Digest;

use crate::support::{INGEST_TIME, ints, read_dataset, strings};

/// The message limit of these tests.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

const VALID: &str = r#"{"id":"ok-1","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{"type":"gateway_receive_stream_request","stream_id":"s","request_id":"r","timestamp":1767908945298}}"#;

fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let huge = format!(
        r#"{{"id":"big","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{{"type":"x","pad":"{}"}}}}"#,
        "a".repeat(2 * MAX_MESSAGE_BYTES)
    );
    vec![
        ("not_json", br#"{"id":"t1","type":"stream_trace","timestamp":"1767908945298","da"#.to_vec()),
        ("not_json", b"".to_vec()),
        ("not_json", b"hello".to_vec()),
        ("not_utf8", b"{\"id\":\"\xff\xfe\"}".to_vec()),
        ("invalid_envelope", b"[1,2,3]".to_vec()),
        ("invalid_envelope", b"42".to_vec()),
        ("invalid_envelope", br#"{"id":7,"type":"stream_trace","timestamp":"1767908945298","data":{}}"#.to_vec()),
        ("invalid_envelope", br#"{"id":"t2","type":["a"],"timestamp":"1767908945298","data":{}}"#.to_vec()),
        ("invalid_envelope", br#"{"id":"t3","type":"stream_trace","timestamp":"1767908945298","data":"text"}"#.to_vec()),
        ("missing_field", br#"{"type":"stream_trace","timestamp":"1767908945298","data":{}}"#.to_vec()),
        ("missing_field", br#"{"id":"","type":"stream_trace","timestamp":"1767908945298","data":{}}"#.to_vec()),
        ("missing_field", br#"{"id":"t4","timestamp":"1767908945298","data":{}}"#.to_vec()),
        ("missing_field", br#"{"id":"t5","type":"stream_trace","data":{}}"#.to_vec()),
        ("missing_field", br#"{"id":"t6","type":"stream_trace","timestamp":"1767908945298"}"#.to_vec()),
        ("bad_timestamp", br#"{"id":"t7","type":"stream_trace","timestamp":"yesterday","data":{}}"#.to_vec()),
        ("bad_timestamp", br#"{"id":"t8","type":"stream_trace","timestamp":"-5","data":{}}"#.to_vec()),
        // Wrong-shaped `data` for the family.
        ("invalid_payload", br#"{"id":"t9","type":"discovery_results","timestamp":"1767908945298","data":{"address":"x"}}"#.to_vec()),
        ("invalid_payload", br#"{"id":"t10","type":"stream_trace","timestamp":"1767908945298","data":[{"type":"x"}]}"#.to_vec()),
        ("invalid_payload", br#"{"id":"t11","type":"ai_stream_status","timestamp":"1767908945298","data":{"input_status":{"fps":"fast"}}}"#.to_vec()),
        ("invalid_payload", br#"{"id":"t12","type":"create_new_payment","timestamp":"1767908945298","data":{"numTickets":{"n":1}}}"#.to_vec()),
        // Its only entry is rejected alone: the (empty) rest is accepted.
        ("invalid_payload", br#"{"id":"t13","type":"network_capabilities","timestamp":"1767908945298","data":[{"capabilities":{"bitstring":"all"}}]}"#.to_vec()),
        ("too_large", huge.into_bytes()),
    ]
}

#[tokio::test]
async fn every_malformed_message_becomes_a_dead_letter_with_its_reason() {
    let lake = Lake::in_memory();
    let corpus = corpus();
    let mut messages: Vec<(u64, &[u8])> = corpus
        .iter()
        .enumerate()
        .map(|(i, (_, b))| (i as u64, b.as_slice()))
        .collect();
    messages.push((corpus.len() as u64, VALID.as_bytes()));
    let range = SourceRange::new(SourceKind::File, "corpus", 0, 0, corpus.len() as u64).unwrap();
    let options = IngestOptions {
        max_message_bytes: MAX_MESSAGE_BYTES,
        ..IngestOptions::default()
    };
    let ingestor = pipeline::Ingestor::new(lake.clone(), FixedClock::new(INGEST_TIME), options);
    let report = ingestor.ingest(&range, &messages).await.unwrap();

    assert_eq!(
        report.accepted, 2,
        "the valid message and the capability report without its bad entry are accepted"
    );
    let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
    for (reason, _) in &corpus {
        *expected.entry(reason).or_default() += 1;
    }
    let actual: BTreeMap<&str, u64> = report.dead_letters.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(actual, expected);

    let dead = read_dataset(&lake, Dataset::DeadLetters).await;
    assert_eq!(dead.num_rows(), corpus.len());
    let reasons = strings(&dead, "reason");
    let offsets = ints(&dead, "source_offset");
    let pointers = strings(&dead, "bronze_partition");
    let details = strings(&dead, "detail");
    for (i, reason) in reasons.iter().enumerate() {
        let index = offsets[i].unwrap() as usize;
        assert_eq!(
            reason.as_deref(),
            Some(corpus[index].0),
            "message {index}: {:?}",
            details[i]
        );
        assert!(details[i].as_ref().is_some_and(|d| !d.is_empty()));
        assert!(
            pointers[i].as_ref().is_some_and(|p| p.starts_with("family=")),
            "{pointers:?}"
        );
    }

    // Bronze holds every message, byte for byte, at the place its dead letter points to;
    // the one above the limit is kept up to it, with its size and hash.
    let bronze = read_dataset(&lake, Dataset::Events).await;
    assert_eq!(bronze.num_rows(), messages.len());
    let raw = bronze
        .column_by_name("raw")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::BinaryArray>()
        .unwrap();
    let sizes = ints(&bronze, "raw_size");
    let hashes = strings(&bronze, "raw_sha256");
    let bronze_offsets = ints(&bronze, "source_offset");
    let accepted = bronze
        .column_by_name("accepted")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::BooleanArray>()
        .unwrap();
    let mut accepted_offsets = Vec::new();
    for row in 0..bronze.num_rows() {
        let offset = bronze_offsets[row].unwrap() as usize;
        let sent: &[u8] = messages[offset].1;
        assert_eq!(sizes[row], Some(sent.len() as i64));
        if sent.len() > MAX_MESSAGE_BYTES {
            assert_eq!(raw.value(row), &sent[..MAX_MESSAGE_BYTES]);
            let whole = sha2::Sha256::digest(sent);
            assert_eq!(hashes[row].as_deref(), Some(hex::encode(whole).as_str()));
        } else {
            assert_eq!(raw.value(row), sent, "message {offset}");
            assert_eq!(hashes[row], None);
        }
        if accepted.value(row) {
            accepted_offsets.push(offset);
        }
    }
    accepted_offsets.sort();
    assert_eq!(accepted_offsets, vec![corpus.len() - 2, corpus.len()]);
    let families = strings(&bronze, "event_type");
    let unparsed = (0..bronze.num_rows()).filter(|r| families[*r].is_none()).count();
    assert!(unparsed >= 6, "unparsed envelopes are kept too ({unparsed})");

    // The valid neighbour made it to silver.
    assert_eq!(read_dataset(&lake, Dataset::StreamTrace).await.num_rows(), 1);
}

#[tokio::test]
async fn unknown_families_and_subtypes_are_kept_and_counted() {
    let lake = Lake::in_memory();
    let messages = [
        r#"{"id":"u1","type":"pipelines_api_request","timestamp":"1774344512740","gateway":"gw","data":{"anything":[1,2]}}"#,
        r#"{"id":"u2","type":"webrtc_stats","timestamp":"1774344512741","gateway":"gw","data":[{"x":1}]}"#,
        r#"{"id":"u3","type":"stream_trace","timestamp":"1774344512742","gateway":"gw","data":{"type":"app_something_new","stream_id":"s"}}"#,
        r#"{"id":"u4","type":"weird/family name","timestamp":"1774344512743","gateway":"gw","data":{}}"#,
        // A second unsafe name in the same hour shares the `_other` partition file.
        r#"{"id":"u5","type":"../escape","timestamp":"1774344512744","gateway":"gw","data":{}}"#,
    ];
    let batch: Vec<(u64, &[u8])> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (i as u64, m.as_bytes()))
        .collect();
    let range = SourceRange::new(SourceKind::Http, "push", 0, 0, 4).unwrap();
    let ingestor = pipeline::Ingestor::new(lake.clone(), FixedClock::new(INGEST_TIME), IngestOptions::default());
    let report = ingestor.ingest(&range, &batch).await.unwrap();
    assert_eq!(report.accepted, 5);
    assert_eq!(report.unknown_family, 4);
    let bronze = read_dataset(&lake, Dataset::Events).await;
    let mut families: Vec<_> = strings(&bronze, "event_type").into_iter().flatten().collect();
    families.sort();
    assert_eq!(
        families,
        [
            "../escape",
            "pipelines_api_request",
            "stream_trace",
            "webrtc_stats",
            "weird/family name"
        ]
    );
    // The unsafe family name is filed under family=_other, and kept as sent in the column.
    let files = lake.list_files(Dataset::Events).await.unwrap();
    assert!(
        files
            .iter()
            .any(|(p, _)| p.partition.family.as_deref() == Some("_other"))
    );
    // The unknown stream_trace subtype still has its silver row.
    let trace = read_dataset(&lake, Dataset::StreamTrace).await;
    assert_eq!(strings(&trace, "subtype"), [Some("app_something_new".into())]);
}
