//! The language-independent part of extraction: runs a dialect's query over a syntax
//! tree and turns its captures into a [`ParsedFile`], asking the language's [`Spec`]
//! for what only it knows.

use crate::id::FastMap;
use crate::model::{BlockKind, Definition, EdgeKind, Language, ParsedFile, Reference, Span};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::hash_map::Entry;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

/// Longest signature kept, in bytes; longer ones are cut at a character boundary.
const MAX_SIGNATURE: usize = 400;
/// Longest qualifier text kept for a call on a complex expression.
const MAX_QUALIFIER: usize = 60;

/// What a capture of a query file means (see the table in [`super`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Role {
    Definition(BlockKind),
    Name,
    Call,
    CallName,
    CallQualifier,
    /// A value a method is called on, in languages whose paths are not `.`
    /// separated (Rust's `x.f()`): stored with a trailing `.` to tell it from a path.
    CallReceiver,
    Import,
    Implements,
    Extends,
    /// A type a definition stands for (a type alias's target).
    References,
    /// A local binding (`let x`, a parameter `x: T`, a pattern variable) named by
    /// `@binding.name`: its type, when the language can tell, types the receiver `x`.
    Binding,
    BindingName,
    /// A struct field (`@field`, named by `@field.name`): its type types `self.name`.
    Field,
    FieldName,
    /// Helper captures (`@_x`) used by predicates only.
    Other,
    /// Walkers only: a comment or attribute right before the definition of the match
    /// (nearest first), and the mark that these are all of them (see [`Preceding`]).
    Preceding,
    PrecedingKnown,
    /// Walkers only: for a call found in a macro's token tree, the nearest ancestor of
    /// that token tree that is not one (the macro invocation, usually), which
    /// [`Spec::skip_call`] would otherwise find by slow `Node::parent` steps.
    OutsideTokens,
    /// Walkers only: the ancestors of a `@binding` or of an `@implements`,
    /// `@extends` or `@references` node, nearest first, up to [`Ancestors::KNOWN`] of
    /// them or the root (see [`Ancestors`]).
    Ancestor,
}

/// The ancestors of a binding when the walker gave them: `Node::parent` is slow (it
/// walks down from the root).
#[derive(Clone, Copy, Default)]
pub(crate) struct Ancestors<'t>(Option<[Option<Node<'t>>; Ancestors::KNOWN]>);

impl<'t> Ancestors<'t> {
    /// How many ancestors a walker gives.
    pub(crate) const KNOWN: usize = 4;

    /// The ancestor `n` levels above `node` (1: its parent), `node` being the binding.
    pub(crate) fn up(&self, node: Node<'t>, n: usize) -> Option<Node<'t>> {
        let (mut cur, from) = match &self.0 {
            Some(known) if n <= Self::KNOWN => return known.get(n.checked_sub(1)?).copied()?,
            Some(known) => (known[Self::KNOWN - 1]?, Self::KNOWN),
            None => (node, 0),
        };
        for _ in from..n {
            cur = cur.parent()?;
        }
        Some(cur)
    }
}

/// The siblings right before a definition that are comments or attributes, nearest
/// first, when the matcher saw them: `Node::prev_sibling` is slow (it finds the parent
/// by walking down from the root), and docs and test attributes need them for every
/// definition.
#[derive(Clone, Default)]
pub(crate) struct Preceding<'t>(Option<Vec<Node<'t>>>);

impl<'t> Preceding<'t> {
    /// The sibling before `node`, which is the definition `def` or a sibling before it.
    /// Past the known comments and attributes: `None`, which readers of comments and
    /// attributes treat like any other sibling (they stop).
    pub(crate) fn before(&self, def: Node<'t>, node: Node<'t>) -> Option<Node<'t>> {
        let Some(run) = &self.0 else {
            return node.prev_sibling();
        };
        if node.id() == def.id() {
            return run.first().copied();
        }
        match run.iter().position(|n| n.id() == node.id()) {
            Some(i) => run.get(i + 1).copied(),
            None => node.prev_sibling(),
        }
    }
}

/// A query with the role of each of its captures.
pub(crate) struct CompiledQuery {
    query: Query,
    roles: Vec<Role>,
}

impl CompiledQuery {
    pub(crate) fn new(query: Query) -> CompiledQuery {
        let roles = query
            .capture_names()
            .iter()
            .map(|name| match *name {
                "name" => Role::Name,
                "call" => Role::Call,
                "call.name" => Role::CallName,
                "call.qualifier" => Role::CallQualifier,
                "call.receiver" => Role::CallReceiver,
                "import" => Role::Import,
                "implements" => Role::Implements,
                "extends" => Role::Extends,
                "references" => Role::References,
                "binding" => Role::Binding,
                "binding.name" => Role::BindingName,
                "field" => Role::Field,
                "field.name" => Role::FieldName,
                other => other
                    .strip_prefix("definition.")
                    .and_then(BlockKind::parse)
                    .map_or(Role::Other, Role::Definition),
            })
            .collect();
        CompiledQuery { query, roles }
    }
}

/// An import as a language splits it: `use a::b::c as d` is name `c`, qualifier
/// `a::b`, alias `d` (see [`Reference`]).
pub(crate) struct Import {
    pub name: String,
    pub qualifier: Option<String>,
    pub alias: Option<String>,
}

