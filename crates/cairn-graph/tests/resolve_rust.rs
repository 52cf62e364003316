//! Resolution rules for Rust method calls on values whose type the extractor can tell
//! from the function they are in: one case per rule, each with a decoy method of the
//! same name on another type so that only the rule (not a unique name) can resolve it.

mod common;
use common::Project;

const TYPES: &str = r#"
pub struct Cache { n: u32 }
impl Cache {
    pub fn new() -> Cache { Cache { n: 0 } }
    pub fn open(p: &str) -> std::io::Result<Cache> { Ok(Cache { n: p.len() as u32 }) }
    pub fn get(&self, k: u32) -> u32 { self.n + k }
}
pub struct Store;
impl Store {
    pub fn get(&self, k: u32) -> u32 { k }
    pub fn push(&mut self, _k: u32) {}
}
"#;

/// The call edges leaving function `caller` of `src/lib.rs`, as `-> target` lines.
fn calls_of(lib: &str, caller: &str) -> Vec<String> {
    Project::new(&[
        ("Cargo.toml", "[package]\nname = \"demo\"\n"),
        ("src/types.rs", TYPES),
        ("src/lib.rs", lib),
    ])
    .synced_calls_of(&format!("crate::{caller}"))
}

#[test]
fn a_parameter_type_types_its_method_calls() {
    let lib = "mod types;\nuse crate::types::Cache;\npub fn f(c: &mut Cache) -> u32 { c.get(1) }\n";
    assert_eq!(calls_of(lib, "f"), ["crate::types::Cache::get"]);
}

#[test]
fn a_let_with_a_written_type_types_its_method_calls() {
    let lib = "mod types;\nuse crate::types::Store;\npub fn f() -> u32 { let s: Store = make(); s.get(1) }\n";
    assert_eq!(calls_of(lib, "f"), ["?make", "crate::types::Store::get"]);
}

#[test]
fn a_constructor_types_the_binding() {
    let lib = "mod types;\nuse crate::types::Cache;\npub fn f() -> u32 { let c = Cache::new(); c.get(1) }\n";
    assert_eq!(
        calls_of(lib, "f"),
        ["crate::types::Cache::get", "crate::types::Cache::new"]
    );
}

#[test]
fn a_constructor_behind_try_or_unwrap_types_the_binding() {
    let lib = "mod types;\nuse crate::types::Cache;\n\
        pub fn f() -> std::io::Result<u32> { let c = Cache::open(\"x\")?; Ok(c.get(1)) }\n\
        pub fn g() -> u32 { let c = Cache::new_in().unwrap(); c.get(1) }\n";
    // `open` is no constructor name, but its declared `io::Result<Cache>` types `c`.
    assert_eq!(
        calls_of(lib, "f"),
        ["crate::types::Cache::get", "crate::types::Cache::open"]
    );
    assert_eq!(
        calls_of(lib, "g"),
        [
            "?Cache::new_in",
            "?Cache::new_in().unwrap",
            "crate::types::Cache::get"
        ]
    );
}

#[test]
fn a_struct_field_types_self_field_calls() {
    let lib = "mod types;\nuse crate::types::{Cache, Store};\n\
        pub struct Db { cache: Cache, store: Store }\n\
        impl Db { pub fn lookup(&self) -> u32 { self.cache.get(1) + self.store.get(2) } }\n";
    assert_eq!(
        calls_of(lib, "Db::lookup"),
        ["crate::types::Cache::get", "crate::types::Store::get"]
    );
}

#[test]
fn a_later_untyped_binding_hides_the_earlier_type() {
    let lib = "mod types;\nuse crate::types::Cache;\n\
        pub fn f(c: Cache) -> u32 { let c = make(c); c.get(1) }\n";
    assert_eq!(calls_of(lib, "f"), ["?c.get", "?make"]);
}

#[test]
fn a_type_outside_the_workspace_keeps_its_calls_unresolved() {
    // `Store::push` is the only `push` in the workspace, but `v` is a `Vec`.
    let lib = "mod types;\npub fn f() { let mut v = Vec::new(); v.push(1); }\n";
    assert_eq!(calls_of(lib, "f"), ["?Vec::new", "?v.push"]);
}

#[test]
fn standard_library_paths_never_resolve_to_the_workspace() {
    // The workspace has its own `Path` with a `new`; `std::path::Path` is not it.
    let lib = "mod types;\nuse std::path::Path;\n\
        pub mod other { pub struct Path; impl Path { pub fn new() -> Path { Path } } }\n\
        pub fn f() { Path::new(\"x\"); std::path::Path::new(\"y\"); }\n\
        pub fn g() { other::Path::new(); }\n";
    assert_eq!(calls_of(lib, "f"), ["?Path::new", "?std::path::Path::new"]);
    assert_eq!(calls_of(lib, "g"), ["crate::other::Path::new"]);
}

#[test]
fn a_type_alias_types_calls_as_the_type_it_stands_for() {
    let lib = "mod types;\nuse crate::types::Cache;\npub type Handle<'a> = &'a mut Cache;\n\
        pub fn f(h: Handle) -> u32 { h.get(1) }\n";
    assert_eq!(calls_of(lib, "f"), ["crate::types::Cache::get"]);
}

#[test]
fn a_cycle_of_type_aliases_resolves_nothing() {
    let lib = "mod types;\npub type A = B;\npub type B = A;\npub fn f(a: A) -> u32 { a.get(1) }\n";
    assert_eq!(calls_of(lib, "f"), ["?a.get"]);
}

const TRAITS: &str = "mod types;\n\
    pub trait Getter { fn get(&self, k: u32) -> u32; }\n\
    pub trait Sizer { fn size(&self) -> u32; fn get(&self, k: u32) -> u32; }\n";

