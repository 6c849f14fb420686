//! `cargo xtask`: the project's chores, run through a cargo alias.
//!
//! `cargo xtask fixtures` regenerates the bundled fixtures in `fixtures/`
//! from `rehose::fixture::generate`; `--check` only compares, and fails if
//! regenerating would change a file (for CI).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use rehose::fixture::generate;

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
    /// Regenerate the bundled fixtures in fixtures/.
    Fixtures {
        /// Do not write: fail if any file differs from what the generator
        /// makes.
        #[arg(long)]
        check: bool,
        /// The folder to write to (default: fixtures/ of the workspace).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Run the benchmarks and write BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Seed the fuzz corpora from the captures and run every fuzz target.
    Fuzz(fuzz::FuzzArgs),
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Fixtures { check, dir } => {
            let dir = dir.unwrap_or_else(|| workspace_root().join("fixtures"));
            fixtures(&dir, check)
        }
        Command::Bench(args) => bench::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Fuzz(args) => fuzz::run(&args).map(|()| ExitCode::SUCCESS),
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn fixtures(dir: &Path, check: bool) -> Result<ExitCode> {
    let mut stale = Vec::new();
    for bundled in generate::bundled() {
        let path = dir.join(bundled.name);
        let bytes = bundled.fixture.to_bytes();
        let current = match std::fs::read(&path) {
            Ok(current) => Some(current),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        if current.as_deref() == Some(&bytes[..]) {
            println!("{}: up to date", path.display());
            continue;
        }
        if check {
            stale.push(path);
            continue;
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        let messages = bundled.fixture.message_count();
        println!("{}: wrote {} bytes, {messages} messages", path.display(), bytes.len());
    }
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for path in &stale {
        eprintln!("{}: differs from the generator's output", path.display());
    }
    eprintln!("run `cargo xtask fixtures` and commit the result");
    Ok(ExitCode::FAILURE)
}
