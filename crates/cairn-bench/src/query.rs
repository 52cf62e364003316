//! `cairn-bench query`: Cairn's PartiQL VM against the legacy `partiql-eval` evaluator,
//! on the same generated data, in the same process, one engine after the other.
//!
//! The data is N rows `{"a": i, "b": i+100, "c": i % 97, "s": "name_" + (i % 1000),
//! "f": i * 0.5, "nested": {"x": i % 10, "tags": ["t" + (i % 3)]}}` and a 97-row table
//! `small` of `{"c": k, "label": "L" + k}`. Each query runs in two modes:
//!
//! - `memory`: the tables are loaded before timing (Cairn: `MemorySource`s; legacy: a
//!   bound bag value), and the time covers executing the query and reading every result
//!   row.
//! - `file`: the tables are JSON-lines files, and the time also covers reading and
//!   parsing them (Cairn: `JsonLinesSource`; legacy: each line parsed with `serde_json`
//!   and converted to a `partiql-value` bag before the query runs).
//!
//! Per query, mode and engine: one warm-up run, one run with the counting allocator on
//! (heap allocations and peak heap, untimed), then five timed runs whose median is
//! reported as ns per input row. The legacy engine is first tried on a sample of the
//! rows; when that projects past the time cap (60 s by default), or when a full run
//! takes longer than the cap, the legacy figures are left out and the table says so.
//! Result row counts of the two engines must agree; a disagreement is reported as a bug.

use crate::alloc_count::{self, Counted};
use crate::util::{peak_rss_mb, write_json};
use anyhow::{bail, Context, Result};
use cairn_query::{
    execute_parallel, Catalog, CompiledPlan, Compiler, JsonLinesSource, MemorySource, OwnedValue,
    PartiQLVM, Shape,
};
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The queries, as the issue lists them.
pub const QUERIES: [(&str, &str); 8] = [
    ("Q1", "SELECT r.a, r.b FROM data AS r"),
    ("Q2", "SELECT r.a, r.b FROM data AS r WHERE r.a % 100000 = 0"),
    (
        "Q3",
        "SELECT r.a, r.b FROM data AS r WHERE ((r.a - r.a + r.b - r.b + r.a - r.a + r.b - r.b) + r.a % 100000) = 0",
    ),
    (
        "Q4",
        "SELECT UPPER(r.s) AS u FROM data AS r WHERE r.s LIKE 'name_1%'",
    ),
    (
        "Q5",
        "SELECT r.c AS c, COUNT(*) AS n, SUM(r.a) AS s FROM data AS r GROUP BY r.c",
    ),
    ("Q6", "SELECT r.a FROM data AS r ORDER BY r.b DESC LIMIT 10"),
    (
        "Q7",
        "SELECT r.nested.x AS x FROM data AS r WHERE r.nested.x = 3",
    ),
    (
        "Q8",
        "SELECT r.a, s.label FROM data AS r, small AS s WHERE r.c = s.c AND r.a < 100000",
    ),
];

/// Rows of the `small` table.
const SMALL_ROWS: i64 = 97;
/// Rows the legacy engine is first tried on, to project its time at full size.
const LEGACY_SAMPLE: usize = 20_000;

#[derive(clap::Args)]
pub struct Args {
    /// Rows of the `data` table.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// Write the figures as JSON (an array, one object per query and mode) to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Threads Cairn runs streaming pipelines on (one VM per thread, each over a
    /// partition of the source, results merged).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Timed runs per query, mode and engine (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds a legacy run may take before the legacy figures are left out.
    #[arg(long, default_value_t = 60.0)]
    cap_secs: f64,
    /// Only these queries (comma-separated names, e.g. Q2,Q5).
    #[arg(long, value_delimiter = ',')]
    queries: Vec<String>,
    /// Only these modes (`memory`, `file`).
    #[arg(long, value_delimiter = ',')]
    modes: Vec<String>,
    /// Skip the legacy engine (while iterating on Cairn).
    #[arg(long)]
    no_legacy: bool,
    /// Directory for the JSON-lines files (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Memory,
    File,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Memory => "memory",
            Mode::File => "file",
        }
    }
}

