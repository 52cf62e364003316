//! [`Iter`]: a forward merge of memtables and tables at one snapshot.

use std::sync::Arc;

use crate::batch::Kind;
use crate::db::SuperVersion;
use crate::error::Result;
use crate::keyspace::KS_PREFIX;
use crate::memtable::MemIter;
use crate::sst::TableIter;

pub(crate) enum Source {
    Mem(MemIter),
    Table(TableIter),
}

impl Source {
    fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])> {
        match self {
            Source::Mem(m) => m.peek(),
            Source::Table(t) => t.peek(),
        }
    }
    fn advance(&mut self) -> Result<()> {
        match self {
            Source::Mem(m) => {
                m.advance();
                Ok(())
            }
            Source::Table(t) => t.advance(),
        }
    }
}

/// A forward iterator over a key range of one keyspace, at one sequence number.
///
/// [`Iter::next_entry`] lends `(key, value)` without copying the value; the
/// [`Iterator`] implementation yields owned pairs.
pub struct Iter {
    _sv: Arc<SuperVersion>,
    sources: Vec<Source>,
    /// Exclusive upper bound (internal key).
    upper: Vec<u8>,
    /// Internal key of the last entry returned or skipped (reused buffer).
    last_key: Vec<u8>,
    have_last: bool,
    done: bool,
}

impl Iter {
    pub(crate) fn new(sv: Arc<SuperVersion>, sources: Vec<Source>, upper: Vec<u8>) -> Self {
        Iter {
            _sv: sv,
            sources,
            upper,
            last_key: Vec::new(),
            have_last: false,
            done: false,
        }
    }

    /// The next live entry: (user key, value), borrowed until the next call.
    pub fn next_entry(&mut self) -> Result<Option<(&[u8], &[u8])>> {
        if self.done {
            return Ok(None);
        }
        let chosen = loop {
            if self.have_last {
                for s in &mut self.sources {
                    while matches!(s.peek(), Some((k, ..)) if k == self.last_key.as_slice()) {
                        s.advance()?;
                    }
                }
            }
            let mut best: Option<(usize, &[u8], u64)> = None;
            for (i, s) in self.sources.iter().enumerate() {
                if let Some((k, seq, _, _)) = s.peek() {
                    let better = match best {
                        None => true,
                        Some((_, bk, bs)) => crate::sst::cmp_internal(k, seq, bk, bs).is_lt(),
                    };
                    if better {
                        best = Some((i, k, seq));
                    }
                }
            }
            let Some((i, k, _)) = best else {
                self.done = true;
                return Ok(None);
            };
            if k >= self.upper.as_slice() {
                self.done = true;
                return Ok(None);
            }
            let kind = self.sources.get(i).and_then(|s| s.peek()).map(|e| e.2);
            self.last_key.clear();
            self.last_key.extend_from_slice(k);
            self.have_last = true;
            if kind == Some(Kind::Put) {
                break i;
            }
        };
        let value = self
            .sources
            .get(chosen)
            .and_then(|s| s.peek())
            .map(|e| e.3)
            .unwrap_or_default();
        let key = self.last_key.get(KS_PREFIX..).unwrap_or_default();
        Ok(Some((key, value)))
    }
}

impl Iterator for Iter {
    type Item = Result<(Vec<u8>, Vec<u8>)>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_entry() {
            Ok(Some((k, v))) => Some(Ok((k.to_vec(), v.to_vec()))),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
