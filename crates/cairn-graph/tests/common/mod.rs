//! Shared harness of the graph scenario tests: a fixture project on disk, a graph
//! store beside it, and the graph rendered as sets of text lines to compare with
//! expectations written in the tests.
#![allow(dead_code)] // each test binary uses part of the harness

use cairn_graph::record::Block;
use cairn_graph::{sync, BlockId, BlockKind, Edge, GraphStore, SyncOptions, SyncSummary};
use cairn_storage::{Engine, Options};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const WORKSPACE: &str = "fixture";

/// A project directory and the graph of it.
pub struct Project {
    pub root: PathBuf,
    pub store: GraphStore,
    _src: tempfile::TempDir,
    _db: tempfile::TempDir,
}

impl Project {
    /// Writes `files` (path, content) and links the directory as workspace `fixture`.
    pub fn new(files: &[(&str, &str)]) -> Project {
        let src = tempfile::tempdir().unwrap();
        let db = tempfile::tempdir().unwrap();
        let root = src.path().to_path_buf();
        for (path, content) in files {
            write_file(&root, path, content);
        }
        let engine = Arc::new(Engine::open(db.path(), Options::default()).unwrap());
        let store = GraphStore::new(engine).unwrap();
        sync::link(&store, WORKSPACE, &root).unwrap();
        Project {
            root,
            store,
            _src: src,
            _db: db,
        }
    }

    /// Copies the fixture directory `tests/fixtures/<name>` and links the copy.
    pub fn fixture(name: &str) -> Project {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        Project::new(&borrowed)
    }

    pub fn write(&self, path: &str, content: &str) {
        write_file(&self.root, path, content);
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root.join(path)).unwrap();
    }

    pub fn sync(&self) -> SyncSummary {
        let options = SyncOptions {
            threads: 2,
            ..SyncOptions::default()
        };
        sync::sync(&self.store, WORKSPACE, &options, &|_| {}).unwrap()
    }

    /// The whole graph of the workspace as text.
    pub fn snapshot(&self) -> Snapshot {
        snapshot(&self.store)
    }

    /// Syncs the project (which must have no errors) and returns the call edges leaving
    /// the block with qualified name `caller`, as their `target` text.
    pub fn synced_calls_of(&self, caller: &str) -> Vec<String> {
        let summary = self.sync();
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        let prefix = format!("calls {caller} -> ");
        self.snapshot()
            .edges
            .into_iter()
            .filter_map(|e| e.strip_prefix(&prefix).map(str::to_string))
            .collect()
    }
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn write_file(root: &Path, path: &str, content: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, content).unwrap();
}

/// A graph as sets of lines: blocks as `kind qualified_name` (modules also name their
/// file: `module a::b (src/b.rs)`), edges as `kind source -> target`, where a block is
/// shown by its qualified name (`impl X` for impl blocks) and an unresolved target
/// as `?text`.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub blocks: BTreeSet<String>,
    pub edges: BTreeSet<String>,
}

fn block_line(b: &Block) -> String {
    match b.kind {
        BlockKind::Module => format!("module {} ({})", b.qualified_name, b.path),
        BlockKind::Impl => node_name(b),
        _ => format!("{} {}", b.kind, b.qualified_name),
    }
}

fn node_name(b: &Block) -> String {
    let trait_name = b.metadata.iter().find(|(k, _)| k == "trait");
    match (b.kind, trait_name) {
        (BlockKind::Impl, Some((_, t))) => format!("impl {t} for {}", b.qualified_name),
        (BlockKind::Impl, None) => format!("impl {}", b.qualified_name),
        _ => b.qualified_name.clone(),
    }
}

pub fn snapshot(store: &GraphStore) -> Snapshot {
    let mut blocks_by_id: HashMap<BlockId, Block> = HashMap::new();
    let ks = store.keyspaces();
    let mut it = store.scan(&ks.blocks).unwrap();
    while let Some((k, v)) = it.next_entry().unwrap() {
        let id = BlockId::from_slice(k).unwrap();
        blocks_by_id.insert(id, Block::decode(id, v).unwrap());
    }
    let mut out = Snapshot::default();
    for b in blocks_by_id.values() {
        if b.workspace == WORKSPACE && b.kind != BlockKind::Unresolved {
            out.blocks.insert(block_line(b));
        }
    }
    let mut it = store.scan(&ks.edges_out).unwrap();
    while let Some((k, v)) = it.next_entry().unwrap() {
        let e = Edge::decode(k, v, true).unwrap();
        let source = blocks_by_id
            .get(&e.source)
            .map(node_name)
            .unwrap_or_else(|| format!("<missing {}>", e.source));
        let target = if e.info.resolved {
            blocks_by_id
                .get(&e.target)
                .map(node_name)
                .unwrap_or_else(|| format!("<missing {}>", e.target))
        } else {
            format!("?{}", e.info.target_text)
        };
        out.edges.insert(format!("{} {source} -> {target}", e.kind));
    }
    // Every edge must be in the target index too, or callers would be lost.
    let mut incoming = 0usize;
    let mut it = store.scan(&ks.edges_in).unwrap();
    while it.next_entry().unwrap().is_some() {
        incoming += 1;
    }
    let mut outgoing = 0usize;
    let mut it = store.scan(&ks.edges_out).unwrap();
    while it.next_entry().unwrap().is_some() {
        outgoing += 1;
    }
    assert_eq!(incoming, outgoing, "edges_in and edges_out disagree");
    out
}