/// The figures of one query in one mode.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub query: String,
    pub mode: Mode,
    pub rows: usize,
    pub threads: usize,
    pub cairn_ns_per_row: f64,
    pub legacy_ns_per_row: Option<f64>,
    /// legacy / Cairn time; absent when the legacy engine could not run or was capped.
    pub ratio: Option<f64>,
    pub cairn_allocs_per_row: f64,
    pub legacy_allocs_per_row: Option<f64>,
    /// Cairn's result row count.
    pub result_rows: u64,
    pub legacy_result_rows: Option<u64>,
    /// False when the engines disagree on the number of result rows: a bug.
    pub rows_agree: Option<bool>,
    /// Most heap held at once during a run, above the level before it, in MiB.
    pub cairn_peak_heap_mib: f64,
    pub legacy_peak_heap_mib: Option<f64>,
    /// File mode: MB (10^6 bytes) of `data` read per second by Cairn.
    pub cairn_scan_mb_per_s: Option<f64>,
    /// Why the legacy figures are missing, if they are.
    pub legacy_note: Option<String>,
}

/// Median of the timed runs, the counted run, and the result row count.
struct Measured {
    ns: f64,
    counted: Counted,
    result_rows: u64,
}

pub fn run(args: &Args) -> Result<()> {
    if args.rows == 0 || args.runs == 0 || args.threads == 0 {
        bail!("--rows, --runs and --threads must be at least 1");
    }
    let queries: Vec<(&str, &str)> = QUERIES
        .iter()
        .copied()
        .filter(|(name, _)| {
            args.queries.is_empty() || args.queries.iter().any(|q| q.eq_ignore_ascii_case(name))
        })
        .collect();
    if queries.is_empty() {
        bail!("no query matches {:?}", args.queries);
    }
    let mut modes = Vec::new();
    for (m, name) in [(Mode::Memory, "memory"), (Mode::File, "file")] {
        if args.modes.is_empty() || args.modes.iter().any(|x| x.eq_ignore_ascii_case(name)) {
            modes.push(m);
        }
    }
    if modes.is_empty() {
        bail!("no mode matches {:?} (memory, file)", args.modes);
    }

    let tmp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("create {}", d.display()))?;
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };

    eprintln!("generating {} rows", args.rows);
    let data: Vec<OwnedValue> = (0..args.rows as i64).map(data_row).collect();
    let small: Vec<OwnedValue> = (0..SMALL_ROWS).map(small_row).collect();
    let data_path = dir.join("data.jsonl");
    let small_path = dir.join("small.jsonl");
    write_jsonl(&data_path, &data)?;
    write_jsonl(&small_path, &small)?;
    let data_bytes = std::fs::metadata(&data_path)?.len();

    let mut records = Vec::new();
    for &mode in &modes {
        eprintln!("mode {}", mode.name());
        // Cairn's tables, and the legacy engine's (in memory: built now, outside timing).
        let mut catalog = Catalog::new();
        let legacy_data = match mode {
            Mode::Memory => {
                catalog.add_source("data", Arc::new(MemorySource::new(data.clone())));
                catalog.add_source("small", Arc::new(MemorySource::new(small.clone())));
                if args.no_legacy {
                    None
                } else {
                    Some(legacy::Tables::Memory {
                        data: legacy::bag_of(&data),
                        small: legacy::bag_of(&small),
                        sample: legacy::bag_of(&data[..data.len().min(LEGACY_SAMPLE)]),
                    })
                }
            }
            Mode::File => {
                catalog.add_source("data", Arc::new(JsonLinesSource::new(&data_path)));
                catalog.add_source("small", Arc::new(JsonLinesSource::new(&small_path)));
                if args.no_legacy {
                    None
                } else {
                    let sample_path = dir.join("sample.jsonl");
                    write_jsonl(&sample_path, &data[..data.len().min(LEGACY_SAMPLE)])?;
                    Some(legacy::Tables::File {
                        data: data_path.clone(),
                        small: small_path.clone(),
                        sample: sample_path,
                    })
                }
            }
        };
        for &(name, text) in &queries {
            eprintln!("  {name}: cairn");
            let plan = Compiler::new(&catalog)
                .compile(text)
                .with_context(|| format!("Cairn compiles {name}"))?;
            let cairn = measure_cairn(&plan, args.threads, args.runs)
                .with_context(|| format!("Cairn runs {name} ({})", mode.name()))?;
            let mut legacy_m = None;
            let mut note = None;
            if let Some(tables) = &legacy_data {
                eprintln!("  {name}: legacy");
                match legacy::measure(text, tables, args.rows, args.runs, args.cap_secs) {
                    Ok(m) => legacy_m = Some(m),
                    Err(legacy::Skip(why)) => {
                        eprintln!("    legacy: {why}");
                        note = Some(why);
                    }
                }
            }
            let n = args.rows as f64;
            let rows_agree = legacy_m
                .as_ref()
                .map(|l| l.result_rows == cairn.result_rows);
            if rows_agree == Some(false) {
                eprintln!(
                    "BUG: {name} ({}): Cairn returned {} rows, the legacy evaluator {}",
                    mode.name(),
                    cairn.result_rows,
                    legacy_m.as_ref().map_or(0, |l| l.result_rows)
                );
            }
            records.push(Record {
                query: name.to_string(),
                mode,
                rows: args.rows,
                threads: args.threads,
                cairn_ns_per_row: cairn.ns / n,
                legacy_ns_per_row: legacy_m.as_ref().map(|l| l.ns / n),
                ratio: legacy_m.as_ref().map(|l| l.ns / cairn.ns),
                cairn_allocs_per_row: cairn.counted.allocs as f64 / n,
                legacy_allocs_per_row: legacy_m.as_ref().map(|l| l.counted.allocs as f64 / n),
                result_rows: cairn.result_rows,
                legacy_result_rows: legacy_m.as_ref().map(|l| l.result_rows),
                rows_agree,
                cairn_peak_heap_mib: mib(cairn.counted.peak_bytes),
                legacy_peak_heap_mib: legacy_m.as_ref().map(|l| mib(l.counted.peak_bytes)),
                cairn_scan_mb_per_s: (mode == Mode::File)
                    .then(|| data_bytes as f64 / 1e6 / (cairn.ns / 1e9)),
                legacy_note: note,
            });
        }
    }
    print_records(args, data_bytes, &records);
    if let Some(path) = &args.json {
        write_json(path, &records)?;
    }
    if records.iter().any(|r| r.rows_agree == Some(false)) {
        bail!("the engines disagree on result row counts (see above)");
    }
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Row `i` of `data`.
pub fn data_row(i: i64) -> OwnedValue {
    OwnedValue::tuple([
        ("a", OwnedValue::Int(i)),
        ("b", OwnedValue::Int(i + 100)),
        ("c", OwnedValue::Int(i % 97)),
        ("s", OwnedValue::Str(format!("name_{}", i % 1000))),
        ("f", OwnedValue::Float(i as f64 * 0.5)),
        (
            "nested",
            OwnedValue::tuple([
                ("x", OwnedValue::Int(i % 10)),
                (
                    "tags",
                    OwnedValue::List(vec![OwnedValue::Str(format!("t{}", i % 3))]),
                ),
            ]),
        ),
    ])
}

