//! Resolution of Rust method calls through what the language adds to a type's own
//! methods: methods a trait provides, the prelude's names, and auto-deref. The
//! standard library is a small stand-in (`core/src`, `alloc/src`) beside the crate
//! that uses it, as a vendored library would be; each case has a decoy of the same name
//! elsewhere, so that only the rule (not a unique name) can resolve it.

mod common;
use common::Project;

const CORE_LIB: &str = "pub mod iter;\npub mod ops;\npub mod str;\npub mod slice;\n";
const CORE_ITER: &str = "pub trait Iterator {\n\
    fn next(&mut self) -> Option<u32>;\n\
    fn count(self) -> usize where Self: Sized { 0 }\n\
}\n";
const CORE_OPS: &str = "pub trait Deref { type Target; fn deref(&self) -> &Self::Target; }\n";
const CORE_STR: &str = "impl str { pub fn trim(&self) -> &str { self } }\n";
const CORE_SLICE: &str = "impl<T> [T] { pub fn first(&self) -> Option<&T> { None } }\n";
const ALLOC_LIB: &str = "pub mod string;\npub mod vec;\n";
const ALLOC_STRING: &str = "use core::ops::Deref;\npub struct String;\n\
    impl Deref for String { type Target = str; fn deref(&self) -> &str { \"\" } }\n";
const ALLOC_VEC: &str = "use core::ops;\npub struct Vec<T>(T);\n\
    impl<T> ops::Deref for Vec<T> { type Target = [T]; fn deref(&self) -> &[T] { &[] } }\n";
/// Another crate with names like the standard library's.
const DECOY: &str = "pub trait Iterator { fn count(self) -> usize; }\n\
    pub struct Lines;\nimpl Lines { pub fn trim(&self) {} pub fn first(&self) {} }\n\
    pub struct T;\nimpl T { pub fn trim(&self) {} }\n";

fn calls_of(app: &str, with_std: bool, caller: &str) -> Vec<String> {
    let mut files = vec![
        ("decoy-1.0.0/src/lib.rs", DECOY),
        ("app-1.0.0/src/lib.rs", app),
    ];
    if with_std {
        files.extend([
            ("rust-std/core/src/lib.rs", CORE_LIB),
            ("rust-std/core/src/iter.rs", CORE_ITER),
            ("rust-std/core/src/ops.rs", CORE_OPS),
            ("rust-std/core/src/str.rs", CORE_STR),
            ("rust-std/core/src/slice.rs", CORE_SLICE),
            ("rust-std/alloc/src/lib.rs", ALLOC_LIB),
            ("rust-std/alloc/src/string.rs", ALLOC_STRING),
            ("rust-std/alloc/src/vec.rs", ALLOC_VEC),
        ]);
    }
    Project::new(&files).synced_calls_of(caller)
}

const WALK: &str = "pub trait Walk {\n\
    fn step(&mut self) -> u32;\n\
    fn skip_all(&mut self) -> u32 { self.step() }\n\
}\n\
pub struct Steps;\n\
impl Walk for Steps { fn step(&mut self) -> u32 { 1 } }\n\
pub struct Lone;\n\
pub struct Other;\n\
impl Other { pub fn skip_all(&self) -> u32 { 2 } }\n\
pub fn f(s: &mut Steps) -> u32 { s.skip_all() }\n\
pub fn g(l: &mut Lone) -> u32 { l.skip_all() }\n\
pub fn h() -> u32 { Steps.skip_all() }\n";

#[test]
fn a_method_a_trait_provides_resolves_for_a_type_implementing_it() {
    assert_eq!(calls_of(WALK, false, "app::f"), ["app::Walk::skip_all"]);
}

#[test]
fn a_provided_method_of_a_trait_the_type_does_not_implement_stays_unresolved() {
    assert_eq!(calls_of(WALK, false, "app::g"), ["?l.skip_all"]);
}

const ITER: &str = "pub struct Ws;\n\
    impl Iterator for Ws { fn next(&mut self) -> Option<u32> { None } }\n\
    pub fn f(w: Ws) -> usize { w.count() }\n";

#[test]
fn a_prelude_trait_is_the_standard_library_s_when_it_is_in_the_table() {
    // Two traits named `Iterator`: the prelude's is core's, not the other crate's.
    assert_eq!(
        calls_of(ITER, true, "app::f"),
        ["core::iter::Iterator::count"]
    );
}

#[test]
fn a_prelude_name_without_the_standard_library_or_shadowed_is_not_core_s() {
    // No `core` in the table: two `Iterator`s, neither in scope.
    assert_eq!(calls_of(ITER, false, "app::f"), ["?w.count"]);
    // An import shadows the prelude.
    let imported = format!("use decoy::Iterator;\n{ITER}");
    assert_eq!(
        calls_of(&imported, true, "app::f"),
        ["decoy::Iterator::count"]
    );
}

