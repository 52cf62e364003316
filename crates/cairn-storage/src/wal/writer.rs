//! WAL writer.
//!
//! # Format
//!
//! A WAL file is a sequence of records, nothing else (no header):
//!
//! ```text
//! +-----------+-------------+---------------------------------------------+
//! | len: u32  | crc: u32    | payload (len bytes)                         |
//! +-----------+-------------+---------------------------------------------+
//! payload = first_seq: u64 | count: u32 | count batch operations
//! crc     = crc32c(len bytes ++ payload)
//! ```
//!
//! All integers are little-endian; the operation encoding is in `batch.rs`. `len` is at
//! most `MAX_BATCH_BYTES + 12`. Operation `i` of a record has sequence number
//! `first_seq + i`, and records have increasing sequence numbers.
//!
//! Crash analysis: a record is acknowledged (with `SyncMode::Always`) only after its
//! bytes and the file's directory entry are durable. A crash mid-append leaves a torn
//! last record; recovery replays the longest valid prefix, stops at the first record
//! whose length, checksum or contents fail, reports the bytes dropped and truncates
//! them. A new WAL file is created (and its directory synced) before the first record
//! goes into it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::batch::{encode_op, encoded_len, Kind, WriteBatch};
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsFile};

/// Bytes of `len` + `crc`.
pub(crate) const RECORD_HEADER: usize = 4 + 4;
/// Bytes of `first_seq` + `count`.
pub(crate) const PAYLOAD_HEADER: usize = 8 + 4;
/// Userspace buffer size before bytes are handed to the OS.
const BUFFER_BYTES: usize = 64 << 10;

pub(crate) struct WalWriter {
    file: Box<dyn VfsFile>,
    path: PathBuf,
    number: u64,
    /// Framed records not yet handed to the OS.
    buf: Vec<u8>,
    /// Bytes handed to the OS but not yet fsynced.
    unsynced: bool,
    last_sync: Instant,
    /// Syncs started by [`Self::begin_sync`] and not known to have succeeded: while
    /// any is, [`Self::sync`] cannot take the file for durable without its own fsync.
    in_flight: Arc<AtomicUsize>,
}

/// A sync of the WAL running without the writer's lock (see [`WalWriter::begin_sync`]).
pub(crate) struct PendingSync {
    file: Box<dyn VfsFile>,
    path: PathBuf,
    in_flight: Arc<AtomicUsize>,
}

impl PendingSync {
    /// Makes durable every record handed to the OS before [`WalWriter::begin_sync`]
    /// returned this (and perhaps later ones).
    pub(crate) fn run(mut self) -> Result<()> {
        self.file.sync().map_err(|e| Error::io(&self.path, e))?;
        // Only a sync that succeeded stops counting: after a failure the writer's
        // own syncs keep fsyncing.
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        Ok(())
    }
}

