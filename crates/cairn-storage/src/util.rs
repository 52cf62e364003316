//! Small shared helpers: a seeded RNG, a key hash, little-endian decoding.

/// SplitMix64: a tiny deterministic generator for fault injection.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 64-bit hash of a key for bloom filters (stable within a table format version: it
/// is persisted in the filters). Two independent lanes over 16-byte chunks, so the
/// dependency chain is half as long as one lane's: a point read hashes its key once.
pub(crate) fn hash64(bytes: &[u8]) -> u64 {
    const M: u64 = 0x9E37_79B9_7F4A_7C15;
    const M2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    fn word(b: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    }
    let mut a: u64 = 0x243F_6A88_85A3_08D3 ^ (bytes.len() as u64).wrapping_mul(M);
    let mut b: u64 = 0x1319_8A2E_0370_7344;
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        let (lo, hi) = c.split_at(8);
        a = (a ^ word(lo)).wrapping_mul(M);
        a ^= a >> 29;
        b = (b ^ word(hi)).wrapping_mul(M2);
        b ^= b >> 29;
    }
    // 0..=15 bytes left: up to 8 into each lane, zero-padded (the length is in `a`).
    let rest = chunks.remainder();
    let (lo, hi) = rest.split_at(rest.len().min(8));
    if !lo.is_empty() {
        a = (a ^ word(lo)).wrapping_mul(M);
        a ^= a >> 29;
    }
    if !hi.is_empty() {
        b = (b ^ word(hi)).wrapping_mul(M2);
        b ^= b >> 29;
    }
    let mut h = a ^ b.rotate_left(31);
    h ^= h >> 32;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

/// 64-bit hash of `bytes` under `seed`, for in-memory tables only (the row cache): never persisted,
/// so free to change. Folded 64x64->128-bit multiplies over three independent lanes
/// of 16 bytes: a 100-byte key takes two rounds plus its tail, about half the
/// dependent steps of [`hash64`], whose lane-per-8-bytes shape is fixed by the table
/// format.
pub(crate) fn fast_hash(seed: u64, bytes: &[u8]) -> u64 {
    const P: [u64; 4] = [
        0xa076_1d64_78bd_642f,
        0xe703_7ed1_a0b4_28db,
        0x8ebc_6af0_9c88_c6e3,
        0x5899_65cc_7537_4cc3,
    ];
    fn fold(a: u64, b: u64) -> u64 {
        let r = u128::from(a) * u128::from(b);
        (r as u64) ^ ((r >> 64) as u64)
    }
    /// The little-endian word at `b[i..i + 8]` (the caller checks the bounds).
    fn w64(b: &[u8], i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(w)
    }
    fn w32(b: &[u8], i: usize) -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[i..i + 4]);
        u64::from(u32::from_le_bytes(w))
    }
    /// Folds 16 bytes at `b[i..]` into `s`.
    fn pair(s: u64, b: &[u8], i: usize, p: u64) -> u64 {
        fold(w64(b, i) ^ p, w64(b, i + 8) ^ s)
    }
    let len = bytes.len() as u64;
    // The seed goes through a multiply first: xored in plainly, it would cancel against
    // the data words xored into the same lane.
    let mut s = [P[0] ^ len.wrapping_mul(P[1]), fold(seed ^ P[1], P[3]), P[2]];
    let mut chunks = bytes.chunks_exact(48);
    for c in &mut chunks {
        s[0] = pair(s[0], c, 0, P[1]);
        s[1] = pair(s[1], c, 16, P[2]);
        s[2] = pair(s[2], c, 32, P[3]);
    }
    let mut h = s[0] ^ s[1].rotate_left(21) ^ s[2].rotate_left(42);
    let mut pairs = chunks.remainder().chunks_exact(16);
    for c in &mut pairs {
        h = pair(h, c, 0, P[1]);
    }
    // 0..=15 bytes left: two words read with overlapping fixed-size loads instead of a
    // zero-padded copy (the length, mixed in above, tells the cases apart).
    let r = pairs.remainder();
    let n = r.len();
    let (a, b) = if n >= 8 {
        (w64(r, 0), w64(r, n - 8))
    } else if n >= 4 {
        (w32(r, 0), w32(r, n - 4))
    } else if n > 0 {
        let (x, y, z) = (r[0], r[n / 2], r[n - 1]);
        ((u64::from(x) << 16) | (u64::from(y) << 8) | u64::from(z), 0)
    } else {
        (0, 0)
    };
    h = fold(a ^ P[1], b ^ h);
    fold(h ^ P[3], len ^ P[0])
}

/// Key bytes summarised in a [`KeyHead`].
pub(crate) const HEAD_BYTES: usize = 24;

