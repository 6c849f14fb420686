//! `rehose stream`: print a stream's messages.

use anyhow::{bail, Context, Result};

use super::args::StreamArgs;
use super::connect::{self, seconds_flag};
use super::output::{self, Ending, Limits};

pub async fn run(args: StreamArgs) -> Result<()> {
    let client =
        connect::builder(&args.connect, &args.endpoint)?.build().context("client settings")?;
    let limits = Limits {
        max_messages: args.max_messages,
        duration: args.duration.map(|s| seconds_flag("--duration", s)).transpose()?,
    };
    let mut delivered = output::Delivered::new();
    let ending = output::consume(client.stream(), limits, false, &mut delivered).await?;
    output::print_summary(&delivered, &client.counters());
    match ending {
        Ending::Stopped => Ok(()),
        Ending::GaveUp(reason) => bail!("gave up: {reason}"),
    }
}
