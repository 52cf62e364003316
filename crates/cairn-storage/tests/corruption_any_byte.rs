//! Corruption test: flipping any byte of an SSTable yields a typed corruption error
//! naming the table file (and the block, for data blocks), and flipping any byte of
//! the WAL yields a clean recovery that drops only the damaged tail. Never wrong data,
//! never a panic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_storage::{Compression, Engine, Error, Options, SimVfs, SyncMode};

const DIR: &str = "/corrupt";
const TABLE_KEYS: usize = 40;
const WAL_KEYS: usize = 12;

fn options(vfs: &SimVfs, compression: Compression) -> Options {
    Options::default()
        .with_vfs(Arc::new(vfs.clone()))
        .with_sync(SyncMode::Always)
        .with_background(false)
        .with_compression(compression)
        .with_block_bytes(256)
        .expect("valid options")
}

fn key(i: usize) -> Vec<u8> {
    format!("key{i:04}").into_bytes()
}

fn value(i: usize) -> Vec<u8> {
    format!("value-{i}-").repeat(1 + i % 5).into_bytes()
}

/// A database with one table (keys `0..TABLE_KEYS`) and a WAL holding
/// `TABLE_KEYS..TABLE_KEYS + WAL_KEYS`, one record each. Returns the files.
fn build(compression: Compression) -> (SimVfs, PathBuf, PathBuf) {
    let vfs = SimVfs::new(42);
    let engine = Engine::open(DIR, options(&vfs, compression)).expect("open");
    let ks = engine.keyspace("blocks").expect("keyspace");
    for i in 0..TABLE_KEYS {
        engine.put(&ks, &key(i), &value(i)).expect("put");
    }
    engine.flush().expect("flush");
    for i in TABLE_KEYS..TABLE_KEYS + WAL_KEYS {
        engine.put(&ks, &key(i), &value(i)).expect("put");
    }
    // Leave the WAL in place, as a crash would.
    let crashed = vfs.fork(1);
    drop(engine);
    let files = |suffix: &str| -> PathBuf {
        let dir = Path::new(DIR);
        let vfs: &dyn cairn_storage::Vfs = &crashed;
        let name = vfs
            .list(dir)
            .expect("list")
            .into_iter()
            .find(|n| n.ends_with(suffix))
            .expect("file present");
        dir.join(name)
    };
    let (sst, wal) = (files(".sst"), files(".wal"));
    (crashed, sst, wal)
}

fn flip(vfs: &SimVfs, path: &Path, at: usize) -> SimVfs {
    let copy = vfs.fork(at as u64);
    let mut bytes = copy.read_file(path).expect("file");
    bytes[at] ^= 0x20;
    assert!(copy.write_file(path, &bytes));
    copy
}

fn check_table_flips(compression: Compression) {
    let (base, sst, _) = build(compression);
    let len = base.read_file(&sst).expect("table").len();
    for at in 0..len {
        let vfs = flip(&base, &sst, at);
        let names_table = |e: &Error| match e {
            Error::Corruption(c) => c.file == sst,
            Error::UnsupportedVersion { file, .. } => *file == sst,
            _ => false,
        };
        let engine = match Engine::open(DIR, options(&vfs, compression)) {
            Ok(e) => e,
            Err(e) => {
                assert!(names_table(&e), "byte {at}: open failed with {e}");
                continue;
            }
        };
        let ks = engine.keyspace("blocks").expect("keyspace");
        let mut errors = 0;
        for i in 0..TABLE_KEYS + WAL_KEYS {
            match engine.get(&ks, &key(i)) {
                Ok(v) => assert_eq!(
                    v.as_deref(),
                    Some(value(i).as_slice()),
                    "byte {at}: wrong data for key {i}"
                ),
                Err(e) => {
                    assert!(names_table(&e), "byte {at}: {e}");
                    assert!(e.corruption().is_some_and(|c| c.block.is_some()), "{e}");
                    errors += 1;
                }
            }
        }
        let scan: Result<Vec<_>, _> = engine.range(&ks, b"", None).and_then(|it| it.collect());
        match scan {
            Ok(entries) => assert_eq!(entries.len(), TABLE_KEYS + WAL_KEYS, "byte {at}"),
            Err(e) => {
                assert!(names_table(&e), "byte {at}: {e}");
                errors += 1;
            }
        }
        assert!(
            errors > 0,
            "byte {at} of the table was flipped but nothing noticed"
        );
    }
}

#[test]
fn any_flipped_table_byte_is_a_typed_error_naming_the_file() {
    check_table_flips(Compression::None);
}

#[test]
fn any_flipped_table_byte_is_detected_with_lz4_blocks() {
    check_table_flips(Compression::Lz4);
}

#[test]
fn any_flipped_wal_byte_drops_only_the_damaged_tail() {
    let (base, _, wal) = build(Compression::None);
    let len = base.read_file(&wal).expect("wal").len();
    for at in 0..len {
        let vfs = flip(&base, &wal, at);
        let engine = Engine::open(DIR, options(&vfs, Compression::None))
            .unwrap_or_else(|e| panic!("byte {at}: recovery failed: {e}"));
        let report = engine.recovery_report().clone();
        assert_eq!(report.dropped.len(), 1, "byte {at}: {report:?}");
        assert_eq!(report.dropped[0].file, wal);
        let ks = engine.keyspace("blocks").expect("keyspace");
        let mut present = Vec::new();
        for i in 0..TABLE_KEYS + WAL_KEYS {
            match engine.get(&ks, &key(i)).expect("get") {
                Some(v) => {
                    assert_eq!(&*v, value(i).as_slice(), "byte {at}: wrong data for {i}");
                    present.push(i);
                }
                None => assert!(i >= TABLE_KEYS, "byte {at}: table key {i} lost"),
            }
        }
        // The survivors are a prefix of the writes, ending before the damaged record.
        let kept = present.len();
        assert_eq!(
            present,
            (0..kept).collect::<Vec<_>>(),
            "byte {at}: not a prefix"
        );
        assert!(
            kept < TABLE_KEYS + WAL_KEYS,
            "byte {at}: damaged record survived"
        );
        assert_eq!(
            report.dropped[0].offset + report.dropped[0].bytes,
            len as u64
        );
    }
}
