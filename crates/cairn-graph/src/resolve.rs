//! Name resolution: turning the references of every file into edges to blocks.
//!
//! Resolution sees the symbols of the whole workspace at once, so the edges it makes
//! depend only on the current set of files, never on the order in which they were
//! synced: an incremental sync and a from-scratch ingest of the same tree agree.
//!
//! A name is looked for by scope, nearest first: the file it is used in, then what the
//! file imports, then a unique definition in the file's package (the nearest directory
//! holding a package manifest), then a unique definition in the workspace. A reference
//! nothing matches becomes an edge to an unresolved symbol that keeps its text.

use crate::extract::{BLANKET, RECEIVER_TYPE, RETURN_OF, TRIED};
use crate::id::{BlockId, FastMap, FastSet};
use crate::model::{BlockKind, EdgeKind, Language};
use crate::multimap::{MultiMap, MultiMapBuilder};
use crate::record::{Edge, EdgeInfo, FileIndex, StoredReference, Symbol};
use std::sync::OnceLock;

/// Where a symbol is: (file number, symbol number within the file).
type SymRef = (u32, u32);

/// Where a method's owner type name, in lower case, sits in
/// `StructureIndex::method_owners`.
#[derive(Clone, Copy, Debug)]
struct OwnerRange {
    start: u32,
    end: u32,
}

/// Methods blanket impls give every type, by name, as (method, trait).
type BlanketMethods = FastMap<Box<str>, Vec<(SymRef, SymRef)>>;

/// A file's `implements` references resolved: (reference number, trait), sorted.
type ImplementedTraits = Vec<(u32, Option<SymRef>)>;

/// The type of what a call returns.
enum Returned {
    /// A type itself (a tuple struct's constructor gives one of it).
    Type(SymRef),
    /// The type of the `impl` around definition (file, symbol): `-> Self`.
    SelfOf(u32, u32),
    /// A type as written in definition (file, symbol).
    Path(u32, u32, String),
}

/// The workspace's symbols, indexed for lookup.
pub struct SymbolTable<'a> {
    workspace: &'a str,
    /// The workspace's files, then its libraries' (see [`Self::with_libraries`]).
    files: Vec<(&'a str, &'a FileIndex)>,
    /// Per file: 0 for the workspace's own, 1 + the library's position for a
    /// library's. A name alone reaches only items of the same origin.
    origins: Vec<u32>,
    /// The package of each file (a number standing for the package root, a path
    /// prefix), for package scope.
    packages: Vec<u32>,
    /// Symbols by name.
    names: NameIndex<'a>,
    /// How symbols relate: members, children, methods, imports, trait impls.
    structure: StructureIndex<'a>,
    /// Per file, once asked: what each of its imports resolves to (by reference
    /// number; `None` for other references). Every call through an import asks.
    import_targets: Vec<OnceLock<Vec<Option<SymRef>>>>,
    /// Per file, once asked: the trait each of its `implements` references resolves
    /// to, by reference number (sorted).
    implemented: Vec<OnceLock<ImplementedTraits>>,
    /// Once asked: the methods blanket impls give every type, by name, as (method,
    /// trait), in table order (see [`Self::blanket_method`]).
    /// (Owned names: a borrowed one in a cell would tie the table's lifetime.)
    blanket_methods: OnceLock<BlanketMethods>,
}

/// The half of a [`SymbolTable`] that finds symbols by name; built on its own
/// thread beside [`StructureIndex`].
struct NameIndex<'a> {
    /// Symbols by simple name, in table order.
    by_name: MultiMap<&'a str, SymRef>,
    /// Symbols by qualified name, in table order.
    by_qualified: MultiMap<&'a str, SymRef>,
    /// The modules, `impl` blocks and types of `by_name` (what
    /// [`SymbolTable::containers`] chooses among), in table order.
    containers_by_name: MultiMap<&'a str, SymRef>,
    /// `by_name` and `containers_by_name` by (name, the segment before the name in
    /// the qualified name), in table order: the candidates a path `a::b::name` can
    /// match at least one segment of, without scoring every symbol so named.
    by_name_parent: MultiMap<(&'a str, &'a str), SymRef>,
    containers_by_name_parent: MultiMap<(&'a str, &'a str), SymRef>,
    /// `by_name` by (name, package), in table order: scope by package.
    by_name_package: MultiMap<(&'a str, u32), SymRef>,
    /// The standard library crates (`std`, `core`, `alloc`) whose root module is in
    /// the table: paths into the others name nothing Cairn has.
    std_crates_present: Vec<&'a str>,
}

impl<'a> NameIndex<'a> {
    /// `packages`: the package number of each file.
    fn build(files: &[(&'a str, &'a FileIndex)], packages: &[u32]) -> NameIndex<'a> {
        let mut by_name = MultiMapBuilder::default();
        let mut by_qualified = MultiMapBuilder::default();
        let mut containers_by_name = MultiMapBuilder::default();
        let mut by_name_parent = MultiMapBuilder::default();
        let mut containers_by_name_parent = MultiMapBuilder::default();
        let mut by_name_package = MultiMapBuilder::default();
        let mut std_crates_present = Vec::new();
        for (fi, &(_, index)) in files.iter().enumerate() {
            for (si, s) in index.symbols.iter().enumerate() {
                let r = (fi as u32, si as u32);
                if s.kind == BlockKind::Module
                    && index.language == Some(Language::Rust)
                    && matches!(s.qualified_name.as_str(), "std" | "core" | "alloc")
                    && !std_crates_present.contains(&s.qualified_name.as_str())
                {
                    std_crates_present.push(s.qualified_name.as_str());
                }
                by_name.push(s.name.as_str(), r);
                by_name_package.push((s.name.as_str(), packages[fi]), r);
                by_qualified.push(s.qualified_name.as_str(), r);
                let container =
                    s.kind == BlockKind::Module || s.kind == BlockKind::Impl || s.kind.is_type();
                if container {
                    containers_by_name.push(s.name.as_str(), r);
                }
                if let Some(parent) = parent_segment(&s.qualified_name) {
                    let key = (s.name.as_str(), parent);
                    by_name_parent.push(key, r);
                    if container {
                        containers_by_name_parent.push(key, r);
                    }
                }
            }
        }
        NameIndex {
            by_name: by_name.build(),
            by_qualified: by_qualified.build(),
            containers_by_name: containers_by_name.build(),
            by_name_parent: by_name_parent.build(),
            containers_by_name_parent: containers_by_name_parent.build(),
            by_name_package: by_name_package.build(),
            std_crates_present,
        }
    }
}

