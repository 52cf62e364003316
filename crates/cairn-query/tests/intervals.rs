//! INTERVAL literals, datetime arithmetic and OVERLAPS, end to end (text → result).

mod common;

use cairn_query::{Mode, QueryError};
use common::run;
use serde_json::{json, Value as Json};

fn eval(q: &str) -> Json {
    run(q, Mode::Strict).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn literals_print_their_fields_and_results_print_all() {
    assert_eq!(
        eval("INTERVAL '-3' YEAR"),
        json!({"$interval_ym": {"sign": "-", "years": 3}})
    );
    assert_eq!(
        eval("INTERVAL '999' HOUR(3)"),
        json!({"$interval_dt": {"sign": "+", "days": 41, "hours": 15}})
    );
    assert_eq!(
        eval("INTERVAL '1' YEAR - INTERVAL '1' MONTH"),
        json!({"$interval_ym": {"sign": "+", "years": 0, "months": 11}})
    );
    assert_eq!(
        eval("ABS(INTERVAL '-30' MINUTE)"),
        json!({"$interval_dt": {"sign": "+", "minutes": 30}})
    );
}

#[test]
fn datetime_arithmetic() {
    assert_eq!(
        eval("DATE '2025-01-01' - INTERVAL '1' DAY"),
        json!({"$date": {"year": 2024, "month": 12, "day": 31}})
    );
    assert_eq!(
        eval("TIME '10:30:00' - TIME '14:45:30'"),
        json!({"$interval_dt": {"sign": "-", "days": 0, "hours": 4, "minutes": 15, "seconds": 30, "nanos": 0}})
    );
    assert_eq!(
        eval("DATE '2023-05-15' = TIMESTAMP '2023-05-15 00:00:00'"),
        json!(true)
    );
    assert_eq!(
        eval("TIME '10:30:00+05:00' < TIME '10:30:00-03:00'"),
        json!(true)
    );
    // A year-month interval cannot move a time of day: an error, MISSING when permissive.
    assert!(run("TIME '01:01:01' + INTERVAL '1' YEAR", Mode::Strict).is_err());
    assert_eq!(
        run("TIME '01:01:01' + INTERVAL '1' YEAR", Mode::Permissive).unwrap(),
        json!({"$missing": true})
    );
    // Out of the leading precision and division by zero fail in both modes.
    assert!(run("INTERVAL '2' DAY * 50", Mode::Permissive).is_err());
    assert!(run("INTERVAL '2' DAY / 0", Mode::Permissive).is_err());
    // A float divisor counts by its exact binary value.
    assert_eq!(
        eval("INTERVAL '10.5' SECOND / 2.25e-1"),
        json!({"$interval_dt": {"sign": "+", "days": 0, "hours": 0, "minutes": 0, "seconds": 46, "nanos": 666666000}})
    );
}

#[test]
fn bad_literals_are_syntax_errors_at_their_place() {
    match run("SELECT INTERVAL '100' DAY FROM <<1>>", Mode::Strict) {
        Err(QueryError::Syntax { location, .. }) => assert_eq!(location.column, 8),
        other => panic!("{other:?}"),
    }
    // Positions after a rewritten literal still point at the original text.
    match run("INTERVAL '1' DAY + )", Mode::Strict) {
        Err(QueryError::Syntax { location, .. }) => assert_eq!(location.column, 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn overlaps_and_typed_literals_in_collections() {
    assert_eq!(
        eval("[DATE '2023-01-01', DATE '2023-01-31'] OVERLAPS <<DATE '2023-01-15', DATE '2023-02-15'>>"),
        json!(true)
    );
    assert_eq!(
        eval("ROW(DATE '2023-01-01', INTERVAL '10' DAY) OVERLAPS ROW(DATE '2023-01-15', DATE '2023-01-31')"),
        json!(false)
    );
    assert_eq!(
        eval("{'d': [DATE '2023-01-01']}"),
        json!({"d": [{"$date": {"year": 2023, "month": 1, "day": 1}}]})
    );
    assert_eq!(
        eval("TIME '01:02:03'"),
        json!({"$time": {"hour": 1, "minute": 2, "second": {"$decimal": "3.0"}, "offset": null}})
    );
}
