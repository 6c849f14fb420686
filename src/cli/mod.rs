//! The `rehose` command line: argument parsing and the thin glue that hands
//! each command to the library.

mod args;
mod import;

use anyhow::Result;
use clap::Parser;

pub use args::Cli;
use args::Command;

/// Parses the command line and runs the command.
pub fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log.as_deref());
    match cli.command {
        Command::Import(args) => import::run(args),
        Command::Demo(_)
        | Command::Serve(_)
        | Command::Stream(_)
        | Command::Record(_)
        | Command::Inspect(_) => anyhow::bail!("not available yet"),
    }
}

/// Diagnostics go to stderr, filtered by `--log` or `RUST_LOG` (default:
/// warnings only), so stdout carries nothing but the messages.
fn init_logging(filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = match filter {
        Some(filter) => EnvFilter::new(filter),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
