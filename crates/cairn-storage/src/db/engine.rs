//! [`Engine`] and its shared state.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, RwLock};

use super::open::RecoveryReport;
use super::snapshot::Snapshot;
use super::table::Table;
use super::value::ValueRef;
use crate::batch::{decode_ops, Kind, WriteBatch};
use crate::cache::ClockCache;
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsLock};
use crate::iter::{Iter, Source};
use crate::keyspace::{Keyspace, KS_PREFIX};
use crate::manifest::{self, ManifestData};
use crate::memtable::{MemIter, Memtable};
use crate::options::{Durability, Options, SyncMode, MAX_KEYSPACES, MAX_KEY_LEN};
use crate::row_cache::RowCache;
use crate::sst::{BlockCacheRef, TableIter, TableReader};
use crate::wal::WalWriter;

/// The tables and memtables a read sees; replaced whole, never mutated.
pub(crate) struct SuperVersion {
    pub(crate) active: Arc<Memtable>,
    /// The memtable being flushed (double buffering: at most one).
    pub(crate) imm: Option<Arc<Memtable>>,
    /// Live tables, newest first; sequence ranges do not overlap.
    pub(crate) tables: Vec<Arc<Table>>,
    /// Names this table set for the row cache: new whenever `tables` changes.
    pub(crate) tables_gen: u64,
}

pub(crate) struct WriterState {
    pub(crate) wal: WalWriter,
    /// The memtable taking writes; the same as the current `SuperVersion::active`
    /// (both change together in `rotate`, under this lock), kept here so a write does
    /// not touch the shared version.
    pub(crate) active: Arc<Memtable>,
    pub(crate) last_seq: u64,
    pub(crate) closed: bool,
}

pub(crate) struct BgState {
    pub(crate) shutdown: bool,
    pub(crate) work: bool,
}

pub(crate) struct Inner {
    pub(crate) dir: PathBuf,
    pub(crate) opts: Options,
    pub(crate) vfs: Arc<dyn Vfs>,
    pub(crate) writer: Mutex<WriterState>,
    pub(crate) sv: RwLock<Arc<SuperVersion>>,
    /// Highest sequence number whose batch is fully in the memtable.
    pub(crate) visible_seq: AtomicU64,
    pub(crate) snapshots: Mutex<BTreeMap<u64, usize>>,
    /// Mirror of the manifest; held while a new manifest is written.
    pub(crate) version: Mutex<ManifestData>,
    pub(crate) keyspaces: RwLock<HashMap<String, Keyspace>>,
    pub(crate) block_cache: BlockCacheRef,
    /// Point-read answers of the tables (`None`: disabled).
    pub(crate) row_cache: Option<RowCache>,
    /// Last `SuperVersion::tables_gen` handed out.
    pub(crate) tables_gen: AtomicU64,
    pub(crate) table_cache: ClockCache<u64, Arc<TableReader>>,
    pub(crate) poisoned: AtomicBool,
    pub(crate) bg: Mutex<BgState>,
    pub(crate) bg_cv: Condvar,
    pub(crate) flush_lock: Mutex<()>,
    pub(crate) compaction_lock: Mutex<()>,
    pub(crate) recovery: RecoveryReport,
    pub(crate) _lock: Box<dyn VfsLock>,
}

/// An embedded LSM key-value engine with named keyspaces.
///
/// One writer at a time (writes serialise on an internal lock), any number of
/// concurrent readers; share it across threads with `Arc<Engine>`.
///
/// ```
/// use cairn_storage::{Engine, Options, SimVfs, WriteBatch};
/// use std::sync::Arc;
/// let engine = Engine::open("/db", Options::default().with_vfs(Arc::new(SimVfs::new(1))))?;
/// let blocks = engine.keyspace("blocks")?;
/// engine.put(&blocks, b"fn main", b"{...}")?;
/// let mut batch = WriteBatch::new();
/// batch.put(&blocks, b"fn helper", b"{}");
/// batch.delete(&blocks, b"fn main");
/// engine.write(&batch)?;
/// assert!(engine.get(&blocks, b"fn main")?.is_none());
/// assert_eq!(engine.get(&blocks, b"fn helper")?.as_deref(), Some(&b"{}"[..]));
/// engine.close()?;
/// # Ok::<(), cairn_storage::Error>(())
/// ```
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
    pub(crate) bg: Option<JoinHandle<()>>,
}

