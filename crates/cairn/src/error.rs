//! The database's errors: each says what was wrong and, where it can, how to fix it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Graph(#[from] cairn_graph::GraphError),
    #[error(transparent)]
    Query(#[from] cairn_query::QueryError),
    #[error("no Cairn database at {0} (create one with `cairn link PATH`)")]
    NoDatabase(PathBuf),
    #[error("cannot use {path} as the database directory: {source}")]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no block matches `{0}` (try `cairn find NAME`)")]
    NoSuchBlock(String),
    #[error("`{target}` is ambiguous: {count} blocks match ({examples}); use a qualified name or a block id")]
    Ambiguous {
        target: String,
        count: usize,
        examples: String,
    },
    #[error("{0}")]
    Invalid(String),
}

impl From<cairn_storage::Error> for Error {
    fn from(e: cairn_storage::Error) -> Self {
        Error::Graph(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
