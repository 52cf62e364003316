//! Opening: lock, manifest, orphan cleanup, WAL replay.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex, RwLock};

use super::engine::{BgState, Engine, Inner, SuperVersion, WriterState};
use super::table::Table;
use crate::batch::decode_ops;
use crate::cache::ClockCache;
use crate::compaction::GcFilter;
use crate::error::{Error, Result};
use crate::keyspace::Keyspace;
use crate::manifest::{self, ManifestData};
use crate::memtable::{MemIter, Memtable};
use crate::options::Options;
use crate::row_cache::RowCache;
use crate::sst::{self, SstWriter};
use crate::wal::{self, WalWriter};

/// The unreadable end of a WAL file that recovery dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedTail {
    /// The WAL file.
    pub file: PathBuf,
    /// Where the valid prefix ends (the file was truncated there).
    pub offset: u64,
    /// Bytes dropped.
    pub bytes: u64,
    /// Why the first dropped record was rejected.
    pub reason: String,
}

/// What recovery did when the engine was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// WAL files replayed.
    pub wal_files_replayed: usize,
    /// Write batches replayed.
    pub batches_replayed: u64,
    /// Torn or corrupt tails dropped (at most one: replay stops there).
    pub dropped: Vec<DroppedTail>,
    /// Newer WAL files not replayed because an older one was damaged.
    pub discarded_wal_files: Vec<PathBuf>,
}

const LOCK_NAME: &str = "LOCK";

