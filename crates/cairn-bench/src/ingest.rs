//! `cairn-bench ingest PATH`: links and syncs a real tree into a fresh database, then
//! syncs it again unchanged, and reports throughput, graph size and call resolution.
//!
//! Throughput is end to end: the sync's own clock, from the walk through parsing,
//! resolution and the writes to the final fsync. Per-language figures (files, bytes,
//! blocks, calls and resolved calls) come from the stored file indexes, whose edges
//! are the edges leaving each file's blocks.

use crate::util::{cpu_seconds, mb, peak_rss_mb, print_table, share, threads_used, write_json};
use anyhow::{Context, Result};
use cairn::{Database, SyncOptions, SyncSummary};
use cairn_graph::{EdgeKind, Language};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The tree to ingest.
    path: PathBuf,
    /// Write the results as one JSON object to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Parser threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Directory the temporary database goes in (default: the system temp directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// A tree to link and sync first, untimed, as a library of the ingested tree
    /// (repeatable). The database is compacted after the libraries, so their
    /// background work does not run during the measured sync.
    #[arg(long, value_name = "PATH")]
    library: Vec<PathBuf>,
    /// Link and sync the Rust standard library's sources first, untimed, as a library
    /// of the ingested tree (as `cairn std` does).
    #[arg(long)]
    rust_std: bool,
}

/// A library synced before the measured sync.
#[derive(Clone, Debug, Serialize)]
pub struct LibraryFigures {
    pub name: String,
    pub root: String,
    pub files: usize,
    pub mb_parsed: f64,
    pub seconds: f64,
}

/// Figures for the files of one language.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LanguageFigures {
    pub language: String,
    pub files: usize,
    pub mb: f64,
    pub blocks: usize,
    pub edges: usize,
    pub calls: usize,
    pub calls_resolved: usize,
    pub resolved_share: f64,
    /// Calls whose simple name (`flush` in `x.flush()`, `new` in `Vec::new()`) is the
    /// name of some function or method of the workspace: the others cannot have a
    /// target in the workspace. An upper bound on the calls resolution could
    /// resolve, not a count of calls into the workspace (`x.clone()` counts when any
    /// type of the workspace has a `clone` method).
    pub calls_named_in_workspace: usize,
    /// `calls_resolved / calls_named_in_workspace`.
    pub resolved_share_of_named: f64,
}

/// The second, incremental sync of the unchanged tree.
#[derive(Clone, Debug, Serialize)]
pub struct Resync {
    pub seconds: f64,
    pub files: usize,
    pub parsed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub files_per_s: f64,
    pub blocks: usize,
    pub edges: usize,
    pub calls_resolved: usize,
    /// Whether blocks, edges and resolved calls equal the first sync's.
    pub same_graph: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub path: String,
    /// The libraries the tree's references could resolve to (not part of the
    /// figures below, which are the tree's alone).
    pub libraries: Vec<LibraryFigures>,
    pub threads: usize,
    pub files: usize,
    pub parsed: usize,
    pub mb_parsed: f64,
    pub seconds: f64,
    pub files_per_s: f64,
    pub mb_per_s: f64,
    pub mb_per_s_per_core: f64,
    /// CPU time the first sync used (all threads), and MB parsed per CPU second: the
    /// per-core rate, unaffected by other load on the machine.
    pub cpu_seconds: Option<f64>,
    pub mb_per_cpu_s: Option<f64>,
    /// Seconds of the first sync by phase: walk, parse, symbols, resolve and write,
    /// finish (see `cairn_graph::SyncPhases`).
    pub phase_seconds: [f64; 5],
    pub blocks: usize,
    pub edges: usize,
    pub calls: usize,
    pub calls_resolved: usize,
    pub resolved_share: f64,
    pub rust: LanguageFigures,
    pub languages: Vec<LanguageFigures>,
    pub skipped_large: usize,
    pub skipped_binary: usize,
    pub unsupported: usize,
    pub syntax_errors: usize,
    pub errors: usize,
    pub resync: Resync,
    /// SSTables of the storage engine and size of the database directory at the end.
    pub sstables: usize,
    pub db_mb: f64,
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
    eprintln!("ingesting {} ...", args.path.display());
    let libraries = Libraries {
        paths: &args.library,
        rust_std: args.rust_std,
    };
    let report = ingest(&args.path, &tmp.path().join("db"), args.threads, &libraries)?;
    print(&report);
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(())
}

/// The libraries an ingest links and syncs before the measured sync.
#[derive(Clone, Copy, Debug, Default)]
pub struct Libraries<'a> {
    pub paths: &'a [PathBuf],
    pub rust_std: bool,
}

