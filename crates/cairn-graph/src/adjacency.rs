//! An in-memory cache of adjacency lists, so that a warm traversal touches no storage.
//!
//! An entry is the neighbours of one block along one edge kind in one direction (the
//! rows of one `edges_out` / `edges_in` prefix scan), in compact form. Entries are filled
//! on first use and bounded in memory by two generations: new entries go to the young
//! one; when it outgrows half the budget it becomes the old one (the previous old one is
//! dropped), and an old entry used again moves back to the young one. Memory stays under
//! the budget plus one list, and entries in use survive.
//!
//! Freshness: the cache remembers the engine sequence number its entries reflect. The
//! graph store's own writes remove exactly the entries their edges touch and advance that
//! number (see [`crate::store::GraphStore`]); any other change of the engine's sequence
//! number (a write by anything else) empties the cache before its next use. So an answer
//! never comes from an entry older than the last write that could have changed it.

use crate::id::{BlockId, FastBuildHasher};
use crate::model::EdgeKind;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Default budget of a store's adjacency cache, in bytes.
pub const DEFAULT_BUDGET: usize = 64 << 20;

/// One neighbour in an adjacency list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neighbor {
    pub id: BlockId,
    /// The line of the edge's site.
    pub line: u32,
    /// Whether the neighbour is a block (`false`: an unresolved symbol).
    pub resolved: bool,
}

/// Which list: a block, an edge kind, a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListKey {
    pub id: BlockId,
    pub kind: EdgeKind,
    pub outgoing: bool,
}

impl Hash for ListKey {
    // The id is already a 128-bit hash: two words and a tag are all the hasher needs.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (lo, hi) = self.id.0.split_at(8);
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        state.write_u64(word(lo));
        state.write_u64(word(hi) ^ (u64::from(self.kind.code()) << 1 | u64::from(self.outgoing)));
    }
}

/// Estimated bytes of an entry besides its neighbours (key, box, table slot).
const ENTRY_OVERHEAD: usize =
    std::mem::size_of::<ListKey>() + std::mem::size_of::<Box<[Neighbor]>>() + 8;

fn entry_bytes(list: &[Neighbor]) -> usize {
    ENTRY_OVERHEAD + std::mem::size_of_val(list)
}

type Lists = HashMap<ListKey, Box<[Neighbor]>, FastBuildHasher>;

/// The cache itself; [`crate::store::GraphStore`] keeps it behind a lock.
pub struct AdjacencyCache {
    /// The engine sequence number the entries reflect.
    seq: u64,
    young: Lists,
    old: Lists,
    young_bytes: usize,
    old_bytes: usize,
    budget: usize,
    hits: u64,
    misses: u64,
}

/// Counters of a cache, for benchmarks and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: usize,
    pub bytes: usize,
    pub budget: usize,
    pub hits: u64,
    pub misses: u64,
}

impl AdjacencyCache {
    pub fn new(seq: u64, budget: usize) -> AdjacencyCache {
        AdjacencyCache {
            seq,
            young: Lists::default(),
            old: Lists::default(),
            young_bytes: 0,
            old_bytes: 0,
            budget,
            hits: 0,
            misses: 0,
        }
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Drops every entry older than `seq` could be: called with the engine's current
    /// sequence number before each use.
    pub fn check_seq(&mut self, seq: u64) {
        if seq != self.seq {
            self.clear();
            self.seq = seq;
        }
    }

    /// Records that the entries reflect `seq` (after the store's own write, whose
    /// touched entries it already removed).
    pub fn advance(&mut self, seq: u64) {
        self.seq = seq;
    }

    pub fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
        self.young_bytes = 0;
        self.old_bytes = 0;
    }

    pub fn set_budget(&mut self, budget: usize) {
        self.budget = budget;
        if self.young_bytes + self.old_bytes > budget {
            self.clear();
        }
    }