/// Builds the internal key (`ks | key`) on the stack when it is short.
fn with_internal_key<R>(ks: u16, key: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    // NOTE: 128 bytes, not more: the buffer is zeroed on every read.
    let mut stack = [0u8; 128];
    if key.len() + KS_PREFIX <= stack.len() {
        stack[..KS_PREFIX].copy_from_slice(&ks.to_be_bytes());
        stack[KS_PREFIX..KS_PREFIX + key.len()].copy_from_slice(key);
        f(&stack[..KS_PREFIX + key.len()])
    } else {
        let mut v = Vec::with_capacity(KS_PREFIX + key.len());
        crate::keyspace::internal_key(&mut v, ks, key);
        f(&v)
    }
}

impl Inner {
    pub(crate) fn check_writable(&self) -> Result<()> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(Error::Poisoned);
        }
        Ok(())
    }

    /// Remembers a failed write path: every later write fails until reopen.
    pub(crate) fn poison<T>(&self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.poisoned.store(true, Ordering::Release);
            self.bg_cv.notify_all();
        }
        r
    }

    /// A generation for a new table set.
    pub(crate) fn next_tables_gen(&self) -> u64 {
        self.tables_gen.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn current(&self) -> Arc<SuperVersion> {
        Arc::clone(&self.sv.read())
    }

    pub(crate) fn reader(&self, t: &Table) -> Result<Arc<TableReader>> {
        if let Some(r) = self.table_cache.get(&t.info.id) {
            return Ok(r);
        }
        let r = Arc::new(TableReader::open(
            &self.vfs,
            &self.dir,
            t.info.id,
            Arc::clone(&self.block_cache),
        )?);
        self.table_cache
            .insert(t.info.id, Arc::clone(&r), r.mem_bytes());
        Ok(r)
    }

    pub(crate) fn write(&self, batch: &WriteBatch, durability: Durability) -> Result<()> {
        batch.validate()?;
        if batch.is_empty() {
            return Ok(());
        }
        self.check_writable()?;
        let ops = decode_ops(&batch.data, batch.count)
            .ok_or_else(|| Error::InvalidArgument("malformed batch".into()))?;
        let mut w = self.writer.lock();
        if w.closed {
            return Err(Error::Closed);
        }
        self.check_writable()?;
        let first_seq = w.last_seq + 1;
        let r = w.wal.append(first_seq, batch);
        self.poison(r)?;
        if durability == Durability::Default {
            self.sync_policy(&mut w)?;
        }
        w.active.insert_ops(first_seq, &ops);
        w.last_seq = first_seq + u64::from(batch.count) - 1;
        self.after_write(&mut w)
    }

    /// Writes one operation without building a batch: the WAL record is framed
    /// straight into the WAL buffer and the entry goes straight into the memtable.
    /// Same WAL bytes, durability and visibility as a one-operation batch.
    pub(crate) fn write_one(&self, kind: Kind, ks: u16, key: &[u8], value: &[u8]) -> Result<()> {
        crate::batch::validate_op(key, value)?;
        self.check_writable()?;
        let mut w = self.writer.lock();
        if w.closed {
            return Err(Error::Closed);
        }
        self.check_writable()?;
        let seq = w.last_seq + 1;
        let r = w.wal.append_op(seq, kind, ks, key, value);
        self.poison(r)?;
        self.sync_policy(&mut w)?;
        let op = crate::batch::Op {
            kind,
            ks,
            key,
            value,
        };
        w.active.insert_one(seq, &op);
        w.last_seq = seq;
        self.after_write(&mut w)
    }

    fn sync_policy(&self, w: &mut WriterState) -> Result<()> {
        w.wal.owe_sync();
        let r = match self.opts.sync {
            SyncMode::Always => w.wal.sync(),
            SyncMode::Batch if w.wal.since_sync() >= self.opts.batch_window => w.wal.sync(),
            _ => Ok(()),
        };
        self.poison(r)
    }

    /// Publishes the writer's sequence to readers and rotates a full memtable.
    fn after_write(&self, w: &mut WriterState) -> Result<()> {
        self.visible_seq.store(w.last_seq, Ordering::Release);
        if w.active.approx_bytes() >= self.opts.memtable_bytes {
            let r = self.rotate(w, false);
            self.poison(r)?;
        }
        Ok(())
    }

    pub(crate) fn get_at(&self, ks: &Keyspace, key: &[u8], seq: u64) -> Result<Option<ValueRef>> {
        if key.len() > MAX_KEY_LEN {
            return Ok(None);
        }
        // Memtables and the row cache are probed under the version's read lock (memory
        // only, no I/O); the version is cloned only when tables must be read, so the
        // lock is never held across I/O.
        let guard = self.sv.read();
        let mut mems = std::iter::once(&guard.active)
            .chain(guard.imm.iter())
            .filter(|m| !m.is_empty())
            .peekable();
        if mems.peek().is_some() {
            let found = with_internal_key(ks.id, key, |ikey| {
                mems.find_map(|mem| mem.get(ikey, seq).map(|v| (mem, v)))
            });
            if let Some((mem, v)) = found {
                return Ok(match v.kind {
                    Kind::Put => Some(ValueRef::mem(Arc::clone(mem), v)),
                    Kind::Delete => None,
                });
            }
        }
        let Some(newest) = guard.tables.first() else {
            return Ok(None);
        };
        // The row cache holds the tables' newest version of a key: right only for
        // reads that see every table version (see row_cache.rs). It is probed with the
        // keyspace and key as given (no internal key built) and its own cheaper hash:
        // the filters' `hash64` is only needed when it misses.
        let row_cache = self
            .row_cache
            .as_ref()
            .filter(|_| seq >= newest.info.max_seq)
            .map(|c| (c, RowCache::hash(ks.id, key)));
        if let Some(e) = row_cache.and_then(|(c, h)| c.get(guard.tables_gen, h, ks.id, key)) {
            return Ok((!e.is_tombstone()).then(|| ValueRef::row(e)));
        }
        let sv = Arc::clone(&guard);
        drop(guard);
        with_internal_key(ks.id, key, move |ikey| {
            // One hash per read, shared by every table's filter.
            let hash = crate::util::hash64(ikey);
            let head = crate::util::key_head(ikey);
            for t in &sv.tables {
                if t.info.min_seq > seq || !t.covers_with_head(ikey, &head) {
                    continue;
                }
                if let Some(found) = self.reader(t)?.get(ikey, &head, hash, seq)? {
                    let value = found.block.slice(found.value);
                    if let Some((c, h)) = row_cache.filter(|(c, h)| c.admit(*h)) {
                        let cached = (found.kind == Kind::Put).then_some(value);
                        c.insert(sv.tables_gen, h, ikey, cached);
                    }
                    return Ok(match found.kind {
                        Kind::Put => Some(ValueRef::block(found.block, found.value)),
                        Kind::Delete => None,
                    });
                }
            }
            Ok(None)
        })
    }

    pub(crate) fn range_at(
        &self,
        ks: &Keyspace,
        start: &[u8],
        end: Option<&[u8]>,
        seq: u64,
    ) -> Result<Iter> {
        let mut lo = Vec::with_capacity(KS_PREFIX + start.len());
        crate::keyspace::internal_key(&mut lo, ks.id, start);
        let hi = match end {
            Some(e) => {
                let mut hi = Vec::with_capacity(KS_PREFIX + e.len());
                crate::keyspace::internal_key(&mut hi, ks.id, e);
                hi
            }
            None => (ks.id + 1).to_be_bytes().to_vec(),
        };
        self.iter_internal(lo, hi, seq)
    }

    pub(crate) fn prefix_at(&self, ks: &Keyspace, prefix: &[u8], seq: u64) -> Result<Iter> {
        let mut end = prefix.to_vec();
        // The smallest key greater than every key with this prefix.
        while let Some(last) = end.pop() {
            if last < u8::MAX {
                end.push(last + 1);
                return self.range_at(ks, prefix, Some(&end), seq);
            }
        }
        self.range_at(ks, prefix, None, seq)
    }

    fn iter_internal(&self, lo: Vec<u8>, hi: Vec<u8>, seq: u64) -> Result<Iter> {
        let sv = self.current();
        let mut sources = Vec::new();
        for mem in std::iter::once(&sv.active).chain(sv.imm.iter()) {
            sources.push(Source::Mem(MemIter::new(Arc::clone(mem), &lo, seq)));
        }
        for t in &sv.tables {
            if t.info.min_seq > seq
                || t.info.max_key.as_slice() < lo.as_slice()
                || t.info.min_key.as_slice() >= hi.as_slice()
            {
                continue;
            }
            sources.push(Source::Table(TableIter::new(self.reader(t)?, &lo, seq)?));
        }
        Ok(Iter::new(sv, sources, hi))
    }

    pub(crate) fn oldest_snapshot(&self) -> u64 {
        let snaps = self.snapshots.lock();
        let visible = self.visible_seq.load(Ordering::Acquire);
        snaps.keys().next().copied().unwrap_or(visible).min(visible)
    }

    pub(crate) fn release_snapshot(&self, seq: u64) {
        let mut snaps = self.snapshots.lock();
        if let Some(n) = snaps.get_mut(&seq) {
            *n -= 1;
            if *n == 0 {
                snaps.remove(&seq);
            }
        }
    }

    pub(crate) fn keyspace(&self, name: &str) -> Result<Keyspace> {
        if let Some(ks) = self.keyspaces.read().get(name) {
            return Ok(ks.clone());
        }
        if name.is_empty() || name.len() > 255 {
            return Err(Error::InvalidArgument(
                "keyspace names are 1..=255 bytes".into(),
            ));
        }
        self.check_writable()?;
        let mut version = self.version.lock();
        if let Some(ks) = self.keyspaces.read().get(name) {
            return Ok(ks.clone());
        }
        if version.keyspaces.len() >= MAX_KEYSPACES {
            return Err(Error::InvalidArgument(format!(
                "at most {MAX_KEYSPACES} keyspaces"
            )));
        }
        let id = version
            .keyspaces
            .iter()
            .map(|(id, _)| *id)
            .max()
            .unwrap_or(0)
            + 1;
        let mut next = version.clone();
        next.keyspaces.push((id, name.to_owned()));
        let r = manifest::write(&self.vfs, &self.dir, &next);
        self.poison(r)?;
        *version = next;
        let ks = Keyspace {
            id,
            name: name.into(),
        };
        self.keyspaces.write().insert(name.to_owned(), ks.clone());
        Ok(ks)
    }
}

