//! [`Table`]: a live table as the version list sees it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::io::Vfs;
use crate::sst::TableInfo;

pub(crate) struct Table {
    pub(crate) info: TableInfo,
    path: PathBuf,
    vfs: Arc<dyn Vfs>,
    /// Set once a committed manifest no longer lists the table; the file is deleted
    /// when the last version (reader, iterator) holding it lets go.
    obsolete: AtomicBool,
}

impl Table {
    pub(crate) fn new(info: TableInfo, path: PathBuf, vfs: Arc<dyn Vfs>) -> Self {
        Table {
            info,
            path,
            vfs,
            obsolete: AtomicBool::new(false),
        }
    }

    pub(crate) fn mark_obsolete(&self) {
        self.obsolete.store(true, Ordering::Release);
    }

    /// Whether `key` lies within the table's key range.
    pub(crate) fn covers(&self, key: &[u8]) -> bool {
        self.info.min_key.as_slice() <= key && key <= self.info.max_key.as_slice()
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        if self.obsolete.load(Ordering::Acquire) {
            // NOTE: a failure leaves an orphan file, removed at the next open.
            let _ = self.vfs.remove(&self.path);
        }
    }
}