/// Row `k` of `small`.
pub fn small_row(k: i64) -> OwnedValue {
    OwnedValue::tuple([
        ("c", OwnedValue::Int(k)),
        ("label", OwnedValue::Str(format!("L{k}"))),
    ])
}

/// Writes rows as JSON lines (floats keep a fractional part: `1.0`, not `1`).
fn write_jsonl(path: &Path, rows: &[OwnedValue]) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut line = String::new();
    for row in rows {
        line.clear();
        json_text(row, &mut line);
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    Ok(())
}

fn json_text(v: &OwnedValue, out: &mut String) {
    use std::fmt::Write as _;
    match v {
        OwnedValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        OwnedValue::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        OwnedValue::Str(s) => out.push_str(&serde_json::to_string(s).expect("a string")),
        OwnedValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        OwnedValue::List(items) | OwnedValue::Bag(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_text(x, out);
            }
            out.push(']');
        }
        OwnedValue::Tuple(fields) => {
            out.push('{');
            for (i, (k, x)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::to_string(k).expect("a string"));
                out.push_str(": ");
                json_text(x, out);
            }
            out.push('}');
        }
        _ => out.push_str("null"),
    }
}

/// Executes a Cairn plan once on `vms.len()` threads (one partition of the source
/// each, merged in partition order) and reads every result row: each column's value of
/// a `SELECT` (as a caller reading the columns it asked for does, without having
/// Cairn build a tuple of them), the whole value of anything else.
fn run_cairn(vms: &mut [PartiQLVM]) -> Result<u64> {
    let per_partition = execute_parallel(vms, |_, rows| {
        let columns = match rows.shape() {
            Shape::Tuples(cols) if !cols.is_empty() => cols.len(),
            _ => 0,
        };
        let mut n = 0u64;
        rows.for_each_row(|row| {
            if columns == 0 {
                std::hint::black_box(row.value());
            }
            for i in 0..columns {
                std::hint::black_box(row.get_value(i));
            }
            n += 1;
            Ok(())
        })?;
        Ok(n)
    })?;
    Ok(per_partition.iter().sum())
}

