//! Lists what resolved call sites resolve to, most frequent first, to spot wrong
//! resolutions: `cargo run --release -p cairn-graph --example call_targets -- PATH [N]`
//! prints N lines `count target <- called name` (default 400); with
//! `SKIP_PREFIX=<dir/>`, calls from files under that path are left out.

mod common;

use cairn_graph::EdgeKind;
use std::collections::HashMap;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().expect("usage: call_targets PATH [N]");
    let top: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(400);
    let skip_prefix = std::env::var("SKIP_PREFIX").ok();
    let (_db, store, _) = common::synced_store(&root, "w");
    let indexes = store.file_indexes("w").expect("stored file indexes");
    let mut names = HashMap::new();
    for (_, i) in &indexes {
        for s in &i.symbols {
            names.insert(s.id, s.qualified_name.as_str());
        }
    }
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    for (path, i) in &indexes {
        if skip_prefix.as_deref().is_some_and(|p| path.starts_with(p)) {
            continue;
        }
        for e in &i.edges {
            if e.kind == EdgeKind::Calls && e.info.resolved {
                let target = names.get(&e.target).copied().unwrap_or("");
                let called = e.info.target_text.rsplit(['.', ':']).next().unwrap_or("");
                *counts.entry((target, called)).or_default() += 1;
            }
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((target, called), n) in v.into_iter().take(top) {
        println!("{n} {target} <- {called}");
    }
}
