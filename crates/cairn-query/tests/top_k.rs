//! ORDER BY ... LIMIT keeps only the rows the limit reads (a bounded heap); its
//! results must be exactly those of the full sort, sliced: same order, same ties
//! (input order among equal keys), same NULL/MISSING placement.

use cairn_query::{Catalog, Compiler, MemorySource, OwnedValue, PartiQLVM};
use std::sync::Arc;

fn catalog() -> Catalog {
    // Keys with many ties, NULLs and MISSINGs, in an order that is neither sorted nor
    // reversed; `i` records the input position so ties are visible in the output.
    let rows = (0..500i64)
        .map(|i| {
            let k = (i * 7919) % 37;
            let key = match k {
                0 => None,
                1 => Some(OwnedValue::Null),
                _ => Some(OwnedValue::Int(k / 3)),
            };
            let mut fields = vec![("i".to_string(), OwnedValue::Int(i))];
            if let Some(v) = key {
                fields.push(("k".to_string(), v));
            }
            fields.push(("s".to_string(), OwnedValue::Str(format!("s{}", i % 11))));
            OwnedValue::Tuple(fields)
        })
        .collect();
    let mut c = Catalog::new();
    c.add_source("t", Arc::new(MemorySource::new(rows)));
    c
}

fn run(c: &Catalog, q: &str) -> Vec<OwnedValue> {
    let plan = Compiler::new(c).compile(q).unwrap();
    match PartiQLVM::new(plan)
        .execute()
        .unwrap()
        .materialize()
        .unwrap()
    {
        OwnedValue::List(v) | OwnedValue::Bag(v) => v,
        other => panic!("not a collection: {other:?}"),
    }
}

#[test]
fn limited_sorts_equal_the_full_sort_sliced() {
    let c = catalog();
    let orders = [
        "r.k",
        "r.k DESC",
        "r.k NULLS FIRST",
        "r.k DESC NULLS LAST",
        "r.s, r.k DESC",
        "r.s DESC, r.i",
    ];
    for order in orders {
        let full = run(&c, &format!("SELECT r.i, r.k FROM t AS r ORDER BY {order}"));
        assert_eq!(full.len(), 500);
        for (limit, offset) in [
            (0, 0),
            (1, 0),
            (10, 0),
            (10, 5),
            (37, 480),
            (499, 1),
            (1000, 0),
            (5, 600),
        ] {
            let q = format!(
                "SELECT r.i, r.k FROM t AS r ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            let got = run(&c, &q);
            let want: Vec<OwnedValue> = full.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(got, want, "{q}");
        }
    }
}

#[test]
fn explain_names_the_top_k_sort() {
    let c = catalog();
    let plan = Compiler::new(&c)
        .compile("SELECT r.i FROM t AS r ORDER BY r.k LIMIT 3")
        .unwrap();
    assert!(cairn_query::explain::explain(&plan).contains("top-k"));
    let plan = Compiler::new(&c)
        .compile("SELECT r.i FROM t AS r ORDER BY r.k")
        .unwrap();
    assert!(!cairn_query::explain::explain(&plan).contains("top-k"));
}
