//! The Rust query file (`queries/rust.scm`) as one hand-written walk of the tree.
//!
//! Query execution keeps per-node bookkeeping for every pattern (field and supertype
//! status, candidate states) and cost about as much as parsing on real Rust code; a
//! plain cursor walk that looks at node kinds costs a fraction of it. The walk emits the
//! same matches, with the query's pattern numbers: each `match` arm below names the
//! pattern it stands for. `tests::walker_agrees_with_the_query` and the example
//! `walker_check` compare the two.

use super::driver::{recycle, Ancestors, Emit, Role};
use crate::model::BlockKind;
use std::cell::Cell;
use std::sync::OnceLock;
use tree_sitter::Node;

/// Node kind and field ids of the Rust grammar the walk looks for.
struct Ids {
    mod_item: u16,
    function_item: u16,
    function_signature_item: u16,
    struct_item: u16,
    union_item: u16,
    enum_item: u16,
    trait_item: u16,
    impl_item: u16,
    const_item: u16,
    static_item: u16,
    type_item: u16,
    macro_definition: u16,
    call_expression: u16,
    generic_function: u16,
    scoped_identifier: u16,
    field_expression: u16,
    identifier: u16,
    type_identifier: u16,
    field_identifier: u16,
    declaration_list: u16,
    token_tree: u16,
    macro_invocation: u16,
    colon_colon: u16,
    parameter: u16,
    let_declaration: u16,
    for_expression: u16,
    closure_parameters: u16,
    tuple_struct_pattern: u16,
    field_declaration: u16,
    use_declaration: u16,
    f_name: u16,
    f_body: u16,
    f_type: u16,
    f_return_type: u16,
    f_trait: u16,
    f_function: u16,
    f_path: u16,
    f_value: u16,
    f_field: u16,
    f_pattern: u16,
    f_argument: u16,
    /// By kind id: attribute items and comments, which docs and test attributes are
    /// read from (see [`super::driver::Preceding`]).
    run_kinds: Vec<bool>,
    /// By kind id: the kinds of [`OPAQUE`].
    opaque: Vec<bool>,
    /// By kind id: argument lists, tuples and arrays, whose first and last bytes are
    /// their own brackets (see [`Openers`]).
    bracketed: Vec<bool>,
    /// By kind id: [`CONTAINERS`] and the parents whose children [`child_of`] looks at,
    /// whose children the walk visits all (see [`Descend`]).
    keeps_children: Vec<bool>,
}

/// The kinds that may hold an item, a `let`, a field or a parameter, which need not
/// have an opener (`(`, `[`, `{`, `|`) of their own: each of these kinds has one (the
/// file, the root, aside); see [`Openers`].
const CONTAINERS: [&str; 6] = [
    "source_file",
    "block",
    "declaration_list",
    "field_declaration_list",
    "parameters",
    "closure_parameters",
];

/// Node kinds whose subtrees hold no node that the walk looks at (the grammar allows
/// none there: `tests::opaque_kinds_hold_nothing_the_walk_looks_for` checks it against
/// the grammar's `node-types.json`); the walk does not go into them.
const OPAQUE: [&str; 11] = [
    "line_comment",
    "block_comment",
    "string_literal",
    "raw_string_literal",
    "lifetime",
    "label",
    "self_parameter",
    "function_modifiers",
    "token_tree_pattern",
    "use_bounds",
    "for_lifetimes",
];

