//! Tree-sitter's C allocations through mimalloc.
//!
//! Parsing allocates and frees a small node for every parse-stack entry and subtree it
//! builds, and freeing a tree frees them all again. Cairn's programs (`cairn`,
//! `cairn-bench`) call [`parse_with_mimalloc`] first, so that these calls go to
//! mimalloc's thread-local free lists instead of glibc's `malloc`. Only tree-sitter's
//! allocations move: Rust's global allocator stays the system's, so the query engine
//! and the engines it is benchmarked against allocate as before. A library embedding
//! Cairn keeps the allocators it chose: nothing here runs unless called.

/// Makes tree-sitter allocate with mimalloc from now on.
///
/// # Safety
///
/// Call it at the start of `main`, before any tree-sitter object (parser, tree, query,
/// cursor) exists in the process, and from one thread: memory tree-sitter allocated
/// before the switch would otherwise be freed by the wrong allocator.
pub unsafe fn parse_with_mimalloc() {
    use libmimalloc_sys::{mi_calloc, mi_free, mi_malloc, mi_realloc};
    // SAFETY: the caller guarantees that no tree-sitter allocation exists yet;
    // mimalloc's four functions have the C signatures tree-sitter asks for.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: mi_malloc,
            calloc: mi_calloc,
            realloc: mi_realloc,
            free: mi_free,
        }))
    };
}
