//! `cairn-bench graph`: a synthetic Rust project of at least N blocks, ingested, then
//! measured: PartiQL point lookups by name through the name index against the same
//! answer through a full scan, and `callers` to depth 3 through the traversal API.
//!
//! The project is one crate: `src/lib.rs` declares modules `m0..mF` and `shared`,
//! which holds a function `hub`; each module `mJ` holds `PER_FILE` functions `fJ_I`. `fJ_I` calls `fJ_{I+1}`
//! (same file, plain call) and `crate::m{J+1}::f{J+1}_I` (next file, path call), so a
//! function has two callers and callers chains run deep. Twenty functions spread over
//! the project also call `crate::shared::hub`, which therefore has exactly 20 direct callers.
//!
//! Traversals run over the graph store's adjacency cache (warm after the warm-up); the
//! hub's callers are also timed with the cache off, in the same run.
//!
//! Every latency is one call timed alone (a statement execution with all its rows
//! read, or one traversal), after a warm-up; statements are compiled beforehand.

use crate::util::{mb, peak_rss_mb, percentile, print_table, write_json};
use anyhow::{bail, ensure, Context, Result};
use cairn::{BlockKind, Database, EdgeKind, Statement, SyncOptions};
use cairn_graph::traverse::{self, Bounds};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Functions per generated file.
const PER_FILE: usize = 100;
/// Direct callers of `hub`.
const HUB_CALLERS: usize = 20;
/// Traversal depth measured.
const DEPTH: u32 = 3;
/// Distinct names the index lookups cycle over.
const INDEX_POOL: usize = 50;
/// Distinct names the full scans cycle over.
const SCAN_POOL: usize = 4;

#[derive(clap::Args)]
pub struct Args {
    /// Blocks the synthetic project has at least.
    #[arg(long, default_value_t = 100_000)]
    blocks: usize,
    /// Write the results as one JSON object to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Measured repetitions of index lookups and traversals.
    #[arg(long, default_value_t = 200)]
    reps: usize,
    /// Measured repetitions of the full scan (each reads every block).
    #[arg(long, default_value_t = 50)]
    scan_reps: usize,
    /// Directory the project and database go in (default: the system temp directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Median and p99 of a latency, in microseconds, over `samples` timed calls.
#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
}

impl Latency {
    fn of(mut ns: Vec<f64>) -> Latency {
        let mean = ns.iter().sum::<f64>() / ns.len().max(1) as f64;
        Latency {
            samples: ns.len(),
            p50_us: percentile(&mut ns, 0.5) / 1e3,
            p99_us: percentile(&mut ns, 0.99) / 1e3,
            mean_us: mean / 1e3,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Traversal {
    pub start: String,
    /// Direct callers (mean over the starts when there are several).
    pub direct_callers: f64,
    pub depth: u32,
    /// Blocks reached (mean over the starts when there are several).
    pub results: f64,
    pub latency: Latency,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub blocks_requested: usize,
    pub files: usize,
    pub mb: f64,
    pub blocks: usize,
    pub edges: usize,
    pub calls: usize,
    pub calls_resolved: usize,
    pub ingest_seconds: f64,
    /// SSTables of the storage engine after the ingest.
    pub sstables: usize,
    /// The queries as explained (measured over other names too).
    pub index_query: String,
    pub scan_query: String,
    /// Whether EXPLAIN of the name query shows an index lookup.
    pub index_used: bool,
    pub index_explain: String,
    pub scan_explain: String,
    pub index_lookup: Latency,
    pub full_scan: Latency,
    /// Full-scan p50 over index-lookup p50.
    pub scan_over_index: f64,
    /// Callers of `hub` (20 direct callers) to depth 3, adjacency cache warm.
    pub callers_hub: Traversal,
    /// The same traversal with the adjacency cache turned off (every list read from
    /// the edge index), in the same run.
    pub callers_hub_uncached: Latency,
    /// Uncached p50 over warm p50.
    pub uncached_over_cached: f64,
    /// Adjacency cache after the traversals: entries and bytes.
    pub adjacency_entries: usize,
    pub adjacency_bytes: usize,
    /// Callers to depth 3 of functions spread over the project, one start per call.
    pub callers_spread: Traversal,
    /// `GraphStore::edges_to(hub, calls)`: one hop, one prefix scan of the target index.
    pub edges_to_hub: Latency,
    pub peak_rss_mb: Option<f64>,
}

pub fn run(args: &Args) -> Result<()> {
    let tmp = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            tempfile::tempdir_in(d)?
        }
        None => tempfile::tempdir()?,
    };
    let report = bench(
        tmp.path(),
        args.blocks,
        args.reps.max(1),
        args.scan_reps.max(1),
    )?;
    print(&report);
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(())
}

/// The generated project's shape.
struct Project {
    files: usize,
    /// Global function numbers (`file * PER_FILE + index`) of `hub`'s callers.
    hub_callers: Vec<usize>,
}

impl Project {
    fn new(blocks: usize) -> Project {
        // Each module file is a module block plus its functions; lib.rs and shared.rs
        // add three more.
        let files = blocks.div_ceil(PER_FILE + 1).max(1);
        let functions = files * PER_FILE;
        let hub_callers = (0..HUB_CALLERS.min(functions))
            .map(|k| (k * functions / HUB_CALLERS + PER_FILE / 2) % functions)
            .collect();
        Project { files, hub_callers }
    }

