//! `rehose demo`: the whole loop in one process. The mock server replays a
//! fixture on a loopback port and the client streams it, printing each
//! message and a summary: no network, no credentials.

use anyhow::{bail, Context, Result};
use rehose::client::Client;
use rehose::protocol::{Credentials, StreamRequest, V2Params};
use rehose::server::{MockServer, Speed};

use super::args::DemoArgs;
use super::load;
use super::output::{self, Ending, Limits};

pub async fn run(args: DemoArgs) -> Result<()> {
    let (fixture, source) = load::fixture(args.fixture.as_deref())?;
    let speed: Speed = args.speed.parse().context("--speed")?;
    let expected = fixture.message_count() as u64;
    let request = demo_request(&fixture);
    let server = MockServer::builder()
        .fixture(fixture)
        .speed(speed)
        .start()
        .await
        .context("starting the mock server")?;
    note!("replaying {source} from {} (speed {})", server.uri(), args.speed);

    // The mock accepts any credentials when none are configured; these
    // only tell this client apart from others in the journal.
    let client = Client::builder()
        .base_url(server.uri())
        .request(request)
        .credentials(Credentials {
            consumer_key: "demo".into(),
            consumer_secret: "demo".into(),
            token: "demo".into(),
            token_secret: "demo".into(),
        })
        .bearer_token("demo")
        .build()
        .context("client settings")?;
    let limits =
        Limits { max_messages: Some(args.max_messages.unwrap_or(expected)), duration: None };
    let mut delivered = output::Delivered::new();
    let ending = output::consume(client.stream(), limits, args.quiet, &mut delivered).await?;
    output::print_summary(&delivered, &client.counters());
    server.shutdown().await;
    match ending {
        Ending::Stopped => Ok(()),
        Ending::GaveUp(reason) => bail!("gave up: {reason}"),
    }
}

/// The endpoint the fixture was recorded from, so the demo asks for what
/// the fixture holds.
fn demo_request(fixture: &rehose::fixture::Fixture) -> StreamRequest {
    let target = fixture.connections.first().map(|c| c.request.target.as_str()).unwrap_or("");
    if target.starts_with("/2/tweets/search") {
        StreamRequest::V2Search(V2Params::default())
    } else if target.starts_with("/2/") {
        StreamRequest::V2Sample(V2Params::default())
    } else {
        StreamRequest::V1Sample
    }
}
