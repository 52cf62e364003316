//! Row cache scenario: point reads repeated (so keys enter the row cache and then hit
//! it) interleaved with puts, deletes, flushes, compactions, reopens and snapshots,
//! checked against a `BTreeMap` model after every step. Two keyspaces hold the same
//! keys, so an answer cached for one keyspace must never serve the other.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cairn_storage::{Engine, Options, SimVfs, SyncMode};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn open(vfs: &SimVfs) -> Engine {
    let opts = Options::default()
        .with_vfs(Arc::new(vfs.clone()))
        .with_sync(SyncMode::Never)
        .with_background(false)
        .with_row_cache_bytes(64 << 10)
        .with_memtable_bytes(4096)
        .and_then(|o| o.with_block_bytes(256))
        .and_then(|o| o.with_compaction_tables(2, 4))
        .expect("valid options");
    Engine::open(Path::new("/rows"), opts).expect("open")
}

fn key(i: u64) -> Vec<u8> {
    // Keys longer than the 24-byte head and sharing it, to exercise tie-breaks too.
    format!("shared-prefix-of-24-bytes/{i:03}").into_bytes()
}

fn run(seed: u64, steps: usize) {
    let vfs = SimVfs::new(seed);
    let mut engine = open(&vfs);
    let keyspaces = |e: &Engine| ["blocks", "names"].map(|n| e.keyspace(n).expect("keyspace"));
    let mut spaces = keyspaces(&engine);
    let mut model: BTreeMap<(usize, Vec<u8>), Vec<u8>> = BTreeMap::new();
    let mut snaps = Vec::new();
    let mut rng = Rng(seed | 1);
    for step in 0..steps {
        let s = rng.below(2) as usize;
        let (ks, k) = (&spaces[s], key(rng.below(40)));
        let mk = (s, k.clone());
        match rng.below(100) {
            0..=29 => {
                let v = format!("v{step}-{}", "x".repeat(rng.below(300) as usize)).into_bytes();
                engine.put(ks, &k, &v).expect("put");
                model.insert(mk, v);
            }
            30..=39 => {
                engine.delete(ks, &k).expect("delete");
                model.remove(&mk);
            }
            40..=79 => {
                for _ in 0..3 {
                    let got = engine.get(ks, &k).expect("get").map(|v| v.to_vec());
                    assert_eq!(got.as_ref(), model.get(&mk), "seed {seed} step {step}");
                }
            }
            80..=85 => engine.flush().expect("flush"),
            86..=87 => engine.compact().expect("compact"),
            88 => {
                snaps.clear();
                engine.close().expect("close");
                engine = open(&vfs);
                spaces = keyspaces(&engine);
            }
            89..=92 => {
                snaps.push((engine.snapshot(), model.clone()));
                if snaps.len() > 4 {
                    snaps.remove(0);
                }
            }
            _ => {
                if let Some((snap, m)) = snaps.get(rng.below(4) as usize) {
                    for (s, ks) in spaces.iter().enumerate() {
                        for i in 0..40 {
                            let k = key(i);
                            for _ in 0..2 {
                                let got = snap.get(ks, &k).expect("get").map(|v| v.to_vec());
                                let want = m.get(&(s, k.clone()));
                                assert_eq!(got.as_ref(), want, "seed {seed} step {step}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn row_cache_never_changes_an_answer() {
    for seed in 1..=8 {
        run(seed, 3_000);
    }
}
