//! Kafka exactly once, over rdkafka's in-process mock cluster (the real Kafka protocol over
//! TCP): a consumer that crashes between writing files and committing offsets, and two
//! consumers sharing a group when one of them dies.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::Array;
use lakehouse_layout::{Dataset, Lake};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use pipeline::source::kafka::{KafkaConfig, run};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use scenarios::demo::{DemoConfig, DemoNetwork};

use crate::support::{FaultyStore, ingestor, read_dataset, silver_ids, strings};

const TOPIC: &str = "streaming_events";
/// The mock broker keeps at most 5 MB per partition (librdkafka `rdkafka_mock.c`); 24
/// partitions hold the ~80 MB of test traffic without deleting any of it.
const PARTITIONS: i32 = 24;

/// Realistic events (the demo network's families and cadences): returns (id, family, json).
fn events() -> Vec<(String, String, String)> {
    let network = DemoNetwork::new(DemoConfig {
        seed: 11,
        start_ms: 1_767_895_200_000,
        hours: 4,
        streams_per_hour: 200,
    });
    network
        .events()
        .into_iter()
        .map(|e| (e.id.clone(), e.family.to_string(), e.to_json()))
        .collect()
}

/// The timestamp every produced record carries.
const RECORD_TIMESTAMP_MS: i64 = 1_767_900_000_000;

fn produce(cluster: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>, events: &[(String, String, String)]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", cluster.bootstrap_servers())
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .unwrap();
    for (id, _, json) in events {
        // go-livepeer keys messages by envelope id: one stream's events scatter across partitions.
        // A header and a timestamp of the producer's, which bronze keeps for audits.
        let mut record = BaseRecord::to(TOPIC)
            .key(id.as_str())
            .payload(json.as_str())
            .timestamp(RECORD_TIMESTAMP_MS)
            .headers(OwnedHeaders::new().insert(Header {
                key: "producer",
                value: Some("naap-test"),
            }));
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, returned)) => {
                    producer.poll(Duration::from_millis(10));
                    record = returned;
                }
            }
        }
    }
    producer.flush(Duration::from_secs(30)).unwrap();
}

fn config(cluster_servers: &str, group: &str) -> KafkaConfig {
    let mut config = KafkaConfig::new(cluster_servers, vec![TOPIC.to_string()], group);
    config.max_batch_messages = 4_000;
    config.flush_interval = Duration::from_millis(200);
    config.properties = vec![
        ("session.timeout.ms".into(), "3000".into()),
        ("heartbeat.interval.ms".into(), "300".into()),
        // Frequent statistics, so the consumer-lag gauge is set within the test's lifetime.
        ("statistics.interval.ms".into(), "200".into()),
    ];
    config
}

/// Resolves once the group has committed every partition up to its high watermark.
async fn all_committed(servers: String, group: String) {
    let probe: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &servers)
        .set("group.id", &group)
        .create()
        .unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut wanted = TopicPartitionList::new();
        for p in 0..PARTITIONS {
            wanted.add_partition(TOPIC, p);
        }
        let done = tokio::task::block_in_place(|| {
            let committed = probe.committed_offsets(wanted, Duration::from_secs(5)).ok()?;
            (0..PARTITIONS).try_for_each(|p| {
                let (_, high) = probe.fetch_watermarks(TOPIC, p, Duration::from_secs(5)).ok()?;
                let offset = committed.find_partition(TOPIC, p)?.offset();
                (offset == Offset::Offset(high)).then_some(())
            })
        });
        if done.is_some() {
            break;
        }
    }
    // An rdkafka consumer dropped while the mock cluster lives can hang (rust-rdkafka #509).
    std::mem::forget(probe);
}

