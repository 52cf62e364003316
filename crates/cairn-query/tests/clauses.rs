//! ORDER BY, GROUP BY, HAVING and set operators over what the SELECT list names, and the
//! strict/permissive rules for absent fields and non-collections, end to end.

mod common;

use cairn_query::Mode;
use common::run;
use serde_json::{json, Value as Json};

fn both(q: &str) -> Json {
    let strict = run(q, Mode::Strict).unwrap_or_else(|e| panic!("{q}: {e}"));
    let permissive = run(q, Mode::Permissive).unwrap_or_else(|e| panic!("{q}: {e}"));
    assert_eq!(strict, permissive, "{q}");
    strict
}

const ROWS: &str = "[{'k': 1, 'v': 10}, {'k': 2, 'v': 5}, {'k': 1, 'v': 7}, {'k': 3, 'v': 1}]";

#[test]
fn order_by_a_select_alias() {
    let q = format!("SELECT r.k AS kk, r.v AS val FROM {ROWS} AS r ORDER BY val DESC");
    assert_eq!(
        both(&q),
        json!([
            {"kk": 1, "val": 10}, {"kk": 1, "val": 7}, {"kk": 2, "val": 5}, {"kk": 3, "val": 1}
        ])
    );
}

#[test]
fn order_by_over_a_set_operation_reads_its_rows() {
    let q = "(SELECT x.a AS c FROM [{'a': 1}, {'a': 3}] AS x) UNION (SELECT y.b AS c FROM [{'b': 2}, {'b': 3}] AS y) ORDER BY c DESC";
    assert_eq!(both(q), json!([{"c": 3}, {"c": 2}, {"c": 1}]));
}

#[test]
fn group_by_alias_having_and_order_by_aggregates() {
    let q = format!(
        "SELECT r.k AS kk, SUM(r.v) AS total FROM {ROWS} AS r GROUP BY kk HAVING COUNT(*) >= 1 ORDER BY MAX(r.v) DESC"
    );
    assert_eq!(
        both(&q),
        json!([{"kk": 1, "total": 17}, {"kk": 2, "total": 5}, {"kk": 3, "total": 1}])
    );
    let q = format!("SELECT r.k AS kk FROM {ROWS} AS r GROUP BY r.k HAVING SUM(r.v) > 6");
    assert_eq!(both(&q), json!({"$bag": [{"kk": 1}]}));
    let q = format!("SELECT r.k, COUNT(*) AS n FROM {ROWS} AS r GROUP BY r.k ORDER BY r.k DESC");
    assert_eq!(
        both(&q),
        json!([{"k": 3, "n": 1}, {"k": 2, "n": 1}, {"k": 1, "n": 2}])
    );
}

#[test]
fn absent_fields_are_missing_when_permissive_and_errors_when_strict() {
    let q = "SELECT VALUE r.b FROM [{'a': 1}] AS r";
    assert_eq!(
        run(q, Mode::Permissive).unwrap(),
        json!({"$bag": [{"$missing": true}]})
    );
    assert!(run(q, Mode::Strict).is_err());
    // A name that several FROM variables could hold is looked up in each in turn.
    let q = "SELECT b FROM [{'a': 1}] AS x, [{'b': 2}] AS y";
    assert_eq!(both(q), json!({"$bag": [{"b": 2}]}));
}

#[test]
fn from_and_set_operands_must_be_collections_in_strict_mode() {
    assert!(run("SELECT VALUE v FROM {'a': 5} AS v", Mode::Strict).is_err());
    assert_eq!(
        run("SELECT VALUE v FROM {'a': 5} AS v", Mode::Permissive).unwrap(),
        json!({"$bag": [{"a": 5}]})
    );
    assert!(run("SELECT VALUE i FROM <<1, 2>> AS v AT i", Mode::Strict).is_err());
    assert!(run("1 OUTER UNION 2", Mode::Strict).is_err());
    assert_eq!(
        run("NULL OUTER UNION MISSING", Mode::Permissive).unwrap(),
        json!({"$bag": [null]})
    );
}

