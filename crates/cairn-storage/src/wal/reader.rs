//! WAL recovery: replays the valid prefix of a WAL file.

use std::path::Path;
use std::sync::Arc;

use super::writer::{PAYLOAD_HEADER, RECORD_HEADER};
use crate::error::{Error, Result};
use crate::io::Vfs;
use crate::options::MAX_BATCH_BYTES;
use crate::util::Reader;

/// What replaying one WAL file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replay {
    /// Bytes of valid records.
    pub valid_len: u64,
    /// Bytes after the valid prefix (a torn or corrupt tail).
    pub dropped_bytes: u64,
    /// Why replay stopped early, if it did.
    pub reason: Option<String>,
    /// Highest sequence number replayed.
    pub last_seq: u64,
}

/// Calls `apply(first_seq, count, ops)` for each valid record of the WAL at `path`,
/// in order, stopping at the first invalid one. `apply` returns false to reject a
/// record whose operations do not decode (replay stops there too).
pub(crate) fn replay(
    vfs: &Arc<dyn Vfs>,
    path: &Path,
    min_seq: u64,
    mut apply: impl FnMut(u64, u32, &[u8]) -> bool,
) -> Result<Replay> {
    let file = vfs.open(path).map_err(|e| Error::io(path, e))?;
    let len = file.len().map_err(|e| Error::io(path, e))?;
    let len_usize = usize::try_from(len).map_err(|_| Error::corrupt(path, None, "WAL too big"))?;
    let mut bytes = vec![0u8; len_usize];
    file.read_exact_at(0, &mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let mut pos = 0usize;
    let mut last_seq = min_seq;
    let mut reason = None;
    while pos < bytes.len() {
        let mut r = Reader::new(&bytes[pos..]);
        let (Some(rec_len), Some(crc)) = (r.u32(), r.u32()) else {
            reason = Some(format!("torn record header at offset {pos}"));
            break;
        };
        let rec_len = rec_len as usize;
        if !(PAYLOAD_HEADER..=MAX_BATCH_BYTES + PAYLOAD_HEADER).contains(&rec_len) {
            reason = Some(format!("bad record length {rec_len} at offset {pos}"));
            break;
        }
        let Some(payload) = r.bytes(rec_len) else {
            reason = Some(format!("torn record at offset {pos}"));
            break;
        };
        let actual =
            crc32c::crc32c_append(crc32c::crc32c(&(rec_len as u32).to_le_bytes()), payload);
        if actual != crc {
            reason = Some(format!("checksum mismatch at offset {pos}"));
            break;
        }
        let mut p = Reader::new(payload);
        let (Some(first_seq), Some(count)) = (p.u64(), p.u32()) else {
            reason = Some(format!("short payload at offset {pos}"));
            break;
        };
        if first_seq <= last_seq || count == 0 {
            reason = Some(format!("out-of-order sequence number at offset {pos}"));
            break;
        }
        let ops = payload.get(PAYLOAD_HEADER..).unwrap_or_default();
        if !apply(first_seq, count, ops) {
            reason = Some(format!("undecodable batch at offset {pos}"));
            break;
        }
        last_seq = first_seq + u64::from(count) - 1;
        pos += RECORD_HEADER + rec_len;
    }
    Ok(Replay {
        valid_len: pos as u64,
        dropped_bytes: (bytes.len() - pos) as u64,
        reason,
        last_seq,
    })
}
