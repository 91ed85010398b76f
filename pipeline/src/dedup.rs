//! A bounded window of recently seen deduplication keys, shared by every range an ingestor
//! writes: a duplicate envelope (a producer retry, a mirrored copy) arriving within the
//! window gets no second set of silver rows. Bronze still keeps every copy as received.
//!
//! Keys are kept as 64-bit hashes (a fixed-key SipHash, so runs are reproducible); with the
//! default window of 500,000 keys the chance of any collision is about 10^-8. The window is
//! in memory: after a restart it starts empty, so exact deduplication also happens where the
//! data is read (rollups deduplicate on `event_id`).

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

/// The most recent keys, oldest evicted first.
#[derive(Debug)]
pub(crate) struct RecentKeys {
    capacity: usize,
    set: HashSet<u64>,
    order: VecDeque<u64>,
}

impl RecentKeys {
    pub(crate) fn new(capacity: usize) -> Self {
        RecentKeys {
            capacity,
            set: HashSet::with_capacity(capacity.min(1 << 20)),
            order: VecDeque::with_capacity(capacity.min(1 << 20)),
        }
    }

    /// Records `key`; returns false if it was already in the window.
    pub(crate) fn insert(&mut self, key: &str) -> bool {
        if self.capacity == 0 {
            return true;
        }
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let hash = hasher.finish();
        if !self.set.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_within_the_window_and_forgets_beyond() {
        let mut keys = RecentKeys::new(2);
        assert!(keys.insert("a"));
        assert!(!keys.insert("a"));
        assert!(keys.insert("b"));
        assert!(keys.insert("c")); // evicts "a"
        assert!(keys.insert("a"));
        assert!(!keys.insert("c"));
        let mut off = RecentKeys::new(0);
        assert!(off.insert("a") && off.insert("a"));
    }
}
