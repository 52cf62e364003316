//! Single-thread extraction speed over the Rust files of a tree, split into parsing
//! alone and the whole extraction:
//! `cargo run --release -p cairn-graph --example extract_speed -- PATH`.

mod common;
use common::cpu;

use cairn_graph::extract::{grammar, Extractor};
use cairn_graph::Language;

fn main() {
    let root = std::env::args().nth(1).expect("usage: extract_speed PATH");
    let files = common::rust_files(&root);
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let mb = bytes as f64 / 1e6;
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&grammar(Language::Rust, "x.rs"))
        .unwrap();
    let t = cpu();
    for (_, s) in &files {
        parser.parse(s, None).unwrap();
    }
    let parse = cpu() - t;
    let mut ex = Extractor::new();
    let t = cpu();
    let mut refs = 0;
    for (p, s) in &files {
        refs += ex.extract(Language::Rust, p, s).unwrap().references.len();
    }
    let all = cpu() - t;
    println!(
        "{} files {mb:.1} MB: parse {parse:.2} CPU s ({:.2} MB/s), extract {all:.2} CPU s ({:.2} MB/s), {refs} references",
        files.len(),
        mb / parse,
        mb / all
    );
}
