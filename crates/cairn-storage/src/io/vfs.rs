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
    /// Asks the OS to start writing the appended data to disk, without waiting: a
    /// hint that makes nothing durable, so that a later [`Self::sync`] has less left
    /// to write. The default does nothing.
    fn start_writeback(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Current length.
    fn len(&self) -> io::Result<u64>;
    /// Whether the file is empty.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Truncates (or extends) the file.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
}

/// Bytes appended between writeback hints: without them the kernel keeps a whole
/// memtable's worth of WAL (64 MiB), or a whole new table, dirty until the sync that
/// seals it, which then waits while it all goes to disk.
const WRITEBACK_BYTES: usize = 4 << 20;

/// Counts the bytes appended to one file and gives [`VfsFile::start_writeback`] a
/// hint every [`WRITEBACK_BYTES`] of them.
#[derive(Debug, Default)]
pub(crate) struct Writeback {
    since_hint: usize,
}

impl Writeback {
    pub(crate) fn appended(&mut self, file: &mut dyn VfsFile, bytes: usize) {
        self.since_hint += bytes;
        if self.since_hint >= WRITEBACK_BYTES {
            self.since_hint = 0;
            // A hint: a file system that refuses it leaves the work to the sync.
            let _ = file.start_writeback();
        }
    }
}

/// A held lock; released on drop.
pub trait VfsLock: Send + Sync {}
