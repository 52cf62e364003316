//! CPU time of resolution alone: syncs a tree once, then builds the symbol table of
//! its stored file indexes, resolves every file's references on one thread and drops
//! the table (the build's second thread is not counted):
//! `cargo run --release -p cairn-graph --example resolve_cost -- PATH [ROUNDS]`.

mod common;

use cairn_graph::resolve::SymbolTable;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().expect("usage: resolve_cost PATH [ROUNDS]");
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    let (_db, store, _) = common::synced_store(&root, "w");
    let mut indexes = store.file_indexes("w").unwrap();
    indexes.sort_by(|a, b| a.0.cmp(&b.0));
    // Package roots as the sync finds them: directories holding a Cargo.toml.
    let mut roots: Vec<String> = Vec::new();
    for e in ignore::WalkBuilder::new(&root).build().flatten() {
        if e.file_name() == "Cargo.toml" {
            let rel = e.path().strip_prefix(&root).unwrap().display().to_string();
            roots.push(rel[..rel.len() - "Cargo.toml".len()].to_string());
        }
    }
    let mut best = (f64::MAX, f64::MAX, f64::MAX);
    let mut edges = 0;
    for _ in 0..rounds {
        let t0 = common::cpu();
        let files: Vec<(&str, _)> = indexes.iter().map(|(p, i)| (p.as_str(), i)).collect();
        let table = SymbolTable::new("w", files, &roots);
        let t1 = common::cpu();
        edges = (0..indexes.len()).map(|fi| table.edges_of(fi).len()).sum();
        let t2 = common::cpu();
        drop(table);
        let t3 = common::cpu();
        best = (
            best.0.min(t1 - t0),
            best.1.min(t2 - t1),
            best.2.min(t3 - t2),
        );
    }
    println!(
        "{} files, {edges} edges: table {:.2} s, resolution {:.2} s, drop {:.2} s CPU (best of {rounds})",
        indexes.len(),
        best.0,
        best.1,
        best.2
    );
}
