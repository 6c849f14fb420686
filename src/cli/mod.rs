//! The `rehose` command line: argument parsing and the thin glue that hands
//! each command to the library.

/// Like `eprintln!`, but a closed stderr (`2>&1 | head`) is not a panic:
/// diagnostics are best effort, the messages on stdout are what matter.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod connect;
mod demo;
mod import;
mod load;
mod output;
mod record;
mod rules;
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
        Command::Record(args) => runtime.block_on(record::run(args)),
        Command::Inspect(args) => record::inspect(args),
        Command::Rules(args) => runtime.block_on(rules::run(args)),
    }
}

/// Diagnostics go to stderr, filtered by `--log` or `RUST_LOG`, so stdout
/// carries nothing but the messages. By default only errors are logged:
/// the commands report warnings (reconnects, skipped frames) themselves.
fn init_logging(filter: Option<&str>) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = match filter {
        Some(filter) => EnvFilter::new(filter),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("error")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
