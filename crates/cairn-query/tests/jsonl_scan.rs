//! Queries over a JSON-lines file through JsonLinesSource.

use cairn_query::{Catalog, Compiler, JsonLinesSource, Mode, OwnedValue, PartiQLVM};
use std::io::Write;
use std::sync::Arc;

const N: i64 = 1000;

fn file() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    {
        let mut w = std::io::BufWriter::new(&mut f);
        for i in 0..N {
            writeln!(w, r#"{{"a": {i}, "b": "x", "nested": {{"k": {i}}}}}"#).unwrap();
        }
        w.flush().unwrap();
    }
    f
}

fn catalog(f: &tempfile::NamedTempFile) -> Catalog {
    let mut c = Catalog::new();
    c.add_source("data", Arc::new(JsonLinesSource::new(f.path())));
    c
}

fn run(c: &Catalog, q: &str) -> OwnedValue {
    run_in(c, q, Mode::Strict)
}

fn run_in(c: &Catalog, q: &str, mode: Mode) -> OwnedValue {
    let plan = Compiler::new(c)
        .mode(mode)
        .compile(q)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut vm = PartiQLVM::new(plan);
    let result = vm
        .execute()
        .and_then(|s| s.materialize())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    result
}

fn int(i: i64) -> OwnedValue {
    OwnedValue::Int(i)
}

fn assert_same(q: &str, got: &OwnedValue, want: &OwnedValue) {
    assert!(got.test_eq(want), "{q}\ngot  {got:?}\nwant {want:?}");
}

#[test]
fn filter_and_projection_stream_rows() {
    let f = file();
    let c = catalog(&f);
    let plan = Compiler::new(&c)
        .compile("SELECT r.a, r.nested.k AS k, r.b FROM data AS r WHERE r.nested.k % 100 = 7")
        .unwrap();
    let mut vm = PartiQLVM::new(plan);
    let mut stream = vm.execute().unwrap();
    let mut got = Vec::new();
    while let Some(row) = stream.next_row().unwrap() {
        got.push((
            row.get_i64(0).unwrap(),
            row.get_i64(1).unwrap(),
            row.get_str(2).unwrap().to_string(),
        ));
    }
    let want: Vec<_> = (0..10)
        .map(|j| (j * 100 + 7, j * 100 + 7, "x".to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn filter_and_projection_materialized() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT r.a AS a, r.nested AS n FROM data AS r WHERE r.a < 10 AND r.nested.k % 2 = 0";
    let got = run(&c, q);
    let want = OwnedValue::Bag(
        (0..10)
            .step_by(2)
            .map(|i| OwnedValue::tuple([("a", int(i)), ("n", OwnedValue::tuple([("k", int(i))]))]))
            .collect(),
    );
    assert_same(q, &got, &want);
}

#[test]
fn whole_rows_and_missing_fields() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT VALUE r FROM data AS r WHERE r.a = 500";
    let want = OwnedValue::Bag(vec![OwnedValue::tuple([
        ("a", int(500)),
        ("b", OwnedValue::Str("x".into())),
        ("nested", OwnedValue::tuple([("k", int(500))])),
    ])]);
    assert_same(q, &run(&c, q), &want);
    // No row has `zzz`: MISSING in permissive mode, an error in strict mode.
    let q = "SELECT VALUE r.a FROM data AS r WHERE r.zzz IS MISSING AND r.a >= 998";
    assert_same(
        q,
        &run_in(&c, q, Mode::Permissive),
        &OwnedValue::Bag(vec![int(998), int(999)]),
    );
    let strict = Compiler::new(&c).mode(Mode::Strict).compile(q).unwrap();
    assert!(PartiQLVM::new(strict)
        .execute()
        .and_then(|s| s.materialize())
        .is_err());
}

#[test]
fn order_by_with_limit() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT VALUE r.nested.k FROM data AS r WHERE r.a >= 990 ORDER BY r.nested.k DESC";
    let got = run(&c, q);
    assert_eq!(
        got,
        OwnedValue::List((990..1000).rev().map(int).collect()),
        "{q}"
    );
    let q = "SELECT r.a AS a FROM data AS r ORDER BY r.a % 10, r.a DESC LIMIT 3";
    let got = run(&c, q);
    let want = OwnedValue::List(
        [990, 980, 970]
            .map(|a| OwnedValue::tuple([("a", int(a))]))
            .to_vec(),
    );
    assert_eq!(got, want, "{q}");
}