    /// Whether `key`'s list is cached (moving it to the young generation if it was old).
    pub fn contains(&mut self, key: &ListKey) -> bool {
        if self.young.contains_key(key) {
            self.hits += 1;
            return true;
        }
        if let Some(list) = self.old.remove(key) {
            self.hits += 1;
            self.old_bytes -= entry_bytes(&list);
            self.put(*key, list);
            return true;
        }
        self.misses += 1;
        false
    }

    /// The cached list of `key` (empty when not cached: call [`Self::contains`] first).
    pub fn list(&self, key: &ListKey) -> &[Neighbor] {
        self.young.get(key).map_or(&[], |l| l)
    }

    /// Caches `list` as `key`'s, unless the budget cannot hold it.
    pub fn insert(&mut self, key: ListKey, list: Box<[Neighbor]>) {
        self.put(key, list);
    }

    fn put(&mut self, key: ListKey, list: Box<[Neighbor]>) {
        let bytes = entry_bytes(&list);
        if bytes > self.budget / 2 {
            return;
        }
        if self.young_bytes + bytes > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.old_bytes = self.young_bytes;
            self.young_bytes = 0;
        }
        self.young_bytes += bytes;
        if let Some(prev) = self.young.insert(key, list) {
            self.young_bytes -= entry_bytes(&prev);
        }
    }

    /// Forgets `key`'s list (its edges are about to change).
    pub fn invalidate(&mut self, key: &ListKey) {
        if let Some(l) = self.young.remove(key) {
            self.young_bytes -= entry_bytes(&l);
        }
        if let Some(l) = self.old.remove(key) {
            self.old_bytes -= entry_bytes(&l);
        }
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.young.len() + self.old.len(),
            bytes: self.young_bytes + self.old_bytes,
            budget: self.budget,
            hits: self.hits,
            misses: self.misses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8, outgoing: bool) -> ListKey {
        ListKey {
            id: BlockId([n; 16]),
            kind: EdgeKind::Calls,
            outgoing,
        }
    }

    fn list(n: usize) -> Box<[Neighbor]> {
        (0..n)
            .map(|i| Neighbor {
                id: BlockId([i as u8; 16]),
                line: i as u32,
                resolved: true,
            })
            .collect()
    }

    #[test]
    fn lists_are_kept_per_block_kind_and_direction() {
        let mut c = AdjacencyCache::new(7, 1 << 20);
        assert!(!c.contains(&key(1, true)));
        c.insert(key(1, true), list(3));
        assert!(c.contains(&key(1, true)));
        assert!(!c.contains(&key(1, false)));
        let other_kind = ListKey {
            kind: EdgeKind::Imports,
            ..key(1, true)
        };
        assert!(!c.contains(&other_kind));
        assert_eq!(c.list(&key(1, true)), &*list(3));
        c.invalidate(&key(1, true));
        assert!(!c.contains(&key(1, true)));
        assert_eq!(c.stats().bytes, 0);
    }

    #[test]
    fn a_new_sequence_number_empties_the_cache() {
        let mut c = AdjacencyCache::new(7, 1 << 20);
        c.insert(key(1, true), list(2));
        c.check_seq(7);
        assert!(c.contains(&key(1, true)));
        c.check_seq(8);
        assert!(!c.contains(&key(1, true)));
        assert_eq!(c.seq(), 8);
    }

    #[test]
    fn memory_stays_within_the_budget_and_used_entries_survive() {
        let one = entry_bytes(&list(10));
        let budget = one * 10;
        let mut c = AdjacencyCache::new(0, budget);
        for n in 0..100u8 {
            c.insert(key(n, true), list(10));
            // Entry 0 is used all along, so it is never the one evicted.
            assert!(c.contains(&key(0, true)), "after {n}");
            assert!(c.stats().bytes <= budget, "after {n}");
        }
        assert!(!c.contains(&key(1, true)));
        assert!(c.contains(&key(99, true)));
        // A list bigger than half the budget is not cached at all.
        c.insert(key(200, true), list(100));
        assert!(!c.contains(&key(200, true)));
    }
}
