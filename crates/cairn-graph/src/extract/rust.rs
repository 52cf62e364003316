//! Rust: module paths from file paths, use trees, `#[test]` functions, `///` docs.

use super::driver::{
    collapse, strip_generics, strip_generics_in, text, Ancestors, Draft, Emit, Import, Preceding,
    Spec,
};
use crate::model::BlockKind;
use std::sync::OnceLock;
use tree_sitter::Node;

pub(crate) struct Rust;

/// The fields of the Rust grammar this module reads, with their ids (looked up once).
const FIELDS: [&str; 18] = [
    "alias",
    "body",
    "bounds",
    "field",
    "function",
    "left",
    "list",
    "macro",
    "name",
    "parameters",
    "path",
    "result",
    "return_type",
    "trait",
    "type",
    "type_arguments",
    "type_parameters",
    "value",
];

/// Indexes into [`FIELDS`], for [`field`] (`body`, `parameters`, `result` and
/// `return_type` are read by the driver, by name).
const F_ALIAS: usize = 0;
const F_BOUNDS: usize = 2;
const F_FIELD: usize = 3;
const F_FUNCTION: usize = 4;
const F_LEFT: usize = 5;
const F_LIST: usize = 6;
const F_MACRO: usize = 7;
const F_NAME: usize = 8;
const F_PATH: usize = 10;
const F_TRAIT: usize = 13;
const F_TYPE: usize = 14;
const F_TYPE_ARGUMENTS: usize = 15;
const F_TYPE_PARAMETERS: usize = 16;
const F_VALUE: usize = 17;

/// The ids of [`FIELDS`] (looked up once).
fn field_ids() -> &'static [Option<u16>; FIELDS.len()] {
    static IDS: OnceLock<[Option<u16>; FIELDS.len()]> = OnceLock::new();
    IDS.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_rust::LANGUAGE.into();
        FIELDS.map(|f| lang.field_id_for_name(f).map(|id| id.get()))
    })
}

/// `node`'s child in field `FIELDS[field]` (one of the `F_` constants): what
/// `child_by_field_name` gives, without comparing the name with each of the grammar's
/// field names.
fn field(node: Node<'_>, field: usize) -> Option<Node<'_>> {
    node.child_by_field_id(field_ids()[field]?)
}

/// `node.child_by_field_name(name)` for a node of the Rust grammar, by id for the
/// names of [`FIELDS`].
fn field_named<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    match FIELDS.iter().position(|f| *f == name) {
        Some(i) => field(node, i),
        None => node.child_by_field_name(name),
    }
}

/// `node.kind()` for a node of the Rust grammar, from a table by kind id: `Node::kind`
/// measures and checks the C string of the name on each call.
fn kind_of<'tree>(node: Node<'tree>) -> &'tree str {
    static LANGUAGE: OnceLock<tree_sitter::Language> = OnceLock::new();
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let lang = LANGUAGE.get_or_init(|| tree_sitter_rust::LANGUAGE.into());
        (0..lang.node_kind_count())
            .map(|id| lang.node_kind_for_id(id as u16).unwrap_or(""))
            .collect()
    });
    match names.get(usize::from(node.kind_id())) {
        Some(name) => name,
        None => node.kind(),
    }
}