impl Ids {
    /// The ids, or `None` when the grammar lacks one (a grammar upgrade renamed it:
    /// the query then runs instead).
    fn load(lang: &tree_sitter::Language) -> Option<Ids> {
        let kind = |name: &str| Some(lang.id_for_node_kind(name, true)).filter(|&id| id != 0);
        let field = |name: &str| lang.field_id_for_name(name).map(|f| f.get());
        Some(Ids {
            mod_item: kind("mod_item")?,
            function_item: kind("function_item")?,
            function_signature_item: kind("function_signature_item")?,
            struct_item: kind("struct_item")?,
            union_item: kind("union_item")?,
            enum_item: kind("enum_item")?,
            trait_item: kind("trait_item")?,
            impl_item: kind("impl_item")?,
            const_item: kind("const_item")?,
            static_item: kind("static_item")?,
            type_item: kind("type_item")?,
            macro_definition: kind("macro_definition")?,
            call_expression: kind("call_expression")?,
            generic_function: kind("generic_function")?,
            scoped_identifier: kind("scoped_identifier")?,
            field_expression: kind("field_expression")?,
            identifier: kind("identifier")?,
            type_identifier: kind("type_identifier")?,
            field_identifier: kind("field_identifier")?,
            declaration_list: kind("declaration_list")?,
            token_tree: kind("token_tree")?,
            macro_invocation: kind("macro_invocation")?,
            colon_colon: Some(lang.id_for_node_kind("::", false)).filter(|&id| id != 0)?,
            parameter: kind("parameter")?,
            let_declaration: kind("let_declaration")?,
            for_expression: kind("for_expression")?,
            closure_parameters: kind("closure_parameters")?,
            tuple_struct_pattern: kind("tuple_struct_pattern")?,
            field_declaration: kind("field_declaration")?,
            use_declaration: kind("use_declaration")?,
            f_name: field("name")?,
            f_body: field("body")?,
            f_type: field("type")?,
            f_return_type: field("return_type")?,
            f_trait: field("trait")?,
            f_function: field("function")?,
            f_path: field("path")?,
            f_value: field("value")?,
            f_field: field("field")?,
            f_pattern: field("pattern")?,
            f_argument: field("argument")?,
            run_kinds: (0..lang.node_kind_count())
                .map(|id| {
                    lang.node_kind_for_id(id as u16)
                        .is_some_and(|k| k == "attribute_item" || k.contains("comment"))
                })
                .collect(),
            opaque: (0..lang.node_kind_count())
                .map(|id| {
                    lang.node_kind_for_id(id as u16)
                        .is_some_and(|k| lang.node_kind_is_named(id as u16) && OPAQUE.contains(&k))
                })
                .collect(),
            bracketed: (0..lang.node_kind_count())
                .map(|id| {
                    lang.node_kind_for_id(id as u16).is_some_and(|k| {
                        lang.node_kind_is_named(id as u16)
                            && matches!(k, "arguments" | "tuple_expression" | "array_expression")
                    })
                })
                .collect(),
            keeps_children: (0..lang.node_kind_count())
                .map(|id| {
                    lang.node_kind_for_id(id as u16).is_some_and(|k| {
                        lang.node_kind_is_named(id as u16)
                            && (CONTAINERS.contains(&k)
                                || matches!(k, "token_tree" | "tuple_struct_pattern"))
                    })
                })
                .collect(),
        })
    }
}

fn ids() -> Option<&'static Ids> {
    static IDS: OnceLock<Option<Ids>> = OnceLock::new();
    IDS.get_or_init(|| Ids::load(&tree_sitter_rust::LANGUAGE.into()))
        .as_ref()
}

/// Where the walk is among the children of one node.
struct Level<'t> {
    parent: Node<'t>,
    /// Where this level's run of comments and attributes starts in the shared stack.
    run_start: usize,
    parent_kind: u16,
    /// Children of `parent` after the current one: the walk goes up after the last
    /// instead of asking the cursor for a sibling, a failing call that costs about as
    /// much as a move.
    remaining: usize,
    /// `parent`'s end when the children after the last opener in it can be passed
    /// over (see [`Descend::From`]).
    tail: Option<usize>,
    /// In a token tree: the last named child so far when it is an identifier (the
    /// patterns look at no other), and whether a `::` came between it and the named
    /// child before it (`before_last`, also only an identifier).
    last: Option<(Node<'t>, bool)>,
    before_last: Option<Node<'t>>,
    /// A `::` came after `last`.
    colons: bool,
    /// The nearest of `parent` and its ancestors that is not a token tree.
    outside_tokens: Option<Node<'t>>,
}

/// Walks `root`, emitting the matches of `queries/rust.scm`; `false` if the grammar
/// is not the one the walk knows.
pub(crate) fn walk<'t>(root: Node<'t>, src: &str, emit: &mut Emit<'_, 't>) -> bool {
    let Some(ids) = ids() else {
        return false;
    };
    thread_local! {
        /// The level stack's buffer, kept from file to file: deep enough for most
        /// files, it is a large allocation, for which glibc's malloc first
        /// consolidates all the small blocks freed since the last one.
        static LEVELS: Cell<Vec<Level<'static>>> = const { Cell::new(Vec::new()) };
    }
    let mut levels = recycle(LEVELS.take());
    levels.reserve(64);
    let walked = walk_with(ids, root, src, emit, &mut levels);
    levels.clear();
    LEVELS.set(recycle(levels));
    walked
}

