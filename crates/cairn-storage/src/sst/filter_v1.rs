//! The bloom filter of SSTable format version 1, kept so tables written by earlier
//! releases stay readable (compaction rewrites them as version 2). Read-only: this
//! build never writes it.
//!
//! Payload: `k: u8 | bit array` (`nbits` = 8 × its length). For a key hash `h`
//! ([`hash64_v1`] of the internal key), probe `i < k` tests bit
//! `(h + i × (rotl(h, 32) | 1)) % nbits` (wrapping adds), bit `b` being bit `b % 8` of
//! byte `b / 8`.

/// Most probes per key version 1 accepted.
const MAX_K: u8 = 30;

/// The key hash of version-1 filters: one lane over 8-byte words. Version 2's
/// `util::hash64` differs, so a version-1 filter hashes the key itself.
pub(crate) fn hash64_v1(bytes: &[u8]) -> u64 {
    const M: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0x243F_6A88_85A3_08D3 ^ (bytes.len() as u64).wrapping_mul(M);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(M);
        h ^= h >> 29;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        // Unlike full words, the last partial word is not folded (as version 1 did).
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(M);
    }
    h ^= h >> 32;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

/// A parsed version-1 filter.
#[derive(Debug)]
pub(crate) struct BloomV1 {
    k: u8,
    bits: Box<[u8]>,
}

impl BloomV1 {
    /// Parses a filter payload; `None` when malformed.
    pub(crate) fn decode(payload: &[u8]) -> Option<BloomV1> {
        let (&k, bits) = payload.split_first()?;
        if k == 0 || k > MAX_K || bits.is_empty() {
            return None;
        }
        Some(BloomV1 {
            k,
            bits: bits.into(),
        })
    }

    /// Whether `key` may be in the set.
    pub(crate) fn may_contain(&self, key: &[u8]) -> bool {
        let h = hash64_v1(key);
        let nbits = (self.bits.len() * 8) as u64;
        let (mut a, b) = (h, h.rotate_left(32) | 1);
        for _ in 0..self.k {
            let bit = (a % nbits) as usize;
            match self.bits.get(bit / 8) {
                Some(byte) if byte & (1 << (bit % 8)) != 0 => {}
                _ => return false,
            }
            a = a.wrapping_add(b);
        }
        true
    }

    pub(crate) fn mem_bytes(&self) -> usize {
        self.bits.len() + 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_refused() {
        assert!(BloomV1::decode(&[]).is_none());
        assert!(BloomV1::decode(&[3]).is_none());
        assert!(BloomV1::decode(&[0, 1]).is_none());
        assert!(BloomV1::decode(&[31, 1]).is_none());
        assert!(BloomV1::decode(&[30, 1]).is_some());
    }

    #[test]
    fn hash_is_version_ones() {
        // Values computed by version 1's `util::hash64` (commit d12303a), so a change
        // here is caught even without the fixture tables.
        let expect: [(&[u8], u64); 4] = [
            (b"", 0xA2A2_5D13_2E18_9272),
            (b"\x00\x01n0000", 0x1362_8327_4CAF_833A),
            (b"12345678", 0x0C02_7F38_DC01_CDB0),
            (b"0123456789abcdefXYZ", 0x152E_488B_1090_4120),
        ];
        for (input, h) in expect {
            assert_eq!(hash64_v1(input), h, "{input:?}");
        }
    }
}
