//! `rehose import`: a message-per-line capture into a fixture.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use rehose::fixture::import::{import, ImportOptions, KeepAlive, Pace};

use super::args::ImportArgs;

pub fn run(args: ImportArgs) -> Result<()> {
    let capture = std::fs::read(&args.input)
        .with_context(|| format!("cannot read the capture {}", args.input.display()))?;

    let pace = if args.timestamps { Pace::Timestamps } else { Pace::PerSecond(args.rate) };
    let keep_alive = match args.keep_alive.as_deref() {
        None => KeepAlive::Auto,
        Some("off") => KeepAlive::Off,
        Some(seconds) => {
            let seconds: f64 =
                seconds.parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0).with_context(
                    || {
                        format!(
                        "--keep-alive {seconds}: expected a positive number of seconds or `off`"
                    )
                    },
                )?;
            KeepAlive::Every(Duration::from_secs_f64(seconds))
        }
    };
    let mut options = ImportOptions::new()
        .framing(args.framing)
        .pace(pace)
        .keep_alive(keep_alive)
        .source(args.input.display().to_string());
    if let Some(endpoint) = args.endpoint {
        options = options.endpoint(endpoint);
    }

    let imported = import(&capture, &options)
        .with_context(|| format!("importing {}", args.input.display()))?;
    for warning in &imported.warnings {
        note!("warning: {}:{}: {}", args.input.display(), warning.line, warning.message);
    }
    let fixture = imported.fixture;
    if fixture.message_count() == 0 {
        bail!("{}: no message found; expected one JSON message per line", args.input.display());
    }
    fixture
        .write(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    note!(
        "wrote {}: {} messages in {} connection(s), {} framing",
        args.output.display(),
        fixture.message_count(),
        fixture.connections.len(),
        args.framing
    );
    Ok(())
}
