//! A sync interrupted half-way (the process dies at a random write) leaves a graph
//! that the next sync repairs: after recovery and one more sync, the graph equals a
//! from-scratch ingest of the tree. The database lives on the simulated disk; the
//! project on the real one.

mod common;
use cairn_graph::{sync, GraphStore, SyncOptions};
use cairn_storage::{Engine, Options, SimFaults, SimVfs, SyncMode};
use common::{assert_graph, snapshot, Project, WORKSPACE};
use std::path::Path;
use std::sync::Arc;

fn open(vfs: &SimVfs, mode: SyncMode) -> Option<GraphStore> {
    let options = Options::default()
        .with_vfs(Arc::new(vfs.clone()))
        .with_sync(mode);
    let engine = Engine::open(Path::new("/db"), options).ok()?;
    GraphStore::new(Arc::new(engine)).ok()
}

fn run_sync(store: &GraphStore) -> bool {
    let options = SyncOptions {
        threads: 2,
        ..SyncOptions::default()
    };
    sync::sync(store, WORKSPACE, &options, &|_| {}).is_ok()
}

#[test]
fn a_sync_killed_at_any_point_is_repaired_by_the_next() {
    killed_syncs_are_repaired(SyncMode::Always);
}

/// The same with group commit: the WAL is synced by the background thread while the
/// sync writes, so a crash also loses acknowledged batches at the tail.
#[test]
fn a_sync_killed_at_any_point_is_repaired_by_the_next_with_group_commit() {
    killed_syncs_are_repaired(SyncMode::Batch);
}

fn killed_syncs_are_repaired(mode: SyncMode) {
    let project = Project::fixture("rust");
    let seeds: u64 = std::env::var("CAIRN_INTERRUPT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let mut interrupted = 0;
    let mut total_ops = None;
    for seed in 0..seeds {
        let vfs = SimVfs::new(seed);
        // The old tree, fully synced.
        let store = open(&vfs, mode).expect("fresh disk opens");
        sync::link(&store, WORKSPACE, &project.root).unwrap();
        assert!(run_sync(&store));
        drop(store);
        // Change the tree, then die somewhere inside the next sync.
        let changed = tempfile::tempdir().unwrap();
        for (path, content) in project.files() {
            let content = content.replace("fn describe(", "fn summary(");
            if !path.ends_with("render.rs") {
                let full = changed.path().join(&path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, content).unwrap();
            }
        }
        let store = open(&vfs, mode).unwrap();
        let mut ws = store.workspace(WORKSPACE).unwrap().unwrap();
        ws.root = changed.path().to_string_lossy().into_owned();
        store.put_workspace(&ws).unwrap();
        // The first round measures how many writes the sync makes; the others die
        // after each number of them in turn.
        let ops = *total_ops.get_or_insert_with(|| {
            let probe = vfs.fork(seed);
            let store = open(&probe, mode).unwrap();
            let before = probe.ops();
            assert!(run_sync(&store));
            probe.ops() - before
        });
        vfs.set_faults(SimFaults {
            crash_after_ops: Some(1 + seed % ops.max(1)),
            ..SimFaults::default()
        });
        if !run_sync(&store) {
            interrupted += 1;
        }
        drop(store);
        vfs.crash();
        vfs.set_faults(SimFaults::default());
        // Recovery, then one more sync.
        let store = open(&vfs, mode).expect("reopens after the crash");
        let mut ws = store.workspace(WORKSPACE).unwrap().unwrap();
        if ws.root != changed.path().to_string_lossy() {
            // The root change itself was lost with the crash: make it again.
            ws.root = changed.path().to_string_lossy().into_owned();
            store.put_workspace(&ws).unwrap();
        }
        assert!(run_sync(&store), "seed {seed}: the repairing sync fails");
        // From scratch, on a disk of its own.
        let fresh_vfs = SimVfs::new(seed + 1000);
        let fresh = open(&fresh_vfs, mode).unwrap();
        sync::link(&fresh, WORKSPACE, changed.path()).unwrap();
        assert!(run_sync(&fresh));
        assert_graph(&snapshot(&store), &snapshot(&fresh));
    }
    assert!(
        interrupted * 2 > seeds,
        "only {interrupted} of {seeds} syncs were interrupted ({total_ops:?} writes per sync)"
    );
}
