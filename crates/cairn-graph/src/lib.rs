//! Cairn's code graph: blocks (units of code) and typed edges between them, stored in
//! `cairn-storage`, kept fresh by incremental sync, and walked by traversal.
//!
//! - [`model`]: the types every layer shares (languages, kinds, definitions, references).
//! - [`extract`]: one source file in, definitions and unresolved references out
//!   (tree-sitter, one module per language).
//! - [`resolve`]: references to edges, by scope over the whole workspace.
//! - [`store`] and [`record`]: keyspaces, keys and record encodings.
//! - [`sync`]: walking a workspace and bringing its graph up to date.
//! - [`traverse`]: callers, callees, neighbours, shortest paths, over the cached
//!   adjacency lists of [`adjacency`].

pub mod adjacency;
pub mod codec;
pub mod error;
pub mod extract;
pub mod id;
pub mod model;
mod multimap;
pub mod record;
pub mod resolve;
pub mod store;
pub mod sync;
pub mod traverse;

pub use error::{GraphError, Result};
pub use id::BlockId;
pub use model::{BlockKind, Definition, EdgeKind, Language, ParsedFile, Reference, Span};
pub use record::{Block, Edge, EdgeInfo, FileRecord, WorkspaceRecord};
pub use store::GraphStore;
pub use sync::{Progress, SyncOptions, SyncPhases, SyncSummary};
pub use traverse::{Bounds, Direction, Hit};
