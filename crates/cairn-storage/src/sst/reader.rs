//! [`TableReader`]: an open table with its index and bloom filter in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::block::{unframe, Block};
use super::filter::TableFilter;
use super::writer::{FOOTER_LEN, FORMAT_VERSION, HANDLE_LEN, MAGIC, OLDEST_READ_VERSION};
use crate::batch::Kind;
use crate::cache::ClockCache;
use crate::error::{Error, Result};
use crate::io::{Vfs, VfsFile};
use crate::options::MAX_KEY_LEN;
use crate::util::{cmp_after_head, key_head, KeyHead, Reader, HEAD_BYTES};

/// Index heads per fence (see `TableReader::fences`).
const FENCE: usize = 16;

pub(crate) type BlockCache = ClockCache<(u64, u64), Arc<Block>>;

#[derive(Debug, Clone, Copy)]
struct Handle {
    offset: u64,
    size: u32,
}

/// One data block in the in-memory index: where its last key lies in `index_data`,
/// that key's sequence, and the block handle.
#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    key_start: u32,
    key_end: u32,
    seq: u64,
    handle: Handle,
}

pub(crate) struct TableReader {
    id: u64,
    path: PathBuf,
    file: Box<dyn VfsFile>,
    index_data: Box<[u8]>,
    index: Vec<IndexEntry>,
    /// Head (see [`KeyHead`]) of each block's last key, dense in one array so the
    /// binary search touches few cache lines and reads `index_data` only on ties.
    index_heads: Box<[KeyHead]>,
    /// The last head of each run of `FENCE` consecutive `index_heads`: a small array
    /// (a few KiB per 100k keys) that stays in cache, so a lookup binary-searches it
    /// and then only one run of `index_heads` instead of the whole array, which
    /// costs a cache miss per step near the leaves.
    fences: Box<[KeyHead]>,
    /// Chosen by the table's format version at open.
    filter: TableFilter,
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
        // Older versions stay readable (only the filter differs); newer ones are not
        // understood.
        if !(OLDEST_READ_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(Error::UnsupportedVersion {
                file: path,
                found: version,
                expected: FORMAT_VERSION,
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
        let filter = TableFilter::decode(version, &read(fh)?)
            .ok_or_else(|| corrupt(Some(fh.offset), "malformed bloom filter".into()))?;
        let index = Self::parse_index(&index_data, footer_off)
            .ok_or_else(|| corrupt(Some(ih.offset), "malformed index block".into()))?;
        let index_heads = index
            .iter()
            .map(|e| {
                key_head(
                    index_data
                        .get(e.key_start as usize..e.key_end as usize)
                        .unwrap_or_default(),
                )
            })
            .collect::<Box<[KeyHead]>>();
        let fences = index_heads
            .chunks(FENCE)
            .filter_map(|run| run.last().copied())
            .collect();
        Ok(TableReader {
            id,
            path,
            file,
            index_data,
            index,
            index_heads,
            fences,
            filter,
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
        // Offsets into the index are stored as u32.
        if data.len() > u32::MAX as usize {
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
                key_start: key_start as u32,
                key_end: (key_start + klen) as u32,
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
        self.index_data.len()
            + self.filter.mem_bytes()
            + self.index.len() * (24 + HEAD_BYTES)
            + self.fences.len() * HEAD_BYTES
            + 256
    }

    pub(crate) fn may_contain(&self, key: &[u8]) -> bool {
        self.filter.may_contain_key(key)
    }

    pub(crate) fn block_count(&self) -> usize {
        self.index.len()
    }

    fn index_key(&self, e: &IndexEntry) -> &[u8] {
        self.index_data
            .get(e.key_start as usize..e.key_end as usize)
            .unwrap_or_default()
    }

    /// First block whose last entry is `>=` (key, seq) in internal order.
    pub(crate) fn seek_block(&self, key: &[u8], seq: u64) -> usize {
        self.seek_block_with_head(key, &key_head(key), seq)
    }

    fn seek_block_with_head(&self, key: &[u8], head: &KeyHead, seq: u64) -> usize {
        let heads = &self.index_heads;
        // Every head in runs before `run` is < head; the run's last one is >= head.
        let run = self.fences.partition_point(|h| h < head);
        let start = run * FENCE;
        let mut i = start
            + heads
                .get(start..heads.len().min(start + FENCE))
                .unwrap_or_default()
                .partition_point(|h| h < head);
        // Blocks from i on whose last key shares the head: compare their bytes.
        while heads.get(i) == Some(head) {
            let ge = self.index.get(i).is_some_and(|e| {
                cmp_after_head(self.index_key(e), key)
                    .then_with(|| seq.cmp(&e.seq))
                    .is_ge()
            });
            if ge {
                break;
            }
            i += 1;
        }
        i
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
        let block = Block::new(data.into())
            .ok_or_else(|| Error::corrupt(&self.path, Some(e.handle.offset), "malformed entry"))?;
        let block = Arc::new(block);
        let weight = block.mem_bytes();
        self.cache.insert(key, Arc::clone(&block), weight);
        Ok(block)
    }

    pub(crate) fn corrupt_block(&self, i: usize, why: &str) -> Error {
        let off = self.index.get(i).map(|e| e.handle.offset);
        Error::corrupt(&self.path, off, why)
    }

    /// Newest version of `key` with sequence `<= seq`; `head` and `hash` are
    /// `key_head(key)` and `hash64(key)`, computed once per read for all tables.
    pub(crate) fn get(
        &self,
        key: &[u8],
        head: &KeyHead,
        hash: u64,
        seq: u64,
    ) -> Result<Option<Found>> {
        if !self.filter.may_contain(key, hash) {
            return Ok(None);
        }
        let i = self.seek_block_with_head(key, head, seq);
        if i >= self.index.len() {
            return Ok(None);
        }
        let block = self.block(i)?;
        match block.seek(key, head, seq) {
            Some(e) if block.slice(e.key) == key => Ok(Some(Found {
                kind: e.kind,
                value: e.value,
                block,
            })),
            Some(_) => Ok(None),
            // The index promised an entry >= target in this block.
            None => Err(self.corrupt_block(i, "index key not found in its block")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SimVfs;
    use crate::sst::SstWriter;

    fn write_table(vfs: &Arc<dyn Vfs>, dir: &Path, n: u32) {
        vfs.create_dir_all(dir).expect("dir");
        let mut w = SstWriter::create(vfs, dir, 1, 256, false, 10).expect("create");
        for i in 0..n {
            let key = [&[0u8, 1][..], &i.to_be_bytes()[..]].concat();
            w.add(&key, u64::from(i) + 1, Kind::Put, &i.to_le_bytes())
                .expect("add");
        }
        w.finish().expect("finish");
    }

    #[test]
    fn point_reads_find_every_key_and_no_other() {
        let sim = Arc::new(SimVfs::new(7));
        let vfs: Arc<dyn Vfs> = sim;
        let dir = Path::new("/t");
        write_table(&vfs, dir, 2_000);
        let cache = Arc::new(BlockCache::new(1 << 20));
        let r = TableReader::open(&vfs, dir, 1, cache).expect("open");
        let find = |key: &[u8]| {
            r.get(key, &key_head(key), crate::util::hash64(key), u64::MAX)
                .expect("get")
                .map(|f| f.block.slice(f.value).to_vec())
        };
        for i in 0..2_000u32 {
            let key = [&[0u8, 1][..], &i.to_be_bytes()[..]].concat();
            assert_eq!(find(&key), Some(i.to_le_bytes().to_vec()), "key {i}");
        }
        assert_eq!(find(&[0, 1, 0, 0, 7, 208, 0]), None);
        assert_eq!(find(&[0, 2]), None);
    }

    /// Rewrites table 1's footer version (with a valid checksum), nothing else.
    fn set_version(sim: &SimVfs, path: &Path, version: u32) {
        let mut bytes = sim.read_file(path).expect("table");
        let footer = bytes.len() - FOOTER_LEN;
        let covered = footer + 3 * HANDLE_LEN;
        bytes[covered..covered + 4].copy_from_slice(&version.to_le_bytes());
        let crc = crc32c::crc32c(&bytes[footer..covered + 4]);
        bytes[covered + 4..covered + 8].copy_from_slice(&crc.to_le_bytes());
        assert!(sim.write_file(path, &bytes));
    }

    #[test]
    fn a_table_of_an_unknown_format_version_is_refused_by_name() {
        for version in [0, 3, 99] {
            let sim = Arc::new(SimVfs::new(7));
            let vfs: Arc<dyn Vfs> = Arc::clone(&sim) as Arc<dyn Vfs>;
            let dir = Path::new("/t");
            write_table(&vfs, dir, 100);
            let path = dir.join(crate::sst::file_name(1));
            set_version(&sim, &path, version);
            let cache = Arc::new(BlockCache::new(1 << 20));
            match TableReader::open(&vfs, dir, 1, cache) {
                Err(Error::UnsupportedVersion {
                    file,
                    found,
                    expected,
                }) => {
                    assert_eq!((file, found, expected), (path, version, 2));
                }
                Err(e) => panic!("unexpected error {e}"),
                Ok(_) => panic!("a version-{version} table was opened"),
            }
        }
    }

    /// The version-1 database written by the last version-1 build (d12303a); how it
    /// was made is in `tests/fixtures/README.md`.
    fn v1_fixture() -> (Arc<dyn Vfs>, PathBuf) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1_db");
        (Arc::new(crate::io::OsVfs), dir)
    }

    /// Every entry of a table, in order, through a table iterator.
    fn scan(r: &Arc<TableReader>) -> Vec<(Vec<u8>, u64, Kind, Vec<u8>)> {
        let mut it = super::super::TableIter::new(Arc::clone(r), &[], u64::MAX).expect("iter");
        let mut out = Vec::new();
        while let Some((k, seq, kind, v)) = it.peek() {
            out.push((k.to_vec(), seq, kind, v.to_vec()));
            it.advance().expect("advance");
        }
        out
    }

    #[test]
    fn version_1_tables_of_the_previous_release_are_read() {
        let (vfs, dir) = v1_fixture();
        let cache = Arc::new(BlockCache::new(1 << 20));
        // Table 1: puts of n0000..n0599 = "first-{i}" in one keyspace.
        let t1 = Arc::new(TableReader::open(&vfs, &dir, 1, Arc::clone(&cache)).expect("open 1"));
        assert!(matches!(t1.filter, TableFilter::V1(_)));
        let entries = scan(&t1);
        assert_eq!(entries.len(), 600);
        let ks = entries[0].0[..2].to_vec();
        let ikey = |name: &str| [&ks[..], name.as_bytes()].concat();
        for (i, (k, _, kind, v)) in entries.iter().enumerate() {
            assert_eq!(k, &ikey(&format!("n{i:04}")));
            assert_eq!(
                (kind, v.as_slice()),
                (&Kind::Put, format!("first-{i}").as_bytes())
            );
        }
        // Point reads go through the version-1 filter: the engine passes the
        // version-2 hash, which that filter must not use.
        let get = |r: &TableReader, key: &[u8]| {
            r.get(key, &key_head(key), crate::util::hash64(key), u64::MAX)
                .expect("get")
                .map(|f| (f.kind, f.block.slice(f.value).to_vec()))
        };
        for (k, _, kind, v) in &entries {
            assert_eq!(get(&t1, k), Some((*kind, v.clone())));
        }
        // The filter still filters: absent keys are mostly refused before any block.
        let absent = (600..10_600).map(|i| ikey(&format!("n{i:04}")));
        let passed = absent
            .filter(|k| {
                let by_hash = t1.filter.may_contain(k, crate::util::hash64(k));
                assert_eq!(by_hash, t1.may_contain(k), "the two filter paths disagree");
                by_hash
            })
            .count();
        assert!(
            passed < 500,
            "{passed} of 10000 absent keys passed the filter"
        );
        assert_eq!(get(&t1, &ikey("n0600")), None);

        // Table 2: "second-{i}" for i % 3 == 0, then deletes for i % 7 == 0 (i < 600).
        let t2 = Arc::new(TableReader::open(&vfs, &dir, 2, cache).expect("open 2"));
        let mut expect = Vec::new();
        for i in 0..600u32 {
            if i % 7 == 0 {
                expect.push((ikey(&format!("n{i:04}")), Kind::Delete, Vec::new()));
            } else if i % 3 == 0 {
                let v = format!("second-{i}").into_bytes();
                expect.push((ikey(&format!("n{i:04}")), Kind::Put, v));
            }
        }
        // The newest version of each key: deletes of i % 21 == 0 shadow their puts.
        let newest: Vec<_> = scan(&t2).into_iter().fold(
            Vec::<(Vec<u8>, Kind, Vec<u8>)>::new(),
            |mut acc, (k, _, kind, v)| {
                if acc.last().is_none_or(|last| last.0 != k) {
                    acc.push((k, kind, v));
                }
                acc
            },
        );
        assert_eq!(newest, expect);
        for (k, kind, v) in &expect {
            assert_eq!(get(&t2, k), Some((*kind, v.clone())));
        }
    }
}
