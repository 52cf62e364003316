//! What each subcommand does.

use crate::output::{Format, Rows};
use crate::report::CliError;
use crate::{Cli, Command, RelationArg};
use cairn::{BlockKind, Database, OwnedValue, Related, Relation, Shape, SyncOptions, SyncSummary};
use std::io::Write;
use std::time::Instant;

pub type Result<T = ()> = std::result::Result<T, CliError>;

/// How many paths of each kind of skipped file a sync summary lists.
const LISTED_PATHS: usize = 10;

/// The database directory a command uses: `--db`, else the default.
pub fn database_dir(cli: &Cli) -> std::path::PathBuf {
    cli.db.clone().unwrap_or_else(Database::default_dir)
}

pub fn run(cli: Cli) -> Result {
    let dir = database_dir(&cli);
    // These two never print to stdout (the MCP server's is the protocol's alone),
    // and must not hold its lock.
    match cli.command {
        Command::Mcp { watch } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            return crate::mcp::run(crate::watch::Shared::new(db), watch, cli.verbose);
        }
        Command::Watch { name } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            return crate::watch::run_watch(db, name, cli.verbose);
        }
        _ => {}
    }
    let format = cli.format.unwrap_or_else(Format::default_for_stdout);
    let out = &mut std::io::stdout().lock();
    match cli.command {
        Command::Link {
            path,
            name,
            no_sync,
            libraries,
        } => {
            // Check the path first, so a mistyped one leaves no empty database behind.
            check_workspace_root(&path)?;
            let db = warn_on_recovery(Database::open(&dir)?);
            // Libraries first, so a mistyped one links nothing.
            let known: Vec<String> = db.workspaces()?.into_iter().map(|w| w.name).collect();
            if let Some(missing) = libraries.iter().find(|l| !known.contains(l)) {
                return Err(cairn::Error::Invalid(format!(
                    "no workspace named `{missing}` to use as a library (link it first; \
                     `cairn std` links the Rust standard library)"
                ))
                .into());
            }
            let mut ws = db.link(&path, name.as_deref())?;
            if !libraries.is_empty() {
                ws = db.set_libraries(&ws.name, &libraries)?;
            }
            let uses = match ws.libraries.as_slice() {
                [] => String::new(),
                l => format!(", using {}", l.join(", ")),
            };
            eprintln!(
                "linked workspace `{}` at {}{uses} (database {})",
                ws.name,
                ws.root,
                dir.display()
            );
            if !no_sync {
                sync_one(&db, &ws.name, cli.verbose)?;
            }
            if ws.libraries.is_empty()
                && std::path::Path::new(&ws.root).join("Cargo.toml").is_file()
            {
                eprintln!(
                    "hint: calls into Rust's standard library stay unresolved without its \
                     sources: run `cairn std`, then `cairn link {} --library rust-std`",
                    ws.root
                );
            }
        }
        Command::Std { name, no_sync } => {
            let db = warn_on_recovery(Database::open(&dir)?);
            let ws = db.link_rust_std(&name)?;
            eprintln!(
                "linked the Rust standard library as workspace `{}` at {} (use it with \
                 `cairn link PATH --library {}`)",
                ws.name, ws.root, ws.name
            );
            if !no_sync {
                sync_one(&db, &ws.name, cli.verbose)?;
            }
        }
        Command::Sync { name, all } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            let names: Vec<String> = match name {
                Some(n) if !all => vec![n],
                _ => {
                    // Libraries first: the others then resolve against their new state.
                    let all = db.workspaces()?;
                    let is_library =
                        |n: &str| all.iter().any(|w| w.libraries.iter().any(|l| l == n));
                    let (mut names, rest): (Vec<String>, Vec<String>) = all
                        .iter()
                        .map(|w| w.name.clone())
                        .partition(|n| is_library(n));
                    names.extend(rest);
                    names
                }
            };
            if names.is_empty() {
                eprintln!("no workspaces linked (link one with `cairn link PATH`)");
            }
            for n in names {
                sync_one(&db, &n, cli.verbose)?;
            }
        }
        Command::Unlink { name } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            db.unlink(&name)?;
            eprintln!("unlinked workspace `{name}` and removed its data");
        }
        Command::Find {
            name,
            kind,
            workspace,
        } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            let kind = kind.as_deref().map(parse_kind).transpose()?;
            let mut rows =
                Rows::new(&["kind", "qualified_name", "path", "line", "signature", "id"]);
            for b in db.find(&name, kind, workspace.as_deref())? {
                rows.push(vec![
                    b.kind.as_str().into(),
                    b.qualified_name.into(),
                    b.path.into(),
                    OwnedValue::Int(i64::from(b.span.start_line)),
                    b.signature.into(),
                    b.id.to_string().into(),
                ]);
            }
            rows.print(format, out)?;
        }
        Command::Show {
            relation,
            target,
            depth,
        } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            let relation = match relation {
                RelationArg::Callers => Relation::Callers,
                RelationArg::Callees => Relation::Callees,
                RelationArg::Imports => Relation::Imports,
                RelationArg::Importers => Relation::Importers,
            };
            related_rows(&db.show(&target, relation, depth)?).print(format, out)?;
        }
        Command::Trace { from, to, depth } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            match db.trace(&from, &to, depth)? {
                None => {
                    return Err(cairn::Error::Invalid(format!(
                        "no call path from `{from}` to `{to}` within {depth} calls"
                    ))
                    .into())
                }
                Some(path) => {
                    let mut rows = Rows::new(&["step", "kind", "qualified_name", "path", "line"]);
                    for (i, b) in path.into_iter().enumerate() {
                        rows.push(vec![
                            OwnedValue::Int(i as i64),
                            b.kind.as_str().into(),
                            b.qualified_name.into(),
                            b.path.into(),
                            OwnedValue::Int(i64::from(b.span.start_line)),
                        ]);
                    }
                    rows.print(format, out)?;
                }
            }
        }
        Command::Context { target } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            let cx = db.context(&target)?;
            print_context(&cx, format, out)?;
        }
        Command::Query { statement } => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            run_query(&db, &statement, format, out)?;
        }
        Command::Repl => {
            let db = warn_on_recovery(Database::open(&dir)?);
            crate::repl::run(&db, format)?;
        }
        Command::Status => {
            let db = warn_on_recovery(Database::open_existing(&dir)?);
            let s = db.status()?;
            eprintln!(
                "database {}: {} on disk, {} SSTable(s)",
                s.dir.display(),
                human_bytes(s.disk_bytes),
                s.sstables
            );
            let mut rows = Rows::new(&[
                "workspace",
                "root",
                "files",
                "blocks",
                "edges",
                "last_sync",
                "libraries",
            ]);
            for w in s.workspaces {
                rows.push(vec![
                    w.name.into(),
                    w.root.into(),
                    OwnedValue::Int(w.files as i64),
                    OwnedValue::Int(w.blocks as i64),
                    OwnedValue::Int(w.edges as i64),
                    w.last_sync.into(),
                    w.libraries.join(",").into(),
                ]);
            }
            rows.print(format, out)?;
        }
        Command::Mcp { .. } | Command::Watch { .. } => unreachable!("handled above"),
    }
    out.flush()?;
    Ok(())
}