impl Spec for Rust {
    fn separator(&self) -> &'static str {
        "::"
    }

    /// `crates/cairn-storage/src/wal/record.rs` is `cairn_storage::wal::record` and
    /// `crates/cairn-storage/tests/crash.rs` is `cairn_storage::tests::crash`; the
    /// crate is the directory holding `src/` (`crate` when `src/` is at the root), and
    /// `lib.rs`, `main.rs` and `mod.rs` stand for their directory. A crate directory
    /// named `name-1.2.3` (Cargo's layout in `~/.cargo/registry/src` and `vendor/`)
    /// is the crate `name`, as other crates' paths (`name::item`) spell it.
    fn module(&self, rel_path: &str, _root: Node<'_>, _src: &str) -> (String, String) {
        let without_ext = rel_path.strip_suffix(".rs").unwrap_or(rel_path);
        let segs: Vec<&str> = without_ext.split('/').filter(|s| !s.is_empty()).collect();
        let mut path: Vec<String> = Vec::new();
        // `tests/`, `benches/` and `examples/` beside `src/` belong to the same crate
        // (as modules of those names, a crate each in Cargo's eyes).
        let root = segs
            .iter()
            .rposition(|s| matches!(*s, "src" | "tests" | "benches" | "examples"));
        match root {
            Some(i) => {
                path.push(if i == 0 {
                    "crate".to_string()
                } else {
                    crate_name(segs[i - 1]).replace('-', "_")
                });
                let from = if segs[i] == "src" { i + 1 } else { i };
                path.extend(segs[from..].iter().map(|s| s.replace('-', "_")));
            }
            None => path.extend(segs.iter().map(|s| s.replace('-', "_"))),
        }
        if path.len() > 1
            && matches!(
                path.last().map(String::as_str),
                Some("lib" | "main" | "mod")
            )
        {
            path.pop();
        }
        let name = path.last().cloned().unwrap_or_default();
        (name, path.join("::"))
    }

    fn module_doc(&self, root: Node<'_>, src: &str) -> String {
        let mut lines = Vec::new();
        let mut cursor = root.walk();
        for child in root.children(&mut cursor) {
            if !kind_of(child).contains("comment") {
                break;
            }
            match text(child, src).strip_prefix("//!") {
                Some(line) => lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end()),
                None => break,
            }
        }
        lines.join("\n").trim().to_string()
    }

    fn refine(&self, d: &mut Draft<'_>, _rel_path: &str, src: &str) -> bool {
        let node = d.node;
        // By index, not with a cursor: a definition has few children, and a cursor's
        // sibling steps (through hidden nodes) and its allocation cost more.
        for child in (0..node.child_count()).filter_map(|i| node.child(i)) {
            match kind_of(child) {
                "visibility_modifier" => d
                    .metadata
                    .push(("visibility".into(), text(child, src).to_string())),
                "function_modifiers" => {
                    for m in ["async", "const", "unsafe", "extern"] {
                        if text(child, src).split_whitespace().any(|w| w == m) {
                            d.metadata.push((m.into(), "true".into()));
                        }
                    }
                }
                _ => {}
            }
        }
        match d.kind {
            BlockKind::Function | BlockKind::Method
                if has_test_attribute(node, &d.preceding, src) =>
            {
                d.kind = BlockKind::Test;
            }
            BlockKind::Impl => {
                if let Some(t) = field(node, F_TRAIT) {
                    d.metadata.push(("trait".into(), collapse(text(t, src))));
                }
                if let Some(t) = field(node, F_TYPE) {
                    d.metadata.push(("type".into(), collapse(text(t, src))));
                }
            }
            _ => {}
        }
        true
    }

    /// A written type (`x: &mut Engine`, `let x: Engine`, a field's type), or the
    /// type a constructor call gives: `Engine::new(..)`, `Engine::default()`,
    /// `Engine::with_..(..)`, `Engine::from(..)`, `Engine { .. }`, also behind `?`,
    /// `.unwrap()` or `.expect(..)`.
    fn binding_type<'t>(
        &self,
        node: Node<'t>,
        ancestors: &Ancestors<'t>,
        src: &str,
    ) -> Option<String> {
        // `Some(x)`, `Engine(x)`: the pattern's type is the variant's or the tuple
        // struct's, not that of the field `x` binds.
        if kind_of(node) == "tuple_struct_pattern" {
            return None;
        }
        if let Some(t) = field(node, F_TYPE) {
            let raw = text(t, src);
            let inner = raw.trim_start_matches(['&', ' ']);
            let inner = inner.strip_prefix("mut ").unwrap_or(inner).trim_start();
            if let Some(bounds) = inner.strip_prefix("impl ") {
                return bound_list(bounds.split('+').filter_map(written_type));
            }
            let written = written_type(raw)?;
            if !written.contains("::") {
                if let Some(bounds) = type_parameter_bounds(node, ancestors, &written, src) {
                    return bounds;
                }
            }
            return Some(written);
        }
        if kind_of(node) != "let_declaration" {
            return None;
        }
        self.value_type(field(node, F_VALUE)?, src)
    }

    fn binding_call<'t>(&self, binding: Node<'t>) -> Option<(Node<'t>, bool)> {
        if kind_of(binding) != "let_declaration" {
            return None;
        }
        let value = field(binding, F_VALUE)?;
        if kind_of(value) == "call_expression" {
            return Some((value, false));
        }
        self.tried_call(value).map(|c| (c, true))
    }

    fn tried_call<'t>(&self, value: Node<'t>) -> Option<Node<'t>> {
        if kind_of(value) != "try_expression" {
            return None;
        }
        value
            .named_child(0)
            .filter(|c| kind_of(*c) == "call_expression")
    }

    /// `Result<T, E>`, `io::Result<T>`, `Option<T>`: `T` (a path, not a primitive).
    fn unwrapped_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        let mut node = node;
        while kind_of(node) == "reference_type" {
            node = field(node, F_TYPE)?;
        }
        if kind_of(node) != "generic_type" {
            return None;
        }
        let outer = text(field(node, F_TYPE)?, src);
        if !matches!(outer.rsplit("::").next(), Some("Result" | "Option")) {
            return None;
        }
        let args = field(node, F_TYPE_ARGUMENTS)?;
        let mut c = args.walk();
        let first = args
            .named_children(&mut c)
            .find(|a| kind_of(*a) != "lifetime")?;
        written_type(text(first, src)).filter(|t| !is_primitive(t))
    }

    /// What a constructor call gives: `Engine::new(..)`, `Engine::default()`,
    /// `Engine::with_..(..)`, `Engine::from(..)`, `Engine { .. }`, also behind `?`,
    /// `.unwrap()` or `.expect(..)`; a string literal's `str`, `vec![..]`'s `Vec`,
    /// `format!(..)`'s `String`; as a `let`'s value or a method's receiver
    /// (`Engine::new().flush()`).
    fn value_type(&self, value: Node<'_>, src: &str) -> Option<String> {
        let mut value = value;
        loop {
            match kind_of(value) {
                "try_expression" => value = value.named_child(0)?,
                "call_expression" => {
                    let f = field(value, F_FUNCTION)?;
                    if kind_of(f) == "field_expression" {
                        let method = field(f, F_FIELD)?;
                        if !matches!(text(method, src), "unwrap" | "expect") {
                            return None;
                        }
                        value = field(f, F_VALUE)?;
                        continue;
                    }
                    let f = match kind_of(f) {
                        "generic_function" => field(f, F_FUNCTION)?,
                        _ => f,
                    };
                    if kind_of(f) != "scoped_identifier" {
                        return None;
                    }
                    let ctor = text(field(f, F_NAME)?, src);
                    let is_ctor = matches!(ctor, "new" | "default" | "from")
                        || ctor.starts_with("new_")
                        || ctor.starts_with("with_");
                    if !is_ctor {
                        return None;
                    }
                    return written_type(text(field(f, F_PATH)?, src));
                }
                "struct_expression" => return written_type(text(field(value, F_NAME)?, src)),
                // Literals and the standard library's constructor macros have the
                // language's own types (`"a".len()` is `str::len`).
                // Not `b".."` (`&[u8; N]`) nor `c".."` (`&CStr`).
                "string_literal" | "raw_string_literal" => {
                    let quoted = text(value, src)
                        .trim_start_matches('r')
                        .starts_with(['"', '#']);
                    return quoted.then(|| "str".to_string());
                }
                "macro_invocation" => {
                    let name = text(field(value, F_MACRO)?, src);
                    return match name.rsplit("::").next() {
                        Some("vec") => Some("Vec".to_string()),
                        Some("format") => Some("String".to_string()),
                        _ => None,
                    };
                }
                _ => return None,
            }
        }
    }

    /// An alias's target or a function's return type as a path (`&'a Buffer<'a>` →
    /// `Buffer`); none for a primitive type, which is never a block.
    ///
    /// A type alias (`type Target = ..` in an `impl Deref`) also names `str` and
    /// slices (`[T]`), whose methods live in `impl str` and `impl<T> [T]` blocks, and
    /// never a type parameter of the `impl` around it (`type Target = T`: whatever
    /// workspace type is named `T` is not it).
    fn referenced_type<'t>(
        &self,
        node: Node<'t>,
        ancestors: &Ancestors<'t>,
        src: &str,
    ) -> Option<String> {
        let raw = text(node, src);
        let written = written_type(raw).filter(|t| !is_primitive(t));
        // Only single-segment names can be `str`, a slice or a type parameter (the
        // parent lookup costs a descent from the root).
        if written.as_ref().is_some_and(|t| t.contains("::")) {
            return written;
        }
        let alias = ancestors.up(node, 1).filter(|p| kind_of(*p) == "type_item");
        if alias.is_none() {
            return written;
        }
        if let Some(t) = written {
            let owner = ancestors.up(node, 3);
            let is_parameter = owner.is_some_and(|o| declared_bounds(o, &t, src).is_some());
            return (!is_parameter).then_some(t);
        }
        let bare = raw.trim_start_matches(['&', ' ']);
        if bare == "str" {
            return Some(bare.to_string());
        }
        // `[T]` (not an array `[T; N]`): the element type as written, generics removed.
        let element = bare.strip_prefix('[')?.strip_suffix(']')?;
        if element.contains(';') {
            return None;
        }
        let element = strip_generics(element);
        let ok = !element.is_empty() && element.chars().all(|c| c.is_alphanumeric() || c == '_');
        ok.then(|| format!("[{element}]"))
    }

    /// `impl<T: Display + ?Sized> ToString for T`, `impl<T> From<T> for T`: the
    /// type is a type parameter of the impl. Not `&T`, `*mut T`, `Box<T>`: those
    /// apply to references, pointers or boxes only (`impl Clone for &T` is not the
    /// `clone` of a value whose type derives its own).
    fn is_blanket_impl<'t>(
        &self,
        trait_node: Node<'t>,
        ancestors: &Ancestors<'t>,
        src: &str,
    ) -> bool {
        let imp = ancestors.up(trait_node, 1);
        let Some(imp) = imp.filter(|p| kind_of(*p) == "impl_item") else {
            return false;
        };
        let Some(ty) = field(imp, F_TYPE).filter(|t| kind_of(*t) == "type_identifier") else {
            return false;
        };
        declared_bounds(imp, text(ty, src), src).is_some()
    }

    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>) {
        use_tree(node, src, &mut Vec::new(), out);
    }

    fn field<'t>(&self, node: Node<'t>, name: &'static str) -> Option<Node<'t>> {
        field_named(node, name)
    }

    fn kind<'t>(&self, node: Node<'t>) -> &'t str {
        kind_of(node)
    }

    fn walk<'t>(&self, root: Node<'t>, src: &str, emit: &mut Emit<'_, 't>) -> bool {
        super::rust_walk::walk(root, src, emit)
    }

    fn doc_line<'s>(&self, comment: &'s str) -> Option<&'s str> {
        let line = if let Some(rest) = comment.strip_prefix("///") {
            if rest.starts_with('/') {
                return None;
            }
            rest
        } else if let Some(rest) = comment.strip_prefix("/**") {
            rest.strip_suffix("*/").unwrap_or(rest)
        } else {
            return None;
        };
        Some(line.strip_prefix(' ').unwrap_or(line).trim_end())
    }

    fn doc_transparent(&self) -> &'static [&'static str] {
        &["attribute_item"]
    }

    /// Enum variant constructors of the prelude are not calls of definitions, and in
    /// macro arguments only what reads as a call in an expression macro counts.
    fn skip_call(
        &self,
        call: Node<'_>,
        src: &str,
        name: &str,
        qualifier: Option<&str>,
        outside_tokens: Option<Node<'_>>,
    ) -> bool {
        if qualifier.is_none() && matches!(name, "Some" | "Ok" | "Err") {
            return true;
        }
        kind_of(call) == "identifier"
            && !is_call_in_expression_macro(call, src, qualifier.is_some(), outside_tokens)
    }
}