#[test]
fn group_by_a_constant_field() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT b, COUNT(*) AS n, SUM(r.a) AS s, MAX(r.nested.k) AS mx, MIN(r.a) AS mn \
             FROM data AS r GROUP BY r.b AS b";
    let want = OwnedValue::Bag(vec![OwnedValue::tuple([
        ("b", OwnedValue::Str("x".into())),
        ("n", int(N)),
        ("s", int(N * (N - 1) / 2)),
        ("mx", int(N - 1)),
        ("mn", int(0)),
    ])]);
    assert_same(q, &run(&c, q), &want);
}

#[test]
fn group_by_expression_with_order_by() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT m, COUNT(*) AS n, SUM(r.nested.k) AS s FROM data AS r \
             WHERE r.a < 100 GROUP BY r.a % 4 AS m ORDER BY m";
    let want = OwnedValue::List(
        (0..4)
            .map(|m| {
                let ks: Vec<i64> = (0..100).filter(|a| a % 4 == m).collect();
                OwnedValue::tuple([
                    ("m", int(m)),
                    ("n", int(ks.len() as i64)),
                    ("s", int(ks.iter().sum())),
                ])
            })
            .collect(),
    );
    let got = run(&c, q);
    assert_eq!(got, want, "{q}");
}

#[test]
fn aggregate_without_group_by() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT COUNT(*) AS n, AVG(r.a) AS av FROM data AS r WHERE r.nested.k >= 500";
    let got = run(&c, q);
    let OwnedValue::Bag(rows) = &got else {
        panic!("{q}: expected a bag, got {got:?}")
    };
    assert_eq!(rows.len(), 1, "{q}: {got:?}");
    let OwnedValue::Tuple(fields) = &rows[0] else {
        panic!("{q}: {got:?}")
    };
    assert_eq!(fields[0], ("n".to_string(), int(500)), "{q}");
    // AVG(500..999) = 749.5, as a decimal or float.
    let av = &fields[1];
    assert_eq!(av.0, "av");
    let ok = match &av.1 {
        OwnedValue::Decimal(d) => d.to_string().trim_end_matches('0') == "749.5",
        OwnedValue::Float(x) => (*x - 749.5).abs() < 1e-9,
        _ => false,
    };
    assert!(ok, "{q}: AVG = {:?}", av.1);
}

#[test]
fn a_vm_scans_the_file_again() {
    let f = file();
    let c = catalog(&f);
    let plan = Compiler::new(&c)
        .compile("SELECT VALUE r.a FROM data AS r WHERE r.a > 995")
        .unwrap();
    let mut vm = PartiQLVM::new(plan);
    for _ in 0..2 {
        let got = vm.execute().unwrap().materialize().unwrap();
        assert_eq!(got, OwnedValue::Bag((996..1000).map(int).collect()));
    }
}

#[test]
fn self_join_comma() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT VALUE l.a FROM data AS l, data AS r WHERE l.a = r.nested.k AND l.a < 3";
    assert_same(
        q,
        &run(&c, q),
        &OwnedValue::Bag(vec![int(0), int(1), int(2)]),
    );
}

#[test]
fn self_join_on() {
    let f = file();
    let c = catalog(&f);
    let q = "SELECT l.a AS a, r.nested.k AS k FROM data AS l JOIN data AS r \
             ON r.nested.k = l.a + 1 WHERE l.a >= 997";
    let want = OwnedValue::Bag(
        (997..999)
            .map(|a| OwnedValue::tuple([("a", int(a)), ("k", int(a + 1))]))
            .collect(),
    );
    assert_same(q, &run(&c, q), &want);
}