fn walk_with<'t>(
    ids: &Ids,
    root: Node<'t>,
    src: &str,
    emit: &mut Emit<'_, 't>,
    levels: &mut Vec<Level<'t>>,
) -> bool {
    let mut cursor = root.walk();
    // The comments and attributes right before the current node, for each level.
    let mut runs: Vec<Node<'t>> = Vec::with_capacity(16);
    let mut openers = Openers::new(src);
    loop {
        let node = cursor.node();
        // Read once: each is a call into the C library.
        let kind = node.kind_id();
        let named = node.is_named();
        let run_start = levels.last().map_or(0, |l| l.run_start);
        if let Some(level) = levels.last_mut() {
            child_of(ids, node, kind, named, level, emit);
        }
        if named {
            visit(ids, node, kind, &runs[run_start..], levels, emit);
        }
        let in_run = ids
            .run_kinds
            .get(usize::from(kind))
            .copied()
            .unwrap_or(false);
        if in_run {
            runs.push(node);
        } else {
            runs.truncate(run_start);
        }
        // `child_count` counts the children the cursor visits (through hidden nodes).
        let children = node.child_count() as usize;
        let entered = match children {
            0 => None,
            _ => match descend(ids, node, kind, levels.last(), src, &mut openers) {
                Descend::No => None,
                Descend::All => cursor.goto_first_child().then_some((0, None)),
                Descend::From(opener, end) => match cursor.goto_first_child_for_byte(opener) {
                    Some(index) => Some((index, Some(end))),
                    None => cursor.goto_first_child().then_some((0, None)),
                },
            },
        };
        if let Some((index, tail)) = entered {
            let outside_tokens = if kind == ids.token_tree {
                levels.last().and_then(|l| l.outside_tokens)
            } else {
                Some(node)
            };
            levels.push(Level {
                parent: node,
                run_start: runs.len(),
                parent_kind: kind,
                remaining: children.saturating_sub(index + 1),
                tail,
                last: None,
                before_last: None,
                colons: false,
                outside_tokens,
            });
            continue;
        }
        // The node the walk leaves for its next sibling, or for its parent's.
        let mut done = node;
        loop {
            let Some(level) = levels.last_mut() else {
                return true;
            };
            let more = level.remaining > 0
                && level
                    .tail
                    .is_none_or(|end| openers.within(done.end_byte(), end));
            if more {
                level.remaining -= 1;
                if cursor.goto_next_sibling() {
                    break;
                }
            }
            debug_assert!(
                more || level.tail.is_some() || !cursor.clone().goto_next_sibling(),
                "child_count counts every child the cursor visits"
            );
            runs.truncate(level.run_start);
            done = level.parent;
            levels.pop();
            if !cursor.goto_parent() {
                return true;
            }
        }
    }
}

/// How the walk goes into a node's children.
enum Descend {
    /// Not at all: nothing the walk looks for is there.
    No,
    All,
    /// From the child that holds the node's first opener (at this byte) to the one that
    /// holds its last (the node ends at the second byte): the children before and
    /// after hold nothing the walk looks for, nor are they any, as the node is none of
    /// the parents that need no opener in their children ([`CONTAINERS`], token trees,
    /// tuple struct patterns); see [`Openers`].
    From(usize, usize),
}