impl Engine {
    /// Opens (or creates) the database in directory `path`, recovering from the WAL.
    /// Fails with [`Error::InUse`] when another handle or process has it open.
    pub fn open(path: impl AsRef<Path>, opts: Options) -> Result<Engine> {
        super::open::open(path.as_ref(), opts)
    }

    /// The keyspace called `name`, created (durably) on first use.
    pub fn keyspace(&self, name: &str) -> Result<Keyspace> {
        self.inner.keyspace(name)
    }

    /// Sets `key` to `value` in `ks`.
    pub fn put(&self, ks: &Keyspace, key: &[u8], value: &[u8]) -> Result<()> {
        self.inner.write_one(Kind::Put, ks.id, key, value)
    }

    /// Deletes `key` from `ks`.
    pub fn delete(&self, ks: &Keyspace, key: &[u8]) -> Result<()> {
        self.inner.write_one(Kind::Delete, ks.id, key, &[])
    }

    /// Applies `batch` atomically: after a crash it is wholly visible or not at all.
    pub fn write(&self, batch: &WriteBatch) -> Result<()> {
        self.inner.write(batch, Durability::Default)
    }

    /// [`Self::write`] with the durability of this one write chosen by the caller.
    pub fn write_with(&self, batch: &WriteBatch, durability: Durability) -> Result<()> {
        self.inner.write(batch, durability)
    }

