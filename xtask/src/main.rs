//! `cargo xtask`: the project's chores, run through a cargo alias.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod bench;
mod fuzz;

/// Chores for working on rehose.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the benchmarks and write BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Seed the fuzz corpora from the captures and run every fuzz target.
    Fuzz(fuzz::FuzzArgs),
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Bench(args) => bench::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Fuzz(args) => fuzz::run(&args).map(|()| ExitCode::SUCCESS),
    }
}
