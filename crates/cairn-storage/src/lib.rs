//! Cairn storage engine: an embedded, durable LSM key-value store over byte strings.
//!
//! What it is: named keyspaces, atomic write batches, point reads that borrow values
//! without copying, forward range and prefix iterators, snapshots, a write-ahead log
//! with three durability modes, an arena-backed memtable, checksummed SSTables with
//! bloom filters, block, table and row caches, and size-tiered compaction on a
//! background thread. All I/O goes
//! through [`io::Vfs`], so tests run the engine on [`io::SimVfs`] with injected faults
//! and simulated crashes.
//!
//! What it is not: a query engine (see `cairn-query`), multi-writer (writes serialise),
//! or multi-process (a directory lock refuses a second opener).
//!
//! Layout: `wal/` (log writer and replay), `memtable/` (arena map), `sst/` (table
//! writer, reader, blocks, filter), `compaction/` (picking, version GC), `manifest/`,
//! `io/` (VFS backends), `db/` (the engine). On-disk formats are documented at the top
//! of `wal/writer.rs`, `sst/writer.rs` and `manifest/persist.rs`.
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod batch;
mod cache;
mod compaction;
mod db;
mod error;
pub mod io;
mod iter;
mod keyspace;
mod manifest;
mod memtable;
mod options;
mod row_cache;
mod sst;
mod util;
mod wal;

pub use batch::WriteBatch;
pub use db::{DroppedTail, Engine, RecoveryReport, Snapshot, ValueRef};
pub use error::{Corruption, Error, Result};
pub use io::{OsVfs, SimFaults, SimVfs, Vfs};
pub use iter::Iter;
pub use keyspace::Keyspace;
pub use options::{
    Compression, Durability, Options, SyncMode, MAX_BATCH_BYTES, MAX_KEYSPACES, MAX_KEY_LEN,
    MAX_VALUE_LEN,
};

/// Alias so callers can write `Sync::Always`, as the design notes do.
pub type Sync = SyncMode;