#[test]
fn a_prelude_function_is_the_module_s_own_not_a_method_below_it() {
    // `drop_guard.rs` sorts before `mod.rs`: its method `drop` comes first in table
    // order, under `core::mem` too.
    let files = [
        ("rust-std/core/src/lib.rs", "pub mod mem;\n"),
        (
            "rust-std/core/src/mem/drop_guard.rs",
            "pub struct DropGuard;\nimpl DropGuard { pub fn drop(self) {} }\n",
        ),
        (
            "rust-std/core/src/mem/mod.rs",
            "pub mod drop_guard;\npub fn drop<T>(_x: T) {}\n",
        ),
        ("app-1.0.0/src/lib.rs", "pub fn f(x: u8) { drop(x) }\n"),
    ];
    assert_eq!(
        Project::new(&files).synced_calls_of("app::f"),
        ["core::mem::drop"]
    );
}

const DEREF: &str = "pub struct Wrap<T>(T);\n\
    impl<T> core::ops::Deref for Wrap<T> { type Target = T; fn deref(&self) -> &T { &self.0 } }\n\
    pub fn s(x: String) -> usize { x.trim(); 0 }\n\
    pub fn v(x: Vec<u8>) -> usize { x.first(); 0 }\n\
    pub fn w(x: Wrap<u8>) -> usize { x.trim(); 0 }\n";

#[test]
fn a_method_of_the_deref_target_resolves_through_auto_deref() {
    assert_eq!(calls_of(DEREF, true, "app::s"), ["core::str::str::trim"]);
    assert_eq!(calls_of(DEREF, true, "app::v"), ["core::slice::[T]::first"]);
}

#[test]
fn a_deref_to_a_type_parameter_or_without_the_target_s_crate_stays_unresolved() {
    // `Target = T`: the workspace's struct `T` is not what `Wrap<u8>` derefs to.
    assert_eq!(calls_of(DEREF, true, "app::w"), ["?x.trim"]);
    assert_eq!(calls_of(DEREF, false, "app::s"), ["?x.trim"]);
}

const LITERALS: &str = "pub fn s() -> usize { \"a b\".trim(); 0 }\n\
    pub fn v() -> usize { let xs = vec![1u8]; xs.first(); 0 }\n\
    pub fn f() -> usize { format!(\"{}\", 1).trim(); 0 }\n\
    pub fn n() -> usize { let n = 1u8; n.trim(); 0 }\n\
    pub fn b() -> usize { b\"a b\".trim(); br\"x\".trim(); r\"y\".trim(); 0 }\n";

#[test]
fn literals_and_std_constructor_macros_type_their_values() {
    assert_eq!(calls_of(LITERALS, true, "app::s"), ["core::str::str::trim"]);
    assert_eq!(
        calls_of(LITERALS, true, "app::v"),
        ["core::slice::[T]::first"]
    );
    assert_eq!(calls_of(LITERALS, true, "app::f"), ["core::str::str::trim"]);
}

#[test]
fn a_value_of_another_literal_or_without_the_standard_library_stays_unresolved() {
    // An integer literal gives no type the workspace has: not the decoy's `trim`.
    assert_eq!(calls_of(LITERALS, true, "app::n"), ["?n.trim"]);
    // A byte string is no `str` (a raw string is).
    assert_eq!(
        calls_of(LITERALS, true, "app::b"),
        ["?b\"a b\".trim", "?br\"x\".trim", "core::str::str::trim"]
    );
    // A typed receiver whose type has no such method is not the decoy's either.
    assert_eq!(calls_of(LITERALS, false, "app::s"), ["?\"a b\".trim"]);
}

const PATTERNS: &str = "pub struct Lines2;\n\
    impl Lines2 { pub fn width(&self) -> u32 { 0 } }\n\
    pub struct Rows;\nimpl Rows { pub fn height(&self) -> u32 { 0 } }\n\
    pub fn p(x: Option<Lines2>) -> u32 { if let Some(lines2) = x { lines2.width() } else { 0 } }\n\
    pub fn q(x: Option<Rows>) -> u32 { if let Some(r) = x { r.height() } else { 0 } }\n";

#[test]
fn a_tuple_struct_pattern_does_not_type_what_it_binds() {
    // `Some(lines2)` binds no `Some`: untyped, the receiver's name finds `Lines2`.
    assert_eq!(calls_of(PATTERNS, false, "app::p"), ["app::Lines2::width"]);
    // And a unique method name still resolves as for any untyped receiver.
    assert_eq!(calls_of(PATTERNS, false, "app::q"), ["app::Rows::height"]);
}

