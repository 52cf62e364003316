//! Groups the unresolved Rust call sites of a tree by shape, to see what resolution
//! misses: `cargo run --release -p cairn-graph --example unresolved_calls -- PATH [N]`.

mod common;

use cairn_graph::{EdgeKind, Language};
use std::collections::HashMap;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().expect("usage: unresolved_calls PATH [N]");
    let top: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(40);
    let (_db, store, s) = common::synced_store(&root, "w");
    eprintln!(
        "{} files, {} calls, {} resolved",
        s.files, s.calls, s.calls_resolved
    );
    let mut shapes: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let (mut total, mut resolved) = (0usize, 0usize);
    for (_, index) in store.file_indexes("w").unwrap() {
        if index.language != Some(Language::Rust) {
            continue;
        }
        for e in index.edges.iter().filter(|e| e.kind == EdgeKind::Calls) {
            total += 1;
            if e.info.resolved {
                resolved += 1;
                continue;
            }
            let t = &e.info.target_text;
            let shape = if let Some((q, n)) = t.rsplit_once("::") {
                if q.ends_with('.') || q.contains(['.', '(', ' ']) {
                    format!("method .{n}")
                } else {
                    let first = q.split("::").next().unwrap_or(q);
                    format!("path {first}::")
                }
            } else if let Some((_, n)) = t.rsplit_once('.') {
                format!("method .{n}")
            } else {
                "bare".to_string()
            };
            let kind = shape.split(' ').next().unwrap_or("").to_string();
            *shapes.entry(kind).or_default() += 1;
            *names.entry(shape).or_default() += 1;
        }
    }
    println!("rust calls {total}, resolved {resolved}");
    let mut v: Vec<_> = shapes.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (k, n) in v {
        println!("{n:>8} {k}");
    }
    let mut v: Vec<_> = names.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (k, n) in v.into_iter().take(top) {
        println!("{n:>8} {k}");
    }
}
