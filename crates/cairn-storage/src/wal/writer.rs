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
use std::sync::Arc;
use std::time::Instant;

use crate::batch::{encode_op, encoded_len, Kind, WriteBatch};
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsFile, Writeback};

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
    /// Writeback hints, so the sync at rotation does not hold the writer long.
    writeback: Writeback,
    /// Records appended since the last sync whose writers were promised the sync
    /// mode's durability (not [`crate::Durability::Deferred`] ones): what the group
    /// commit must sync within its window.
    owed: bool,
    last_sync: Instant,
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
            writeback: Writeback::default(),
            owed: false,
            last_sync: Instant::now(),
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
        let appended = self.buf.len();
        self.buf.clear();
        self.unsynced = true;
        res.map_err(|e| Error::io(&self.path, e))?;
        self.writeback.appended(&mut *self.file, appended);
        Ok(())
    }

    /// Makes every appended record durable.
    pub(crate) fn sync(&mut self) -> Result<()> {
        self.flush_buffer()?;
        if self.unsynced {
            self.file.sync().map_err(|e| Error::io(&self.path, e))?;
            self.unsynced = false;
        }
        self.owed = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Whether records are waiting for a sync.
    /// Marks the records appended so far as owed a sync by the sync mode.
    pub(crate) fn owe_sync(&mut self) {
        self.owed = true;
    }

    /// Whether records owed a sync by the sync mode are not yet durable.
    pub(crate) fn owes_sync(&self) -> bool {
        self.owed
    }

    pub(crate) fn since_sync(&self) -> std::time::Duration {
        self.last_sync.elapsed()
    }
}
