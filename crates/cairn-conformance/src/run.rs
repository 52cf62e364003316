//! `cairn-conformance run`: runs conformance files in-process and scores them.

use crate::compare::test_eq;
use crate::engine::{answer, compiles, evaluate, mode_of, parses, Guarded, Worker};
use anyhow::{bail, Context};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Conformance files (eval.jsonl, syntax.jsonl).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only tests whose id, category or suite contains this.
    #[arg(long)]
    pub filter: Option<String>,
    /// Write one line per test: {"id", "pass", "got"}.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit with an error when fewer tests than this pass.
    #[arg(long)]
    pub floor: Option<usize>,
    /// Seconds a test may run before it counts as failed.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// What a test expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Evaluation succeeds with this encoded value.
    Value(Json),
    /// Evaluation (compile or run) fails.
    EvalFail,
    /// The statement parses (or compiles).
    SyntaxSuccess,
    /// Parsing fails.
    SyntaxFail,
    /// Compilation fails.
    StaticAnalysisFail,
}

/// One conformance test.
#[derive(Debug, Clone)]
pub struct Test {
    pub id: String,
    pub suite: String,
    pub category: String,
    pub statement: String,
    pub mode: String,
    pub env: Json,
    pub expect: Expect,
}

impl Test {
    /// Reads a line of eval.jsonl or syntax.jsonl.
    pub fn from_json(t: &Json) -> anyhow::Result<Test> {
        let s = |k: &str| t.get(k).and_then(Json::as_str).map(str::to_owned);
        let statement = s("statement").context("no statement")?;
        let result = s("result").context("no result")?;
        let file = s("file").unwrap_or_default();
        let name = s("name").unwrap_or_default();
        let namespace: Vec<&str> = t
            .get("namespace")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let suite = s("suite").unwrap_or_else(|| {
            if file.starts_with("partiql-tests-data-extended") {
                "extended".into()
            } else {
                "core".into()
            }
        });
        let category = s("category").unwrap_or_else(|| {
            // e.g. partiql-tests-data/fail/syntax/primitives/x.ion -> fail/syntax/primitives
            let parts: Vec<&str> = file.split('/').collect();
            if parts.len() > 2 {
                parts[1..parts.len() - 1].join("/")
            } else {
                "syntax".into()
            }
        });
        let mut id_parts = vec![file.as_str()];
        id_parts.extend(namespace.iter().copied());
        id_parts.push(&name);
        let id = s("id").unwrap_or_else(|| id_parts.join("::"));
        let expect = match result.as_str() {
            "EvaluationSuccess" => Expect::Value(t.get("expected").cloned().unwrap_or(Json::Null)),
            "EvaluationFail" => Expect::EvalFail,
            "SyntaxSuccess" => Expect::SyntaxSuccess,
            "SyntaxFail" => Expect::SyntaxFail,
            "StaticAnalysisFail" => Expect::StaticAnalysisFail,
            other => bail!("unknown result kind {other:?}"),
        };
        Ok(Test {
            id,
            suite,
            category,
            statement,
            mode: s("mode").unwrap_or_else(|| "EvalModeError".into()),
            env: t.get("env").cloned().unwrap_or(Json::Null),
            expect,
        })
    }

    fn matches(&self, filter: &str) -> bool {
        format!("{}{}{}", self.id, self.category, self.suite).contains(filter)
    }
}

/// The outcome of one test.
#[derive(Debug)]
pub struct Outcome {
    pub pass: bool,
    pub crashed: bool,
    pub timed_out: bool,
    /// The engine's answer, as the line protocol encodes it.
    pub got: Json,
}

/// Runs one test on `worker`.
pub fn run_test(worker: &mut Worker, test: &Test, timeout: Duration) -> Outcome {
    let statement = test.statement.clone();
    let guarded = match &test.expect {
        Expect::Value(_) | Expect::EvalFail => {
            let (mode, env) = (mode_of(&test.mode), test.env.clone());
            worker.run(timeout, move || answer(evaluate(&statement, mode, &env)))
        }
        Expect::SyntaxSuccess | Expect::SyntaxFail => worker.run(timeout, move || {
            answer(parses(&statement).map(|()| Json::Null))
        }),
        Expect::StaticAnalysisFail => worker.run(timeout, move || {
            answer(compiles(&statement).map(|()| Json::Null))
        }),
    };
    match guarded {
        Guarded::Done(got) => {
            let pass = match &test.expect {
                Expect::Value(expected) => got.get("ok").is_some_and(|v| test_eq(v, expected)),
                Expect::SyntaxSuccess => got.get("ok").is_some(),
                Expect::EvalFail | Expect::SyntaxFail | Expect::StaticAnalysisFail => {
                    got.get("error").is_some()
                }
            };
            Outcome {
                pass,
                crashed: false,
                timed_out: false,
                got,
            }
        }
        Guarded::Panicked(message) => Outcome {
            pass: false,
            crashed: true,
            timed_out: false,
            got: json!({ "crashed": message }),
        },
        Guarded::TimedOut => Outcome {
            pass: false,
            crashed: false,
            timed_out: true,
            got: json!({ "timeout": timeout.as_secs_f64() }),
        },
    }
}

