//! A sharded CLOCK (second-chance) cache with a byte capacity, used for blocks and
//! open table readers.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::RwLock;

/// A one-multiply hasher for small integer keys (table ids, offsets).
#[derive(Default)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
    }
}

type FastMap<K, V> = HashMap<K, Slot<V>, BuildHasherDefault<FastHasher>>;

struct Slot<V> {
    value: V,
    weight: usize,
    /// Atomic so a hit needs only the shard's read lock.
    referenced: AtomicBool,
}

struct Shard<K, V> {
    map: FastMap<K, V>,
    clock: VecDeque<K>,
    bytes: usize,
}

pub(crate) struct ClockCache<K, V> {
    shards: Box<[RwLock<Shard<K, V>>]>,
    /// `shards.len() - 1`; the count is a power of two so picking a shard is a mask,
    /// not a division.
    shard_mask: usize,
    shard_capacity: usize,
}

const SHARDS: usize = 16;

impl<K: Hash + Eq + Copy, V: Clone> ClockCache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_shards(capacity, SHARDS)
    }

    /// A cache split into `shards` (rounded up to a power of two) independently locked
    /// parts.
    pub(crate) fn with_shards(capacity: usize, shards: usize) -> Self {
        let n = shards.max(1).next_power_of_two();
        let shards = (0..n)
            .map(|_| {
                RwLock::new(Shard {
                    map: FastMap::default(),
                    clock: VecDeque::new(),
                    bytes: 0,
                })
            })
            .collect();
        ClockCache {
            shards,
            shard_mask: n - 1,
            shard_capacity: capacity / n,
        }
    }

    fn shard(&self, k: &K) -> &RwLock<Shard<K, V>> {
        let mut h = FastHasher::default();
        k.hash(&mut h);
        let i = (h.finish() >> 32) as usize & self.shard_mask;
        &self.shards[i]
    }

    pub(crate) fn get(&self, k: &K) -> Option<V> {
        let shard = self.shard(k).read();
        let slot = shard.map.get(k)?;
        // Relaxed: the bit is a replacement hint, it orders nothing.
        if !slot.referenced.load(Ordering::Relaxed) {
            slot.referenced.store(true, Ordering::Relaxed);
        }
        Some(slot.value.clone())
    }

    pub(crate) fn insert(&self, k: K, value: V, weight: usize) {
        let mut guard = self.shard(&k).write();
        let shard = &mut *guard;
        if let Some(old) = shard.map.insert(
            k,
            Slot {
                value,
                weight,
                referenced: AtomicBool::new(false),
            },
        ) {
            shard.bytes -= old.weight;
        } else {
            shard.clock.push_back(k);
        }
        shard.bytes += weight;
        // Bounded: each key is pushed back at most once per sweep.
        let mut budget = shard.clock.len() * 2;
        while shard.bytes > self.shard_capacity && budget > 0 {
            budget -= 1;
            let Some(victim) = shard.clock.pop_front() else {
                break;
            };
            if victim == k {
                // NOTE: the newest entry stays even when it alone exceeds the capacity,
                // so a table bigger than the cache is not reopened on every read.
                shard.clock.push_back(victim);
                continue;
            }
            match shard.map.get_mut(&victim) {
                Some(slot) if slot.referenced.load(Ordering::Relaxed) => {
                    *slot.referenced.get_mut() = false;
                    shard.clock.push_back(victim);
                }
                Some(_) => {
                    if let Some(slot) = shard.map.remove(&victim) {
                        shard.bytes -= slot.weight;
                    }
                }
                None => {}
            }
        }
    }

    pub(crate) fn remove(&self, k: &K) {
        let mut shard = self.shard(k).write();
        if let Some(slot) = shard.map.remove(k) {
            shard.bytes -= slot.weight;
            shard.clock.retain(|x| x != k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respects_capacity_and_keeps_referenced_entries() {
        let cache: ClockCache<u64, u64> = ClockCache::new(SHARDS * 100);
        for i in 0..10_000u64 {
            cache.insert(i, i, 10);
        }
        let total: usize = cache.shards.iter().map(|s| s.read().bytes).sum();
        assert!(total <= SHARDS * 100);
        assert_eq!(cache.get(&9_999), Some(9_999));
        cache.remove(&9_999);
        assert_eq!(cache.get(&9_999), None);
    }
}
