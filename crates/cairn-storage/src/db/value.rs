//! [`ValueRef`]: a value borrowed from the memtable arena, a cached block or the row cache.

use std::sync::Arc;

use crate::memtable::{MemValue, Memtable};
use crate::row_cache::RowEntry;
use crate::sst::Block;

enum Owner {
    Mem(Arc<Memtable>, MemValue),
    Block(Arc<Block>, (usize, usize)),
    Row(RowEntry),
}

/// A value read by `get`. It points into the memtable arena, the block cache or the
/// row cache without copying, and keeps that memory alive while it exists.
pub struct ValueRef {
    owner: Owner,
}

impl ValueRef {
    pub(crate) fn mem(mem: Arc<Memtable>, v: MemValue) -> Self {
        ValueRef {
            owner: Owner::Mem(mem, v),
        }
    }
    pub(crate) fn block(block: Arc<Block>, range: (usize, usize)) -> Self {
        ValueRef {
            owner: Owner::Block(block, range),
        }
    }
    pub(crate) fn row(entry: RowEntry) -> Self {
        ValueRef {
            owner: Owner::Row(entry),
        }
    }
    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.owner {
            Owner::Mem(m, v) => m.value_bytes(v),
            Owner::Block(b, r) => b.slice(*r),
            Owner::Row(e) => e.value(),
        }
    }
    /// Copies the value out.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl std::ops::Deref for ValueRef {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for ValueRef {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Debug for ValueRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ValueRef").field(&self.as_bytes()).finish()
    }
}

impl PartialEq<[u8]> for ValueRef {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}
