//! What ingestion is doing now, for a health check: the writes to the lake in flight, when the
//! Kafka consumer last completed a round, and how many of its brokers answer. A process that
//! only counts what it did cannot tell "nothing to do" from "stuck"; this can.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Ingestion's current activity (one per [`crate::metrics::IngestMetrics`]).
#[derive(Debug, Default)]
pub struct Activity {
    next_write: AtomicU64,
    /// Start of each write to the lake not yet finished, by write number.
    writes: Mutex<BTreeMap<u64, Instant>>,
    /// End of the Kafka consumer's latest round (its flush and commit tick), once it ran.
    kafka_round: Mutex<Option<Instant>>,
    /// Brokers up and known, from the Kafka client's latest statistics.
    kafka_brokers: Mutex<Option<BrokersUp>>,
}

/// How many of the Kafka client's brokers are up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokersUp {
    pub up: usize,
    pub known: usize,
}

/// A write to the lake in flight; finished when dropped (whether it succeeded or not).
#[derive(Debug)]
pub struct WriteInFlight<'a> {
    activity: &'a Activity,
    number: u64,
}

impl Drop for WriteInFlight<'_> {
    fn drop(&mut self) {
        lock(&self.activity.writes).remove(&self.number);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these small maps leaves it consistent: keep going.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Activity {
    /// Marks a write to the lake as started, until the returned guard is dropped.
    pub fn write_started(&self) -> WriteInFlight<'_> {
        let number = self.next_write.fetch_add(1, Ordering::Relaxed);
        lock(&self.writes).insert(number, Instant::now());
        WriteInFlight { activity: self, number }
    }

    /// The Kafka consumer completed a round (its flushes and commits of one tick).
    pub fn kafka_round(&self) {
        *lock(&self.kafka_round) = Some(Instant::now());
    }

    /// The Kafka client's latest view of its brokers.
    pub fn set_kafka_brokers(&self, brokers: BrokersUp) {
        *lock(&self.kafka_brokers) = Some(brokers);
    }

    /// The Kafka client's brokers, once it reported statistics (never without a Kafka source).
    pub fn kafka_brokers(&self) -> Option<BrokersUp> {
        *lock(&self.kafka_brokers)
    }

    /// Why ingestion is stuck, if it is: a write to the lake in flight for longer than
    /// `limit`, or a Kafka consumer without a completed round for longer than `limit`.
    /// Idle is not stuck: a push listener nobody pushes to, or a quiet topic (the consumer's
    /// rounds go on without messages), is not reported.
    pub fn stalled(&self, limit: Duration) -> Option<String> {
        if let Some(oldest) = lock(&self.writes).values().min() {
            let age = oldest.elapsed();
            if age > limit {
                return Some(format!(
                    "a write to the lake has been in flight for {:.1} s (limit {} s)",
                    age.as_secs_f64(),
                    limit.as_secs()
                ));
            }
        }
        if let Some(round) = *lock(&self.kafka_round) {
            let age = round.elapsed();
            if age > limit {
                return Some(format!(
                    "the Kafka consumer has not completed a round for {:.1} s (limit {} s)",
                    age.as_secs_f64(),
                    limit.as_secs()
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_in_flight_longer_than_the_limit_is_a_stall_and_ends_with_its_guard() {
        let activity = Activity::default();
        assert_eq!(activity.stalled(Duration::ZERO), None, "idle is not stuck");
        let write = activity.write_started();
        std::thread::sleep(Duration::from_millis(5));
        let reason = activity.stalled(Duration::from_millis(1)).unwrap();
        assert!(reason.starts_with("a write to the lake has been in flight"), "{reason}");
        assert_eq!(activity.stalled(Duration::from_secs(60)), None);
        drop(write);
        assert_eq!(activity.stalled(Duration::ZERO), None);
    }

    #[test]
    fn a_kafka_consumer_without_a_round_for_longer_than_the_limit_is_a_stall() {
        let activity = Activity::default();
        activity.kafka_round();
        std::thread::sleep(Duration::from_millis(5));
        let reason = activity.stalled(Duration::from_millis(1)).unwrap();
        assert!(reason.contains("Kafka consumer has not completed a round"), "{reason}");
        activity.kafka_round();
        assert_eq!(activity.stalled(Duration::from_secs(60)), None);
    }
}