impl WalWriter {
    /// Creates WAL `number` in `dir` and makes its name durable.
    pub(crate) fn create(vfs: &Arc<dyn Vfs>, dir: &Path, number: u64) -> Result<Self> {
        let path = dir.join(super::file_name(number));
        let file = vfs.create(&path).map_err(|e| Error::io(&path, e))?;
        // IMPORTANT: without the directory sync a crash could lose the whole file,
        // acknowledged records included.
        vfs.sync_dir(dir).map_err(|e| Error::io(dir, e))?;
        Ok(WalWriter {
            file,
            path,
            number,
            buf: Vec::with_capacity(BUFFER_BYTES),
            unsynced: false,
            last_sync: Instant::now(),
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    /// Frames `batch` with sequence numbers from `first_seq` into the buffer.
    pub(crate) fn append(&mut self, first_seq: u64, batch: &WriteBatch) -> Result<()> {
        let len = PAYLOAD_HEADER + batch.data.len();
        let len32 = u32::try_from(len)
            .map_err(|_| Error::InvalidArgument("batch too large for one record".into()))?;
        let start = self.buf.len();
        self.buf.extend_from_slice(&len32.to_le_bytes());
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.extend_from_slice(&first_seq.to_le_bytes());
        self.buf.extend_from_slice(&batch.count.to_le_bytes());
        self.buf.extend_from_slice(&batch.data);
        self.seal(start, len32)
    }

    /// Frames a one-operation record with sequence `seq` straight into the buffer:
    /// the same bytes as [`Self::append`] of a batch holding only that operation,
    /// without building the batch.
    pub(crate) fn append_op(
        &mut self,
        seq: u64,
        kind: Kind,
        ks: u16,
        key: &[u8],
        value: &[u8],
    ) -> Result<()> {
        let len = PAYLOAD_HEADER + encoded_len(kind, key, value);
        let len32 = u32::try_from(len)
            .map_err(|_| Error::InvalidArgument("operation too large for one record".into()))?;
        let start = self.buf.len();
        self.buf.reserve(RECORD_HEADER + len);
        self.buf.extend_from_slice(&len32.to_le_bytes());
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.extend_from_slice(&seq.to_le_bytes());
        self.buf.extend_from_slice(&1u32.to_le_bytes());
        encode_op(&mut self.buf, kind, ks, key, value);
        self.seal(start, len32)
    }

    /// Writes the crc of the record framed at `start` and hands a full buffer to the OS.
    fn seal(&mut self, start: usize, len32: u32) -> Result<()> {
        let crc = crc32c::crc32c_append(
            crc32c::crc32c(&len32.to_le_bytes()),
            &self.buf[start + RECORD_HEADER..],
        );
        self.buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
        if self.buf.len() >= BUFFER_BYTES {
            self.flush_buffer()?;
        }
        Ok(())
    }

    /// Hands buffered records to the OS.
    pub(crate) fn flush_buffer(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let res = self.file.append(&self.buf);
        self.buf.clear();
        self.unsynced = true;
        res.map_err(|e| Error::io(&self.path, e))
    }

    /// Makes every appended record durable.
    pub(crate) fn sync(&mut self) -> Result<()> {
        self.flush_buffer()?;
        if self.unsynced || self.in_flight.load(Ordering::Acquire) > 0 {
            self.file.sync().map_err(|e| Error::io(&self.path, e))?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Starts a group-commit sync to run without the writer's lock: hands the buffered
    /// records to the OS and returns a second handle on the file whose
    /// [`PendingSync::run`] makes them durable; `None` when nothing waits for a sync.
    /// Writers go on appending meanwhile.
    pub(crate) fn begin_sync(&mut self) -> Result<Option<PendingSync>> {
        self.flush_buffer()?;
        self.last_sync = Instant::now();
        if !self.unsynced {
            return Ok(None);
        }
        let file = self
            .file
            .try_clone()
            .map_err(|e| Error::io(&self.path, e))?;
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.unsynced = false;
        Ok(Some(PendingSync {
            file,
            path: self.path.clone(),
            in_flight: Arc::clone(&self.in_flight),
        }))
    }

    /// Whether records are waiting for a sync.
    pub(crate) fn dirty(&self) -> bool {
        self.unsynced || !self.buf.is_empty()
    }

    pub(crate) fn since_sync(&self) -> std::time::Duration {
        self.last_sync.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{SimFaults, SimVfs};
    use crate::keyspace::Keyspace;

    fn writer(vfs: &SimVfs) -> WalWriter {
        let vfs: Arc<dyn Vfs> = Arc::new(vfs.clone());
        vfs.create_dir_all(Path::new("/db")).unwrap();
        WalWriter::create(&vfs, Path::new("/db"), 1).unwrap()
    }

    fn append(w: &mut WalWriter, seq: u64) {
        let ks = Keyspace {
            id: 1,
            name: "k".into(),
        };
        let mut batch = WriteBatch::new();
        batch.put(&ks, &seq.to_le_bytes(), b"value");
        w.append(seq, &batch).unwrap();
    }

    #[test]
    fn a_sync_run_off_the_writer_makes_the_records_before_it_durable() {
        let vfs = SimVfs::new(7);
        let mut w = writer(&vfs);
        append(&mut w, 1);
        let pending = w.begin_sync().unwrap().expect("records wait for a sync");
        // The writer goes on meanwhile.
        append(&mut w, 2);
        pending.run().unwrap();
        let len = vfs.read_file(&w.path).unwrap().len();
        vfs.crash();
        assert!(vfs.read_file(&w.path).unwrap().len() >= len);
        // Nothing new: no second sync to run.
        let mut w = writer(&SimVfs::new(8));
        assert!(w.begin_sync().unwrap().is_none());
    }

    #[test]
    fn after_a_failed_sync_off_the_writer_the_writer_syncs_again() {
        let vfs = SimVfs::new(9);
        let mut w = writer(&vfs);
        append(&mut w, 1);
        let pending = w.begin_sync().unwrap().unwrap();
        vfs.set_faults(SimFaults {
            sync_error: 1.0,
            ..SimFaults::default()
        });
        assert!(pending.run().is_err());
        vfs.set_faults(SimFaults::default());
        // No record was appended since, yet the writer's sync must reach the file.
        let before = vfs.ops();
        w.sync().unwrap();
        assert_eq!(vfs.ops(), before + 1, "the writer fsynced");
        let before = vfs.ops();
        w.sync().unwrap();
        assert_eq!(vfs.ops(), before + 1, "and keeps doing so");
    }
}
