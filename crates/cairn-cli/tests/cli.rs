//! End-to-end tests of the `cairn` command (issue 6): link a small fixture crate,
//! answer `find`, `show`, `trace`, `context` and PartiQL queries in every output
//! format, follow an edit with `sync`, and turn bad input into clear errors.
//!
//! Every test builds its own fixture in a temporary directory, so they run in
//! parallel and in any order.

use assert_cmd::Command;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Formats every result-printing command supports.
const FORMATS: [&str; 4] = ["table", "json", "jsonl", "csv"];

/// Matches any non-empty cell (block ids are content hashes).
const ANY: &str = "<any>";

const MAIN_RS: &str = "\
mod geometry;
mod legacy;
mod util;

use geometry::Point;

fn main() {
    let p = Point::new(1, 2);
    let d = p.distance();
    report(d);
}

fn report(d: i64) {
    util::helper(d);
    println!(\"{}\", util::format_value(d));
}
";

const UTIL_RS: &str = "\
/// Doubles a value.
pub fn helper(x: i64) -> i64 {
    x * 2
}

/// Formats a doubled value.
pub fn format_value(x: i64) -> String {
    let y = helper(x);
    format!(\"{y}\")
}
";

const GEOMETRY_RS: &str = "\
pub struct Point {
    pub x: i64,
    pub y: i64,
}

impl Point {
    pub fn new(x: i64, y: i64) -> Point {
        Point { x, y }
    }

    pub fn distance(&self) -> i64 {
        helper(self.x) + helper(self.y)
    }
}

fn helper(v: i64) -> i64 {
    v.abs()
}
";

const LEGACY_RS: &str = "\
pub fn old_caller() -> i64 {
    crate::util::helper(0)
}
";

/// `main.rs` after the edit: `report` no longer calls `util::helper`, `main` calls
/// the new `audit::audit`, and `legacy` is gone.
const MAIN_RS_EDITED: &str = "\
mod audit;
mod geometry;
mod util;

use geometry::Point;

fn main() {
    let p = Point::new(1, 2);
    let d = p.distance();
    report(d);
    audit::audit(d);
}

fn report(d: i64) {
    println!(\"{}\", util::format_value(d));
}
";

const AUDIT_RS: &str = "\
pub fn audit(x: i64) -> i64 {
    crate::util::helper(x) + 1
}
";

/// A temporary directory holding the fixture crate (`proj/`) and, once linked, its
/// database (`db/`).
struct Fixture {
    tmp: tempfile::TempDir,
}

impl Fixture {
    /// The fixture crate, not linked yet.
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let fx = Fixture { tmp };
        fx.write(
            "Cargo.toml",
            "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        fx.write("README.md", "# fixture\n");
        fx.write("src/main.rs", MAIN_RS);
        fx.write("src/util.rs", UTIL_RS);
        fx.write("src/geometry.rs", GEOMETRY_RS);
        fx.write("src/legacy.rs", LEGACY_RS);
        fx
    }

    /// The fixture crate, linked and synced.
    fn linked() -> Fixture {
        let fx = Fixture::new();
        fx.ok(&["link", fx.proj().to_str().unwrap()]);
        fx
    }

    fn proj(&self) -> PathBuf {
        self.tmp.path().join("proj")
    }

    fn db(&self) -> PathBuf {
        self.tmp.path().join("db")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.proj().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `cairn --db <tmp>/db ARGS`, run in the temporary directory.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("cairn").expect("the cairn binary");
        cmd.current_dir(self.tmp.path())
            .env_remove("CAIRN_HOME")
            .arg("--db")
            .arg(self.db())
            .args(args);
        cmd
    }

    /// Runs `cairn ARGS`, which must succeed without a panic; returns stdout and stderr.
    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.cmd(args).output().expect("run cairn");
        let (stdout, stderr) = texts(&out);
        assert!(
            out.status.success(),
            "cairn {args:?} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        );
        assert_no_panic(&stderr);
        (stdout, stderr)
    }

    /// Runs `cairn ARGS`, which must fail with exit code 1 and a message; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        fails(self.cmd(args), args)
    }

    /// Runs `cairn --format FORMAT ARGS` in every format and checks that each prints
    /// exactly `expected` under `columns`.
    fn check_rows(&self, args: &[&str], columns: &[&str], expected: &[Vec<&str>]) {
        for format in FORMATS {
            let mut full = vec!["--format", format];
            full.extend_from_slice(args);
            let (stdout, _) = self.ok(&full);
            let (cols, rows) = parse_rows(format, &stdout);
            assert_eq!(cols, columns, "columns of cairn {full:?}:\n{stdout}");
            assert_rows(&rows, expected, &format!("cairn {full:?}:\n{stdout}"));
        }
    }

    /// `cairn query TEXT` as JSON lines, parsed.
    fn query_json(&self, text: &str) -> Vec<Json> {
        let (stdout, _) = self.ok(&["--format", "jsonl", "query", text]);
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

fn texts(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "cairn panicked:\n{stderr}"
    );
}

fn fails(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.output().expect("run cairn");
    let (stdout, stderr) = texts(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "cairn {args:?} should fail with exit code 1:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_no_panic(&stderr);
    assert!(!stderr.trim().is_empty(), "cairn {args:?} failed silently");
    stderr
}

fn assert_contains(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "expected `{n}` in:\n{text}");
    }
}

