//! Extraction: one source file in, its definitions and references out.
//!
//! Each language has a tree-sitter grammar and a query file (`queries/<dialect>.scm`)
//! whose captures name what the extractor wants:
//!
//! | capture                              | meaning                                        |
//! |--------------------------------------|------------------------------------------------|
//! | `@definition.<kind>` with `@name`    | a definition of that [`BlockKind`] and name    |
//! | `@call` with `@call.name` and optionally `@call.qualifier` | a call site        |
//! | `@call.receiver` (instead of a qualifier) | the value a Rust method is called on |
//! | `@import`                            | an import statement (the language's code splits it) |
//! | `@implements`, `@extends`            | a type the enclosing definition implements / extends |
//! | `@binding` with `@binding.name`      | a local binding (parameter, `let`, pattern); its type (the language's code reads it) types receivers of that name |
//! | `@field` with `@field.name`          | a struct field; its type types `self.<name>` receivers |
//!
//! Rust, the language of the largest codebases Cairn indexes, finds the same matches
//! with a hand-written walk ([`rust_walk`]), checked against its query file by tests.
//!
//! Containment comes from the nesting of definition nodes; a reference belongs to the
//! innermost definition around it. What the queries cannot say (Rust use trees, test
//! attributes, doc comments, Go receivers) the language's [`driver::Spec`] adds.
//!
//! [`BlockKind`]: crate::model::BlockKind

pub mod allocator;
mod const_trait;
mod driver;
pub use driver::{BLANKET, RECEIVER_TYPE, RETURN_OF, TRIED};
mod go;
mod python;
mod rust;
mod rust_walk;
mod typescript;
mod zig;

use crate::model::{Language, ParsedFile};
use std::sync::OnceLock;
use tree_sitter::{Parser, Query, QueryCursor};

/// The version of what extraction produces (queries, qualified-name rules, resolution
/// inputs). Bump it with any change that alters the definitions or references of an
/// unchanged file: a workspace synced by another version is then extracted again.
/// (6: tree-sitter 0.27, which recovers from some syntax errors differently.)
pub const EXTRACTOR_VERSION: u64 = 6;

/// Why a file could not be extracted at all (a file with syntax errors still extracts).
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{path}: the {language} grammar could not be loaded: {reason}")]
    Grammar {
        path: String,
        language: Language,
        reason: String,
    },
    #[error("{path}: tree-sitter gave up parsing the file")]
    ParseFailed { path: String },
    #[error("{path}: {size} bytes is more than the extractor's limit of 4 GiB")]
    TooLarge { path: String, size: usize },
}

/// The tree-sitter grammar for a file of `language` (TypeScript files ending in `.tsx`
/// use the TSX dialect).
pub fn grammar(language: Language, path: &str) -> tree_sitter::Language {
    Dialect::of(language, path).grammar()
}

/// The text to parse in place of `source`, when the grammar needs help: Rust's
/// const-trait syntax blanked (same length, same lines). `None`: parse `source`.
pub fn parse_text(language: Language, source: &str) -> Option<String> {
    match language {
        Language::Rust => const_trait::blank_const_trait_syntax(source),
        _ => None,
    }
}

/// A grammar with its own query file: TypeScript and TSX are two grammars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    Rust,
    Python,
    TypeScript,
    Tsx,
    JavaScript,
    Go,
    Zig,
}

impl Dialect {
    const COUNT: usize = 7;

