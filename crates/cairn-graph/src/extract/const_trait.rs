//! Const-trait syntax, which tree-sitter-rust does not know, blanked before parsing.
//!
//! The standard library and some nightly crates write `T: [const] Destruct`,
//! `T: ~const Destruct`, `impl<T> const Default for X`, `const impl<T> Vec<T>`,
//! `const trait Foo` and `const unsafe trait Foo`. The grammar turns each of them into
//! ERROR nodes that swallow the surrounding `impl` or trait, so its methods come out as
//! free functions of the module. Replacing the extra tokens by spaces of the same
//! length leaves plain Rust the grammar parses, with every line and byte offset
//! unchanged: the tree's spans still slice the original source.

use memchr::memmem;

/// `src` with the const-trait tokens blanked, or `None` when it has none (the common
/// case, which neither allocates nor copies).
pub(crate) fn blank_const_trait_syntax(src: &str) -> Option<String> {
    let bytes = src.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    for at in memmem::find_iter(bytes, b"const") {
        let Some((start, end)) = const_trait_token(bytes, at) else {
            continue;
        };
        let buf = out.get_or_insert_with(|| bytes.to_vec());
        buf[start..end].fill(b' ');
    }
    // Only ASCII bytes were replaced, by ASCII spaces: still UTF-8.
    out.and_then(|b| String::from_utf8(b).ok())
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The byte range to blank for the word `const` at `at`, if it is const-trait syntax.
fn const_trait_token(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let end = at + 5;
    if at > 0 && is_ident(bytes[at - 1]) || bytes.get(end).copied().is_some_and(is_ident) {
        return None;
    }
    let before = skip_space_back(bytes, at);
    let after = skip_space(bytes, end);
    let next_word = word_at(bytes, after);
    // `[const] Trait`: the brackets go too (not `Token![const]`, `#[const]`, nor a
    // macro rule's `[const] => ..`).
    if before > 0
        && bytes[before - 1] == b'['
        && bytes.get(after) == Some(&b']')
        && !bytes[skip_space(bytes, after + 1)..].starts_with(b"=>")
        && !matches!(
            bytes.get(skip_space_back(bytes, before - 1).wrapping_sub(1)),
            Some(b'!' | b'#')
        )
    {
        return Some((before - 1, after + 1));
    }
    // `~const Trait`.
    if before > 0 && bytes[before - 1] == b'~' {
        return Some((before - 1, end));
    }
    // `const trait`, `const unsafe trait`.
    if next_word == b"trait"
        || next_word == b"unsafe" && word_at(bytes, skip_space(bytes, after + 6)) == b"trait"
    {
        return Some((at, end));
    }
    let prev_word = word_before(bytes, before);
    // `const impl<T> Type` (but `*const impl Trait` is a pointer type).
    if next_word == b"impl" && (before == 0 || bytes[before - 1] != b'*') && prev_word != b"raw" {
        return Some((at, end));
    }
    // `impl const Trait for`, `impl<T> const Trait for`.
    let after_impl = prev_word == b"impl" || before > 0 && closes_impl_generics(bytes, before - 1);
    // `T: const Trait`, `A + const Trait` (a single `:`, not a path's `::`).
    let in_bounds = before > 0
        && (bytes[before - 1] == b'+'
            || bytes[before - 1] == b':' && (before < 2 || bytes[before - 2] != b':'));
    // A trait's path follows (`const fn`, `const unsafe fn`, `const X: u8` are items;
    // the `:` before may end a comment).
    let after_word = skip_space(bytes, after + next_word.len());
    let item = bytes.get(after_word) == Some(&b':') && bytes.get(after_word + 1) != Some(&b':');
    let trait_follows = !item
        && bytes
            .get(after)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && !matches!(next_word, b"fn" | b"unsafe" | b"extern" | b"async");
    ((after_impl || in_bounds) && trait_follows).then_some((at, end))
}

/// Whether the `>` at `gt` closes the generic parameters right after an `impl`.
fn closes_impl_generics(bytes: &[u8], gt: usize) -> bool {
    if bytes[gt] != b'>' || gt > 0 && bytes[gt - 1] == b'-' {
        return false;
    }
    // Generic parameter lists are short: a bounded look back.
    let floor = gt.saturating_sub(4096);
    let mut depth = 0usize;
    let mut i = gt + 1;
    while i > floor {
        i -= 1;
        match bytes[i] {
            b'>' if i == 0 || bytes[i - 1] != b'-' => depth += 1,
            b'<' => {
                depth -= 1;
                if depth == 0 {
                    return word_before(bytes, skip_space_back(bytes, i)) == b"impl";
                }
            }
            b'{' | b'}' | b';' => return false,
            _ => {}
        }
    }
    false
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The position just after the last non-space byte before `i`.
fn skip_space_back(bytes: &[u8], mut i: usize) -> usize {
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

/// The identifier starting at `i` (empty if none).
fn word_at(bytes: &[u8], i: usize) -> &[u8] {
    let start = i.min(bytes.len());
    let len = bytes[start..].iter().take_while(|&&b| is_ident(b)).count();
    &bytes[start..start + len]
}

/// The identifier ending at `i` (empty if none).
fn word_before(bytes: &[u8], i: usize) -> &[u8] {
    let len = bytes[..i]
        .iter()
        .rev()
        .take_while(|&&b| is_ident(b))
        .count();
    &bytes[i - len..i]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(src: &str) -> String {
        let out = blank_const_trait_syntax(src).unwrap_or_else(|| src.to_string());
        assert_eq!(out.len(), src.len(), "offsets kept");
        assert_eq!(out.lines().count(), src.lines().count(), "lines kept");
        out
    }

    fn errors(src: &str) -> usize {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(src, None).unwrap();
        let mut n = 0;
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            n += usize::from(node.is_error() || node.is_missing());
            let mut c = node.walk();
            stack.extend(node.children(&mut c));
        }
        n
    }

    fn sexp(src: &str) -> String {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        parser.parse(src, None).unwrap().root_node().to_sexp()
    }

    #[test]
    fn each_const_trait_form_is_blanked_and_then_parses() {
        let cases = [
            (
                "impl<T: [const] Destruct> Foo for T {}",
                "impl<T:         Destruct> Foo for T {}",
            ),
            (
                "impl<T: ~const Destruct> Foo for T {}",
                "impl<T:        Destruct> Foo for T {}",
            ),
            (
                "impl<T> const Default for X<T> { fn default() -> Self { X } }",
                "impl<T>       Default for X<T> { fn default() -> Self { X } }",
            ),
            ("impl const Clone for X {}", "impl       Clone for X {}"),
            (
                "impl<T> const ops::Try for Option<T> {}",
                "impl<T>       ops::Try for Option<T> {}",
            ),
            (
                "impl<F: Fn() -> u8> const Tr for F {}",
                "impl<F: Fn() -> u8>       Tr for F {}",
            ),
            (
                "pub const trait Foo { fn f(&self); }",
                "pub       trait Foo { fn f(&self); }",
            ),
            (
                "pub(crate) const unsafe trait Eq {}",
                "pub(crate)       unsafe trait Eq {}",
            ),
            (
                "const impl<T, A: [const] Alloc> Vec<T, A> { fn f() {} }",
                "      impl<T, A:         Alloc> Vec<T, A> { fn f() {} }",
            ),
            (
                "fn f<F>() where F: const FnOnce<u8> {}",
                "fn f<F>() where F:       FnOnce<u8> {}",
            ),
            (
                "trait S: Copy + const PartialEq {}",
                "trait S: Copy +       PartialEq {}",
            ),
        ];
        for (src, want) in cases {
            assert!(errors(src) > 0, "the grammar rejects {src}");
            let got = blanked(src);
            assert_eq!(got, want);
            assert_eq!(errors(&got), 0, "{got}");
        }
    }

    #[test]
    fn ordinary_const_is_untouched_without_a_copy() {
        for src in [
            "const X: u8 = 1;",
            "pub const fn f() -> u8 { 1 }",
            "const unsafe fn g() {}",
            "impl<const N: usize> Foo for [u8; N] {}",
            "fn f() { let p = &raw const x; let q: *const u8 = p; }",
            "fn f(p: *const impl Thin) {}",
            "fn f() { let a = [const { None }; 3]; }",
            "impl<T> Foo<T> { const X: u8 = 1; }",
            "fn constant() { let const_x = 1; }",
            "fn f() { // Algorithm:\n const ERAS: u32 = 1; }",
            "fn f() { let t: Token![const] = x; }",
            "#[const]\nfn f() {}",
            "macro_rules! t { [const] => { Const }; }",
            "struct S<T: Foo<A>> { f: T }",
        ] {
            assert_eq!(blank_const_trait_syntax(src), None, "{src}");
            assert_eq!(errors(src), 0, "{src}");
        }
        // Truncated text: nothing to read past the end.
        for src in ["", "const", "[const", "impl const", "x: const", "> const"] {
            assert_eq!(blank_const_trait_syntax(src), None, "{src}");
        }
    }

    #[test]
    fn strings_and_comments_are_harmless() {
        // Blanked or not, a string's or a comment's node is the same token: the tree
        // keeps its shape, and its text is read from the original source.
        let src = "// impl const Default for X\nfn f() -> &'static str { \"T: [const] D\" }\n";
        let out = blanked(src);
        assert_eq!(sexp(&out), sexp(src));
    }

    #[test]
    fn multibyte_text_stays_valid() {
        let src = "// é\nimpl const Default for Ünï {}\n";
        let out = blanked(src);
        assert!(out.contains("impl       Default for Ünï"));
    }

    #[test]
    fn methods_of_a_const_impl_are_methods_with_their_source() {
        use crate::model::{BlockKind, Language};
        let src = "impl<T: [const] Destruct> const Default for Option<T> {\n    \
                   fn default() -> Self { None }\n}\n";
        let parsed = crate::extract::extract(Language::Rust, "core/src/option.rs", src).unwrap();
        assert_eq!(parsed.syntax_errors, 0);
        let m = parsed
            .definitions
            .iter()
            .find(|d| d.name == "default")
            .unwrap();
        assert_eq!(m.kind, BlockKind::Method);
        let imp = &parsed.definitions[m.parent.unwrap()];
        assert_eq!(imp.kind, BlockKind::Impl);
        // The block's text is the file's, const tokens and all.
        assert!(
            imp.signature.contains("[const] Destruct> const Default"),
            "{}",
            imp.signature
        );
    }
}
