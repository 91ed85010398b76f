//! Pull collectors: poll go-livepeer HTTP endpoints and ingest the answers like any other
//! source (`naap collect`).
//!
//! ```text
//! target task (one per target) ──poll──► PollResult ──channel──► writer ──► Ingestor
//!   interval × jitter, back-off            data + poll envelopes     buffered per target,
//!                                                                     flushed every flush_interval
//! ```
//!
//! Each target is a source of its own (`collect-<target>`); an envelope's offset is derived
//! from its poll's start time, so files are named after the time range they cover and a
//! restarted collector never reuses a name. Targets run independently: one that hangs until
//! its timeout delays nobody else.

mod poll;
mod target;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lakehouse_layout::{SourceKind, SourceRange};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc;

pub use target::{CollectorConfig, DEFAULT_TIMEOUT, Endpoint, Target};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ingest::{IngestReport, Ingestor};
use poll::{PollResult, poll};

/// What a collector run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CollectReport {
    /// Polls per target and outcome.
    pub polls: BTreeMap<String, BTreeMap<String, u64>>,
    /// What the ingestor wrote.
    pub ingest: IngestReport,
}

impl CollectReport {
    /// Polls of every target with `outcome`.
    pub fn count(&self, outcome: &str) -> u64 {
        self.polls.values().filter_map(|by| by.get(outcome)).sum()
    }
}

/// Polls targets and writes what they answer through an [`Ingestor`].
#[derive(Debug)]
pub struct Collector {
    config: CollectorConfig,
    ingestor: Ingestor,
    clock: Arc<dyn Clock>,
    client: reqwest::Client,
    on_poll: Option<Observer>,
}

/// A [`PollObserver`], shown by name only in debug output.
#[derive(Clone)]
struct Observer(PollObserver);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PollObserver")
    }
}

/// Called with each completed poll's target and outcome (`ok`, `timeout`, …): how a running
/// collector shows its progress (health, metrics).
pub type PollObserver = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Messages of one target waiting to be written: `(offset, envelope)` in offset order.
#[derive(Debug, Default)]
struct Pending {
    messages: Vec<(u64, Vec<u8>)>,
    since: Option<tokio::time::Instant>,
}

/// Offsets of a poll's envelopes: its start time in ms, times two, plus 0 for the data and
/// 1 for the poll record.
fn offsets(started_ms: i64) -> (u64, u64) {
    let base = u64::try_from(started_ms).unwrap_or(0) * 2;
    (base, base + 1)
}

impl Collector {
    /// A collector for `config`'s targets. The clock stamps polls (tests inject one).
    pub fn new(config: CollectorConfig, ingestor: Ingestor, clock: Arc<dyn Clock>) -> Result<Self> {
        config.validate()?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("naap-collector/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(DEFAULT_TIMEOUT)
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Collector {
            config,
            ingestor,
            clock,
            client,
            on_poll: None,
        })
    }

    /// Tells `observer` of every poll [`Collector::run`] completes.
    pub fn on_poll(mut self, observer: PollObserver) -> Self {
        self.on_poll = Some(Observer(observer));
        self
    }

    /// The targets polled.
    pub fn targets(&self) -> &[Target] {
        &self.config.targets
    }

    /// Polls every target once, concurrently, and writes everything.
    pub async fn once(&self) -> Result<CollectReport> {
        let polls = futures::future::join_all(self.config.targets.iter().map(|target| async move {
            let result = poll(
                &self.client,
                target,
                self.clock.now_ms(),
                0,
                self.config.max_response_bytes,
            )
            .await;
            (target.name.clone(), result)
        }))
        .await;
        let mut report = CollectReport::default();
        let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
        for (name, result) in polls {
            record(&mut report, &mut pending, name, result);
        }
        for (name, batch) in pending {
            self.flush(&name, batch, &mut report).await?;
        }
        Ok(report)
    }