    /// The current value of `key` in `ks`, borrowed without a copy where possible.
    pub fn get(&self, ks: &Keyspace, key: &[u8]) -> Result<Option<ValueRef>> {
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        self.inner.get_at(ks, key, seq)
    }

    /// Entries of `ks` with `start <= key < end` (no end: to the end of `ks`), in order.
    pub fn range(&self, ks: &Keyspace, start: &[u8], end: Option<&[u8]>) -> Result<Iter> {
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        self.inner.range_at(ks, start, end, seq)
    }

    /// Entries of `ks` whose key starts with `prefix`, in order.
    pub fn prefix(&self, ks: &Keyspace, prefix: &[u8]) -> Result<Iter> {
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        self.inner.prefix_at(ks, prefix, seq)
    }

    /// A consistent read view of everything written so far.
    pub fn snapshot(&self) -> Snapshot {
        let mut snaps = self.inner.snapshots.lock();
        let seq = self.inner.visible_seq.load(Ordering::Acquire);
        *snaps.entry(seq).or_insert(0) += 1;
        Snapshot {
            inner: Arc::clone(&self.inner),
            seq,
        }
    }

    /// Highest sequence number visible to new reads.
    pub fn last_seq(&self) -> u64 {
        self.inner.visible_seq.load(Ordering::Acquire)
    }

