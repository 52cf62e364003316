//! Library workspaces: a workspace's references resolve to the definitions of the
//! workspaces set as its libraries (the Rust standard library's sources, say), which
//! stay separate workspaces with their own blocks.

use cairn_graph::{sync, BlockId, EdgeKind, GraphError, GraphStore, SyncOptions};
use cairn_storage::{Engine, Options};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

const LIBRARY: &[(&str, &str)] = &[
    (
        "mylib/src/lib.rs",
        "pub mod engine;\n\npub fn helper() -> u32 {\n    7\n}\n",
    ),
    (
        "mylib/src/engine.rs",
        "pub struct Engine;\n\nimpl Engine {\n    pub fn open() -> Engine {\n        Engine\n    }\n\n    pub fn flush(&self) {\n        crate::helper();\n    }\n}\n",
    ),
    // A standard library crate as its sources name it.
    (
        "core/src/lib.rs",
        "pub mod mem;\n",
    ),
    (
        "core/src/mem.rs",
        "pub fn swap<T>(a: &mut T, b: &mut T) {\n    let _ = (a, b);\n}\n",
    ),
];

const APP: &[(&str, &str)] = &[(
    "src/main.rs",
    "use mylib::engine::Engine;\n\nfn main() {\n    mylib::helper();\n    let e = Engine::open();\n    e.flush();\n    let (mut a, mut b) = (1, 2);\n    core::mem::swap(&mut a, &mut b);\n    local();\n}\n\nfn local() {}\n",
)];

struct Setup {
    store: GraphStore,
    library_root: tempfile::TempDir,
    app_root: tempfile::TempDir,
    _db: tempfile::TempDir,
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
}

fn setup() -> Setup {
    let library_root = tempfile::tempdir().unwrap();
    let app_root = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    write(library_root.path(), LIBRARY);
    write(app_root.path(), APP);
    let engine = Arc::new(Engine::open(db.path(), Options::default()).unwrap());
    let store = GraphStore::new(engine).unwrap();
    sync::link(&store, "lib", library_root.path()).unwrap();
    sync::link(&store, "app", app_root.path()).unwrap();
    let setup = Setup {
        store,
        library_root,
        app_root,
        _db: db,
    };
    setup.sync("lib");
    setup
}

impl Setup {
    fn sync(&self, name: &str) {
        let summary = sync::sync(&self.store, name, &SyncOptions::default(), &|_| {}).unwrap();
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    }

    fn id(&self, qualified: &str) -> BlockId {
        let ids = self.store.blocks_qualified(qualified).unwrap();
        assert_eq!(ids.len(), 1, "{qualified}: {ids:?}");
        ids[0]
    }

    /// What `main` calls: (target text, qualified name of the target block if resolved).
    fn calls_of_main(&self) -> BTreeSet<(String, Option<String>)> {
        let main = self.id("crate::main");
        self.store
            .edges_from(&main, Some(EdgeKind::Calls))
            .unwrap()
            .into_iter()
            .map(|e| {
                let target = e
                    .info
                    .resolved
                    .then(|| self.store.block(&e.target).unwrap())
                    .map(|b| {
                        b.expect("a resolved edge's target block exists")
                            .qualified_name
                    });
                (e.info.target_text, target)
            })
            .collect()
    }
}

fn calls(items: &[(&str, Option<&str>)]) -> BTreeSet<(String, Option<String>)> {
    items
        .iter()
        .map(|(t, q)| (t.to_string(), q.map(str::to_string)))
        .collect()
}

