//! Path wildcards (`[*]`, `.*`) and `x.*` in SELECT lists, end to end (text → result).

mod common;

use cairn_query::Mode;
use common::run;
use serde_json::{json, Value as Json};

fn eval(q: &str, mode: Mode) -> Json {
    run(q, mode).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn for_each_and_unpivot_steps_make_bags() {
    for mode in [Mode::Strict, Mode::Permissive] {
        assert_eq!(eval("[1, 2, 3][*]", mode), json!({"$bag": [1, 2, 3]}));
        assert_eq!(eval("{'a': 1, 'b': 2}.*", mode), json!({"$bag": [1, 2]}));
        assert_eq!(
            eval("{'l': [{'a': 1}, {'a': 2}]}.l[*].a", mode),
            json!({"$bag": [1, 2]})
        );
        assert_eq!(
            eval("[{'b': [1, 2]}, {'b': [3]}][*].b[*]", mode),
            json!({"$bag": [1, 2, 3]})
        );
        assert_eq!(eval("{}.*.*.bar", mode), json!({"$bag": []}));
    }
}

#[test]
fn non_collections_are_singletons_when_permissive_and_errors_when_strict() {
    assert_eq!(
        eval("(100)[*][*]", Mode::Permissive),
        json!({"$bag": [100]})
    );
    assert!(run("(100)[*][*]", Mode::Strict).is_err());
    assert!(run("'hello'.*", Mode::Strict).is_err());
}

#[test]
fn wildcard_paths_in_from_and_select() {
    let q = "SELECT VALUE b.t FROM [{'bs': [{'t': 'x'}, {'t': 'y'}]}, {'bs': [{'t': 'z'}]}][*].bs[*] AS b";
    assert_eq!(eval(q, Mode::Strict), json!({"$bag": ["x", "y", "z"]}));
    let q = "SELECT r.l[*].a AS s FROM [{'l': [{'a': 1}, {'a': 2}]}] AS r";
    assert_eq!(
        eval(q, Mode::Strict),
        json!({"$bag": [{"s": {"$bag": [1, 2]}}]})
    );
}

#[test]
fn star_items_in_select_lists_spread_fields() {
    let q = "SELECT f.* FROM <<{'a': 1, 'b': 2}>> AS f";
    assert_eq!(eval(q, Mode::Strict), json!({"$bag": [{"a": 1, "b": 2}]}));
    let q =
        "SELECT t.v1.*, t.e2 AS a, t.v3.* FROM [{'v1': {'b': 2}, 'e2': 1, 'v3': {'c': 3}}] AS t";
    assert_eq!(
        eval(q, Mode::Strict),
        json!({"$bag": [{"b": 2, "a": 1, "c": 3}]})
    );
    let q = "SELECT f.a, f.* FROM <<{'a': 1, 'b': 2}>> AS f";
    assert_eq!(
        eval(q, Mode::Strict),
        json!({"$bag": [{"$struct": [["a", 1], ["a", 1], ["b", 2]]}]})
    );
}