    fn name(g: usize) -> String {
        format!("f{}_{}", g / PER_FILE, g % PER_FILE)
    }

    fn path(g: usize) -> String {
        format!("src/m{}.rs", g / PER_FILE)
    }

    /// Writes the crate under `root`; returns the bytes written.
    fn write(&self, root: &Path) -> Result<u64> {
        let src = root.join("src");
        std::fs::create_dir_all(&src)?;
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"synth\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )?;
        let mut bytes = 0u64;
        let mut lib = String::from("//! A synthetic crate for `cairn-bench graph`.\n\n");
        for j in 0..self.files {
            writeln!(lib, "pub mod m{j};")?;
        }
        lib.push_str("pub mod shared;\n");
        bytes += lib.len() as u64;
        std::fs::write(src.join("lib.rs"), lib)?;
        let shared = "//! What many modules call.\n\n/// Called by twenty functions across the crate.\npub fn hub(x: u64) -> u64 {\n    x ^ 0x9e37\n}\n";
        bytes += shared.len() as u64;
        std::fs::write(src.join("shared.rs"), shared)?;
        let mut text = String::new();
        for j in 0..self.files {
            text.clear();
            writeln!(text, "//! Module {j} of the synthetic crate.\n")?;
            for i in 0..PER_FILE {
                let g = j * PER_FILE + i;
                writeln!(text, "/// Function {i} of module {j}.")?;
                writeln!(text, "pub fn f{j}_{i}(x: u64) -> u64 {{")?;
                writeln!(text, "    let mut acc = x ^ {};", g + 1)?;
                if i + 1 < PER_FILE {
                    writeln!(text, "    acc ^= f{j}_{}(acc >> 1);", i + 1)?;
                }
                if j + 1 < self.files {
                    let n = j + 1;
                    writeln!(text, "    acc ^= crate::m{n}::f{n}_{i}(x);")?;
                }
                if self.hub_callers.contains(&g) {
                    writeln!(text, "    acc ^= crate::shared::hub(acc);")?;
                }
                writeln!(text, "    acc\n}}\n")?;
            }
            bytes += text.len() as u64;
            std::fs::write(src.join(format!("m{j}.rs")), &text)?;
        }
        Ok(bytes)
    }
}

/// xorshift64, for reproducible choices of names.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn index_query(name: &str) -> String {
    format!("SELECT b.id, b.path FROM blocks AS b WHERE b.name = '{name}'")
}

