//! What the measuring examples share: CPU time of the calling thread, the Rust files
//! of a tree, and a tree synced into a fresh database.
#![allow(dead_code)] // each example uses part of it

/// CPU seconds the calling thread has used (Linux `/proc/thread-self/stat`, 100 ticks a
/// second): unlike wall time, it does not count other work on a shared machine.
pub fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

/// The readable `.rs` files under `root` (honouring `.gitignore`) below 1 MiB, with
/// their text.
pub fn rust_files(root: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for e in ignore::WalkBuilder::new(root).build().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs") {
            if let Ok(s) = std::fs::read_to_string(p) {
                if s.len() < 1 << 20 {
                    files.push((p.display().to_string(), s));
                }
            }
        }
    }
    files
}

/// `root` linked as workspace `name` and synced into a database in a temporary
/// directory (kept alive by the returned guard), with the sync's summary.
pub fn synced_store(
    root: &str,
    name: &str,
) -> (
    tempfile::TempDir,
    cairn_graph::GraphStore,
    cairn_graph::SyncSummary,
) {
    use cairn_graph::{sync, GraphStore, SyncOptions};
    let db = tempfile::tempdir().expect("temp dir");
    let engine = cairn_storage::Engine::open(db.path(), cairn_storage::Options::default())
        .expect("open the database");
    let store = GraphStore::new(std::sync::Arc::new(engine)).expect("open the graph");
    sync::link(&store, name, std::path::Path::new(root)).expect("link");
    let summary = sync::sync(&store, name, &SyncOptions::default(), &|_| {}).expect("sync");
    (db, store, summary)
}