fn assert_rows(rows: &[Vec<String>], expected: &[Vec<&str>], what: &str) {
    assert_eq!(rows.len(), expected.len(), "row count of {what}");
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!(row.len(), want.len(), "row width of {what}");
        for (cell, w) in row.iter().zip(want) {
            if *w == ANY {
                assert!(!cell.is_empty(), "an empty cell in {what}");
            } else {
                assert_eq!(cell, w, "a cell of {what}");
            }
        }
    }
}

/// Columns and rows, as text, of a command's output in `format`.
fn parse_rows(format: &str, stdout: &str) -> (Vec<String>, Vec<Vec<String>>) {
    match format {
        "table" => parse_table(stdout),
        "json" => {
            let all: Json = serde_json::from_str(stdout).expect("one JSON document");
            let objects = all.as_array().expect("a JSON array").clone();
            json_rows(&objects)
        }
        "jsonl" => {
            let objects: Vec<Json> = stdout
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            json_rows(&objects)
        }
        "csv" => {
            let mut records = parse_csv(stdout).into_iter();
            let header = records.next().expect("a CSV header");
            (header, records.collect())
        }
        other => panic!("no format {other}"),
    }
}

/// JSON objects as rows; columns are the keys in order (the first object's), and every
/// object must have the same keys.
fn json_rows(objects: &[Json]) -> (Vec<String>, Vec<Vec<String>>) {
    let Some(first) = objects.first() else {
        return (Vec::new(), Vec::new());
    };
    let columns: Vec<String> = first
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    let rows = objects
        .iter()
        .map(|o| {
            let o = o.as_object().expect("an object");
            let keys: Vec<&String> = o.keys().collect();
            assert_eq!(keys, columns.iter().collect::<Vec<_>>(), "keys of {o:?}");
            o.values().map(json_text).collect()
        })
        .collect();
    (columns, rows)
}

/// A JSON value as the text a table cell shows.
fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => "NULL".into(),
        other => other.to_string(),
    }
}

/// Parses comfy-table's `UTF8_FULL_CONDENSED` layout (cells of one line each) and
/// checks the `(N rows)` line under it.
fn parse_table(stdout: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines: Vec<Vec<String>> = stdout
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_start_matches('│')
                .trim_end_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert!(!lines.is_empty(), "no table in:\n{stdout}");
    let header = lines.remove(0);
    let n = lines.len();
    let count = format!("({n} row{})", if n == 1 { "" } else { "s" });
    assert_eq!(
        stdout.lines().last(),
        Some(count.as_str()),
        "row count line of:\n{stdout}"
    );
    (header, lines)
}

/// RFC 4180 records: fields split by commas, quoted fields may hold commas, quotes
/// (doubled) and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "CSV ends mid-record"
    );
    records
}

/// The part of `query` that miette's report in `stderr` underlines.
fn underlined(stderr: &str, query: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines.iter().position(|l| l.ends_with(query))?;
    let start_col = lines[at].chars().count() - query.chars().count();
    let marks: Vec<char> = lines.get(at + 1)?.chars().collect();
    let picked: String = query
        .chars()
        .enumerate()
        .filter(|(i, _)| matches!(marks.get(start_col + i), Some('─' | '┬' | '┼' | '▲')))
        .map(|(_, c)| c)
        .collect();
    Some(picked)
}

fn jsonl(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

const SHOW_COLUMNS: [&str; 7] = [
    "distance",
    "kind",
    "qualified_name",
    "path",
    "line",
    "site_line",
    "via",
];

const FIND_COLUMNS: [&str; 6] = ["kind", "qualified_name", "path", "line", "signature", "id"];

#[test]
fn link_indexes_the_fixture_and_reports_what_it_did() {
    let fx = Fixture::new();
    let proj = fx.proj();
    let (stdout, stderr) = fx.ok(&["link", proj.to_str().unwrap()]);
    assert_eq!(stdout, "", "link prints its report on stderr");
    assert_contains(
        &stderr,
        &[
            "linked workspace `proj`",
            "synced `proj`: 4 files (4 parsed, 0 unchanged, 0 removed)",
            "2 files in unsupported languages",
        ],
    );
    // A Rust crate linked without the standard library is told how to add it.
    assert_contains(
        &stderr,
        &["hint: calls into Rust's standard library", "cairn std"],
    );
    // Unsupported files are only counted unless --verbose.
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("Cargo.toml") && !l.starts_with("hint")),
        "{stderr}"
    );
    assert!(fx.db().join("MANIFEST").is_file());

    let (stdout, _) = fx.ok(&["--format", "jsonl", "status"]);
    let ws = jsonl(&stdout);
    assert_eq!(ws.len(), 1, "{stdout}");
    assert_eq!(ws[0]["workspace"], "proj");
    assert_eq!(ws[0]["files"], 4);
    assert_eq!(
        ws[0]["root"],
        proj.canonicalize().unwrap().to_str().unwrap()
    );

    // Linking again is a no-op and finds nothing changed.
    let (_, stderr) = fx.ok(&["link", proj.to_str().unwrap()]);
    assert_contains(&stderr, &["4 files (0 parsed, 4 unchanged, 0 removed)"]);
}

#[test]
fn sync_lists_unsupported_files_only_when_verbose() {
    let fx = Fixture::new();
    std::fs::write(fx.proj().join("src/blob.rs"), b"fn x() {}\0\0\x01binary").unwrap();
    fx.ok(&["link", "--no-sync", fx.proj().to_str().unwrap()]);
    let (_, stderr) = fx.ok(&["sync"]);
    assert_contains(
        &stderr,
        &[
            "2 files in unsupported languages, skipped (--verbose lists them)",
            "1 binary files, skipped:\n    src/blob.rs",
        ],
    );
    assert!(!stderr.contains("README.md"), "{stderr}");
    fx.write("README.md", "# fixture, changed\n");
    let (_, stderr) = fx.ok(&["sync", "--verbose", "proj"]);
    assert_contains(
        &stderr,
        &[
            "2 files in unsupported languages, skipped:\n    Cargo.toml\n    README.md",
            "src/blob.rs",
        ],
    );
}

