//! Block framing (trailer with compression byte and crc32c) and data-block entries.

use crate::batch::Kind;
use crate::util::{cmp_after_head, key_head, KeyHead, Reader, HEAD_BYTES};

/// Bytes after every block's payload: compression `u8` + crc32c `u32`.
pub(crate) const TRAILER: usize = 1 + 4;
/// Bytes of a data-block entry header: key_len u32, value_len u32, seq u64, kind u8.
pub(crate) const ENTRY_HEADER: usize = 4 + 4 + 8 + 1;
/// Largest decompressed block accepted from disk (a block holds at least one value of
/// up to `MAX_VALUE_LEN` bytes).
pub(crate) const MAX_BLOCK_BYTES: usize = 32 << 20;

pub(crate) const COMPRESSION_NONE: u8 = 0;
pub(crate) const COMPRESSION_LZ4: u8 = 1;

/// A decoded (checksum-verified, decompressed) data block.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) data: Box<[u8]>,
    /// Start of every entry, found once when the block is loaded so a point read
    /// binary-searches the entries instead of walking them.
    offsets: Box<[u32]>,
    /// Head of every entry's key (see [`KeyHead`]): the search compares these, dense
    /// in one array, and reads entry bytes only on ties.
    heads: Box<[KeyHead]>,
}

/// Position of one entry inside a block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryPos {
    pub key: (usize, usize),
    pub seq: u64,
    pub kind: Kind,
    pub value: (usize, usize),
    pub next: usize,
}

impl Block {
    /// Checks that `data` is a sequence of well-formed entries and indexes them;
    /// `None` when it is not.
    pub(crate) fn new(data: Box<[u8]>) -> Option<Block> {
        let mut block = Block {
            data,
            offsets: Box::default(),
            heads: Box::default(),
        };
        // Block sizes are bounded by MAX_BLOCK_BYTES, so offsets fit in u32.
        if block.data.len() > u32::MAX as usize {
            return None;
        }
        let mut offsets = Vec::new();
        let mut heads = Vec::new();
        let mut pos = 0;
        while pos < block.data.len() {
            let e = block.entry_at(pos)?;
            offsets.push(pos as u32);
            heads.push(key_head(block.slice(e.key)));
            pos = e.next;
        }
        block.offsets = offsets.into();
        block.heads = heads.into();
        Some(block)
    }

    /// Memory held, for the block cache's accounting.
    pub(crate) fn mem_bytes(&self) -> usize {
        self.data.len() + self.offsets.len() * 4 + self.heads.len() * HEAD_BYTES + 64
    }

    /// The first entry `>=` (key, seq) in internal order (`None` past the last entry);
    /// `head` is `key_head(key)`.
    pub(crate) fn seek(&self, key: &[u8], head: &KeyHead, seq: u64) -> Option<EntryPos> {
        let mut i = self.heads.partition_point(|h| h < head);
        loop {
            let e = self.entry_at(*self.offsets.get(i)? as usize)?;
            // Entries sharing the key's head: compare their bytes.
            if self.heads.get(i) != Some(head)
                || cmp_after_head(self.slice(e.key), key)
                    .then_with(|| seq.cmp(&e.seq))
                    .is_ge()
            {
                return Some(e);
            }
            i += 1;
        }
    }

    /// Decodes the entry starting at `pos`; `None` when the bytes are malformed.
    pub(crate) fn entry_at(&self, pos: usize) -> Option<EntryPos> {
        let mut r = Reader::new(self.data.get(pos..)?);
        let klen = r.u32()? as usize;
        let vlen = r.u32()? as usize;
        let seq = r.u64()?;
        let kind = Kind::from_u8(r.u8()?)?;
        let kstart = pos + ENTRY_HEADER;
        let vstart = kstart.checked_add(klen)?;
        let next = vstart.checked_add(vlen)?;
        if next > self.data.len() {
            return None;
        }
        Some(EntryPos {
            key: (kstart, vstart),
            seq,
            kind,
            value: (vstart, next),
            next,
        })
    }

    pub(crate) fn slice(&self, r: (usize, usize)) -> &[u8] {
        self.data.get(r.0..r.1).unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }
}

/// Appends one entry to a data block being built.
pub(crate) fn put_entry(out: &mut Vec<u8>, key: &[u8], seq: u64, kind: Kind, value: &[u8]) {
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(key);
    out.extend_from_slice(value);
}

/// Frames `payload` (compressing it when asked and worthwhile) into `out`.
pub(crate) fn frame(out: &mut Vec<u8>, payload: &[u8], lz4: bool) {
    let start = out.len();
    let mut compression = COMPRESSION_NONE;
    if lz4 {
        let packed = lz4_flex::block::compress_prepend_size(payload);
        if packed.len() < payload.len() {
            out.extend_from_slice(&packed);
            compression = COMPRESSION_LZ4;
        }
    }
    if compression == COMPRESSION_NONE {
        out.extend_from_slice(payload);
    }
    out.push(compression);
    let crc = crc32c::crc32c(&out[start..]);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Checks a framed block and returns its decoded payload, or why it is bad.
pub(crate) fn unframe(raw: &[u8]) -> Result<Vec<u8>, String> {
    if raw.len() < TRAILER {
        return Err("block shorter than its trailer".into());
    }
    let body_len = raw.len() - 4;
    let (body, crc_bytes) = raw.split_at(body_len);
    let mut w = [0u8; 4];
    w.copy_from_slice(crc_bytes);
    let expected = u32::from_le_bytes(w);
    let actual = crc32c::crc32c(body);
    if expected != actual {
        return Err(format!(
            "block checksum mismatch (stored {expected:#010x}, computed {actual:#010x})"
        ));
    }
    let (payload, comp) = body.split_at(body.len() - 1);
    match comp.first().copied() {
        Some(COMPRESSION_NONE) => Ok(payload.to_vec()),
        Some(COMPRESSION_LZ4) => {
            let mut r = Reader::new(payload);
            let size = r.u32().ok_or("lz4 block without size")? as usize;
            if size > MAX_BLOCK_BYTES {
                return Err(format!("lz4 block claims {size} bytes"));
            }
            let out = lz4_flex::block::decompress_size_prepended(payload)
                .map_err(|e| format!("lz4: {e}"))?;
            if out.len() != size {
                return Err("lz4 block decompressed to the wrong size".into());
            }
            Ok(out)
        }
        Some(other) => Err(format!("unknown compression {other}")),
        None => Err("missing compression byte".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_roundtrip_and_detects_any_flip() {
        for lz4 in [false, true] {
            let mut payload = Vec::new();
            for i in 0..20u32 {
                put_entry(
                    &mut payload,
                    &i.to_be_bytes(),
                    7,
                    Kind::Put,
                    b"vvvvvvvvvvvv",
                );
            }
            let mut framed = Vec::new();
            frame(&mut framed, &payload, lz4);
            assert_eq!(unframe(&framed).as_deref(), Ok(&payload[..]));
            for i in 0..framed.len() {
                let mut bad = framed.clone();
                bad[i] ^= 0x10;
                assert!(unframe(&bad).is_err(), "flip at {i} (lz4={lz4}) undetected");
            }
        }
    }
}
