//! Checks the hand-written Rust walker against the Rust query file on every Rust file
//! of a tree (same definitions and references, references compared in line order),
//! and times both single-threaded in CPU seconds:
//! `cargo run --release -p cairn-graph --example walker_check -- PATH`.

mod common;
use common::cpu;

use cairn_graph::extract::Extractor;
use cairn_graph::{Language, ParsedFile};

fn canonical(mut p: ParsedFile) -> ParsedFile {
    p.references.sort_by(|a, b| {
        (a.line, a.from, &a.name, &a.qualifier, &a.alias, a.kind).cmp(&(
            b.line,
            b.from,
            &b.name,
            &b.qualifier,
            &b.alias,
            b.kind,
        ))
    });
    p
}

fn main() {
    let root = std::env::args().nth(1).expect("usage: walker_check PATH");
    let files = common::rust_files(&root);
    let mb = files.iter().map(|f| f.1.len()).sum::<usize>() as f64 / 1e6;
    let mut ex = Extractor::new();
    let (mut walk_s, mut query_s, mut differ) = (0.0, 0.0, 0usize);
    for (path, text) in &files {
        let t = cpu();
        let walked = ex.extract(Language::Rust, path, text);
        let t2 = cpu();
        let queried = ex.extract_by_query(Language::Rust, path, text);
        query_s += cpu() - t2;
        walk_s += t2 - t;
        let same = match (walked, queried) {
            (Ok(w), Ok(q)) => canonical(w) == canonical(q),
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !same {
            differ += 1;
            eprintln!("differs: {path}");
        }
    }
    println!(
        "{} files {mb:.1} MB: {differ} differ; extraction with the walker {walk_s:.2} CPU s, with the query {query_s:.2} CPU s",
        files.len()
    );
}
