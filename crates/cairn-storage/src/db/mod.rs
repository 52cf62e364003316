//! The engine: write path, read path, recovery, flush and compaction.

mod engine;
mod maintenance;
mod open;
mod snapshot;
mod table;
mod value;

pub use engine::Engine;
pub(crate) use engine::SuperVersion;
pub use open::{DroppedTail, RecoveryReport};
pub use snapshot::Snapshot;
pub use value::ValueRef;
