//! Errors name what went wrong and where, and never panic.

use cairn_query::{
    Catalog, Compiler, JsonLinesSource, MemorySource, Mode, OwnedValue, PartiQLVM, QueryError,
};
use std::io::Write;
use std::sync::Arc;

/// Compiles and runs `q`, returning the first error from either step.
fn run(catalog: &Catalog, mode: Mode, q: &str) -> Result<OwnedValue, QueryError> {
    let plan = Compiler::new(catalog).mode(mode).compile(q)?;
    let mut vm = PartiQLVM::new(plan);
    let result = vm.execute()?.materialize();
    result
}

/// Like [`run`], but fails the test (rather than unwinding further) if anything panics.
fn run_no_panic(catalog: &Catalog, mode: Mode, q: &str) -> Result<OwnedValue, QueryError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(catalog, mode, q)))
        .unwrap_or_else(|_| panic!("query panicked: {q}"))
}

#[test]
fn malformed_statement_is_a_syntax_error_with_a_location() {
    let catalog = Catalog::new();
    let err = run_no_panic(&catalog, Mode::Strict, "SELEC 1 FROM").unwrap_err();
    match &err {
        QueryError::Syntax { location, message } => {
            assert_eq!(location.line, 1, "{err}");
            assert!(
                location.column >= 1 && location.column <= 13,
                "{location:?}"
            );
            assert!(!message.is_empty());
        }
        other => panic!("expected QueryError::Syntax, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("line 1"), "{shown}");
    assert!(shown.contains("column"), "{shown}");
}

#[test]
fn syntax_error_on_line_two_reports_line_two() {
    let catalog = Catalog::new();
    let q = "SELECT x\nFROM [1, 2] AS x WHERE )";
    let err = run_no_panic(&catalog, Mode::Strict, q).unwrap_err();
    match &err {
        QueryError::Syntax { location, .. } => {
            assert_eq!(location.line, 2, "{err}");
            // `)` is the 24th character of line 2.
            assert_eq!(location.column, 24, "{err}");
            assert_eq!(&q[location.start..location.start + 1], ")", "{location:?}");
        }
        other => panic!("expected QueryError::Syntax, got {other:?}"),
    }
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn syntax_errors_of_several_kinds_do_not_panic() {
    let catalog = Catalog::new();
    for q in [
        "",
        "SELECT",
        "SELECT * FROM",
        "SELECT (1 FROM [1] AS x",
        "SELECT 'unterminated FROM [1] AS x",
        "SELECT VALUE x FROM [1, 2 AS x",
        "FROM FROM FROM",
        "SELECT x FROM [1] AS x GROUP",
    ] {
        let r = run_no_panic(&catalog, Mode::Strict, q);
        assert!(r.is_err(), "{q:?} should not compile: {r:?}");
    }
}

#[test]
fn unknown_variable_in_strict_mode_names_it() {
    let catalog = Catalog::new();
    let err =
        run_no_panic(&catalog, Mode::Strict, "SELECT x.a FROM nothing_here AS x").unwrap_err();
    assert!(err.to_string().contains("nothing_here"), "{err:?}");
}

#[test]
fn division_by_zero_strict_is_an_error() {
    let catalog = Catalog::new();
    let err = run_no_panic(&catalog, Mode::Strict, "SELECT VALUE 1/0 FROM [1] AS x").unwrap_err();
    assert!(
        matches!(err, QueryError::Eval(_)),
        "expected an evaluation error, got {err:?}"
    );
    let err = run_no_panic(&catalog, Mode::Strict, "SELECT VALUE x % 0 FROM [5] AS x").unwrap_err();
    assert!(
        matches!(err, QueryError::Eval(_)),
        "expected an evaluation error, got {err:?}"
    );
}

#[test]
fn division_by_zero_is_an_error_in_permissive_mode_too() {
    // Not a type error: the conformance suite's reference raises it in both modes.
    let catalog = Catalog::new();
    for q in [
        "SELECT VALUE 1/0 FROM [1] AS x",
        "SELECT x AS a, x % 0 AS b FROM [4] AS x",
        "SELECT VALUE x + 1 FROM [9223372036854775807] AS x",
    ] {
        let err = run_no_panic(&catalog, Mode::Permissive, q).unwrap_err();
        assert!(matches!(err, QueryError::Eval(_)), "{q}: {err:?}");
    }
    // A type error still becomes MISSING.
    let got = run_no_panic(
        &catalog,
        Mode::Permissive,
        "SELECT VALUE 1 / 'a' FROM [1] AS x",
    )
    .unwrap();
    assert_eq!(got, OwnedValue::Bag(vec![OwnedValue::Missing]));
}

#[test]
fn division_by_zero_in_a_streaming_scan() {
    let mut catalog = Catalog::new();
    catalog.add_source(
        "data",
        Arc::new(MemorySource::new(
            (0..3)
                .map(|i| OwnedValue::tuple([("a", OwnedValue::Int(i))]))
                .collect(),
        )),
    );
    let err = run_no_panic(
        &catalog,
        Mode::Strict,
        "SELECT VALUE 10 / r.a FROM data AS r",
    )
    .unwrap_err();
    assert!(matches!(err, QueryError::Eval(_)), "{err:?}");
    let err = run_no_panic(
        &catalog,
        Mode::Permissive,
        "SELECT VALUE 10 / r.a FROM data AS r",
    )
    .unwrap_err();
    assert!(matches!(err, QueryError::Eval(_)), "{err:?}");
}

fn bad_jsonl() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    writeln!(f, r#"{{"a": 1}}"#).unwrap();
    writeln!(f, r#"{{"a": 2}}"#).unwrap();
    writeln!(f, r#"{{"a": 3, "b": }}"#).unwrap();
    writeln!(f, r#"{{"a": 4}}"#).unwrap();
    f.flush().unwrap();
    f
}

#[test]
fn bad_json_line_is_a_read_error_naming_file_and_line() {
    let file = bad_jsonl();
    let path = file.path().to_path_buf();
    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(JsonLinesSource::new(&path)));
    for mode in [Mode::Strict, Mode::Permissive] {
        for q in [
            "SELECT VALUE r.a FROM data AS r",
            "SELECT r FROM data AS r",
            "SELECT VALUE r.a FROM data AS r ORDER BY r.a",
            "SELECT COUNT(*) AS n FROM data AS r",
        ] {
            let err = run_no_panic(&catalog, mode, q)
                .expect_err(&format!("{q} ({mode:?}) reads a bad line"));
            match &err {
                QueryError::Read { path: p, line, .. } => {
                    assert_eq!(*line, 3, "{q}: {err}");
                    assert_eq!(p, &path.display().to_string(), "{q}: {err}");
                }
                other => panic!("{q} ({mode:?}): expected QueryError::Read, got {other:?}"),
            }
            let shown = err.to_string();
            assert!(shown.contains(&path.display().to_string()), "{shown}");
            assert!(shown.contains(":3:"), "{shown}");
        }
    }
}

#[test]
fn rows_before_a_bad_line_stream_out_first() {
    let file = bad_jsonl();
    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(JsonLinesSource::new(file.path())));
    let plan = Compiler::new(&catalog)
        .compile("SELECT VALUE r.a FROM data AS r")
        .unwrap();
    let mut vm = PartiQLVM::new(plan);
    let mut stream = vm.execute().unwrap();
    assert_eq!(stream.next_row().unwrap().unwrap().get_i64(0), Some(1));
    assert_eq!(stream.next_row().unwrap().unwrap().get_i64(0), Some(2));
    let third = stream.next_row().map(|row| row.map(|r| r.to_owned_value()));
    match third {
        Err(QueryError::Read { line: 3, .. }) => {}
        Err(other) => panic!("expected a read error on line 3, got {other:?}"),
        Ok(row) => panic!("expected a read error on line 3, got {row:?}"),
    }
}

#[test]
fn missing_file_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("does-not-exist.jsonl");
    let mut catalog = Catalog::new();
    catalog.add_source("data", Arc::new(JsonLinesSource::new(&path)));
    let err = run_no_panic(&catalog, Mode::Strict, "SELECT VALUE r.a FROM data AS r").unwrap_err();
    assert!(err.to_string().contains("does-not-exist.jsonl"), "{err:?}");
}