/// A definition the query found, which the language may adjust before it is kept.
pub(crate) struct Draft<'t> {
    pub node: Node<'t>,
    /// The comments and attributes before `node`.
    pub preceding: Preceding<'t>,
    pub kind: BlockKind,
    pub name: String,
    /// The qualified name of the enclosing definition.
    pub parent_qualified: String,
    /// Replaces the qualified name derived from nesting (Go methods: `pkg.Type.Method`).
    pub qualified: Option<String>,
    /// Replaces the signature cut from the source.
    pub signature: Option<String>,
    pub metadata: Vec<(String, String)>,
}

/// Receives each match of a walker: the pattern number and the captures.
pub(crate) type Emit<'a, 't> = dyn FnMut(usize, &[(Role, Node<'t>)]) + 'a;

/// What a language adds to its query.
pub(crate) trait Spec: Sync {
    /// Separator of qualified names.
    fn separator(&self) -> &'static str {
        "."
    }

    /// The file module's (simple name, qualified name).
    fn module(&self, rel_path: &str, root: Node<'_>, src: &str) -> (String, String);

    /// The module's doc (a Rust `//!` header, a Python docstring).
    fn module_doc(&self, _root: Node<'_>, _src: &str) -> String {
        String::new()
    }

    /// Adjusts a definition (kind, metadata, qualified name); `false` drops it.
    fn refine(&self, _draft: &mut Draft<'_>, _rel_path: &str, _src: &str) -> bool {
        true
    }

    /// Splits an `@import` node into the names it binds.
    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>);

    /// The comment's text without markers when it is a doc comment, else `None`.
    fn doc_line<'s>(&self, comment: &'s str) -> Option<&'s str>;

    /// Node kinds that wrap a definition and carry its doc comment before them
    /// (`export_statement`, `decorated_definition`).
    fn wrappers(&self) -> &'static [&'static str] {
        &[]
    }

    /// Node kinds between a doc comment and its definition (Rust attributes).
    fn doc_transparent(&self) -> &'static [&'static str] {
        &[]
    }

    /// The doc of a definition, when not in comments before it (Python docstrings).
    fn doc(&self, _node: Node<'_>, _src: &str) -> Option<String> {
        None
    }

    /// Whether a call site is not a call of a definition (Rust's `Some(x)`); `call`
    /// is the node captured as `@call`, `outside_tokens` its
    /// [`Role::OutsideTokens`] when the walker gave one.
    fn skip_call(
        &self,
        _call: Node<'_>,
        _src: &str,
        _name: &str,
        _qualifier: Option<&str>,
        _outside_tokens: Option<Node<'_>>,
    ) -> bool {
        false
    }

    /// The call a binding without a [`Self::binding_type`] takes its value from
    /// (`let x = make();`), and whether through `?` (`let x = make()?;`): what that
    /// call returns types the binding.
    fn binding_call<'t>(&self, _binding: Node<'t>) -> Option<(Node<'t>, bool)> {
        None
    }

    /// The call whose value an expression is through `?` (`make()?`).
    fn tried_call<'t>(&self, _value: Node<'t>) -> Option<Node<'t>> {
        None
    }

    /// Whether the `@implements` node `trait_node` is the trait of an impl for any
    /// type (`impl<T: Display> ToString for T`): its methods apply to every type.
    fn is_blanket_impl<'t>(
        &self,
        _trait_node: Node<'t>,
        _ancestors: &Ancestors<'t>,
        _src: &str,
    ) -> bool {
        false
    }

    /// For a `@references` type that wraps a value (`Result<Engine, E>`,
    /// `Option<Engine>`): the type `?` or `.unwrap()` gives (`Engine`).
    fn unwrapped_type(&self, _node: Node<'_>, _src: &str) -> Option<String> {
        None
    }

    /// The type of the value an expression gives, when the language can tell it from
    /// the expression alone (`Engine::new(..)` as a method's receiver).
    fn value_type(&self, _value: Node<'_>, _src: &str) -> Option<String> {
        None
    }

    /// The type a `@references` node names, as a path; `None` when it is not one.
    fn referenced_type<'t>(
        &self,
        node: Node<'t>,
        _ancestors: &Ancestors<'t>,
        src: &str,
    ) -> Option<String> {
        Some(strip_generics(text(node, src)))
    }

    /// The type of a local binding or field (a `@binding` or `@field` node, with its
    /// `ancestors`), as a path; `None` when it cannot be told (the binding still hides
    /// earlier ones).
    fn binding_type<'t>(
        &self,
        _binding: Node<'t>,
        _ancestors: &Ancestors<'t>,
        _src: &str,
    ) -> Option<String> {
        None
    }

    /// Rewrites a call's qualifier knowing the definition it is made in (Go: the
    /// receiver variable `m` in `m.Put()` stands for the receiver type).
    fn call_qualifier(&self, _owner: &Definition, qualifier: String) -> String {
        qualifier
    }

    /// `node.kind()`, which a language may read faster (`Node::kind` measures and
    /// checks the C string of the name on each call).
    fn kind<'t>(&self, node: Node<'t>) -> &'t str {
        node.kind()
    }

    /// `node`'s child in field `name`: what `Node::child_by_field_name` gives, which a
    /// language may find faster (that one compares the name with every field name of
    /// the grammar on each call).
    fn field<'t>(&self, node: Node<'t>, name: &'static str) -> Option<Node<'t>> {
        node.child_by_field_name(name)
    }

    /// Finds what the dialect's query finds, by a hand-written walk of the tree, calling
    /// `emit` with the pattern number and captures of each match; `false` when the
    /// language has no walker (the query runs). Query execution visits every node
    /// with bookkeeping a plain cursor walk does not pay; tests check the walker
    /// against the query.
    fn walk<'t>(&self, _root: Node<'t>, _src: &str, _emit: &mut Emit<'_, 't>) -> bool {
        false
    }
}

