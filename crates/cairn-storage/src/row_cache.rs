//! [`RowCache`]: results of point reads from the tables, by key.
//!
//! A point read checks the memtables first, then the tables newest first; the row
//! cache remembers what the table part answered for a key: its newest version in the
//! tables (a value, or a tombstone). That answer is a pure function of the table set,
//! which is immutable, so no write invalidates it: writes land in the memtables, which
//! every read checks before the row cache. Each entry is tagged with the generation
//! of the table set it was computed from (`SuperVersion::tables_gen`, new whenever a
//! flush or compaction installs tables); an entry of another generation is ignored.
//!
//! Snapshots: the cached answer is the newest version in the tables, which is the
//! right answer only for reads whose sequence is at least the tables' newest sequence.
//! Older snapshots neither read nor fill the cache.
//!
//! Memory: a [`ClockCache`] with a byte capacity (`Options::with_row_cache_bytes`),
//! keyed by the key's 64-bit hash (`util::fast_hash`); the entry holds the key,
//! checked on every hit, so two keys with the same hash only evict each other. Key
//! and value share one allocation, so a hit follows one pointer from the cache slot.
//!
//! Admission: a key enters only when it is read a second time within a window of
//! `WINDOW` misses (a "doorkeeper" bit set of recent key hashes), so a scan of
//! random keys, each read once, does not pay for copying every value into the cache
//! nor flush the keys that are read again and again.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::cache::ClockCache;
use crate::keyspace::KS_PREFIX;

/// Bits of the doorkeeper (8 KiB).
const DOOR_BITS: usize = 1 << 16;
/// Misses after which the doorkeeper forgets everything.
const WINDOW: usize = DOOR_BITS / 4;

/// A cached table answer for one key.
#[derive(Clone)]
pub(crate) struct RowEntry {
    gen: u64,
    /// Bytes of `data` that are the key; the value follows.
    key_len: usize,
    tombstone: bool,
    /// `key | value` (no value for a tombstone).
    data: Arc<[u8]>,
}

impl RowEntry {
    /// The value bytes (empty for a tombstone, which `get` never hands out).
    pub(crate) fn value(&self) -> &[u8] {
        self.data.get(self.key_len..).unwrap_or_default()
    }

    pub(crate) fn is_tombstone(&self) -> bool {
        self.tombstone
    }

    /// Whether the entry is for `key` of keyspace `ks` (stored as the internal key
    /// `ks | key`).
    fn is_for(&self, ks: u16, key: &[u8]) -> bool {
        let stored = self.data.get(..self.key_len).unwrap_or_default();
        stored.split_at_checked(KS_PREFIX) == Some((&ks.to_be_bytes()[..], key))
    }
}

pub(crate) struct RowCache {
    cache: ClockCache<u64, RowEntry>,
    /// One bit per recently missed key hash (see the module doc).
    door: Box<[AtomicU64]>,
    misses: AtomicUsize,
}

/// Bytes charged per entry beyond key and value (entry, slot, clock position).
const ENTRY_OVERHEAD: usize = 96;

impl RowCache {
    pub(crate) fn new(capacity: usize) -> Self {
        RowCache {
            cache: ClockCache::new(capacity),
            door: (0..DOOR_BITS / 64).map(|_| AtomicU64::new(0)).collect(),
            misses: AtomicUsize::new(0),
        }
    }

    /// Whether a missed key should be cached: it missed before in this window.
    /// Relaxed atomics: a lost race only admits or skips one key once.
    pub(crate) fn admit(&self, hash: u64) -> bool {
        // Misses are counted one in SAMPLE (by hash bits the other uses leave alone),
        // so concurrent readers rarely touch the shared counter.
        const SAMPLE: u64 = 64;
        const SAMPLED_WINDOW: usize = WINDOW / SAMPLE as usize;
        if hash.is_multiple_of(SAMPLE)
            && self.misses.fetch_add(1, Ordering::Relaxed) % SAMPLED_WINDOW == SAMPLED_WINDOW - 1
        {
            for w in self.door.iter() {
                w.store(0, Ordering::Relaxed);
            }
        }
        // High bits: the cache's shards and hash table use the low ones.
        let bit = (hash >> 40) as usize % DOOR_BITS;
        let mask = 1u64 << (bit % 64);
        self.door
            .get(bit / 64)
            .is_some_and(|w| w.fetch_or(mask, Ordering::Relaxed) & mask != 0)
    }

    /// The hash of `key` in keyspace `ks`, computed from the parts so a hit needs no
    /// internal key built.
    pub(crate) fn hash(ks: u16, key: &[u8]) -> u64 {
        crate::util::fast_hash(u64::from(ks), key)
    }

    /// The answer cached for `key` of keyspace `ks` (hash `hash`) in table set `gen`.
    pub(crate) fn get(&self, gen: u64, hash: u64, ks: u16, key: &[u8]) -> Option<RowEntry> {
        let e = self.cache.get(&hash)?;
        (e.gen == gen && e.is_for(ks, key)).then_some(e)
    }

    /// Remembers that the tables of set `gen` answer `value` (`None`: a tombstone)
    /// for internal key `ikey` (hash: [`Self::hash`] of its parts).
    pub(crate) fn insert(&self, gen: u64, hash: u64, ikey: &[u8], value: Option<&[u8]>) {
        let weight = ikey.len() + value.map_or(0, <[u8]>::len) + ENTRY_OVERHEAD;
        let mut data = Vec::with_capacity(ikey.len() + value.map_or(0, <[u8]>::len));
        data.extend_from_slice(ikey);
        data.extend_from_slice(value.unwrap_or_default());
        let entry = RowEntry {
            gen,
            key_len: ikey.len(),
            tombstone: value.is_none(),
            data: data.into(),
        };
        self.cache.insert(hash, entry, weight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_need_the_same_generation_and_key() {
        let c = RowCache::new(1 << 20);
        c.insert(3, 42, b"\0\x01key", Some(b"v"));
        assert_eq!(
            c.get(3, 42, 1, b"key").map(|e| e.value().to_vec()),
            Some(b"v".to_vec())
        );
        assert!(c.get(4, 42, 1, b"key").is_none(), "another table set");
        assert!(c.get(3, 42, 1, b"other").is_none(), "same hash, other key");
        assert!(
            c.get(3, 42, 2, b"key").is_none(),
            "same hash, other keyspace"
        );
        assert!(c.get(3, 42, 1, b"ke").is_none(), "same hash, a prefix");
        assert!(c.get(3, 43, 1, b"key").is_none());
        c.insert(3, 42, b"\0\x01key", None);
        assert!(c.get(3, 42, 1, b"key").is_some_and(|e| e.is_tombstone()));
        assert_ne!(RowCache::hash(1, b"key"), RowCache::hash(2, b"key"));
    }

    #[test]
    fn admits_keys_missed_twice_within_a_window() {
        let c = RowCache::new(1 << 20);
        let h = |i: u64| i << 40;
        assert!(!c.admit(h(1)));
        assert!(!c.admit(h(2)));
        assert!(c.admit(h(1)));
        // Hashes spread over the low bits too, as real ones are.
        for i in 10..10 + 2 * WINDOW as u64 {
            c.admit(h(i) | (i % 64));
        }
        assert!(!c.admit(h(2)), "the window was reset");
    }
}
