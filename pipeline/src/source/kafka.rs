//! Kafka: a consumer-group member that writes each partition's messages as source ranges and
//! commits offsets only after the files covering them are durable.
//!
//! Exactly once into storage:
//!
//! 1. before writing a range's files, an *intent* marker naming the range is stored;
//! 2. the files are written (deterministic names: topic, partition, first and last offset);
//! 3. the offset after the range is committed to the consumer group;
//! 4. the intents up to that offset are deleted.
//!
//! A commit refused during a rebalance is retried on the next tick; the ranges stay recorded
//! by their intents until a commit covering them succeeds.
//!
//! A crash anywhere leaves either nothing or an intent. The next owner of the partition (after
//! a restart or a rebalance) resumes at the committed offset, finds the intent, and cuts its
//! first range at exactly the intent's boundaries, so it overwrites the same objects with the
//! same rows. Partitions revoked by a rebalance drop their unwritten buffers: the new owner
//! reads them again from the committed offset.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lakehouse_layout::{SourceKind, SourceRange};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::KafkaRecordMeta;
use crate::error::{Error, Result};
use crate::ingest::{IngestReport, Ingestor};
use crate::metrics::IngestMetrics;
use crate::source::kafka_security::{KafkaSecurity, SECRET_PROPERTIES, is_fatal_auth_error};

/// Settings of the Kafka source.
#[derive(Debug, Clone)]
pub struct KafkaConfig {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// Topics to consume (every go-livepeer family shares one topic per gateway fleet).
    pub topics: Vec<String>,
    /// Consumer group id: processes with the same id share the partitions.
    pub group_id: String,
    /// TLS and SASL ([`KafkaSecurity`]): what the production clusters need.
    pub security: KafkaSecurity,
    /// Extra librdkafka properties (timeouts, client id, …). Secrets are refused here
    /// ([`SECRET_PROPERTIES`]): they go through [`KafkaConfig::security`].
    pub properties: Vec<(String, String)>,
    /// A partition's buffer is written when it holds this many messages.
    pub max_batch_messages: usize,
    /// Buffers are written at least this often (bounds the latency to durable bronze).
    pub flush_interval: Duration,
}

impl KafkaConfig {
    /// A configuration with default batching: 50,000 messages or 1 s.
    pub fn new(brokers: impl Into<String>, topics: Vec<String>, group_id: impl Into<String>) -> Self {
        KafkaConfig {
            brokers: brokers.into(),
            topics,
            group_id: group_id.into(),
            security: KafkaSecurity::default(),
            properties: Vec::new(),
            max_batch_messages: 50_000,
            flush_interval: Duration::from_secs(1),
        }
    }
}

/// Records revocations so that the consumer loop can drop the buffers of partitions it no
/// longer owns.
#[derive(Debug, Default)]
struct RebalanceLog {
    revoked: Mutex<Vec<(String, i32)>>,
}

#[derive(Debug)]
struct Context {
    log: Arc<RebalanceLog>,
    metrics: Arc<IngestMetrics>,
    /// The first error that retrying cannot cure (refused credentials, an untrusted broker
    /// certificate): the consumer loop stops with it instead of retrying forever.
    fatal: Mutex<Option<String>>,
    /// Errors librdkafka retries by itself, logged without flooding.
    noise: Mutex<TransientLog>,
}

/// Whether librdkafka's reason for a transport failure says the connection can never work as
/// configured (TLS spoken to a plaintext listener or the reverse, an untrusted certificate),
/// rather than that a broker is out of reach for now. librdkafka gives both the same code,
/// so its reason is all there is to tell them apart.
fn is_misconfigured(reason: &str) -> bool {
    [
        "SSL handshake failed",
        "incorrect security.protocol",
        "certificate verify failed",
    ]
    .iter()
    .any(|sign| reason.contains(sign))
}

/// Whether a consumer error is one librdkafka recovers from by itself (a broker out of reach,
/// a connection lost, a leader moving): consumption goes on. Refused credentials and
/// authorizations are not (the error callback reports them as fatal).
fn is_transient(error: &KafkaError) -> bool {
    match error {
        KafkaError::MessageConsumption(code) => !is_fatal_auth_error(*code),
        _ => false,
    }
}