/// How the walk goes into `node` (of kind `kind`, a child of `level`'s parent, `None`
/// for the root). Not at all into an [`OPAQUE`] kind; a token tree whose calls are all
/// skipped (not in the arguments of an expression macro, see `Rust::skip_call`;
/// nested token trees go with the outermost) or without a token tree inside; or a
/// node without an opener in its text (see [`Openers`]). Into every child when error
/// recovery may have put nodes of any kind there.
fn descend(
    ids: &Ids,
    node: Node<'_>,
    kind: u16,
    level: Option<&Level<'_>>,
    src: &str,
    openers: &mut Openers<'_>,
) -> Descend {
    let Some(level) = level else {
        return Descend::All;
    };
    let is = |table: &[bool]| table.get(usize::from(kind)).copied().unwrap_or(false);
    let descend = if kind == ids.token_tree {
        let outermost = level.parent_kind != ids.token_tree;
        let skipped = outermost
            && !(level.parent_kind == ids.macro_invocation
                && super::rust::is_expression_macro(level.parent, src));
        // A call in a token tree is a name before a token tree, whose bracket opens
        // inside this one's.
        if skipped || !openers.within(node.start_byte() + 1, node.end_byte()) {
            Descend::No
        } else {
            return Descend::All;
        }
    } else if is(&ids.opaque) {
        Descend::No
    } else {
        let (mut start, end) = (node.start_byte(), node.end_byte());
        if is(&ids.bracketed) {
            start += 1;
        }
        match openers.first(start) {
            opener if opener >= end => Descend::No,
            _ if is(&ids.keeps_children) => return Descend::All,
            opener => Descend::From(opener, end),
        }
    };
    if node.has_error() {
        Descend::All
    } else {
        descend
    }
}

/// Finds the bytes `(`, `[`, `{` and `|` in the source. Each node the walk looks for
/// has one in its own text, or its parent has: items, `let`s and fields are in blocks,
/// declaration lists or the file (`tests::openers_witness_what_the_walk_looks_for`),
/// parameters in `(..)` or `|..|`; calls have `(..)` arguments, `for` loops a block,
/// token trees their brackets, closure parameters their bars, tuple struct patterns
/// `(..)`. So a node other than the root without one holds nothing the walk looks
/// for, nor does an argument list, tuple or array without one inside its own
/// brackets (its children are expressions, which are none of those needing a parent).
struct Openers<'s> {
    src: &'s [u8],
    /// The first opener at or after `from` is at `next` (`src.len()` for none).
    from: usize,
    next: usize,
}

