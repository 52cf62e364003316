//! Memtable rotation, flush, size-tiered compaction and the background thread.

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::engine::{Inner, SuperVersion, WriterState};
use super::table::Table;
use crate::batch::Kind;
use crate::compaction::{pick_size_tiered, GcFilter};
use crate::error::{Error, Result};
use crate::manifest;
use crate::memtable::{MemIter, Memtable};
use crate::options::SyncMode;
use crate::sst::{self, SstWriter, TableInfo, TableIter};
use crate::wal::{self, WalWriter};

/// A sorted stream of versions (internal order) to write into a table.
pub(crate) trait EntrySource {
    fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])>;
    fn advance(&mut self) -> Result<()>;
}

impl EntrySource for MemIter {
    fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])> {
        MemIter::peek(self)
    }
    fn advance(&mut self) -> Result<()> {
        MemIter::advance(self);
        Ok(())
    }
}

/// Merges tables with disjoint sequence ranges, yielding every version.
struct MergeAll {
    iters: Vec<TableIter>,
    cur: Option<usize>,
}

impl MergeAll {
    fn new(iters: Vec<TableIter>) -> Self {
        let mut m = MergeAll { iters, cur: None };
        m.pick();
        m
    }
    fn pick(&mut self) {
        let mut best: Option<(usize, &[u8], u64)> = None;
        for (i, it) in self.iters.iter().enumerate() {
            if let Some((k, s, _, _)) = it.peek() {
                if best.is_none_or_lt(k, s) {
                    best = Some((i, k, s));
                }
            }
        }
        self.cur = best.map(|b| b.0);
    }
}

trait BestExt {
    fn is_none_or_lt(&self, k: &[u8], s: u64) -> bool;
}
impl BestExt for Option<(usize, &[u8], u64)> {
    fn is_none_or_lt(&self, k: &[u8], s: u64) -> bool {
        match self {
            None => true,
            Some((_, bk, bs)) => sst::cmp_internal(k, s, bk, *bs).is_lt(),
        }
    }
}

impl EntrySource for MergeAll {
    fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])> {
        self.iters.get(self.cur?)?.peek()
    }
    fn advance(&mut self) -> Result<()> {
        if let Some(it) = self.cur.and_then(|i| self.iters.get_mut(i)) {
            it.advance()?;
        }
        self.pick();
        Ok(())
    }
}

