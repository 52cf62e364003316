//! `cairn`: index a codebase into an embedded database and ask it questions.

mod commands;
mod mcp;
mod output;
mod repl;
mod report;
mod tools;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "Cairn: a code-context graph database queried in PartiQL"
)]
pub struct Cli {
    /// Database directory (default: $CAIRN_HOME, else .cairn in the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    db: Option<PathBuf>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, global = true, value_enum)]
    format: Option<Format>,
    /// Say more: a sync lists every file it skipped, not only the notable ones, and the
    /// time of each of its phases.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Link a directory as a workspace and index it.
    Link {
        path: PathBuf,
        /// Workspace name (default: the directory's name).
        #[arg(long)]
        name: Option<String>,
        /// Link only; index later with `cairn sync`.
        #[arg(long)]
        no_sync: bool,
        /// A linked workspace whose definitions this one's calls and imports may
        /// resolve to, such as the standard library linked by `cairn std`
        /// (repeatable; replaces the workspace's libraries when given).
        #[arg(long = "library", value_name = "NAME")]
        libraries: Vec<String>,
    },
    /// Link the Rust standard library's sources (from the toolchain's rust-src
    /// component, else recovered from its rust-docs pages) as a workspace, for
    /// other workspaces to use with `cairn link PATH --library rust-std`.
    Std {
        /// Workspace name.
        #[arg(long, default_value = "rust-std")]
        name: String,
        /// Link only; index later with `cairn sync`.
        #[arg(long)]
        no_sync: bool,
    },
    /// Re-index changed files of a workspace (all workspaces without a name).
    Sync {
        name: Option<String>,
        /// Sync every workspace.
        #[arg(long, conflicts_with = "name")]
        all: bool,
    },
    /// Remove a workspace and all its data.
    Unlink { name: String },
    /// Find blocks by name or qualified name.
    Find {
        name: String,
        /// Only blocks of this kind (function, method, struct, ...).
        #[arg(long)]
        kind: Option<String>,
        /// Only blocks of this workspace.
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Show callers, callees, imports or importers of a block.
    Show {
        #[arg(value_enum)]
        relation: RelationArg,
        /// A block id, a qualified name or a name.
        target: String,
        /// How many edges away to look (1 to 64).
        #[arg(long, default_value_t = 1, value_parser = depth)]
        depth: u32,
    },
    /// A shortest call path from one block to another.
    Trace {
        from: String,
        to: String,
        /// The longest path to look for, in calls (1 to 64).
        #[arg(long, default_value_t = 16, value_parser = depth)]
        depth: u32,
    },
    /// A block's source with its callers and callees: a bundle for a prompt.
    Context { target: String },
    /// Run a PartiQL statement (prefix with EXPLAIN to see its plan).
    Query { statement: String },
    /// An interactive PartiQL shell.
    Repl,
    /// Workspaces, counts, sizes and last syncs.
    Status,
    /// Serve coding agents: a Model Context Protocol server on stdin/stdout.
    Mcp {
        /// Keep the workspaces in sync: re-sync a workspace soon after a file in it
        /// changes (as `cairn watch` does).
        #[arg(long)]
        watch: bool,
    },
    /// Sync a workspace (every workspace without a name), then re-sync it whenever
    /// its files change, until interrupted.
    Watch { name: Option<String> },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RelationArg {
    Callers,
    Callees,
    Imports,
    Importers,
}

/// A traversal depth: at least one edge, at most what the graph functions allow.
fn depth(text: &str) -> Result<u32, String> {
    let max = cairn::functions::MAX_DEPTH;
    match text.parse::<i64>() {
        Ok(d) if (1..=max).contains(&d) => Ok(d as u32),
        _ => Err(format!("a depth is a whole number from 1 to {max}")),
    }
}

fn main() -> ExitCode {
    // SAFETY: first thing in `main`, before any parser exists.
    unsafe { cairn::parse_with_mimalloc() };
    let cli = Cli::parse();
    let dir = commands::database_dir(&cli);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report::print(&err);
            if err.error.is_corruption() {
                // The database only holds what indexing derived from the sources.
                eprintln!(
                    "hint: the database at {} is damaged; remove that directory and run \
                     `cairn link PATH` again to rebuild it from the sources",
                    dir.display()
                );
            }
            ExitCode::FAILURE
        }
    }
}
