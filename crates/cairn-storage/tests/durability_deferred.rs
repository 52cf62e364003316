//! `Durability::Deferred` on `SimVfs`: deferred writes are not synced when they return
//! (a crash loses some of them), what survives a crash is still whole batches in write
//! order after every durable write, and `Engine::sync` or a later durable write makes
//! them durable.

use std::path::Path;
use std::sync::Arc;

use cairn_storage::{Durability, Engine, Options, SimVfs, SyncMode, WriteBatch};

const SEEDS: u64 = 200;
const DEFERRED: usize = 40;

fn options(vfs: &SimVfs) -> Options {
    Options::default()
        .with_vfs(Arc::new(vfs.clone()))
        .with_sync(SyncMode::Always)
        .with_background(false)
}

/// Batch `i`: two keys, so a torn batch would show as one without the other.
fn batch(engine: &Engine, i: usize) -> WriteBatch {
    let ks = engine.keyspace("k").expect("keyspace");
    let mut b = WriteBatch::new();
    b.put(&ks, format!("a{i:03}").as_bytes(), &[i as u8; 100]);
    b.put(&ks, format!("b{i:03}").as_bytes(), &[i as u8; 100]);
    b
}

/// Which batches a reopened engine holds; panics unless each is whole.
fn surviving(engine: &Engine) -> Vec<usize> {
    let ks = engine.keyspace("k").expect("keyspace");
    let mut found = Vec::new();
    for i in 0..=DEFERRED {
        let a = engine.get(&ks, format!("a{i:03}").as_bytes()).expect("get");
        let b = engine.get(&ks, format!("b{i:03}").as_bytes()).expect("get");
        assert_eq!(a.is_some(), b.is_some(), "batch {i} is torn");
        if a.is_some() {
            found.push(i);
        }
    }
    found
}

#[test]
fn a_crash_keeps_a_prefix_of_deferred_writes_after_the_durable_ones() {
    let dir = Path::new("/db");
    let mut lost_some = 0;
    for seed in 0..SEEDS {
        let vfs = SimVfs::new(seed);
        let engine = Engine::open(dir, options(&vfs)).expect("open");
        // Batch 0 is durable (SyncMode::Always); 1..=DEFERRED are deferred.
        engine.write(&batch(&engine, 0)).expect("durable write");
        for i in 1..=DEFERRED {
            engine
                .write_with(&batch(&engine, i), Durability::Deferred)
                .expect("deferred write");
        }
        // The power cut comes before the engine's close could sync anything.
        vfs.crash();
        drop(engine);
        let engine = Engine::open(dir, options(&vfs)).expect("reopen");
        let found = surviving(&engine);
        let prefix: Vec<usize> = (0..found.len()).collect();
        assert_eq!(
            found, prefix,
            "seed {seed}: not batch 0 and a prefix of the rest"
        );
        if found.len() <= DEFERRED {
            lost_some += 1;
        }
    }
    // Were the deferred writes synced as they returned, no crash could lose one.
    assert!(
        lost_some > SEEDS / 2,
        "only {lost_some} of {SEEDS} crashes lost a deferred write"
    );
}

#[test]
fn sync_or_a_later_durable_write_makes_deferred_writes_durable() {
    let dir = Path::new("/db");
    for seed in 0..SEEDS / 4 {
        for by_sync in [true, false] {
            let vfs = SimVfs::new(seed);
            let engine = Engine::open(dir, options(&vfs)).expect("open");
            for i in 0..DEFERRED {
                engine
                    .write_with(&batch(&engine, i), Durability::Deferred)
                    .expect("deferred write");
            }
            if by_sync {
                engine.sync().expect("sync");
            } else {
                engine
                    .write(&batch(&engine, DEFERRED))
                    .expect("durable write");
            }
            vfs.crash();
            drop(engine);
            let engine = Engine::open(dir, options(&vfs)).expect("reopen");
            let expected = if by_sync { DEFERRED } else { DEFERRED + 1 };
            assert_eq!(
                surviving(&engine),
                (0..expected).collect::<Vec<_>>(),
                "seed {seed}, made durable by {}",
                if by_sync {
                    "Engine::sync"
                } else {
                    "a durable write"
                }
            );
        }
    }
}
