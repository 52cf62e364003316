//! Manifest file.
//!
//! # Format (version 1)
//!
//! One file, `MANIFEST`, rewritten whole on every change:
//!
//! ```text
//! magic: u64 ("CAIRNMAN") | format_version: u32 | payload_len: u32 | crc32c(payload): u32 | payload
//! payload = next_table_id: u64 | log_number: u64 | last_seq: u64
//!         | keyspace_count: u32 | keyspace_count x (id: u16 | name_len: u32 | name)
//!         | table_count: u32 | table_count x table
//! table   = id: u64 | file_size: u64 | entries: u64 | tombstones: u64 | min_seq: u64
//!         | max_seq: u64 | min_key_len: u32 | min_key | max_key_len: u32 | max_key
//! ```
//!
//! Little-endian. Tables are listed newest first; their sequence ranges do not overlap.
//! `log_number` is the oldest WAL still needed: older WAL files are fully flushed.
//! `last_seq` is the highest sequence number in any table.
//!
//! Commit path: write `MANIFEST.tmp`, fsync it, rename it over `MANIFEST`, fsync the
//! directory. A crash before the rename leaves the old manifest (the tmp file is
//! ignored and removed); after it, the new one. Files named by neither are deleted
//! at open.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::io::Vfs;
use crate::options::{MAX_KEYSPACES, MAX_KEY_LEN};
use crate::sst::TableInfo;
use crate::util::{put_len_bytes, Reader};

pub(crate) const FILE_NAME: &str = "MANIFEST";
const TMP_NAME: &str = "MANIFEST.tmp";
const MAGIC: u64 = u64::from_le_bytes(*b"CAIRNMAN");
const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 4 + 4;
/// Largest manifest accepted (guards the allocation before the checksum is known).
const MAX_PAYLOAD: usize = 256 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ManifestData {
    pub next_table_id: u64,
    pub log_number: u64,
    pub last_seq: u64,
    pub keyspaces: Vec<(u16, String)>,
    pub tables: Vec<TableInfo>,
}

fn encode(m: &ManifestData) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&m.next_table_id.to_le_bytes());
    p.extend_from_slice(&m.log_number.to_le_bytes());
    p.extend_from_slice(&m.last_seq.to_le_bytes());
    p.extend_from_slice(&(m.keyspaces.len() as u32).to_le_bytes());
    for (id, name) in &m.keyspaces {
        p.extend_from_slice(&id.to_le_bytes());
        put_len_bytes(&mut p, name.as_bytes());
    }
    p.extend_from_slice(&(m.tables.len() as u32).to_le_bytes());
    for t in &m.tables {
        for n in [
            t.id,
            t.file_size,
            t.entries,
            t.tombstones,
            t.min_seq,
            t.max_seq,
        ] {
            p.extend_from_slice(&n.to_le_bytes());
        }
        put_len_bytes(&mut p, &t.min_key);
        put_len_bytes(&mut p, &t.max_key);
    }
    let mut out = Vec::with_capacity(HEADER_LEN + p.len());
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(&p).to_le_bytes());
    out.extend_from_slice(&p);
    out
}

fn decode_payload(p: &[u8]) -> Option<ManifestData> {
    let mut r = Reader::new(p);
    let mut m = ManifestData {
        next_table_id: r.u64()?,
        log_number: r.u64()?,
        last_seq: r.u64()?,
        ..ManifestData::default()
    };
    let nks = r.u32()? as usize;
    if nks > MAX_KEYSPACES {
        return None;
    }
    for _ in 0..nks {
        let id = r.u16()?;
        let name = std::str::from_utf8(r.len_bytes(4096)?).ok()?;
        m.keyspaces.push((id, name.to_owned()));
    }
    let ntables = r.u32()? as usize;
    if ntables > p.len() / 56 {
        return None;
    }
    for _ in 0..ntables {
        m.tables.push(TableInfo {
            id: r.u64()?,
            file_size: r.u64()?,
            entries: r.u64()?,
            tombstones: r.u64()?,
            min_seq: r.u64()?,
            max_seq: r.u64()?,
            min_key: r.len_bytes(MAX_KEY_LEN + 2)?.to_vec(),
            max_key: r.len_bytes(MAX_KEY_LEN + 2)?.to_vec(),
        });
    }
    if !r.is_empty() {
        return None;
    }
    Some(m)
}