/// A type as written, as a path to look its methods up under: references, lifetimes,
/// `mut`, `dyn` and generic arguments removed (`&'a mut Engine<T>` → `Engine`);
/// `None` for what is not a path (`impl Trait`, tuples, slices, function types).
fn written_type(raw: &str) -> Option<String> {
    let t = strip_generics_in(raw);
    let mut t = t.trim_start_matches(['&', ' ']);
    if t.starts_with('\'') {
        t = t.split_once(' ').map_or("", |(_, rest)| rest).trim_start();
    }
    let t = t.strip_prefix("mut ").unwrap_or(t).trim_start();
    let t = t.strip_prefix("dyn ").unwrap_or(t).trim();
    let ok = t.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ':');
    ok.then(|| t.to_string())
}

/// For a parameter (`node`) whose type is named `name`, when that is a type parameter
/// of its function or of the `impl`/trait around it (`fn f<V: Visit>(v: &mut V)`,
/// `impl<H: Hasher> ..`, `where V: Visit<'a> + ?Sized`): its trait bounds as
/// `Visit+Hasher` (the receiver's methods are theirs), or `Some(None)` for a parameter
/// without any; `None` when `name` is no type parameter. Only the few items right
/// above a parameter are looked at (a `let` is not): without the walker's
/// `ancestors`, each step up the tree costs a descent from the root.
fn type_parameter_bounds<'t>(
    node: Node<'t>,
    ancestors: &Ancestors<'t>,
    name: &str,
    src: &str,
) -> Option<Option<String>> {
    if kind_of(node) != "parameter" {
        return None;
    }
    let function = ancestors.up(node, 2)?;
    if let Some(bounds) = declared_bounds(function, name, src) {
        return Some(bounds);
    }
    let owner = ancestors.up(node, 4)?;
    declared_bounds(owner, name, src)
}