fn measure_cairn(plan: &Arc<CompiledPlan>, threads: usize, runs: usize) -> Result<Measured> {
    let mut vms: Vec<PartiQLVM> = (0..threads)
        .map(|_| PartiQLVM::new(Arc::clone(plan)))
        .collect();
    let result_rows = run_cairn(&mut vms)?; // warm-up
    let (counted_rows, counted) = alloc_count::count(|| run_cairn(&mut vms));
    if counted_rows? != result_rows {
        bail!("Cairn returned different row counts on two runs");
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let n = run_cairn(&mut vms)?;
        times.push(t.elapsed());
        if n != result_rows {
            bail!("Cairn returned different row counts on two runs");
        }
    }
    Ok(Measured {
        ns: median_ns(&mut times),
        counted,
        result_rows,
    })
}

fn median_ns(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_nanos() as f64
}

fn print_records(args: &Args, data_bytes: u64, records: &[Record]) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "query benchmark: {} rows ({:.1} MB as JSON lines), Cairn on {} thread(s), {} core(s); median of {} runs after a warm-up",
        args.rows,
        data_bytes as f64 / 1e6,
        args.threads,
        cores,
        args.runs
    );
    println!(
        "| query | mode | cairn ns/row | legacy ns/row | legacy/cairn | cairn allocs/row | legacy allocs/row | result rows | cairn peak heap MiB | legacy peak heap MiB |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in records {
        let legacy = match (&r.legacy_ns_per_row, &r.legacy_note) {
            (Some(ns), _) => format!("{ns:.1}"),
            (None, Some(why)) => why.clone(),
            (None, None) => "not run".into(),
        };
        let ratio = r.ratio.map_or("—".into(), |x| format!("{x:.1}x"));
        let rows = match (r.rows_agree, r.legacy_result_rows) {
            (Some(false), Some(l)) => format!("{} (BUG: legacy {l})", r.result_rows),
            _ => r.result_rows.to_string(),
        };
        let mut cairn = format!("{:.1}", r.cairn_ns_per_row);
        if let Some(mbs) = r.cairn_scan_mb_per_s {
            cairn = format!("{cairn} ({mbs:.0} MB/s)");
        }
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {} | {} | {:.1} | {} |",
            r.query,
            r.mode.name(),
            cairn,
            legacy,
            ratio,
            r.cairn_allocs_per_row,
            r.legacy_allocs_per_row
                .map_or("—".into(), |a| format!("{a:.1}")),
            rows,
            r.cairn_peak_heap_mib,
            r.legacy_peak_heap_mib
                .map_or("—".into(), |m| format!("{m:.1}")),
        );
    }
    if let Some(rss) = peak_rss_mb() {
        println!("process peak RSS: {rss:.0} MB (includes the generated data of both engines)");
    }
}

