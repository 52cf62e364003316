//! Single-thread CPU cost of executing the Rust extraction query over the Rust files of
//! a tree, against a plain cursor walk of the same trees; with a second argument, also
//! each pattern alone, to see which patterns query execution spends its time on:
//! `cargo run --release -p cairn-graph --example query_cost -- PATH [per-pattern]`.

mod common;
use common::cpu;

use cairn_graph::extract::grammar;
use cairn_graph::Language;

use tree_sitter::{Query, QueryCursor, StreamingIterator};

fn main() {
    let root = std::env::args().nth(1).expect("usage: query_cost PATH");
    let source = include_str!("../queries/rust.scm");
    let lang = grammar(Language::Rust, "x.rs");
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&lang).expect("grammar");
    let files: Vec<_> = common::rust_files(&root)
        .into_iter()
        .map(|(_, s)| {
            let tree = parser.parse(&s, None).expect("parse");
            (s, tree)
        })
        .collect();
    let run = |q: &Query| {
        let mut cursor = QueryCursor::new();
        let t = cpu();
        let mut n = 0usize;
        for (s, tree) in &files {
            let mut m = cursor.matches(q, tree.root_node(), s.as_bytes());
            while m.next().is_some() {
                n += 1;
            }
        }
        (cpu() - t, n)
    };
    let t = cpu();
    let mut nodes = 0usize;
    for (_, tree) in &files {
        let mut c = tree.walk();
        'walk: loop {
            nodes += 1;
            let _ = c.node().kind_id();
            if c.goto_first_child() {
                continue;
            }
            while !c.goto_next_sibling() {
                if !c.goto_parent() {
                    break 'walk;
                }
            }
        }
    }
    println!("cursor walk: {:.3} s, {nodes} nodes", cpu() - t);
    let full = Query::new(&lang, source).expect("query");
    let (all, n) = run(&full);
    println!(
        "all {} patterns: {all:.3} s, {n} matches",
        full.pattern_count()
    );
    if std::env::args().nth(2).is_none() {
        return;
    }
    for i in 0..full.pattern_count() {
        let text = &source[full.start_byte_for_pattern(i)..full.end_byte_for_pattern(i)];
        let q = Query::new(&lang, text).expect("pattern");
        let (secs, n) = run(&q);
        let first = text.lines().next().unwrap_or("");
        println!("{i:2} {secs:.3} s {n:7} matches  {first}");
    }
}
