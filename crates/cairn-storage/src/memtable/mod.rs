//! The memtable: a sorted map whose keys and values live in a bump arena.

mod arena_map;
mod iter;

pub(crate) use arena_map::{MemValue, Memtable};
pub(crate) use iter::MemIter;