impl<'s> Openers<'s> {
    fn new(src: &'s str) -> Openers<'s> {
        let mut o = Openers {
            src: src.as_bytes(),
            from: 0,
            next: 0,
        };
        o.scan(0);
        o
    }

    fn scan(&mut self, from: usize) {
        let rest = self.src.get(from..).unwrap_or(&[]);
        self.from = from;
        // Three of the bytes in one vectorised search, then `|` before the first.
        let bracket = memchr::memchr3(b'(', b'[', b'{', rest).unwrap_or(rest.len());
        let bar = memchr::memchr(b'|', &rest[..bracket]).unwrap_or(bracket);
        self.next = from + bar;
    }

    /// The first opener at or after byte `start` (`src.len()` for none). The walk asks
    /// in source order, so each byte is mostly scanned once.
    fn first(&mut self, start: usize) -> usize {
        if start < self.from || start > self.next {
            self.scan(start);
        }
        self.next
    }

    /// Whether bytes `start..end` hold an opener.
    fn within(&mut self, start: usize, end: usize) -> bool {
        self.first(start) < end
    }
}

/// Patterns about a node and its fields.
/// `run`: the comments and attributes right before `node`, farthest first.
/// `levels`: where the walk is, down to `node`'s parent.
fn visit<'t>(
    ids: &Ids,
    node: Node<'t>,
    k: u16,
    run: &[Node<'t>],
    levels: &[Level<'t>],
    emit: &mut Emit<'_, 't>,
) {
    let field_of_kind = |field: u16, kind: u16| {
        node.child_by_field_id(field)
            .filter(|c| c.kind_id() == kind)
    };
    let named_field = |field: u16| node.child_by_field_id(field).filter(|c| c.is_named());
    let def = |pattern: usize, kind: BlockKind, name: Option<Node<'t>>, emit: &mut Emit<'_, 't>| {
        let Some(name) = name else {
            return;
        };
        let head = [
            (Role::Definition(kind), node),
            (Role::Name, name),
            (Role::PrecedingKnown, node),
        ];
        let preceding = run.iter().rev().map(|&n| (Role::Preceding, n));
        // On the stack unless the run of comments and attributes is long.
        let mut buf = [(Role::Other, node); 16];
        if head.len() + run.len() <= buf.len() {
            let mut len = head.len();
            buf[..len].copy_from_slice(&head);
            for (slot, c) in buf[len..].iter_mut().zip(preceding) {
                *slot = c;
                len += 1;
            }
            emit(pattern, &buf[..len]);
        } else {
            let captures: Vec<_> = head.into_iter().chain(preceding).collect();
            emit(pattern, &captures);
        }
    };
    // A type reference (`@references`, `@implements`) in field `field` of `node`, with
    // its ancestors, which spare `Node::parent` calls (see `Rust::referenced_type`).
    let type_ref = |pattern: usize, role: Role, field: u16, emit: &mut Emit<'_, 't>| {
        let Some(t) = named_field(field) else {
            return;
        };
        let mut captures = [(Role::Ancestor, node); 2 + Ancestors::KNOWN - 1];
        captures[0] = (role, t);
        let mut len = 2;
        for level in levels.iter().rev().take(Ancestors::KNOWN - 1) {
            captures[len] = (Role::Ancestor, level.parent);
            len += 1;
        }
        emit(pattern, &captures[..len]);
    };
    match k {
        // (mod_item name: (identifier) @name body: (declaration_list)) @definition.module
        _ if k == ids.mod_item && field_of_kind(ids.f_body, ids.declaration_list).is_some() => def(
            0,
            BlockKind::Module,
            field_of_kind(ids.f_name, ids.identifier),
            emit,
        ),
        _ if k == ids.function_item || k == ids.function_signature_item => {
            let (pattern, returns) = if k == ids.function_item {
                (1, 29)
            } else {
                (2, 30)
            };
            def(
                pattern,
                BlockKind::Function,
                field_of_kind(ids.f_name, ids.identifier),
                emit,
            );
            // (function_item return_type: (_) @references)
            type_ref(returns, Role::References, ids.f_return_type, emit);
        }
        _ if k == ids.struct_item => def(
            3,
            BlockKind::Struct,
            field_of_kind(ids.f_name, ids.type_identifier),
            emit,
        ),
        _ if k == ids.union_item => def(
            4,
            BlockKind::Struct,
            field_of_kind(ids.f_name, ids.type_identifier),
            emit,
        ),
        _ if k == ids.enum_item => def(
            5,
            BlockKind::Enum,
            field_of_kind(ids.f_name, ids.type_identifier),
            emit,
        ),
        _ if k == ids.trait_item => def(
            6,
            BlockKind::Trait,
            field_of_kind(ids.f_name, ids.type_identifier),
            emit,
        ),
        _ if k == ids.impl_item => {
            // (impl_item type: (_) @name) @definition.impl
            def(7, BlockKind::Impl, named_field(ids.f_type), emit);
            // (impl_item trait: (_) @implements)
            type_ref(27, Role::Implements, ids.f_trait, emit);
        }
        _ if k == ids.const_item => def(
            8,
            BlockKind::Constant,
            field_of_kind(ids.f_name, ids.identifier),
            emit,
        ),
        _ if k == ids.static_item => def(
            9,
            BlockKind::Constant,
            field_of_kind(ids.f_name, ids.identifier),
            emit,
        ),
        _ if k == ids.type_item => {
            def(
                10,
                BlockKind::TypeAlias,
                field_of_kind(ids.f_name, ids.type_identifier),
                emit,
            );
            // (type_item type: (_) @references)
            type_ref(28, Role::References, ids.f_type, emit);
        }
        _ if k == ids.macro_definition => def(
            11,
            BlockKind::Function,
            field_of_kind(ids.f_name, ids.identifier),
            emit,
        ),
        _ if k == ids.call_expression => {
            if let Some(f) = node.child_by_field_id(ids.f_function) {
                call(ids, node, f, false, emit);
            }
        }
        // (parameter pattern: (identifier) @binding.name) @binding, and the same for
        // let_declaration and for_expression
        _ if k == ids.parameter || k == ids.let_declaration || k == ids.for_expression => {
            if let Some(name) = field_of_kind(ids.f_pattern, ids.identifier) {
                let pattern = if k == ids.parameter {
                    20
                } else if k == ids.let_declaration {
                    21
                } else {
                    22
                };
                // A parameter's ancestors, which the walk knows, spare `binding_type`
                // steps up the tree (see `type_parameter_bounds` in `rust.rs`).
                let mut captures = [(Role::Ancestor, node); 2 + Ancestors::KNOWN];
                captures[0] = (Role::Binding, node);
                captures[1] = (Role::BindingName, name);
                let mut len = 2;
                let known = if k == ids.parameter {
                    Ancestors::KNOWN
                } else {
                    0
                };
                for level in levels.iter().rev().take(known) {
                    captures[len] = (Role::Ancestor, level.parent);
                    len += 1;
                }
                emit(pattern, &captures[..len]);
            }
        }
        // (field_declaration name: (field_identifier) @field.name) @field
        _ if k == ids.field_declaration => {
            if let Some(name) = field_of_kind(ids.f_name, ids.field_identifier) {
                emit(25, &[(Role::Field, node), (Role::FieldName, name)]);
            }
        }
        // (use_declaration argument: (_) @import)
        _ if k == ids.use_declaration => {
            if let Some(arg) = named_field(ids.f_argument) {
                emit(26, &[(Role::Import, arg)]);
            }
        }
        _ => {}
    }
}

/// The call patterns: `function` is the call's `function` field; `generic` whether it
/// was found under a `generic_function` (patterns 15 to 17 instead of 12 to 14).
fn call<'t>(ids: &Ids, node: Node<'t>, function: Node<'t>, generic: bool, emit: &mut Emit<'_, 't>) {
    let k = function.kind_id();
    let base = if generic { 15 } else { 12 };
    if k == ids.identifier {
        // (call_expression function: (identifier) @call.name) @call
        emit(base, &[(Role::Call, node), (Role::CallName, function)]);
    } else if k == ids.scoped_identifier {
        // function: (scoped_identifier path: (_) @call.qualifier name: (identifier) @call.name)
        let path = function
            .child_by_field_id(ids.f_path)
            .filter(|p| p.is_named());
        let name = function
            .child_by_field_id(ids.f_name)
            .filter(|n| n.kind_id() == ids.identifier);
        if let (Some(path), Some(name)) = (path, name) {
            emit(
                base + 1,
                &[
                    (Role::Call, node),
                    (Role::CallQualifier, path),
                    (Role::CallName, name),
                ],
            );
        }
    } else if k == ids.field_expression {
        // function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name)
        let value = function
            .child_by_field_id(ids.f_value)
            .filter(|v| v.is_named());
        let field = function
            .child_by_field_id(ids.f_field)
            .filter(|f| f.kind_id() == ids.field_identifier);
        if let (Some(value), Some(field)) = (value, field) {
            emit(
                base + 2,
                &[
                    (Role::Call, node),
                    (Role::CallReceiver, value),
                    (Role::CallName, field),
                ],
            );
        }
    } else if k == ids.generic_function && !generic {
        // function: (generic_function function: ...)
        if let Some(inner) = function.child_by_field_id(ids.f_function) {
            call(ids, node, inner, true, emit);
        }
    }
}