pub(crate) fn open(dir: &Path, opts: Options) -> Result<Engine> {
    let vfs = Arc::clone(&opts.vfs);
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| Error::io(p, e)
    };
    vfs.create_dir_all(dir).map_err(io(dir))?;
    let lock_path = dir.join(LOCK_NAME);
    let lock = vfs
        .lock(&lock_path)
        .map_err(io(&lock_path))?
        .ok_or_else(|| Error::InUse(dir.to_path_buf()))?;
    let mut data = match manifest::read(&vfs, dir)? {
        Some(m) => m,
        None => {
            let m = ManifestData {
                next_table_id: 1,
                log_number: 1,
                ..ManifestData::default()
            };
            manifest::write(&vfs, dir, &m)?;
            m
        }
    };

    // Orphans: tables no manifest lists, WAL files already flushed, a torn manifest.
    let live: HashSet<u64> = data.tables.iter().map(|t| t.id).collect();
    let mut wals = Vec::new();
    for name in vfs.list(dir).map_err(io(dir))? {
        let path = dir.join(&name);
        if let Some(id) = sst::parse_name(&name) {
            if !live.contains(&id) {
                vfs.remove(&path).map_err(io(&path))?;
            }
        } else if let Some(n) = wal::parse_name(&name) {
            if n < data.log_number {
                vfs.remove(&path).map_err(io(&path))?;
            } else {
                wals.push(n);
            }
        } else if name.ends_with(".tmp") {
            vfs.remove(&path).map_err(io(&path))?;
        }
    }
    wals.sort_unstable();

    // Replay WAL files in order, stopping for good at the first damaged record.
    let mem = Arc::new(Memtable::new(0));
    let mut report = RecoveryReport::default();
    let mut last_seq = data.last_seq;
    let mut damaged = false;
    for &n in &wals {
        let path = dir.join(wal::file_name(n));
        if damaged {
            report.discarded_wal_files.push(path);
            continue;
        }
        let mut batches = 0u64;
        let rep = wal::replay(&vfs, &path, last_seq, |first, count, ops| match decode_ops(
            ops, count,
        ) {
            Some(ops) => {
                mem.insert_ops(first, &ops);
                batches += 1;
                true
            }
            None => false,
        })?;
        report.wal_files_replayed += 1;
        report.batches_replayed += batches;
        last_seq = last_seq.max(rep.last_seq);
        if rep.dropped_bytes > 0 {
            damaged = true;
            let mut f = vfs.open(&path).map_err(io(&path))?;
            f.set_len(rep.valid_len).map_err(io(&path))?;
            f.sync().map_err(io(&path))?;
            report.dropped.push(DroppedTail {
                file: path,
                offset: rep.valid_len,
                bytes: rep.dropped_bytes,
                reason: rep.reason.unwrap_or_default(),
            });
        }
    }
    let new_wal = wals
        .last()
        .copied()
        .unwrap_or(0)
        .max(data.log_number.saturating_sub(1))
        + 1;

    // Recovered writes go straight into a table, so every old WAL can go.
    if !mem.is_empty() {
        let id = data.next_table_id;
        data.next_table_id += 1;
        let mut w = SstWriter::create(
            &vfs,
            dir,
            id,
            opts.block_bytes,
            opts.compression == crate::Compression::Lz4,
            opts.bloom_bits_per_key,
        )?;
        let mut gc = GcFilter::new(last_seq);
        let mut src = MemIter::new(Arc::clone(&mem), &[], u64::MAX);
        while let Some((k, s, kind, v)) = src.peek() {
            if gc.keep(k, s, kind, |_| Ok(true))? {
                w.add(k, s, kind, v)?;
            }
            src.advance();
        }
        data.tables.insert(0, w.finish()?);
    }
    drop(mem);
    data.last_seq = last_seq;
    data.log_number = new_wal;
    manifest::write(&vfs, dir, &data)?;
    for &n in &wals {
        let path = dir.join(wal::file_name(n));
        vfs.remove(&path).map_err(io(&path))?;
    }
    let wal = WalWriter::create(&vfs, dir, new_wal)?;

    let tables: Vec<Arc<Table>> = data
        .tables
        .iter()
        .map(|t| {
            Arc::new(Table::new(
                t.clone(),
                dir.join(sst::file_name(t.id)),
                Arc::clone(&vfs),
            ))
        })
        .collect();
    let keyspaces: HashMap<String, Keyspace> = data
        .keyspaces
        .iter()
        .map(|(id, name)| {
            (
                name.clone(),
                Keyspace {
                    id: *id,
                    name: name.as_str().into(),
                },
            )
        })
        .collect();
    let active = Arc::new(Memtable::new(new_wal));
    let inner = Arc::new(Inner {
        dir: dir.to_path_buf(),
        vfs,
        writer: Mutex::new(WriterState {
            wal,
            active: Arc::clone(&active),
            last_seq,
            closed: false,
        }),
        sv: RwLock::new(Arc::new(SuperVersion {
            active,
            imm: None,
            tables,
            tables_gen: 0,
        })),
        visible_seq: AtomicU64::new(last_seq),
        snapshots: Mutex::new(BTreeMap::new()),
        version: Mutex::new(data),
        keyspaces: RwLock::new(keyspaces),
        block_cache: Arc::new(ClockCache::new(opts.block_cache_bytes)),
        row_cache: (opts.row_cache_bytes > 0).then(|| RowCache::new(opts.row_cache_bytes)),
        tables_gen: AtomicU64::new(0),
        table_cache: ClockCache::with_shards(opts.table_cache_bytes, 1),
        poisoned: AtomicBool::new(false),
        bg: Mutex::new(BgState {
            shutdown: false,
            work: false,
        }),
        bg_cv: Condvar::new(),
        flush_lock: Mutex::new(()),
        compaction_lock: Mutex::new(()),
        recovery: report,
        _lock: lock,
        opts,
    });
    // Check every table's footer, index and filter now, so damage is reported at open.
    for t in &inner.current().tables {
        inner.reader(t)?;
    }
    let bg = if inner.opts.background {
        let bg_inner = Arc::clone(&inner);
        Some(
            std::thread::Builder::new()
                .name("cairn-storage-bg".into())
                .spawn(move || super::maintenance::background_loop(bg_inner))
                .map_err(|e| Error::io(dir, e))?,
        )
    } else {
        None
    };
    Ok(Engine { inner, bg })
}