#[test]
fn a_glob_import_shadows_a_prelude_type() {
    let app = "mod own { pub struct String; impl String { pub fn trim(&self) {} } }\n\
        use own::*;\n\
        pub fn g(x: String) { x.trim(); }\n";
    assert_eq!(calls_of(app, true, "app::g"), ["app::own::String::trim"]);
}

const BLANKETS: &str = "pub trait Show { fn show(&self) -> u32; }\n\
    pub trait Describe { fn describe(&self) -> u32 { 0 } }\n\
    impl<T: Show + ?Sized> Describe for T {}\n\
    pub struct Pt;\nimpl Show for Pt { fn show(&self) -> u32 { 1 } }\n\
    pub struct Other2;\nimpl Other2 { pub fn describe(&self) -> u32 { 2 } }\n\
    pub fn d(p: &Pt) -> u32 { p.describe() }\n";
/// A blanket impl in another crate, whose trait the app does not import.
const LIB_BLANKET: &str = "pub trait Spread { fn spread(&self) -> u32; }\n\
    impl<T> Spread for T { fn spread(&self) -> u32 { 0 } }\n\
    pub trait Dup { fn dup(&self); }\n\
    impl<T> Dup for &T { fn dup(&self) {} }\n\
    impl<T> Dup for *mut T { fn dup(&self) {} }\n\
    pub struct Z;\nimpl Z { pub fn spread(&self) -> u32 { 1 } }\n";

#[test]
fn a_method_of_a_blanket_impl_whose_trait_is_in_scope_resolves() {
    assert_eq!(
        calls_of(BLANKETS, false, "app::d"),
        ["app::Describe::describe"]
    );
    // Imported from another crate: its impl's own method.
    let files = [
        ("lib-1.0.0/Cargo.toml", "[package]\nname = \"lib\"\n"),
        ("app-1.0.0/Cargo.toml", "[package]\nname = \"app\"\n"),
        ("lib-1.0.0/src/lib.rs", LIB_BLANKET),
        (
            "app-1.0.0/src/lib.rs",
            "use lib::{Dup, Spread};\npub struct P;\n\
            pub fn s(p: P) -> u32 { p.spread() }\npub fn d(p: P) { p.dup() }\n",
        ),
    ];
    let project = common::Project::new(&files);
    assert_eq!(project.synced_calls_of("app::s"), ["lib::T::spread"]);
    // Impls for `&T` and `*mut T` give no method to every type.
    assert_eq!(project.synced_calls_of("app::d"), ["?p.dup"]);
}

#[test]
fn an_impl_for_a_reference_pointer_or_array_of_a_type_parameter_is_no_blanket_impl() {
    let app = "pub trait Make { fn make() -> Self; }\n\
        pub trait Show { fn show(&self) -> u32; }\n\
        impl<T> Make for *mut T { fn make() -> Self { 0 as *mut T } }\n\
        impl<T: Show + ?Sized> Show for &T { fn show(&self) -> u32 { 1 } }\n\
        impl<T: Show, const N: usize> Show for [T; N] { fn show(&self) -> u32 { 2 } }\n\
        pub struct Pt;\n\
        pub fn d(p: &Pt) -> u32 { Pt::make(); p.show() }\n";
    assert_eq!(calls_of(app, false, "app::d"), ["?Pt::make", "?p.show"]);
}

#[test]
fn a_method_of_a_blanket_impl_whose_trait_is_not_in_scope_stays_unresolved() {
    let files = [
        ("lib-1.0.0/Cargo.toml", "[package]\nname = \"lib\"\n"),
        ("app-1.0.0/Cargo.toml", "[package]\nname = \"app\"\n"),
        ("lib-1.0.0/src/lib.rs", LIB_BLANKET),
        (
            "app-1.0.0/src/lib.rs",
            "pub struct P;\npub fn s(p: P) -> u32 { p.spread() }\n",
        ),
    ];
    assert_eq!(
        common::Project::new(&files).synced_calls_of("app::s"),
        ["?p.spread"]
    );
}