#[test]
fn find_by_name_and_kind() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["find", "helper"],
        &FIND_COLUMNS,
        &[
            vec![
                "function",
                "crate::geometry::helper",
                "src/geometry.rs",
                "16",
                "fn helper(v: i64) -> i64",
                ANY,
            ],
            vec![
                "function",
                "crate::util::helper",
                "src/util.rs",
                "2",
                "pub fn helper(x: i64) -> i64",
                ANY,
            ],
        ],
    );
    // A qualified name finds one block.
    fx.check_rows(
        &["find", "crate::util::helper"],
        &FIND_COLUMNS,
        &[vec![
            "function",
            "crate::util::helper",
            "src/util.rs",
            "2",
            "pub fn helper(x: i64) -> i64",
            ANY,
        ]],
    );
    // The struct and its impl block share a name; --kind picks one.
    fx.check_rows(
        &["find", "Point", "--kind", "struct"],
        &FIND_COLUMNS,
        &[vec![
            "struct",
            "crate::geometry::Point",
            "src/geometry.rs",
            "1",
            "pub struct Point",
            ANY,
        ]],
    );
    let (stdout, _) = fx.ok(&["--format", "jsonl", "find", "Point"]);
    let kinds: Vec<Json> = jsonl(&stdout).iter().map(|r| r["kind"].clone()).collect();
    assert_eq!(kinds, ["struct", "impl"]);
    fx.check_rows(
        &[
            "find",
            "distance",
            "--kind",
            "method",
            "--workspace",
            "proj",
        ],
        &FIND_COLUMNS,
        &[vec![
            "method",
            "crate::geometry::Point::distance",
            "src/geometry.rs",
            "11",
            "pub fn distance(&self) -> i64",
            ANY,
        ]],
    );
    // No match is an empty result, not an error.
    let (stdout, _) = fx.ok(&["--format", "table", "find", "helper", "--kind", "struct"]);
    assert_eq!(parse_table(&stdout).1.len(), 0);
    let (stdout, _) = fx.ok(&["--format", "jsonl", "find", "nothing_is_called_this"]);
    assert_eq!(stdout, "");
}

#[test]
fn show_callers_to_depth_two_in_every_format() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["show", "callers", "crate::util::helper", "--depth", "2"],
        &SHOW_COLUMNS,
        &[
            vec![
                "1",
                "function",
                "crate::legacy::old_caller",
                "src/legacy.rs",
                "1",
                "2",
                "crate::util::helper -> crate::legacy::old_caller",
            ],
            vec![
                "1",
                "function",
                "crate::report",
                "src/main.rs",
                "13",
                "14",
                "crate::util::helper -> crate::report",
            ],
            vec![
                "1",
                "function",
                "crate::util::format_value",
                "src/util.rs",
                "7",
                "8",
                "crate::util::helper -> crate::util::format_value",
            ],
            vec![
                "2",
                "function",
                "crate::main",
                "src/main.rs",
                "7",
                "10",
                "crate::util::helper -> crate::report -> crate::main",
            ],
        ],
    );
    // Depth 1 stops at the direct callers; JSON carries numbers as numbers.
    let (stdout, _) = fx.ok(&["--format", "json", "show", "callers", "crate::util::helper"]);
    let rows: Json = serde_json::from_str(&stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{stdout}");
    assert!(rows.iter().all(|r| r["distance"] == 1));
    assert_eq!(rows[1]["line"], 13);
    assert_eq!(rows[1]["site_line"], 14);

    // A block id names the same block.
    let (stdout, _) = fx.ok(&["--format", "jsonl", "find", "crate::util::helper"]);
    let id = jsonl(&stdout)[0]["id"].as_str().unwrap().to_string();
    let (by_id, _) = fx.ok(&["--format", "jsonl", "show", "callers", &id]);
    let (by_name, _) = fx.ok(&[
        "--format",
        "jsonl",
        "show",
        "callers",
        "crate::util::helper",
    ]);
    assert_eq!(by_id, by_name);
}

#[test]
fn show_callees_of_a_function_and_a_method() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["show", "callees", "main"],
        &SHOW_COLUMNS,
        &[
            vec![
                "1",
                "method",
                "crate::geometry::Point::distance",
                "src/geometry.rs",
                "11",
                "9",
                "crate::main -> crate::geometry::Point::distance",
            ],
            vec![
                "1",
                "method",
                "crate::geometry::Point::new",
                "src/geometry.rs",
                "7",
                "8",
                "crate::main -> crate::geometry::Point::new",
            ],
            vec![
                "1",
                "function",
                "crate::report",
                "src/main.rs",
                "13",
                "10",
                "crate::main -> crate::report",
            ],
        ],
    );
    // The method's `helper` is the one in its own module, not util's.
    fx.check_rows(
        &["show", "callees", "crate::geometry::Point::distance"],
        &SHOW_COLUMNS,
        &[vec![
            "1",
            "function",
            "crate::geometry::helper",
            "src/geometry.rs",
            "16",
            "12",
            "crate::geometry::Point::distance -> crate::geometry::helper",
        ]],
    );
}

