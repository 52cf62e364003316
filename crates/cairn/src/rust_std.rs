//! The Rust standard library's sources, to link as a library workspace so that calls
//! such as `Vec::new()` or `opt.unwrap()` resolve to their definitions.
//!
//! The toolchain ships them in its `rust-src` component
//! (`<sysroot>/lib/rustlib/src/rust/library`, linked as it is). Without that
//! component, the `rust-docs` component still holds every source file rustdoc
//! rendered, as HTML pages (`<sysroot>/share/doc/rust/html/src/<crate>/<path>.rs.html`);
//! [`recover_from_docs`] writes their text back out as a source tree laid out like
//! `library/` (`core/src/option.rs`), which is what Cairn's crate naming expects.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates recovered from the documentation pages: those user code calls into.
pub const DOC_CRATES: [&str; 5] = ["core", "alloc", "std", "proc_macro", "test"];

/// Where the standard library's sources are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StdSources {
    /// The `rust-src` component's `library/` directory: link it as it is.
    RustSrc(PathBuf),
    /// The `rust-docs` component's `html/src` directory: recover it first.
    RustDocs(PathBuf),
}

/// Finds the sources of the toolchain `rustc` on the PATH belongs to.
pub fn locate() -> Result<StdSources> {
    let output = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| Error::Invalid(format!("cannot run `rustc --print sysroot`: {e}")))?;
    if !output.status.success() {
        return Err(Error::Invalid(format!(
            "`rustc --print sysroot` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    locate_in(&sysroot)
}

/// Finds the sources in the toolchain at `sysroot`: `rust-src` first, else
/// `rust-docs`.
pub fn locate_in(sysroot: &Path) -> Result<StdSources> {
    let library = sysroot.join("lib/rustlib/src/rust/library");
    if library.join("core/src/lib.rs").is_file() {
        return Ok(StdSources::RustSrc(library));
    }
    let pages = sysroot.join("share/doc/rust/html/src");
    if pages.join("core/lib.rs.html").is_file() {
        return Ok(StdSources::RustDocs(pages));
    }
    Err(Error::Invalid(format!(
        "the toolchain at {} has neither the rust-src component ({}) nor the rust-docs \
         component ({}); install one with `rustup component add rust-src`",
        sysroot.display(),
        library.display(),
        pages.display()
    )))
}

/// What [`recover_from_docs`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    pub files: usize,
    pub bytes: u64,
}

/// Writes the sources of [`DOC_CRATES`] found under the rustdoc source pages `pages`
/// to `out/<crate>/src/<path>.rs`. A page that is not a rustdoc source page is an
/// error naming it; files already in `out` are overwritten.
pub fn recover_from_docs(pages: &Path, out: &Path) -> Result<Recovered> {
    let mut recovered = Recovered::default();
    for krate in DOC_CRATES {
        let dir = pages.join(krate);
        if !dir.is_dir() {
            continue;
        }
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| io_error(&d, e))?;
            for entry in entries {
                let path = entry.map_err(|e| io_error(&d, e))?.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Some(rel) = path
                    .strip_prefix(&dir)
                    .ok()
                    .and_then(|r| r.to_str())
                    .and_then(|r| r.strip_suffix(".html"))
                    .filter(|r| r.ends_with(".rs"))
                else {
                    continue;
                };
                let page = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
                let source = source_of_page(&page).ok_or_else(|| {
                    Error::Invalid(format!(
                        "{}: not a rustdoc source page (no <pre class=\"rust\"><code> block)",
                        path.display()
                    ))
                })?;
                let target = out.join(krate).join("src").join(rel);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
                }
                std::fs::write(&target, &source).map_err(|e| io_error(&target, e))?;
                recovered.files += 1;
                recovered.bytes += source.len() as u64;
            }
        }
    }
    if recovered.files == 0 {
        return Err(Error::Invalid(format!(
            "{}: no source pages of {} found",
            pages.display(),
            DOC_CRATES.join(", ")
        )));
    }
    Ok(recovered)
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Invalid(format!("{}: {e}", path.display()))
}

