//! Extractor behaviour beyond the fixture graphs: docs, signatures and metadata, and
//! robustness on broken input (every prefix of every fixture file, and noise).

use cairn_graph::extract::Extractor;
use cairn_graph::{BlockKind, Language, ParsedFile};
use std::path::Path;

fn extract(language: Language, path: &str, src: &str) -> ParsedFile {
    Extractor::new().extract(language, path, src).unwrap()
}

fn def<'p>(parsed: &'p ParsedFile, name: &str) -> &'p cairn_graph::Definition {
    parsed
        .definitions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no definition {name}"))
}

fn meta<'d>(d: &'d cairn_graph::Definition, key: &str) -> Option<&'d str> {
    d.metadata
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn rust_docs_signatures_and_metadata() {
    let src = "//! The crate.\n\n/// Adds.\n/// Twice.\n#[inline]\npub async fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";
    let p = extract(Language::Rust, "src/lib.rs", src);
    assert_eq!(p.definitions[0].doc, "The crate.");
    let add = def(&p, "add");
    assert_eq!(add.kind, BlockKind::Function);
    assert_eq!(add.doc, "Adds.\nTwice.");
    assert_eq!(add.signature, "pub async fn add(a: u32, b: u32) -> u32");
    assert_eq!(meta(add, "visibility"), Some("pub"));
    assert_eq!(meta(add, "async"), Some("true"));
    assert_eq!(meta(add, "return_type"), Some("u32"));
    assert_eq!((add.span.start_line, add.span.end_line), (6, 8));
    assert_eq!(
        &src[add.span.start_byte as usize..add.span.end_byte as usize],
        "pub async fn add(a: u32, b: u32) -> u32 {\n    a + b\n}"
    );
}

#[test]
fn rust_module_paths_follow_the_crate_layout() {
    let module = |path: &str| {
        extract(Language::Rust, path, "").definitions[0]
            .qualified_name
            .clone()
    };
    assert_eq!(
        module("crates/cairn-storage/src/wal/record.rs"),
        "cairn_storage::wal::record"
    );
    assert_eq!(
        module("crates/cairn-storage/src/wal/mod.rs"),
        "cairn_storage::wal"
    );
    assert_eq!(module("crates/cairn-storage/src/lib.rs"), "cairn_storage");
    assert_eq!(
        module("crates/cairn-graph/tests/common/mod.rs"),
        "cairn_graph::tests::common"
    );
    assert_eq!(module("src/main.rs"), "crate");
    assert_eq!(module("build.rs"), "build");
}

#[test]
fn python_docstrings_and_decorators() {
    let src = "class A:\n    \"\"\"An A.\"\"\"\n    @property\n    def size(self) -> int:\n        \"\"\"How big.\"\"\"\n        return 1\n";
    let p = extract(Language::Python, "pkg/a.py", src);
    assert_eq!(p.definitions[0].qualified_name, "pkg.a");
    assert_eq!(def(&p, "A").doc, "An A.");
    let size = def(&p, "size");
    assert_eq!(size.kind, BlockKind::Method);
    assert_eq!(size.qualified_name, "pkg.a.A.size");
    assert_eq!(size.doc, "How big.");
    assert_eq!(size.signature, "def size(self) -> int");
    assert_eq!(meta(size, "decorators"), Some("@property"));
}

#[test]
fn typescript_jsdoc_and_exports() {
    let src = "/**\n * Greets.\n * Politely.\n */\nexport function hi(name: string): string {\n  return name;\n}\n";
    let p = extract(Language::TypeScript, "src/ui/index.ts", src);
    assert_eq!(p.definitions[0].qualified_name, "src/ui");
    let hi = def(&p, "hi");
    assert_eq!(hi.doc, "Greets.\nPolitely.");
    assert_eq!(hi.qualified_name, "src/ui.hi");
    assert_eq!(meta(hi, "visibility"), Some("export"));
    assert_eq!(meta(hi, "return_type"), Some("string"));
}

