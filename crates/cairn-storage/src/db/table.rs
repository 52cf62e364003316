//! [`Table`]: a live table as the version list sees it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::io::Vfs;
use crate::sst::TableInfo;
use crate::util::{cmp_after_head, key_head, KeyHead};

pub(crate) struct Table {
    pub(crate) info: TableInfo,
    path: PathBuf,
    vfs: Arc<dyn Vfs>,
    /// Set once a committed manifest no longer lists the table; the file is deleted
    /// when the last version (reader, iterator) holding it lets go.
    obsolete: AtomicBool,
    /// Heads of `info.min_key` and `info.max_key`, so `covers` rarely reads the keys.
    min_head: KeyHead,
    max_head: KeyHead,
}

impl Table {
    pub(crate) fn new(info: TableInfo, path: PathBuf, vfs: Arc<dyn Vfs>) -> Self {
        Table {
            min_head: key_head(&info.min_key),
            max_head: key_head(&info.max_key),
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
        self.covers_with_head(key, &key_head(key))
    }

    /// `covers` for a key whose head is `head`.
    pub(crate) fn covers_with_head(&self, key: &[u8], head: &KeyHead) -> bool {
        let above_min = self
            .min_head
            .cmp(head)
            .then_with(|| cmp_after_head(&self.info.min_key, key))
            .is_le();
        above_min
            && head
                .cmp(&self.max_head)
                .then_with(|| cmp_after_head(key, &self.info.max_key))
                .is_le()
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
