//! The manifest: which tables are live, the keyspaces, and recovery bookmarks.

mod persist;

pub(crate) use persist::{read, write, ManifestData};
