//! Sorts the Rust call sites of a tree into classes by what could resolve them, to see
//! where unresolved calls go: `cargo run --release -p cairn-graph --example
//! call_breakdown -- PATH [N]` (N: how many example texts per class; with
//! `SAMPLE=<class>`, some unresolved sites of that class go to stderr; with
//! `SKIP_PREFIX=<dir/>`, files under that path are left out of the counts, e.g. a
//! library's sources vendored beside the code measured).

mod common;

use cairn_graph::extract::{RECEIVER_TYPE, RETURN_OF};
use cairn_graph::{BlockKind, EdgeKind, Language};
use std::collections::{HashMap, HashSet};

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().expect("usage: call_breakdown PATH [N]");
    let top: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(8);
    let (_db, store, _) = common::synced_store(&root, "w");
    let indexes = store.file_indexes("w").unwrap();
    // Names defined in the workspace, by kind class.
    let mut methods: HashMap<&str, usize> = HashMap::new();
    let mut functions: HashSet<&str> = HashSet::new();
    let mut containers: HashSet<&str> = HashSet::new();
    for (_, i) in &indexes {
        for s in &i.symbols {
            match s.kind {
                BlockKind::Method => *methods.entry(&s.name).or_default() += 1,
                k if k.is_callable() => {
                    functions.insert(&s.name);
                }
                _ => {}
            }
            if s.kind == BlockKind::Module || s.kind == BlockKind::Impl || s.kind.is_type() {
                containers.insert(&s.name);
            }
            // Crate roots: the first segment of module paths.
            if let Some(first) = s.qualified_name.split("::").next() {
                containers.insert(first);
            }
        }
    }
    let skip_prefix = std::env::var("SKIP_PREFIX").ok();
    let mut classes: HashMap<&'static str, (usize, usize, HashMap<String, usize>)> = HashMap::new();
    let (mut total, mut resolved) = (0usize, 0usize);
    for (_path, index) in &indexes {
        if index.language != Some(Language::Rust)
            || skip_prefix.as_deref().is_some_and(|p| _path.starts_with(p))
        {
            continue;
        }
        let done: HashSet<(u32, &str)> = index
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Calls && e.info.resolved)
            .map(|e| (e.line, e.info.target_text.as_str()))
            .collect();
        for r in index
            .references
            .iter()
            .filter(|r| r.kind == EdgeKind::Calls)
        {
            let (written, typed) = match r.qualifier.as_deref() {
                Some(q) => match q.split_once(RECEIVER_TYPE) {
                    Some((w, t)) => (Some(w), Some(t)),
                    None => (Some(q), None),
                },
                None => (None, None),
            };
            let text = match written {
                None => r.name.clone(),
                Some(q) if q.ends_with(['.', ':']) => format!("{q}{}", r.name),
                Some(q) => format!("{q}::{}", r.name),
            };
            let ok = done.contains(&(r.line, text.as_str()));
            total += 1;
            resolved += usize::from(ok);
            let n = methods.get(r.name.as_str()).copied().unwrap_or(0);
            let class = match written {
                Some(q) if q.ends_with('.') => {
                    let selfish = q == "self.";
                    match (n, typed, selfish) {
                        (0, _, _) => "method: name no workspace method has",
                        (_, _, true) => "method on self.",
                        (1, _, _) => "method: one workspace method so named",
                        (_, Some(_), _) => "method: several so named, receiver typed",
                        _ => "method: several so named, receiver untyped",
                    }
                }
                Some(q) => {
                    let first = q.split("::").next().unwrap_or("");
                    match first {
                        "std" | "core" | "alloc" => "path: std::/core::/alloc::",
                        "Self" | "self" => "path: Self::/self::",
                        "crate" | "super" => "path: crate::/super::",
                        f if !containers.contains(f) => {
                            "path: first segment unknown to the workspace"
                        }
                        _ => "path: first segment a workspace module/type",
                    }
                }
                None => {
                    if functions.contains(r.name.as_str()) || n > 0 {
                        "bare: name defined in workspace"
                    } else {
                        "bare: name not defined in workspace"
                    }
                }
            };
            if !ok && std::env::var("SAMPLE").is_ok_and(|c| c == class) {
                // Every 97th, for a look at the sources.
                if (r.line as usize + r.name.len()).is_multiple_of(97) {
                    eprintln!("{}:{} {text}", _path, r.line);
                }
            }
            let c = classes.entry(class).or_default();
            c.0 += 1;
            if ok {
                c.1 += 1;
            } else {
                // Typed receivers are grouped by their type.
                let key = typed.map_or(text, |t| {
                    // What a call returns: named by that call's name.
                    let t = match t.strip_prefix(RETURN_OF) {
                        Some(call) => format!(
                            "returned by {}()",
                            call.split(RETURN_OF).next().unwrap_or("")
                        ),
                        None => t.to_string(),
                    };
                    format!("<{t}>.{}", r.name)
                });
                *c.2.entry(key).or_default() += 1;
            }
        }
    }
    println!(
        "rust calls {total}, resolved {resolved} ({:.1}%)",
        100.0 * resolved as f64 / total as f64
    );
    let mut v: Vec<_> = classes.into_iter().collect();
    v.sort_by_key(|(_, c)| std::cmp::Reverse(c.0 - c.1));
    for (class, (n, ok, texts)) in v {
        println!(
            "{:>7} unresolved of {:>7} ({:>5.1}% of all calls)  {class}",
            n - ok,
            n,
            100.0 * (n - ok) as f64 / total as f64
        );
        let mut t: Vec<_> = texts.into_iter().collect();
        t.sort_by_key(|e| std::cmp::Reverse(e.1));
        let ex: Vec<String> = t
            .iter()
            .take(top)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("          {}", ex.join(", "));
    }
}
