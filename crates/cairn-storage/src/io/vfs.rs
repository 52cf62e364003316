//! The backend trait.

use std::io;
use std::path::Path;

/// A file system. Implementations: [`super::OsVfs`] (real files) and
/// [`super::SimVfs`] (in memory, deterministic, with fault injection).
pub trait Vfs: Send + Sync + std::fmt::Debug + 'static {
    /// Creates (or truncates) a file for appending.
    fn create(&self, path: &Path) -> io::Result<Box<dyn VfsFile>>;
    /// Opens an existing file for reading and appending.
    fn open(&self, path: &Path) -> io::Result<Box<dyn VfsFile>>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Atomically renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Names of the entries of a directory.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Creates a directory and its parents.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Makes the directory's entries (creations, renames, removals) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Whether a file exists.
    fn exists(&self, path: &Path) -> io::Result<bool>;
    /// Takes an exclusive lock on `path`; `Ok(None)` when someone else holds it.
    fn lock(&self, path: &Path) -> io::Result<Option<Box<dyn VfsLock>>>;
}

/// An open file. Writes only append; reads are positional.
pub trait VfsFile: Send + Sync {
    /// Fills `buf` from `offset`; a short file is an `UnexpectedEof` error.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Appends `data` at the end of the file.
    fn append(&mut self, data: &[u8]) -> io::Result<()>;
    /// Makes the file's data durable.
    fn sync(&mut self) -> io::Result<()>;
    /// Current length.
    fn len(&self) -> io::Result<u64>;
    /// Whether the file is empty.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Truncates (or extends) the file.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
}

/// A held lock; released on drop.
pub trait VfsLock: Send + Sync {}
