//! The `rehose` command line: argument parsing and the thin glue that hands
//! each command to the library.

mod args;
mod connect;
mod demo;
mod import;
mod load;
mod output;
mod serve;
mod stream;

use anyhow::Result;
use clap::Parser;

pub use args::Cli;
use args::Command;

/// Parses the command line and runs the command.
pub fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log.as_deref());
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Demo(args) => runtime.block_on(demo::run(args)),
        Command::Serve(args) => runtime.block_on(serve::run(args)),
        Command::Stream(args) => runtime.block_on(stream::run(args)),
        Command::Import(args) => import::run(args),
        Command::Record(_) | Command::Inspect(_) => anyhow::bail!("not available yet"),
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