#[test]
fn trace_finds_a_call_path_through_a_method() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["trace", "main", "crate::geometry::helper"],
        &["step", "kind", "qualified_name", "path", "line"],
        &[
            vec!["0", "function", "crate::main", "src/main.rs", "7"],
            vec![
                "1",
                "method",
                "crate::geometry::Point::distance",
                "src/geometry.rs",
                "11",
            ],
            vec![
                "2",
                "function",
                "crate::geometry::helper",
                "src/geometry.rs",
                "16",
            ],
        ],
    );
    fx.check_rows(
        &["trace", "main", "crate::util::helper"],
        &["step", "kind", "qualified_name", "path", "line"],
        &[
            vec!["0", "function", "crate::main", "src/main.rs", "7"],
            vec!["1", "function", "crate::report", "src/main.rs", "13"],
            vec!["2", "function", "crate::util::helper", "src/util.rs", "2"],
        ],
    );
    // No path the other way round.
    let stderr = fx.fails(&["trace", "crate::util::helper", "main"]);
    assert_contains(
        &stderr,
        &["no call path from `crate::util::helper` to `main`"],
    );
}

#[test]
fn context_bundles_source_signature_callers_and_callees() {
    let fx = Fixture::linked();
    let source =
        "pub fn format_value(x: i64) -> String {\n    let y = helper(x);\n    format!(\"{y}\")\n}";
    let (text, _) = fx.ok(&["--format", "table", "context", "format_value"]);
    assert_eq!(
        text,
        format!(
            "// function crate::util::format_value — src/util.rs:7-10\n\
             // Formats a doubled value.\n\
             {source}\n\
             \n// callers (1)\n\
             src/main.rs:13  fn report(d: i64)\n\
             \n// callees (1)\n\
             src/util.rs:2  pub fn helper(x: i64) -> i64\n"
        )
    );

    let expected = serde_json::json!({
        "qualified_name": "crate::util::format_value",
        "kind": "function",
        "path": "src/util.rs",
        "start_line": 7,
        "end_line": 10,
        "signature": "pub fn format_value(x: i64) -> String",
        "doc": "Formats a doubled value.",
        "source": source,
        "callers": [{
            "qualified_name": "crate::report",
            "signature": "fn report(d: i64)",
            "path": "src/main.rs",
            "line": 13,
            "site_line": 15,
        }],
        "callees": [{
            "qualified_name": "crate::util::helper",
            "signature": "pub fn helper(x: i64) -> i64",
            "path": "src/util.rs",
            "line": 2,
            "site_line": 8,
        }],
    });
    let (json, _) = fx.ok(&["--format", "json", "context", "format_value"]);
    let json: Json = serde_json::from_str(&json).unwrap();
    assert_eq!(json, Json::Array(vec![expected.clone()]));
    let (lines, _) = fx.ok(&["--format", "jsonl", "context", "crate::util::format_value"]);
    assert_eq!(jsonl(&lines), std::slice::from_ref(&expected));

    // CSV: one record; the lists are JSON text in their cells.
    let (csv, _) = fx.ok(&["--format", "csv", "context", "format_value"]);
    let records = parse_csv(&csv);
    assert_eq!(records.len(), 2, "{csv}");
    let header: Vec<&str> = records[0].iter().map(String::as_str).collect();
    let object = expected.as_object().unwrap();
    assert_eq!(
        header,
        object.keys().map(String::as_str).collect::<Vec<_>>()
    );
    for (column, cell) in header.iter().zip(&records[1]) {
        let want = &object[*column];
        match want {
            Json::Array(_) => assert_eq!(&serde_json::from_str::<Json>(cell).unwrap(), want),
            other => assert_eq!(cell, &json_text(other), "column {column}"),
        }
    }
}

/// Who calls `crate::util::helper`: a PartiQL join of `blocks` and `edges`.
const CALLERS_JOIN: &str = "SELECT s.qualified_name AS caller, e.line AS line, e.path AS path \
     FROM blocks AS s, edges AS e, blocks AS t \
     WHERE e.source = s.id AND e.target = t.id AND e.kind = 'calls' \
     AND t.qualified_name = 'crate::util::helper' \
     ORDER BY s.qualified_name";

#[test]
fn partiql_join_of_blocks_and_edges_in_every_format() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["query", CALLERS_JOIN],
        &["caller", "line", "path"],
        &[
            vec!["crate::legacy::old_caller", "2", "src/legacy.rs"],
            vec!["crate::report", "14", "src/main.rs"],
            vec!["crate::util::format_value", "8", "src/util.rs"],
        ],
    );
    // A two-way join, edge by edge: `target_name` is the callee as written.
    let rows = fx.query_json(
        "SELECT b.name AS caller, e.target_name AS callee FROM blocks AS b, edges AS e \
         WHERE e.source = b.id AND e.kind = 'calls' AND e.resolved = true AND b.name = 'main' \
         ORDER BY e.target_name",
    );
    assert_eq!(
        rows,
        [
            serde_json::json!({"caller": "main", "callee": "Point::new"}),
            serde_json::json!({"caller": "main", "callee": "p.distance"}),
            serde_json::json!({"caller": "main", "callee": "report"}),
        ]
    );
    // `path` is a reserved word in PartiQL, yet the function is written as named.
    let rows = fx.query_json(
        "SELECT p.step, p.qualified_name, p.path FROM path('main', 'crate::geometry::helper') AS p",
    );
    assert_eq!(
        rows,
        [
            serde_json::json!({"step": 0, "qualified_name": "crate::main", "path": "src/main.rs"}),
            serde_json::json!({"step": 1, "qualified_name": "crate::geometry::Point::distance", "path": "src/geometry.rs"}),
            serde_json::json!({"step": 2, "qualified_name": "crate::geometry::helper", "path": "src/geometry.rs"}),
        ]
    );
    // Graph functions in FROM agree with the subcommands.
    let rows = fx.query_json(
        "SELECT c.qualified_name, c.distance FROM callers('crate::util::helper', 2) AS c \
         ORDER BY c.distance, c.qualified_name",
    );
    assert_eq!(
        rows,
        [
            serde_json::json!({"qualified_name": "crate::legacy::old_caller", "distance": 1}),
            serde_json::json!({"qualified_name": "crate::report", "distance": 1}),
            serde_json::json!({"qualified_name": "crate::util::format_value", "distance": 1}),
            serde_json::json!({"qualified_name": "crate::main", "distance": 2}),
        ]
    );
}