/// Runs one statement (or `EXPLAIN` of one) and prints its result.
pub fn run_query(db: &Database, text: &str, format: Format, out: &mut dyn Write) -> Result {
    let trimmed = text.trim().trim_end_matches(';');
    // `EXPLAIN` and any whitespace (a newline, in the REPL) before the statement.
    let explain = trimmed
        .split_once(char::is_whitespace)
        .filter(|(word, _)| word.eq_ignore_ascii_case("explain"))
        .map(|(_, rest)| rest.trim_start());
    if let Some(inner) = explain {
        let plan = db
            .explain(inner)
            .map_err(|e| CliError::with_query(e, inner))?;
        write!(out, "{plan}")?;
        return Ok(());
    }
    let mut stmt = db
        .prepare(trimmed)
        .map_err(|e| CliError::with_query(e, trimmed))?;
    let columns = match stmt.shape() {
        Shape::Tuples(cols) => Some(cols.clone()),
        _ => None,
    };
    let value = stmt
        .execute_owned(&[])
        .map_err(|e| CliError::with_query(e, trimmed))?;
    let values = match value {
        OwnedValue::Bag(v) | OwnedValue::List(v) => v,
        scalar => vec![scalar],
    };
    Rows::from_values(values, columns.as_deref()).print(format, out)?;
    Ok(())
}

fn sync_one(db: &Database, name: &str, verbose: bool) -> Result {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} syncing {msg} [{bar:30}] {pos}/{len} files, {per_sec}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_string());
    let started = Instant::now();
    let summary = db.sync(name, &SyncOptions::default(), &|p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    });
    bar.finish_and_clear();
    eprint!(
        "{}",
        summary_text(&summary?, started.elapsed().as_secs_f64(), verbose)
    );
    Ok(())
}

