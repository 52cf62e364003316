//! [`Snapshot`]: a consistent read view at one sequence number.

use std::sync::Arc;

use super::engine::Inner;
use super::value::ValueRef;
use crate::error::Result;
use crate::iter::Iter;
use crate::keyspace::Keyspace;

/// Reads as of the moment it was taken. Versions it can see are kept by compaction
/// until it is dropped.
pub struct Snapshot {
    pub(crate) inner: Arc<Inner>,
    pub(crate) seq: u64,
}

impl Snapshot {
    /// The sequence number this snapshot reads at.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// Value of `key` in `ks` as of the snapshot.
    pub fn get(&self, ks: &Keyspace, key: &[u8]) -> Result<Option<ValueRef>> {
        self.inner.get_at(ks, key, self.seq)
    }
    /// Entries of `ks` with `start <= key < end` (no end: to the end of `ks`).
    pub fn range(&self, ks: &Keyspace, start: &[u8], end: Option<&[u8]>) -> Result<Iter> {
        self.inner.range_at(ks, start, end, self.seq)
    }
    /// Entries of `ks` whose key starts with `prefix`.
    pub fn prefix(&self, ks: &Keyspace, prefix: &[u8]) -> Result<Iter> {
        self.inner.prefix_at(ks, prefix, self.seq)
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        self.inner.release_snapshot(self.seq);
    }
}
