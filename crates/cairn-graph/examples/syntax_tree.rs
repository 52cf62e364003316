//! Prints the tree-sitter syntax tree of a source file, for writing extractor queries:
//! `cargo run -p cairn-graph --example syntax_tree -- path/to/file.rs`; with
//! `--extract`, prints what the extractor finds in it instead; with `--raw`, the tree of
//! the file as it is, without the extractor's pre-parse step (see `extract::parse_text`).

use cairn_graph::extract::grammar;
use cairn_graph::Language;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_extract = args.iter().any(|a| a == "--extract");
    let args_raw = args.iter().any(|a| a == "--raw");
    let Some(path) = args.into_iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: syntax_tree [--extract] FILE");
        std::process::exit(2);
    };
    let Some(language) = Language::from_path(&path) else {
        eprintln!("{path}: not a language Cairn parses");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    if show_extract {
        match cairn_graph::extract::extract(language, &path, &source) {
            Ok(parsed) => print_extract(&parsed),
            Err(e) => eprintln!("{e}"),
        }
        return;
    }
    let mut parser = tree_sitter::Parser::new();
    if let Err(e) = parser.set_language(&grammar(language, &path)) {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    }
    // What the extractor parses (`--raw`: the file as it is).
    let blanked = if args_raw {
        None
    } else {
        cairn_graph::extract::parse_text(language, &source)
    };
    let Some(tree) = parser.parse(blanked.as_deref().unwrap_or(&source), None) else {
        eprintln!("{path}: the parser gave up");
        std::process::exit(1);
    };
    print_node(tree.root_node(), &source, 0, None);
}

fn print_node(node: tree_sitter::Node, source: &str, depth: usize, field: Option<&str>) {
    let text = &source[node.byte_range()];
    let shown: String = if node.child_count() == 0 {
        format!(" {:?}", text.chars().take(40).collect::<String>())
    } else {
        String::new()
    };
    let label = field.map(|f| format!("{f}: ")).unwrap_or_default();
    if node.is_named() {
        println!("{}{label}{}{shown}", "  ".repeat(depth), node.kind());
    }
    let mut cursor = node.walk();
    for (i, child) in node.children(&mut cursor).enumerate() {
        let f = node.field_name_for_child(i as u32);
        print_node(child, source, depth + 1, f);
    }
}

fn print_extract(parsed: &cairn_graph::ParsedFile) {
    for (i, d) in parsed.definitions.iter().enumerate() {
        println!(
            "def {i} {} {} ({}) parent={:?} lines {}-{} sig={:?} doc={:?} meta={:?}",
            d.kind,
            d.name,
            d.qualified_name,
            d.parent,
            d.span.start_line,
            d.span.end_line,
            d.signature,
            d.doc,
            d.metadata
        );
    }
    for r in &parsed.references {
        println!(
            "ref {} from={} name={} qualifier={:?} alias={:?} line={}",
            r.kind, r.from, r.name, r.qualifier, r.alias, r.line
        );
    }
    println!("syntax errors: {}", parsed.syntax_errors);
}