#[test]
fn select_star_names_non_tuples_by_position_and_in_takes_parenthesized_lists() {
    assert_eq!(
        both("SELECT * FROM [[1, 2]] AS foo"),
        json!({"$bag": [{"_1": [1, 2]}]})
    );
    assert_eq!(
        both("SELECT VALUE x FROM [1, 5, [5]] AS x WHERE x IN (5)"),
        json!({"$bag": [5]})
    );
    assert_eq!(
        both("SELECT VALUE x FROM [1, 5, [5]] AS x WHERE x IN ([5])"),
        json!({"$bag": [[5]]})
    );
    assert_eq!(both("MISSING = NULL"), json!(null));
}

#[test]
fn values_rows_are_a_bag_of_lists() {
    assert_eq!(
        both("VALUES (1), (2, 'a')"),
        json!({"$bag": [[1], [2, "a"]]})
    );
    assert_eq!(
        both(
            "SELECT VALUE x FROM [[1, 'a'], [2, 'b']] AS x WHERE x IN (VALUES (2, 'b'), (3, 'c'))"
        ),
        json!({"$bag": [[2, "b"]]})
    );
}

#[test]
fn field_names_bare_keys_and_quoted_indexes() {
    // A bare name as a tuple key, when no variable has that name.
    assert_eq!(both("{a: 1, b: 2}"), json!({"a": 1, "b": 2}));
    // A string index names the field exactly.
    assert_eq!(both("{'x': 1, 'X': 2}['X']"), json!(2));
    // Strict mode refuses a name that several fields answer to.
    let q = "SELECT r.dup FROM [{'dup': 1, 'dup': 2}] AS r";
    assert!(run(q, Mode::Strict).is_err());
    assert_eq!(
        run(q, Mode::Permissive).unwrap(),
        json!({"$bag": [{"dup": 1}]})
    );
}

#[test]
fn subqueries_see_the_variables_of_enclosing_queries() {
    assert_eq!(
        both("SELECT VALUE (SELECT VALUE x + v FROM [1, 2] AS x) FROM [10, 20] AS v"),
        json!({"$bag": [{"$bag": [11, 12]}, {"$bag": [21, 22]}]})
    );
    assert_eq!(
        both("SELECT VALUE (SELECT MAX(x) + v AS r FROM [1, 2] AS x) FROM [10] AS v"),
        json!({"$bag": [{"$bag": [{"r": 12}]}]})
    );
    assert_eq!(
        both("SELECT o.a, (SELECT VALUE w.b FROM [{'b': 1, 'c': 10}] AS w WHERE w.c = o.a) AS s FROM [{'a': 10}] AS o"),
        json!({"$bag": [{"a": 10, "s": {"$bag": [1]}}]})
    );
}

#[test]
fn offsets_that_are_not_counts() {
    let q = "SELECT VALUE x FROM [1, 2, 3] AS x OFFSET 'a'";
    assert_eq!(
        run(q, Mode::Permissive).unwrap(),
        json!({"$bag": [1, 2, 3]})
    );
    assert!(run(q, Mode::Strict).is_err());
    // A negative literal is refused when compiling, in both modes.
    let q = "SELECT VALUE x FROM [1, 2, 3] AS x OFFSET -1";
    assert!(run(q, Mode::Permissive).is_err());
    assert!(run(q, Mode::Strict).is_err());
}

#[test]
fn a_cast_group_key_is_named_after_its_operand() {
    let q = "SELECT n FROM [{'n': '1'}, {'n': '01'}, {'n': '2'}] AS r GROUP BY CAST(r.n AS INT)";
    let got = both(q);
    let mut rows: Vec<String> = got["$bag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    rows.sort();
    assert_eq!(rows, vec![r#"{"n":1}"#, r#"{"n":2}"#]);
}
