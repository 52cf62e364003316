//! [`GcFilter`]: decides which versions a flush or compaction keeps.
//!
//! Versions arrive in internal order (key ascending, sequence descending). For each
//! key, every version newer than the oldest live snapshot is kept (some snapshot may
//! read it), plus the newest version at or below that snapshot. That version, if it is
//! a tombstone, is dropped too when no older table can hold the key: then nothing
//! remains for it to hide.

use crate::batch::Kind;
use crate::error::Result;

pub(crate) struct GcFilter {
    oldest_snapshot: u64,
    key: Vec<u8>,
    started: bool,
    /// The version visible at `oldest_snapshot` was already decided for `key`.
    settled: bool,
}

impl GcFilter {
    pub(crate) fn new(oldest_snapshot: u64) -> Self {
        GcFilter {
            oldest_snapshot,
            key: Vec::new(),
            started: false,
            settled: false,
        }
    }

    /// Whether to keep this version. `older_may_hold` answers whether a table older
    /// than the ones being rewritten may contain the key.
    pub(crate) fn keep(
        &mut self,
        key: &[u8],
        seq: u64,
        kind: Kind,
        older_may_hold: impl FnOnce(&[u8]) -> Result<bool>,
    ) -> Result<bool> {
        if !self.started || self.key != key {
            self.key.clear();
            self.key.extend_from_slice(key);
            self.started = true;
            self.settled = false;
        }
        if self.settled {
            return Ok(false);
        }
        if seq > self.oldest_snapshot {
            return Ok(true);
        }
        self.settled = true;
        if kind == Kind::Delete {
            return older_may_hold(key);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_snapshot_versions_and_drops_shadowed_ones() -> Result<()> {
        let mut gc = GcFilter::new(10);
        let yes = |_: &[u8]| Ok(true);
        let no = |_: &[u8]| Ok(false);
        assert!(gc.keep(b"a", 12, Kind::Put, yes)?);
        assert!(gc.keep(b"a", 9, Kind::Put, yes)?);
        assert!(!gc.keep(b"a", 5, Kind::Put, yes)?);
        assert!(
            !gc.keep(b"b", 8, Kind::Delete, no)?,
            "nothing older to hide"
        );
        assert!(!gc.keep(b"b", 3, Kind::Put, no)?);
        assert!(
            gc.keep(b"c", 8, Kind::Delete, yes)?,
            "older table may hold c"
        );
        Ok(())
    }
}
