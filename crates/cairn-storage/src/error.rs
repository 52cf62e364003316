//! Error types of the storage engine.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Bytes on disk that failed a check: which file, which block, what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corruption {
    /// The damaged file.
    pub file: PathBuf,
    /// Offset of the damaged block (or record) inside the file, when known.
    pub block: Option<u64>,
    /// What check failed.
    pub reason: String,
}

impl std::fmt::Display for Corruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.block {
            Some(off) => write!(
                f,
                "{} (block at offset {}): {}",
                self.file.display(),
                off,
                self.reason
            ),
            None => write!(f, "{}: {}", self.file.display(), self.reason),
        }
    }
}

/// Errors returned by the storage engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O call failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File or directory the call was about.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another process (or handle) holds the directory lock.
    #[error("database directory {0} is in use by another process")]
    InUse(PathBuf),
    /// A checksum, magic number or length check failed.
    #[error("corruption: {0}")]
    Corruption(Corruption),
    /// The file was written by an unknown format version.
    #[error(
        "{file}: unsupported format version {found} (this build reads versions up to {expected})"
    )]
    UnsupportedVersion {
        /// The file.
        file: PathBuf,
        /// The version found in it.
        found: u32,
        /// The newest version this build reads (the one it writes).
        expected: u32,
    },
    /// An earlier write or fsync failed; the engine refuses further work until reopened.
    #[error("an earlier I/O error poisoned the engine; reopen it")]
    Poisoned,
    /// The engine was closed.
    #[error("the engine is closed")]
    Closed,
    /// A caller passed an argument outside the documented limits.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(
        file: impl Into<PathBuf>,
        block: Option<u64>,
        reason: impl Into<String>,
    ) -> Self {
        Error::Corruption(Corruption {
            file: file.into(),
            block,
            reason: reason.into(),
        })
    }

    /// The corruption details, if this is a corruption error.
    pub fn corruption(&self) -> Option<&Corruption> {
        match self {
            Error::Corruption(c) => Some(c),
            _ => None,
        }
    }
}