#[test]
fn an_inherent_method_wins_over_a_trait_impl_s_and_a_trait_needs_to_be_in_scope() {
    let files = [
        ("ext-1.0.0/Cargo.toml", "[package]\nname = \"ext\"\n"),
        ("app-1.0.0/Cargo.toml", "[package]\nname = \"app\"\n"),
        ("rust-std/core/src/lib.rs", CORE_LIB),
        ("rust-std/core/src/iter.rs", CORE_ITER),
        ("rust-std/core/src/ops.rs", CORE_OPS),
        ("rust-std/core/src/str.rs", CORE_STR),
        ("rust-std/core/src/slice.rs", CORE_SLICE),
        ("rust-std/alloc/src/lib.rs", ALLOC_LIB),
        ("rust-std/alloc/src/string.rs", ALLOC_STRING),
        (
            "rust-std/alloc/src/vec.rs",
            "use core::ops;\npub struct Vec<T>(T);\n\
            impl<T> Vec<T> { pub fn push(&mut self, x: T) {} }\n\
            impl<T> ops::Deref for Vec<T> { type Target = [T]; fn deref(&self) -> &[T] { &[] } }\n",
        ),
        (
            "ext-1.0.0/src/lib.rs",
            "pub trait Coll { fn push(&mut self, x: u8); fn first(&self); }\n\
            impl Coll for Vec<u8> { fn push(&mut self, x: u8) {} fn first(&self) {} }\n",
        ),
        (
            "app-1.0.0/src/lib.rs",
            "pub mod with;\npub fn p(mut v: Vec<u8>) { v.push(1); }\n\
            pub fn f(v: Vec<u8>) { v.first(); }\n",
        ),
        (
            "app-1.0.0/src/with.rs",
            "use ext::Coll;\npub fn f(v: Vec<u8>) { v.first(); }\n",
        ),
    ];
    let project = common::Project::new(&files);
    // `Vec::push` itself, not the trait impl's in a crate the caller does not use.
    assert_eq!(project.synced_calls_of("app::p"), ["alloc::vec::Vec::push"]);
    // Without `Coll` in scope, `first` is the slice's (through deref); with it, the
    // trait impl's.
    assert_eq!(
        project.synced_calls_of("app::f"),
        ["core::slice::[T]::first"]
    );
    assert_eq!(project.synced_calls_of("app::with::f"), ["ext::Vec::first"]);
}

#[test]
fn the_prelude_s_drop_is_core_mem_drop_not_a_method_so_named() {
    let files = [
        ("rust-std/core/src/lib.rs", "pub mod mem;\n"),
        (
            "rust-std/core/src/mem/guard.rs",
            "pub struct Guard;\nimpl Guard { pub fn drop(self) {} }\n",
        ),
        (
            "rust-std/core/src/mem/mod.rs",
            "pub mod guard;\npub fn drop<T>(_x: T) {}\n",
        ),
        ("app-1.0.0/src/lib.rs", "pub fn f() { drop(1); }\n"),
    ];
    assert_eq!(
        common::Project::new(&files).synced_calls_of("app::f"),
        ["core::mem::drop"]
    );
}

const SPIN: &str = "pub trait Spin { fn spin(&self); fn twirl(&self); }\n\
    pub trait Turn { fn twirl(&self); }\n\
    pub struct A;\nimpl Spin for A { fn spin(&self) {} fn twirl(&self) {} }\n\
    pub struct B;\nimpl Spin for B { fn spin(&self) {} fn twirl(&self) {} }\n\
    pub struct C;\nimpl C { pub fn wobble(&self) {} }\n\
    pub trait Wobble { fn wobble(&self); }\n";

fn spin_calls(app: &str, caller: &str) -> Vec<String> {
    let files = [
        ("lib-1.0.0/Cargo.toml", "[package]\nname = \"lib\"\n"),
        ("app-1.0.0/Cargo.toml", "[package]\nname = \"app\"\n"),
        ("lib-1.0.0/src/lib.rs", SPIN),
        ("app-1.0.0/src/lib.rs", app),
    ];
    common::Project::new(&files).synced_calls_of(caller)
}

#[test]
fn an_untyped_call_of_a_method_only_one_visible_trait_has_is_that_trait_s() {
    let app = "use lib::Spin;\npub fn f(x: u8) { make(x).spin(); }\n";
    assert_eq!(spin_calls(app, "app::f"), ["?make", "lib::Spin::spin"]);
}

#[test]
fn an_untyped_trait_method_call_stays_unresolved_when_not_only_one_trait_can_be_it() {
    // Not imported; two visible traits declare `twirl`; a type has `wobble` itself.
    let app = "pub fn f(x: u8) { make(x).spin(); }\n";
    assert_eq!(spin_calls(app, "app::f"), ["?make", "?make(x).spin"]);
    let app = "use lib::{Spin, Turn};\npub fn f(x: u8) { make(x).twirl(); }\n";
    assert_eq!(spin_calls(app, "app::f"), ["?make", "?make(x).twirl"]);
    let app = "use lib::Wobble;\npub fn f(x: u8) { make(x).wobble(); }\n";
    assert_eq!(spin_calls(app, "app::f"), ["?make", "?make(x).wobble"]);
}
