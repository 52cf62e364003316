//! SSTable writer.
//!
//! # Format (version 2)
//!
//! ```text
//! +--------------+-----+--------------+-------------+--------------+------------+--------+
//! | data block 0 | ... | data block n | index block | filter block | meta block | footer |
//! +--------------+-----+--------------+-------------+--------------+------------+--------+
//! ```
//!
//! Every block is `payload | compression: u8 | crc32c: u32`, the crc covering payload
//! and compression byte. Compression 0 is raw, 1 is LZ4 with the decompressed size
//! prepended (`lz4_flex::block::compress_prepend_size`); only data blocks are
//! compressed. A block handle is `offset: u64 | size: u32` (size includes the trailer).
//! All integers are little-endian.
//!
//! * Data block payload (about `block_bytes` before compression): entries sorted by key
//!   ascending then sequence descending, each
//!   `key_len: u32 | value_len: u32 | seq: u64 | kind: u8 (0 delete, 1 put) | key | value`.
//!   Keys are internal keys (2-byte big-endian keyspace id, then the user key).
//! * Index block payload: `count: u32`, then per data block
//!   `last_key_len: u32 | last_key | last_seq: u64 | handle`.
//! * Filter block payload: a blocked bloom filter over the distinct keys: `k: u8`, then
//!   64-byte blocks; each key sets `k` bits of one block (exact layout in `filter.rs`).
//! * Meta block payload: `entries: u64 | tombstones: u64 | min_seq: u64 | max_seq: u64 |
//!   min_key_len: u32 | min_key | max_key_len: u32 | max_key`.
//! * Footer, fixed `FOOTER_LEN` = 52 bytes: `index handle | filter handle | meta handle |
//!   format_version: u32 | crc32c of the preceding 40 bytes: u32 | magic: u64`.
//!
//! Opening a table checks the footer, index, filter and meta blocks. Data blocks are
//! checked when read. A table is written whole, fsynced, and only then named in the
//! manifest; a crash before that leaves an orphan file that the next open deletes.
//!
//! Version changes: 1 is the first version. 2 replaces version 1's unblocked
//! double-hashing filter (`a % nbits` probes over a one-lane key hash) with the
//! blocked filter over the two-lane `util::hash64`, so a lookup reads one cache line;
//! everything else is unchanged.
//!
//! This build writes version 2 and reads versions 1 and 2: a version-1 table is read
//! with its own filter (`filter_v1.rs`, picked at open), and compaction rewrites it as
//! version 2. A table of any other version is refused at open with
//! `Error::UnsupportedVersion` naming the file, never read with the wrong filter.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::block::{frame, put_entry};
use super::filter::BloomBuilder;
use crate::batch::Kind;
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsFile, Writeback};
use crate::util::{hash64, put_len_bytes};

pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"CAIRNSST");
/// The version this build writes, and the newest it reads.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// The oldest version this build reads (tables of earlier releases stay readable).
pub(crate) const OLDEST_READ_VERSION: u32 = 1;
pub(crate) const HANDLE_LEN: usize = 8 + 4;
pub(crate) const FOOTER_LEN: usize = 3 * HANDLE_LEN + 4 + 4 + 8;
const WRITE_BUFFER: usize = 64 << 10;

/// What the manifest records about a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableInfo {
    pub id: u64,
    pub file_size: u64,
    pub entries: u64,
    pub tombstones: u64,
    pub min_seq: u64,
    pub max_seq: u64,
    pub min_key: Vec<u8>,
    pub max_key: Vec<u8>,
}

pub(crate) struct SstWriter {
    file: Box<dyn VfsFile>,
    path: PathBuf,
    id: u64,
    block_bytes: usize,
    lz4: bool,
    bloom_bits_per_key: usize,
    /// Bytes written to the file so far (including `out`).
    offset: u64,
    /// Encoded bytes waiting to be appended to the file.
    out: Vec<u8>,
    /// Writeback hints, so the sync that seals the table does not wait long.
    writeback: Writeback,
    /// The data block being built (reused for every block).
    block: Vec<u8>,
    index: Vec<u8>,
    index_count: u32,
    hashes: Vec<u64>,
    last_key: Vec<u8>,
    last_seq: u64,
    entries: u64,
    tombstones: u64,
    min_seq: u64,
    max_seq: u64,
    min_key: Vec<u8>,
}

