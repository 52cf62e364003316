//! The graph's errors.

use crate::codec::DecodeError;
use std::path::PathBuf;

/// Anything the graph can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    #[error(transparent)]
    Storage(#[from] cairn_storage::Error),
    /// A stored record did not decode.
    #[error("corrupt graph data in keyspace `{keyspace}`: {source}")]
    Corrupt {
        keyspace: &'static str,
        #[source]
        source: DecodeError,
    },
    #[error("no workspace named `{0}` (link one with `cairn link PATH`)")]
    NoSuchWorkspace(String),
    #[error("a workspace named `{name}` is already linked, at {root}")]
    WorkspaceExists { name: String, root: String },
    #[error("invalid workspace name `{0}`: use letters, digits, `-`, `_` and `.`")]
    BadWorkspaceName(String),
    #[error("workspace `{workspace}` uses `{library}` as a library, but no workspace of that name is linked (link it, or set the libraries again)")]
    MissingLibrary { workspace: String, library: String },
    #[error("workspace `{library}` is a library of {users}: set their libraries without it first")]
    LibraryInUse { library: String, users: String },
    #[error("workspace `{0}` cannot be a library of itself")]
    SelfLibrary(String),
    /// The workspace root cannot be read.
    #[error("workspace root {path}: {source}")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = GraphError> = std::result::Result<T, E>;

pub(crate) fn corrupt(keyspace: &'static str) -> impl FnOnce(DecodeError) -> GraphError {
    move |source| GraphError::Corrupt { keyspace, source }
}
