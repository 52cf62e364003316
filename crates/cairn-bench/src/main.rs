//! `cairn-bench`: workload benchmarks for Cairn, run against other engines on the same
//! disk in the same process run.

use clap::{Parser, Subcommand};

mod storage;

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
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Storage(args) => storage::run(&args),
    }
}