/// The text of a node; empty if the range is not on character boundaries (never
/// expected from tree-sitter, but bad input must not panic).
pub(crate) fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Collapses runs of whitespace into one space.
pub(crate) fn collapse(s: &str) -> String {
    if !s.is_ascii() {
        return collapse_chars(s);
    }
    // ASCII: the bytes `char::is_whitespace` takes, and word runs copied whole.
    let bytes = s.as_bytes();
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if space(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !space(bytes[i]) {
            i += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
    }
    out
}

/// [`collapse`] for any text.
fn collapse_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Cuts `s` to at most `max` bytes, at a character boundary, marking the cut.
pub(crate) fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Removes generic arguments (`Vec<u8>` → `Vec`, `Vec::<u8>::new` → `Vec::::new`
/// collapsed to `Vec::new`), references and pointers from a type or path as written.
pub(crate) fn strip_generics(s: &str) -> String {
    strip_generics_in(s).into_owned()
}

/// [`strip_generics`], borrowing from `s` when nothing but its ends is removed (most
/// names and paths have no generics): no copy then.
pub(crate) fn strip_generics_in(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let out: Cow<'_, str> = if bytes.iter().any(|b| matches!(b, b'<' | b'[' | b'>' | b']')) {
        // The brackets are ASCII, so the runs kept between them start and end on
        // character boundaries: they are copied whole. A bracket before anything is
        // kept is kept itself (`[]int`).
        let mut out = String::with_capacity(s.len());
        let mut depth = 0usize;
        // Where the run of kept text being scanned starts (at depth 0).
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'<' | b'[' if depth > 0 => depth += 1,
                b'<' | b'[' if !out.is_empty() || i > start => {
                    out.push_str(&s[start..i]);
                    depth = 1;
                }
                b'>' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        start = i + 1;
                    }
                }
                _ => {}
            }
        }
        if depth == 0 {
            out.push_str(&s[start..]);
        }
        out.into()
    } else {
        s.into()
    };
    let out = if has_four_colons(out.as_bytes()) {
        out.replace("::::", "::").into()
    } else {
        out
    };
    let trimmed = out.trim_start_matches(['&', '*', ' ']);
    let trimmed = trimmed.strip_prefix("mut ").unwrap_or(trimmed);
    let trimmed = trimmed.strip_prefix("dyn ").unwrap_or(trimmed);
    let trimmed = trimmed.trim_end_matches(':').trim();
    // Trimming only cuts the ends: `trimmed` is `out[from..to]`.
    let from = trimmed.as_ptr() as usize - out.as_ptr() as usize;
    let to = from + trimmed.len();
    match out {
        Cow::Borrowed(b) => Cow::Borrowed(&b[from..to]),
        Cow::Owned(mut o) => {
            o.truncate(to);
            o.drain(..from);
            Cow::Owned(o)
        }
    }
}

/// Whether `s` holds `::::` (a plain scan: names are short, a substring searcher's
/// set-up costs more).
fn has_four_colons(s: &[u8]) -> bool {
    let mut run = 0;
    for &b in s {
        if b == b':' {
            run += 1;
            if run == 4 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// The last segment of a path (`a::b::C` → `C`, `a.b` → `b`).
pub(crate) fn last_segment(path: &str) -> &str {
    path.rsplit([':', '.', '/']).next().map_or(path, str::trim)
}

/// `a::b::C` → (`Some("a::b")`, `C`), for `::`, `.` or `/` separated paths.
fn split_path(path: &str) -> (Option<String>, String) {
    for sep in ["::", ".", "/"] {
        if let Some((q, n)) = path.rsplit_once(sep) {
            if !q.is_empty() {
                return (Some(q.to_string()), n.to_string());
            }
        }
    }
    (None, path.to_string())
}

/// Whether `s` is a plain path of identifiers (`a::b`, `self.x.y`, `./m`).
fn is_path(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '$' | '/' | '@'))
}

struct RawDef<'t> {
    node: Node<'t>,
    preceding: Preceding<'t>,
    kind: BlockKind,
    name: String,
    /// The query pattern that gave the kind.
    pattern: usize,
    /// The definition found before this one at the same node (under another name).
    same_node: Option<usize>,
    /// `node`'s byte range, read once (each read is a call into the C library).
    range: (usize, usize),
}

/// A call site the matches gave.
struct FoundCall<'t> {
    node: Node<'t>,
    name: String,
    qualifier: Option<String>,
    /// The receiver node of a method call.
    receiver: Option<Node<'t>>,
    /// The call's [`Role::OutsideTokens`], if any.
    outside_tokens: Option<Node<'t>>,
}

thread_local! {
    /// The buffers of [`Collected`] between the files a thread extracts (emptied):
    /// fresh ones would grow from nothing for each file, by reallocations and copies.
    static COLLECTED: Cell<Option<Collected<'static>>> = const { Cell::new(None) };
}