/// The bounds of type parameter `name` as `item` declares it (see
/// [`type_parameter_bounds`]); `None` when `item` declares no such parameter.
fn declared_bounds(item: Node<'_>, name: &str, src: &str) -> Option<Option<String>> {
    if !matches!(
        kind_of(item),
        "function_item" | "function_signature_item" | "impl_item" | "trait_item"
    ) {
        return None;
    }
    let params = field(item, F_TYPE_PARAMETERS)?;
    // Children by index, not with a cursor: parameter lists and items have few, and a
    // cursor costs an allocation and sibling steps through hidden nodes.
    let param = (0u32..).map_while(|i| params.named_child(i)).find(|p| {
        kind_of(*p) == "type_parameter" && field(*p, F_NAME).is_some_and(|n| text(n, src) == name)
    })?;
    let mut bounds = Vec::new();
    if let Some(b) = field(param, F_BOUNDS) {
        trait_bounds(b, src, &mut bounds);
    }
    for clause in (0..item.child_count())
        .filter_map(|i| item.child(i))
        .filter(|n| kind_of(*n) == "where_clause")
    {
        let mut c = clause.walk();
        for pred in clause.named_children(&mut c) {
            let left = field(pred, F_LEFT);
            if left.is_some_and(|l| text(l, src) == name) {
                if let Some(b) = field(pred, F_BOUNDS) {
                    trait_bounds(b, src, &mut bounds);
                }
            }
        }
    }
    Some(bound_list(bounds.into_iter()))
}