/// The half of a [`SymbolTable`] that relates symbols; built on its own thread beside
/// [`NameIndex`].
struct StructureIndex<'a> {
    /// A number for each distinct qualified name of the table, by symbol: the
    /// symbols of file `f` from `first_symbol[f]` on.
    qualified_ids: Vec<u32>,
    first_symbol: Vec<u32>,
    /// Symbols `m` by (`p`'s qualified-name number, `m`'s name) where `m`'s qualified
    /// name is `p.name` (`dot_members`) or `p::name` (`path_members`) and `p` is a
    /// symbol's qualified name, in table order: what [`SymbolTable::direct_members`]
    /// looks up without building (or hashing) the qualified name.
    dot_members: MultiMap<(u32, &'a str), SymRef>,
    path_members: MultiMap<(u32, &'a str), SymRef>,
    /// Children of each symbol, by name (a type's methods, a module's items). Rust
    /// methods live under `impl` blocks named after their type;
    /// [`SymbolTable::containers`] joins those to the type.
    children: MultiMap<(SymRef, &'a str), SymRef>,
    /// By symbol (indexed like `qualified_ids`): a bit for each of its children's
    /// names (see [`name_bit`]), so most lookups of a child a container does not
    /// have skip `children`, a large map whose probes miss the cache.
    child_names: Vec<u64>,
    /// Members of types and `impl` blocks by (type name, member name), as (parent,
    /// member) in table order: every `impl Engine` of the workspace adds to `Engine`.
    type_members: MultiMap<(&'a str, &'a str), (SymRef, SymRef)>,
    /// Methods by name with their owner type's name in lower case (for receivers
    /// named like the type), as a range of `method_owners`.
    methods: MultiMap<&'a str, (SymRef, OwnerRange)>,
    method_owners: String,
    /// Per file: the imports binding each local name (the first wins), and the glob
    /// imports, as indexes into the file's references.
    imports: Vec<FastMap<&'a str, u32>>,
    globs: Vec<Vec<u32>>,
    /// The `references` reference of each definition that has one (a function's
    /// return type, an alias's target), by definition.
    returns: FastMap<SymRef, u32>,
    /// `impl Trait for Type` blocks by the type's name, as (file, `implements`
    /// reference number), in table order: where a type's traits are found.
    trait_impls: MultiMap<&'a str, (u32, u32)>,
    /// The `implements` references of blanket impls (`impl<T: Display> ToString for
    /// T`), as (file, reference number), in table order.
    blankets: Vec<(u32, u32)>,
    /// The `impl Trait for Type` blocks (the others are inherent), with their
    /// `implements` reference number.
    trait_impl_blocks: FastMap<SymRef, u32>,
    /// The methods traits declare, by name, in table order.
    trait_methods: MultiMap<&'a str, SymRef>,
    /// The names of the Rust methods of inherent impls (`impl Engine { fn flush }`).
    inherent_method_names: FastSet<&'a str>,
}

impl<'a> StructureIndex<'a> {
    fn build(files: &[(&'a str, &'a FileIndex)]) -> StructureIndex<'a> {
        let mut dot_members = MultiMapBuilder::default();
        let mut path_members = MultiMapBuilder::default();
        let mut children = MultiMapBuilder::default();
        let mut type_members = MultiMapBuilder::default();
        let mut methods = MultiMapBuilder::default();
        let mut method_owners = String::new();
        let mut imports = Vec::with_capacity(files.len());
        let mut globs = Vec::with_capacity(files.len());
        let mut returns: FastMap<SymRef, u32> = FastMap::default();
        let mut trait_impls = MultiMapBuilder::default();
        let mut blankets = Vec::new();
        let mut trait_impl_blocks: FastMap<SymRef, u32> = FastMap::default();
        // Every qualified name is numbered before members look up their parent's,
        // which may be defined in a later file.
        let mut ids: FastMap<&str, u32> = FastMap::default();
        let mut first_symbol = Vec::with_capacity(files.len());
        let mut qualified_ids = Vec::new();
        for &(_, index) in files {
            first_symbol.push(qualified_ids.len() as u32);
            for s in &index.symbols {
                let next = ids.len() as u32;
                qualified_ids.push(*ids.entry(s.qualified_name.as_str()).or_insert(next));
            }
        }
        let mut child_names = vec![0u64; qualified_ids.len()];
        for (fi, &(_, index)) in files.iter().enumerate() {
            for (si, s) in index.symbols.iter().enumerate() {
                let r = (fi as u32, si as u32);
                let q = s.qualified_name.as_str();
                let parent_id = |separator: &str| {
                    let p = q.strip_suffix(s.name.as_str())?.strip_suffix(separator)?;
                    ids.get(p).copied()
                };
                if let Some(p) = parent_id(".") {
                    dot_members.push((p, s.name.as_str()), r);
                }
                if let Some(p) = parent_id("::") {
                    path_members.push((p, s.name.as_str()), r);
                }
                let parent = s
                    .parent
                    .and_then(|p| Some((p, index.symbols.get(p as usize)?)));
                if let Some((pi, p)) = parent {
                    let pr = (fi as u32, pi);
                    children.push((pr, s.name.as_str()), r);
                    child_names[first_symbol[fi] as usize + pi as usize] |= name_bit(&s.name);
                    if p.kind == BlockKind::Impl || p.kind.is_type() {
                        type_members.push((p.name.as_str(), s.name.as_str()), (pr, r));
                    }
                }
                if s.kind == BlockKind::Method {
                    let start = method_owners.len();
                    for c in owner_type_of(index, s).chars() {
                        method_owners.extend(c.to_lowercase());
                    }
                    let owner = OwnerRange {
                        start: start as u32,
                        end: method_owners.len() as u32,
                    };
                    methods.push(s.name.as_str(), (r, owner));
                }
            }
            for (ri, r) in index.references.iter().enumerate() {
                if r.kind == EdgeKind::References {
                    returns.entry((fi as u32, r.from)).or_insert(ri as u32);
                }
                if r.kind == EdgeKind::Implements {
                    if let Some(s) = index
                        .symbols
                        .get(r.from as usize)
                        .filter(|s| s.kind == BlockKind::Impl)
                    {
                        trait_impls.push(s.name.as_str(), (fi as u32, ri as u32));
                        trait_impl_blocks
                            .entry((fi as u32, r.from))
                            .or_insert(ri as u32);
                        if r.alias.as_deref() == Some(BLANKET) {
                            blankets.push((fi as u32, ri as u32));
                        }
                    }
                }
            }
            let mut bound: FastMap<&str, u32> = FastMap::default();
            let mut glob = Vec::new();
            for (ri, r) in index.references.iter().enumerate() {
                if r.kind != EdgeKind::Imports {
                    continue;
                }
                if r.name == "*" {
                    glob.push(ri as u32);
                } else {
                    let local = r.alias.as_deref().unwrap_or(&r.name);
                    bound.entry(local).or_insert(ri as u32);
                }
            }
            imports.push(bound);
            globs.push(glob);
        }
        let mut inherent_method_names = FastSet::default();
        let mut trait_methods = MultiMapBuilder::default();
        for (fi, &(_, index)) in files.iter().enumerate() {
            if index.language != Some(Language::Rust) {
                continue;
            }
            for (si, s) in index.symbols.iter().enumerate() {
                let Some(p) = s.parent else { continue };
                let in_trait = index
                    .symbols
                    .get(p as usize)
                    .is_some_and(|ps| ps.kind == BlockKind::Trait);
                if s.kind == BlockKind::Method && in_trait {
                    trait_methods.push(s.name.as_str(), (fi as u32, si as u32));
                }
                let inherent = index.symbols.get(p as usize).is_some_and(|ps| {
                    ps.kind == BlockKind::Impl && !trait_impl_blocks.contains_key(&(fi as u32, p))
                });
                if s.kind == BlockKind::Method && inherent {
                    inherent_method_names.insert(s.name.as_str());
                }
            }
        }
        StructureIndex {
            qualified_ids,
            first_symbol,
            dot_members: dot_members.build(),
            path_members: path_members.build(),
            children: children.build(),
            child_names,
            type_members: type_members.build_sorted(),
            methods: methods.build(),
            method_owners,
            imports,
            globs,
            returns,
            trait_impls: trait_impls.build(),
            blankets,
            trait_impl_blocks,
            trait_methods: trait_methods.build(),
            inherent_method_names,
        }
    }
}

/// The files of a library workspace, for a [`SymbolTable`] of a workspace that uses it.
pub struct LibraryFiles<'a> {
    /// Sorted by path.
    pub files: Vec<(&'a str, &'a FileIndex)>,
    /// The library's package roots (see [`SymbolTable::new`]).
    pub package_roots: &'a [String],
}

