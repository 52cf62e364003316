//! `cairn-bench`: workload benchmarks for Cairn, run against other engines on the same
//! disk in the same process run.

use clap::{Parser, Subcommand};

mod graph;
mod ingest;
mod storage;
mod util;

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
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Storage(args) => storage::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Graph(args) => graph::run(&args),
    }
}