/// The legacy evaluator (`partiql-eval` 0.15) as the baseline.
mod legacy {
    use super::*;
    use partiql_catalog::catalog::{PartiqlCatalog, PartiqlSharedCatalog};
    use partiql_catalog::context::SystemContext;
    use partiql_eval::env::basic::MapBindings;
    use partiql_eval::eval::{BasicContext, EvalPlan};
    use partiql_eval::plan::{EvaluationMode, EvaluatorPlanner};
    use partiql_value::{Bag, DateTime, List, Tuple, Value};

    /// Why the legacy figures are left out.
    pub struct Skip(pub String);

    pub enum Tables {
        /// Bags built before timing; `sample` holds the first rows of `data`.
        Memory {
            data: Value,
            small: Value,
            sample: Value,
        },
        /// JSON-lines files read and parsed inside the timed run.
        File {
            data: PathBuf,
            small: PathBuf,
            sample: PathBuf,
        },
    }

    pub fn bag_of(rows: &[OwnedValue]) -> Value {
        Value::Bag(Box::new(Bag::from(
            rows.iter().map(value).collect::<Vec<_>>(),
        )))
    }

    fn value(v: &OwnedValue) -> Value {
        match v {
            OwnedValue::Null => Value::Null,
            OwnedValue::Missing => Value::Missing,
            OwnedValue::Bool(b) => Value::Boolean(*b),
            OwnedValue::Int(i) => Value::Integer(*i),
            OwnedValue::Float(f) => Value::Real((*f).into()),
            OwnedValue::Str(s) => Value::String(Box::new(s.clone())),
            OwnedValue::List(items) => Value::List(Box::new(List::from(
                items.iter().map(value).collect::<Vec<_>>(),
            ))),
            OwnedValue::Bag(items) => Value::Bag(Box::new(Bag::from(
                items.iter().map(value).collect::<Vec<_>>(),
            ))),
            OwnedValue::Tuple(fields) => {
                let mut t = Tuple::new();
                for (k, x) in fields {
                    t.insert(k, value(x));
                }
                Value::Tuple(Box::new(t))
            }
            other => panic!("the benchmark data has no {other:?}"),
        }
    }

