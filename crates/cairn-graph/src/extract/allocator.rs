//! Tree-sitter's C allocations through mimalloc.
//!
//! Parsing allocates and frees a small node for every parse-stack entry and subtree it
//! builds, and freeing a tree frees them all again; with glibc's `malloc` that was
//! about a tenth of an ingest's CPU (`malloc_consolidate` runs when a large tree is
//! freed beside other threads' allocations). Cairn's programs (`cairn`, `cairn-bench`)
//! use mimalloc as their global allocator and call [`parse_with_mimalloc`] first, so
//! tree-sitter shares its thread-local free lists. A library embedding Cairn keeps
//! the allocators it chose: nothing here runs unless called.

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
        tree_sitter::set_allocator(
            Some(mi_malloc),
            Some(mi_calloc),
            Some(mi_realloc),
            Some(mi_free),
        )
    };
}
