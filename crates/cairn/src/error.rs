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

impl Error {
    /// Whether the error is damage to the database's files (a failed checksum, a bad
    /// record), as opposed to bad input or a failed operation.
    pub fn is_corruption(&self) -> bool {
        use cairn_graph::GraphError as G;
        match self {
            Error::Graph(G::Storage(e)) => e.corruption().is_some(),
            Error::Graph(G::Corrupt { .. }) => true,
            // Table readers report storage errors as text.
            Error::Query(cairn_query::QueryError::Read { message, .. }) => {
                message.starts_with("corruption: ") || message.starts_with("corrupt graph data")
            }
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_is_recognised_through_the_layers() {
        let storage = || {
            cairn_storage::Error::Corruption(cairn_storage::Corruption {
                file: "t.sst".into(),
                block: Some(7),
                reason: "bad block".into(),
            })
        };
        assert!(Error::from(storage()).is_corruption());
        let read = cairn_query::QueryError::Read {
            path: "blocks".into(),
            line: 0,
            message: cairn_graph::GraphError::from(storage()).to_string(),
        };
        assert!(Error::Query(read).is_corruption());
        assert!(!Error::NoSuchBlock("x".into()).is_corruption());
        assert!(!Error::from(cairn_storage::Error::InUse("db".into())).is_corruption());
    }
}
