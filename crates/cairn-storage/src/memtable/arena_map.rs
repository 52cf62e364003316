//! [`Memtable`]: versions of keys in a `BTreeSet` of 32-byte handles into a bump arena.
//!
//! Each operation is copied once into a `bumpalo::Bump` owned by the memtable as one
//! [`Entry`]: a header (sequence, kind, lengths) followed by the key and value bytes.
//! The ordered set holds only [`MemKey`]s: the key's head (see [`KeyHead`]) and a
//! pointer to its entry, 32 bytes, so a B-tree node holds 11 of them in 352 bytes and
//! a search touches about half the cache lines a (key, value) pair map would. Most
//! comparisons are decided by the heads; only equal heads read the entry.
//!
//! Arena chunks never move and are only freed when the memtable is dropped, so every
//! slice handed out lives as long as the `&Memtable` (or `Arc<Memtable>`) it came
//! from. Releasing a flushed memtable is one drop of the arena: no per-entry frees.

use std::alloc::Layout;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};

use bumpalo::Bump;
use parking_lot::RwLock;

use crate::batch::{Kind, Op};
use crate::keyspace::KS_PREFIX;
use crate::util::{cmp_after_head, key_head, KeyHead, HEAD_BYTES};

/// Per-entry bookkeeping charged to the memtable size: the entry header and the
/// set's share of B-tree nodes (32-byte handles in partly full nodes).
const ENTRY_OVERHEAD: usize = std::mem::size_of::<Entry>() + 48;

/// The header of one operation in the arena; the key bytes (`ks | key`) and then the
/// value bytes follow it. A lookup probe is a header on the stack whose `key` points
/// at the caller's bytes instead.
#[repr(C)]
struct Entry {
    seq: u64,
    key: *const u8,
    key_len: usize,
    value_len: usize,
    kind: Kind,
}

/// A key version: the key's head, so most set comparisons never leave the node, and
/// its entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemKey {
    head: KeyHead,
    entry: *const Entry,
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
    fn entry(&self) -> &Entry {
        // SAFETY: `entry` points either at an arena entry of the memtable whose set
        // holds this key (alive, and never written again, as long as the memtable) or,
        // for probes, at a header on the stack of `with_probe` for the duration of one
        // set lookup.
        #[expect(unsafe_code, reason = "arena-backed entry")]
        unsafe {
            &*self.entry
        }
    }

    /// The key bytes (`ks | key`).
    fn raw(&self) -> &[u8] {
        let e = self.entry();
        // SAFETY: `key`/`key_len` describe bytes written before the entry was
        // published (arena) or the caller's live slice (probes); see `entry`.
        #[expect(unsafe_code, reason = "arena-backed slice")]
        unsafe {
            std::slice::from_raw_parts(e.key, e.key_len)
        }
    }

    pub(crate) fn seq(&self) -> u64 {
        self.entry().seq
    }

    fn value(&self) -> MemValue {
        let e = self.entry();
        MemValue {
            // The value follows the key in the arena (`wrapping_add`: probes, whose
            // value is never read, point at the caller's key).
            ptr: e.key.wrapping_add(e.key_len),
            len: e.value_len,
            kind: e.kind,
        }
    }
}

/// The head of the internal key `ks | key`, read straight from `key`.
///
/// No bytes go through a stack buffer: reading words back across freshly stored
/// pieces cannot be forwarded from the store buffer, so such a load waits until
/// every earlier store is written, including the arena's, whose lines are usually
/// still on their way from memory.
fn internal_key_head(ks: u16, key: &[u8]) -> KeyHead {
    fn be(b: &[u8], i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        u64::from_be_bytes(w)
    }
    if key.len() >= HEAD_BYTES - KS_PREFIX {
        // The internal key's words are `ks | key[0..6]`, `key[6..14]`, `key[14..22]`.
        let first = if key.len() >= 8 {
            be(key, 0) >> 16
        } else {
            key_head(key)[0] >> 16
        };
        [(u64::from(ks) << 48) | first, be(key, 6), be(key, 14)]
    } else {
        let mut w = [0u8; HEAD_BYTES];
        w[..KS_PREFIX].copy_from_slice(&ks.to_be_bytes());
        w[KS_PREFIX..KS_PREFIX + key.len()].copy_from_slice(key);
        key_head(&w)
    }
}

/// Runs `f` with a lookup key for (`key`, `seq`) that borrows `key`.
fn with_probe<R>(key: &[u8], seq: u64, f: impl FnOnce(MemKey) -> R) -> R {
    let e = Entry {
        seq,
        key: key.as_ptr(),
        key_len: key.len(),
        value_len: 0,
        kind: Kind::Delete,
    };
    f(MemKey {
        head: key_head(key),
        entry: &e,
    })
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
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Inlined into the B-tree's node scans: the heads decide almost every
        // comparison, word by word, without reading the entries.
        let (a, b) = (&self.head, &other.head);
        if a[0] != b[0] {
            return a[0].cmp(&b[0]);
        }
        if a[1] != b[1] {
            return a[1].cmp(&b[1]);
        }
        if a[2] != b[2] {
            return a[2].cmp(&b[2]);
        }
        self.cmp_entries(other)
    }
}