/// Ingests `path` into a new database in `db_dir`, syncs it twice, and reports.
pub fn ingest(
    path: &Path,
    db_dir: &Path,
    threads: usize,
    libraries: &Libraries<'_>,
) -> Result<Report> {
    let db = Database::open(db_dir).context("open database")?;
    let options = SyncOptions {
        threads,
        ..SyncOptions::default()
    };
    let mut linked = Vec::new();
    if libraries.rust_std {
        linked.push(db.link_rust_std("rust-std").context("link rust-std")?);
    }
    for (i, p) in libraries.paths.iter().enumerate() {
        let name = format!("library{i}");
        linked.push(
            db.link(p, Some(&name))
                .with_context(|| format!("link {}", p.display()))?,
        );
    }
    let mut library_figures = Vec::new();
    for l in &linked {
        eprintln!("syncing library {} ({}) ...", l.name, l.root);
        let s = db
            .sync(&l.name, &options, &|_| {})
            .with_context(|| format!("sync library {}", l.root))?;
        library_figures.push(LibraryFigures {
            name: l.name.clone(),
            root: l.root.clone(),
            files: s.files,
            mb_parsed: mb(s.bytes_parsed),
            seconds: s.elapsed.as_secs_f64(),
        });
    }
    if !linked.is_empty() {
        // The libraries' flushes and compactions finish here, not during the
        // measured sync.
        db.store()
            .engine()
            .compact()
            .context("compact after the libraries")?;
    }
    let ws = db
        .link(path, Some("bench"))
        .with_context(|| format!("link {}", path.display()))?;
    let names: Vec<String> = linked.iter().map(|l| l.name.clone()).collect();
    db.set_libraries(&ws.name, &names)
        .context("set libraries")?;
    let cpu_before = cpu_seconds();
    let first = db.sync(&ws.name, &options, &|_| {}).context("sync")?;
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let languages = per_language(&db, &ws.name)?;
    let second = db.sync(&ws.name, &options, &|_| {}).context("resync")?;
    let status = db.status()?;
    let mut r = report(path, threads, &first, &second, languages);
    r.libraries = library_figures;
    r.sstables = status.sstables;
    r.cpu_seconds = cpu;
    r.mb_per_cpu_s = cpu.map(|c| r.mb_parsed / c);
    r.db_mb = mb(status.disk_bytes);
    Ok(r)
}

fn report(
    path: &Path,
    threads: usize,
    first: &SyncSummary,
    second: &SyncSummary,
    languages: Vec<LanguageFigures>,
) -> Report {
    let threads = threads_used(threads);
    let again_seconds = second.elapsed.as_secs_f64();
    let seconds = first.elapsed.as_secs_f64();
    let mb_parsed = mb(first.bytes_parsed);
    let rust = languages
        .iter()
        .find(|l| l.language == Language::Rust.as_str())
        .cloned()
        .unwrap_or_else(|| LanguageFigures {
            language: Language::Rust.as_str().to_string(),
            ..LanguageFigures::default()
        });
    Report {
        path: path.display().to_string(),
        libraries: Vec::new(),
        threads,
        files: first.files,
        parsed: first.parsed,
        mb_parsed,
        seconds,
        files_per_s: first.parsed as f64 / seconds,
        mb_per_s: mb_parsed / seconds,
        mb_per_s_per_core: mb_parsed / seconds / threads as f64,
        cpu_seconds: None,
        mb_per_cpu_s: None,
        phase_seconds: {
            let p = &first.phases;
            [p.walk, p.parse, p.symbols, p.resolve_write, p.finish].map(|d| d.as_secs_f64())
        },
        blocks: first.blocks,
        edges: first.edges,
        calls: first.calls,
        calls_resolved: first.calls_resolved,
        resolved_share: share(first.calls_resolved, first.calls),
        rust,
        languages,
        skipped_large: first.skipped_large.len(),
        skipped_binary: first.skipped_binary.len(),
        unsupported: first.unsupported.len(),
        syntax_errors: first.syntax_errors.len(),
        errors: first.errors.len(),
        resync: Resync {
            seconds: again_seconds,
            files: second.files,
            parsed: second.parsed,
            unchanged: second.unchanged,
            removed: second.removed.len(),
            files_per_s: second.files as f64 / again_seconds,
            blocks: second.blocks,
            edges: second.edges,
            calls_resolved: second.calls_resolved,
            same_graph: (
                second.blocks,
                second.edges,
                second.calls,
                second.calls_resolved,
            ) == (first.blocks, first.edges, first.calls, first.calls_resolved),
        },
        sstables: 0,
        db_mb: 0.0,
        peak_rss_mb: peak_rss_mb(),
    }
}

