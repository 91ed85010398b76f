//! Prometheus metrics of ingestion (`/metrics`).

use std::sync::Arc;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::activity::{Activity, BrokersUp};
use crate::ingest::IngestReport;

/// The ingestion metrics and the registry that renders them.
#[derive(Debug, Clone)]
pub struct IngestMetrics {
    registry: Registry,
    received: IntCounterVec,
    accepted: IntCounterVec,
    dead_letters: IntCounterVec,
    files: IntCounterVec,
    bytes: IntCounterVec,
    rows: IntCounterVec,
    flush_seconds: HistogramVec,
    consumer_lag: IntGaugeVec,
    kafka_brokers_up: IntGauge,
    auth_refused: IntCounterVec,
    activity: Arc<Activity>,
}

impl Default for IngestMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl IngestMetrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("unique metric");
            metric
        };
        let received = counter(
            "naap_ingest_messages_received_total",
            "Messages read, per source kind",
            &["source"],
        );
        let accepted = counter(
            "naap_ingest_messages_accepted_total",
            "Messages stored in bronze, per source kind and event family",
            &["source", "family"],
        );
        let dead_letters = counter(
            "naap_ingest_dead_letters_total",
            "Messages rejected into dead letters, per source kind and reason",
            &["source", "reason"],
        );
        let files = counter(
            "naap_ingest_files_written_total",
            "Parquet files written, per dataset",
            &["dataset"],
        );
        let bytes = counter(
            "naap_ingest_bytes_written_total",
            "Parquet bytes written, per dataset",
            &["dataset"],
        );
        let rows = counter(
            "naap_ingest_rows_written_total",
            "Rows written, per dataset",
            &["dataset"],
        );
        let auth_refused = counter(
            "naap_ingest_auth_refused_total",
            "Pushes refused for their credential, per reason (missing_credential, unknown_credential, wrong_scope)",
            &["reason"],
        );
        let flush_seconds = HistogramVec::new(
            HistogramOpts::new(
                "naap_ingest_flush_seconds",
                "Time to decode and durably write one source range, per source kind",
            )
            .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["source"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(flush_seconds.clone()))
            .expect("unique metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "naap_kafka_consumer_lag_messages",
                "Messages between the consumer's position and the partition's high watermark",
            ),
            &["topic", "partition"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(consumer_lag.clone()))
            .expect("unique metric");
        let kafka_brokers_up = IntGauge::new(
            "naap_kafka_brokers_up",
            "Kafka brokers the consumer's client sees up, as of its latest statistics",
        )
        .expect("valid metric");
        registry
            .register(Box::new(kafka_brokers_up.clone()))
            .expect("unique metric");
        IngestMetrics {
            registry,
            kafka_brokers_up,
            activity: Arc::default(),
            received,
            accepted,
            dead_letters,
            files,
            bytes,
            rows,
            flush_seconds,
            consumer_lag,
            auth_refused,
        }
    }

    /// Counts a push refused for its credential.
    pub fn auth_refused(&self, reason: &str) {
        self.auth_refused.with_label_values(&[reason]).inc();
    }

    /// Records what one range's ingestion did and how long it took.
    pub fn record(&self, source: &str, report: &IngestReport, seconds: f64) {
        self.received.with_label_values(&[source]).inc_by(report.messages);
        for (family, count) in &report.by_family {
            let family = lakehouse_layout::family_partition_value(family);
            self.accepted.with_label_values(&[source, family]).inc_by(*count);
        }
        for (reason, count) in &report.dead_letters {
            self.dead_letters.with_label_values(&[source, reason]).inc_by(*count);
        }
        for file in &report.files {
            let dataset = file.path.dataset.name();
            self.files.with_label_values(&[dataset]).inc();
            self.bytes.with_label_values(&[dataset]).inc_by(file.bytes);
            self.rows.with_label_values(&[dataset]).inc_by(file.rows);
        }
        self.flush_seconds.with_label_values(&[source]).observe(seconds);
    }

    /// Sets the consumer lag of one Kafka partition.
    pub fn set_consumer_lag(&self, topic: &str, partition: i32, lag: i64) {
        self.consumer_lag
            .with_label_values(&[topic, &partition.to_string()])
            .set(lag);
    }

    /// What ingestion is doing now (for `/healthz` and `/readyz`).
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// The Kafka client's latest view of its brokers.
    pub fn set_kafka_brokers(&self, brokers: BrokersUp) {
        self.kafka_brokers_up.set(brokers.up as i64);
        self.activity.set_kafka_brokers(brokers);
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("the text format is UTF-8")
    }
}