/// Parses an expectation: a `blocks:` section, indented by two spaces per level of
/// containment (each indented block is contained by the block above it one level
/// less indented), then an `edges:` section of `kind source -> target` lines; the
/// contains edges follow from the indentation and are not listed.
pub fn expected(text: &str) -> Snapshot {
    let mut out = Snapshot::default();
    let mut section = "";
    // (indent, name shown in edges) of the open blocks.
    let mut open: Vec<(usize, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim() {
            "blocks:" | "edges:" => {
                section = line.trim();
                continue;
            }
            _ => {}
        }
        match section {
            "blocks:" => {
                let indent = line.len() - line.trim_start().len();
                let entry = line.trim();
                let (kind, rest) = entry.split_once(' ').expect("kind name");
                let name = match kind {
                    "module" => rest.split(" (").next().unwrap().to_string(),
                    "impl" => format!("impl {rest}"),
                    _ => rest.to_string(),
                };
                while open.last().is_some_and(|(i, _)| *i >= indent) {
                    open.pop();
                }
                if let Some((_, parent)) = open.last() {
                    out.edges.insert(format!("contains {parent} -> {name}"));
                }
                open.push((indent, name));
                out.blocks.insert(entry.to_string());
            }
            "edges:" => {
                out.edges.insert(line.trim().to_string());
            }
            _ => panic!("expectation line outside a section: {line}"),
        }
    }
    out
}

/// Asserts two snapshots are equal, listing what is missing and what is unexpected.
pub fn assert_graph(actual: &Snapshot, expected: &Snapshot) {
    let mut report = String::new();
    for (what, a, e) in [
        ("blocks", &actual.blocks, &expected.blocks),
        ("edges", &actual.edges, &expected.edges),
    ] {
        for missing in e.difference(a) {
            report.push_str(&format!("missing {what}: {missing}\n"));
        }
        for extra in a.difference(e) {
            report.push_str(&format!("unexpected {what}: {extra}\n"));
        }
    }
    assert!(
        report.is_empty(),
        "graph differs from expectation:\n{report}"
    );
}

/// Counts of an expectation, to check a fixture is as large as the issue asks.
pub fn count_kind(s: &Snapshot, prefix: &str) -> usize {
    s.edges.iter().filter(|e| e.starts_with(prefix)).count()
}

impl Project {
    /// Every file of the project directory, as (path, content), sorted by path.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        collect(&self.root, &self.root, &mut out);
        out
    }

    /// A fresh project holding the same files, synced from scratch.
    pub fn ingested_from_scratch(&self) -> Project {
        let files = self.files();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let fresh = Project::new(&borrowed);
        fresh.sync();
        fresh
    }

    /// The raw entries of every keyspace but `workspaces` (whose root and sync time
    /// differ between two projects), for byte-for-byte comparison.
    pub fn raw(&self) -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
        let ks = self.store.keyspaces();
        let mut out = Vec::new();
        for (name, k) in ks.graph() {
            let mut it = self.store.scan(k).unwrap();
            while let Some((key, value)) = it.next_entry().unwrap() {
                out.push((name, key.to_vec(), value.to_vec()));
            }
        }
        out
    }

    /// The qualified names of the callers of the block with qualified name `target`.
    pub fn callers_of(&self, target: &str) -> BTreeSet<String> {
        let ids = self.store.blocks_qualified(target).unwrap();
        let mut out = BTreeSet::new();
        for id in ids {
            for e in self
                .store
                .edges_to(&id, Some(cairn_graph::EdgeKind::Calls))
                .unwrap()
            {
                if let Some(b) = self.store.block(&e.source).unwrap() {
                    out.insert(b.qualified_name);
                }
            }
        }
        out
    }
}
