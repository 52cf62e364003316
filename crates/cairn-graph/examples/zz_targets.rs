mod common;
use cairn_graph::EdgeKind;
use std::collections::HashMap;
fn main() {
    let root = std::env::args().nth(1).unwrap();
    let (_db, store, _) = common::synced_store(&root, "w");
    let indexes = store.file_indexes("w").unwrap();
    let mut names = HashMap::new();
    for (_, i) in &indexes {
        for s in &i.symbols {
            names.insert(s.id, s.qualified_name.clone());
        }
    }
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for (p, i) in &indexes {
        if p.starts_with("rust-std/") {
            continue;
        }
        for e in &i.edges {
            if e.kind == EdgeKind::Calls && e.info.resolved {
                let t = names.get(&e.target).cloned().unwrap_or_default();
                let m = e
                    .info
                    .target_text
                    .rsplit(['.', ':'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                *counts.entry((t, m)).or_default() += 1;
            }
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    for ((t, m), n) in v.iter().take(400) {
        println!("{n} {t} <- {m}");
    }
}