/// The same answer, through a predicate the compiler cannot turn into a key filter.
fn scan_query(name: &str) -> String {
    format!("SELECT b.id, b.path FROM blocks AS b WHERE b.name || '' = '{name}'")
}

/// A query's answer: (id, path) rows.
type Rows = Vec<(String, String)>;

/// Runs `stmt`, reading every row as (id, path).
fn rows(stmt: &mut Statement) -> Result<Rows> {
    let mut out = Vec::new();
    let mut rs = stmt.execute()?;
    while let Some(row) = rs.next_row()? {
        out.push((
            row.get_str(0).unwrap_or_default().to_string(),
            row.get_str(1).unwrap_or_default().to_string(),
        ));
    }
    Ok(out)
}

/// Compiles the query for each function in `pool`, runs each once (warm-up, which
/// also checks the answer is one row in the function's file), then times `reps`
/// executions cycling over the compiled statements. Returns the latency and the
/// answers, in `pool` order.
///
/// The pool stays small: an executed statement keeps the memory of the rows its
/// last run scanned.
fn time_queries(
    db: &Database,
    query: fn(&str) -> String,
    pool: &[usize],
    reps: usize,
) -> Result<(Latency, Vec<Rows>)> {
    let mut stmts = Vec::with_capacity(pool.len());
    let mut answers = Vec::with_capacity(pool.len());
    for &g in pool {
        let mut stmt = db.prepare(&query(&Project::name(g)))?;
        let got = rows(&mut stmt)?;
        let expected = Project::path(g);
        ensure!(
            got.len() == 1 && got[0].1 == expected,
            "`{}` returned {got:?}, expected one row in {expected}",
            stmt.text()
        );
        answers.push(got);
        stmts.push(stmt);
    }
    let mut ns = Vec::with_capacity(reps);
    for r in 0..reps {
        let k = r % stmts.len();
        let t = Instant::now();
        let got = rows(&mut stmts[k])?;
        ns.push(t.elapsed().as_nanos() as f64);
        ensure!(
            got == answers[k],
            "`{}` changed its answer",
            stmts[k].text()
        );
    }
    Ok((Latency::of(ns), answers))
}