impl ClientContext for Context {
    fn error(&self, error: KafkaError, reason: &str) {
        let fatal = error.rdkafka_error_code().is_some_and(is_fatal_auth_error) || is_misconfigured(reason);
        // librdkafka's reasons name brokers and mechanisms, never the password.
        if !fatal {
            self.noise
                .lock()
                .expect("error log lock")
                .report(&format!("{error}: {reason}"));
            return;
        }
        tracing::error!(fatal, "kafka: {error}: {reason}");
        {
            let mut slot = self.fatal.lock().expect("fatal error lock");
            slot.get_or_insert_with(|| format!("{error}: {reason}"));
        }
    }

    /// librdkafka's periodic statistics carry each partition's consumer lag and the state of
    /// each broker connection (`UP` once connected).
    fn stats(&self, statistics: Statistics) {
        let up = statistics.brokers.values().filter(|b| b.state == "UP").count();
        self.metrics.set_kafka_brokers(crate::activity::BrokersUp {
            up,
            known: statistics.brokers.len(),
        });
        for (topic, stats) in &statistics.topics {
            for (partition, p) in &stats.partitions {
                // Partition -1 is librdkafka's internal "unassigned" bucket; -1 lag means unknown.
                if *partition >= 0 && p.consumer_lag >= 0 {
                    self.metrics.set_consumer_lag(topic, *partition, p.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(partitions) = rebalance {
            let mut revoked = self.log.revoked.lock().expect("rebalance log lock");
            for p in partitions.elements() {
                revoked.push((p.topic().to_string(), p.partition()));
            }
        }
    }
}

/// Messages of one partition waiting to be written.
#[derive(Debug, Default)]
struct PartitionBuffer {
    messages: Vec<(u64, Vec<u8>, KafkaRecordMeta)>,
    /// Ranges recorded by a previous owner that were not committed: rewrite them first, with
    /// exactly these boundaries.
    pending: VecDeque<SourceRange>,
}

/// Runs the Kafka source until `shutdown` resolves (then writes what is buffered, commits and
/// returns) or an error occurs (then returns it without committing anything unwritten).
pub async fn run(
    ingestor: &Ingestor,
    config: &KafkaConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<IngestReport> {
    for topic in &config.topics {
        if !lakehouse_layout::is_valid_source_name(topic) {
            return Err(Error::Config(format!(
                "topic name {topic:?} is not a valid Kafka topic name"
            )));
        }
    }
    if let Some((key, _)) = config
        .properties
        .iter()
        .find(|(key, _)| SECRET_PROPERTIES.contains(&key.as_str()))
    {
        return Err(Error::Config(format!(
            "{key} is a secret: give the SASL password with NAAP_KAFKA_PASSWORD or --kafka-password-file, not as a property"
        )));
    }
    let log = Arc::new(RebalanceLog::default());
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", &config.brokers)
        .set("group.id", &config.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .set("statistics.interval.ms", "5000");
    config.security.apply(&mut client)?;
    for (key, value) in &config.properties {
        client.set(key, value);
    }
    let consumer: StreamConsumer<Context> = client
        .create_with_context(Context {
            log: Arc::clone(&log),
            metrics: Arc::clone(ingestor.metrics()),
            fatal: Mutex::new(None),
            noise: Mutex::default(),
        })
        .map_err(kafka_error)?;
    let topics: Vec<&str> = config.topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics).map_err(kafka_error)?;

    let mut run = Run {
        ingestor,
        config,
        consumer: &consumer,
        buffers: BTreeMap::new(),
        recovered: HashSet::new(),
        uncommitted: BTreeMap::new(),
        report: IngestReport::default(),
        transient: TransientLog::default(),
    };
    let result = run.consume(shutdown, &log).await;
    let report = std::mem::take(&mut run.report);
    drop(run);
    close(consumer).await;
    result.map(|()| report)
}

struct Run<'a> {
    ingestor: &'a Ingestor,
    config: &'a KafkaConfig,
    consumer: &'a StreamConsumer<Context>,
    buffers: BTreeMap<(String, i32), PartitionBuffer>,
    /// Partitions whose intents were checked since they were assigned.
    recovered: HashSet<(String, i32)>,
    /// Ranges written but not yet covered by a successful commit, per partition.
    uncommitted: BTreeMap<(String, i32), Vec<SourceRange>>,
    report: IngestReport,
    transient: TransientLog,
}

/// Logs transient consumer errors without flooding: librdkafka repeats "all brokers down"
/// many times a second while it retries. An error is logged when it first appears, then at
/// most once a minute with how often it came.
#[derive(Debug, Default)]
struct TransientLog {
    last: Option<(String, std::time::Instant, u64)>,
}

impl TransientLog {
    fn report(&mut self, text: &str) {
        let text = text.to_string();
        match &mut self.last {
            Some((last, at, repeats)) if *last == text && at.elapsed() < Duration::from_secs(60) => *repeats += 1,
            _ => {
                let repeats = self.last.as_ref().filter(|(last, ..)| *last == text).map_or(0, |l| l.2);
                tracing::warn!(repeats, "kafka: {text}; the client keeps retrying");
                self.last = Some((text, std::time::Instant::now(), 0));
            }
        }
    }
}

impl Run<'_> {
    async fn consume(&mut self, shutdown: impl Future<Output = ()>, log: &RebalanceLog) -> Result<()> {
        let mut tick = tokio::time::interval(self.config.flush_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => {
                    self.drop_revoked(log);
                    self.flush_all().await?;
                    self.commit_all().await?;
                    if !self.uncommitted.is_empty() {
                        tracing::warn!("stopping with uncommitted ranges; the next start rewrites them from their intents");
                    }
                    return Ok(());
                }
                _ = tick.tick() => {
                    if let Some(fatal) = self.fatal_error() {
                        return Err(fatal);
                    }
                    self.drop_revoked(log);
                    self.flush_all().await?;
                    self.commit_all().await?;
                    self.ingestor.metrics().activity().kafka_round();
                }
                message = self.consumer.recv() => {
                    self.drop_revoked(log);
                    let message = match message {
                        Ok(message) => message,
                        Err(e) => {
                            // The error callback may have said why (refused credentials, TLS).
                            if let Some(fatal) = self.fatal_error() {
                                return Err(fatal);
                            }
                            if is_transient(&e) {
                                // librdkafka reconnects by itself: a broker restarting or out of
                                // reach for a while must not end ingestion (readiness says so).
                                self.transient.report(&e.to_string());
                                continue;
                            }
                            return Err(kafka_error(e));
                        }
                    };
                    let key = (message.topic().to_string(), message.partition());
                    let offset = u64::try_from(message.offset()).unwrap_or(0);
                    let payload = message.payload().unwrap_or_default().to_vec();
                    let meta = record_meta(&message);
                    drop(message);
                    if !self.recovered.contains(&key) {
                        self.recover(&key, offset).await?;
                    }
                    let buffer = self.buffers.entry(key.clone()).or_default();
                    buffer.messages.push((offset, payload, meta));
                    let full = buffer.messages.len() >= self.config.max_batch_messages;
                    let at_boundary = buffer.pending.front().is_some_and(|r| offset >= r.last());
                    if full || at_boundary {
                        self.flush(&key).await?;
                    }
                }
            }
        }
    }

    /// The error that retrying cannot cure, if the client reported one.
    fn fatal_error(&self) -> Option<Error> {
        let fatal = self.consumer.context().fatal.lock().expect("fatal error lock").take();
        fatal.map(Error::KafkaRefused)
    }

    /// Drops the unwritten buffers of revoked partitions: their next owner reads them again
    /// from the committed offset.
    fn drop_revoked(&mut self, log: &RebalanceLog) {
        let revoked: Vec<_> = std::mem::take(&mut *log.revoked.lock().expect("rebalance log lock"));
        for key in revoked {
            self.buffers.remove(&key);
            self.recovered.remove(&key);
            // Their intents stay: the next owner rewrites and commits those ranges.
            self.uncommitted.remove(&key);
        }
    }

    /// On the first message of a newly assigned partition (at the committed offset
    /// `first_offset`): intents entirely below it were committed and are deleted; the others
    /// are ranges to rewrite with their exact boundaries.
    async fn recover(&mut self, key: &(String, i32), first_offset: u64) -> Result<()> {
        let lake = self.ingestor.lake();
        let partition = partition_number(key.1)?;
        let mut pending = VecDeque::new();
        for range in lake.list_intents(SourceKind::Kafka, &key.0, partition).await? {
            if range.last() < first_offset {
                lake.delete_intent(&range).await?;
            } else {
                tracing::info!(topic = %key.0, partition, first = range.first(), last = range.last(), "rewriting an uncommitted range");
                pending.push_back(range);
            }
        }
        self.buffers.entry(key.clone()).or_default().pending = pending;
        self.recovered.insert(key.clone());
        Ok(())
    }

    async fn flush_all(&mut self) -> Result<()> {
        let keys: Vec<_> = self.buffers.keys().cloned().collect();
        for key in keys {
            self.flush(&key).await?;
        }
        Ok(())
    }

    /// Writes the buffered messages of one partition as one or more ranges, then commits.
    async fn flush(&mut self, key: &(String, i32)) -> Result<()> {
        let partition = partition_number(key.1)?;
        loop {
            let Some(buffer) = self.buffers.get_mut(key) else {
                return Ok(());
            };
            let Some(&(first, _, _)) = buffer.messages.first() else {
                return Ok(());
            };
            let last_buffered = buffer.messages.last().map(|m| m.0).unwrap_or(first);
            // A pending range is rewritten exactly; messages before it form their own range.
            let range = match buffer.pending.front() {
                Some(pending) if first >= pending.first() => {
                    if last_buffered < pending.last() {
                        return Ok(()); // wait until the whole range has been read again
                    }
                    pending.clone()
                }
                Some(pending) => {
                    let end = buffer
                        .messages
                        .iter()
                        .take_while(|m| m.0 < pending.first())
                        .map(|m| m.0)
                        .last();
                    SourceRange::new(SourceKind::Kafka, &key.0, partition, first, end.unwrap_or(first))?
                }
                None => SourceRange::new(SourceKind::Kafka, &key.0, partition, first, last_buffered)?,
            };
            let split = buffer.messages.partition_point(|m| m.0 <= range.last());
            let rest = buffer.messages.split_off(split);
            let messages = std::mem::replace(&mut buffer.messages, rest);
            if buffer.pending.front() == Some(&range) {
                buffer.pending.pop_front();
            }
            self.write_and_commit(&range, key, &messages).await?;
        }
    }

    async fn write_and_commit(
        &mut self,
        range: &SourceRange,
        key: &(String, i32),
        messages: &[(u64, Vec<u8>, KafkaRecordMeta)],
    ) -> Result<()> {
        self.ingestor.lake().put_intent(range).await?;
        let report = self.ingestor.ingest_kafka(range, messages).await?;
        self.report.merge(report);
        self.uncommitted.entry(key.clone()).or_default().push(range.clone());
        self.commit(key).await
    }

    async fn commit_all(&mut self) -> Result<()> {
        let keys: Vec<_> = self.uncommitted.keys().cloned().collect();
        for key in keys {
            self.commit(&key).await?;
        }
        Ok(())
    }

    /// Commits the offset after the partition's last written range; on success deletes the
    /// intents it covers. A refused commit (typically during a rebalance) is kept for later.
    async fn commit(&mut self, key: &(String, i32)) -> Result<()> {
        let Some(last) = self
            .uncommitted
            .get(key)
            .and_then(|ranges| ranges.last())
            .map(SourceRange::last)
        else {
            return Ok(());
        };
        let mut offsets = TopicPartitionList::new();
        offsets
            .add_partition_offset(&key.0, key.1, Offset::Offset(last as i64 + 1))
            .map_err(kafka_error)?;
        if let Err(error) = self.consumer.commit(&offsets, CommitMode::Sync) {
            tracing::warn!(topic = %key.0, partition = key.1, %error, "commit refused; will retry");
            return Ok(());
        }
        for range in self.uncommitted.remove(key).unwrap_or_default() {
            self.ingestor.lake().delete_intent(&range).await?;
        }
        Ok(())
    }
}

/// The record's key, headers and timestamp, which bronze keeps beside its value.
fn record_meta(message: &impl Message) -> KafkaRecordMeta {
    KafkaRecordMeta {
        key: message.key().map(<[u8]>::to_vec),
        headers: message
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default(),
        timestamp_ms: message.timestamp().to_millis(),
    }
}

fn partition_number(partition: i32) -> Result<u32> {
    u32::try_from(partition).map_err(|_| Error::Config(format!("negative partition {partition}")))
}

fn kafka_error(error: KafkaError) -> Error {
    Error::Kafka(error.to_string())
}

/// Closes the consumer without blocking the runtime: dropping an rdkafka consumer can block
/// (leaving the group), and in rare cases hang (rust-rdkafka #509, #633).
async fn close(consumer: StreamConsumer<Context>) {
    consumer.unsubscribe();
    let closing = tokio::task::spawn_blocking(move || drop(consumer));
    if tokio::time::timeout(Duration::from_secs(10), closing).await.is_err() {
        tracing::warn!("the Kafka consumer did not close within 10 s; continuing");
    }
}