#[test]
fn a_type_parameter_types_calls_by_its_trait_bounds() {
    let lib = format!(
        "{TRAITS}pub fn f<G: Getter>(g: &G) -> u32 {{ g.get(1) }}\n\
        pub fn w<G>(g: G) -> u32 where G: Clone + Getter + ?Sized {{ g.get(1) }}\n\
        pub fn i(g: &impl Sizer) -> u32 {{ g.size() + g.get(2) }}\n"
    );
    assert_eq!(calls_of(&lib, "f"), ["crate::Getter::get"]);
    assert_eq!(calls_of(&lib, "w"), ["crate::Getter::get"]);
    assert_eq!(
        calls_of(&lib, "i"),
        ["crate::Sizer::get", "crate::Sizer::size"]
    );
}

#[test]
fn a_method_of_several_bounds_or_of_an_unbounded_parameter_stays_unresolved() {
    // Both bounds have a `get`; and a parameter named like a type is not that type.
    let lib = format!(
        "{TRAITS}pub fn f<G: Getter + Sizer>(g: &G) -> u32 {{ g.get(1) + g.size() }}\n\
        pub fn u<Cache>(c: Cache) -> u32 {{ c.get(1) }}\n"
    );
    assert_eq!(calls_of(&lib, "f"), ["?g.get", "crate::Sizer::size"]);
    assert_eq!(calls_of(&lib, "u"), ["?c.get"]);
}

#[test]
fn an_impl_type_parameter_types_calls_in_its_methods() {
    let lib = format!(
        "{TRAITS}pub struct W<G>(G);\n\
        impl<G: Getter> W<G> {{ pub fn read(&self, g: &G) -> u32 {{ g.get(1) }} }}\n"
    );
    assert_eq!(calls_of(&lib, "W::read"), ["crate::Getter::get"]);
}

#[test]
fn a_constructor_call_types_the_method_called_on_it() {
    let lib = "mod types;\nuse crate::types::Cache;\n\
        pub fn f() -> u32 { Cache::new().get(1) + Cache::open(\"x\").unwrap().get(2) }\n";
    // `open` is no constructor name; its declared `io::Result<Cache>` types the
    // receiver after `.unwrap()` (both `get` calls are one edge: one line, one target).
    assert_eq!(
        calls_of(lib, "f"),
        [
            "?Cache::open(\"x\").unwrap",
            "crate::types::Cache::get",
            "crate::types::Cache::new",
            "crate::types::Cache::open"
        ]
    );
}

#[test]
fn what_a_call_returns_types_the_method_called_on_it() {
    let lib = "mod types;\nuse crate::types::{Cache, Store};\n\
        pub fn store() -> Store { Store }\n\
        pub struct B;\npub fn b() -> B { B }\n\
        impl B { pub fn get(self) -> Self { self } pub fn done(&self) -> &Cache { todo!() } }\n\
        pub fn f() -> u32 { store().get(1) }\n\
        pub fn g() -> u32 { let s = store(); s.get(2) }\n\
        pub fn h() -> u32 { b().get().get().done().get(3) }\n";
    assert_eq!(
        calls_of(lib, "f"),
        ["crate::store", "crate::types::Store::get"]
    );
    assert_eq!(
        calls_of(lib, "g"),
        ["crate::store", "crate::types::Store::get"]
    );
    assert_eq!(
        calls_of(lib, "h"),
        [
            "crate::B::done",
            "crate::B::get",
            "crate::b",
            "crate::types::Cache::get"
        ]
    );
}

#[test]
fn a_call_returning_an_outside_type_keeps_its_methods_unresolved() {
    // `Store::push` is the only `push` of the workspace, but `numbers()` gives a `Vec`;
    // `Option<Store>` is no `Store` either.
    let lib = "mod types;\nuse crate::types::Store;\n\
        pub fn numbers() -> Vec<u32> { Vec::new() }\n\
        pub fn maybe() -> Option<Store> { None }\n\
        pub fn f() { numbers().push(1); let v = numbers(); v.push(2); maybe().push(3); }\n";
    assert_eq!(
        calls_of(lib, "f"),
        [
            "?maybe().push",
            "?numbers().push",
            "?v.push",
            "crate::maybe",
            "crate::numbers"
        ]
    );
}

#[test]
fn the_value_inside_a_returned_result_types_calls_after_try_or_unwrap() {
    let lib = "mod types;\nuse crate::types::Cache;\n\
        pub fn load() -> std::io::Result<Cache> { Ok(Cache::new()) }\n\
        pub fn f() -> std::io::Result<u32> { let c = load()?; Ok(c.get(1) + load()?.get(2)) }\n\
        pub fn g() -> u32 { load().unwrap().get(3) }\n";
    assert_eq!(
        calls_of(lib, "f"),
        ["crate::load", "crate::types::Cache::get"]
    );
    assert_eq!(
        calls_of(lib, "g"),
        ["?load().unwrap", "crate::load", "crate::types::Cache::get"]
    );
}

#[test]
fn the_value_inside_an_outside_type_keeps_its_calls_unresolved() {
    // `Store::push` is the only `push`, but `list()?` is a `Vec`, and `load()` (not
    // unwrapped) a `Result`.
    let lib = "mod types;\nuse crate::types::Cache;\n\
        pub fn list() -> Result<Vec<u32>, ()> { Ok(Vec::new()) }\n\
        pub fn load() -> Option<Cache> { None }\n\
        pub fn f() -> Result<(), ()> { list()?.push(1); load().push(2); Ok(()) }\n";
    assert_eq!(
        calls_of(lib, "f"),
        [
            "?list()?.push",
            "?load().push",
            "crate::list",
            "crate::load"
        ]
    );
}
