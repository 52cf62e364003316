//! Bloom filter over key hashes (double hashing; about 1% false positives at
//! 10 bits per key). Payload: `k: u8 | bit array`.

use crate::util::hash64;

pub(crate) struct BloomBuilder;

impl BloomBuilder {
    /// Serialises a filter over `hashes`.
    pub(crate) fn build(hashes: &[u64], bits_per_key: usize) -> Vec<u8> {
        let bits = (hashes.len() * bits_per_key).max(64);
        let bytes = bits.div_ceil(8);
        let bits = bytes * 8;
        // k = bits_per_key * ln 2, the count that minimises false positives.
        let k = ((bits_per_key as f64 * 0.69) as u8).clamp(1, 30);
        let mut out = vec![0u8; 1 + bytes];
        out[0] = k;
        for &h in hashes {
            let (mut a, b) = (h, h.rotate_left(32) | 1);
            for _ in 0..k {
                let bit = (a % bits as u64) as usize;
                out[1 + bit / 8] |= 1 << (bit % 8);
                a = a.wrapping_add(b);
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
}

impl Bloom {
    /// Parses a filter payload; `None` when malformed.
    pub(crate) fn decode(payload: &[u8]) -> Option<Bloom> {
        let (&k, bits) = payload.split_first()?;
        if k == 0 || k > 30 || bits.is_empty() {
            return None;
        }
        Some(Bloom {
            k,
            bits: bits.into(),
        })
    }

    pub(crate) fn may_contain(&self, key: &[u8]) -> bool {
        let h = hash64(key);
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
        self.bits.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