/// Emits `captures` of `pattern`, with `(Role::OutsideTokens, n)` for `outside` `Some(n)`.
fn emit_with<'t, const N: usize>(
    emit: &mut Emit<'_, 't>,
    pattern: usize,
    captures: &[(Role, Node<'t>); N],
    outside: Option<Node<'t>>,
) {
    match outside {
        Some(n) => {
            let mut all = [(Role::OutsideTokens, n); 4];
            all[..N].copy_from_slice(captures);
            emit(pattern, &all[..=N]);
        }
        None => emit(pattern, captures),
    }
}

/// Patterns about a node among its siblings: closure parameters, tuple struct pattern
/// bindings, and calls in token trees. `k` is `node`'s kind id, `named` whether it is
/// named.
fn child_of<'t>(
    ids: &Ids,
    node: Node<'t>,
    k: u16,
    named: bool,
    level: &mut Level<'t>,
    emit: &mut Emit<'_, 't>,
) {
    if level.parent_kind == ids.token_tree {
        if !named {
            level.colons |= k == ids.colon_colon;
            return;
        }
        if k == ids.token_tree {
            if let Some((name, colons)) = level.last {
                // `OutsideTokens` is no capture of the query: what the walk knows here
                // spares `skip_call` its walk up the tree.
                let outside = level.outside_tokens;
                // (token_tree (identifier) @call.name @call . (token_tree))
                let call = [(Role::CallName, name), (Role::Call, name)];
                emit_with(emit, 18, &call, outside);
                // (token_tree (identifier) @call.qualifier . "::" . (identifier)
                //   @call.name @call . (token_tree))
                let qualifier = level.before_last.filter(|_| colons);
                if let Some(q) = qualifier {
                    let call = [
                        (Role::CallQualifier, q),
                        (Role::CallName, name),
                        (Role::Call, name),
                    ];
                    emit_with(emit, 19, &call, outside);
                }
            }
        }
        level.before_last = level.last.map(|(n, _)| n);
        level.last = (k == ids.identifier).then_some((node, level.colons));
        level.colons = false;
        return;
    }
    if k != ids.identifier {
        return;
    }
    // (closure_parameters (identifier) @binding.name) @binding
    // (tuple_struct_pattern (identifier) @binding.name) @binding
    let pattern = if level.parent_kind == ids.closure_parameters {
        23
    } else if level.parent_kind == ids.tuple_struct_pattern {
        24
    } else {
        return;
    };
    emit(
        pattern,
        &[(Role::Binding, level.parent), (Role::BindingName, node)],
    );
}

