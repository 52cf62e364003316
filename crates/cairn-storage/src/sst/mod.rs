//! Sorted string tables: immutable files of sorted key versions.

mod block;
mod filter;
mod filter_v1;
mod iter;
mod reader;
mod writer;

pub(crate) use block::Block;
pub(crate) use iter::TableIter;
pub(crate) use reader::{BlockCache, TableReader};
pub(crate) use writer::{SstWriter, TableInfo};

/// The shared block cache handle.
pub(crate) type BlockCacheRef = std::sync::Arc<BlockCache>;

/// File name of table `id`.
pub(crate) fn file_name(id: u64) -> String {
    format!("{id:016}.sst")
}

/// Parses a table file name back to its id.
pub(crate) fn parse_name(name: &str) -> Option<u64> {
    name.strip_suffix(".sst")?.parse().ok()
}

/// Orders internal entries: key ascending, then sequence descending.
pub(crate) fn cmp_internal(ka: &[u8], sa: u64, kb: &[u8], sb: u64) -> std::cmp::Ordering {
    ka.cmp(kb).then_with(|| sb.cmp(&sa))
}
