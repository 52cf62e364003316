//! A database written by the previous release (SSTable format version 1, see
//! `tests/fixtures/README.md`) opens in this build, reads back exactly what was
//! written, and compaction rewrites its tables as version 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cairn_storage::{Engine, Options};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// What the fixture's writer left in each keyspace (its program, replayed as a model).
fn model() -> (Model, Model) {
    let key = |p: &str, i: u32| format!("{p}{i:04}").into_bytes();
    let mut nodes = Model::new();
    for i in 0..600 {
        nodes.insert(key("n", i), format!("first-{i}").into_bytes());
    }
    for i in (0..600).filter(|i| i % 3 == 0) {
        nodes.insert(key("n", i), format!("second-{i}").into_bytes());
    }
    for i in (0..600).filter(|i| i % 7 == 0) {
        nodes.remove(&key("n", i));
    }
    let mut edges = Model::new();
    for i in 0..200 {
        edges.insert(key("e", i), format!("edge-{i}").into_bytes());
    }
    for i in 600..700 {
        nodes.insert(key("n", i), format!("first-{i}").into_bytes());
    }
    for i in (0..700).filter(|i| i % 11 == 0) {
        nodes.insert(key("n", i), format!("wal-{i}").into_bytes());
    }
    (nodes, edges)
}

/// A writable copy of the fixture.
fn copy_fixture(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1_db");
    for entry in std::fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// Footer format version of every table in `dir`.
fn table_versions(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sst") {
            let bytes = std::fs::read(&path).expect("table");
            let footer = &bytes[bytes.len() - 52..];
            assert_eq!(&footer[44..], b"CAIRNSST", "{}", path.display());
            let version = u32::from_le_bytes(footer[36..40].try_into().expect("4 bytes"));
            out.push((path, version));
        }
    }
    out.sort();
    out
}

/// Point reads of every key the fixture wrote and of absent neighbours, and a full
/// scan and a prefix scan of both keyspaces, against the model.
fn check(db: &Engine, nodes: &Model, edges: &Model) {
    for (name, model, prefix, n) in [("nodes", nodes, "n", 800), ("edges", edges, "e", 300)] {
        let ks = db.keyspace(name).expect("keyspace");
        for i in 0..n {
            let key = format!("{prefix}{i:04}").into_bytes();
            let got = db.get(&ks, &key).expect("get").map(|v| v.to_vec());
            assert_eq!(got, model.get(&key).cloned(), "{name} {i}");
        }
        let all: Model = db
            .range(&ks, &[], None)
            .expect("range")
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(&all, model, "{name} scan");
        let sub: Vec<_> = db
            .prefix(&ks, format!("{prefix}01").as_bytes())
            .expect("prefix")
            .collect::<Result<_, _>>()
            .expect("prefix scan");
        let want: Vec<_> = model
            .iter()
            .filter(|(k, _)| k.starts_with(format!("{prefix}01").as_bytes()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(sub, want, "{name} prefix scan");
    }
}

#[test]
fn a_version_1_database_is_read_and_compacted_to_version_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_fixture(tmp.path());
    let versions = table_versions(tmp.path());
    assert_eq!(versions.len(), 3);
    assert!(versions.iter().all(|(_, v)| *v == 1), "{versions:?}");

    let (nodes, edges) = model();
    let opts = || Options::default().with_background(false);
    let db = Engine::open(tmp.path(), opts()).expect("open a version-1 database");
    // The last phase (64 puts) was left in the WAL, one batch per put.
    let report = db.recovery_report();
    assert!(report.dropped.is_empty(), "{report:?}");
    assert_eq!(report.batches_replayed, 64);
    check(&db, &nodes, &edges);

    // Compaction reads the version-1 tables and writes version 2.
    db.compact().expect("compact");
    check(&db, &nodes, &edges);
    db.close().expect("close");
    let versions = table_versions(tmp.path());
    assert!(!versions.is_empty());
    assert!(versions.iter().all(|(_, v)| *v == 2), "{versions:?}");

    let db = Engine::open(tmp.path(), opts()).expect("reopen");
    check(&db, &nodes, &edges);
    db.close().expect("close");
}
