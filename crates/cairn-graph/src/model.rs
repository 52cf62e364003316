//! The code model: what one source file contains, as the extractors see it.
//!
//! An extractor turns one file into a [`ParsedFile`]: its [`Definition`]s (which become
//! blocks), and the [`Reference`]s it makes (calls, imports, implements, extends), each
//! naming its target by text. Resolving those names to blocks, giving blocks their
//! stable ids and storing them is the graph's work ([`crate::store`]), not the
//! extractor's: an extractor sees one file and nothing else.

use std::fmt;

/// A language Cairn can parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Rust,
    Python,
    TypeScript,
    JavaScript,
    Go,
    Zig,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::Rust,
        Language::Python,
        Language::TypeScript,
        Language::JavaScript,
        Language::Go,
        Language::Zig,
    ];

    /// The language of a file, by its extension; `None` for anything else.
    pub fn from_path(path: &str) -> Option<Language> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "rs" => Language::Rust,
            "py" | "pyi" => Language::Python,
            "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "go" => Language::Go,
            "zig" => Language::Zig,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::TypeScript => "typescript",
            Language::JavaScript => "javascript",
            Language::Go => "go",
            Language::Zig => "zig",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of unit of code a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockKind {
    /// A file, or an inline module / namespace inside one.
    Module,
    Function,
    Method,
    Struct,
    Enum,
    /// A Rust trait or a TypeScript / Go interface.
    Trait,
    Interface,
    Class,
    Constant,
    /// A test function (`#[test]`, `test_*` in Python, `TestXxx` in Go, `test "..."` in Zig).
    Test,
    /// A type alias (`type X = ...`).
    TypeAlias,
    /// A Rust `impl` block.
    Impl,
    /// An unresolved symbol: the target of a reference no block matched.
    Unresolved,
}

impl BlockKind {
    pub const ALL: [BlockKind; 13] = [
        BlockKind::Module,
        BlockKind::Function,
        BlockKind::Method,
        BlockKind::Struct,
        BlockKind::Enum,
        BlockKind::Trait,
        BlockKind::Interface,
        BlockKind::Class,
        BlockKind::Constant,
        BlockKind::Test,
        BlockKind::TypeAlias,
        BlockKind::Impl,
        BlockKind::Unresolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Module => "module",
            BlockKind::Function => "function",
            BlockKind::Method => "method",
            BlockKind::Struct => "struct",
            BlockKind::Enum => "enum",
            BlockKind::Trait => "trait",
            BlockKind::Interface => "interface",
            BlockKind::Class => "class",
            BlockKind::Constant => "constant",
            BlockKind::Test => "test",
            BlockKind::TypeAlias => "type_alias",
            BlockKind::Impl => "impl",
            BlockKind::Unresolved => "unresolved",
        }
    }

    pub fn parse(s: &str) -> Option<BlockKind> {
        BlockKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a call can land on a block of this kind (functions, methods, tests, and
    /// constructors named after a type).
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            BlockKind::Function | BlockKind::Method | BlockKind::Test
        )
    }

    /// Whether this kind names a type (a call `T::f` or `T(...)` looks inside it).
    pub fn is_type(self) -> bool {
        matches!(
            self,
            BlockKind::Struct
                | BlockKind::Enum
                | BlockKind::Trait
                | BlockKind::Interface
                | BlockKind::Class
                | BlockKind::TypeAlias
        )
    }
}

impl fmt::Display for BlockKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an edge says about its source and target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    Contains,
    Calls,
    Imports,
    Implements,
    Extends,
    References,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 6] = [
        EdgeKind::Contains,
        EdgeKind::Calls,
        EdgeKind::Imports,
        EdgeKind::Implements,
        EdgeKind::Extends,
        EdgeKind::References,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Contains => "contains",
            EdgeKind::Calls => "calls",
            EdgeKind::Imports => "imports",
            EdgeKind::Implements => "implements",
            EdgeKind::Extends => "extends",
            EdgeKind::References => "references",
        }
    }

    pub fn parse(s: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// One byte for keys; stable on disk.
    pub fn code(self) -> u8 {
        match self {
            EdgeKind::Contains => 1,
            EdgeKind::Calls => 2,
            EdgeKind::Imports => 3,
            EdgeKind::Implements => 4,
            EdgeKind::Extends => 5,
            EdgeKind::References => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a definition sits in its file. Lines are 1-based; bytes are offsets into the
/// file, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start_line: u32,
    pub end_line: u32,
    pub start_byte: u32,
    pub end_byte: u32,
}

/// One definition found in a file: a future block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub kind: BlockKind,
    /// The simple name (`flush_memtable`, `Engine`).
    pub name: String,
    /// The name qualified from the workspace root, with the language's own separator:
    /// `storage::db::Engine::flush` (Rust, module path from the file path plus inline
    /// modules), `pkg.mod.Class.method` (Python), `src/util.Helper.run` (TS/JS: the
    /// file path without extension, then the nesting), `pkgname.Type.Method` (Go),
    /// `path/file.Struct.fn` (Zig). The file's own module definition has the module's
    /// qualified name.
    pub qualified_name: String,
    /// The enclosing definition (an index into [`ParsedFile::definitions`]); `None`
    /// only for the file's module definition, which is always index 0.
    pub parent: Option<usize>,
    pub span: Span,
    /// The declaration line(s) up to the body: `pub fn flush(&self) -> Result<()>`.
    pub signature: String,
    /// The doc comment, without comment markers; empty when there is none.
    pub doc: String,
    /// Free-form facts: `visibility`, `parameters`, `return_type`, `receiver`, `async`,
    /// ... as (key, value) pairs in source order.
    pub metadata: Vec<(String, String)>,
}

/// A name one definition uses, not yet resolved to a block.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Calls, Imports, Implements, Extends or References.
    pub kind: EdgeKind,
    /// The definition the reference occurs in (index into [`ParsedFile::definitions`];
    /// 0, the file module, for top-level code).
    pub from: usize,
    /// The referenced simple name: `helper` in `m::helper()`, `new` in `Vec::new()`,
    /// `method` in `obj.method()`; for an import, the last segment of the imported path.
    pub name: String,
    /// What qualifies the name, as written: `m`, `Vec`, `obj`, `self`, `crate::m`;
    /// `None` for a bare call `helper()`. A method call's receiver ends with `.`
    /// (`engine.`), followed, when the extractor knows the receiver's type, by
    /// [`crate::extract::RECEIVER_TYPE`] and that type (`engine.\u{1f}Engine`), or
    /// the call the receiver is the value of ([`crate::extract::RETURN_OF`]). For an
    /// import, the path before the name
    /// (`crate::store` in `use crate::store::Engine`).
    pub qualifier: Option<String>,
    /// For imports: the local name the import binds, when it differs from `name`
    /// (`use a::b as c` binds `c`; `import numpy as np` binds `np`). For a Rust
    /// function's return type (a `References` reference): the type `?` or
    /// `.unwrap()` gives when it is a `Result` or `Option` (`Engine` for
    /// `io::Result<Engine>`). For an `Implements` reference of a blanket impl
    /// (`impl<T: Display> ToString for T`): [`crate::extract::BLANKET`]. `None`
    /// otherwise.
    pub alias: Option<String>,
    /// 1-based line of the call or import site.
    pub line: u32,
}

/// Everything one extractor found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedFile {
    pub language: Language,
    /// Index 0 is always the file's module; parents come before their children.
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
    /// Number of syntax-error nodes tree-sitter reported; a file with errors still
    /// yields what could be parsed, and the sync summary reports it.
    pub syntax_errors: usize,
}