#[test]
fn go_doc_comments_and_receivers() {
    let src = "package store\n\n// Put stores.\n// Overwrites.\nfunc (s *Store) Put(k string) error { return nil }\n";
    let p = extract(Language::Go, "internal/store/store.go", src);
    assert_eq!(p.definitions[0].name, "store");
    let put = def(&p, "Put");
    assert_eq!(put.kind, BlockKind::Method);
    assert_eq!(put.qualified_name, "internal/store.Store.Put");
    assert_eq!(put.doc, "Put stores.\nOverwrites.");
    assert_eq!(meta(put, "receiver"), Some("Store"));
    assert_eq!(meta(put, "visibility"), Some("exported"));
}

#[test]
fn zig_containers_and_tests() {
    let src = "/// A thing.\npub const Thing = struct {\n    pub fn make() Thing { return .{}; }\n};\ntest \"makes\" { _ = Thing.make(); }\n";
    let p = extract(Language::Zig, "src/thing.zig", src);
    let thing = def(&p, "Thing");
    assert_eq!(thing.kind, BlockKind::Struct);
    assert_eq!(thing.doc, "A thing.");
    assert_eq!(def(&p, "make").kind, BlockKind::Method);
    assert_eq!(def(&p, "makes").kind, BlockKind::Test);
    assert_eq!(p.references.len(), 1);
}

/// The invariants every extraction keeps, whatever the input.
fn check_invariants(p: &ParsedFile, src: &str) {
    assert_eq!(p.definitions[0].kind, BlockKind::Module);
    assert!(p.definitions[0].parent.is_none());
    for (i, d) in p.definitions.iter().enumerate().skip(1) {
        let parent = d.parent.expect("only the module has no parent");
        assert!(parent < i, "parent after child");
        let (s, e) = (d.span.start_byte as usize, d.span.end_byte as usize);
        assert!(s <= e && e <= src.len());
        let ps = &p.definitions[parent].span;
        assert!(
            ps.start_byte as usize <= s && e <= ps.end_byte as usize,
            "child outside parent"
        );
    }
    for r in &p.references {
        assert!(r.from < p.definitions.len());
        assert!(!r.name.is_empty());
    }
}

fn fixture_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else if let Ok(src) = std::fs::read_to_string(&path) {
            out.push((path.to_string_lossy().into_owned(), src));
        }
    }
}

#[test]
fn every_prefix_of_every_fixture_file_extracts_without_panicking() {
    let mut files = Vec::new();
    fixture_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    let mut extractor = Extractor::new();
    let mut checked = 0;
    for (path, src) in &files {
        let Some(language) = Language::from_path(path) else {
            continue;
        };
        let mut cuts: Vec<usize> = src.match_indices('\n').map(|(i, _)| i).collect();
        cuts.push(src.len());
        // Also cut inside lines, where tokens are broken.
        cuts.extend(
            (0..src.len())
                .step_by(7)
                .filter(|&i| src.is_char_boundary(i)),
        );
        for cut in cuts {
            let prefix = &src[..cut];
            let p = extractor.extract(language, path, prefix).unwrap();
            check_invariants(&p, prefix);
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} prefixes");
}

#[test]
fn noise_extracts_without_panicking() {
    // A deterministic generator: no dependency, same noise every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: Vec<char> = "fn struct impl class def func const test ( ) { } [ ] < > : ; . , = \" ' / * # @ \n \t x y é 😀"
        .split(' ')
        .flat_map(|s| s.chars().chain(std::iter::once(' ')))
        .collect();
    let mut extractor = Extractor::new();
    for round in 0..300 {
        let len = (next() % 400) as usize;
        let src: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        for language in Language::ALL {
            let path = format!("src/noise{round}.x");
            let p = extractor.extract(language, &path, &src).unwrap();
            check_invariants(&p, &src);
        }
    }
}

#[test]
fn syntax_errors_are_counted() {
    let p = extract(Language::Rust, "src/lib.rs", "fn ok() {}\nfn broken( {\n");
    assert!(p.syntax_errors > 0);
    assert!(p.definitions.iter().any(|d| d.name == "ok"));
    let clean = extract(Language::Rust, "src/lib.rs", "fn ok() {}\n");
    assert_eq!(clean.syntax_errors, 0);
}
