//! Syncs a tree into a fresh database and prints a digest of every graph keyspace
//! (blocks, names, edges both ways, files, file indexes: keys and values in key
//! order) and its size in bytes, so two builds can be checked to give the same graph byte for byte:
//! `cargo run --release -p cairn-graph --example graph_digest -- PATH`.

mod common;

fn main() {
    let root = std::env::args().nth(1).expect("usage: graph_digest PATH");
    let (_db, store, summary) = common::synced_store(&root, "digest");
    println!(
        "files {} blocks {} edges {} calls {} resolved {}",
        summary.files, summary.blocks, summary.edges, summary.calls, summary.calls_resolved
    );
    let ks = store.keyspaces().clone();
    for (name, k) in ks.graph() {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut rows = 0u64;
        let mut bytes = 0usize;
        let mut it = store.scan(k).expect("scan");
        while let Some((key, value)) = it.next_entry().expect("row") {
            hasher.update(&(key.len() as u64).to_le_bytes());
            hasher.update(key);
            hasher.update(&(value.len() as u64).to_le_bytes());
            hasher.update(value);
            rows += 1;
            bytes += key.len() + value.len();
        }
        println!(
            "{name}: {rows} rows, {:.1} MB, digest {:032x}",
            bytes as f64 / 1e6,
            hasher.digest128()
        );
    }
}
