//! [`TableReader`]: an open table with its index and bloom filter in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::block::{unframe, Block};
use super::filter::Bloom;
use super::writer::{FOOTER_LEN, FORMAT_VERSION, HANDLE_LEN, MAGIC};
use crate::batch::Kind;
use crate::cache::ClockCache;
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsFile};
use crate::options::MAX_KEY_LEN;
use crate::util::Reader;

pub(crate) type BlockCache = ClockCache<(u64, u64), Arc<Block>>;

#[derive(Debug, Clone, Copy)]
struct Handle {
    offset: u64,
    size: u32,
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    key_start: usize,
    key_end: usize,
    seq: u64,
    handle: Handle,
}

pub(crate) struct TableReader {
    id: u64,
    path: PathBuf,
    file: Box<dyn VfsFile>,
    index_data: Box<[u8]>,
    index: Vec<IndexEntry>,
    bloom: Bloom,
    cache: Arc<BlockCache>,
}

/// A found version: kind and the block holding the value.
pub(crate) struct Found {
    pub kind: Kind,
    pub block: Arc<Block>,
    pub value: (usize, usize),
}

impl TableReader {
    pub(crate) fn open(
        vfs: &Arc<dyn Vfs>,
        dir: &Path,
        id: u64,
        cache: Arc<BlockCache>,
    ) -> Result<Self> {
        let path = dir.join(super::file_name(id));
        let file = vfs.open(&path).map_err(|e| Error::io(&path, e))?;
        let len = file.len().map_err(|e| Error::io(&path, e))?;
        let corrupt = |block: Option<u64>, why: String| Error::corrupt(&path, block, why);
        if len < FOOTER_LEN as u64 {
            return Err(corrupt(None, format!("file of {len} bytes has no footer")));
        }
        let footer_off = len - FOOTER_LEN as u64;
        let mut footer = [0u8; FOOTER_LEN];
        file.read_exact_at(footer_off, &mut footer)
            .map_err(|e| Error::io(&path, e))?;
        let mut r = Reader::new(&footer);
        let mut handles = [Handle { offset: 0, size: 0 }; 3];
        for h in &mut handles {
            let (Some(offset), Some(size)) = (r.u64(), r.u32()) else {
                return Err(corrupt(Some(footer_off), "short footer".into()));
            };
            *h = Handle { offset, size };
        }
        let version = r.u32().unwrap_or(0);
        let crc = r.u32().unwrap_or(0);
        let magic = r.u64().unwrap_or(0);
        if magic != MAGIC {
            return Err(corrupt(Some(footer_off), "bad magic in footer".into()));
        }
        let covered = footer.get(..3 * HANDLE_LEN + 4).unwrap_or_default();
        if crc32c::crc32c(covered) != crc {
            return Err(corrupt(Some(footer_off), "footer checksum mismatch".into()));
        }
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                file: path,
                found: version,
            });
        }
        for h in &handles {
            let end = h.offset.checked_add(u64::from(h.size));
            if !matches!(end, Some(e) if e <= footer_off) {
                return Err(corrupt(Some(h.offset), "block handle out of file".into()));
            }
        }
        let read = |h: Handle| -> Result<Vec<u8>> {
            let mut raw = vec![0u8; h.size as usize];
            file.read_exact_at(h.offset, &mut raw)
                .map_err(|e| Error::io(&path, e))?;
            unframe(&raw).map_err(|why| Error::corrupt(&path, Some(h.offset), why))
        };
        let [ih, fh, mh] = handles;
        // The meta block duplicates what the manifest records; it is checked here so
        // a damaged table is reported at open rather than trusted.
        let meta = read(mh)?;
        let mut m = Reader::new(&meta);
        let meta_ok = (0..4).all(|_| m.u64().is_some())
            && m.len_bytes(MAX_KEY_LEN + 2).is_some()
            && m.len_bytes(MAX_KEY_LEN + 2).is_some()
            && m.is_empty();
        if !meta_ok {
            return Err(corrupt(Some(mh.offset), "malformed meta block".into()));
        }
        let index_data: Box<[u8]> = read(ih)?.into();
        let bloom = Bloom::decode(&read(fh)?)
            .ok_or_else(|| corrupt(Some(fh.offset), "malformed bloom filter".into()))?;
        let index = Self::parse_index(&index_data, footer_off)
            .ok_or_else(|| corrupt(Some(ih.offset), "malformed index block".into()))?;
        Ok(TableReader {
            id,
            path,
            file,
            index_data,
            index,
            bloom,
            cache,
        })
    }

    fn parse_index(data: &[u8], data_end: u64) -> Option<Vec<IndexEntry>> {
        let mut r = Reader::new(data);
        let count = r.u32()? as usize;
        // Each entry takes at least 24 bytes: a hostile count cannot over-allocate.
        if count > data.len() / 24 {
            return None;
        }
        let mut out = Vec::with_capacity(count);
        let mut prev_end = 0u64;
        for _ in 0..count {
            let klen = r.u32()? as usize;
            if klen > MAX_KEY_LEN + 2 {
                return None;
            }
            let key_start = r.pos();
            r.bytes(klen)?;
            let seq = r.u64()?;
            let offset = r.u64()?;
            let size = r.u32()?;
            if offset != prev_end {
                return None;
            }
            prev_end = offset.checked_add(u64::from(size))?;
            if prev_end > data_end {
                return None;
            }
            out.push(IndexEntry {
                key_start,
                key_end: key_start + klen,
                seq,
                handle: Handle { offset, size },
            });
        }
        if !r.is_empty() {
            return None;
        }
        Some(out)
    }

    /// Bytes held in memory (index + filter), for the table cache.
    pub(crate) fn mem_bytes(&self) -> usize {
        self.index_data.len() + self.bloom.mem_bytes() + self.index.len() * 40 + 256
    }

    pub(crate) fn may_contain(&self, key: &[u8]) -> bool {
        self.bloom.may_contain(key)
    }

    pub(crate) fn block_count(&self) -> usize {
        self.index.len()
    }

    fn index_key(&self, i: usize) -> Option<(&[u8], u64)> {
        let e = self.index.get(i)?;
        Some((self.index_data.get(e.key_start..e.key_end)?, e.seq))
    }

    /// First block whose last entry is `>=` (key, seq) in internal order.
    pub(crate) fn seek_block(&self, key: &[u8], seq: u64) -> usize {
        self.index.partition_point(|e| {
            let k = self
                .index_data
                .get(e.key_start..e.key_end)
                .unwrap_or_default();
            super::cmp_internal(k, e.seq, key, seq).is_lt()
        })
    }

    /// Reads, checks and caches data block `i`.
    pub(crate) fn block(&self, i: usize) -> Result<Arc<Block>> {
        let e = self
            .index
            .get(i)
            .ok_or_else(|| Error::corrupt(&self.path, None, "block index out of range"))?;
        let key = (self.id, e.handle.offset);
        if let Some(b) = self.cache.get(&key) {
            return Ok(b);
        }
        let mut raw = vec![0u8; e.handle.size as usize];
        self.file
            .read_exact_at(e.handle.offset, &mut raw)
            .map_err(|err| Error::io(&self.path, err))?;
        let data =
            unframe(&raw).map_err(|why| Error::corrupt(&self.path, Some(e.handle.offset), why))?;
        let block = Arc::new(Block { data: data.into() });
        self.cache.insert(key, Arc::clone(&block), block.len() + 64);
        Ok(block)
    }

    pub(crate) fn corrupt_block(&self, i: usize, why: &str) -> Error {
        let off = self.index.get(i).map(|e| e.handle.offset);
        Error::corrupt(&self.path, off, why)
    }

    /// Newest version of `key` with sequence `<= seq`.
    pub(crate) fn get(&self, key: &[u8], seq: u64) -> Result<Option<Found>> {
        if !self.bloom.may_contain(key) {
            return Ok(None);
        }
        let i = self.seek_block(key, seq);
        if i >= self.index.len() {
            return Ok(None);
        }
        let block = self.block(i)?;
        let mut pos = 0;
        while pos < block.len() {
            let e = block
                .entry_at(pos)
                .ok_or_else(|| self.corrupt_block(i, "malformed entry"))?;
            let k = block.slice(e.key);
            if super::cmp_internal(k, e.seq, key, seq).is_ge() {
                if k == key {
                    return Ok(Some(Found {
                        kind: e.kind,
                        value: e.value,
                        block,
                    }));
                }
                return Ok(None);
            }
            pos = e.next;
        }
        // The index promised an entry >= target in this block.
        match self.index_key(i) {
            Some(_) => Err(self.corrupt_block(i, "index key not found in its block")),
            None => Ok(None),
        }
    }
}
