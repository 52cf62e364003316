//! The I/O seam: every file operation of the engine goes through [`Vfs`].

mod os;
mod sim;
mod vfs;

pub use os::OsVfs;
pub use sim::{SimFaults, SimVfs};
pub(crate) use vfs::Writeback;
pub use vfs::{Vfs, VfsFile, VfsLock};
