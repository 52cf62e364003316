//! Hashing of values for hash joins and hash aggregation: a multiply-rotate hasher
//! with a 64-bit finaliser, much cheaper than SipHash on the short keys queries group
//! and join on.

use crate::value::{hash_value, Value};
use std::hash::Hasher;

const K: u64 = 0x517c_c1b7_2722_0a95;

#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The murmur3 finaliser: every input bit reaches the low bits tables index by.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The hash of a key of one or more values, consistent with `total_cmp` equality (and
/// so with PartiQL `=` on values that are not absent).
#[inline]
pub(crate) fn hash_key(vals: &[Value<'_>]) -> u64 {
    let mut h = FastHasher::default();
    for v in vals {
        match v {
            // The common case, inline: an integer hashes as `hash_value` does.
            Value::Int(i) => {
                h.write_u8(3);
                let f = *i as f64;
                h.write_u64(if f == 0.0 { 0 } else { f.to_bits() });
            }
            other => hash_value(other, &mut h),
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn equal_numbers_hash_alike() {
        let one = [Value::Int(1)];
        assert_eq!(hash_key(&one), hash_key(&[Value::Float(1.0)]));
        assert_eq!(
            hash_key(&one),
            hash_key(&[Value::Decimal(Decimal::from(1))])
        );
        assert_eq!(hash_key(&[Value::Int(0)]), hash_key(&[Value::Float(-0.0)]));
        let big = (1i64 << 60) + 1;
        assert_eq!(
            hash_key(&[Value::Int(big)]),
            hash_key(&[Value::Float(big as f64)])
        );
        assert_ne!(hash_key(&one), hash_key(&[Value::Int(2)]));
        assert_ne!(hash_key(&one), hash_key(&[Value::Str("1")]));
        assert_ne!(
            hash_key(&[Value::Str("ab"), Value::Str("c")]),
            hash_key(&[Value::Str("a"), Value::Str("bc")])
        );
    }
}
