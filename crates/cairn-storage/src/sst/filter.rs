//! Blocked bloom filter over key hashes: each key sets `k` bits inside one 64-byte
//! block (one cache line), so a lookup reads one line and divides nothing. About 1%
//! false positives at 10 bits per key.
//!
//! Payload (SSTable format version 2): `k: u8 | nblocks × 64 bytes`. For a key hash
//! `h` (`hash64` of the internal key), the block is `(h × nblocks) >> 64` (128-bit
//! product), and with `g = mix(h)` the bits are `(g >> 9i) & 511` for `i < k`
//! (`k <= 7`), bit `b` of a block being bit `b % 8` of its byte `b / 8`.
//!
//! Version 1 tables (unblocked double hashing over another hash) are still read:
//! [`TableFilter`] is chosen once per table at open from the footer's version, so a
//! version-2 lookup pays only a predictable branch (see `filter_v1.rs`).

use super::filter_v1::BloomV1;

/// Bytes per filter block: one cache line.
const BLOCK: usize = 64;
/// Most probes per key: 7 × 9 bits of one 64-bit word.
const MAX_K: u8 = 7;

/// The block of a key hash among `nblocks`.
fn block_of(h: u64, nblocks: usize) -> usize {
    ((u128::from(h) * nblocks as u128) >> 64) as usize
}

/// A second, independent-looking word for the in-block bits (the block choice uses
/// the high bits of `h`).
fn mix(h: u64) -> u64 {
    let g = (h ^ (h >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    g ^ (g >> 29)
}

pub(crate) struct BloomBuilder;

impl BloomBuilder {
    /// Serialises a filter over `hashes`.
    pub(crate) fn build(hashes: &[u64], bits_per_key: usize) -> Vec<u8> {
        let nblocks = (hashes.len() * bits_per_key).div_ceil(BLOCK * 8).max(1);
        // k = bits_per_key * ln 2, the count that minimises false positives.
        let k = ((bits_per_key as f64 * 0.69) as u8).clamp(1, MAX_K);
        let mut out = vec![0u8; 1 + nblocks * BLOCK];
        out[0] = k;
        for &h in hashes {
            let base = 1 + block_of(h, nblocks) * BLOCK;
            let g = mix(h);
            for i in 0..u32::from(k) {
                let bit = ((g >> (9 * i)) & 511) as usize;
                out[base + bit / 8] |= 1 << (bit % 8);
            }
        }
        out
    }
}

/// A loaded filter.
#[derive(Debug)]
pub(crate) struct Bloom {
    k: u8,
    bits: Box<[u8]>,
    nblocks: usize,
}

impl Bloom {
    /// Parses a filter payload; `None` when malformed.
    pub(crate) fn decode(payload: &[u8]) -> Option<Bloom> {
        let (&k, bits) = payload.split_first()?;
        if k == 0 || k > MAX_K || bits.is_empty() || bits.len() % BLOCK != 0 {
            return None;
        }
        Some(Bloom {
            k,
            nblocks: bits.len() / BLOCK,
            bits: bits.into(),
        })
    }

    /// Whether `key` may be in the set.
    pub(crate) fn may_contain(&self, key: &[u8]) -> bool {
        self.may_contain_hash(crate::util::hash64(key))
    }

    /// Whether a key with `hash64(key) == h` may be in the set.
    pub(crate) fn may_contain_hash(&self, h: u64) -> bool {
        let base = block_of(h, self.nblocks) * BLOCK;
        let Some(block) = self.bits.get(base..base + BLOCK) else {
            return false;
        };
        let g = mix(h);
        (0..u32::from(self.k)).all(|i| {
            let bit = ((g >> (9 * i)) & 511) as usize;
            block[bit / 8] & (1 << (bit % 8)) != 0
        })
    }

    pub(crate) fn mem_bytes(&self) -> usize {
        self.bits.len()
    }
}

/// A table's filter, in the encoding of the table's format version.
#[derive(Debug)]
pub(crate) enum TableFilter {
    /// Version 2: blocked, probed with `util::hash64`.
    Blocked(Bloom),
    /// Version 1: unblocked, probed with its own hash of the key.
    V1(BloomV1),
}

impl TableFilter {
    /// Parses the filter payload of a table of format `version`; `None` when malformed
    /// or the version has no filter encoding.
    pub(crate) fn decode(version: u32, payload: &[u8]) -> Option<TableFilter> {
        match version {
            1 => BloomV1::decode(payload).map(TableFilter::V1),
            2 => Bloom::decode(payload).map(TableFilter::Blocked),
            _ => None,
        }
    }

    /// Whether `key` may be in the set; `hash` is `hash64(key)`, which only version 2
    /// uses (version 1 hashes `key` its own way).
    #[inline]
    pub(crate) fn may_contain(&self, key: &[u8], hash: u64) -> bool {
        match self {
            TableFilter::Blocked(b) => b.may_contain_hash(hash),
            TableFilter::V1(b) => b.may_contain(key),
        }
    }

    /// Whether `key` may be in the set, hashing it as the version needs.
    pub(crate) fn may_contain_key(&self, key: &[u8]) -> bool {
        match self {
            TableFilter::Blocked(b) => b.may_contain(key),
            TableFilter::V1(b) => b.may_contain(key),
        }
    }

    pub(crate) fn mem_bytes(&self) -> usize {
        match self {
            TableFilter::Blocked(b) => b.mem_bytes(),
            TableFilter::V1(b) => b.mem_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hash64;

    #[test]
    fn no_false_negatives_and_about_one_percent_false_positives() {
        let keys: Vec<Vec<u8>> = (0..10_000u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let hashes: Vec<u64> = keys.iter().map(|k| hash64(k)).collect();
        let bloom = Bloom::decode(&BloomBuilder::build(&hashes, 10)).expect("valid filter");
        assert!(keys.iter().all(|k| bloom.may_contain(k)));
        let fp = (10_000..110_000u32)
            .filter(|i| bloom.may_contain(&i.to_le_bytes()))
            .count();
        assert!(fp < 2_000, "false positive rate {}%", fp as f64 / 1000.0);
    }

    #[test]
    fn malformed_payloads_are_refused() {
        assert!(Bloom::decode(&[]).is_none());
        assert!(Bloom::decode(&[3]).is_none());
        assert!(Bloom::decode(&[0; 65]).is_none());
        assert!(Bloom::decode(&[8; 65]).is_none());
        assert!(Bloom::decode(&[3; 64]).is_none());
        assert!(Bloom::decode(&[3; 65]).is_some());
    }
}
