//! A streaming query (scan → filter → project with a string function) makes no heap
//! allocation per row once warm: everything a row needs lives in the VM's row arena.

use cairn_query::{Catalog, Compiler, MemorySource, Mode, OwnedValue, PartiQLVM};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(|c| c.get())
}

const ROWS: i64 = 100_000;

fn source() -> MemorySource {
    let rows = (0..ROWS)
        .map(|i| {
            OwnedValue::tuple([
                ("a", OwnedValue::Int(i)),
                ("s", OwnedValue::Str(format!("name_{}", i % 1000))),
            ])
        })
        .collect();
    MemorySource::new(rows)
}

/// Checks one output row without allocating: `u` must be `NAME_<a % 1000>`.
fn check_row(a: i64, u: &str) {
    assert_eq!(a % 7, 0, "row a={a} should have been filtered out");
    let digits = u
        .strip_prefix("NAME_")
        .unwrap_or_else(|| panic!("row a={a}: u={u:?} is not NAME_<n>"));
    let n: i64 = digits
        .parse()
        .unwrap_or_else(|_| panic!("row a={a}: u={u:?} has no number"));
    assert_eq!(n, a % 1000, "row a={a}: u={u:?}");
}

#[test]
fn streaming_rows_make_no_heap_allocations_once_warm() {
    // The allocator counts on this thread.
    let before = allocs();
    let probe = std::hint::black_box(vec![1u8; 16]);
    assert!(allocs() > before, "the counting allocator counts");
    drop(probe);

    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(source()));
    let plan = Compiler::new(&catalog)
        .mode(Mode::Strict)
        .compile("SELECT r.a, UPPER(r.s) AS u FROM data AS r WHERE r.a % 7 = 0")
        .expect("compiles");
    let mut vm = PartiQLVM::new(plan);
    let mut stream = vm.execute().expect("executes");

    let mut count = 0u64;
    let mut last_a = -1i64;
    let mut warm: Option<(u64, i64)> = None;
    while let Some(row) = stream.next_row().expect("row") {
        let a = row.get_i64(0).expect("column 0 (a) is an INT");
        let u = row.get_str(1).expect("column 1 (u) is a string");
        check_row(a, u);
        assert!(a > last_a, "rows come in scan order: {a} after {last_a}");
        last_a = a;
        count += 1;
        if warm.is_none() && a >= 1000 {
            warm = Some((allocs(), a));
        }
    }
    let end = allocs();
    drop(stream);

    assert_eq!(count, 14_286, "output rows");
    assert_eq!(last_a, 99_995);
    let (at_warm, warm_a) = warm.expect("a row with a >= 1000");
    assert_eq!(warm_a, 1001);
    let per_row = end - at_warm;
    let rows_after = count - 144;
    assert_eq!(
        per_row,
        0,
        "the streaming path allocated {per_row} times over the {rows_after} rows after a=1001 \
         ({:.2} per row)",
        per_row as f64 / rows_after as f64
    );
}

#[test]
fn second_execution_of_a_warm_vm_makes_no_heap_allocations_per_row() {
    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(source()));
    let plan = Compiler::new(&catalog)
        .mode(Mode::Strict)
        .compile("SELECT r.a, UPPER(r.s) AS u FROM data AS r WHERE r.a % 7 = 0")
        .expect("compiles");
    let mut vm = PartiQLVM::new(plan);
    for run in 0..2 {
        let mut stream = vm.execute().expect("executes");
        let mut count = 0u64;
        let mut warm = None;
        while let Some(row) = stream.next_row().expect("row") {
            let a = row.get_i64(0).expect("a");
            check_row(a, row.get_str(1).expect("u"));
            count += 1;
            if warm.is_none() && count == 10 {
                warm = Some(allocs());
            }
        }
        let end = allocs();
        drop(stream);
        assert_eq!(count, 14_286, "run {run}: output rows");
        let n = end - warm.unwrap();
        assert_eq!(n, 0, "run {run}: {n} allocations after the 10th row");
    }
}