/// The first `HEAD_BYTES` bytes of a key, zero-padded, as big-endian integers.
///
/// Ordered structures keep it beside each key so most comparisons are integer
/// compares on memory they already touch, not a pointer chase to the key bytes. If
/// `head(a) < head(b)` then `a < b` (a key padded with zeros can only tie with or sort
/// before a key it is a prefix of), so only equal heads need [`cmp_after_head`].
/// 24 bytes cover the keyspace prefix, a 16-byte id and the start of what follows it,
/// the shape of the graph's keys (a block id; source id, kind, target id for edges).
pub(crate) type KeyHead = [u64; 3];

pub(crate) fn key_head(key: &[u8]) -> KeyHead {
    let mut w = [0u8; HEAD_BYTES];
    let n = key.len().min(HEAD_BYTES);
    w[..n].copy_from_slice(&key[..n]);
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&w[i * 8..i * 8 + 8]);
        u64::from_be_bytes(b)
    };
    [word(0), word(1), word(2)]
}

/// Orders two keys whose heads are equal.
pub(crate) fn cmp_after_head(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // Equal heads: the first HEAD_BYTES bytes (or the whole shorter key) are equal.
    match (a.get(HEAD_BYTES..), b.get(HEAD_BYTES..)) {
        (Some(ra), Some(rb)) => ra.cmp(rb),
        _ => a.cmp(b),
    }
}

/// A bounds-checked little-endian reader over a byte slice.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.bytes(1).and_then(|b| b.first().copied())
    }
    pub(crate) fn u16(&mut self) -> Option<u16> {
        let b = self.bytes(2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        let b = self.bytes(4)?;
        let mut w = [0u8; 4];
        w.copy_from_slice(b);
        Some(u32::from_le_bytes(w))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let b = self.bytes(8)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        Some(u64::from_le_bytes(w))
    }
    /// A `u32` length followed by that many bytes, at most `max`.
    pub(crate) fn len_bytes(&mut self, max: usize) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        if n > max {
            return None;
        }
        self.bytes(n)
    }
}

pub(crate) fn put_len_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_separates_lengths_lanes_and_bytes() {
        let mut seen = std::collections::HashSet::new();
        let mut inputs: Vec<Vec<u8>> = (0..40).map(|n| vec![0u8; n]).collect();
        for n in [1usize, 7, 8, 9, 15, 16, 17, 31, 33, 100] {
            for i in 0..n {
                let mut v = vec![0u8; n];
                v[i] = 1;
                inputs.push(v);
            }
        }
        for v in &inputs {
            assert!(seen.insert(hash64(v)), "collision on {v:?}");
        }
        // Single-bit input changes flip about half the output bits.
        let base = hash64(&[7u8; 100]);
        for i in 0..100 {
            let mut v = vec![7u8; 100];
            v[i] ^= 4;
            let flipped = (hash64(&v) ^ base).count_ones();
            assert!((12..=52).contains(&flipped), "byte {i}: {flipped} bits");
        }
    }

    #[test]
    fn fast_hash_separates_lengths_lanes_and_bytes() {
        let mut seen = std::collections::HashSet::new();
        let mut inputs: Vec<Vec<u8>> = (0..120).map(|n| vec![0u8; n]).collect();
        for n in [1usize, 7, 8, 9, 15, 16, 17, 31, 33, 47, 48, 49, 100] {
            for i in 0..n {
                let mut v = vec![0u8; n];
                v[i] = 1;
                inputs.push(v);
            }
        }
        for v in &inputs {
            assert!(seen.insert(fast_hash(0, v)), "collision on {v:?}");
            assert!(seen.insert(fast_hash(1, v)), "seed collision on {v:?}");
        }
        let base = fast_hash(0, &[7u8; 100]);
        for i in 0..100 {
            let mut v = vec![7u8; 100];
            v[i] ^= 4;
            let flipped = (fast_hash(0, &v) ^ base).count_ones();
            assert!((12..=52).contains(&flipped), "byte {i}: {flipped} bits");
        }
    }

    #[test]
    fn head_order_agrees_with_byte_order() {
        let keys: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0, 0],
            vec![1],
            vec![0; 24],
            vec![0; 25],
            [vec![7; 24], vec![1]].concat(),
            [vec![7; 24], vec![0, 5]].concat(),
            vec![7; 24],
            vec![255; 30],
            b"abc".to_vec(),
            b"abd".to_vec(),
        ];
        for a in &keys {
            for b in &keys {
                let by_head = key_head(a)
                    .cmp(&key_head(b))
                    .then_with(|| cmp_after_head(a, b));
                assert_eq!(by_head, a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }
}