    /// Polls every target on its schedule until `shutdown` resolves, then writes what is
    /// buffered. Storage failures are retried at the next flush; nothing buffered is lost
    /// while the process lives.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) -> Result<CollectReport> {
        let (sender, mut receiver) = mpsc::channel::<(String, PollResult)>(64);
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for (i, target) in self.config.targets.iter().enumerate() {
            let target = target.clone();
            let sender = sender.clone();
            let client = self.client.clone();
            let clock = Arc::clone(&self.clock);
            let max_bytes = self.config.max_response_bytes;
            let jitter = self.config.jitter;
            let max_backoff = self.config.max_backoff;
            let mut rng = StdRng::seed_from_u64(self.config.seed.wrapping_add(i as u64));
            let mut stopped = stop.subscribe();
            tasks.push(tokio::spawn(async move {
                // A random first delay spreads the targets over their interval.
                let mut wait = target.interval.mul_f64(rng.random_range(0.0..jitter.max(f64::EPSILON)));
                let mut failures = 0u64;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stopped.changed() => return,
                    }
                    let result = poll(&client, &target, clock.now_ms(), failures, max_bytes).await;
                    failures = if result.outcome == "ok" { 0 } else { failures + 1 };
                    if sender.send((target.name.clone(), result)).await.is_err() {
                        return;
                    }
                    wait = next_wait(&target, failures, jitter, max_backoff, &mut rng);
                }
            }));
        }
        drop(sender);
        let mut report = CollectReport::default();
        let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
        let mut ticker = tokio::time::interval(self.config.flush_interval.min(Duration::from_secs(5)));
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                received = receiver.recv() => match received {
                    Some((name, result)) => {
                        if let Some(Observer(observe)) = &self.on_poll {
                            observe(&name, result.outcome);
                        }
                        record(&mut report, &mut pending, name, result)
                    }
                    None => break,
                },
                _ = ticker.tick() => self.flush_due(&mut pending, &mut report).await,
                _ = &mut shutdown => break,
            }
        }
        let _ = stop.send(true);
        for task in tasks {
            let _ = task.await;
        }
        while let Ok((name, result)) = receiver.try_recv() {
            record(&mut report, &mut pending, name, result);
        }
        for (name, batch) in std::mem::take(&mut pending) {
            self.flush(&name, batch, &mut report).await?;
        }
        Ok(report)
    }

    /// Writes the targets whose oldest buffered poll is older than the flush interval. A
    /// failed write keeps the messages for the next attempt.
    async fn flush_due(&self, pending: &mut BTreeMap<String, Pending>, report: &mut CollectReport) {
        let due: Vec<String> = pending
            .iter()
            .filter(|(_, p)| {
                p.since
                    .is_some_and(|since| since.elapsed() >= self.config.flush_interval)
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            let Some(batch) = pending.remove(&name) else { continue };
            let since = batch.since;
            let messages = batch.messages.clone();
            if let Err(e) = self.flush(&name, batch, report).await {
                tracing::warn!(target = %name, error = %e, "collector write failed; retrying at the next flush");
                pending.insert(name, Pending { messages, since });
            }
        }
    }

    async fn flush(&self, name: &str, batch: Pending, report: &mut CollectReport) -> Result<()> {
        let (Some(first), Some(last)) = (batch.messages.first(), batch.messages.last()) else {
            return Ok(());
        };
        let range = SourceRange::new(SourceKind::Collector, name, 0, first.0, last.0)?;
        let messages: Vec<(u64, &[u8])> = batch.messages.iter().map(|(o, m)| (*o, m.as_slice())).collect();
        let written = self.ingestor.ingest(&range, &messages).await?;
        report.ingest.merge(written);
        Ok(())
    }
}

fn record(report: &mut CollectReport, pending: &mut BTreeMap<String, Pending>, name: String, result: PollResult) {
    *report
        .polls
        .entry(name.clone())
        .or_default()
        .entry(result.outcome.to_string())
        .or_default() += 1;
    let (data_offset, poll_offset) = offsets(result.started_ms);
    let batch = pending.entry(name).or_default();
    batch.since.get_or_insert_with(tokio::time::Instant::now);
    if let Some(data) = result.data {
        batch.messages.push((data_offset, data));
    }
    batch.messages.push((poll_offset, result.poll));
}

/// The wait before the next poll: the interval with jitter, doubled per consecutive
/// failure up to `max_backoff`.
fn next_wait(target: &Target, failures: u64, jitter: f64, max_backoff: Duration, rng: &mut impl Rng) -> Duration {
    let base = match failures {
        0 => target.interval,
        n => target
            .interval
            .saturating_mul(1u32 << n.min(16))
            .min(max_backoff.max(target.interval)),
    };
    let factor = if jitter > 0.0 {
        rng.random_range(1.0 - jitter..=1.0 + jitter)
    } else {
        1.0
    };
    base.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_the_cap_and_jitter_stays_in_bounds() {
        let target = Target {
            name: "t".into(),
            endpoint: Endpoint::Metrics,
            url: "http://x/metrics".parse().unwrap(),
            interval: Duration::from_secs(60),
            timeout: DEFAULT_TIMEOUT,
        };
        let mut rng = StdRng::seed_from_u64(7);
        let cap = Duration::from_secs(600);
        assert_eq!(next_wait(&target, 0, 0.0, cap, &mut rng), Duration::from_secs(60));
        assert_eq!(next_wait(&target, 1, 0.0, cap, &mut rng), Duration::from_secs(120));
        assert_eq!(next_wait(&target, 3, 0.0, cap, &mut rng), Duration::from_secs(480));
        assert_eq!(next_wait(&target, 40, 0.0, cap, &mut rng), cap);
        for _ in 0..100 {
            let wait = next_wait(&target, 0, 0.1, cap, &mut rng);
            assert!((54.0..=66.0).contains(&wait.as_secs_f64()), "{wait:?}");
        }
    }
}