impl Inner {
    /// Whether a table in `older` may hold `key` (key range, then bloom filter).
    fn older_may_hold(&self, older: &[Arc<Table>], key: &[u8]) -> Result<bool> {
        for t in older {
            if t.covers(key) && self.reader(t)?.may_contain(key) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Writes the surviving versions of `src` into a new table; `None` if none survive.
    fn build_table(
        &self,
        src: &mut dyn EntrySource,
        oldest_snapshot: u64,
        older: &[Arc<Table>],
    ) -> Result<Option<TableInfo>> {
        let id = {
            let mut v = self.version.lock();
            let id = v.next_table_id;
            v.next_table_id += 1;
            id
        };
        let mut w = SstWriter::create(
            &self.vfs,
            &self.dir,
            id,
            self.opts.block_bytes,
            self.opts.compression == crate::Compression::Lz4,
            self.opts.bloom_bits_per_key,
        )?;
        let mut gc = GcFilter::new(oldest_snapshot);
        while let Some((k, s, kind, v)) = src.peek() {
            if gc.keep(k, s, kind, |key| self.older_may_hold(older, key))? {
                w.add(k, s, kind, v)?;
            }
            src.advance()?;
        }
        if w.entries() == 0 {
            drop(w);
            let _ = self.vfs.remove(&self.dir.join(sst::file_name(id)));
            return Ok(None);
        }
        w.finish().map(Some)
    }

    fn new_table(&self, info: TableInfo) -> Arc<Table> {
        let path = self.dir.join(sst::file_name(info.id));
        Arc::new(Table::new(info, path, Arc::clone(&self.vfs)))
    }

    /// Freezes the active memtable and starts a new WAL (double buffering). Waits while
    /// the previous frozen memtable is still being flushed: that wait is the bound on
    /// write stalls.
    pub(crate) fn rotate(&self, w: &mut WriterState, _explicit: bool) -> Result<()> {
        loop {
            let sv = self.current();
            let stalled = sv.imm.is_some()
                || (self.opts.background && sv.tables.len() >= self.opts.stall_tables);
            if !stalled {
                break;
            }
            if !self.opts.background {
                self.flush_imm()?;
                continue;
            }
            self.check_writable()?;
            let mut bg = self.bg.lock();
            if bg.shutdown {
                return Err(Error::Closed);
            }
            bg.work = true;
            self.bg_cv.notify_all();
            self.bg_cv.wait_for(&mut bg, Duration::from_millis(10));
        }
        // IMPORTANT: the old WAL must be durable before records go to the new one, or
        // a crash could keep later writes and lose earlier ones.
        w.wal.sync()?;
        let new_wal = WalWriter::create(&self.vfs, &self.dir, w.wal.number() + 1)?;
        w.wal = new_wal;
        {
            let mut sv = self.sv.write();
            w.active = Arc::new(Memtable::new(w.wal.number()));
            let next = SuperVersion {
                active: Arc::clone(&w.active),
                imm: Some(Arc::clone(&sv.active)),
                tables: sv.tables.clone(),
                tables_gen: sv.tables_gen,
            };
            *sv = Arc::new(next);
        }
        if self.opts.background {
            self.bg.lock().work = true;
            self.bg_cv.notify_all();
            Ok(())
        } else {
            self.flush_imm()?;
            while self.maybe_compact()? {}
            Ok(())
        }
    }

    /// Writes the frozen memtable to a table and commits it in the manifest.
    pub(crate) fn flush_imm(&self) -> Result<()> {
        let _flushing = self.flush_lock.lock();
        self.check_writable()?;
        let sv = self.current();
        let Some(imm) = sv.imm.clone() else {
            return Ok(());
        };
        let oldest = self.oldest_snapshot();
        let mut src = MemIter::new(Arc::clone(&imm), &[], u64::MAX);
        let info = self.build_table(&mut src, oldest, &sv.tables)?;
        let mut version = self.version.lock();
        let mut next = version.clone();
        if let Some(info) = &info {
            next.tables.insert(0, info.clone());
        }
        next.log_number = imm.wal_number() + 1;
        next.last_seq = next.last_seq.max(imm.max_seq());
        manifest::write(&self.vfs, &self.dir, &next)?;
        *version = next;
        {
            let mut svg = self.sv.write();
            let mut tables = svg.tables.clone();
            if let Some(info) = info {
                tables.insert(0, self.new_table(info));
            }
            *svg = Arc::new(SuperVersion {
                active: Arc::clone(&svg.active),
                imm: None,
                tables,
                tables_gen: self.next_tables_gen(),
            });
        }
        drop(version);
        // NOTE: a failed removal leaves a file older than `log_number`; open deletes it.
        let _ = self
            .vfs
            .remove(&self.dir.join(wal::file_name(imm.wal_number())));
        self.bg_cv.notify_all();
        Ok(())
    }

    /// Runs one size-tiered compaction if a tier is ready; returns whether it did.
    pub(crate) fn maybe_compact(&self) -> Result<bool> {
        let _compacting = self.compaction_lock.lock();
        self.check_writable()?;
        let sv = self.current();
        let sizes: Vec<u64> = sv.tables.iter().map(|t| t.info.file_size).collect();
        let Some(range) = pick_size_tiered(
            &sizes,
            self.opts.compaction_min_tables,
            self.opts.compaction_max_tables,
            (self.opts.stall_tables / 2).max(self.opts.compaction_max_tables),
        ) else {
            return Ok(false);
        };
        self.compact_tables(&sv, range)?;
        Ok(true)
    }

    /// Merges every table into one.
    pub(crate) fn compact_all(&self) -> Result<()> {
        let _compacting = self.compaction_lock.lock();
        self.check_writable()?;
        let sv = self.current();
        if sv.tables.is_empty() {
            return Ok(());
        }
        self.compact_tables(&sv, 0..sv.tables.len())
    }

    fn compact_tables(&self, sv: &SuperVersion, range: Range<usize>) -> Result<()> {
        let inputs: Vec<Arc<Table>> = sv.tables.get(range.clone()).unwrap_or_default().to_vec();
        let older = sv.tables.get(range.end..).unwrap_or_default();
        let oldest = self.oldest_snapshot();
        let mut iters = Vec::with_capacity(inputs.len());
        for t in &inputs {
            iters.push(TableIter::new(self.reader(t)?, &[], u64::MAX)?);
        }
        let mut merge = MergeAll::new(iters);
        let info = self.build_table(&mut merge, oldest, older)?;
        let ids: Vec<u64> = inputs.iter().map(|t| t.info.id).collect();
        let mut version = self.version.lock();
        let Some(pos) = version
            .tables
            .iter()
            .position(|t| Some(&t.id) == ids.first())
        else {
            return Err(Error::InvalidArgument("compaction inputs vanished".into()));
        };
        let still: Vec<u64> = version
            .tables
            .iter()
            .skip(pos)
            .take(ids.len())
            .map(|t| t.id)
            .collect();
        assert_eq!(still, ids, "compaction inputs must stay adjacent");
        let mut next = version.clone();
        next.tables
            .splice(pos..pos + ids.len(), info.iter().cloned());
        manifest::write(&self.vfs, &self.dir, &next)?;
        *version = next;
        {
            let mut svg = self.sv.write();
            let mut tables = svg.tables.clone();
            tables.splice(pos..pos + ids.len(), info.map(|i| self.new_table(i)));
            *svg = Arc::new(SuperVersion {
                active: Arc::clone(&svg.active),
                imm: svg.imm.clone(),
                tables,
                tables_gen: self.next_tables_gen(),
            });
        }
        drop(version);
        for t in &inputs {
            t.mark_obsolete();
            self.table_cache.remove(&t.info.id);
        }
        self.bg_cv.notify_all();
        Ok(())
    }
}

/// The background thread: group-commit syncs, flushes and compactions.
pub(crate) fn background_loop(inner: Arc<Inner>) {
    loop {
        {
            let mut bg = inner.bg.lock();
            if !bg.shutdown && !bg.work {
                inner.bg_cv.wait_for(&mut bg, inner.opts.batch_window);
            }
            if bg.shutdown {
                return;
            }
            bg.work = false;
        }
        if inner.poisoned.load(Ordering::Acquire) {
            continue;
        }
        if inner.opts.sync == SyncMode::Batch {
            if let Some(mut w) = inner.writer.try_lock() {
                if !w.closed && w.wal.owes_sync() && w.wal.since_sync() >= inner.opts.batch_window {
                    let r = w.wal.sync();
                    let _ = inner.poison(r);
                }
            }
        }
        if inner.current().imm.is_some() {
            let r = inner.flush_imm();
            let _ = inner.poison(r);
        }
        loop {
            if inner.bg.lock().shutdown {
                break;
            }
            match inner.maybe_compact() {
                Ok(true) => continue,
                Ok(false) => break,
                r @ Err(_) => {
                    let _ = inner.poison(r);
                    break;
                }
            }
        }
        inner.bg_cv.notify_all();
    }
}