fn bench(dir: &Path, blocks: usize, reps: usize, scan_reps: usize) -> Result<Report> {
    let project = Project::new(blocks);
    let root = dir.join("synth");
    eprintln!(
        "generating {} files of {PER_FILE} functions in {} ...",
        project.files,
        root.display()
    );
    let bytes = project.write(&root)?;
    let db = Database::open(dir.join("db")).context("open database")?;
    let ws = db.link(&root, Some("synth"))?;
    eprintln!("ingesting ...");
    let summary = db.sync(&ws.name, &SyncOptions::default(), &|_| {})?;
    ensure!(
        summary.errors.is_empty(),
        "sync errors: {:?}",
        summary.errors
    );
    if summary.blocks < blocks {
        bail!(
            "the synthetic project has {} blocks, fewer than the {blocks} asked for",
            summary.blocks
        );
    }

    let sstables = db.store().engine().table_count();

    // (a), (b): point lookups by name, through the index and through a full scan.
    let functions = project.files * PER_FILE;
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let picks: Vec<usize> = (0..reps.min(functions))
        .map(|_| rng.below(functions))
        .collect();
    let index_explain = db.explain(&index_query(&Project::name(picks[0])))?;
    let scan_explain = db.explain(&scan_query(&Project::name(picks[0])))?;
    let index_used = index_explain.contains("index lookup");
    if !index_used {
        eprintln!("warning: EXPLAIN shows no index lookup for the name query:\n{index_explain}");
    }
    ensure!(
        !scan_explain.contains("index lookup"),
        "the scan query uses an index:\n{scan_explain}"
    );
    eprintln!("measuring index lookups ...");
    let index_pool = &picks[..picks.len().min(INDEX_POOL)];
    let (index_lookup, index_answers) = time_queries(&db, index_query, index_pool, reps)?;
    eprintln!("measuring full scans ...");
    let scan_pool = &picks[..picks.len().min(SCAN_POOL)];
    let (full_scan, scan_answers) = time_queries(&db, scan_query, scan_pool, scan_reps)?;
    for (k, answer) in scan_answers.iter().enumerate() {
        ensure!(
            *answer == index_answers[k],
            "scan and index disagree on {}: {answer:?} vs {:?}",
            Project::name(picks[k]),
            index_answers[k]
        );
    }

    // (c): callers to depth 3.
    eprintln!("measuring callers ...");
    let store = db.store();
    let hub = db
        .find("hub", Some(BlockKind::Function), Some(&ws.name))?
        .into_iter()
        .next()
        .context("no block `hub`")?;
    let bounds = Bounds {
        depth: DEPTH,
        limit: 10_000,
    };
    let direct = traverse::callers(store, hub.id, &Bounds { depth: 1, ..bounds })?.len();
    let mut results = 0;
    for _ in 0..reps.min(100) {
        results = traverse::callers(store, hub.id, &bounds)?.len();
    }
    let mut ns = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let hits = traverse::callers(store, hub.id, &bounds)?;
        ns.push(t.elapsed().as_nanos() as f64);
        ensure!(hits.len() == results, "callers of hub changed");
    }
    let callers_hub = Traversal {
        start: hub.qualified_name.clone(),
        direct_callers: direct as f64,
        depth: DEPTH,
        results: results as f64,
        latency: Latency::of(ns),
    };
    // The same with the cache off: what a cold traversal costs.
    let warm_answer = traverse::callers(store, hub.id, &bounds)?;
    store.set_adjacency_budget(0);
    let mut ns = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let hits = traverse::callers(store, hub.id, &bounds)?;
        ns.push(t.elapsed().as_nanos() as f64);
        ensure!(
            hits == warm_answer,
            "cached and uncached callers of hub differ"
        );
    }
    store.set_adjacency_budget(cairn_graph::adjacency::DEFAULT_BUDGET);
    let callers_hub_uncached = Latency::of(ns);

    let mut starts = Vec::with_capacity(picks.len());
    for &g in &picks {
        let b = db.find(&Project::name(g), Some(BlockKind::Function), None)?;
        starts.push(b.first().context("picked function not found")?.id);
    }
    let mut direct_total = 0;
    for id in &starts {
        direct_total += traverse::callers(store, *id, &Bounds { depth: 1, ..bounds })?.len();
    }
    for id in &starts {
        traverse::callers(store, *id, &bounds)?;
    }
    let mut ns = Vec::with_capacity(reps);
    let mut reached = 0usize;
    for r in 0..reps {
        let id = starts[r % starts.len()];
        let t = Instant::now();
        let hits = traverse::callers(store, id, &bounds)?;
        ns.push(t.elapsed().as_nanos() as f64);
        reached += hits.len();
    }
    let callers_spread = Traversal {
        start: format!("{} functions picked at random", starts.len()),
        direct_callers: direct_total as f64 / starts.len() as f64,
        depth: DEPTH,
        results: reached as f64 / reps as f64,
        latency: Latency::of(ns),
    };

    // One hop: the incoming call edges of `hub`, one prefix scan of the target index.
    let mut ns = Vec::with_capacity(reps);
    for _ in 0..reps.min(100) {
        store.edges_to(&hub.id, Some(EdgeKind::Calls))?;
    }
    for _ in 0..reps {
        let t = Instant::now();
        let edges = store.edges_to(&hub.id, Some(EdgeKind::Calls))?;
        ns.push(t.elapsed().as_nanos() as f64);
        ensure!(edges.len() == direct, "incoming calls of hub changed");
    }
    let edges_to_hub = Latency::of(ns);
    let adjacency = store.adjacency_stats();

    Ok(Report {
        blocks_requested: blocks,
        files: summary.files,
        mb: mb(bytes),
        blocks: summary.blocks,
        edges: summary.edges,
        calls: summary.calls,
        calls_resolved: summary.calls_resolved,
        ingest_seconds: summary.elapsed.as_secs_f64(),
        sstables,
        index_query: index_query(&Project::name(picks[0])),
        scan_query: scan_query(&Project::name(picks[0])),
        index_used,
        index_explain,
        scan_explain,
        scan_over_index: full_scan.p50_us / index_lookup.p50_us,
        index_lookup,
        full_scan,
        uncached_over_cached: callers_hub_uncached.p50_us / callers_hub.latency.p50_us,
        callers_hub,
        callers_hub_uncached,
        adjacency_entries: adjacency.entries,
        adjacency_bytes: adjacency.bytes,
        callers_spread,
        edges_to_hub,
        peak_rss_mb: peak_rss_mb(),
    })
}

