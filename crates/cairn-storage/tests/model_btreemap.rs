//! Model test: random puts, deletes, batches, snapshots, flushes, compactions and
//! reopens, checked after every step against a `BTreeMap` per keyspace.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cairn_storage::{Engine, Keyspace, Options, SimVfs, Snapshot, SyncMode, WriteBatch};
use proptest::prelude::*;

type Model = Vec<BTreeMap<Vec<u8>, Vec<u8>>>;
const KEYSPACES: [&str; 3] = ["blocks", "edges_by_source", "names"];

#[derive(Debug, Clone)]
enum Op {
    Put(usize, Vec<u8>, Vec<u8>),
    Delete(usize, Vec<u8>),
    Batch(Vec<(usize, Vec<u8>, Option<Vec<u8>>)>),
    Get(usize, Vec<u8>),
    Prefix(usize, Vec<u8>),
    Range(usize, Vec<u8>, Vec<u8>),
    TakeSnapshot,
    CheckSnapshot(usize),
    DropSnapshot(usize),
    Flush,
    Compact,
    Reopen,
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![0u8, 1, 2, b'a', 0xff]), 0..4)
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..16),
        1 => prop::collection::vec(any::<u8>(), 200..400),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let ks = 0..KEYSPACES.len();
    prop_oneof![
        30 => (ks.clone(), key(), value()).prop_map(|(s, k, v)| Op::Put(s, k, v)),
        10 => (ks.clone(), key()).prop_map(|(s, k)| Op::Delete(s, k)),
        8 => prop::collection::vec((ks.clone(), key(), prop::option::of(value())), 1..6)
            .prop_map(Op::Batch),
        10 => (ks.clone(), key()).prop_map(|(s, k)| Op::Get(s, k)),
        4 => (ks.clone(), key()).prop_map(|(s, k)| Op::Prefix(s, k)),
        3 => (ks.clone(), key(), key()).prop_map(|(s, a, b)| Op::Range(s, a, b)),
        3 => Just(Op::TakeSnapshot),
        4 => (0..4usize).prop_map(Op::CheckSnapshot),
        2 => (0..4usize).prop_map(Op::DropSnapshot),
        3 => Just(Op::Flush),
        2 => Just(Op::Compact),
        2 => Just(Op::Reopen),
    ]
}

fn options(vfs: &SimVfs, background: bool) -> Options {
    Options::default()
        .with_vfs(Arc::new(vfs.clone()))
        .with_sync(SyncMode::Never)
        .with_background(background)
        .with_memtable_bytes(4096)
        .and_then(|o| o.with_block_bytes(256))
        .and_then(|o| o.with_compaction_tables(2, 4))
        .expect("valid options")
}

struct Db {
    engine: Engine,
    ks: Vec<Keyspace>,
}

fn open(vfs: &SimVfs, background: bool) -> Db {
    let engine = Engine::open(Path::new("/model"), options(vfs, background)).expect("open");
    let ks = KEYSPACES
        .iter()
        .map(|n| engine.keyspace(n).expect("keyspace"))
        .collect();
    Db { engine, ks }
}

fn scan_all(it: cairn_storage::Result<cairn_storage::Iter>) -> Vec<(Vec<u8>, Vec<u8>)> {
    it.expect("iter").map(|r| r.expect("entry")).collect()
}

fn model_range(
    m: &BTreeMap<Vec<u8>, Vec<u8>>,
    lo: &[u8],
    hi: Option<&[u8]>,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    m.iter()
        .filter(|(k, _)| k.as_slice() >= lo && hi.is_none_or(|h| k.as_slice() < h))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn check_snapshot(db: &Db, snap: &Snapshot, model: &Model) {
    for (i, ks) in db.ks.iter().enumerate() {
        assert_eq!(
            scan_all(snap.range(ks, b"", None)),
            model_range(&model[i], b"", None),
            "snapshot scan of {}",
            KEYSPACES[i]
        );
        for (k, v) in &model[i] {
            let got = snap.get(ks, k).expect("get").map(|v| v.to_vec());
            assert_eq!(got.as_ref(), Some(v));
        }
    }
}

fn run(ops: Vec<Op>, background: bool) {
    let vfs = SimVfs::new(1);
    let mut db = Some(open(&vfs, background));
    let mut model: Model = vec![BTreeMap::new(); KEYSPACES.len()];
    let mut snaps: Vec<(Snapshot, Model)> = Vec::new();
    for op in ops {
        let d = db.as_ref().expect("open db");
        match op {
            Op::Put(s, k, v) => {
                d.engine.put(&d.ks[s], &k, &v).expect("put");
                model[s].insert(k, v);
            }
            Op::Delete(s, k) => {
                d.engine.delete(&d.ks[s], &k).expect("delete");
                model[s].remove(&k);
            }
            Op::Batch(items) => {
                let mut b = WriteBatch::new();
                for (s, k, v) in &items {
                    match v {
                        Some(v) => b.put(&d.ks[*s], k, v),
                        None => b.delete(&d.ks[*s], k),
                    }
                }
                d.engine.write(&b).expect("write");
                for (s, k, v) in items {
                    match v {
                        Some(v) => model[s].insert(k, v),
                        None => model[s].remove(&k),
                    };
                }
            }
            Op::Get(s, k) => {
                let got = d.engine.get(&d.ks[s], &k).expect("get").map(|v| v.to_vec());
                assert_eq!(got.as_ref(), model[s].get(&k), "get {k:?}");
            }
            Op::Prefix(s, p) => {
                let got = scan_all(d.engine.prefix(&d.ks[s], &p));
                let want: Vec<_> = model[s]
                    .iter()
                    .filter(|(k, _)| k.starts_with(&p))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                assert_eq!(got, want, "prefix {p:?}");
            }
            Op::Range(s, a, b) => {
                let got = scan_all(d.engine.range(&d.ks[s], &a, Some(&b)));
                assert_eq!(
                    got,
                    model_range(&model[s], &a, Some(&b)),
                    "range {a:?}..{b:?}"
                );
            }
            Op::TakeSnapshot => {
                if snaps.len() < 4 {
                    snaps.push((d.engine.snapshot(), model.clone()));
                }
            }
            Op::CheckSnapshot(i) => {
                if let Some((snap, m)) = snaps.get(i) {
                    check_snapshot(d, snap, m);
                }
            }
            Op::DropSnapshot(i) => {
                if i < snaps.len() {
                    snaps.remove(i);
                }
            }
            Op::Flush => d.engine.flush().expect("flush"),
            Op::Compact => d.engine.compact().expect("compact"),
            Op::Reopen => {
                snaps.clear();
                db.take().expect("db").engine.close().expect("close");
                db = Some(open(&vfs, background));
            }
        }
    }
    let d = db.as_ref().expect("open db");
    for (snap, m) in &snaps {
        check_snapshot(d, snap, m);
    }
    for (i, ks) in d.ks.iter().enumerate() {
        assert_eq!(
            scan_all(d.engine.range(ks, b"", None)),
            model_range(&model[i], b"", None)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_btreemap_model(ops in prop::collection::vec(op(), 1..250)) {
        run(ops, false);
    }

    #[test]
    fn engine_matches_btreemap_model_with_background_thread(ops in prop::collection::vec(op(), 1..150)) {
        run(ops, true);
    }
}
