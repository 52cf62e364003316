//! The standard library's sources on this machine's toolchain: where the toolchain has
//! the rust-docs component (and not rust-src), its real source pages must give back
//! Rust source, so a change of rustdoc's page format is caught here. Skipped, saying
//! so, on a toolchain with neither component.

use cairn::rust_std::{locate, source_of_page, StdSources};

#[test]
fn the_toolchain_s_sources_are_found_and_read() {
    let sources = match locate() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    match sources {
        StdSources::RustSrc(library) => {
            let lib = std::fs::read_to_string(library.join("core/src/option.rs")).unwrap();
            assert!(lib.contains("pub enum Option<T>"));
        }
        StdSources::RustDocs(pages) => {
            let page = std::fs::read_to_string(pages.join("core/option.rs.html")).unwrap();
            let source = source_of_page(&page).expect("a rustdoc source page");
            assert!(
                source.contains("pub enum Option<T> {"),
                "{}",
                &source[..500]
            );
            // Line numbers and markup are gone: the text is plain Rust.
            assert!(!source.contains("data-nosnippet") && !source.contains("&lt;"));
            assert!(source.lines().any(|l| l.trim_start().starts_with("//! ")));
        }
    }
}