impl MemKey {
    /// Orders two keys with equal heads by their entries.
    #[inline(never)]
    fn cmp_entries(&self, other: &Self) -> Ordering {
        cmp_after_head(self.raw(), other.raw()).then_with(|| other.seq().cmp(&self.seq()))
    }
}

/// Lets its content be reached only through `&mut`, so it can be shared between
/// threads even when the content cannot (`Bump` is not `Sync`): readers share the
/// memtable state but never touch the arena, the writer reaches it through the
/// state's write lock.
struct WriterOnly<T>(T);

impl<T> WriterOnly<T> {
    fn get_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

// SAFETY: no `&self` method hands out access to the content, so a shared
// `&WriterOnly<T>` gives no access to `T` at all; moving it between threads needs
// `T: Send`.
#[expect(unsafe_code, reason = "exclusive-access wrapper, as std's Exclusive")]
unsafe impl<T: Send> Sync for WriterOnly<T> {}

struct State {
    set: BTreeSet<MemKey>,
    arena: WriterOnly<Bump>,
}

/// A memtable. Single writer (the engine's write lock), many concurrent readers.
pub(crate) struct Memtable {
    /// One lock for the set and the arena: a write takes it once.
    state: RwLock<State>,
    bytes: AtomicUsize,
    max_seq: AtomicU64,
    /// The WAL file holding this memtable's writes.
    wal_number: u64,
}

impl Memtable {
    pub(crate) fn new(wal_number: u64) -> Self {
        Memtable {
            state: RwLock::new(State {
                set: BTreeSet::new(),
                arena: WriterOnly(Bump::new()),
            }),
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
        // Every insert adds to `bytes` after the entry is in the set.
        self.bytes.load(AtomicOrdering::Acquire) == 0
    }

    /// Copies one operation into the arena as an [`Entry`] followed by `ks | key` and
    /// the value, and returns its set key and the bytes charged for it.
    ///
    /// Inlined: a result returned through the stack is read back with loads that
    /// the store buffer cannot forward, and those wait for the arena stores ahead of
    /// them, whose lines are usually still on their way from memory.
    #[inline(always)]
    fn alloc_entry(arena: &Bump, seq: u64, op: &Op<'_>) -> (MemKey, usize) {
        let value: &[u8] = match op.kind {
            Kind::Put => op.value,
            Kind::Delete => &[],
        };
        let key_len = KS_PREFIX + op.key.len();
        let header = Layout::new::<Entry>();
        // Only a size beyond `isize::MAX` fails: an allocation failure, as in `Bump`.
        let layout = Layout::from_size_align(header.size() + key_len + value.len(), header.align())
            .unwrap_or_else(|_| std::alloc::handle_alloc_error(header));
        let base = arena.alloc_layout(layout).as_ptr();
        // SAFETY: `base` is a fresh allocation of `layout`: the header fits at its
        // start (same alignment) and the key and value bytes right after it; nothing
        // else refers to it yet. The bytes are written before the entry is returned,
        // and never again.
        #[expect(unsafe_code, reason = "writing an entry into its arena allocation")]
        let entry = unsafe {
            let key = base.add(header.size());
            std::ptr::copy_nonoverlapping(op.ks.to_be_bytes().as_ptr(), key, 2);
            std::ptr::copy_nonoverlapping(op.key.as_ptr(), key.add(2), op.key.len());
            std::ptr::copy_nonoverlapping(value.as_ptr(), key.add(key_len), value.len());
            let entry = base.cast::<Entry>();
            entry.write(Entry {
                seq,
                key,
                key_len,
                value_len: value.len(),
                kind: op.kind,
            });
            entry.cast_const()
        };
        // The head comes from the caller's bytes, not the fresh arena copy: reading
        // words back across the just-written pieces cannot be forwarded from the store
        // buffer and would wait for the arena lines to arrive from memory.
        let k = MemKey {
            head: internal_key_head(op.ks, op.key),
            entry,
        };
        (k, key_len + value.len() + ENTRY_OVERHEAD)
    }

    /// Inserts the operations of one batch; op `i` gets sequence `first_seq + i`.
    pub(crate) fn insert_ops(&self, first_seq: u64, ops: &[Op<'_>]) {
        let mut guard = self.state.write();
        let state = &mut *guard;
        let arena = state.arena.get_mut();
        let mut added = 0usize;
        for (i, op) in ops.iter().enumerate() {
            let (k, charged) = Self::alloc_entry(arena, first_seq + i as u64, op);
            added += charged;
            state.set.insert(k);
        }
        let last = first_seq + ops.len().saturating_sub(1) as u64;
        self.account(added, last);
    }

    /// Inserts a single operation with sequence `seq` (the unbatched write path).
    pub(crate) fn insert_one(&self, seq: u64, op: &Op<'_>) {
        let mut guard = self.state.write();
        let state = &mut *guard;
        let (k, charged) = Self::alloc_entry(state.arena.get_mut(), seq, op);
        state.set.insert(k);
        self.account(charged, seq);
    }

    /// Adds to the size and raises `max_seq`. Called under the state's write lock,
    /// which makes the caller the only writer: plain loads and stores, no atomic RMW.
    fn account(&self, added: usize, seq: u64) {
        let bytes = self.bytes.load(AtomicOrdering::Relaxed);
        self.bytes.store(bytes + added, AtomicOrdering::Release);
        if seq > self.max_seq.load(AtomicOrdering::Relaxed) {
            self.max_seq.store(seq, AtomicOrdering::Release);
        }
    }

    /// Newest version of `key` with sequence `<= seq`: its kind and value.
    pub(crate) fn get(&self, key: &[u8], seq: u64) -> Option<MemValue> {
        let state = self.state.read();
        let k = with_probe(key, seq, |probe| state.set.range(probe..).next().copied())?;
        if k.raw() != key {
            return None;
        }
        Some(k.value())
    }

    /// Copies up to `limit` entries after `from` into `out`.
    pub(crate) fn scan(
        &self,
        from: Bound<(&[u8], u64)>,
        limit: usize,
        out: &mut Vec<(MemKey, MemValue)>,
    ) {
        let state = self.state.read();
        let entries = |lower: Bound<MemKey>| {
            state
                .set
                .range((lower, Bound::Unbounded))
                .take(limit)
                .map(|k| (*k, k.value()))
        };
        match from {
            Bound::Included((k, s)) => {
                with_probe(k, s, |p| out.extend(entries(Bound::Included(p))))
            }
            Bound::Excluded((k, s)) => {
                with_probe(k, s, |p| out.extend(entries(Bound::Excluded(p))))
            }
            Bound::Unbounded => out.extend(entries(Bound::Unbounded)),
        }
    }

    /// The bytes of a key taken from this memtable.
    pub(crate) fn key_bytes<'m>(&'m self, k: &MemKey) -> &'m [u8] {
        let bytes = k.raw();
        // SAFETY: `k` came from this memtable's set, so its bytes are in `self`'s
        // arena, which outlives `'m`.
        #[expect(unsafe_code, reason = "arena-backed slice")]
        unsafe {
            std::slice::from_raw_parts(bytes.as_ptr(), bytes.len())
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
        let seqs: Vec<u64> = out.iter().map(|(k, _)| k.seq()).collect();
        assert_eq!(seqs, vec![4, 2, 1, 3]);
    }

    #[test]
    fn long_keys_with_equal_heads_order_by_their_tails_then_newest_first() {
        let m = Memtable::new(1);
        let long = |tail: &str| format!("{}{tail}", "h".repeat(40)).into_bytes();
        let (b, a, c) = (long("b"), long("a"), long("c"));
        m.insert_ops(1, &[op(&b, b"b1", Kind::Put), op(&a, b"a1", Kind::Put)]);
        m.insert_one(3, &op(&c, b"c1", Kind::Put));
        m.insert_one(4, &op(&b, b"b2", Kind::Put));
        let ik = |k: &[u8]| [&[0u8, 1][..], k].concat();
        let get = |k: &[u8], seq| m.get(&ik(k), seq).map(|v| m.value_bytes(&v).to_vec());
        assert_eq!(get(&b, 3), Some(b"b1".to_vec()));
        assert_eq!(get(&b, 4), Some(b"b2".to_vec()));
        assert_eq!(get(&long("ab"), 9), None, "a key between two stored ones");
        let mut out = Vec::new();
        m.scan(Bound::Excluded((&ik(&a), 2)), 10, &mut out);
        let seen: Vec<(Vec<u8>, u64)> = out
            .iter()
            .map(|(k, _)| (m.key_bytes(k).to_vec(), k.seq()))
            .collect();
        assert_eq!(seen, vec![(ik(&b), 4), (ik(&b), 1), (ik(&c), 3)]);
    }

    #[test]
    fn internal_key_heads_match_the_heads_of_internal_keys() {
        for len in 0..40usize {
            let key: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37) ^ 0xa5).collect();
            for ks in [0u16, 1, 0x1234, u16::MAX] {
                let ikey = [&ks.to_be_bytes()[..], &key].concat();
                assert_eq!(
                    internal_key_head(ks, &key),
                    key_head(&ikey),
                    "len {len} ks {ks}"
                );
            }
        }
    }
}