async fn assert_exactly_once(lake: &Lake, events: &[(String, String, String)]) {
    let all: BTreeSet<String> = events.iter().map(|e| e.0.clone()).collect();
    let bronze = read_dataset(lake, Dataset::Events).await;
    let bronze_ids: Vec<String> = strings(&bronze, "event_id").into_iter().flatten().collect();
    assert_eq!(bronze_ids.len(), events.len(), "bronze holds every message once");
    assert_eq!(bronze_ids.iter().cloned().collect::<BTreeSet<_>>(), all);
    // With the record's key, headers and timestamp.
    let keys = bronze
        .column_by_name("kafka_key")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::BinaryArray>()
        .unwrap();
    let headers = bronze
        .column_by_name("kafka_headers")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::ListArray>()
        .unwrap();
    let times = arrow::compute::cast(
        bronze.column_by_name("kafka_timestamp").unwrap(),
        &arrow::datatypes::DataType::Int64,
    )
    .unwrap();
    let times = times.as_any().downcast_ref::<arrow::array::Int64Array>().unwrap();
    for (row, id) in bronze_ids.iter().enumerate() {
        assert_eq!(keys.value(row), id.as_bytes());
        assert_eq!(times.value(row), RECORD_TIMESTAMP_MS);
        let header = headers.value(row);
        let header = header.as_any().downcast_ref::<arrow::array::StructArray>().unwrap();
        assert_eq!(header.len(), 1);
        let key = header
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        let value = header
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::BinaryArray>()
            .unwrap();
        assert_eq!((key.value(0), value.value(0)), ("producer", b"naap-test".as_slice()));
    }

    let status: BTreeSet<String> = events
        .iter()
        .filter(|e| e.1 == "ai_stream_status")
        .map(|e| e.0.clone())
        .collect();
    let (ids, duplicates) = silver_ids(lake, Dataset::AiStreamStatus).await;
    assert_eq!(duplicates, 0);
    assert_eq!(ids, status);
    let traces: BTreeSet<String> = events
        .iter()
        .filter(|e| e.1 == "stream_trace")
        .map(|e| e.0.clone())
        .collect();
    let (ids, duplicates) = silver_ids(lake, Dataset::StreamTrace).await;
    assert_eq!(duplicates, 0);
    assert_eq!(ids, traces);

    // Every range was committed: no intent is left behind.
    let intents = lake
        .list_intents(lakehouse_layout::SourceKind::Kafka, TOPIC, 0)
        .await
        .unwrap();
    assert!(intents.is_empty(), "{intents:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_between_write_and_commit_resumes_exactly_once() {
    let events = events();
    assert!(events.len() >= 100_000, "{} events", events.len());
    let cluster = MockCluster::new(3).unwrap();
    cluster.create_topic(TOPIC, PARTITIONS, 3).unwrap();
    produce(&cluster, &events);
    let servers = cluster.bootstrap_servers();
    let dir = tempfile::tempdir().unwrap();
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());

    // First life: the store dies after 40 puts, in the middle of writing a range whose intent
    // and some files are stored but whose offsets are not committed.
    let dying = Arc::new(FaultyStore::failing_after_puts(Arc::clone(&local), 40));
    let lake = Lake::from_store(Arc::clone(&dying) as Arc<dyn ObjectStore>, "dying");
    let outcome = tokio::time::timeout(
        Duration::from_secs(120),
        run(&ingestor(&lake), &config(&servers, "naap"), std::future::pending()),
    )
    .await
    .expect("the first consumer crashes within 2 minutes");
    assert!(outcome.is_err(), "the first consumer crashes");
    let healthy = Lake::from_store(Arc::clone(&local), "healthy");
    let mut leftover = 0;
    for p in 0..PARTITIONS as u32 {
        leftover += healthy
            .list_intents(lakehouse_layout::SourceKind::Kafka, TOPIC, p)
            .await
            .unwrap()
            .len();
    }
    assert!(leftover >= 1, "the crash left an uncommitted range behind");

    // Second life: resumes from the committed offsets and rewrites the uncommitted range.
    let second_life = ingestor(&healthy);
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        run(
            &second_life,
            &config(&servers, "naap"),
            all_committed(servers.clone(), "naap".into()),
        ),
    )
    .await
    .expect("the second consumer catches up within 2 minutes")
    .unwrap();
    assert!(report.accepted > 0);
    assert_eq!(report.dead_letter_total(), 0);
    for p in 0..PARTITIONS as u32 {
        assert!(
            healthy
                .list_intents(lakehouse_layout::SourceKind::Kafka, TOPIC, p)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_exactly_once(&healthy, &events).await;

    // librdkafka's statistics fed the consumer-lag gauge, per partition.
    let metrics = second_life.metrics().render();
    let lag_lines = metrics
        .lines()
        .filter(|l| l.starts_with("naap_kafka_consumer_lag_messages{partition="))
        .count();
    assert!(lag_lines > 0, "no consumer lag in\n{metrics}");
    assert!(metrics.contains("naap_ingest_flush_seconds_count{source=\"kafka\"}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_share_partitions_and_one_takes_over_when_the_other_dies() {
    let events = events();
    let cluster = MockCluster::new(3).unwrap();
    cluster.create_topic(TOPIC, PARTITIONS, 3).unwrap();
    let servers = cluster.bootstrap_servers();
    let dir = tempfile::tempdir().unwrap();
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let healthy = Lake::from_store(Arc::clone(&local), "healthy");
    let dying_store = Arc::new(FaultyStore::failing_after_puts(Arc::clone(&local), 20));
    let dying = Lake::from_store(Arc::clone(&dying_store) as Arc<dyn ObjectStore>, "dying");

    let survivor_ingestor = ingestor(&healthy);
    let dying_ingestor = ingestor(&dying);
    let survivor_config = config(&servers, "shared");
    let dying_config = config(&servers, "shared");
    let survivor = run(
        &survivor_ingestor,
        &survivor_config,
        all_committed(servers.clone(), "shared".into()),
    );
    // Should the victim get no partition at all, it stops when the work is done and the
    // assertion below fails instead of the test hanging.
    let victim = run(
        &dying_ingestor,
        &dying_config,
        all_committed(servers.clone(), "shared".into()),
    );
    // Both join the group before the data arrives, so the partitions are split between them.
    let producing = async {
        tokio::time::sleep(Duration::from_secs(4)).await;
        tokio::task::block_in_place(|| produce(&cluster, &events));
    };
    let (survived, died, ()) = tokio::time::timeout(Duration::from_secs(180), async {
        tokio::join!(survivor, victim, producing)
    })
    .await
    .expect("both consumers finish within 3 minutes");
    assert!(died.is_err(), "the second consumer dies");
    assert!(
        dying_store.failures.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "the dying consumer wrote before it died"
    );
    let report = survived.unwrap();
    assert!(report.accepted > 0);
    assert_exactly_once(&healthy, &events).await;
}

/// A consumer whose TLS cannot be established (here: TLS spoken to a plaintext broker) stops
/// with a clear error instead of retrying forever while looking healthy; a secret given as a
/// plain property is refused before anything connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_stops_the_consumer_with_a_clear_error() {
    use pipeline::source::kafka_security::{KafkaSecurity, SecurityProtocol};

    let cluster = MockCluster::new(1).unwrap();
    cluster.create_topic(TOPIC, 1, 1).unwrap();
    let lake = Lake::in_memory();
    let mut tls = config(&cluster.bootstrap_servers(), "naap-tls");
    tls.security = KafkaSecurity {
        protocol: SecurityProtocol::Ssl,
        ..KafkaSecurity::default()
    };
    let outcome = tokio::time::timeout(
        Duration::from_secs(60),
        run(&ingestor(&lake), &tls, std::future::pending()),
    )
    .await
    .expect("the consumer gives up within a minute");
    // librdkafka reports a failed handshake as a transport failure of the consumption (a
    // refused SASL login comes through its error callback as `KafkaRefused`): either way the
    // consumer stops, and the process exits non-zero.
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains("kafka"), "{error}");

    let mut leaky = config(&cluster.bootstrap_servers(), "naap-leaky");
    leaky.properties.push(("sasl.password".into(), "hunter2".into()));
    let error = run(&ingestor(&lake), &leaky, std::future::pending())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("NAAP_KAFKA_PASSWORD") && !error.contains("hunter2"),
        "{error}"
    );
}