#[test]
fn sync_after_an_edit_changes_the_answers() {
    let fx = Fixture::linked();
    // Remove one caller of util::helper (the call in `report`, and the whole legacy
    // file) and add another in a new file.
    fx.write("src/main.rs", MAIN_RS_EDITED);
    fx.write("src/audit.rs", AUDIT_RS);
    std::fs::remove_file(fx.proj().join("src/legacy.rs")).unwrap();
    let (_, stderr) = fx.ok(&["sync"]);
    assert_contains(
        &stderr,
        &["synced `proj`: 4 files (2 parsed, 2 unchanged, 1 removed)"],
    );

    fx.check_rows(
        &["show", "callers", "crate::util::helper", "--depth", "2"],
        &SHOW_COLUMNS,
        &[
            vec![
                "1",
                "function",
                "crate::audit::audit",
                "src/audit.rs",
                "1",
                "2",
                "crate::util::helper -> crate::audit::audit",
            ],
            vec![
                "1",
                "function",
                "crate::util::format_value",
                "src/util.rs",
                "7",
                "8",
                "crate::util::helper -> crate::util::format_value",
            ],
            vec![
                "2",
                "function",
                "crate::main",
                "src/main.rs",
                "7",
                "11",
                "crate::util::helper -> crate::audit::audit -> crate::main",
            ],
            vec![
                "2",
                "function",
                "crate::report",
                "src/main.rs",
                "14",
                "15",
                "crate::util::helper -> crate::util::format_value -> crate::report",
            ],
        ],
    );
    fx.check_rows(
        &["query", CALLERS_JOIN],
        &["caller", "line", "path"],
        &[
            vec!["crate::audit::audit", "2", "src/audit.rs"],
            vec!["crate::util::format_value", "8", "src/util.rs"],
        ],
    );
    fx.check_rows(
        &["trace", "main", "crate::util::helper"],
        &["step", "kind", "qualified_name", "path", "line"],
        &[
            vec!["0", "function", "crate::main", "src/main.rs", "7"],
            vec!["1", "function", "crate::audit::audit", "src/audit.rs", "1"],
            vec!["2", "function", "crate::util::helper", "src/util.rs", "2"],
        ],
    );
    // The removed file's blocks are gone.
    let (stdout, _) = fx.ok(&["--format", "jsonl", "find", "old_caller"]);
    assert_eq!(stdout, "");
    let rows = fx.query_json("SELECT f.path FROM files AS f ORDER BY f.path");
    assert_eq!(
        rows,
        [
            "src/audit.rs",
            "src/geometry.rs",
            "src/main.rs",
            "src/util.rs"
        ]
        .map(|p| serde_json::json!({ "path": p }))
    );
    // A second sync finds nothing to do.
    let (_, stderr) = fx.ok(&["sync", "proj"]);
    assert_contains(&stderr, &["4 files (0 parsed, 4 unchanged, 0 removed)"]);
}

#[test]
fn explain_shows_the_index_lookup_for_a_name() {
    let fx = Fixture::linked();
    let (plan, _) = fx.ok(&[
        "query",
        "EXPLAIN SELECT b.name FROM blocks AS b WHERE b.name = 'x'",
    ]);
    assert_contains(
        &plan,
        &["graph table `blocks`", "index lookup name = \"x\""],
    );
    // An expression over the column cannot use the index.
    let (plan, _) = fx.ok(&[
        "query",
        "EXPLAIN SELECT b.name FROM blocks AS b WHERE b.name || '' = 'x'",
    ]);
    assert_contains(&plan, &["graph table `blocks`"]);
    assert!(!plan.contains("index lookup"), "{plan}");
    // Nor can a disjunction.
    let (plan, _) = fx.ok(&[
        "query",
        "EXPLAIN SELECT b.name FROM blocks AS b WHERE b.name = 'x' OR b.kind = 'struct'",
    ]);
    assert!(!plan.contains("index lookup"), "{plan}");
    // A conjunct is enough, and qualified names and edge targets are indexed too.
    let (plan, _) = fx.ok(&[
        "query",
        "EXPLAIN SELECT b.name FROM blocks AS b \
         WHERE b.kind = 'function' AND b.qualified_name = 'crate::main'",
    ]);
    assert_contains(&plan, &["index lookup qualified_name = \"crate::main\""]);
    let (plan, _) = fx.ok(&[
        "query",
        "EXPLAIN SELECT e.line FROM edges AS e WHERE e.target = '00'",
    ]);
    assert_contains(
        &plan,
        &["graph table `edges`", "index lookup target = \"00\""],
    );
}

