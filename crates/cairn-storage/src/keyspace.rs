//! Named keyspaces. Internally every key is prefixed by its keyspace id (2 bytes,
//! big-endian, so keyspaces sort apart and a keyspace is one contiguous key range).

/// A handle to a named keyspace; cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Keyspace {
    pub(crate) id: u16,
    pub(crate) name: std::sync::Arc<str>,
}

impl Keyspace {
    /// The keyspace's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Length of the keyspace prefix of an internal key.
pub(crate) const KS_PREFIX: usize = 2;

/// Writes `ks | key` into `out` (cleared first).
pub(crate) fn internal_key(out: &mut Vec<u8>, ks: u16, key: &[u8]) {
    out.clear();
    out.extend_from_slice(&ks.to_be_bytes());
    out.extend_from_slice(key);
}
