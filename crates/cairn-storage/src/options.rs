//! Engine configuration.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::io::{OsVfs, Vfs};

/// When the WAL is made durable relative to acknowledging a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// fsync the WAL before a write returns.
    Always,
    /// Group commit: writes return after the append; the WAL is fsynced at most once
    /// per [`Options::with_batch_window`] (by a later write or the background thread).
    Batch,
    /// Never fsync the WAL (data reaches disk on rotation, flush and close).
    Never,
}

/// How durable one write is when it returns (see [`crate::Engine::write_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// As the engine's [`SyncMode`] says.
    #[default]
    Default,
    /// Returns after the append, whatever the sync mode, and owes no group-commit
    /// fsync: the write becomes durable with the next sync of the WAL (an
    /// [`crate::Engine::sync`], a later write that syncs, a memtable rotation or
    /// close). A crash before that loses it, and the deferred writes after it, but
    /// never part of a batch, and never a write that came before a durable one. For
    /// bulk loads that can be run again and end with [`crate::Engine::sync`].
    Deferred,
}

/// Block compression of SSTables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Blocks are stored raw.
    None,
    /// Blocks are compressed with LZ4 (kept raw when that does not save space).
    Lz4,
}

/// Longest key, in bytes.
pub const MAX_KEY_LEN: usize = 32 * 1024;
/// Longest value, in bytes.
pub const MAX_VALUE_LEN: usize = 16 * 1024 * 1024;
/// Largest encoded write batch (one WAL record), in bytes.
pub const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Most keyspaces one engine holds.
pub const MAX_KEYSPACES: usize = 4096;

/// Options for [`crate::Engine::open`]. Setters check their argument.
#[derive(Debug, Clone)]
pub struct Options {
    pub(crate) vfs: Arc<dyn Vfs>,
    pub(crate) sync: SyncMode,
    pub(crate) batch_window: Duration,
    pub(crate) memtable_bytes: usize,
    pub(crate) block_bytes: usize,
    pub(crate) compression: Compression,
    pub(crate) block_cache_bytes: usize,
    pub(crate) row_cache_bytes: usize,
    pub(crate) table_cache_bytes: usize,
    pub(crate) background: bool,
    pub(crate) compaction_min_tables: usize,
    pub(crate) compaction_max_tables: usize,
    pub(crate) stall_tables: usize,
    pub(crate) bloom_bits_per_key: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            vfs: Arc::new(OsVfs),
            sync: SyncMode::Batch,
            batch_window: Duration::from_millis(2),
            memtable_bytes: 64 << 20,
            block_bytes: 4096,
            compression: Compression::None,
            block_cache_bytes: 64 << 20,
            row_cache_bytes: 8 << 20,
            table_cache_bytes: 64 << 20,
            background: true,
            compaction_min_tables: 4,
            compaction_max_tables: 10,
            stall_tables: 24,
            bloom_bits_per_key: 10,
        }
    }
}

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(what.to_owned()))
    }
}

impl Options {
    /// Uses `vfs` for all I/O (default: [`OsVfs`]).
    pub fn with_vfs(mut self, vfs: Arc<dyn Vfs>) -> Self {
        self.vfs = vfs;
        self
    }
    /// WAL durability mode (default: [`SyncMode::Batch`]).
    pub fn with_sync(mut self, sync: SyncMode) -> Self {
        self.sync = sync;
        self
    }
    /// Group-commit window of [`SyncMode::Batch`], 1 µs to 10 s (default 2 ms).
    pub fn with_batch_window(mut self, window: Duration) -> Result<Self> {
        check(
            window >= Duration::from_micros(1) && window <= Duration::from_secs(10),
            "batch window must be within 1us..10s",
        )?;
        self.batch_window = window;
        Ok(self)
    }
    /// Memtable size that triggers a flush, 4 KiB to 1 GiB (default 64 MiB).
    pub fn with_memtable_bytes(mut self, bytes: usize) -> Result<Self> {
        check(
            (4 << 10..=1 << 30).contains(&bytes),
            "memtable size must be within 4 KiB..1 GiB",
        )?;
        self.memtable_bytes = bytes;
        Ok(self)
    }
    /// Target SSTable data-block size, 128 B to 1 MiB (default 4 KiB).
    pub fn with_block_bytes(mut self, bytes: usize) -> Result<Self> {
        check(
            (128..=1 << 20).contains(&bytes),
            "block size must be within 128 B..1 MiB",
        )?;
        self.block_bytes = bytes;
        Ok(self)
    }
    /// Block compression (default none).
    pub fn with_compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }
    /// Block cache capacity in bytes (default 64 MiB; 0 disables caching).
    pub fn with_block_cache_bytes(mut self, bytes: usize) -> Self {
        self.block_cache_bytes = bytes;
        self
    }
    /// Row cache capacity in bytes (default 8 MiB; 0 disables it). The row cache keeps
    /// what the tables answered for recently read keys, so a repeated point read of a
    /// key not in the memtables skips the table lookups; it never changes an answer.
    pub fn with_row_cache_bytes(mut self, bytes: usize) -> Self {
        self.row_cache_bytes = bytes;
        self
    }
    /// Table cache capacity in bytes of index and bloom data (default 64 MiB).
    pub fn with_table_cache_bytes(mut self, bytes: usize) -> Self {
        self.table_cache_bytes = bytes;
        self
    }
    /// Flush and compact on a background thread (default) or inline in the writer,
    /// which makes runs on [`crate::io::SimVfs`] deterministic.
    pub fn with_background(mut self, on: bool) -> Self {
        self.background = on;
        self
    }
    /// Size-tiered compaction merges between `min` (>= 2) and `max` similar tables.
    pub fn with_compaction_tables(mut self, min: usize, max: usize) -> Result<Self> {
        check(
            (2..=64).contains(&min) && (min..=64).contains(&max),
            "compaction needs 2 <= min <= max <= 64",
        )?;
        self.compaction_min_tables = min;
        self.compaction_max_tables = max;
        Ok(self)
    }
}