#[test]
fn point_lookup_by_name_returns_what_a_full_scan_returns() {
    let fx = Fixture::linked();
    for name in ["helper", "format_value", "Point", "x"] {
        let select = "SELECT b.qualified_name, b.kind, b.path, b.start_line FROM blocks AS b";
        let order = "ORDER BY b.path, b.start_line";
        let lookup = fx.query_json(&format!("{select} WHERE b.name = '{name}' {order}"));
        let scan = fx.query_json(&format!("{select} WHERE b.name || '' = '{name}' {order}"));
        assert_eq!(lookup, scan, "blocks named {name}");
        let expected = match name {
            "helper" => 2,
            "format_value" => 1,
            "Point" => 2, // the struct and its impl block
            _ => 0,
        };
        assert_eq!(lookup.len(), expected, "blocks named {name}: {lookup:?}");
    }
    let rows = fx.query_json(
        "SELECT b.kind, b.id FROM blocks AS b WHERE b.qualified_name = 'crate::util::helper'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["kind"], "function");
    // Edges by target, through the index and by a full scan.
    let id = rows[0]["id"].as_str().unwrap();
    let select = "SELECT e.source, e.line, e.kind FROM edges AS e";
    let order = "ORDER BY e.line, e.source";
    let lookup = fx.query_json(&format!("{select} WHERE e.target = '{id}' {order}"));
    let scan = fx.query_json(&format!("{select} WHERE e.target || '' = '{id}' {order}"));
    assert_eq!(lookup, scan);
    let kinds: Vec<&str> = lookup.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    // The module that contains it, then its three callers.
    assert_eq!(kinds, ["contains", "calls", "calls", "calls"], "{lookup:?}");
    // A value that is no block id finds nothing either way.
    assert_eq!(
        fx.query_json(&format!("{select} WHERE e.target = 'not-an-id'")),
        Vec::<Json>::new()
    );
}

#[test]
fn a_malformed_query_points_at_the_span_at_fault() {
    let fx = Fixture::linked();
    let query = "SELECT b.name FROM blocks AS b WHERE b.name = = 'x'";
    let stderr = fx.fails(&["query", query]);
    assert_contains(
        &stderr,
        &["syntax error at line 1, column 47", "unexpected token"],
    );
    assert_eq!(underlined(&stderr, query).as_deref(), Some("="), "{stderr}");

    // Positions are those of the text as written, though `?` and `path` are
    // rewritten before parsing.
    let query = "SELECT b.path FROM blocks AS b WHERE b.name = ? AND = 1";
    let stderr = fx.fails(&["query", query]);
    assert_contains(&stderr, &["syntax error at line 1, column 53"]);
    assert_eq!(underlined(&stderr, query).as_deref(), Some("="), "{stderr}");

    // Input that ends too early: the report points just past the end.
    let query = "SELECT b.name FROM blocks AS b WHERE";
    let stderr = fx.fails(&["query", query]);
    assert_contains(&stderr, &["unexpected end of input", "here"]);
}

#[test]
fn an_unknown_table_is_named_with_the_tables_there_are() {
    let fx = Fixture::linked();
    let query = "SELECT b.name FROM blcks AS b";
    let stderr = fx.fails(&["query", query]);
    assert_contains(&stderr, &["`blcks`", "blocks, edges, files, workspaces"]);
    assert_eq!(
        underlined(&stderr, query).as_deref(),
        Some("blcks"),
        "{stderr}"
    );
}

#[test]
fn missing_and_ambiguous_targets_are_clear_errors() {
    let fx = Fixture::linked();
    let stderr = fx.fails(&["show", "callers", "no_such_function"]);
    assert_contains(
        &stderr,
        &["no block matches `no_such_function`", "cairn find"],
    );
    let stderr = fx.fails(&["show", "callers", "helper"]);
    assert_contains(
        &stderr,
        &[
            "`helper` is ambiguous",
            "crate::geometry::helper",
            "crate::util::helper",
        ],
    );
    let stderr = fx.fails(&["context", "no_such_function"]);
    assert_contains(&stderr, &["no block matches `no_such_function`"]);
    let stderr = fx.fails(&["find", "helper", "--kind", "gadget"]);
    assert_contains(&stderr, &["unknown kind `gadget`", "function, method"]);
    let stderr = fx.fails(&["sync", "nope"]);
    assert_contains(&stderr, &["no workspace named `nope`"]);
    for depth in ["0", "65", "two"] {
        let out = fx
            .cmd(&["show", "callers", "main", "--depth", depth])
            .output()
            .unwrap();
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(2), "usage error for depth {depth}");
        assert_contains(&stderr, &["a depth is a whole number from 1 to 64"]);
    }
}

#[test]
fn linking_a_missing_path_fails_without_creating_a_database() {
    let fx = Fixture::new();
    let missing = fx.tmp.path().join("does-not-exist");
    let stderr = fx.fails(&["link", missing.to_str().unwrap()]);
    assert_contains(&stderr, &["does-not-exist", "No such file or directory"]);
    assert!(!fx.db().exists(), "a failed link left a database behind");

    let file = fx.proj().join("src/main.rs");
    let stderr = fx.fails(&["link", file.to_str().unwrap()]);
    assert_contains(&stderr, &["main.rs", "not a directory"]);
}