/// The traits of a `trait_bounds` node as paths (lifetimes and `?Sized` left out).
fn trait_bounds(node: Node<'_>, src: &str, out: &mut Vec<String>) {
    let mut c = node.walk();
    for b in node.named_children(&mut c) {
        if matches!(kind_of(b), "lifetime" | "removed_trait_bound") {
            continue;
        }
        out.extend(written_type(text(b, src)));
    }
}

/// Bounds joined by `+`, as the resolver reads a receiver type with several; `None`
/// for none.
fn bound_list(bounds: impl Iterator<Item = String>) -> Option<String> {
    let all: Vec<String> = bounds.collect();
    (!all.is_empty()).then(|| all.join("+"))
}

fn is_primitive(t: &str) -> bool {
    matches!(
        t,
        "bool"
            | "char"
            | "str"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "f32"
            | "f64"
    )
}

/// The crate a directory holds: `ion-rs-1.0.0-rc.11` is `ion-rs`; a name without a
/// trailing `-<major>.<minor>.<patch>` version is itself.
fn crate_name(dir: &str) -> &str {
    for (i, _) in dir.match_indices('-') {
        let version = &dir[i + 1..];
        let core = version.split(['-', '+']).next().unwrap_or("");
        let numbers: Vec<&str> = core.split('.').collect();
        let semver = numbers.len() == 3
            && numbers
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if i > 0 && semver {
            return &dir[..i];
        }
    }
    dir
}