impl<'a> SymbolTable<'a> {
    /// Indexes `files` (sorted by path: ties between equally good candidates go to the
    /// first, so the order must not depend on sync history). `package_roots` are the
    /// directories (with a trailing `/`, or "" for the root) that hold a manifest.
    pub fn new(
        workspace: &'a str,
        files: Vec<(&'a str, &'a FileIndex)>,
        package_roots: &'a [String],
    ) -> SymbolTable<'a> {
        SymbolTable::with_libraries(workspace, files, package_roots, Vec::new())
    }

    /// [`Self::new`] with the files of `libraries` too: their definitions can be what a
    /// workspace file's reference means, after the workspace's own on ties (they come
    /// after its files in table order). Their own references are never resolved here:
    /// [`Self::edges_of`] takes only the workspace's files, numbered first.
    pub fn with_libraries(
        workspace: &'a str,
        mut files: Vec<(&'a str, &'a FileIndex)>,
        package_roots: &'a [String],
        libraries: Vec<LibraryFiles<'a>>,
    ) -> SymbolTable<'a> {
        debug_assert!(files.windows(2).all(|w| w[0].0 < w[1].0));
        // Packages are numbered by (library, root): 0 is the workspace itself, so a
        // library's `src/` is never the same package as the workspace's.
        let mut package_numbers: FastMap<(usize, &str), u32> = FastMap::default();
        let mut packages = Vec::with_capacity(files.len());
        let mut origins = vec![0u32; files.len()];
        let mut number = |key: (usize, &'a str)| {
            let n = package_numbers.len() as u32;
            *package_numbers.entry(key).or_insert(n)
        };
        for (path, _) in &files {
            packages.push(number((0, package_of(path, package_roots))));
        }
        for (li, library) in libraries.into_iter().enumerate() {
            debug_assert!(library.files.windows(2).all(|w| w[0].0 < w[1].0));
            for (path, index) in library.files {
                packages.push(number((li + 1, package_of(path, library.package_roots))));
                origins.push(li as u32 + 1);
                files.push((path, index));
            }
        }
        // The two halves of the index are built at once, on two threads: this is the
        // one step of a sync that runs on a single thread otherwise.
        let (names, structure) = std::thread::scope(|scope| {
            let names = scope.spawn(|| NameIndex::build(&files, &packages));
            let structure = StructureIndex::build(&files);
            let names = names
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (names, structure)
        });
        let import_targets = files.iter().map(|_| OnceLock::new()).collect();
        let implemented = files.iter().map(|_| OnceLock::new()).collect();
        SymbolTable {
            workspace,
            files,
            origins,
            packages,
            names,
            structure,
            import_targets,
            implemented,
            blanket_methods: OnceLock::new(),
        }
    }

    fn sym(&self, r: SymRef) -> &'a Symbol {
        &self.files[r.0 as usize].1.symbols[r.1 as usize]
    }

    fn path(&self, r: SymRef) -> &'a str {
        self.files[r.0 as usize].0
    }

    /// The edges file number `fi` is the source of: containment from its symbols'
    /// parents, and every reference, resolved or not. Sorted, without duplicates.
    pub fn edges_of(&self, fi: usize) -> Vec<Edge> {
        assert_eq!(
            self.origins[fi], 0,
            "edges_of takes a workspace file, not a library's"
        );
        let (path, index) = self.files[fi];
        let mut out = Vec::with_capacity(index.symbols.len() + index.references.len());
        for s in &index.symbols {
            if let Some(p) = s.parent.and_then(|p| index.symbols.get(p as usize)) {
                out.push(Edge {
                    source: p.id,
                    kind: EdgeKind::Contains,
                    target: s.id,
                    line: 0,
                    info: EdgeInfo {
                        path: path.to_string(),
                        target_text: s.name.clone(),
                        resolved: true,
                    },
                });
            }
        }
        let language = index.language;
        // A file repeats references (`f.write_str(..)` on every line of a `fmt`): the
        // ones whose meaning does not depend on where in the file they are written
        // are resolved once.
        let mut memo: FastMap<(EdgeKind, &str, &str), Option<SymRef>> = FastMap::default();
        for (ri, r) in index.references.iter().enumerate() {
            let Some(from) = index.symbols.get(r.from as usize) else {
                continue;
            };
            let text = reference_text(language, r);
            let target = match r.qualifier.as_deref().filter(|q| placeless(r.kind, q)) {
                _ if r.kind == EdgeKind::Imports => self.import_target(fi as u32, ri as u32),
                Some(q) => *memo
                    .entry((r.kind, r.name.as_str(), q))
                    .or_insert_with(|| self.resolve(fi as u32, r)),
                None => self.resolve(fi as u32, r),
            };
            let (target, resolved) = match target {
                Some(t) => (self.sym(t).id, true),
                None => (BlockId::for_unresolved(self.workspace, &text), false),
            };
            out.push(Edge {
                source: from.id,
                kind: r.kind,
                target,
                line: r.line,
                info: EdgeInfo {
                    path: path.to_string(),
                    target_text: text,
                    resolved,
                },
            });
        }
        out.sort();
        out.dedup_by(|a, b| {
            a.source == b.source && a.kind == b.kind && a.target == b.target && a.line == b.line
        });
        out
    }

    /// The symbol a reference of file `fi` means, if any.
    fn resolve(&self, fi: u32, r: &StoredReference) -> Option<SymRef> {
        match r.kind {
            EdgeKind::Imports => self.resolve_import(fi, r),
            // `fn new() -> Self`: the type of the impl it is in.
            EdgeKind::References if r.qualifier.is_none() && is_self(&r.name) => {
                self.enclosing_type(fi, r.from)
            }
            EdgeKind::Implements | EdgeKind::Extends | EdgeKind::References => {
                self.resolve_qualified(fi, r.from, &r.name, r.qualifier.as_deref(), is_type, 0)
            }
            _ => self.resolve_qualified(
                fi,
                r.from,
                &r.name,
                r.qualifier.as_deref(),
                is_target_of_call,
                0,
            ),
        }
    }

    fn resolve_import(&self, fi: u32, r: &StoredReference) -> Option<SymRef> {
        let expanded = r
            .qualifier
            .as_deref()
            .and_then(|q| self.expand_relative(fi, r.from, q));
        let qualifier = expanded.as_deref().or(r.qualifier.as_deref());
        if self.is_rust_std(fi, qualifier.map(segments).unwrap_or_default().first()) {
            return None;
        }
        if r.name == "*" {
            let q = qualifier?;
            let segs = segments(q);
            let (last, init) = segs.split_last()?;
            return self.best_by_path(fi, last, init, |k| k == BlockKind::Module);
        }
        let segs = qualifier.map(segments).unwrap_or_default();
        self.best_by_path(fi, &r.name, &segs, |_| true)
    }

    /// Whether a path of a Rust file starting with `first` is in a standard library
    /// crate (`std`, `core`, `alloc`) the table does not hold: such a path never
    /// means a workspace item, whatever its last segments match.
    fn is_rust_std(&self, fi: u32, first: Option<&&str>) -> bool {
        self.files[fi as usize].1.language == Some(Language::Rust)
            && first.is_some_and(|f| {
                matches!(*f, "std" | "core" | "alloc") && !self.names.std_crates_present.contains(f)
            })
    }

    /// A Rust path relative to where it is written (`super::x`, `self::x`,
    /// `crate::x`) as a path from the crate root; `None` for other paths.
    fn expand_relative(&self, fi: u32, from: u32, q: &str) -> Option<String> {
        let index = self.files[fi as usize].1;
        if index.language != Some(Language::Rust) {
            return None;
        }
        let parts: Vec<&str> = q.split("::").collect();
        if !matches!(parts.first(), Some(&("crate" | "self" | "super"))) {
            return None;
        }
        let module = ancestors(index, from)
            .into_iter()
            .map(|a| &index.symbols[a as usize])
            .find(|s| s.kind == BlockKind::Module)?;
        let mut base: Vec<&str> = module.qualified_name.split("::").collect();
        let mut rest = parts.as_slice();
        match rest.first() {
            Some(&"crate") => {
                base.truncate(1);
                rest = &rest[1..];
            }
            Some(&"self") => rest = &rest[1..],
            _ => {
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
        }
        base.extend(rest);
        let path = base.join("::");
        (!path.is_empty()).then_some(path)
    }

    /// Resolves `qualifier::name` used in file `fi` inside symbol `from`. `depth`
    /// counts the type aliases followed on the way, bounding alias cycles.
    fn resolve_qualified(
        &self,
        fi: u32,
        from: u32,
        name: &str,
        qualifier: Option<&str>,
        accept: fn(BlockKind) -> bool,
        depth: u8,
    ) -> Option<SymRef> {
        match qualifier {
            None => self.resolve_bare(fi, from, name, accept),
            Some(q) if is_self(q.trim_end_matches('.')) => self
                .enclosing_type_member(fi, from, name, accept)
                .or_else(|| self.resolve_bare(fi, from, name, accept)),
            // A method call on a value whose type the extractor knew (`x.flush()`
            // after `let x = Engine::new()`): a method of that type, or nothing.
            // A type parameter's bounds come as `Visit+Debug`: the method is the one
            // bound that has it, and none if several have one.
            Some(q) if q.contains(RECEIVER_TYPE) => {
                let ty = q.split_once(RECEIVER_TYPE).map_or("", |(_, t)| t);
                if let Some(call) = ty.strip_prefix(RETURN_OF) {
                    // Without the inner call's target or its return type, the
                    // receiver is as good as untyped.
                    let written = q.split_once(RECEIVER_TYPE).map_or(q, |(w, _)| w);
                    return match self.method_of_returned(fi, from, call, name, depth) {
                        Some(found) => found,
                        None => self.method_of_value(fi, written, name),
                    };
                }
                if is_self(ty) {
                    return self.enclosing_type_member(fi, from, name, is_method);
                }
                let mut found = None;
                for bound in ty.split('+') {
                    let Some(m) =
                        self.resolve_qualified(fi, from, name, Some(bound), is_method, depth)
                    else {
                        continue;
                    };
                    if found.is_some_and(|f| f != m) {
                        return None;
                    }
                    found = Some(m);
                }
                found
            }
            // A Rust method call on a value (`x.round()`, marked by the extractor
            // with a trailing `.`) can only be a method, never a free function.
            Some(q) if q.ends_with('.') => self.method_of_value(fi, q, name),
            Some(q) => {
                let expanded = self.expand_relative(fi, from, q);
                let mut segs: Vec<&str> = segments(expanded.as_deref().unwrap_or(q));
                // A first segment bound by an import stands for the imported path.
                let imported;
                let mut through_import = false;
                if let Some(first) = segs.first().copied() {
                    if let Some((_, imp)) = self.import_binding(fi, first) {
                        imported = import_path(imp);
                        segs.splice(0..1, imported.iter().map(String::as_str));
                        through_import = true;
                    }
                }
                // `std::fs::File::open`, `use std::path::Path; Path::new(..)`: never
                // the workspace's `Path`, whatever it has.
                if self.is_rust_std(fi, segs.first()) {
                    return None;
                }
                // `crate::f()` in a crate whose root has no name of its own: the
                // path is the root module.
                let root_only = (segs.is_empty())
                    .then(|| expanded.as_deref().map(|e| self.root_module(fi, e)))
                    .flatten()
                    .flatten();
                if let Some(root) = root_only {
                    let containers = [root];
                    return self
                        .nearest_member(fi, &containers, name, accept)
                        .or_else(|| self.reexported(&containers, name, accept));
                }
                if let Some((last, init)) = segs.split_last() {
                    let mut containers = self.containers(fi, last, init);
                    // Another origin's type is in scope by its name alone only through
                    // an import, a glob import or the prelude (below), never for being
                    // the one so named (futures' `Inspect::new` is not core's); its
                    // crate's root always is (`mylib::f`).
                    // Named by itself, not through an import or a glob import: then
                    // only the file's own origin, the prelude or a crate root.
                    let by_name_alone =
                        init.is_empty() && !through_import && !self.glob_provides(fi, last);
                    if by_name_alone {
                        containers.retain(|&c| {
                            self.same_origin(fi, c.0)
                                || (self.sym(c).kind == BlockKind::Module
                                    && !self.sym(c).qualified_name.contains(':'))
                        });
                    }
                    // `Vec::new()`, `String::from(..)`: unless the file defines or
                    // imports its own, a prelude name is the standard library's.
                    if by_name_alone && containers.first().is_none_or(|c| c.0 != fi) {
                        // Without the standard library in the table, the workspace's
                        // types so named stay candidates, as before the prelude rule.
                        if let Some(p) = self.prelude(fi, last).flatten() {
                            containers = vec![p];
                        }
                    }
                    if let Some(best) = self.nearest_member(fi, &containers, name, accept) {
                        return Some(best);
                    }
                    if let Some(best) = self.reexported(&containers, name, accept) {
                        return Some(best);
                    }
                    if let Some(best) = self.through_alias(fi, &containers, name, accept, depth) {
                        return Some(best);
                    }
                    if let Some(best) = self.trait_provided(fi, &containers, name, accept) {
                        return Some(best);
                    }
                    if !containers.is_empty() {
                        if let Some(best) = self.blanket_method(fi, name, accept) {
                            return Some(best);
                        }
                    }
                    if let Some(best) = self.through_deref(fi, &containers, name, accept, depth) {
                        return Some(best);
                    }
                    // `Value::Int(x)`: a variant's constructor stands for its enum.
                    if name.starts_with(char::is_uppercase) {
                        let enums: Vec<SymRef> = containers
                            .into_iter()
                            .filter(|&c| self.sym(c).kind == BlockKind::Enum)
                            .collect();
                        if let Some(e) = self.nearest(fi, &enums) {
                            return Some(e);
                        }
                    }
                }
                // Through an import the qualifier names a module or type: if it has no
                // such member here, it lives outside the workspace (`sys.stdout.flush`).
                if through_import {
                    return None;
                }
                // A Rust path names a module or type; none here, so it is outside
                // the workspace (`Vec::new`).
                if self.files[fi as usize].1.language == Some(Language::Rust) {
                    return None;
                }
                // Otherwise the qualifier may be a value (`obj.method()`). Never a
                // free function: `Math.round(x)` is not the workspace's `round`.
                self.method_of_value(fi, q, name)
            }
        }
    }

    fn resolve_bare(
        &self,
        fi: u32,
        from: u32,
        name: &str,
        accept: fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        // Same file: the candidate sharing the deepest enclosing scope with the use.
        let index = self.files[fi as usize].1;
        let local: Vec<SymRef> = self
            .names
            .by_name
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&(f, _)| f == fi)
            .filter(|&r| accept(self.sym(r).kind))
            .collect();
        if !local.is_empty() {
            let ancestors = ancestors(index, from);
            return local.into_iter().max_by_key(|&(_, si)| {
                let parent = index.symbols[si as usize].parent;
                // Higher is nearer; ties keep the first (max_by_key keeps the last,
                // hence the reversed position).
                let depth = parent
                    .and_then(|p| ancestors.iter().position(|&a| a == p))
                    .map_or(0, |pos| ancestors.len() - pos);
                (depth, std::cmp::Reverse(si))
            });
        }
        if let Some((ri, _)) = self.import_binding(fi, name) {
            if let Some(t) = self.import_target(fi, ri) {
                if accept(self.sym(t).kind) || self.sym(t).kind.is_type() {
                    return Some(t);
                }
            }
        }
        // Glob imports (`use m::*`, `from m import *`).
        for &ri in &self.structure.globs[fi as usize] {
            if let Some(module) = self.import_target(fi, ri) {
                let found: Vec<SymRef> = self
                    .members(module, name)
                    .into_iter()
                    .filter(|&m| accept(self.sym(m).kind))
                    .collect();
                if let Some(&first) = found.first() {
                    return Some(first);
                }
            }
        }
        // Rust's prelude: in scope everywhere, shadowed only by what the file
        // defines or imports (looked for above), never by another crate's item.
        if let Some(p) = self.prelude(fi, name) {
            return p.filter(|&p| accept(self.sym(p).kind));
        }
        // Nor is a library's function in scope for being the one so named.
        self.unique_in_scope(fi, name, accept, false)
    }

    /// The name of the type among `containers` (which are all named alike): there is
    /// one when any of them is a type or an `impl` block.
    fn type_among(&self, containers: &[SymRef]) -> Option<&'a str> {
        containers.iter().find_map(|&c| {
            let s = self.sym(c);
            (s.kind.is_type() || s.kind == BlockKind::Impl).then_some(s.name.as_str())
        })
    }

    /// Whether files `a` and `b` are both the workspace's or both one library's.
    fn same_origin(&self, a: u32, b: u32) -> bool {
        self.origins[a as usize] == self.origins[b as usize]
    }

    /// Whether a glob import of file `fi` (`use m::*`) brings in something named
    /// `name` (which then shadows the prelude's).
    fn glob_provides(&self, fi: u32, name: &str) -> bool {
        self.structure.globs[fi as usize].iter().any(|&ri| {
            self.import_target(fi, ri)
                .is_some_and(|m| !self.members(m, name).is_empty())
        })
    }

    /// For a name the Rust prelude binds, in a Rust file: `Some` of the standard
    /// library item it is, when that item's crate is in the table (see
    /// [`RUST_PRELUDE`]), else `Some(None)`; `None` for other names.
    fn prelude(&self, fi: u32, name: &str) -> Option<Option<SymRef>> {
        if self.files[fi as usize].1.language != Some(Language::Rust) {
            return None;
        }
        let &(_, krate, module) = RUST_PRELUDE.iter().find(|(n, _, _)| *n == name)?;
        if !self.names.std_crates_present.contains(&krate) {
            return Some(None);
        }
        // What follows `krate::module` in a Rust item's qualified name.
        let rest = |r: SymRef| -> Option<&str> {
            if self.files[r.0 as usize].1.language != Some(Language::Rust) {
                return None;
            }
            let q = self.sym(r).qualified_name.strip_prefix(krate)?;
            q.strip_prefix("::")?.strip_prefix(module)
        };
        let cands = self.names.by_name.get_or_empty(name);
        if let Some(&r) = cands.iter().find(|&&r| {
            !matches!(self.sym(r).kind, BlockKind::Impl | BlockKind::Method)
                && rest(r)
                    .and_then(|q| q.strip_prefix("::"))
                    .is_some_and(|q| q == name)
        }) {
            return Some(Some(r));
        }
        // Defined deeper and re-exported (`core::iter::traits::iterator::Iterator`);
        // never a type's member (`core::mem::drop_guard::DropGuard::drop`).
        Some(cands.iter().copied().find(|&r| {
            !matches!(
                self.sym(r).kind,
                BlockKind::Impl | BlockKind::Module | BlockKind::Method
            ) && rest(r).is_some_and(|q| q.starts_with("::"))
        }))
    }

    /// The method `name` called on the value `receiver` (`engine.keyspace()`), without
    /// types: the only method so named in scope, or else the only one whose type is
    /// named like the receiver (`engine` → `Engine`, `batch` → `WriteBatch`).
    fn method_of_value(&self, fi: u32, receiver: &str, name: &str) -> Option<SymRef> {
        if let Some(only) = self.unique_in_scope(fi, name, is_method, true) {
            return Some(only);
        }
        self.method_by_hint(fi, receiver, name)
            .or_else(|| self.only_visible_trait_method(fi, name))
    }

    /// An untyped `x.name()` in a Rust file where no type of the table has an
    /// inherent method `name`: it can only be a trait's method, so the one trait
    /// visible in the file that declares it (`x.clone()` is `Clone::clone`), if only
    /// one is. Not when the file glob-imports what the table does not hold (a trait
    /// could come from there).
    fn only_visible_trait_method(&self, fi: u32, name: &str) -> Option<SymRef> {
        if self.files[fi as usize].1.language != Some(Language::Rust)
            || self.structure.inherent_method_names.contains(name)
        {
            return None;
        }
        if self.structure.globs[fi as usize]
            .iter()
            .any(|&g| self.import_target(fi, g).is_none())
        {
            return None;
        }
        let mut found: Option<SymRef> = None;
        for &m in self.structure.trait_methods.get(name)? {
            let Some(tr) = self.sym(m).parent.map(|p| (m.0, p)) else {
                continue;
            };
            if !self.trait_visible(fi, tr, u32::MAX) {
                continue;
            }
            if found.is_some_and(|f| f != m) {
                return None;
            }
            found = Some(m);
        }
        found
    }

    /// The only method `name` whose type is named like the receiver (see
    /// [`Self::method_of_value`]).
    fn method_by_hint(&self, fi: u32, receiver: &str, name: &str) -> Option<SymRef> {
        let hint: String = receiver
            .trim_end_matches('.')
            .rsplit(['.', ':'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        if hint.len() < 3 {
            return None;
        }
        let package = self.packages[fi as usize];
        let (mut in_package, mut first_in_package) = (0usize, None);
        let (mut anywhere, mut first) = (0usize, None);
        for &(m, owner) in self.structure.methods.get(name)? {
            let owner = &self.structure.method_owners[owner.start as usize..owner.end as usize];
            if owner.is_empty() || !owner.ends_with(&hint) {
                continue;
            }
            anywhere += 1;
            first = first.or(Some(m));
            if self.packages[m.0 as usize] == package {
                in_package += 1;
                first_in_package = first_in_package.or(Some(m));
            }
        }
        if in_package == 1 {
            return first_in_package;
        }
        (anywhere == 1).then_some(first).flatten()
    }

    /// `self.name()` / `this.name()`: a member of the type the use sits in.
    fn enclosing_type_member(
        &self,
        fi: u32,
        from: u32,
        name: &str,
        accept: fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        let index = self.files[fi as usize].1;
        let owner = ancestors(index, from)
            .into_iter()
            .map(|a| &index.symbols[a as usize])
            .find(|s| s.kind.is_type() || s.kind == BlockKind::Impl)?;
        let containers = self.containers(fi, &owner.name, &[]);
        self.nearest_member(fi, &containers, name, accept)
            .or_else(|| self.trait_provided(fi, &containers, name, accept))
    }

    /// `nearest` of the accepted `members_of_all(containers, name)`, without listing
    /// them all: the containers come same file first, so a member in file `fi` usually
    /// ends the search at the first container, where a common type name (`Error`,
    /// `Builder`) can have hundreds of containers in a big workspace.
    fn nearest_member(
        &self,
        fi: u32,
        containers: &[SymRef],
        name: &str,
        accept: fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        let package = self.packages[fi as usize];
        let first = std::cell::Cell::new(None);
        let first_in_package = std::cell::Cell::new(None);
        // Scans candidates in `members_of_all` order; `true` when one is in file `fi`.
        let take = |m: SymRef| {
            if !accept(self.sym(m).kind) {
                return false;
            }
            if m.0 == fi {
                return true;
            }
            first.set(first.get().or(Some(m)));
            if first_in_package.get().is_none() && self.packages[m.0 as usize] == package {
                first_in_package.set(Some(m));
            }
            false
        };
        let mut found = Vec::new();
        // Containers often share a qualified name (the many `impl Vec` blocks): the
        // members qualified by it are looked up for the first only, as taking them
        // again would change nothing.
        let mut searched: FastSet<(u32, bool)> = FastSet::default();
        for &c in containers {
            found.clear();
            found.extend_from_slice(self.children_named(c, name));
            if searched.insert((self.qualified_id(c), self.is_rust(c))) {
                self.qualified_members(c, name, 0, &mut found);
            }
            for &m in &found {
                if take(m) {
                    return Some(m);
                }
            }
        }
        if let Some(t) = self.type_among(containers) {
            // Inherent methods first, as Rust looks them up: a trait impl's method of
            // the same name (`impl Collection for Vec { fn push }`) only when the
            // type has none of its own.
            let list = self.structure.type_members.get_or_empty(&(t, name));
            let inherent = |p: SymRef| !self.structure.trait_impl_blocks.contains_key(&p);
            for &(_, m) in list.iter().filter(|(p, _)| inherent(*p)) {
                if take(m) {
                    return Some(m);
                }
            }
            if let Some(found) = first_in_package.get().or(first.get()) {
                return Some(found);
            }
            // A trait's method needs the trait in scope where it is called.
            for &(p, m) in list.iter().filter(|(p, _)| !inherent(*p)) {
                if self.impl_trait_visible(fi, p) && take(m) {
                    return Some(m);
                }
            }
        }
        first_in_package.get().or(first.get())
    }

    /// `name` as a method a trait provides to the type among `containers` (the
    /// type's own members, looked for first, have none so named): a default-bodied
    /// method of a trait some `impl Trait for Type` implements (`iter.map(..)` with
    /// `impl Iterator for Iter`), the nearest if several traits have one. Only for
    /// calls: the traits of `implements` references are resolved as types, which
    /// must not come back here.
    fn trait_provided(
        &self,
        fi: u32,
        containers: &[SymRef],
        name: &str,
        accept: fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        if !accept(BlockKind::Method) {
            return None;
        }
        let ty = self.type_among(containers)?;
        let mut found: Vec<SymRef> = Vec::new();
        for &(tf, ri) in self.structure.trait_impls.get(ty)? {
            let Some(tr) = self
                .implemented_trait(tf, ri)
                .filter(|&tr| self.trait_visible(fi, tr, tf))
            else {
                continue;
            };
            for &m in self.children_named(tr, name) {
                if accept(self.sym(m).kind) && !found.contains(&m) {
                    found.push(m);
                }
            }
        }
        self.nearest(fi, &found)
    }

    /// `name` as a method of what the type among `containers` dereferences to, when
    /// it has none itself (auto-deref of method receivers): the `type Target` of its
    /// `impl Deref` (`String` → `str`, `Vec<T>` → `[T]`), read where the impl is
    /// written. Bounded by `depth` like aliases.
    fn through_deref(
        &self,
        fi: u32,
        containers: &[SymRef],
        name: &str,
        accept: fn(BlockKind) -> bool,
        depth: u8,
    ) -> Option<SymRef> {
        if depth >= 4 || !accept(BlockKind::Method) {
            return None;
        }
        let ty = self.type_among(containers)?;
        let impls: Vec<SymRef> = self
            .structure
            .trait_impls
            .get(ty)?
            .iter()
            .filter_map(|&(tf, ri)| {
                let r = &self.files[tf as usize].1.references[ri as usize];
                (r.name == "Deref").then_some((tf, r.from))
            })
            .collect();
        let imp = self.nearest(fi, &impls)?;
        let target = self
            .children_named(imp, "Target")
            .iter()
            .copied()
            .find(|&t| self.sym(t).kind == BlockKind::TypeAlias)?;
        self.member_of_alias_target(target, name, accept, depth)
    }

    /// `name` as a method a blanket impl gives every type (`x.to_string()` by
    /// `impl<T: Display> ToString for T`, `x.into()` by `impl<T, U: From<T>> Into<U>
    /// for T`): the impl's own method, else its trait's provided one. Only blanket
    /// impls whose trait is in scope in file `fi` count: the file's package's own, the
    /// prelude's, or imported by the file; the nearest if several.
    fn blanket_method(&self, fi: u32, name: &str, accept: fn(BlockKind) -> bool) -> Option<SymRef> {
        if !accept(BlockKind::Method) || self.structure.blankets.is_empty() {
            return None;
        }
        let by_name = self.blanket_methods.get_or_init(|| {
            let mut by_name = BlanketMethods::default();
            for &(bf, ri) in &self.structure.blankets {
                let Some(tr) = self.implemented_trait(bf, ri) else {
                    continue;
                };
                let imp = (bf, self.files[bf as usize].1.references[ri as usize].from);
                let methods_of = |parent: SymRef| {
                    let index: &'a FileIndex = self.files[parent.0 as usize].1;
                    index
                        .symbols
                        .iter()
                        .enumerate()
                        .filter(move |(_, s)| {
                            s.parent == Some(parent.1) && s.kind == BlockKind::Method
                        })
                        .map(move |(si, s)| ((parent.0, si as u32), s.name.as_str()))
                };
                let own: Vec<(SymRef, &'a str)> = methods_of(imp).collect();
                // The impl's own method stands for the trait's.
                let provided = methods_of(tr).filter(|(_, n)| !own.iter().any(|(_, o)| o == n));
                let all: Vec<(SymRef, &'a str)> = own.iter().copied().chain(provided).collect();
                for (m, n) in all {
                    by_name.entry(n.into()).or_default().push((m, tr));
                }
            }
            by_name
        });
        let cands: Vec<SymRef> = by_name
            .get(name)?
            .iter()
            .filter(|&&(_, tr)| self.trait_in_scope(fi, tr))
            .map(|&(m, _)| m)
            .filter(|&m| accept(self.sym(m).kind))
            .collect();
        self.nearest(fi, &cands)
    }

    /// Whether trait `tr` is in scope in file `fi`: defined in its package, the
    /// prelude's, or imported by name.
    fn trait_in_scope(&self, fi: u32, tr: SymRef) -> bool {
        if self.packages[tr.0 as usize] == self.packages[fi as usize] {
            return true;
        }
        let name = self.sym(tr).name.as_str();
        if self.prelude(fi, name) == Some(Some(tr)) {
            return true;
        }
        self.index_imports(fi, name, tr)
    }

    /// Whether the trait trait impl block `imp` implements is visible in file `fi`:
    /// defined or imported there (by name or glob), or the prelude's. A trait that
    /// does not resolve cannot be judged: visible.
    fn impl_trait_visible(&self, fi: u32, imp: SymRef) -> bool {
        let Some(&ri) = self.structure.trait_impl_blocks.get(&imp) else {
            return true;
        };
        match self.implemented_trait(imp.0, ri) {
            Some(tr) => self.trait_visible(fi, tr, imp.0),
            None => true,
        }
    }

    /// Whether trait `tr`, implemented by an impl in file `impl_file`, is visible in
    /// file `fi` (see [`Self::impl_trait_visible`]).
    fn trait_visible(&self, fi: u32, tr: SymRef, impl_file: u32) -> bool {
        if tr.0 == fi || impl_file == fi {
            return true;
        }
        let name = self.sym(tr).name.as_str();
        self.prelude(fi, name) == Some(Some(tr))
            || self.index_imports(fi, name, tr)
            || self.structure.globs[fi as usize].iter().any(|&g| {
                self.import_target(fi, g)
                    .is_some_and(|m| self.members(m, name).contains(&tr))
            })
    }

    /// Whether the import of file `fi` binding `name` resolves to `target`.
    fn index_imports(&self, fi: u32, name: &str, target: SymRef) -> bool {
        self.structure.imports[fi as usize]
            .get(name)
            .is_some_and(|&ri| self.import_target(fi, ri) == Some(target))
    }

    /// The trait `implements` reference number `ri` of file `fi` names (resolving all
    /// the file's `implements` references the first time one is asked for).
    fn implemented_trait(&self, fi: u32, ri: u32) -> Option<SymRef> {
        let resolved = self.implemented[fi as usize].get_or_init(|| {
            let index = self.files[fi as usize].1;
            index
                .references
                .iter()
                .enumerate()
                .filter(|(_, r)| r.kind == EdgeKind::Implements)
                .map(|(i, r)| {
                    let t = self
                        .resolve(fi, r)
                        .filter(|&t| self.sym(t).kind == BlockKind::Trait);
                    (i as u32, t)
                })
                .collect()
        });
        let at = resolved.binary_search_by_key(&ri, |&(i, _)| i).ok()?;
        resolved[at].1
    }

    /// `name` as a member of the type the nearest type alias among `containers`
    /// stands for (`type ParseStream<'a> = &'a ParseBuffer<'a>`: `input.parse()` on an
    /// `input: ParseStream` is `ParseBuffer::parse`), the target read where the alias
    /// is written.
    fn through_alias(
        &self,
        fi: u32,
        containers: &[SymRef],
        name: &str,
        accept: fn(BlockKind) -> bool,
        depth: u8,
    ) -> Option<SymRef> {
        if depth >= 4 {
            return None;
        }
        let aliases: Vec<SymRef> = containers
            .iter()
            .copied()
            .filter(|&c| self.sym(c).kind == BlockKind::TypeAlias)
            .collect();
        let alias = self.nearest(fi, &aliases)?;
        self.member_of_alias_target(alias, name, accept, depth)
    }

    /// `name` as a member of the type alias `alias`'s target, resolved where the
    /// alias is written (one level deeper than `depth`).
    fn member_of_alias_target(
        &self,
        alias: SymRef,
        name: &str,
        accept: fn(BlockKind) -> bool,
        depth: u8,
    ) -> Option<SymRef> {
        let path = written_path(self.returned_reference(alias)?);
        self.resolve_qualified(alias.0, alias.1, name, Some(&path), accept, depth + 1)
    }

    /// The `references` reference of definition `def` (a function's return type, an
    /// alias's target), if it has one.
    fn returned_reference(&self, def: SymRef) -> Option<&'a StoredReference> {
        let ri = *self.structure.returns.get(&def)?;
        self.files[def.0 as usize].1.references.get(ri as usize)
    }

    /// The method `name` of what the call `call` returns (`RETURN_OF`-encoded: its
    /// name and qualifier): a method of the type its target's return type names
    /// (or of the struct a tuple struct constructor makes), `Some(None)` when that
    /// type has none (`Option`, `Vec`: not the workspace's); `None` when the call's
    /// target or its return type is unknown.
    fn method_of_returned(
        &self,
        fi: u32,
        from: u32,
        call: &str,
        name: &str,
        depth: u8,
    ) -> Option<Option<SymRef>> {
        Some(match self.returned_type(fi, from, call, depth)? {
            Returned::Type(t) => self
                .nearest_member(t.0, &[t], name, is_method)
                .or_else(|| self.trait_provided(t.0, &[t], name, is_method)),
            Returned::SelfOf(cf, cs) => self.enclosing_type_member(cf, cs, name, is_method),
            Returned::Path(cf, cs, path) => {
                self.resolve_qualified(cf, cs, name, Some(&path), is_method, depth + 1)
            }
        })
    }

    /// The type of what the call `call` returns (see [`Self::method_of_returned`]),
    /// through `?` or `.unwrap()`/`.expect(..)` the type inside its `Result` or
    /// `Option`.
    fn returned_type(&self, fi: u32, from: u32, call: &str, depth: u8) -> Option<Returned> {
        if depth >= 8 {
            return None;
        }
        let (tried, call) = match call.strip_prefix(TRIED) {
            Some(rest) => (true, rest),
            None => (false, call),
        };
        let (inner_name, inner_q) = call.split_once(RETURN_OF)?;
        let inner_q = (!inner_q.is_empty()).then_some(inner_q);
        // `f().unwrap()`: the value inside what `f()` returns.
        if matches!(inner_name, "unwrap" | "expect") && !tried {
            let receiver = inner_q
                .and_then(|q| q.split_once(RECEIVER_TYPE))
                .and_then(|(_, t)| t.strip_prefix(RETURN_OF));
            if let Some(receiver) = receiver.filter(|r| !r.starts_with(TRIED)) {
                let peeled = format!("{TRIED}{receiver}");
                return self.returned_type(fi, from, &peeled, depth + 1);
            }
        }
        let callee =
            self.resolve_qualified(fi, from, inner_name, inner_q, is_target_of_call, depth + 1)?;
        if self.sym(callee).kind.is_type() {
            return (!tried).then_some(Returned::Type(callee));
        }
        let (cf, cs) = callee;
        let returned = self.returned_reference(callee)?;
        if tried {
            return Some(Returned::Path(cf, cs, returned.alias.clone()?));
        }
        if returned.qualifier.is_none() && is_self(&returned.name) {
            return Some(Returned::SelfOf(cf, cs));
        }
        Some(Returned::Path(cf, cs, written_path(returned)))
    }

    /// The type the definition `from` of file `fi` is in (for an `impl`, the type
    /// it is for, nearest first).
    fn enclosing_type(&self, fi: u32, from: u32) -> Option<SymRef> {
        let index = self.files[fi as usize].1;
        let owner = ancestors(index, from).into_iter().find(|&a| {
            let k = index.symbols[a as usize].kind;
            k.is_type() || k == BlockKind::Impl
        })?;
        let s = &index.symbols[owner as usize];
        if s.kind != BlockKind::Impl {
            return Some((fi, owner));
        }
        let types: Vec<SymRef> = self
            .containers(fi, &s.name, &[])
            .into_iter()
            .filter(|&c| self.sym(c).kind.is_type())
            .collect();
        self.nearest(fi, &types)
    }

    /// The module of file `fi`'s package whose qualified name is `qualified`.
    fn root_module(&self, fi: u32, qualified: &str) -> Option<SymRef> {
        let package = self.packages[fi as usize];
        self.names
            .by_qualified
            .get(qualified)?
            .iter()
            .copied()
            .find(|&r| {
                self.sym(r).kind == BlockKind::Module && self.packages[r.0 as usize] == package
            })
    }

    /// `name` as a module of `containers` re-exports it (`pub use task::spawn;` in
    /// `tokio`'s root makes `tokio::spawn`), by a named import, else by a glob import
    /// declared in that module. One level: what the import names must be defined
    /// where it points, so re-export chains cannot loop.
    fn reexported(
        &self,
        containers: &[SymRef],
        name: &str,
        accept: fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        for &(cf, cs) in containers {
            if self.sym((cf, cs)).kind != BlockKind::Module {
                continue;
            }
            let index = self.files[cf as usize].1;
            if let Some((ri, _)) = self
                .import_binding(cf, name)
                .filter(|(_, imp)| imp.from == cs)
            {
                if let Some(t) = self.import_target(cf, ri) {
                    if accept(self.sym(t).kind) {
                        return Some(t);
                    }
                }
            }
            for &ri in &self.structure.globs[cf as usize] {
                let imp = &index.references[ri as usize];
                if imp.from != cs {
                    continue;
                }
                if let Some(module) = self.import_target(cf, ri) {
                    let found = self
                        .members(module, name)
                        .into_iter()
                        .find(|&m| accept(self.sym(m).kind));
                    if found.is_some() {
                        return found;
                    }
                }
            }
        }
        None
    }

    /// The import of file `fi` that binds `local` (its alias, or its last segment).
    fn import_binding(&self, fi: u32, local: &str) -> Option<(u32, &'a StoredReference)> {
        let ri = *self.structure.imports[fi as usize].get(local)?;
        Some((ri, &self.files[fi as usize].1.references[ri as usize]))
    }

    /// What import number `ri` of file `fi` resolves to (resolving all the file's
    /// imports the first time one is asked for).
    fn import_target(&self, fi: u32, ri: u32) -> Option<SymRef> {
        let targets = self.import_targets[fi as usize].get_or_init(|| {
            let index = self.files[fi as usize].1;
            index
                .references
                .iter()
                .map(|r| {
                    (r.kind == EdgeKind::Imports)
                        .then(|| self.resolve_import(fi, r))
                        .flatten()
                })
                .collect()
        });
        targets.get(ri as usize).copied().flatten()
    }

    /// Modules and types named `name` whose qualified name ends with `init::name`
    /// (as many trailing segments as match, the best first).
    fn containers(&self, fi: u32, name: &str, init: &[&str]) -> Vec<SymRef> {
        let Some(cands) = self.names.containers_by_name.get(name) else {
            return Vec::new();
        };
        // Only candidates whose parent segment is `init`'s last can score above 0; with
        // none, every candidate scores 0.
        let matching = init.last().and_then(|last| {
            self.names
                .containers_by_name_parent
                .get(&(name, strip_ext(last)))
        });
        let mut chosen: Vec<SymRef> = if let Some(cands) = matching {
            let scores: Vec<usize> = cands
                .iter()
                .map(|&r| suffix_match(&self.sym(r).qualified_name, init))
                .collect();
            let best = scores.iter().copied().max().unwrap_or(0);
            cands
                .iter()
                .zip(&scores)
                .filter(|&(_, &s)| s == best)
                .map(|(&r, _)| r)
                .collect()
        } else {
            cands.to_vec()
        };
        // Same file first, then the rest in table order (which the list is in).
        if let Some(first) = chosen.iter().position(|&(f, _)| f == fi) {
            let end = first
                + chosen[first..]
                    .iter()
                    .take_while(|&&(f, _)| f == fi)
                    .count();
            chosen[..end].rotate_right(end - first);
        }
        chosen
    }

    /// Members named `name` of any of `containers` (all named alike): each one's
    /// children and the symbols qualified by it, then for types, the members of every
    /// type or `impl` block of that name in the workspace.
    fn members_of_all(&self, containers: &[SymRef], name: &str) -> Vec<SymRef> {
        let mut out = Vec::new();
        for &c in containers {
            self.direct_members(c, name, &mut out);
        }
        if let Some(t) = self.type_among(containers) {
            out.extend(
                self.structure
                    .type_members
                    .get(&(t, name))
                    .into_iter()
                    .flatten()
                    .map(|&(_, m)| m),
            );
        }
        out
    }

    /// Children of `container` named `name`, then members declared outside its body
    /// but qualified by it (Go methods: `bank.Account.Deposit`, declared at the top of
    /// any file).
    fn direct_members(&self, container: SymRef, name: &str, out: &mut Vec<SymRef>) {
        let start = out.len();
        out.extend_from_slice(self.children_named(container, name));
        self.qualified_members(container, name, start, out);
    }

    /// `container`'s children named `name`.
    fn children_named<'s>(&'s self, container: SymRef, name: &'s str) -> &'s [SymRef] {
        if self.structure.child_names[self.symbol_index(container)] & name_bit(name) == 0 {
            return &[];
        }
        self.structure.children.get_or_empty(&(container, name))
    }

    /// `r`'s position in the table's per-symbol vectors.
    fn symbol_index(&self, r: SymRef) -> usize {
        self.structure.first_symbol[r.0 as usize] as usize + r.1 as usize
    }

    /// The members qualified by `container`'s qualified name (see
    /// [`Self::direct_members`]) not already in `out[start..]`.
    fn qualified_members(
        &self,
        container: SymRef,
        name: &str,
        start: usize,
        out: &mut Vec<SymRef>,
    ) {
        for &m in self
            .qualified_members_map(container)
            .get_or_empty(&(self.qualified_id(container), name))
        {
            if !out[start..].contains(&m) {
                out.push(m);
            }
        }
    }

    /// Qualified names join with the language's one separator (`::` in Rust, `.`
    /// elsewhere): only that map can hold `container` followed by a member.
    fn qualified_members_map(&self, container: SymRef) -> &MultiMap<(u32, &'a str), SymRef> {
        if self.is_rust(container) {
            &self.structure.path_members
        } else {
            &self.structure.dot_members
        }
    }

    fn is_rust(&self, r: SymRef) -> bool {
        self.files[r.0 as usize].1.language == Some(Language::Rust)
    }

    /// The number of `r`'s qualified name (see `StructureIndex::qualified_ids`).
    fn qualified_id(&self, r: SymRef) -> u32 {
        self.structure.qualified_ids[self.symbol_index(r)]
    }

    /// Children of `container` named `name`; for a type, also the members of the
    /// `impl` blocks of that type (same name) in the workspace.
    fn members(&self, container: SymRef, name: &str) -> Vec<SymRef> {
        self.members_of_all(&[container], name)
    }

    /// The best symbol named `name` whose qualified name ends with `init::name`.
    fn best_by_path(
        &self,
        fi: u32,
        name: &str,
        init: &[&str],
        accept: impl Fn(BlockKind) -> bool,
    ) -> Option<SymRef> {
        // With a path, only candidates matching its last segment can score above 0,
        // and a best score of 0 finds nothing.
        let all = match init.last() {
            Some(last) => self.names.by_name_parent.get(&(name, strip_ext(last)))?,
            None => self.names.by_name.get(name)?,
        };
        let cands: Vec<SymRef> = all
            .iter()
            .copied()
            .filter(|&r| accept(self.sym(r).kind) && self.sym(r).kind != BlockKind::Impl)
            .collect();
        let score = |r: SymRef| suffix_match(&self.sym(r).qualified_name, init);
        let best = cands.iter().map(|&r| score(r)).max()?;
        if !init.is_empty() && best == 0 {
            // `use std::fmt::Display`: nothing in the workspace is on that path.
            return None;
        }
        let top: Vec<SymRef> = cands.into_iter().filter(|&r| score(r) == best).collect();
        self.nearest(fi, &top)
    }

    /// Among candidates, the one in file `fi`, else the one in its package, else the
    /// first.
    fn nearest(&self, fi: u32, cands: &[SymRef]) -> Option<SymRef> {
        cands
            .iter()
            .copied()
            .find(|&(f, _)| f == fi)
            .or_else(|| {
                cands
                    .iter()
                    .copied()
                    .find(|&(f, _)| self.packages[f as usize] == self.packages[fi as usize])
            })
            .or_else(|| cands.first().copied())
    }

    /// A definition named `name` that is unique in the file's package, or else unique
    /// in the workspace (or the library the file is in; in both, with `libraries`).
    fn unique_in_scope(
        &self,
        fi: u32,
        name: &str,
        accept: fn(BlockKind) -> bool,
        libraries: bool,
    ) -> Option<SymRef> {
        let package = self.packages[fi as usize];
        let visible =
            |r: SymRef| accept(self.sym(r).kind) && (libraries || self.same_origin(fi, r.0));
        // The package's own first (its list is short), then the rest only as far as
        // telling one from several.
        let mut in_package = self
            .names
            .by_name_package
            .get(&(name, package))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&r| visible(r));
        if let (Some(only), None) = (in_package.next(), in_package.next()) {
            return Some(only);
        }
        let mut anywhere = self
            .names
            .by_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&r| visible(r));
        match (anywhere.next(), anywhere.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// The path of the file a symbol is in (for tests and diagnostics).
    pub fn symbol_path(&self, fi: u32, si: u32) -> &'a str {
        self.path((fi, si))
    }
}

/// The names the Rust prelude (2021 edition) puts in scope, as (name, crate, module
/// under which the standard library's sources define it): `Vec` is
/// `alloc::vec::Vec` (the `std` facade re-exports `core` and `alloc`).
const RUST_PRELUDE: &[(&str, &str, &str)] = &[
    ("Copy", "core", "marker"),
    ("Send", "core", "marker"),
    ("Sized", "core", "marker"),
    ("Sync", "core", "marker"),
    ("Unpin", "core", "marker"),
    ("Drop", "core", "ops"),
    ("Fn", "core", "ops"),
    ("FnMut", "core", "ops"),
    ("FnOnce", "core", "ops"),
    ("drop", "core", "mem"),
    ("Box", "alloc", "boxed"),
    ("ToOwned", "alloc", "borrow"),
    ("Clone", "core", "clone"),
    ("PartialEq", "core", "cmp"),
    ("PartialOrd", "core", "cmp"),
    ("Eq", "core", "cmp"),
    ("Ord", "core", "cmp"),
    ("AsRef", "core", "convert"),
    ("AsMut", "core", "convert"),
    ("Into", "core", "convert"),
    ("From", "core", "convert"),
    ("TryFrom", "core", "convert"),
    ("TryInto", "core", "convert"),
    ("Default", "core", "default"),
    ("Iterator", "core", "iter"),
    ("Extend", "core", "iter"),
    ("IntoIterator", "core", "iter"),
    ("DoubleEndedIterator", "core", "iter"),
    ("ExactSizeIterator", "core", "iter"),
    ("FromIterator", "core", "iter"),
    ("Option", "core", "option"),
    ("Result", "core", "result"),
    ("String", "alloc", "string"),
    ("ToString", "alloc", "string"),
    ("Vec", "alloc", "vec"),
];

/// Whether a reference of `kind` with qualifier `q` resolves alike wherever it is in
/// its file: not an import, and nothing relative to the enclosing module or type
/// (`self.`, `Self::`, `crate::`, `super::`, `self::`).
/// One of 64 bits for a name, by its hash: a set of names as one word, which can
/// say a name is not in it.
fn name_bit(name: &str) -> u64 {
    use std::hash::BuildHasher;
    1 << (crate::id::FastBuildHasher::default().hash_one(name) >> 58)
}

fn placeless(kind: EdgeKind, q: &str) -> bool {
    if kind == EdgeKind::Imports {
        return false;
    }
    let (written, typed) = match q.split_once(RECEIVER_TYPE) {
        Some((w, t)) => (w, Some(t)),
        None => (q, None),
    };
    let relative = |path: &str| {
        let first = path.split([':', '.']).next().unwrap_or("");
        is_self(first) || matches!(first, "crate" | "super")
    };
    match typed {
        Some(t) => !t.split('+').any(relative),
        None => !relative(written),
    }
}

fn is_target_of_call(k: BlockKind) -> bool {
    // A call may name a type: constructors (`Foo()` in Python, `new Foo()`).
    k.is_callable() || k == BlockKind::Class || k == BlockKind::Struct
}

/// The name of the type a method belongs to: its parent's, or for methods declared at
/// file level (Go), the type segment of its qualified name.
fn owner_type_of<'a>(index: &'a FileIndex, sym: &'a Symbol) -> &'a str {
    match sym.parent.and_then(|p| index.symbols.get(p as usize)) {
        Some(p) if p.kind != BlockKind::Module => &p.name,
        _ => type_in_qualified(&sym.qualified_name),
    }
}

/// The type segment of a method's qualified name (`bank.Account.Deposit` → `Account`).
fn type_in_qualified(q: &str) -> &str {
    let mut parts = q.rsplit(['.', ':']).filter(|s| !s.is_empty());
    parts.next();
    parts.next().unwrap_or("")
}

fn is_method(k: BlockKind) -> bool {
    k == BlockKind::Method
}

fn is_type(k: BlockKind) -> bool {
    k.is_type()
}

fn is_self(q: &str) -> bool {
    matches!(q, "self" | "Self" | "this" | "cls")
}

/// Symbol indexes from `from` up to the file module, nearest first.
fn ancestors(index: &FileIndex, from: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur = Some(from);
    while let Some(c) = cur {
        if out.len() > index.symbols.len() {
            break; // a corrupt parent chain must not loop forever
        }
        out.push(c);
        cur = index.symbols.get(c as usize).and_then(|s| s.parent);
    }
    out
}

/// Splits a path as written in any of the languages (`a::b`, `a.b`, `./a/b`,
/// `crate::a`) into its meaningful segments.
fn segments(path: &str) -> Vec<&str> {
    path.split([':', '.', '/', '\\'])
        .filter(|s| is_segment(s))
        .collect()
}

fn is_segment(s: &str) -> bool {
    !s.is_empty() && !matches!(s, "crate" | "self" | "super" | "@")
}

/// The full path an import binds: its qualifier's segments, then its name.
fn import_path(imp: &StoredReference) -> Vec<String> {
    let mut out: Vec<String> = imp
        .qualifier
        .as_deref()
        .map(segments)
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    out.push(imp.name.clone());
    out
}

/// A reference's path as written, `qualifier::name` (Rust's separator).
fn written_path(r: &StoredReference) -> String {
    match &r.qualifier {
        Some(q) => format!("{q}::{}", r.name),
        None => r.name.clone(),
    }
}

/// The segment of `qualified` before its last one, as [`suffix_match`] compares it:
/// only symbols with one can match a path's segment.
fn parent_segment(qualified: &str) -> Option<&str> {
    let mut q = RevSegments(Some(qualified)).filter(|s| is_segment(s));
    q.next()?;
    q.next().map(strip_ext)
}

/// How many of `init`'s segments, from the end, match the segments of `qualified`
/// just before its last one.
fn suffix_match(qualified: &str, init: &[&str]) -> usize {
    // `segments(qualified)` read backwards, without collecting it: this runs for every
    // candidate container of every qualified call.
    let mut q = RevSegments(Some(qualified)).filter(|s| is_segment(s));
    if q.next().is_none() {
        return 0;
    }
    q.zip(init.iter().rev())
        .take_while(|(a, b)| strip_ext(a) == strip_ext(b))
        .count()
}

/// `s.rsplit([':', '.', '/', '\\'])` by bytes: the separators are ASCII, so a byte
/// search finds the same splits without decoding characters.
struct RevSegments<'a>(Option<&'a str>);