/// A workspace root must be an existing directory.
fn check_workspace_root(path: &std::path::Path) -> Result {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(cairn::Error::Invalid(format!(
            "cannot link {}: not a directory (link the directory that holds the code)",
            path.display()
        ))
        .into()),
        Err(e) => Err(cairn::Error::Invalid(format!("cannot link {}: {e}", path.display())).into()),
    }
}

/// What a sync did, for stderr. Files in unsupported languages (manifests, docs,
/// data) are many and expected, so they are only counted unless `verbose`; files
/// skipped as too large or binary, with syntax errors, and failures are always
/// listed (the first [`LISTED_PATHS`] of each, all of them if `verbose`).
pub(crate) fn summary_text(s: &SyncSummary, secs: f64, verbose: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mb = s.bytes_parsed as f64 / 1e6;
    let _ = writeln!(
        out,
        "synced `{}`: {} files ({} parsed, {} unchanged, {} removed), {} blocks, {} edges, {:.0}% of {} calls resolved, {:.1} MB in {:.2}s",
        s.workspace,
        s.files,
        s.parsed,
        s.unchanged,
        s.removed.len(),
        s.blocks,
        s.edges,
        if s.calls == 0 { 100.0 } else { 100.0 * s.calls_resolved as f64 / s.calls as f64 },
        s.calls,
        mb,
        secs
    );
    if verbose {
        let p = &s.phases;
        let _ = writeln!(
            out,
            "  time: walk {:.2}s, parse {:.2}s, symbols {:.2}s, resolve and write {:.2}s, finish {:.2}s",
            p.walk.as_secs_f64(),
            p.parse.as_secs_f64(),
            p.symbols.as_secs_f64(),
            p.resolve_write.as_secs_f64(),
            p.finish.as_secs_f64()
        );
    }
    let limit = if verbose { usize::MAX } else { LISTED_PATHS };
    let mut list = |what: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(out, "  {} {what}:", lines.len());
        for l in lines.iter().take(limit) {
            let _ = writeln!(out, "    {l}");
        }
        if lines.len() > limit {
            let _ = writeln!(out, "    ... and {} more", lines.len() - limit);
        }
    };
    list(
        "files with syntax errors (indexed as far as they parse)",
        s.syntax_errors.clone(),
    );
    list(
        "files over the size limit, skipped",
        s.skipped_large.clone(),
    );
    list("binary files, skipped", s.skipped_binary.clone());
    if verbose {
        list(
            "files in unsupported languages, skipped",
            s.unsupported.clone(),
        );
    }
    list(
        "files could not be indexed",
        s.errors
            .iter()
            .map(|(p, why)| format!("{p}: {why}"))
            .collect(),
    );
    if !verbose && !s.unsupported.is_empty() {
        let _ = writeln!(
            out,
            "  {} files in unsupported languages, skipped (--verbose lists them)",
            s.unsupported.len()
        );
    }
    out
}

fn related_rows(related: &[Related]) -> Rows {
    let mut rows = Rows::new(&[
        "distance",
        "kind",
        "qualified_name",
        "path",
        "line",
        "site_line",
        "via",
    ]);
    for r in related {
        let (kind, path, line) = match &r.block {
            Some(b) => (
                b.kind.as_str(),
                OwnedValue::from(b.path.as_str()),
                OwnedValue::Int(i64::from(b.span.start_line)),
            ),
            None => ("unresolved", OwnedValue::Null, OwnedValue::Null),
        };
        rows.push(vec![
            OwnedValue::Int(i64::from(r.distance)),
            kind.into(),
            r.name.as_str().into(),
            path,
            line,
            OwnedValue::Int(i64::from(r.line)),
            r.path.join(" -> ").into(),
        ]);
    }
    rows
}