#[test]
fn a_query_without_a_database_says_how_to_create_one() {
    let fx = Fixture::new();
    let stderr = fx.fails(&["query", "SELECT b.name FROM blocks AS b"]);
    assert_contains(&stderr, &["no Cairn database at", "cairn link PATH"]);
    assert!(!fx.db().exists());

    // An existing but empty directory is not a database either, and stays empty.
    std::fs::create_dir(fx.db()).unwrap();
    let stderr = fx.fails(&["show", "callers", "main"]);
    assert_contains(&stderr, &["no Cairn database at", "cairn link PATH"]);
    assert_eq!(std::fs::read_dir(fx.db()).unwrap().count(), 0);

    // Without --db: .cairn under the current directory.
    let mut cmd = Command::cargo_bin("cairn").unwrap();
    cmd.current_dir(fx.proj())
        .env_remove("CAIRN_HOME")
        .args(["find", "main"]);
    let stderr = fails(cmd, &["find", "main"]);
    assert_contains(&stderr, &["no Cairn database at .cairn", "cairn link PATH"]);
}

/// Flips every 64th byte of a file.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    for b in bytes.iter_mut().step_by(64) {
        *b ^= 0xA5;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_corrupt_manifest_is_a_clear_error() {
    let fx = Fixture::linked();
    std::fs::write(fx.db().join("MANIFEST"), b"not a manifest").unwrap();
    let rebuild = format!(
        "hint: the database at {} is damaged; remove that directory and run `cairn link PATH` again",
        fx.db().display()
    );
    let stderr = fx.fails(&["query", "SELECT b.name FROM blocks AS b"]);
    assert_contains(&stderr, &["corrupt", "MANIFEST", &rebuild]);
    let stderr = fx.fails(&["status"]);
    assert_contains(&stderr, &["corrupt", "MANIFEST", &rebuild]);
}

#[test]
fn a_corrupt_table_file_is_a_clear_error() {
    let fx = Fixture::linked();
    // The engine flushes the WAL a sync wrote into an SSTable when it next opens.
    fx.ok(&["status"]);
    let tables: Vec<PathBuf> = std::fs::read_dir(fx.db())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sst"))
        .collect();
    assert!(!tables.is_empty(), "sync left no SSTable to damage");
    for t in &tables {
        damage(t);
    }
    for args in [
        &["query", "SELECT b.name FROM blocks AS b"][..],
        &["find", "helper"],
        &["show", "callers", "crate::util::helper"],
    ] {
        let stderr = fx.fails(args);
        assert_contains(
            &stderr,
            &["corrupt", ".sst", "is damaged; remove that directory"],
        );
    }
}

#[test]
fn a_database_in_use_is_a_clear_error() {
    let fx = Fixture::linked();
    // Hold the lock the engine takes, as another cairn process would.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(fx.db().join("LOCK"))
        .unwrap();
    lock.try_lock().expect("take the database lock");
    let stderr = fx.fails(&["find", "helper"]);
    assert_contains(&stderr, &["in use by another process"]);
    lock.unlock().unwrap();
    fx.ok(&["find", "helper"]);
}

#[test]
fn other_bad_queries_fail_cleanly() {
    let fx = Fixture::linked();
    for (query, needle) in [
        (
            "SELECT b.name FROM blocks AS b WHERE b.name = ?",
            "parameter",
        ),
        (
            "SELECT c.name FROM callers('no_such_function', 1) AS c",
            "no block matches",
        ),
        (
            "SELECT c.name FROM callers('crate::main', 99) AS c",
            "depth",
        ),
        (
            "SELECT x.name FROM nothing(1) AS x",
            "unknown function `nothing`",
        ),
        ("", "end of input"),
    ] {
        let stderr = fx.fails(&["query", query]);
        assert_contains(&stderr, &[needle]);
        assert!(!stderr.contains("damaged"), "{stderr}");
    }
}

#[test]
fn output_is_json_lines_when_piped() {
    let fx = Fixture::linked();
    let out = fx.cmd(&["find", "crate::main"]).output().unwrap();
    let (stdout, _) = texts(&out);
    let rows = jsonl(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_eq!(rows[0]["qualified_name"], "crate::main");
}

#[test]
fn the_repl_runs_statements_and_commands_and_survives_errors() {
    let fx = Fixture::linked();
    let input = ".tables\n\
                 .schema workspaces\n\
                 SELECT b.qualified_name FROM blocks AS b\n  WHERE b.name = 'report';\n\
                 SELECT FROM;\n\
                 .format csv\n\
                 SELECT b.path FROM blocks AS b WHERE b.name = 'report';\n\
                 .bogus\n";
    let out = fx.cmd(&["repl"]).write_stdin(input).output().unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_no_panic(&stderr);
    assert_eq!(
        stdout,
        "Cairn PartiQL shell; `.help` for help.\n\
         blocks\nedges\nfiles\nworkspaces\n\
         workspaces(name, root, last_sync)\n\
         {\"qualified_name\":\"crate::report\"}\n\
         path\nsrc/main.rs\n"
    );
    assert_contains(
        &stderr,
        &[
            "syntax error at line 1, column 8",
            "unknown command `.bogus`",
        ],
    );
}

#[test]
fn unlink_removes_a_workspace_and_its_data() {
    let fx = Fixture::linked();
    let (_, stderr) = fx.ok(&["unlink", "proj"]);
    assert_contains(&stderr, &["unlinked workspace `proj`"]);
    for table in ["blocks", "edges", "files", "workspaces"] {
        let rows = fx.query_json(&format!("SELECT * FROM {table} AS t"));
        assert_eq!(rows, Vec::<Json>::new(), "{table} after unlink");
    }
    let stderr = fx.fails(&["show", "callers", "crate::util::helper"]);
    assert_contains(&stderr, &["no block matches"]);
    let stderr = fx.fails(&["unlink", "proj"]);
    assert_contains(&stderr, &["no workspace named `proj`"]);
    // And it can be linked again.
    fx.ok(&["link", fx.proj().to_str().unwrap()]);
    assert_eq!(fx.query_json("SELECT w.name FROM workspaces AS w").len(), 1);
}

#[test]
fn show_imports_and_importers() {
    let fx = Fixture::linked();
    fx.check_rows(
        &["show", "imports", "crate"],
        &SHOW_COLUMNS,
        &[vec![
            "1",
            "struct",
            "crate::geometry::Point",
            "src/geometry.rs",
            "1",
            "5",
            "crate -> crate::geometry::Point",
        ]],
    );
    // `Point` names the struct, not its impl block.
    fx.check_rows(
        &["show", "importers", "Point"],
        &SHOW_COLUMNS,
        &[vec![
            "1",
            "module",
            "crate",
            "src/main.rs",
            "1",
            "5",
            "crate::geometry::Point -> crate",
        ]],
    );
}

#[test]
fn a_damaged_log_is_reported_and_sync_restores_the_answers() {
    let count =
        |fx: &Fixture| fx.query_json("SELECT COUNT(*) AS n FROM blocks AS b")[0]["n"].clone();
    let before = count(&Fixture::linked());
    let fx = Fixture::linked();
    let wal = std::fs::read_dir(fx.db())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "wal") && std::fs::metadata(p).unwrap().len() > 64
        })
        .expect("the graph is still in the log");
    let mut bytes = std::fs::read(&wal).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&wal, &bytes).unwrap();
    let (_, stderr) = fx.ok(&["status"]);
    assert_contains(&stderr, &["warning: recovery dropped", "cairn sync --all"]);
    fx.ok(&["sync", "--all"]);
    let (_, stderr) = fx.ok(&["status"]);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(count(&fx), before);
}