impl SstWriter {
    pub(crate) fn create(
        vfs: &Arc<dyn Vfs>,
        dir: &Path,
        id: u64,
        block_bytes: usize,
        lz4: bool,
        bloom_bits_per_key: usize,
    ) -> Result<Self> {
        let path = dir.join(super::file_name(id));
        let file = vfs.create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(SstWriter {
            file,
            path,
            id,
            block_bytes,
            lz4,
            bloom_bits_per_key,
            offset: 0,
            out: Vec::with_capacity(WRITE_BUFFER),
            writeback: Writeback::default(),
            block: Vec::with_capacity(block_bytes * 2),
            index: Vec::new(),
            index_count: 0,
            hashes: Vec::new(),
            last_key: Vec::new(),
            last_seq: 0,
            entries: 0,
            tombstones: 0,
            min_seq: u64::MAX,
            max_seq: 0,
            min_key: Vec::new(),
        })
    }

    pub(crate) fn entries(&self) -> u64 {
        self.entries
    }

    /// Adds an entry; entries must come in internal order (key asc, seq desc).
    pub(crate) fn add(&mut self, key: &[u8], seq: u64, kind: Kind, value: &[u8]) -> Result<()> {
        if self.entries > 0 {
            assert!(
                super::cmp_internal(&self.last_key, self.last_seq, key, seq).is_lt(),
                "SstWriter::add out of order"
            );
        } else {
            self.min_key = key.to_vec();
        }
        if self.entries == 0 || self.last_key != key {
            self.hashes.push(hash64(key));
        }
        put_entry(&mut self.block, key, seq, kind, value);
        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.last_seq = seq;
        self.entries += 1;
        if kind == Kind::Delete {
            self.tombstones += 1;
        }
        self.min_seq = self.min_seq.min(seq);
        self.max_seq = self.max_seq.max(seq);
        if self.block.len() >= self.block_bytes {
            self.finish_block()?;
        }
        Ok(())
    }

    fn finish_block(&mut self) -> Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        let start = self.out.len();
        frame(&mut self.out, &self.block, self.lz4);
        let size = (self.out.len() - start) as u32;
        put_len_bytes(&mut self.index, &self.last_key);
        self.index.extend_from_slice(&self.last_seq.to_le_bytes());
        self.index.extend_from_slice(&self.offset.to_le_bytes());
        self.index.extend_from_slice(&size.to_le_bytes());
        self.index_count += 1;
        self.offset += u64::from(size);
        self.block.clear();
        if self.out.len() >= WRITE_BUFFER {
            self.write_out()?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> Result<()> {
        let res = self.file.append(&self.out);
        let appended = self.out.len();
        self.out.clear();
        res.map_err(|e| Error::io(&self.path, e))?;
        self.writeback.appended(&mut *self.file, appended);
        Ok(())
    }

    fn put_block(&mut self, payload: &[u8], footer: &mut Vec<u8>) {
        let start = self.out.len();
        frame(&mut self.out, payload, false);
        let size = (self.out.len() - start) as u32;
        footer.extend_from_slice(&self.offset.to_le_bytes());
        footer.extend_from_slice(&size.to_le_bytes());
        self.offset += u64::from(size);
    }

    /// Writes index, filter, meta and footer, and fsyncs the file.
    pub(crate) fn finish(mut self) -> Result<TableInfo> {
        self.finish_block()?;
        let mut footer = Vec::with_capacity(FOOTER_LEN);
        let mut index = Vec::with_capacity(4 + self.index.len());
        index.extend_from_slice(&self.index_count.to_le_bytes());
        index.extend_from_slice(&self.index);
        self.put_block(&index, &mut footer);
        let filter = BloomBuilder::build(&self.hashes, self.bloom_bits_per_key);
        self.put_block(&filter, &mut footer);
        let mut meta = Vec::new();
        meta.extend_from_slice(&self.entries.to_le_bytes());
        meta.extend_from_slice(&self.tombstones.to_le_bytes());
        meta.extend_from_slice(&self.min_seq.to_le_bytes());
        meta.extend_from_slice(&self.max_seq.to_le_bytes());
        put_len_bytes(&mut meta, &self.min_key);
        put_len_bytes(&mut meta, &self.last_key);
        self.put_block(&meta, &mut footer);
        footer.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let crc = crc32c::crc32c(&footer);
        footer.extend_from_slice(&crc.to_le_bytes());
        footer.extend_from_slice(&MAGIC.to_le_bytes());
        debug_assert_eq!(footer.len(), FOOTER_LEN);
        self.out.extend_from_slice(&footer);
        self.offset += FOOTER_LEN as u64;
        self.write_out()?;
        self.file.sync().map_err(|e| Error::io(&self.path, e))?;
        Ok(TableInfo {
            id: self.id,
            file_size: self.offset,
            entries: self.entries,
            tombstones: self.tombstones,
            min_seq: self.min_seq,
            max_seq: self.max_seq,
            min_key: self.min_key,
            max_key: self.last_key,
        })
    }
}
