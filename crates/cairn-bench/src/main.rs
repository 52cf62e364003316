//! `cairn-bench`: workload benchmarks for Cairn, run against other engines on the same
//! disk in the same process run.

use clap::{Parser, Subcommand};

mod alloc_count;
mod graph;
mod ingest;
mod query;
mod storage;
mod util;

#[global_allocator]
static ALLOC: alloc_count::Counting = alloc_count::Counting;

#[derive(Parser)]
#[command(name = "cairn-bench", about = "Cairn benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Storage engine: Cairn against fjall (puts, batches, reads, prefix scans).
    Storage(storage::Args),
    /// Ingestion: link and sync a real tree, then resync it unchanged.
    Ingest(ingest::Args),
    /// Graph queries on a synthetic project: name lookups (index vs scan), callers.
    Graph(graph::Args),
    /// PartiQL queries: Cairn's VM against the legacy partiql-eval evaluator.
    Query(query::Args),
}

fn main() -> anyhow::Result<()> {
    // SAFETY: first thing in `main`, before any parser exists.
    unsafe { cairn::parse_with_mimalloc() };
    match Cli::parse().command {
        Command::Storage(args) => storage::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Query(args) => query::run(&args),
    }
}