/// On Cairn's own repository: a function with known callers lists them, and the
/// issue's example query prints five rows.
#[test]
fn the_projects_own_repository_answers() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let cairn = |args: &[&str]| {
        let out = Command::cargo_bin("cairn")
            .unwrap()
            .current_dir(tmp.path())
            .env_remove("CAIRN_HOME")
            .arg("--db")
            .arg(tmp.path().join("db"))
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "cairn {args:?}: {stderr}");
        assert_no_panic(&stderr);
        stdout
    };
    cairn(&["link", repo.to_str().unwrap(), "--name", "cairn"]);
    let callers = cairn(&[
        "--format",
        "jsonl",
        "show",
        "callers",
        "cairn_graph::sync::link",
    ]);
    let names: Vec<String> = jsonl(&callers)
        .iter()
        .map(|r| r["qualified_name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n == "cairn::database::Database::link"),
        "{names:?}"
    );
    let rows = cairn(&[
        "--format",
        "jsonl",
        "query",
        "SELECT b.name FROM blocks AS b WHERE b.kind = 'function' LIMIT 5",
    ]);
    assert_eq!(jsonl(&rows).len(), 5, "{rows}");
}

#[test]
fn a_library_workspace_resolves_calls_and_cannot_be_unlinked_while_used() {
    let fx = Fixture::new();
    let lib = fx.tmp.path().join("lib");
    std::fs::create_dir_all(lib.join("mylib/src")).unwrap();
    std::fs::write(
        lib.join("mylib/src/lib.rs"),
        "pub fn lib_helper() -> u8 {\n    1\n}\n",
    )
    .unwrap();
    fx.write(
        "src/uses_lib.rs",
        "pub fn via_lib() {\n    mylib::lib_helper();\n}\n",
    );
    let proj = fx.proj();
    let proj = proj.to_str().unwrap();
    let err = fx.fails(&["link", proj, "--library", "nope"]);
    assert_contains(&err, &["no workspace named `nope` to use as a library"]);
    let (stdout, _) = fx.ok(&["--format", "jsonl", "status"]);
    assert_eq!(stdout, "", "nothing linked");

    fx.ok(&["link", lib.to_str().unwrap(), "--name", "zlib"]);
    let (_, stderr) = fx.ok(&["link", proj, "--library", "zlib"]);
    assert_contains(&stderr, &["using zlib"]);
    assert!(!stderr.contains("hint:"), "{stderr}");
    let (stdout, _) = fx.ok(&["--format", "jsonl", "show", "callers", "mylib::lib_helper"]);
    assert!(stdout.contains("via_lib"), "{stdout}");
    let (stdout, _) = fx.ok(&["--format", "jsonl", "status"]);
    let ws = jsonl(&stdout);
    assert_eq!(ws[0]["workspace"], "proj");
    assert_eq!(ws[0]["libraries"], "zlib");
    assert_eq!(ws[1]["workspace"], "zlib");
    assert_eq!(ws[1]["libraries"], "");

    // `sync` of every workspace syncs the library first (though it sorts after the
    // workspace using it), so the user's calls follow the library's new state.
    let resolved = |fx: &Fixture| {
        fx.query_json(
            "SELECT e.resolved AS r FROM blocks AS b, edges AS e \
             WHERE b.name = 'via_lib' AND e.source = b.id AND e.kind = 'calls'",
        )
        .iter()
        .map(|row| row["r"].clone())
        .collect::<Vec<_>>()
    };
    assert_eq!(resolved(&fx), vec![Json::Bool(true)]);
    std::fs::write(
        lib.join("mylib/src/lib.rs"),
        "pub fn renamed() -> u8 {\n    1\n}\n",
    )
    .unwrap();
    fx.ok(&["sync"]);
    assert_eq!(resolved(&fx), vec![Json::Bool(false)]);

    let err = fx.fails(&["unlink", "zlib"]);
    assert_contains(&err, &["`zlib` is a library of `proj`"]);
}
