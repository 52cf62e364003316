//! Stable identifiers: a block's id is a 128-bit hash of what names it, so the same
//! definition keeps its id across syncs, restarts and machines.

use std::fmt;

/// A block's identity: xxh3-128 of (workspace, path, kind, qualified name, disambiguator).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub [u8; 16]);

impl BlockId {
    pub const LEN: usize = 16;

    /// The id of a definition. `disambiguator` tells apart definitions that share
    /// path, kind and qualified name (overloads, `impl` blocks of one type): 0 for the
    /// first, 1 for the next, in source order.
    pub fn for_definition(
        workspace: &str,
        path: &str,
        kind: &str,
        qualified_name: &str,
        disambiguator: u32,
    ) -> BlockId {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in [workspace, path, kind, qualified_name] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(&disambiguator.to_le_bytes());
        BlockId(h.digest128().to_le_bytes())
    }

    /// The id of an unresolved symbol: every unresolved reference to the same text in a
    /// workspace points at the same id.
    pub fn for_unresolved(workspace: &str, text: &str) -> BlockId {
        BlockId::for_definition(workspace, "", "unresolved", text, 0)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<BlockId> {
        Some(BlockId(bytes.get(..Self::LEN)?.try_into().ok()?))
    }

    /// Parses the 32-digit hex form that [`fmt::Display`] writes.
    pub fn parse_hex(text: &str) -> Option<BlockId> {
        if text.len() != 32 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(BlockId(out))
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockId({self})")
    }
}

/// A fast hasher for the crate's in-memory maps: keyed by [`BlockId`]s (already uniform
/// 128-bit hashes) or by short names from the workspace's own code. It folds words with
/// one rotate, xor and multiply each (the Fx scheme): much cheaper than SipHash, whose
/// protection against chosen collisions these keys do not need.
#[derive(Clone, Copy, Default)]
pub struct FastHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves its best bits high; tables index by the low ones.
        self.0.rotate_left(26)
    }
}

/// Builds [`FastHasher`]s.
pub type FastBuildHasher = std::hash::BuildHasherDefault<FastHasher>;

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastBuildHasher>;

/// The hash of a file's or block's content, to detect change.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = BlockId::for_definition("w", "src/a.rs", "function", "a::f", 0);
        assert_eq!(
            a,
            BlockId::for_definition("w", "src/a.rs", "function", "a::f", 0)
        );
        assert_ne!(
            a,
            BlockId::for_definition("w", "src/a.rs", "function", "a::f", 1)
        );
        assert_ne!(
            a,
            BlockId::for_definition("v", "src/a.rs", "function", "a::f", 0)
        );
        // Length prefixes keep ("ab", "c") apart from ("a", "bc").
        assert_ne!(
            BlockId::for_definition("w", "ab", "c", "x", 0),
            BlockId::for_definition("w", "a", "bc", "x", 0)
        );
    }

    #[test]
    fn hex_round_trips() {
        let a = BlockId::for_definition("w", "p", "k", "q", 3);
        assert_eq!(BlockId::parse_hex(&a.to_string()), Some(a));
        assert_eq!(BlockId::parse_hex("zz"), None);
        assert_eq!(BlockId::parse_hex(&"é".repeat(16)), None);
    }
}
