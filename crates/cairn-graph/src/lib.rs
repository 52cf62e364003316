//! Cairn's code graph: blocks (units of code) and typed edges between them.
//!
//! `model` holds the types every layer shares; `extract` turns one source file into
//! definitions and unresolved references with tree-sitter, one module per language.

pub mod extract;
pub mod model;

pub use model::{BlockKind, Definition, EdgeKind, Language, ParsedFile, Reference, Span};
