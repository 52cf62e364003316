//! The JSON-lines reader makes no heap allocation per row once warmed up: its line buffer
//! is reused and everything it decodes goes to the arena.

use bumpalo::Bump;
use cairn_query::reader::{FieldSlot, JsonLinesSource, ScanLayout, Source, ValueWriter};
use cairn_query::Value;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(|c| c.get())
}

#[test]
fn steady_state_rows_make_no_heap_allocations() {
    let path = std::env::temp_dir().join(format!("cairn-jsonl-alloc-{}.jsonl", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..5000 {
            writeln!(
                f,
                r#"{{"id": {i}, "name": "row \"{i}\" \u00e9", "tags": ["a", "b", {{"c": [1, 2.5, null]}}], "skip": {{"deep": [[["x"]]], "s": "}}"}}, "ok": true}}"#
            )
            .unwrap();
        }
    }
    let before = allocs();
    let probe = std::hint::black_box(vec![1u8; 16]);
    assert!(allocs() > before, "the counting allocator counts");
    drop(probe);
    let src = JsonLinesSource::new(&path);
    let layouts = [
        ScanLayout::whole_row(0),
        ScanLayout {
            whole: None,
            fields: vec![
                FieldSlot {
                    name: "id".into(),
                    case_sensitive: true,
                    slot: 0,
                },
                FieldSlot {
                    name: "tags".into(),
                    case_sensitive: true,
                    slot: 1,
                },
                FieldSlot {
                    name: "name".into(),
                    case_sensitive: false,
                    slot: 2,
                },
            ],
            position: Some(3),
            key_filters: Vec::new(),
        },
    ];
    for layout in &layouts {
        let mut reader = src.open(layout).unwrap();
        let mut arena = Bump::with_capacity(1 << 20);
        let mut rows = 0;
        let mut warm = 0;
        loop {
            if rows == 100 {
                warm = allocs();
            }
            arena.reset();
            let mut regs = [Value::Missing; 4];
            let mut w = ValueWriter::new(&mut regs, &arena);
            if !reader.next_row(&mut w).unwrap() {
                break;
            }
            rows += 1;
        }
        assert_eq!(rows, 5000);
        assert_eq!(
            allocs() - warm,
            0,
            "allocations while reading rows 100..5000"
        );
    }
    let _ = std::fs::remove_file(&path);
}