impl<'a> Iterator for RevSegments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.0?;
        match s
            .bytes()
            .rposition(|b| matches!(b, b':' | b'.' | b'/' | b'\\'))
        {
            Some(i) => {
                self.0 = Some(&s[..i]);
                Some(&s[i + 1..])
            }
            None => {
                self.0 = None;
                Some(s)
            }
        }
    }
}

fn strip_ext(s: &str) -> &str {
    s.strip_suffix(".zig").unwrap_or(s)
}

/// The reference as written, with the language's own separator.
fn reference_text(language: Option<Language>, r: &StoredReference) -> String {
    // A receiver's type, when known, is not part of what was written.
    let written = r
        .qualifier
        .as_deref()
        .map(|q| q.split(RECEIVER_TYPE).next().unwrap_or(q));
    match written {
        None => r.name.clone(),
        Some(q) => {
            let sep = match language {
                Some(Language::Rust) => "::",
                Some(Language::TypeScript | Language::JavaScript)
                    if r.kind == EdgeKind::Imports =>
                {
                    "/"
                }
                _ => ".",
            };
            let mut text = String::with_capacity(q.len() + sep.len() + r.name.len());
            text.push_str(q);
            if !(q.ends_with(sep) || q.ends_with(['.', ':', '/'])) {
                text.push_str(sep);
            }
            text.push_str(&r.name);
            text
        }
    }
}

