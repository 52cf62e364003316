//! A damaged write-ahead log: opening the database still works, says what recovery
//! dropped, and a sync restores the graph.

use cairn::Database;
use cairn_graph::SyncOptions;
use cairn_query::OwnedValue;
use std::path::Path;

fn block_count(db: &Database) -> i64 {
    let mut st = db.prepare("SELECT COUNT(*) AS n FROM blocks AS b").unwrap();
    match st.execute_owned(&[]).unwrap() {
        OwnedValue::Bag(rows) | OwnedValue::List(rows) => match &rows[0] {
            OwnedValue::Tuple(f) => match f[0].1 {
                OwnedValue::Int(n) => n,
                ref other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn wal_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .filter(|p| std::fs::metadata(p).unwrap().len() > 64)
        .collect();
    out.sort();
    out
}

#[test]
fn a_damaged_log_is_reported_and_a_sync_restores_the_graph() {
    let project = tempfile::tempdir().unwrap();
    for i in 0..20 {
        std::fs::write(
            project.path().join(format!("m{i}.py")),
            format!("def f{i}():\n    return g{i}()\n\ndef g{i}():\n    return {i}\n"),
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let db = Database::open(dir.path()).unwrap();
        assert!(db.recovery_warnings().is_empty());
        db.link(project.path(), Some("p")).unwrap();
        db.sync("p", &SyncOptions::default(), &|_| {}).unwrap();
        block_count(&db)
    };
    assert_eq!(expected, 60, "20 modules with 2 functions each");
    let wal = wal_files(dir.path());
    assert!(!wal.is_empty(), "the graph is still in the log");
    // Flip a byte in the middle of the log.
    let mut bytes = std::fs::read(&wal[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&wal[0], &bytes).unwrap();

    let db = Database::open(dir.path()).unwrap();
    let warnings = db.recovery_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&wal[0].display().to_string()),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("cairn sync"), "{}", warnings[0]);
    assert!(block_count(&db) < expected, "the damaged tail is gone");
    db.sync("p", &SyncOptions::default(), &|_| {}).unwrap();
    assert_eq!(block_count(&db), expected, "a sync repairs the graph");
}