fn print_context(cx: &cairn::Context, format: Format, out: &mut dyn Write) -> Result {
    let b = &cx.block;
    if format != Format::Table {
        let sigs = |rs: &[Related]| -> OwnedValue {
            OwnedValue::List(
                rs.iter()
                    .map(|r| {
                        OwnedValue::tuple([
                            ("qualified_name", OwnedValue::from(r.name.as_str())),
                            (
                                "signature",
                                r.block
                                    .as_ref()
                                    .map_or(OwnedValue::Null, |b| b.signature.as_str().into()),
                            ),
                            (
                                "path",
                                r.block
                                    .as_ref()
                                    .map_or(OwnedValue::Null, |b| b.path.as_str().into()),
                            ),
                            // The block's own line (with `path`, where it is), and the
                            // line of the call site (in the caller's file).
                            (
                                "line",
                                r.block.as_ref().map_or(OwnedValue::Null, |b| {
                                    OwnedValue::Int(i64::from(b.span.start_line))
                                }),
                            ),
                            ("site_line", OwnedValue::Int(i64::from(r.line))),
                        ])
                    })
                    .collect(),
            )
        };
        let mut rows = Rows::new(&[
            "qualified_name",
            "kind",
            "path",
            "start_line",
            "end_line",
            "signature",
            "doc",
            "source",
            "callers",
            "callees",
        ]);
        rows.push(vec![
            b.qualified_name.as_str().into(),
            b.kind.as_str().into(),
            b.path.as_str().into(),
            OwnedValue::Int(i64::from(b.span.start_line)),
            OwnedValue::Int(i64::from(b.span.end_line)),
            b.signature.as_str().into(),
            b.doc.as_str().into(),
            b.source.as_str().into(),
            sigs(&cx.callers),
            sigs(&cx.callees),
        ]);
        rows.print(format, out)?;
        return Ok(());
    }
    writeln!(
        out,
        "// {} {} — {}:{}-{}",
        b.kind, b.qualified_name, b.path, b.span.start_line, b.span.end_line
    )?;
    if !b.doc.is_empty() {
        for l in b.doc.lines() {
            writeln!(out, "// {l}")?;
        }
    }
    writeln!(
        out,
        "{}",
        if b.source.is_empty() {
            &b.signature
        } else {
            &b.source
        }
    )?;
    for (title, list) in [("callers", &cx.callers), ("callees", &cx.callees)] {
        writeln!(out, "\n// {title} ({})", list.len())?;
        for r in list {
            match &r.block {
                Some(c) => writeln!(out, "{}:{}  {}", c.path, c.span.start_line, c.signature)?,
                None => writeln!(out, "?  {}", r.name)?,
            }
        }
    }
    Ok(())
}

fn parse_kind(k: &str) -> Result<BlockKind> {
    BlockKind::parse(k).ok_or_else(|| {
        cairn::Error::Invalid(format!(
            "unknown kind `{k}`; kinds are {}",
            BlockKind::ALL.map(BlockKind::as_str).join(", ")
        ))
        .into()
    })
}

fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// Tells the user, on stderr, what crash recovery dropped when the database opened.
fn warn_on_recovery(db: Database) -> Database {
    for w in db.recovery_warnings() {
        eprintln!("warning: {w}");
    }
    db
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i:02}")).collect()
    }

    #[test]
    fn a_sync_summary_counts_unsupported_files_and_lists_the_notable_ones() {
        let s = SyncSummary {
            workspace: "w".into(),
            files: 3,
            parsed: 3,
            unsupported: paths("doc", 12),
            skipped_binary: paths("bin", 12),
            skipped_large: vec!["big.rs".into()],
            errors: vec![("bad.rs".into(), "unreadable".into())],
            phases: cairn::SyncPhases {
                parse: std::time::Duration::from_millis(1250),
                ..cairn::SyncPhases::default()
            },
            ..SyncSummary::default()
        };
        let quiet = summary_text(&s, 0.5, false);
        assert!(quiet.starts_with("synced `w`: 3 files (3 parsed, 0 unchanged, 0 removed)"));
        assert!(
            quiet.contains("  12 files in unsupported languages, skipped (--verbose lists them)\n")
        );
        assert!(!quiet.contains("doc00"), "{quiet}");
        assert!(!quiet.contains("time:"), "{quiet}");
        assert!(
            quiet.contains("  12 binary files, skipped:\n    bin00\n"),
            "{quiet}"
        );
        assert!(quiet.contains("    bin09\n    ... and 2 more\n"), "{quiet}");
        assert!(quiet.contains("  1 files over the size limit, skipped:\n    big.rs\n"));
        assert!(quiet.contains("  1 files could not be indexed:\n    bad.rs: unreadable\n"));

        let verbose = summary_text(&s, 0.5, true);
        assert!(
            verbose.contains("\n  time: walk 0.00s, parse 1.25s, symbols 0.00s,"),
            "{verbose}"
        );
        assert!(verbose.contains("  12 files in unsupported languages, skipped:\n    doc00\n"));
        assert!(verbose.contains("    doc11\n") && verbose.contains("    bin11\n"));
        assert!(!verbose.contains("more"), "{verbose}");
    }
}
