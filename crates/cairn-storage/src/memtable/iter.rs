//! [`MemIter`]: a memtable cursor that re-seeks in chunks, so it never holds the map
//! lock between calls and tolerates concurrent inserts.

use std::ops::Bound;
use std::sync::Arc;

use super::arena_map::{MemKey, MemValue, Memtable};
use crate::batch::Kind;

const CHUNK: usize = 256;

pub(crate) struct MemIter {
    mem: Arc<Memtable>,
    buf: Vec<(MemKey, MemValue)>,
    pos: usize,
    /// Last key scanned (visible or not); the next chunk starts after it.
    resume: Option<MemKey>,
    done: bool,
    snapshot: u64,
}

impl MemIter {
    /// A cursor over versions with sequence `<= snapshot`, from internal key `start`.
    pub(crate) fn new(mem: Arc<Memtable>, start: &[u8], snapshot: u64) -> Self {
        let mut it = MemIter {
            mem,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            resume: None,
            done: false,
            snapshot,
        };
        it.fill(Some(start));
        it
    }

    fn fill(&mut self, start: Option<&[u8]>) {
        loop {
            self.buf.clear();
            self.pos = 0;
            let mem = Arc::clone(&self.mem);
            let from = match (start, &self.resume) {
                (Some(s), _) => Bound::Included((s, u64::MAX)),
                (None, Some(k)) => Bound::Excluded((mem.key_bytes(k), k.seq())),
                (None, None) => Bound::Unbounded,
            };
            mem.scan(from, CHUNK, &mut self.buf);
            if self.buf.len() < CHUNK {
                self.done = true;
            }
            if let Some(last) = self.buf.last() {
                self.resume = Some(last.0);
            }
            let snap = self.snapshot;
            self.buf.retain(|(k, _)| k.seq() <= snap);
            if !self.buf.is_empty() || self.done {
                return;
            }
            if start.is_some() {
                // A later refill continues after `resume`.
                return self.fill(None);
            }
        }
    }

    /// The current entry: internal key, sequence, kind, value.
    pub(crate) fn peek(&self) -> Option<(&[u8], u64, Kind, &[u8])> {
        let (k, v) = self.buf.get(self.pos)?;
        Some((
            self.mem.key_bytes(k),
            k.seq(),
            v.kind,
            self.mem.value_bytes(v),
        ))
    }

    pub(crate) fn advance(&mut self) {
        self.pos += 1;
        if self.pos >= self.buf.len() && !self.done {
            self.fill(None);
        }
    }
}
