//! Resolution of Rust paths across the crates of one workspace laid out like Cargo's
//! registry (`name-1.2.3/src/..`), and through modules' re-exports.

mod common;
use common::Project;

/// The call edges leaving `caller` (a qualified name), as `-> target` lines.
fn calls_of(files: &[(&str, &str)], caller: &str) -> Vec<String> {
    Project::new(files).synced_calls_of(caller)
}

const TIMER: &str = "pub mod clock;\npub fn start() {}\n";
const CLOCK: &str =
    "pub fn now() -> u64 { 0 }\npub struct Clock;\nimpl Clock { pub fn tick(&self) {} }\n";

#[test]
fn a_path_through_another_registry_crate_resolves_by_the_crate_name() {
    let files = [
        ("timer-0.3.1/Cargo.toml", "[package]\nname = \"timer\"\n"),
        ("timer-0.3.1/src/lib.rs", TIMER),
        ("timer-0.3.1/src/clock.rs", CLOCK),
        ("app-1.0.0-rc.1/Cargo.toml", "[package]\nname = \"app\"\n"),
        (
            "app-1.0.0-rc.1/src/lib.rs",
            "use timer::clock;\npub fn run() { timer::start(); clock::now(); timer::clock::Clock.tick(); other::start(); }\n",
        ),
    ];
    assert_eq!(
        calls_of(&files, "app::run"),
        [
            "?other::start",
            "timer::clock::Clock::tick",
            "timer::clock::now",
            "timer::start"
        ]
    );
}

#[test]
fn a_module_re_export_resolves_to_the_item_it_names() {
    let lib = "mod inner;\nmod globbed;\npub use inner::helper;\npub use globbed::*;\n\
        pub mod api { pub use crate::inner::Thing; }\n\
        pub fn run() { crate::helper(); self::from_glob(); api::Thing::make(); }\n";
    let files = [
        ("Cargo.toml", "[package]\nname = \"demo\"\n"),
        ("src/lib.rs", lib),
        (
            "src/inner.rs",
            "pub fn helper() {}\npub struct Thing;\nimpl Thing { pub fn make() {} }\n",
        ),
        ("src/globbed.rs", "pub fn from_glob() {}\n"),
    ];
    assert_eq!(
        calls_of(&files, "crate::run"),
        [
            "crate::globbed::from_glob",
            "crate::inner::Thing::make",
            "crate::inner::helper"
        ]
    );
}

#[test]
fn a_name_a_module_neither_defines_nor_re_exports_stays_unresolved() {
    // `helper` exists twice, in modules `a` and `b`, but the root re-exports neither:
    // `crate::helper` names nothing, and picking one would invent a target.
    let lib = "mod a;\nmod b;\nuse a::other;\npub fn run() { crate::helper(); crate::other(); }\n";
    let files = [
        ("Cargo.toml", "[package]\nname = \"demo\"\n"),
        ("src/lib.rs", lib),
        ("src/a.rs", "pub fn helper() {}\npub fn other() {}\n"),
        ("src/b.rs", "pub fn helper() {}\n"),
    ];
    // A private `use` still binds the name in the root module, as Rust's paths see it.
    assert_eq!(
        calls_of(&files, "crate::run"),
        ["?crate::helper", "crate::a::other"]
    );
}
