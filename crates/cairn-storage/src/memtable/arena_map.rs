//! [`Memtable`]: versions of keys in a `BTreeMap` of arena pointers.
//!
//! Keys and values are copied once into a `bumpalo::Bump` owned by the memtable; the
//! ordered map holds only (pointer, length, sequence) triples. Arena chunks never move
//! and are only freed when the memtable is dropped, so every slice handed out lives as
//! long as the `&Memtable` (or `Arc<Memtable>`) it came from. Releasing a flushed
//! memtable is one drop of the arena: no per-entry frees.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};

use bumpalo::Bump;
use parking_lot::{Mutex, RwLock};

use crate::batch::{Kind, Op};
use crate::util::{cmp_after_head, key_head, KeyHead};

/// Per-entry bookkeeping charged to the memtable size (map node share, pointers).
const ENTRY_OVERHEAD: usize = 48;

/// A key version: bytes in the arena plus its sequence number, and the key's head
/// (see [`KeyHead`]) so most map comparisons never read the arena.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemKey {
    head: KeyHead,
    ptr: *const u8,
    len: usize,
    pub(crate) seq: u64,
}

/// A value (empty for tombstones) in the arena.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemValue {
    ptr: *const u8,
    len: usize,
    pub(crate) kind: Kind,
}

// SAFETY: the pointers refer to arena memory that is never mutated after being written
// and lives until the owning `Memtable` drops; `MemKey`/`MemValue` are only read
// through a `&Memtable` (or an `Arc` to it), so sharing them across threads is sound.
#[expect(unsafe_code, reason = "arena pointers are immutable and owner-scoped")]
unsafe impl Send for MemKey {}
// SAFETY: as above.
#[expect(unsafe_code, reason = "arena pointers are immutable and owner-scoped")]
unsafe impl Sync for MemKey {}
// SAFETY: as above.
#[expect(unsafe_code, reason = "arena pointers are immutable and owner-scoped")]
unsafe impl Send for MemValue {}
// SAFETY: as above.
#[expect(unsafe_code, reason = "arena pointers are immutable and owner-scoped")]
unsafe impl Sync for MemValue {}

impl MemKey {
    /// A key for lookups only; it borrows `key` and must not outlive the call.
    fn probe(key: &[u8], seq: u64) -> Self {
        MemKey {
            head: key_head(key),
            ptr: key.as_ptr(),
            len: key.len(),
            seq,
        }
    }

    fn raw(&self) -> &[u8] {
        // SAFETY: `ptr`/`len` come from a live slice: either an arena allocation of the
        // memtable that holds this key (alive as long as the memtable) or, for probes,
        // the caller's slice for the duration of one map lookup.
        #[expect(unsafe_code, reason = "arena-backed slice")]
        unsafe {
            std::slice::from_raw_parts(self.ptr, self.len)
        }
    }
}