/// The empty `v` as a vector of `B`, in the same buffer when `A` and `B` have the same
/// layout (a `collect` of a vector's own `into_iter` reuses its allocation): the
/// buffers kept from file to file (those of [`Collected`], the Rust walker's level
/// stack) hold nodes of a tree, one tree after another.
pub(crate) fn recycle<A, B>(v: Vec<A>) -> Vec<B> {
    debug_assert!(v.is_empty());
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

/// What the matches of a file gave, in match order.
struct Collected<'t> {
    defs: Vec<RawDef<'t>>,
    /// By node id: the latest definition found at that node (see [`RawDef::same_node`]).
    seen_defs: FastMap<usize, usize>,
    calls: Vec<FoundCall<'t>>,
    seen_calls: FastMap<usize, usize>,
    imports: Vec<Node<'t>>,
    /// (binding or field node, its name node, whether a field, its ancestors).
    bindings: Vec<(Node<'t>, Node<'t>, bool, Ancestors<'t>)>,
    /// (type node, edge kind, the node's ancestors).
    type_refs: Vec<(Node<'t>, EdgeKind, Ancestors<'t>)>,
}

impl<'t> Collected<'t> {
    /// Empty, in the thread's buffers when it has them.
    fn new() -> Collected<'t> {
        match COLLECTED.take() {
            Some(c) => c.recycle(),
            None => Collected {
                defs: Vec::new(),
                seen_defs: FastMap::default(),
                calls: Vec::new(),
                seen_calls: FastMap::default(),
                imports: Vec::new(),
                bindings: Vec::new(),
                type_refs: Vec::new(),
            },
        }
    }

    /// Empties this and keeps its buffers for the thread's next file.
    fn give_back(mut self) {
        self.defs.clear();
        self.seen_defs.clear();
        self.calls.clear();
        self.seen_calls.clear();
        self.imports.clear();
        self.bindings.clear();
        self.type_refs.clear();
        COLLECTED.set(Some(self.recycle()));
    }

    /// This (empty) for nodes of another tree.
    fn recycle<'u>(self) -> Collected<'u> {
        Collected {
            defs: recycle(self.defs),
            seen_defs: self.seen_defs,
            calls: recycle(self.calls),
            seen_calls: self.seen_calls,
            imports: recycle(self.imports),
            bindings: recycle(self.bindings),
            type_refs: recycle(self.type_refs),
        }
    }

    /// Takes one match of query pattern `pattern`.
    fn add(&mut self, pattern: usize, captures: &[(Role, Node<'t>)], src: &str) {
        let mut def: Option<(Node<'_>, BlockKind)> = None;
        let mut name: Option<Node<'_>> = None;
        let mut call: Option<Node<'_>> = None;
        let mut call_name: Option<Node<'_>> = None;
        let mut call_qualifier: Option<(Node<'_>, bool)> = None;
        let mut binding: Option<(Node<'_>, bool)> = None;
        let mut binding_name: Option<Node<'_>> = None;
        let mut preceding: Option<Vec<Node<'t>>> = None;
        let mut outside_tokens: Option<Node<'t>> = None;
        let mut ancestors: Option<([Option<Node<'t>>; Ancestors::KNOWN], usize)> = None;
        // A match may hold several (a query's quantified capture).
        let type_refs_from = self.type_refs.len();
        for &(role, node) in captures {
            match role {
                Role::Definition(k) => def = Some((node, k)),
                Role::Name => name = Some(node),
                Role::Call => call = Some(node),
                Role::CallName => call_name = Some(node),
                Role::CallQualifier => call_qualifier = Some((node, false)),
                Role::CallReceiver => call_qualifier = Some((node, true)),
                Role::Import => self.imports.push(node),
                Role::Implements => {
                    self.type_refs
                        .push((node, EdgeKind::Implements, Ancestors::default()))
                }
                Role::Extends => {
                    self.type_refs
                        .push((node, EdgeKind::Extends, Ancestors::default()))
                }
                Role::References => {
                    self.type_refs
                        .push((node, EdgeKind::References, Ancestors::default()))
                }
                Role::Binding => binding = Some((node, false)),
                Role::Field => binding = Some((node, true)),
                Role::BindingName | Role::FieldName => binding_name = Some(node),
                Role::Preceding => preceding.get_or_insert_with(Vec::new).push(node),
                Role::PrecedingKnown => {
                    preceding.get_or_insert_with(Vec::new);
                }
                Role::OutsideTokens => outside_tokens = Some(node),
                Role::Ancestor => {
                    let (known, len) = ancestors.get_or_insert(([None; Ancestors::KNOWN], 0));
                    if let Some(slot) = known.get_mut(*len) {
                        *slot = Some(node);
                        *len += 1;
                    }
                }
                Role::Other => {}
            }
        }
        let ancestors = Ancestors(ancestors.map(|(known, _)| known));
        if let (Some((node, field)), Some(name)) = (binding, binding_name) {
            self.bindings.push((node, name, field, ancestors));
        }
        // A walker gives ancestors with the only type reference of its match.
        for r in &mut self.type_refs[type_refs_from..] {
            r.2 = ancestors;
        }
        if let (Some((node, kind)), Some(name)) = (def, name) {
            let stripped = strip_generics_in(text(name, src));
            let name = last_segment(&stripped);
            // The earliest pattern in the query file that matches a node decides its
            // kind, whatever order the matches come in.
            let latest = self.seen_defs.get(&node.id()).copied();
            let mut same = latest;
            while let Some(i) = same {
                if self.defs[i].name == name {
                    break;
                }
                same = self.defs[i].same_node;
            }
            match same {
                None => {
                    self.seen_defs.insert(node.id(), self.defs.len());
                    self.defs.push(RawDef {
                        node,
                        preceding: Preceding(preceding),
                        kind,
                        name: name.to_string(),
                        pattern,
                        same_node: latest,
                        range: (node.start_byte(), node.end_byte()),
                    });
                }
                Some(i) => {
                    let d = &mut self.defs[i];
                    if pattern < d.pattern {
                        d.kind = kind;
                        d.pattern = pattern;
                    }
                }
            }
        }
        if let (Some(node), Some(name)) = (call, call_name) {
            let receiver_node = call_qualifier.filter(|(_, r)| *r).map(|(q, _)| q);
            let qualifier =
                call_qualifier.map(|(q, receiver)| qualifier_text(text(q, src), receiver));
            // Two patterns may take the same call; the one that saw a qualifier wins.
            match self.seen_calls.entry(node.id()) {
                Entry::Vacant(v) => {
                    v.insert(self.calls.len());
                    self.calls.push(FoundCall {
                        node,
                        name: text(name, src).to_string(),
                        qualifier,
                        receiver: receiver_node,
                        outside_tokens,
                    });
                }
                Entry::Occupied(o) => {
                    let seen = &mut self.calls[*o.get()];
                    if seen.qualifier.is_none() && qualifier.is_some() {
                        seen.qualifier = qualifier;
                        seen.receiver = receiver_node;
                    }
                    // The latest match that gave one decides.
                    if outside_tokens.is_some() {
                        seen.outside_tokens = outside_tokens;
                    }
                }
            }
        }
    }
}

/// How [`run`] finds the matches of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// The language's walker when it has one, else the query.
    Fastest,
    /// Always the query (the reference the walkers are checked against).
    Query,
}

/// Runs the query `compiled` gives (or the language's equivalent walker) over `tree`
/// and assembles the file's definitions and references; `Err` with the reason when
/// the query is needed and does not compile. The query is asked for only when no
/// walker replaces it: compiling one costs as much as extracting a few files.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    language: Language,
    spec: &dyn Spec,
    compiled: impl FnOnce() -> Result<&'static CompiledQuery, String>,
    cursor: &mut QueryCursor,
    tree: &Tree,
    rel_path: &str,
    src: &str,
    matcher: Matcher,
) -> Result<ParsedFile, String> {
    let root = tree.root_node();
    let mut found = Collected::new();
    let walked = matcher == Matcher::Fastest
        && spec.walk(root, src, &mut |pattern, captures| {
            found.add(pattern, captures, src)
        });
    if !walked {
        let compiled = compiled()?;
        let mut captures = Vec::new();
        let mut matches = cursor.matches(&compiled.query, root, src.as_bytes());
        while let Some(m) = matches.next() {
            captures.clear();
            captures.extend(
                m.captures()
                    .iter()
                    .map(|c| (compiled.roles[c.index as usize], c.node)),
            );
            found.add(m.pattern_index, &captures, src);
        }
    }
    let Collected {
        defs,
        calls,
        seen_calls,
        imports,
        bindings,
        type_refs,
        ..
    } = &mut found;
    // Parents before children: by start, the enclosing (longer) node first.
    defs.sort_by_key(|d| (d.range.0, std::cmp::Reverse(d.range.1)));

    let sep = spec.separator();
    let (module_name, module_qualified) = spec.module(rel_path, root, src);
    let mut out = ParsedFile {
        language,
        definitions: vec![Definition {
            kind: BlockKind::Module,
            name: module_name,
            qualified_name: module_qualified,
            parent: None,
            span: span_of(root),
            signature: String::new(),
            doc: spec.module_doc(root, src),
            metadata: Vec::new(),
        }],
        references: Vec::with_capacity(calls.len() + imports.len() + type_refs.len()),
        syntax_errors: count_errors(root),
    };
    out.definitions.reserve(defs.len());
    // Byte range of each kept definition, for finding the owner of a reference.
    let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(defs.len() + 1);
    ranges.push((0, src.len()));
    // Open definitions enclosing the current one (indexes into `out.definitions`).
    let mut stack: Vec<usize> = vec![0];
    for raw in defs.drain(..) {
        let (start, end) = raw.range;
        while let Some(&top) = stack.last() {
            let (ts, te) = ranges[top];
            let strictly_inside = ts <= start && end <= te && (ts, te) != (start, end);
            if top == 0 || strictly_inside {
                break;
            }
            stack.pop();
        }
        let parent = *stack.last().unwrap_or(&0);
        let parent_kind = out.definitions[parent].kind;
        let mut kind = raw.kind;
        if kind == BlockKind::Function
            && matches!(
                parent_kind,
                BlockKind::Impl
                    | BlockKind::Trait
                    | BlockKind::Interface
                    | BlockKind::Class
                    | BlockKind::Struct
                    | BlockKind::Enum
            )
        {
            kind = BlockKind::Method;
        }
        let mut draft = Draft {
            node: raw.node,
            preceding: raw.preceding,
            kind,
            name: raw.name,
            parent_qualified: out.definitions[parent].qualified_name.clone(),
            qualified: None,
            signature: None,
            metadata: Vec::new(),
        };
        generic_metadata(spec, &mut draft, src);
        if !spec.refine(&mut draft, rel_path, src) {
            continue;
        }
        let qualified_name = draft.qualified.take().unwrap_or_else(|| {
            let p = &out.definitions[parent].qualified_name;
            if p.is_empty() {
                draft.name.clone()
            } else {
                let mut q = String::with_capacity(p.len() + sep.len() + draft.name.len());
                q.push_str(p);
                q.push_str(sep);
                q.push_str(&draft.name);
                q
            }
        });
        let doc = spec
            .doc(raw.node, src)
            .unwrap_or_else(|| comment_doc(spec, raw.node, &draft.preceding, src));
        let signature = draft
            .signature
            .take()
            .unwrap_or_else(|| signature(spec, raw.node, src));
        out.definitions.push(Definition {
            kind: draft.kind,
            name: draft.name,
            qualified_name,
            parent: Some(parent),
            span: span_of(raw.node),
            signature: truncate(signature, MAX_SIGNATURE),
            doc,
            metadata: draft.metadata,
        });
        ranges.push((start, end));
        stack.push(out.definitions.len() - 1);
    }
    debug_assert!(out
        .definitions
        .iter()
        .enumerate()
        .all(|(i, d)| d.parent.is_none_or(|p| p < i)));

    let owner = Owner::new(&out.definitions, &ranges);
    let types = LocalTypes::new(spec, &out.definitions, &owner, bindings, src);
    // Qualifiers as stored, by call; `None` for a call that is skipped. A receiver
    // that is itself a call (`a.b().c()`) is typed by what that call returns, so
    // calls are done inner first: an inner call ends before the call around it.
    let mut finals: Vec<Option<Option<String>>> = vec![None; calls.len()];
    // By end byte, then found order (the pairs are distinct: unstable is stable here).
    let mut order: Vec<(usize, usize)> = (calls.iter().enumerate())
        .map(|(i, c)| (c.node.end_byte(), i))
        .collect();
    order.sort_unstable();
    for (_, i) in order {
        // Moved out: the last loop below reads the final one in `finals`.
        let qualifier = calls[i].qualifier.take();
        let FoundCall {
            node,
            name,
            receiver,
            outside_tokens: outside,
            ..
        } = &calls[i];
        // Error recovery can leave a zero-width (missing) name.
        if name.is_empty() || spec.skip_call(*node, src, name, qualifier.as_deref(), *outside) {
            continue;
        }
        let from = owner.of(*node);
        let qualifier = qualifier.map(|q| {
            let q = spec.call_qualifier(&out.definitions[from], q);
            // What the call with node id `id` returns (`tried`: through `?`), once
            // that call is done.
            let returned = |id: usize, tried: bool| {
                let inner = seen_calls.get(&id)?;
                let inner_q = finals.get(*inner)?.as_ref()?;
                let spec = format!(
                    "{RETURN_OF}{}{}{RETURN_OF}{}",
                    if tried { TRIED } else { "" },
                    calls[*inner].name,
                    inner_q.as_deref().unwrap_or("")
                );
                (spec.len() <= MAX_RETURN_OF).then_some(spec)
            };
            let typed = types
                .of_receiver(&out.definitions, from, node.start_byte(), &q)
                .and_then(|t| match t.strip_prefix(CALL_RESULT) {
                    Some(id) => match id.strip_prefix(TRIED) {
                        Some(id) => returned(id.parse().ok()?, true),
                        None => returned(id.parse().ok()?, false),
                    },
                    None => Some(t),
                })
                .or_else(|| receiver.and_then(|r| spec.value_type(r, src)))
                .or_else(|| returned(receiver.as_ref()?.id(), false))
                .or_else(|| returned(spec.tried_call((*receiver)?)?.id(), true));
            match typed {
                Some(t) => {
                    let mut q = q;
                    q.reserve(RECEIVER_TYPE.len_utf8() + t.len());
                    q.push(RECEIVER_TYPE);
                    q.push_str(&t);
                    q
                }
                None => q,
            }
        });
        finals[i] = Some(qualifier);
    }
    for (FoundCall { node, name, .. }, qualifier) in calls.drain(..).zip(finals) {
        let Some(qualifier) = qualifier else {
            continue;
        };
        out.references.push(Reference {
            kind: EdgeKind::Calls,
            from: owner.of(node),
            name,
            qualifier,
            alias: None,
            line: line_of(node),
        });
    }
    let mut split = Vec::new();
    for &node in imports.iter() {
        split.clear();
        spec.imports(node, src, &mut split);
        let from = owner.of(node);
        for imp in split.drain(..) {
            if imp.name.is_empty() {
                continue;
            }
            out.references.push(Reference {
                kind: EdgeKind::Imports,
                from,
                name: imp.name,
                qualifier: imp.qualifier.filter(|q| !q.is_empty()),
                alias: imp.alias,
                line: line_of(node),
            });
        }
    }
    for (node, kind, ancestors) in type_refs.drain(..) {
        let path = match kind {
            EdgeKind::References => match spec.referenced_type(node, &ancestors, src) {
                Some(p) => Cow::Owned(p),
                None => continue,
            },
            _ => strip_generics_in(text(node, src)),
        };
        let (qualifier, name) = split_path(&path);
        if name.is_empty() {
            continue;
        }
        // A type's `?`/`.unwrap()` value rides in the unused alias: see
        // `crate::model::Reference::alias`.
        let alias = match kind {
            EdgeKind::References => spec.unwrapped_type(node, src),
            EdgeKind::Implements => spec
                .is_blanket_impl(node, &ancestors, src)
                .then(|| BLANKET.to_string()),
            _ => None,
        };
        out.references.push(Reference {
            kind,
            from: owner.of(node),
            name,
            qualifier,
            alias,
            line: line_of(node),
        });
    }
    out.references.sort_by_key(|r| r.line);
    found.give_back();
    Ok(out)
}

/// Separates a receiver qualifier (`engine.`) from the receiver's type when the
/// extractor knows it (`engine.\u{1f}Engine`): see [`crate::model::Reference`].
pub const RECEIVER_TYPE: char = '\u{1f}';

/// A receiver type given as what a call returns: `RETURN_OF name RETURN_OF qualifier`
/// (the inner call's name and stored qualifier, empty for a bare call), after
/// [`RECEIVER_TYPE`]: `x.b().c()` has `x.b().` + `\u{1f}\u{1e}b\u{1e}x.`.
pub const RETURN_OF: char = '\u{1e}';

/// Marks a binding typed by what a call returns (`let x = make();`), by the call's
/// node id, until that call's qualifier is known: driver-internal, never stored.
const CALL_RESULT: char = '\u{1d}';

/// The alias of an `Implements` reference of a blanket impl (see
/// [`Spec::is_blanket_impl`]).
pub const BLANKET: &str = "*";

/// After [`RETURN_OF`]: the value is the inner call's through `?` (`f()?.g()`).
pub const TRIED: &str = "?";

/// Longest [`RETURN_OF`] type kept: each call of a chain embeds the one before, so a
/// long builder chain would otherwise store text quadratic in its length.
const MAX_RETURN_OF: usize = 512;

/// (owner definition, binding name) → (start byte, type) of each binding.
type Bindings<'s> = FastMap<(usize, &'s str), Vec<(usize, Option<String>)>>;

/// Types of local bindings per definition, and of struct fields per struct name
/// (borrowed from the definitions `'d`).
struct LocalTypes<'s, 'd> {
    /// (owner definition, binding name) → (start byte, type) in source order.
    bindings: Bindings<'s>,
    /// (struct name, field name) → type.
    fields: FastMap<(&'d str, &'s str), Option<String>>,
}

impl<'s, 'd> LocalTypes<'s, 'd> {
    fn new(
        spec: &dyn Spec,
        definitions: &'d [Definition],
        owner: &Owner<'_>,
        found: &mut Vec<(Node<'_>, Node<'_>, bool, Ancestors<'_>)>,
        src: &'s str,
    ) -> LocalTypes<'s, 'd> {
        let mut bindings: Bindings<'_> = FastMap::default();
        let mut fields = FastMap::default();
        for (node, name, field, ancestors) in found.drain(..) {
            let n = text(name, src);
            let ty = spec.binding_type(node, &ancestors, src).or_else(|| {
                // Typed later, by what the call returns (see `CALL_RESULT`).
                let (call, tried) = spec.binding_call(node).filter(|_| !field)?;
                let mark = if tried { TRIED } else { "" };
                Some(format!("{CALL_RESULT}{mark}{}", call.id()))
            });
            let at = owner.of(name);
            if field {
                let d = &definitions[at];
                if d.kind == BlockKind::Struct {
                    fields.insert((d.name.as_str(), n), ty);
                }
            } else {
                bindings
                    .entry((at, n))
                    .or_default()
                    .push((name.start_byte(), ty));
            }
        }
        LocalTypes { bindings, fields }
    }

    /// The type of the receiver `q` (`x.` or `self.field.`) of a call at byte `at`
    /// in definition `from`: the latest binding of `x` before the call in `from`, or
    /// the field's type in the struct of the enclosing `impl`.
    fn of_receiver(
        &self,
        definitions: &[Definition],
        from: usize,
        at: usize,
        q: &str,
    ) -> Option<String> {
        let receiver = q.strip_suffix('.')?;
        if let Some(field) = receiver.strip_prefix("self.") {
            if !is_identifier(field) {
                return None;
            }
            let mut cur = Some(from);
            while let Some(c) = cur {
                let d = &definitions[c];
                if d.kind == BlockKind::Impl {
                    return self.fields.get(&(d.name.as_str(), field))?.clone();
                }
                cur = d.parent;
            }
            return None;
        }
        if !is_identifier(receiver) || receiver == "self" {
            return None;
        }
        self.bindings
            .get(&(from, receiver))?
            .iter()
            .rev()
            .find(|(start, _)| *start < at)?
            .1
            .clone()
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Finds the innermost definition around a node.
struct Owner<'d> {
    definitions: &'d [Definition],
    ranges: &'d [(usize, usize)],
    /// Definition indexes sorted by start byte.
    by_start: Vec<usize>,
}

impl<'d> Owner<'d> {
    fn new(definitions: &'d [Definition], ranges: &'d [(usize, usize)]) -> Owner<'d> {
        let mut by_start: Vec<usize> = (0..ranges.len()).collect();
        by_start.sort_by_key(|&i| (ranges[i].0, std::cmp::Reverse(ranges[i].1)));
        Owner {
            definitions,
            ranges,
            by_start,
        }
    }

    fn of(&self, node: Node<'_>) -> usize {
        let (start, end) = (node.start_byte(), node.end_byte());
        // The last definition starting at or before the node, then up its parents to
        // the first that contains the node.
        let pos = self
            .by_start
            .partition_point(|&i| self.ranges[i].0 <= start);
        let mut cur = pos.checked_sub(1).map_or(0, |p| self.by_start[p]);
        loop {
            let (s, e) = self.ranges[cur];
            if s <= start && end <= e {
                return cur;
            }
            match self.definitions[cur].parent {
                Some(p) => cur = p,
                None => return 0,
            }
        }
    }
}

fn span_of(node: Node<'_>) -> Span {
    Span {
        start_line: node.start_position().row as u32 + 1,
        end_line: node.end_position().row as u32 + 1,
        start_byte: node.start_byte() as u32,
        end_byte: node.end_byte() as u32,
    }
}

fn line_of(node: Node<'_>) -> u32 {
    node.start_position().row as u32 + 1
}

/// Error and missing nodes in the tree (descending only where errors are).
fn count_errors(root: Node<'_>) -> usize {
    if !root.has_error() {
        return 0;
    }
    let mut count = 0;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            count += 1;
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor).filter(|c| c.has_error()));
    }
    count
}

/// A call's qualifier as written: paths exactly (generics removed), anything else
/// (`make().build`) with whitespace collapsed and bounded in length.
/// With `receiver`, a `.` follows (see [`Role::CallReceiver`]).
fn qualifier_text(raw: &str, receiver: bool) -> String {
    let stripped = strip_generics_in(raw);
    let mut out = if is_path(&stripped) {
        let mut out = String::with_capacity(stripped.len() + 1);
        out.push_str(&stripped);
        out
    } else {
        truncate(collapse(raw), MAX_QUALIFIER)
    };
    if receiver {
        out.push('.');
    }
    out
}

/// The declaration up to its body: `pub fn flush(&self) -> Result<()>`.
fn signature(spec: &dyn Spec, node: Node<'_>, src: &str) -> String {
    let whole = text(node, src);
    let head = match spec.field(node, "body") {
        Some(body) if body.start_byte() > node.start_byte() => src
            .get(node.start_byte()..body.start_byte())
            .unwrap_or(whole),
        _ => {
            let cut = whole.find(['{', ';', '\n']).unwrap_or(whole.len());
            &whole[..cut]
        }
    };
    collapse(head.trim_end_matches(['{', ':', ' ', '\n', '\t', '\r', '=']))
}

/// Parameters and return type, read from the fields most grammars share.
fn generic_metadata(spec: &dyn Spec, draft: &mut Draft<'_>, src: &str) {
    if !matches!(
        draft.kind,
        BlockKind::Function | BlockKind::Method | BlockKind::Test
    ) {
        return;
    }
    if let Some(p) = spec.field(draft.node, "parameters") {
        let t = truncate(collapse(text(p, src)), MAX_SIGNATURE);
        draft.metadata.push(("parameters".into(), t));
    }
    let ret = spec
        .field(draft.node, "return_type")
        .or_else(|| spec.field(draft.node, "result"));
    if let Some(r) = ret {
        let t = collapse(text(r, src).trim_start_matches([':', ' ']));
        if !t.is_empty() {
            draft
                .metadata
                .push(("return_type".into(), truncate(t, MAX_SIGNATURE)));
        }
    }
}

/// The doc comment right before a definition (or before the node wrapping it).
fn comment_doc<'t>(
    spec: &dyn Spec,
    node: Node<'t>,
    preceding: &Preceding<'t>,
    src: &str,
) -> String {
    let mut anchor = node;
    // `parent()` walks down from the root: only languages with wrappers pay for it.
    while let Some(p) = (!spec.wrappers().is_empty())
        .then(|| anchor.parent())
        .flatten()
    {
        let first = p.named_child(0).is_some_and(|c| c.id() == anchor.id());
        if first && spec.wrappers().contains(&p.kind()) {
            anchor = p;
        } else {
            break;
        }
    }
    let mut lines: Vec<&str> = Vec::new();
    let mut next_row = anchor.start_position().row;
    let mut cur = preceding.before(node, anchor);
    while let Some(n) = cur {
        let kind = spec.kind(n);
        if spec.doc_transparent().contains(&kind) {
            next_row = n.start_position().row;
            cur = preceding.before(node, n);
            continue;
        }
        if !kind.contains("comment") || n.end_position().row + 1 < next_row {
            break;
        }
        let Some(line) = spec.doc_line(text(n, src)) else {
            break;
        };
        lines.push(line);
        next_row = n.start_position().row;
        cur = preceding.before(node, n);
    }
    lines.reverse();
    // Block comments (`/** ... */`) carry a `*` margin on each line.
    let cleaned: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(|l| {
            let t = l.trim_start();
            t.strip_prefix('*')
                .map_or(l, |r| r.strip_prefix(' ').unwrap_or(r))
        })
        .collect();
    cleaned.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generics_are_stripped_from_paths_and_types() {
        assert_eq!(strip_generics("Vec::<u8>::new"), "Vec::new");
        assert_eq!(strip_generics("Engine<T>"), "Engine");
        assert_eq!(strip_generics("&mut HashMap<K, Vec<V>>"), "HashMap");
        assert_eq!(strip_generics("*Server"), "Server");
        assert_eq!(strip_generics("Vec::<u8>"), "Vec");
        assert_eq!(strip_generics("[]int"), "[]int");
        assert_eq!(strip_generics("<T as Tr>::f"), "<T as Tr>::f");
        assert_eq!(strip_generics(" a::b:: "), "a::b::");
        assert_eq!(strip_generics("&'a mut [u8]"), "'a mut");
        assert_eq!(strip_generics("Vec<é>::<ü>::new"), "Vec::new");
        // Nothing but the ends cut: the text itself, not a copy.
        assert!(matches!(
            strip_generics_in("&dyn io::Read"),
            Cow::Borrowed("io::Read")
        ));
    }

    #[test]
    fn paths_split_at_their_last_separator() {
        assert_eq!(
            split_path("fmt::Display"),
            (Some("fmt".into()), "Display".into())
        );
        assert_eq!(split_path("a.b.C"), (Some("a.b".into()), "C".into()));
        assert_eq!(split_path("Base"), (None, "Base".into()));
        assert_eq!(last_segment("a::b::c"), "c");
    }

    #[test]
    fn truncation_respects_character_boundaries() {
        assert_eq!(truncate("ééé".into(), 3), "é…");
        assert_eq!(truncate("abc".into(), 3), "abc");
    }

    #[test]
    fn complex_qualifiers_are_bounded() {
        assert_eq!(qualifier_text("self.store", false), "self.store");
        assert_eq!(qualifier_text("self.store", true), "self.store.");
        assert_eq!(qualifier_text("make(a,\n   b)", false), "make(a, b)");
        assert!(qualifier_text(&"x(".repeat(100), false).len() <= MAX_QUALIFIER + '…'.len_utf8());
    }
}