/// Macros whose arguments are expressions, so that `name(...)` in them is a call
/// (unlike `matches!(x, Foo(_))`, whose `Foo(_)` is a pattern).
const EXPRESSION_MACROS: [&str; 24] = [
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "vec",
    "dbg",
    "todo",
    "unreachable",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
];

/// For a name captured in a macro's token tree: whether it is a call there. Not when
/// it is a method (`x.f()`, whose receiver the token tree does not give), a macro
/// itself (`f!()`), the tail of a path the path pattern already took (`a::f()`), or
/// inside a macro that does not take expressions. `outside_tokens`, when the walker
/// gave it, is the nearest ancestor of `name` that is not a token tree.
fn is_call_in_expression_macro(
    name: Node<'_>,
    src: &str,
    qualified: bool,
    outside_tokens: Option<Node<'_>>,
) -> bool {
    // The neighbouring tokens, read from the text (sibling lookups are slow in big
    // token trees): `.` but not `..` before, `!` after.
    let before = src.get(..name.start_byte()).unwrap_or("").trim_end();
    let after = src.get(name.end_byte()..).unwrap_or("").trim_start();
    let method = before.ends_with('.') && !before.ends_with("..");
    if method || after.starts_with('!') {
        return false;
    }
    if !qualified && before.ends_with("::") {
        return false;
    }
    let outside = outside_tokens.or_else(|| {
        let mut cur = name.parent();
        while let Some(n) = cur {
            if kind_of(n) != "token_tree" {
                return Some(n);
            }
            cur = n.parent();
        }
        None
    });
    outside.is_some_and(|n| is_expression_macro(n, src))
}

/// Whether `node` is the invocation of a macro whose arguments are expressions (see
/// [`EXPRESSION_MACROS`]): calls found in its token trees count, and only there (the
/// Rust walker does not look into other token trees).
pub(super) fn is_expression_macro(node: Node<'_>, src: &str) -> bool {
    if kind_of(node) != "macro_invocation" {
        return false;
    }
    let Some(m) = field(node, F_MACRO) else {
        return false;
    };
    let macro_name = text(m, src).rsplit("::").next().unwrap_or("");
    EXPRESSION_MACROS.contains(&macro_name)
}

/// Whether the attributes before a function include `#[test]` or `#[<crate>::test]`.
fn has_test_attribute<'t>(node: Node<'t>, preceding: &Preceding<'t>, src: &str) -> bool {
    let mut cur = preceding.before(node, node);
    while let Some(n) = cur {
        match kind_of(n) {
            "attribute_item" => {
                let attr = text(n, src);
                let inner = attr
                    .trim_start_matches("#[")
                    .trim_end_matches(']')
                    .split(['(', ' '])
                    .next()
                    .unwrap_or("");
                if inner == "test" || inner.ends_with("::test") || inner == "rstest" {
                    return true;
                }
            }
            k if k.contains("comment") => {}
            _ => return false,
        }
        cur = preceding.before(node, n);
    }
    false
}

