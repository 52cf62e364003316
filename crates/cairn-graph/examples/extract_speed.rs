//! Single-thread extraction speed over the Rust files of a tree, split into parsing
//! alone and the whole extraction:
//! `cargo run --release -p cairn-graph --example extract_speed -- PATH`.

use cairn_graph::extract::{grammar, Extractor};
use cairn_graph::Language;

/// CPU seconds this process used (Linux `/proc/self/stat`, 100 ticks a second).
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn main() {
    let root = std::env::args().nth(1).expect("usage: extract_speed PATH");
    let mut files = Vec::new();
    for e in ignore::WalkBuilder::new(&root).build().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs") {
            if let Ok(s) = std::fs::read_to_string(p) {
                if s.len() < 1 << 20 {
                    files.push((p.display().to_string(), s));
                }
            }
        }
    }
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