/// Atomically replaces the manifest in `dir`.
pub(crate) fn write(vfs: &Arc<dyn Vfs>, dir: &Path, m: &ManifestData) -> Result<()> {
    let tmp = dir.join(TMP_NAME);
    let path = dir.join(FILE_NAME);
    let mut f = vfs.create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.append(&encode(m)).map_err(|e| Error::io(&tmp, e))?;
    f.sync().map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    vfs.rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    // IMPORTANT: the rename is durable only after the directory sync.
    vfs.sync_dir(dir).map_err(|e| Error::io(dir, e))
}

/// Reads the manifest in `dir`; `Ok(None)` when there is none (a new database).
pub(crate) fn read(vfs: &Arc<dyn Vfs>, dir: &Path) -> Result<Option<ManifestData>> {
    let path = dir.join(FILE_NAME);
    if !vfs.exists(&path).map_err(|e| Error::io(&path, e))? {
        return Ok(None);
    }
    let f = vfs.open(&path).map_err(|e| Error::io(&path, e))?;
    let len = f.len().map_err(|e| Error::io(&path, e))? as usize;
    if !(HEADER_LEN..=HEADER_LEN + MAX_PAYLOAD).contains(&len) {
        return Err(Error::corrupt(
            &path,
            Some(0),
            format!("manifest of {len} bytes"),
        ));
    }
    let mut bytes = vec![0u8; len];
    f.read_exact_at(0, &mut bytes)
        .map_err(|e| Error::io(&path, e))?;
    let mut r = Reader::new(&bytes);
    let (magic, version, plen, crc) = (
        r.u64().unwrap_or(0),
        r.u32().unwrap_or(0),
        r.u32().unwrap_or(0) as usize,
        r.u32().unwrap_or(0),
    );
    if magic != MAGIC {
        return Err(Error::corrupt(&path, Some(0), "bad manifest magic"));
    }
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            file: path,
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let payload = bytes.get(HEADER_LEN..).unwrap_or_default();
    if payload.len() != plen || crc32c::crc32c(payload) != crc {
        return Err(Error::corrupt(&path, Some(0), "manifest checksum mismatch"));
    }
    decode_payload(payload)
        .map(Some)
        .ok_or_else(|| Error::corrupt(&path, Some(HEADER_LEN as u64), "malformed manifest"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SimVfs;

    #[test]
    fn manifest_roundtrip_and_every_flip_detected() -> Result<()> {
        let sim = SimVfs::new(3);
        let vfs: Arc<dyn Vfs> = Arc::new(sim.clone());
        let dir = Path::new("/m");
        let m = ManifestData {
            next_table_id: 9,
            log_number: 4,
            last_seq: 77,
            keyspaces: vec![(1, "blocks".into())],
            tables: vec![TableInfo {
                id: 8,
                file_size: 100,
                entries: 3,
                tombstones: 1,
                min_seq: 5,
                max_seq: 7,
                min_key: b"a".to_vec(),
                max_key: b"z".to_vec(),
            }],
        };
        write(&vfs, dir, &m)?;
        assert_eq!(read(&vfs, dir)?, Some(m));
        let path = dir.join(FILE_NAME);
        let good = sim.read_file(&path).unwrap_or_default();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x04;
            sim.write_file(&path, &bad);
            let err = read(&vfs, dir).expect_err("flip must be detected");
            assert!(
                matches!(err, Error::Corruption(_) | Error::UnsupportedVersion { .. }),
                "{err}"
            );
        }
        Ok(())
    }
}