/// Appends the `::` separated segments of `node`'s path to `out`.
fn segments_of(node: Node<'_>, src: &str, out: &mut Vec<String>) {
    let path = strip_generics_in(text(node, src));
    out.extend(
        path.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
}

/// The import of the path `prefix` followed by `rest`, if any segment.
fn push_import(prefix: &[String], rest: &[String], alias: Option<String>, out: &mut Vec<Import>) {
    let count = prefix.len() + rest.len();
    let mut path = prefix.iter().chain(rest);
    let Some(name) = path.clone().last() else {
        return;
    };
    let qualifier = (count > 1).then(|| {
        let mut q = String::new();
        for (i, s) in path.by_ref().take(count - 1).enumerate() {
            if i > 0 {
                q.push_str("::");
            }
            q.push_str(s);
        }
        q
    });
    out.push(Import {
        name: name.clone(),
        qualifier,
        alias,
    });
}

/// Flattens a use tree: `a::{b, c::d as e, f::*}` is `a::b`, `a::c::d` as `e`, and
/// `a::f::*`. `prefix` holds the path the tree is under; it is extended and restored
/// on the way down instead of copied.
fn use_tree(node: Node<'_>, src: &str, prefix: &mut Vec<String>, out: &mut Vec<Import>) {
    let mut rest = Vec::new();
    match kind_of(node) {
        // `use a::{self}` imports the module `a` itself.
        "self" if !prefix.is_empty() => push_import(prefix, &[], None, out),
        "identifier" | "scoped_identifier" | "crate" | "super" | "self" => {
            segments_of(node, src, &mut rest);
            push_import(prefix, &rest, None, out);
        }
        "use_as_clause" => {
            if let Some(p) = field(node, F_PATH) {
                segments_of(p, src, &mut rest);
            }
            let alias = field(node, F_ALIAS)
                .map(|a| text(a, src))
                .filter(|a| *a != "_")
                .map(str::to_string);
            push_import(prefix, &rest, alias, out);
        }
        "use_wildcard" => {
            if let Some(p) = node.named_child(0) {
                segments_of(p, src, &mut rest);
            }
            rest.push("*".into());
            push_import(prefix, &rest, None, out);
        }
        "scoped_use_list" => {
            let len = prefix.len();
            if let Some(p) = field(node, F_PATH) {
                segments_of(p, src, prefix);
            }
            if let Some(list) = field(node, F_LIST) {
                use_tree(list, src, prefix, out);
            }
            prefix.truncate(len);
        }
        "use_list" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                use_tree(child, src, prefix, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::driver::Spec;

    #[test]
    fn field_constants_index_their_names() {
        let named = [
            (F_ALIAS, "alias"),
            (F_BOUNDS, "bounds"),
            (F_FIELD, "field"),
            (F_FUNCTION, "function"),
            (F_LEFT, "left"),
            (F_LIST, "list"),
            (F_MACRO, "macro"),
            (F_NAME, "name"),
            (F_PATH, "path"),
            (F_TRAIT, "trait"),
            (F_TYPE, "type"),
            (F_TYPE_ARGUMENTS, "type_arguments"),
            (F_TYPE_PARAMETERS, "type_parameters"),
            (F_VALUE, "value"),
        ];
        for (i, name) in named {
            assert_eq!(FIELDS[i], name);
            assert!(field_ids()[i].is_some(), "{name} is a field of the grammar");
        }
    }

    #[test]
    fn a_versioned_crate_directory_names_the_crate_without_its_version() {
        assert_eq!(crate_name("tokio-1.54.1"), "tokio");
        assert_eq!(crate_name("ion-rs-1.0.0-rc.11"), "ion-rs");
        assert_eq!(crate_name("foo-0.1.0+build.5"), "foo");
        // Not a version: kept whole.
        assert_eq!(crate_name("cairn-storage"), "cairn-storage");
        assert_eq!(crate_name("base64-0.21"), "base64-0.21");
        assert_eq!(crate_name("x-1.2.y"), "x-1.2.y");
        assert_eq!(crate_name("-1.2.3"), "-1.2.3");
    }

    #[test]
    fn module_paths_of_a_registry_crate_use_its_name() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse("", None).unwrap();
        let (name, qualified) =
            Rust.module("ion-rs-1.0.0-rc.11/src/lazy/mod.rs", tree.root_node(), "");
        assert_eq!(
            (name.as_str(), qualified.as_str()),
            ("lazy", "ion_rs::lazy")
        );
        let (name, qualified) = Rust.module("tokio-1.54.1/src/lib.rs", tree.root_node(), "");
        assert_eq!((name.as_str(), qualified.as_str()), ("tokio", "tokio"));
    }
}