/// Files, bytes, blocks and (resolved) calls per language, from the stored records.
fn per_language(db: &Database, workspace: &str) -> Result<Vec<LanguageFigures>> {
    let store = db.store();
    let indexes = store.file_indexes(workspace)?;
    let callable: std::collections::HashSet<&str> = indexes
        .iter()
        .flat_map(|(_, i)| &i.symbols)
        .filter(|s| s.kind.is_callable())
        .map(|s| s.name.as_str())
        .collect();
    let mut by: BTreeMap<Language, LanguageFigures> = BTreeMap::new();
    let mut language_of: BTreeMap<String, Language> = BTreeMap::new();
    for f in store.files(workspace)? {
        let l = by.entry(f.language).or_default();
        l.files += 1;
        l.mb += mb(f.size);
        language_of.insert(f.path, f.language);
    }
    for (path, index) in &indexes {
        let Some(language) = index.language.or_else(|| language_of.get(path).copied()) else {
            continue;
        };
        let l = by.entry(language).or_default();
        l.blocks += index.symbols.len();
        l.edges += index.edges.len();
        for e in index.edges.iter().filter(|e| e.kind == EdgeKind::Calls) {
            l.calls += 1;
            l.calls_resolved += usize::from(e.info.resolved);
            let name = e.info.target_text.rsplit([':', '.']).next().unwrap_or("");
            l.calls_named_in_workspace += usize::from(e.info.resolved || callable.contains(name));
        }
    }
    Ok(by
        .into_iter()
        .map(|(language, mut l)| {
            l.language = language.as_str().to_string();
            l.resolved_share = share(l.calls_resolved, l.calls);
            l.resolved_share_of_named = share(l.calls_resolved, l.calls_named_in_workspace);
            l
        })
        .collect())
}

fn print(r: &Report) {
    let mut rows: Vec<(String, String, &str)> = vec![
        ("threads".into(), r.threads.to_string(), "cores"),
        (
            "libraries (synced first, not timed)".into(),
            match r.libraries.as_slice() {
                [] => "none".into(),
                l => l
                    .iter()
                    .map(|l| format!("{} ({} files, {:.1} MB)", l.name, l.files, l.mb_parsed))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            "",
        ),
        (
            "files (supported languages)".into(),
            r.files.to_string(),
            "",
        ),
        ("files parsed".into(), r.parsed.to_string(), ""),
        ("source parsed".into(), format!("{:.1}", r.mb_parsed), "MB"),
        ("sync time".into(), format!("{:.2}", r.seconds), "s"),
        ("files/s".into(), format!("{:.0}", r.files_per_s), "files/s"),
        ("MB/s".into(), format!("{:.2}", r.mb_per_s), "MB/s"),
        (
            "MB/s per core".into(),
            format!("{:.2}", r.mb_per_s_per_core),
            "MB/s",
        ),
        (
            "sync CPU time / MB per CPU second".into(),
            match (r.cpu_seconds, r.mb_per_cpu_s) {
                (Some(c), Some(m)) => format!("{c:.1} / {m:.2}"),
                _ => "n/a".into(),
            },
            "s / MB/s",
        ),
        (
            "phases: walk / parse / symbols / resolve+write / finish".into(),
            r.phase_seconds.map(|s| format!("{s:.2}")).join(" / "),
            "s",
        ),
        ("blocks".into(), r.blocks.to_string(), ""),
        ("edges".into(), r.edges.to_string(), ""),
        ("calls".into(), r.calls.to_string(), ""),
        ("calls resolved".into(), r.calls_resolved.to_string(), ""),
        (
            "calls resolved share".into(),
            format!("{:.1}", 100.0 * r.resolved_share),
            "%",
        ),
    ];
    for l in &r.languages {
        rows.push((
            format!("{}: files / MB", l.language),
            format!("{} / {:.1}", l.files, l.mb),
            "",
        ));
        rows.push((
            format!("{}: blocks / edges", l.language),
            format!("{} / {}", l.blocks, l.edges),
            "",
        ));
        rows.push((
            format!("{}: calls resolved", l.language),
            format!(
                "{} of {} ({:.1}%)",
                l.calls_resolved,
                l.calls,
                100.0 * l.resolved_share
            ),
            "",
        ));
        rows.push((
            format!("{}: of calls named in the workspace", l.language),
            format!(
                "{} of {} ({:.1}%)",
                l.calls_resolved,
                l.calls_named_in_workspace,
                100.0 * l.resolved_share_of_named
            ),
            "",
        ));
    }
    rows.extend([
        (
            "skipped: large / binary".into(),
            format!("{} / {}", r.skipped_large, r.skipped_binary),
            "files",
        ),
        (
            "unsupported (other files)".into(),
            r.unsupported.to_string(),
            "files",
        ),
        (
            "syntax errors / read errors".into(),
            format!("{} / {}", r.syntax_errors, r.errors),
            "files",
        ),
        (
            "resync (unchanged): time".into(),
            format!("{:.2}", r.resync.seconds),
            "s",
        ),
        (
            "resync: files checked/s".into(),
            format!("{:.0}", r.resync.files_per_s),
            "files/s",
        ),
        (
            "resync: parsed / unchanged / removed".into(),
            format!(
                "{} / {} / {}",
                r.resync.parsed, r.resync.unchanged, r.resync.removed
            ),
            "files",
        ),
        (
            "resync: same graph".into(),
            r.resync.same_graph.to_string(),
            "",
        ),
    ]);
    rows.push((
        "database: SSTables / size".into(),
        format!("{} / {:.0}", r.sstables, r.db_mb),
        "MB",
    ));
    if let Some(rss) = r.peak_rss_mb {
        rows.push(("peak RSS".into(), format!("{rss:.0}"), "MB"));
    }
    print_table(&format!("ingest {}", r.path), &rows);
}
