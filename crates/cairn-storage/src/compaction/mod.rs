//! Size-tiered compaction: which tables to merge, and which versions survive.

mod gc;
mod picker;

pub(crate) use gc::GcFilter;
pub(crate) use picker::pick_size_tiered;