/// Reads the tests of a file.
pub fn read_tests(path: &PathBuf) -> anyhow::Result<Vec<Test>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut tests = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let t: Json = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
        tests.push(Test::from_json(&t).with_context(|| format!("{}:{}", path.display(), i + 1))?);
    }
    Ok(tests)
}

/// Runs the files; returns whether the floor (if any) was met.
pub fn run(args: &RunArgs) -> anyhow::Result<bool> {
    crate::engine::quiet_worker_panics();
    let timeout = Duration::from_secs_f64(args.timeout.max(0.001));
    let mut out = match &args.out {
        Some(p) => Some(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let mut worker = Worker::new();
    let mut table: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let (mut passed, mut failed, mut crashed, mut timed_out) = (0usize, 0usize, 0usize, 0usize);
    for path in &args.files {
        for test in read_tests(path)? {
            if args.filter.as_deref().is_some_and(|f| !test.matches(f)) {
                continue;
            }
            let outcome = run_test(&mut worker, &test, timeout);
            let row = table
                .entry((test.suite.clone(), test.category.clone()))
                .or_default();
            if outcome.pass {
                row.0 += 1;
                passed += 1;
            } else {
                row.1 += 1;
                failed += 1;
            }
            crashed += outcome.crashed as usize;
            timed_out += outcome.timed_out as usize;
            if let Some(out) = &mut out {
                let line = json!({ "id": test.id, "pass": outcome.pass, "got": outcome.got });
                writeln!(out, "{line}")?;
            }
        }
    }
    if let Some(out) = &mut out {
        out.flush()?;
    }
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    writeln!(
        w,
        "{:8} {:55} {:>5} {:>5}",
        "suite", "category", "pass", "fail"
    )?;
    for ((suite, category), (p, f)) in &table {
        writeln!(w, "{suite:8} {category:55} {p:5} {f:5}")?;
    }
    writeln!(w, "crashed {crashed}, timed out {timed_out}")?;
    writeln!(w, "{passed} passed, {failed} failed")?;
    w.flush()?;
    if let Some(floor) = args.floor {
        if passed < floor {
            eprintln!("error: {passed} passed, below the floor of {floor}");
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_eval_and_syntax_lines() {
        let eval: Json = serde_json::from_str(
            r#"{"id": "x::y", "suite": "core", "category": "query/select", "file": "f", "namespace": [], "name": "n",
                "statement": "1", "mode": "EvalModeCoerce", "result": "EvaluationSuccess", "env": null, "expected": 1}"#,
        )
        .unwrap();
        let t = Test::from_json(&eval).unwrap();
        assert_eq!(
            (t.id.as_str(), t.suite.as_str(), t.category.as_str()),
            ("x::y", "core", "query/select")
        );
        assert_eq!(t.expect, Expect::Value(json!(1)));
        let syntax: Json = serde_json::from_str(
            r#"{"file": "partiql-tests-data-extended/fail/syntax/primitives/a.ion", "namespace": ["ns"], "name": "bad",
                "statement": "SELECT", "result": "SyntaxFail"}"#,
        )
        .unwrap();
        let t = Test::from_json(&syntax).unwrap();
        assert_eq!(t.suite, "extended");
        assert_eq!(t.category, "fail/syntax/primitives");
        assert_eq!(
            t.id,
            "partiql-tests-data-extended/fail/syntax/primitives/a.ion::ns::bad"
        );
        assert_eq!(t.expect, Expect::SyntaxFail);
        assert!(t.matches("extended"));
        assert!(!t.matches("core"));
    }

    #[test]
    fn a_panic_or_a_runaway_job_is_an_outcome_not_an_abort() {
        crate::engine::quiet_worker_panics();
        let mut w = Worker::new();
        let r = w.run(Duration::from_secs(5), || panic!("boom"));
        assert!(
            matches!(r, Guarded::Panicked(ref m) if m.starts_with("boom (at ")),
            "{r:?}"
        );
        let r = w.run(Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_secs(3));
            Json::Null
        });
        assert!(matches!(r, Guarded::TimedOut), "{r:?}");
        let r = w.run(Duration::from_secs(5), || json!(1));
        assert!(matches!(r, Guarded::Done(ref v) if v == &json!(1)), "{r:?}");
    }
}