#[cfg(test)]
mod tests {
    use crate::extract::Extractor;
    use crate::model::{Language, ParsedFile};
    use serde_json::Value;
    use std::collections::{HashMap, HashSet};

    /// References in a canonical order: the walk may meet two calls of one line in
    /// another order than the query (only the order within a line can differ).
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

    #[test]
    fn walker_agrees_with_the_query() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for sub in ["src", "tests", "examples"] {
            collect(&dir.join(sub), &mut files);
        }
        // Odd and broken input too: error recovery must not set them apart.
        files.push((
            "broken.rs".into(),
            "fn f( { g(); mod m { fn h() -> { x.y(; } } impl for {} assert_eq!(a::b(1), c (2));"
                .into(),
        ));
        files.push((
            "macros.rs".into(),
            "fn f() { println!(\"{}\", m::g(x), h!(y), z :: w (1), Some(v)); matches!(a, B(c)); \
             let E(p, q) = r; let s = |t, u: U| t; for k in ks { k.go(); } }"
                .into(),
        ));
        files.push((
            "docs.rs".into(),
            "/// Doc.\n#[test]\n// plain\n#[cfg(x)]\nfn t() {}\n\n/** Block\n * doc */\nstruct S;\n\
             mod m {\n    //! inner\n    /// In a module.\n    #[tokio::test] async fn u() {}\n    \
             fn v() { /// not an item doc\n fn w() {} }\n}\n"
                .into(),
        ));
        files.push((
            "opaque.rs".into(),
            "#[cfg_attr(x, doc = f(1))]\n#[doc = include_str!(g(\"a\"))]\nfn a<'l>(&'l self) -> u8 { \
             quote!(h(1), m::n(2)); println!(\"{}\", quote!(i(1)), [j(2)]); \
             macro_rules! m { ($x:expr) => { k($x) }; } 'o: loop { continue 'o; } \
             let s = \"q(1)\\n\"; bad!(r(s; t(u)) }"
                .into(),
        ));
        files.push((
            "generics.rs".into(),
            "impl<H: Visit> S<H> { fn f<V: Visit + Clone>(v: &mut V, h: H, n: u8) where V: Send \
             { v.go(); h.go(); let c = |w: V| w.go(); } }\n\
             fn top<T: Visit>(t: T) { t.go(); }\n"
                .into(),
        ));
        assert!(files.len() > 20, "the crate's own sources are the corpus");
        assert!(
            super::ids().is_some(),
            "the walk knows the grammar (else the query ran)"
        );
        let mut ex = Extractor::new();
        for (path, text) in &files {
            let walked = ex.extract(Language::Rust, path, text).unwrap();
            let queried = ex.extract_by_query(Language::Rust, path, text).unwrap();
            assert_eq!(canonical(walked), canonical(queried), "{path}");
        }
    }

    /// The kinds `visit` matches and the parents `child_of` looks into.
    const LOOKED_AT: [&str; 21] = [
        "mod_item",
        "function_item",
        "function_signature_item",
        "struct_item",
        "union_item",
        "enum_item",
        "trait_item",
        "impl_item",
        "const_item",
        "static_item",
        "type_item",
        "macro_definition",
        "call_expression",
        "parameter",
        "let_declaration",
        "for_expression",
        "field_declaration",
        "use_declaration",
        "token_tree",
        "closure_parameters",
        "tuple_struct_pattern",
    ];

    /// The grammar's `node-types.json`: each named kind's entry, and the named kinds
    /// its fields and children may be (supertypes expanded).
    struct NodeTypes {
        entries: HashMap<String, Value>,
        children: HashMap<String, HashSet<String>>,
    }

    impl NodeTypes {
        fn load() -> NodeTypes {
            let types: Vec<Value> = serde_json::from_str(tree_sitter_rust::NODE_TYPES).unwrap();
            let name = |t: &Value| t["type"].as_str().unwrap_or("").to_string();
            let named = |t: &Value| t["named"].as_bool().unwrap_or(false);
            let supertypes: HashMap<String, Vec<String>> = types
                .iter()
                .filter_map(|t| {
                    let subs = t["subtypes"].as_array()?;
                    Some((name(t), subs.iter().map(name).collect()))
                })
                .collect();
            fn expand(
                k: &str,
                supertypes: &HashMap<String, Vec<String>>,
                out: &mut HashSet<String>,
            ) {
                match supertypes.get(k) {
                    Some(subs) => subs.iter().for_each(|s| expand(s, supertypes, out)),
                    None => {
                        out.insert(k.to_string());
                    }
                }
            }
            let mut entries = HashMap::new();
            let mut children = HashMap::new();
            for t in types
                .iter()
                .filter(|t| named(t) && t.get("subtypes").is_none())
            {
                let mut kids = HashSet::new();
                let fields = t["fields"].as_object().into_iter().flat_map(|f| f.values());
                for slot in fields.chain(t.get("children")) {
                    for c in slot["types"].as_array().into_iter().flatten() {
                        if named(c) {
                            expand(&name(c), &supertypes, &mut kids);
                        }
                    }
                }
                children.insert(name(t), kids);
                entries.insert(name(t), t.clone());
            }
            NodeTypes { entries, children }
        }

        fn parents(&self, kind: &str) -> Vec<&str> {
            let mut p: Vec<&str> = (self.children.iter())
                .filter(|(_, kids)| kids.contains(kind))
                .map(|(k, _)| k.as_str())
                .collect();
            p.sort_unstable();
            p
        }
    }

    /// What the grammar allows below each [`super::OPAQUE`] kind holds none of the kinds
    /// the walk matches, nor a parent whose children it looks at.
    #[test]
    fn opaque_kinds_hold_nothing_the_walk_looks_for() {
        let types = NodeTypes::load();
        // Kinds that may have a looked-at kind below them.
        let mut live: HashSet<String> = HashSet::new();
        loop {
            let more: Vec<String> = (types.children.iter())
                .filter(|(k, kids)| {
                    !live.contains(*k)
                        && kids
                            .iter()
                            .any(|c| live.contains(c) || LOOKED_AT.contains(&c.as_str()))
                })
                .map(|(k, _)| k.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            live.extend(more);
        }
        // The analysis sees calls where types hold expressions (`[u8; N]`).
        assert!(live.contains("array_type") && live.contains("attribute_item"));
        for k in super::OPAQUE {
            assert!(
                types.children.contains_key(k),
                "{k} is a kind of the grammar"
            );
            assert!(!live.contains(k), "{k} may hold what the walk looks at");
        }
    }

    /// The grammar facts [`super::Openers`] stands on: what the walk looks for has an
    /// opener in its own text or its parent's.
    #[test]
    fn openers_witness_what_the_walk_looks_for() {
        let types = NodeTypes::load();
        // Kinds with brackets of their own (token trees, `|..|`, `S(..)`), and kinds
        // with a required part that has them.
        let own = ["token_tree", "closure_parameters", "tuple_struct_pattern"];
        let required = [
            ("call_expression", "arguments", "arguments"),
            ("for_expression", "body", "block"),
        ];
        for (kind, field, part) in required {
            let f = &types.entries[kind]["fields"][field];
            assert_eq!(f["required"], Value::Bool(true), "{kind}.{field}");
            assert_eq!(
                f["types"].as_array().map(Vec::len),
                Some(1),
                "{kind}.{field}"
            );
            assert_eq!(f["types"][0]["type"], Value::from(part), "{kind}.{field}");
        }
        for kind in LOOKED_AT {
            if own.contains(&kind) || required.iter().any(|r| r.0 == kind) {
                continue;
            }
            let parents = types.parents(kind);
            assert!(!parents.is_empty(), "{kind} is a kind of the grammar");
            for p in parents {
                assert!(super::CONTAINERS.contains(&p), "{kind} may be in {p}");
            }
        }
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), text));
                }
            }
        }
    }
}
