//! Runs the `cairn-conformance` binary on small suites of its own.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_cairn-conformance");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-conformance-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn eval_line(id: &str, statement: &str, expected: &str) -> String {
    format!(
        r#"{{"id": "{id}", "suite": "mine", "category": "arith", "file": "t.ion", "namespace": [], "name": "{id}", "statement": "{statement}", "mode": "EvalModeError", "result": "EvaluationSuccess", "env": null, "expected": {expected}}}"#
    )
}

#[test]
fn run_scores_a_passing_and_a_failing_test() {
    let dir = temp_dir("run");
    let tests = dir.join("tests.jsonl");
    std::fs::write(
        &tests,
        format!(
            "{}\n{}\n",
            eval_line("good", "1 + 1", "2"),
            eval_line("bad", "1 + 1", "3")
        ),
    )
    .unwrap();
    let results = dir.join("results.jsonl");
    let out = Command::new(BIN)
        .arg("run")
        .arg(&tests)
        .arg("--out")
        .arg(&results)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("mine"), "{stdout}");
    let results = std::fs::read_to_string(&results).unwrap();
    let lines: Vec<serde_json::Value> = results
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "good");
    assert_eq!(lines[0]["pass"], true);
    assert_eq!(lines[1]["pass"], false);

    // --floor: met, then missed.
    let ok = Command::new(BIN)
        .arg("run")
        .arg(&tests)
        .args(["--floor", "1"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let below = Command::new(BIN)
        .arg("run")
        .arg(&tests)
        .args(["--floor", "2"])
        .output()
        .unwrap();
    assert!(!below.status.success());
    assert_eq!(
        String::from_utf8(below.stdout).unwrap().lines().last(),
        Some("1 passed, 1 failed")
    );

    // --filter keeps the tests whose id, category or suite contains it.
    let filtered = Command::new(BIN)
        .arg("run")
        .arg(&tests)
        .args(["--filter", "good"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(filtered.stdout).unwrap().lines().last(),
        Some("1 passed, 0 failed")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_scores_syntax_tests() {
    let dir = temp_dir("syntax");
    let tests = dir.join("syntax.jsonl");
    std::fs::write(
        &tests,
        concat!(
            r#"{"file": "partiql-tests-data/success/syntax/x.ion", "namespace": [], "name": "ok", "statement": "SELECT a FROM t", "result": "SyntaxSuccess"}"#,
            "\n",
            r#"{"file": "partiql-tests-data/fail/syntax/x.ion", "namespace": [], "name": "bad", "statement": "SELECT FROM WHERE", "result": "SyntaxFail"}"#,
            "\n",
            r#"{"file": "partiql-tests-data/fail/syntax/x.ion", "namespace": [], "name": "wrong", "statement": "SELECT a FROM t", "result": "SyntaxFail"}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = Command::new(BIN).arg("run").arg(&tests).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().last(),
        Some("2 passed, 1 failed"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_answers_each_line_and_survives_errors() {
    let mut child = Command::new(BIN)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |req: &str| -> serde_json::Value {
        writeln!(stdin, "{req}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    };
    let a = ask(r#"{"id": "1", "statement": "1 + 1", "mode": "EvalModeError", "env": null}"#);
    assert_eq!(a, serde_json::json!({"ok": 2}));
    let b = ask(
        r#"{"id": "2", "statement": "SELECT FROM WHERE", "mode": "EvalModeCoerce", "env": null}"#,
    );
    assert!(b["error"].is_string(), "{b}");
    let c = ask("not json");
    assert!(c["error"].is_string(), "{c}");
    let d = ask(
        r#"{"id": "3", "statement": "SELECT VALUE x.a FROM t AS x", "mode": "EvalModeCoerce", "env": {"t": {"$bag": [{"a": 5}]}}}"#,
    );
    assert_eq!(d, serde_json::json!({"ok": {"$bag": [5]}}));
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn shared_syntax_suite_runs_to_a_final_score_line() {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/syntax.jsonl"
    ));
    if !path.exists() {
        eprintln!(
            "skipping: {} is not present (a clone has no ../shared)",
            path.display()
        );
        return;
    }
    let out = Command::new(BIN).arg("run").arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap_or_default();
    let (p, f) = last.split_once(" passed, ").expect("a final score line");
    let p: usize = p.parse().unwrap();
    let f: usize = f.strip_suffix(" failed").unwrap().parse().unwrap();
    assert_eq!(p + f, 560, "{stdout}");
}