/// The source text of a rustdoc source page: the `<code>` of its `<pre class="rust">`,
/// without the line-number anchors (`<a ... data-nosnippet>12</a>`) and the
/// highlighting and link tags, with entities decoded.
pub fn source_of_page(page: &str) -> Option<String> {
    const OPEN: &str = "<pre class=\"rust\"><code>";
    let start = page.find(OPEN)? + OPEN.len();
    let len = page[start..].find("</code></pre>")?;
    let html = &page[start..start + len];
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let end = rest.find('>')? + 1;
            let tag = &rest[..end];
            rest = &rest[end..];
            // A line number: drop the anchor's text with it.
            if tag.contains("data-nosnippet") {
                let close = rest.find("</a>")?;
                rest = &rest[close + "</a>".len()..];
            }
        } else {
            let end = rest.find(';').filter(|&e| e <= 10);
            let decoded = end.and_then(|e| decode_entity(&rest[1..e]));
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                // A bare `&` (rustdoc escapes them, but stay faithful to the page).
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><body><pre class=\"rust\"><code>\
<a href=#1 id=1 data-nosnippet>1</a><span class=\"doccomment\">//! `Vec&lt;T&gt;` &amp; more\n</span>\
<a href=#2 id=2 data-nosnippet>2</a><span class=\"kw\">pub fn </span>f(s: <span class=\"kw-2\">&amp;</span>str) -&gt; char { <span class=\"string\">&#39;a&#39;</span> }\n\
<a href=#3 id=3 data-nosnippet>3</a><span class=\"kw\">let </span>q = <a href=\"../x.html\">Quote</a>(&quot;&#x41;&quot;);\n\
</code></pre></body></html>";

    #[test]
    fn a_source_page_gives_back_its_source() {
        assert_eq!(
            source_of_page(PAGE).unwrap(),
            "//! `Vec<T>` & more\npub fn f(s: &str) -> char { 'a' }\nlet q = Quote(\"A\");\n"
        );
    }

    #[test]
    fn other_pages_and_broken_pages_give_nothing() {
        assert_eq!(source_of_page("<html>no code</html>"), None);
        assert_eq!(
            source_of_page("<pre class=\"rust\"><code><a data-nosnippet>1"),
            None
        );
        // Unknown entities and bare ampersands are kept as written.
        assert_eq!(
            source_of_page("<pre class=\"rust\"><code>a && b &nope; c</code></pre>").unwrap(),
            "a && b &nope; c\n"
        );
    }

    #[test]
    fn recovery_lays_the_crates_out_as_library_does() {
        let pages = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(pages.path().join("core/num")).unwrap();
        std::fs::create_dir_all(pages.path().join("unrelated")).unwrap();
        std::fs::write(pages.path().join("core/lib.rs.html"), PAGE).unwrap();
        std::fs::write(pages.path().join("core/num/mod.rs.html"), PAGE).unwrap();
        std::fs::write(pages.path().join("core/index.html"), "<html/>").unwrap();
        std::fs::write(pages.path().join("unrelated/x.rs.html"), PAGE).unwrap();
        let r = recover_from_docs(pages.path(), out.path()).unwrap();
        assert_eq!(r.files, 2);
        let lib = std::fs::read_to_string(out.path().join("core/src/lib.rs")).unwrap();
        assert!(lib.starts_with("//! `Vec<T>`"));
        assert!(out.path().join("core/src/num/mod.rs").is_file());
        assert!(!out.path().join("unrelated").exists());

        std::fs::write(pages.path().join("core/bad.rs.html"), "<html/>").unwrap();
        let err = recover_from_docs(pages.path(), out.path()).unwrap_err();
        assert!(err.to_string().contains("bad.rs.html"), "{err}");
    }

    #[test]
    fn locating_prefers_rust_src_and_says_what_is_missing() {
        let sysroot = tempfile::tempdir().unwrap();
        let err = locate_in(sysroot.path()).unwrap_err();
        assert!(err.to_string().contains("rust-src"), "{err}");
        let pages = sysroot.path().join("share/doc/rust/html/src/core");
        std::fs::create_dir_all(&pages).unwrap();
        std::fs::write(pages.join("lib.rs.html"), PAGE).unwrap();
        assert!(matches!(
            locate_in(sysroot.path()).unwrap(),
            StdSources::RustDocs(_)
        ));
        let library = sysroot.path().join("lib/rustlib/src/rust/library/core/src");
        std::fs::create_dir_all(&library).unwrap();
        std::fs::write(library.join("lib.rs"), "").unwrap();
        assert!(matches!(
            locate_in(sysroot.path()).unwrap(),
            StdSources::RustSrc(_)
        ));
    }
}
