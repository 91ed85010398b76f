//! Object-store faults: with ~10% of calls failing, ingestion retries, never leaves a partial
//! object visible, and loses nothing.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use lakehouse_layout::{DataFilePath, Dataset, Lake};
use object_store::ObjectStore;
use object_store::memory::InMemory;
use pipeline::source::memory::ingest_messages;
use scenarios::demo::{DemoConfig, DemoNetwork};

use crate::support::{FaultyStore, all_objects, ingestor, read_dataset};

#[tokio::test]
async fn ingestion_survives_a_store_that_fails_one_call_in_ten() {
    let messages: Vec<String> = DemoNetwork::new(DemoConfig::default())
        .events()
        .iter()
        .map(|e| e.to_json())
        .collect();
    let inner: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let faulty = Arc::new(FaultyStore::new(Arc::clone(&inner), 0.10, 2026));
    let lake = Lake::from_store(Arc::clone(&faulty) as Arc<dyn ObjectStore>, "faulty");
    let report = ingest_messages(&ingestor(&lake), "demo", 0, &messages, 500)
        .await
        .unwrap();
    assert!(faulty.failures.load(Ordering::SeqCst) > 10, "faults were injected");
    assert_eq!(report.accepted as usize, messages.len());

    // Read through a healthy view of the same store: every object is a complete Parquet file
    // of the layout, and every message is there exactly once.
    let healthy = Lake::from_store(inner, "healthy");
    for path in all_objects(&healthy).await {
        if path.as_ref().starts_with(lakehouse_layout::CHANGES_DIR) {
            let record: lakehouse_layout::ChangeRecord = serde_json::from_slice(&healthy.get(&path).await.unwrap())
                .unwrap_or_else(|e| panic!("{path} is not a change record: {e}"));
            assert!(!record.changes.is_empty());
            continue;
        }
        let parsed = DataFilePath::parse(&path).unwrap_or_else(|e| panic!("stray object {path}: {e}"));
        let bytes = healthy.get(&path).await.unwrap();
        lakehouse_layout::describe_file(path.as_ref(), bytes)
            .unwrap_or_else(|e| panic!("{parsed:?} is not complete: {e}"));
    }
    assert_eq!(read_dataset(&healthy, Dataset::Events).await.num_rows(), messages.len());
}