#[test]
fn references_resolve_into_a_library_only_once_it_is_set() {
    let s = setup();
    s.sync("app");
    let unresolved = calls(&[
        ("mylib::helper", None),
        ("Engine::open", None),
        ("e.flush", None),
        ("core::mem::swap", None),
        ("local", Some("crate::local")),
    ]);
    assert_eq!(s.calls_of_main(), unresolved);

    let ws = sync::set_libraries(&s.store, "app", &["lib".into(), "lib".into()]).unwrap();
    assert_eq!(ws.libraries, vec!["lib".to_string()], "duplicates dropped");
    s.sync("app");
    assert_eq!(
        s.calls_of_main(),
        calls(&[
            ("mylib::helper", Some("mylib::helper")),
            ("Engine::open", Some("mylib::engine::Engine::open")),
            ("e.flush", Some("mylib::engine::Engine::flush")),
            ("core::mem::swap", Some("core::mem::swap")),
            ("local", Some("crate::local")),
        ])
    );
    // The library's blocks are the library workspace's, and its own edges are not
    // written again by the app's sync: `flush` is called once, from `main`.
    let flush = s.id("mylib::engine::Engine::flush");
    assert_eq!(s.store.block(&flush).unwrap().unwrap().workspace, "lib");
    let callers = s.store.edges_to(&flush, Some(EdgeKind::Calls)).unwrap();
    assert_eq!(callers.len(), 1);
    assert_eq!(
        s.store
            .edges_from(&flush, Some(EdgeKind::Calls))
            .unwrap()
            .len(),
        1,
        "flush -> helper, written once by the library's sync"
    );

    // Without the library again, the next sync leaves nothing pointing into it.
    sync::set_libraries(&s.store, "app", &[]).unwrap();
    s.sync("app");
    assert_eq!(s.calls_of_main(), unresolved);
}

#[test]
fn a_changed_library_is_followed_at_the_users_next_sync() {
    let s = setup();
    sync::set_libraries(&s.store, "app", &["lib".into()]).unwrap();
    s.sync("app");
    // `helper` renamed in the library: the app's edge to it goes once the app syncs.
    write(
        s.library_root.path(),
        &[(
            "mylib/src/lib.rs",
            "pub mod engine;\n\npub fn helper2() -> u32 {\n    7\n}\n\npub fn helper() -> u32 {\n    helper2()\n}\n",
        )],
    );
    s.sync("lib");
    s.sync("app");
    let after = s.calls_of_main();
    assert!(after.contains(&(
        "mylib::helper".to_string(),
        Some("mylib::helper".to_string())
    )));
    write(
        s.library_root.path(),
        &[(
            "mylib/src/lib.rs",
            "pub mod engine;\n\npub fn renamed() -> u32 {\n    7\n}\n",
        )],
    );
    s.sync("lib");
    s.sync("app");
    assert!(s
        .calls_of_main()
        .contains(&("mylib::helper".to_string(), None)));
}

#[test]
fn libraries_are_checked_and_a_used_library_cannot_be_unlinked() {
    let s = setup();
    assert!(matches!(
        sync::set_libraries(&s.store, "app", &["nope".into()]),
        Err(GraphError::MissingLibrary { .. })
    ));
    assert!(matches!(
        sync::set_libraries(&s.store, "app", &["app".into()]),
        Err(GraphError::SelfLibrary(_))
    ));
    assert!(matches!(
        sync::set_libraries(&s.store, "nope", &["lib".into()]),
        Err(GraphError::NoSuchWorkspace(_))
    ));
    sync::set_libraries(&s.store, "app", &["lib".into()]).unwrap();
    let err = sync::unlink(&s.store, "lib").unwrap_err();
    assert!(matches!(err, GraphError::LibraryInUse { .. }), "{err}");
    assert!(err.to_string().contains("`app`"), "{err}");
    sync::set_libraries(&s.store, "app", &[]).unwrap();
    sync::unlink(&s.store, "lib").unwrap();
}

#[test]
fn a_library_item_is_in_scope_only_through_a_path_or_an_import() {
    let s = setup();
    sync::set_libraries(&s.store, "app", &["lib".into()]).unwrap();
    // `Engine` and `helper` are the only ones so named, but the app neither imports
    // them nor writes their path: they are not what it calls.
    std::fs::write(
        s.app_root.path().join("src/main.rs"),
        "fn main() {\n    Engine::open();\n    helper();\n}\n",
    )
    .unwrap();
    s.sync("app");
    assert_eq!(
        s.calls_of_main(),
        calls(&[("Engine::open", None), ("helper", None)])
    );
    std::fs::write(
        s.app_root.path().join("src/main.rs"),
        "use mylib::engine::Engine;\nuse mylib::helper;\n\nfn main() {\n    Engine::open();\n    helper();\n}\n",
    )
    .unwrap();
    s.sync("app");
    assert_eq!(
        s.calls_of_main(),
        calls(&[
            ("Engine::open", Some("mylib::engine::Engine::open")),
            ("helper", Some("mylib::helper")),
        ])
    );
}
