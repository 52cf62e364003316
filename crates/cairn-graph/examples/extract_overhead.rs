//! Extraction cost beyond tree-sitter's parse, on one thread: each file is parsed
//! alone, then extracted, one after the other, so that the machine's load drifts
//! alike for both sums: `cargo run --release -p cairn-graph --example
//! extract_overhead -- PATH [PASSES]`.

mod common;

use cairn_graph::extract::{grammar, Extractor};
use cairn_graph::Language;
use std::time::{Duration, Instant};

fn main() {
    let root = std::env::args()
        .nth(1)
        .expect("usage: extract_overhead PATH [PASSES]");
    let passes: usize = std::env::args()
        .nth(2)
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let files = common::rust_files(&root);
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&grammar(Language::Rust, "x.rs"))
        .unwrap();
    let mut ex = Extractor::new();
    let (mut parse, mut extract) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..passes {
        for (p, s) in &files {
            let t = Instant::now();
            drop(parser.parse(s, None).unwrap());
            parse += t.elapsed();
            let t = Instant::now();
            drop(ex.extract(Language::Rust, p, s).unwrap());
            extract += t.elapsed();
        }
    }
    let (parse, extract) = (parse.as_secs_f64(), extract.as_secs_f64());
    println!(
        "{} files x {passes}: parse {parse:.2} s, extract {extract:.2} s, extract - parse {:.2} s ({:.1}% of parse)",
        files.len(),
        extract - parse,
        100.0 * (extract - parse) / parse
    );
}
