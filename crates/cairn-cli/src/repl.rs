//! `cairn repl`: an interactive PartiQL shell with history and multi-line input.
//!
//! A statement runs when a line ends with `;` (or on an empty line after input);
//! lines starting with `.` are shell commands.

use crate::commands::{run_query, Result};
use crate::output::Format;
use crate::report;
use cairn::Database;
use rustyline::error::ReadlineError;

const HELP: &str = "\
Statements end with `;` (or an empty line). Commands:
  .help            this text
  .tables          the tables
  .schema [TABLE]  the columns of the tables (or of one)
  .format FORMAT   table, json, jsonl or csv
  .quit            leave (or Ctrl-D)
Functions in FROM: callers(target, depth), callees(target, depth),
neighbors(target, kinds, depth), path(from, to), read_json('file.jsonl').";

pub fn run(db: &Database, mut format: Format) -> Result {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| cairn::Error::Invalid(format!("cannot start the line editor: {e}")))?;
    let history = db.dir().join("repl_history");
    let _ = editor.load_history(&history);
    println!("Cairn PartiQL shell; `.help` for help.");
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "cairn> "
        } else {
            "   ...> "
        };
        let line = match editor.readline(prompt) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(cairn::Error::Invalid(format!("input: {e}")).into()),
        };
        let trimmed = line.trim();
        if buffer.is_empty() && trimmed.starts_with('.') {
            let _ = editor.add_history_entry(trimmed);
            let mut words = trimmed.split_whitespace();
            match (words.next(), words.next()) {
                (Some(".quit" | ".exit"), _) => break,
                (Some(".help"), _) => println!("{HELP}"),
                (Some(".tables"), _) => {
                    for (t, _) in Database::tables() {
                        println!("{t}");
                    }
                }
                (Some(".schema"), table) => {
                    for (t, cols) in Database::tables() {
                        if table.is_none_or(|n| n.eq_ignore_ascii_case(t)) {
                            println!("{t}({})", cols.join(", "));
                        }
                    }
                }
                (Some(".format"), Some(f)) => {
                    match <Format as clap::ValueEnum>::from_str(f, true) {
                        Ok(f) => format = f,
                        Err(_) => eprintln!("unknown format `{f}`: table, json, jsonl or csv"),
                    }
                }
                _ => eprintln!("unknown command `{trimmed}`; `.help` lists them"),
            }
            continue;
        }
        if trimmed.is_empty() && buffer.trim().is_empty() {
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if trimmed.ends_with(';') || trimmed.is_empty() {
            let statement = std::mem::take(&mut buffer);
            let _ = editor.add_history_entry(statement.trim());
            let mut out = std::io::stdout().lock();
            if let Err(e) = run_query(db, &statement, format, &mut out) {
                report::print(&e);
            }
        }
    }
    let _ = editor.save_history(&history);
    Ok(())
}