    fn of(language: Language, path: &str) -> Dialect {
        match language {
            Language::Rust => Dialect::Rust,
            Language::Python => Dialect::Python,
            Language::TypeScript if path.ends_with(".tsx") => Dialect::Tsx,
            Language::TypeScript => Dialect::TypeScript,
            Language::JavaScript => Dialect::JavaScript,
            Language::Go => Dialect::Go,
            Language::Zig => Dialect::Zig,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn grammar(self) -> tree_sitter::Language {
        match self {
            Dialect::Rust => tree_sitter_rust::LANGUAGE.into(),
            Dialect::Python => tree_sitter_python::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::Go => tree_sitter_go::LANGUAGE.into(),
            Dialect::Zig => tree_sitter_zig::LANGUAGE.into(),
        }
    }

    fn query_source(self) -> &'static str {
        match self {
            Dialect::Rust => include_str!("../../queries/rust.scm"),
            Dialect::Python => include_str!("../../queries/python.scm"),
            Dialect::TypeScript | Dialect::Tsx => include_str!("../../queries/typescript.scm"),
            Dialect::JavaScript => include_str!("../../queries/javascript.scm"),
            Dialect::Go => include_str!("../../queries/go.scm"),
            Dialect::Zig => include_str!("../../queries/zig.scm"),
        }
    }

    fn spec(self) -> &'static dyn driver::Spec {
        match self {
            Dialect::Rust => &rust::Rust,
            Dialect::Python => &python::Python,
            Dialect::TypeScript | Dialect::Tsx | Dialect::JavaScript => &typescript::TypeScript,
            Dialect::Go => &go::Go,
            Dialect::Zig => &zig::Zig,
        }
    }

    /// The dialect's compiled query, shared by all threads (compiled on first use).
    fn query(self) -> Result<&'static driver::CompiledQuery, String> {
        static QUERIES: [OnceLock<Result<driver::CompiledQuery, String>>; Dialect::COUNT] =
            [const { OnceLock::new() }; Dialect::COUNT];
        QUERIES[self.index()]
            .get_or_init(|| {
                Query::new(&self.grammar(), self.query_source())
                    .map(driver::CompiledQuery::new)
                    .map_err(|e| format!("query file error at row {}: {}", e.row + 1, e.message))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Extracts the definitions and references of one file. `rel_path` is the file's path
/// relative to the workspace root, with `/` separators; qualified names derive from it.
/// Creates a parser per call: use an [`Extractor`] for many files.
pub fn extract(
    language: Language,
    rel_path: &str,
    source: &str,
) -> Result<ParsedFile, ExtractError> {
    Extractor::new().extract(language, rel_path, source)
}

/// Reusable extraction state for one thread: a parser per dialect and a query cursor.
pub struct Extractor {
    parsers: [Option<Parser>; Dialect::COUNT],
    cursor: QueryCursor,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

impl Extractor {
    pub fn new() -> Extractor {
        Extractor {
            parsers: Default::default(),
            cursor: QueryCursor::new(),
        }
    }

    pub fn extract(
        &mut self,
        language: Language,
        rel_path: &str,
        source: &str,
    ) -> Result<ParsedFile, ExtractError> {
        self.extract_with(language, rel_path, source, driver::Matcher::Fastest)
    }

    /// [`Self::extract`] running the language's query file even where a hand-written
    /// walker replaces it: the reference the walkers are checked against.
    pub fn extract_by_query(
        &mut self,
        language: Language,
        rel_path: &str,
        source: &str,
    ) -> Result<ParsedFile, ExtractError> {
        self.extract_with(language, rel_path, source, driver::Matcher::Query)
    }

    fn extract_with(
        &mut self,
        language: Language,
        rel_path: &str,
        source: &str,
        matcher: driver::Matcher,
    ) -> Result<ParsedFile, ExtractError> {
        if u32::try_from(source.len()).is_err() {
            return Err(ExtractError::TooLarge {
                path: rel_path.to_string(),
                size: source.len(),
            });
        }
        let dialect = Dialect::of(language, rel_path);
        let grammar_error = |reason: String| ExtractError::Grammar {
            path: rel_path.to_string(),
            language,
            reason,
        };
        let parser = match &mut self.parsers[dialect.index()] {
            Some(p) => p,
            slot => {
                let mut p = Parser::new();
                p.set_language(&dialect.grammar())
                    .map_err(|e| grammar_error(e.to_string()))?;
                slot.insert(p)
            }
        };
        // Offsets are kept, so the tree of the blanked text slices `source` itself.
        let blanked = parse_text(language, source);
        let tree = parser
            .parse(blanked.as_deref().unwrap_or(source), None)
            .ok_or_else(|| ExtractError::ParseFailed {
                path: rel_path.to_string(),
            })?;
        driver::run(
            language,
            dialect.spec(),
            || dialect.query(),
            &mut self.cursor,
            &tree,
            rel_path,
            source,
            matcher,
        )
        .map_err(grammar_error)
    }
}
