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

pub fn run(cli: Cli) -> Result {
    let dir = cli.db.clone().unwrap_or_else(Database::default_dir);
    let format = cli.format.unwrap_or_else(Format::default_for_stdout);
    let out = &mut std::io::stdout().lock();
    match cli.command {
        Command::Link {
            path,
            name,
            no_sync,
        } => {
            let db = Database::open(&dir)?;
            let ws = db.link(&path, name.as_deref())?;
            eprintln!(
                "linked workspace `{}` at {} (database {})",
                ws.name,
                ws.root,
                dir.display()
            );
            if !no_sync {
                sync_one(&db, &ws.name)?;
            }
        }
        Command::Sync { name, all } => {
            let db = Database::open_existing(&dir)?;
            let names: Vec<String> = match name {
                Some(n) if !all => vec![n],
                _ => db.workspaces()?.into_iter().map(|w| w.name).collect(),
            };
            if names.is_empty() {
                eprintln!("no workspaces linked (link one with `cairn link PATH`)");
            }
            for n in names {
                sync_one(&db, &n)?;
            }
        }
        Command::Unlink { name } => {
            let db = Database::open_existing(&dir)?;
            db.unlink(&name)?;
            eprintln!("unlinked workspace `{name}` and removed its data");
        }
        Command::Find {
            name,
            kind,
            workspace,
        } => {
            let db = Database::open_existing(&dir)?;
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
            let db = Database::open_existing(&dir)?;
            let relation = match relation {
                RelationArg::Callers => Relation::Callers,
                RelationArg::Callees => Relation::Callees,
                RelationArg::Imports => Relation::Imports,
                RelationArg::Importers => Relation::Importers,
            };
            related_rows(&db.show(&target, relation, depth)?).print(format, out)?;
        }
        Command::Trace { from, to, depth } => {
            let db = Database::open_existing(&dir)?;
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
            let db = Database::open_existing(&dir)?;
            let cx = db.context(&target)?;
            print_context(&cx, format, out)?;
        }
        Command::Query { statement } => {
            let db = Database::open_existing(&dir)?;
            run_query(&db, &statement, format, out)?;
        }
        Command::Repl => {
            let db = Database::open(&dir)?;
            crate::repl::run(&db, format)?;
        }
        Command::Status => {
            let db = Database::open_existing(&dir)?;
            let s = db.status()?;
            eprintln!(
                "database {}: {} on disk, {} SSTable(s)",
                s.dir.display(),
                human_bytes(s.disk_bytes),
                s.sstables
            );
            let mut rows =
                Rows::new(&["workspace", "root", "files", "blocks", "edges", "last_sync"]);
            for w in s.workspaces {
                rows.push(vec![
                    w.name.into(),
                    w.root.into(),
                    OwnedValue::Int(w.files as i64),
                    OwnedValue::Int(w.blocks as i64),
                    OwnedValue::Int(w.edges as i64),
                    w.last_sync.into(),
                ]);
            }
            rows.print(format, out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs one statement (or `EXPLAIN` of one) and prints its result.
pub fn run_query(db: &Database, text: &str, format: Format, out: &mut dyn Write) -> Result {
    let trimmed = text.trim().trim_end_matches(';');
    let explain = trimmed
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("explain "))
        .map(|_| &trimmed[8..]);
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

fn sync_one(db: &Database, name: &str) -> Result {
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
    print_summary(&summary?, started.elapsed().as_secs_f64());
    Ok(())
}

fn print_summary(s: &SyncSummary, secs: f64) {
    let mb = s.bytes_parsed as f64 / 1e6;
    eprintln!(
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
    let list = |what: &str, paths: &[String]| {
        if paths.is_empty() {
            return;
        }
        eprintln!("  {} {what}:", paths.len());
        for p in paths.iter().take(LISTED_PATHS) {
            eprintln!("    {p}");
        }
        if paths.len() > LISTED_PATHS {
            eprintln!("    ... and {} more", paths.len() - LISTED_PATHS);
        }
    };
    list(
        "files with syntax errors (indexed as far as they parse)",
        &s.syntax_errors,
    );
    list("files over the size limit, skipped", &s.skipped_large);
    list("binary files, skipped", &s.skipped_binary);
    list("files in unsupported languages, skipped", &s.unsupported);
    if !s.errors.is_empty() {
        eprintln!("  {} files could not be indexed:", s.errors.len());
        for (p, why) in s.errors.iter().take(LISTED_PATHS) {
            eprintln!("    {p}: {why}");
        }
    }
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
                            ("line", OwnedValue::Int(i64::from(r.line))),
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