impl PartialEq for MemKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MemKey {}
impl PartialOrd for MemKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MemKey {
    /// Key ascending, then sequence descending (newest version first).
    fn cmp(&self, other: &Self) -> Ordering {
        self.head
            .cmp(&other.head)
            .then_with(|| cmp_after_head(self.raw(), other.raw()))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A memtable. Single writer (the engine's write lock), many concurrent readers.
pub(crate) struct Memtable {
    /// NOTE: a `Mutex` only so the memtable is `Sync`; only the writer allocates.
    arena: Mutex<Bump>,
    map: RwLock<BTreeMap<MemKey, MemValue>>,
    bytes: AtomicUsize,
    max_seq: AtomicU64,
    /// The WAL file holding this memtable's writes.
    wal_number: u64,
}

impl Memtable {
    pub(crate) fn new(wal_number: u64) -> Self {
        Memtable {
            arena: Mutex::new(Bump::new()),
            map: RwLock::new(BTreeMap::new()),
            bytes: AtomicUsize::new(0),
            max_seq: AtomicU64::new(0),
            wal_number,
        }
    }

    pub(crate) fn wal_number(&self) -> u64 {
        self.wal_number
    }

    /// Approximate memory held, in bytes.
    pub(crate) fn approx_bytes(&self) -> usize {
        self.bytes.load(AtomicOrdering::Relaxed)
    }

    pub(crate) fn max_seq(&self) -> u64 {
        self.max_seq.load(AtomicOrdering::Acquire)
    }

    pub(crate) fn is_empty(&self) -> bool {
        // Every insert adds to `bytes` after the entry is in the map.
        self.bytes.load(AtomicOrdering::Acquire) == 0
    }

    /// Copies one operation into the arena: its map key and value.
    fn alloc_entry(arena: &Bump, seq: u64, op: &Op<'_>) -> (MemKey, MemValue) {
        let key = arena.alloc_slice_fill_copy(2 + op.key.len(), 0u8);
        key[..2].copy_from_slice(&op.ks.to_be_bytes());
        key[2..].copy_from_slice(op.key);
        let value: &[u8] = match op.kind {
            Kind::Put => arena.alloc_slice_copy(op.value),
            Kind::Delete => &[],
        };
        (
            MemKey {
                head: key_head(key),
                ptr: key.as_ptr(),
                len: key.len(),
                seq,
            },
            MemValue {
                ptr: value.as_ptr(),
                len: value.len(),
                kind: op.kind,
            },
        )
    }

    /// Inserts the operations of one batch; op `i` gets sequence `first_seq + i`.
    pub(crate) fn insert_ops(&self, first_seq: u64, ops: &[Op<'_>]) {
        let arena = self.arena.lock();
        let mut entries = Vec::with_capacity(ops.len());
        let mut added = 0usize;
        for (i, op) in ops.iter().enumerate() {
            let (k, v) = Self::alloc_entry(&arena, first_seq + i as u64, op);
            added += k.len + v.len + ENTRY_OVERHEAD;
            entries.push((k, v));
        }
        drop(arena);
        let mut map = self.map.write();
        for (k, v) in entries {
            map.insert(k, v);
        }
        let last = first_seq + ops.len().saturating_sub(1) as u64;
        self.account(added, last);
    }

    /// Adds to the size and raises `max_seq`. Called under the map's write lock, which
    /// makes the caller the only writer: plain loads and stores, no atomic RMW.
    fn account(&self, added: usize, seq: u64) {
        let bytes = self.bytes.load(AtomicOrdering::Relaxed);
        self.bytes.store(bytes + added, AtomicOrdering::Release);
        if seq > self.max_seq.load(AtomicOrdering::Relaxed) {
            self.max_seq.store(seq, AtomicOrdering::Release);
        }
    }

    /// Inserts a single operation with sequence `seq` (the unbatched write path).
    pub(crate) fn insert_one(&self, seq: u64, op: &Op<'_>) {
        let (k, v) = Self::alloc_entry(&self.arena.lock(), seq, op);
        let added = k.len + v.len + ENTRY_OVERHEAD;
        let mut map = self.map.write();
        map.insert(k, v);
        self.account(added, seq);
    }

    /// Newest version of `key` with sequence `<= seq`: its kind and value.
    pub(crate) fn get(&self, key: &[u8], seq: u64) -> Option<MemValue> {
        let map = self.map.read();
        let (k, v) = map.range(MemKey::probe(key, seq)..).next()?;
        if k.raw() != key {
            return None;
        }
        Some(*v)
    }

    /// Copies up to `limit` entries after `from` into `out`.
    pub(crate) fn scan(
        &self,
        from: Bound<(&[u8], u64)>,
        limit: usize,
        out: &mut Vec<(MemKey, MemValue)>,
    ) {
        let map = self.map.read();
        let lower = match from {
            Bound::Included((k, s)) => Bound::Included(MemKey::probe(k, s)),
            Bound::Excluded((k, s)) => Bound::Excluded(MemKey::probe(k, s)),
            Bound::Unbounded => Bound::Unbounded,
        };
        out.extend(
            map.range((lower, Bound::Unbounded))
                .take(limit)
                .map(|(k, v)| (*k, *v)),
        );
    }

    /// The bytes of a key taken from this memtable.
    pub(crate) fn key_bytes<'m>(&'m self, k: &MemKey) -> &'m [u8] {
        // SAFETY: `k` came from this memtable's map, so it points into `self.arena`,
        // which outlives `'m`.
        #[expect(unsafe_code, reason = "arena-backed slice")]
        unsafe {
            std::slice::from_raw_parts(k.ptr, k.len)
        }
    }

    /// The bytes of a value taken from this memtable.
    pub(crate) fn value_bytes<'m>(&'m self, v: &MemValue) -> &'m [u8] {
        // SAFETY: as in `key_bytes`.
        #[expect(unsafe_code, reason = "arena-backed slice")]
        unsafe {
            std::slice::from_raw_parts(v.ptr, v.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op<'a>(key: &'a [u8], value: &'a [u8], kind: Kind) -> Op<'a> {
        Op {
            kind,
            ks: 1,
            key,
            value,
        }
    }

    #[test]
    fn newest_visible_version_wins() {
        let m = Memtable::new(1);
        m.insert_ops(1, &[op(b"a", b"1", Kind::Put)]);
        m.insert_ops(2, &[op(b"a", b"2", Kind::Put), op(b"b", b"x", Kind::Put)]);
        m.insert_ops(4, &[op(b"a", b"", Kind::Delete)]);
        let k = [0u8, 1, b'a'];
        let get = |seq| m.get(&k, seq).map(|v| (v.kind, m.value_bytes(&v).to_vec()));
        assert_eq!(get(1), Some((Kind::Put, b"1".to_vec())));
        assert_eq!(get(3), Some((Kind::Put, b"2".to_vec())));
        assert_eq!(get(9), Some((Kind::Delete, Vec::new())));
        assert!(m.get(&[0u8, 1, b'c'], 9).is_none());
        assert_eq!(m.max_seq(), 4);
        let mut out = Vec::new();
        m.scan(Bound::Unbounded, 10, &mut out);
        let seqs: Vec<u64> = out.iter().map(|(k, _)| k.seq).collect();
        assert_eq!(seqs, vec![4, 2, 1, 3]);
    }
}