fn print(r: &Report) {
    let lat = |rows: &mut Vec<(String, String, &str)>, what: &str, l: &Latency| {
        rows.push((format!("{what} p50"), format!("{:.1}", l.p50_us), "µs"));
        rows.push((format!("{what} p99"), format!("{:.1}", l.p99_us), "µs"));
    };
    let mut rows: Vec<(String, String, &str)> = vec![
        ("files".into(), r.files.to_string(), ""),
        ("source".into(), format!("{:.1}", r.mb), "MB"),
        ("blocks".into(), r.blocks.to_string(), ""),
        ("edges".into(), r.edges.to_string(), ""),
        (
            "calls resolved".into(),
            format!("{} of {}", r.calls_resolved, r.calls),
            "",
        ),
        ("ingest".into(), format!("{:.2}", r.ingest_seconds), "s"),
        ("SSTables after ingest".into(), r.sstables.to_string(), ""),
    ];
    lat(
        &mut rows,
        &format!("name lookup, index ({}x)", r.index_lookup.samples),
        &r.index_lookup,
    );
    lat(
        &mut rows,
        &format!("name lookup, full scan ({}x)", r.full_scan.samples),
        &r.full_scan,
    );
    rows.push((
        "EXPLAIN shows an index lookup".into(),
        r.index_used.to_string(),
        "",
    ));
    rows.push((
        "full scan / index (p50)".into(),
        format!("{:.0}", r.scan_over_index),
        "x",
    ));
    for (what, t) in [
        ("callers of hub", &r.callers_hub),
        ("callers of random fn", &r.callers_spread),
    ] {
        rows.push((
            format!("{what}: direct callers / reached at depth {}", t.depth),
            format!("{:.1} / {:.1}", t.direct_callers, t.results),
            "blocks",
        ));
        lat(
            &mut rows,
            &format!("{what}, depth {} ({}x)", t.depth, t.latency.samples),
            &t.latency,
        );
    }
    lat(
        &mut rows,
        &format!(
            "callers of hub, depth {}, cache off ({}x)",
            r.callers_hub.depth, r.callers_hub_uncached.samples
        ),
        &r.callers_hub_uncached,
    );
    rows.push((
        "callers of hub: cache off / warm (p50)".into(),
        format!("{:.0}", r.uncached_over_cached),
        "x",
    ));
    rows.push((
        "adjacency cache: lists / size".into(),
        format!(
            "{} / {:.1}",
            r.adjacency_entries,
            mb(r.adjacency_bytes as u64)
        ),
        "MB",
    ));
    lat(
        &mut rows,
        &format!("edges_to(hub), one hop ({}x)", r.edges_to_hub.samples),
        &r.edges_to_hub,
    );
    if let Some(rss) = r.peak_rss_mb {
        rows.push(("peak RSS".into(), format!("{rss:.0}"), "MB"));
    }
    print_table(&format!("graph --blocks {}", r.blocks_requested), &rows);
    println!(
        "\nEXPLAIN {}\n{}",
        r.index_query,
        r.index_explain.trim_end()
    );
    println!("\nEXPLAIN {}\n{}", r.scan_query, r.scan_explain.trim_end());
}