    fn json_value(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Boolean(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Integer(i),
                None => Value::Real(n.as_f64().unwrap_or(f64::NAN).into()),
            },
            serde_json::Value::String(s) => Value::String(Box::new(s.clone())),
            serde_json::Value::Array(items) => Value::List(Box::new(List::from(
                items.iter().map(json_value).collect::<Vec<_>>(),
            ))),
            serde_json::Value::Object(fields) => {
                let mut t = Tuple::new();
                for (k, x) in fields {
                    t.insert(k, json_value(x));
                }
                Value::Tuple(Box::new(t))
            }
        }
    }

    /// Reads and parses a JSON-lines file into a bag.
    fn read_file(path: &Path) -> std::result::Result<Value, String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let mut rows = Vec::new();
        for line in std::io::BufReader::with_capacity(64 * 1024, file).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line.trim().is_empty() {
                continue;
            }
            let j: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
            rows.push(json_value(&j));
        }
        Ok(Value::Bag(Box::new(Bag::from(rows))))
    }

    fn catalog() -> PartiqlSharedCatalog {
        PartiqlCatalog::default().to_shared_catalog()
    }

    fn compile(
        text: &str,
        catalog: &PartiqlSharedCatalog,
    ) -> std::result::Result<EvalPlan, String> {
        let parsed = partiql_parser::Parser::default()
            .parse(text)
            .map_err(|e| format!("parse error: {:?}", e.errors.first()))?;
        let logical = partiql_logical_planner::LogicalPlanner::new(catalog)
            .lower(&parsed)
            .map_err(|e| format!("planning error: {:?}", e.errors.first()))?;
        EvaluatorPlanner::new(EvaluationMode::Permissive, catalog)
            .compile(&logical)
            .map_err(|e| format!("plan error: {:?}", e.errors.first()))
    }

    fn context(data: Value, small: Value) -> BasicContext<'static> {
        let mut bindings = MapBindings::default();
        bindings.insert("data", data);
        bindings.insert("small", small);
        BasicContext::new(
            bindings,
            SystemContext {
                now: DateTime::from_system_now_utc(),
            },
        )
    }

    /// Reads the files, runs the plan once and reads every row.
    fn run_file(plan: &EvalPlan, data: &Path, small: &Path) -> std::result::Result<u64, String> {
        let ctx = context(read_file(data)?, read_file(small)?);
        let out = plan
            .execute(&ctx)
            .map_err(|e| format!("evaluation error: {:?}", e.errors.first()))?;
        Ok(count_rows(&out.result))
    }

    fn count_rows(v: &Value) -> u64 {
        match v {
            Value::Bag(b) => {
                let mut n = 0;
                for row in b.iter() {
                    std::hint::black_box(row);
                    n += 1;
                }
                n
            }
            Value::List(l) => {
                let mut n = 0;
                for row in l.iter() {
                    std::hint::black_box(row);
                    n += 1;
                }
                n
            }
            _ => 1,
        }
    }

    /// One run, timed. In memory mode the bound data is cloned before the clock starts.
    fn timed(
        plan: &EvalPlan,
        tables: &Tables,
        sample: bool,
        count: bool,
    ) -> std::result::Result<(u64, Duration, Counted), String> {
        match tables {
            Tables::Memory {
                data,
                small,
                sample: s,
            } => {
                let ctx = context(if sample { s.clone() } else { data.clone() }, small.clone());
                let work = || -> std::result::Result<u64, String> {
                    let out = plan
                        .execute(&ctx)
                        .map_err(|e| format!("evaluation error: {:?}", e.errors.first()))?;
                    Ok(count_rows(&out.result))
                };
                let t = Instant::now();
                let (n, counted) = if count {
                    alloc_count::count(work)
                } else {
                    (work(), Counted::default())
                };
                let elapsed = t.elapsed();
                Ok((n?, elapsed, counted))
            }
            Tables::File {
                data,
                small,
                sample: s,
            } => {
                let data = if sample { s } else { data };
                let t = Instant::now();
                let (n, counted) = if count {
                    alloc_count::count(|| run_file(plan, data, small))
                } else {
                    (run_file(plan, data, small), Counted::default())
                };
                let elapsed = t.elapsed();
                Ok((n?, elapsed, counted))
            }
        }
    }

    pub fn measure(
        text: &str,
        tables: &Tables,
        rows: usize,
        runs: usize,
        cap_secs: f64,
    ) -> std::result::Result<Measured, Skip> {
        let catalog = catalog();
        let plan = compile(text, &catalog).map_err(|e| Skip(format!("cannot run: {e}")))?;
        let cap = Duration::from_secs_f64(cap_secs);
        // A sample first: a query that would take far longer than the cap at full size
        // is not run at full size at all.
        if rows > LEGACY_SAMPLE {
            let (_, t, _) =
                timed(&plan, tables, true, false).map_err(|e| Skip(format!("cannot run: {e}")))?;
            let projected = t.as_secs_f64() * rows as f64 / LEGACY_SAMPLE as f64;
            if projected > 2.0 * cap_secs {
                return Err(Skip(format!(
                    "over {cap_secs:.0} s (projected {projected:.0} s from {LEGACY_SAMPLE} rows)"
                )));
            }
        }
        // Warm-up, counted: the legacy engine allocates per row, so the first run's
        // one-off allocations do not matter.
        let (result_rows, t, counted) =
            timed(&plan, tables, false, true).map_err(|e| Skip(format!("cannot run: {e}")))?;
        if t > cap {
            return Err(Skip(format!(
                "over {cap_secs:.0} s (one run took {:.0} s)",
                t.as_secs_f64()
            )));
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let (n, t, _) =
                timed(&plan, tables, false, false).map_err(|e| Skip(format!("cannot run: {e}")))?;
            if n != result_rows {
                return Err(Skip("different row counts on two runs".into()));
            }
            times.push(t);
        }
        Ok(Measured {
            ns: median_ns(&mut times),
            counted,
            result_rows,
        })
    }
}