/// The package root of `path`: the longest root in `roots` that is a prefix of it.
fn package_of<'r>(path: &str, roots: &'r [String]) -> &'r str {
    roots
        .iter()
        .filter(|r| path.starts_with(r.as_str()))
        .max_by_key(|r| r.len())
        .map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_match_counts_trailing_segments_before_the_name() {
        // The definition it replaced: split, drop the name, compare from the end.
        fn by_segments(qualified: &str, init: &[&str]) -> usize {
            let q = segments(qualified);
            let Some((_, q_init)) = q.split_last() else {
                return 0;
            };
            q_init
                .iter()
                .rev()
                .zip(init.iter().rev())
                .take_while(|(a, b)| strip_ext(a) == strip_ext(b))
                .count()
        }
        let cases: [(&str, &[&str]); 9] = [
            ("cairn_storage::wal::Writer", &["wal"]),
            ("cairn_storage::wal::Writer", &["cairn_storage", "wal"]),
            ("cairn_storage::wal::Writer", &["other", "wal"]),
            ("crate::a::b::C", &["a", "b"]),
            ("pkg.mod.Type", &["mod"]),
            ("src/util.zig.helper", &["util"]),
            ("C", &["a"]),
            ("", &["a"]),
            ("a::self::super::b::C", &["a", "b"]),
        ];
        for (q, init) in cases {
            assert_eq!(suffix_match(q, init), by_segments(q, init), "{q} {init:?}");
        }
        assert_eq!(
            suffix_match("cairn_storage::wal::Writer", &["x", "cairn_storage", "wal"]),
            2
        );
        for q in ["a::b.c/d\\e", "", "::", "a..b", "é::ü.x", "tail:"] {
            let by_bytes: Vec<&str> = RevSegments(Some(q)).collect();
            let by_chars: Vec<&str> = q.rsplit([':', '.', '/', '\\']).collect();
            assert_eq!(by_bytes, by_chars, "{q}");
        }
    }
}
