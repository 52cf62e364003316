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

/// Builds the hasher of the crate's in-memory maps: keyed by [`BlockId`]s (already
/// uniform 128-bit hashes) or by short names from the workspace's own code, which need
/// no SipHash protection against chosen collisions. `rustc-hash`'s Fx scheme folds each
/// word with one rotate, xor and multiply.
pub type FastBuildHasher = rustc_hash::FxBuildHasher;

/// A `HashMap` with [`FastBuildHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastBuildHasher>;

/// A `HashSet` with [`FastBuildHasher`].
pub type FastSet<T> = std::collections::HashSet<T, FastBuildHasher>;

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