    /// What recovery found when this engine was opened.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.inner.recovery
    }

    /// Number of live SSTables.
    pub fn table_count(&self) -> usize {
        self.inner.current().tables.len()
    }

    /// Makes every acknowledged write durable (fsyncs the WAL).
    pub fn sync(&self) -> Result<()> {
        self.inner.check_writable()?;
        let mut w = self.inner.writer.lock();
        let r = w.wal.sync();
        self.inner.poison(r)
    }

    /// Writes the memtable to an SSTable and waits for it.
    pub fn flush(&self) -> Result<()> {
        self.inner.check_writable()?;
        {
            let mut w = self.inner.writer.lock();
            if !self.inner.current().active.is_empty() {
                let r = self.inner.rotate(&mut w, true);
                self.inner.poison(r)?;
            }
        }
        let r = self.inner.flush_imm();
        self.inner.poison(r)
    }

    /// Flushes, then merges every table into one, dropping shadowed versions and
    /// tombstones no snapshot needs.
    pub fn compact(&self) -> Result<()> {
        self.flush()?;
        let r = self.inner.compact_all();
        self.inner.poison(r)
    }

    /// Stops background work and makes every write durable.
    pub fn close(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        {
            let mut bg = self.inner.bg.lock();
            bg.shutdown = true;
        }
        self.inner.bg_cv.notify_all();
        if let Some(h) = self.bg.take() {
            let _ = h.join();
        }
        let mut w = self.inner.writer.lock();
        if w.closed {
            return Ok(());
        }
        w.closed = true;
        if self.inner.poisoned.load(Ordering::Acquire) {
            return Err(Error::Poisoned);
        }
        w.wal.sync()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
