//! How closely a mock server keeps the recorded pace: connects CLIENTS
//! clients (each with credentials of its own, so each gets the bundled
//! `v1-sample` fixture from its first message) to a server replaying that
//! fixture at `--speed 1`, records when each message arrives, and compares
//! it with the fixture's offset for it.
//!
//! A message's lateness is `(arrival - offset)` minus the smallest such
//! difference on its connection: the earliest-delivered message sets the
//! connection's zero, since the response start itself is not observable
//! from outside the server. Arrival is taken after rehose's client has
//! framed and classified the message, so the figure also holds the
//! client's own delay: an upper bound on the server's lateness.
//!
//! Prints one JSON line with the lateness distribution in milliseconds.
//!
//! Usage: `pacing BASE_URL CLIENTS SECONDS`

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use futures_util::StreamExt;
use rehose::client::{Client, Event};
use rehose::fixture::bundled;
use rehose::protocol::{Credentials, StreamRequest};

/// Each received message with its arrival, relative to the client's start.
async fn receive(base: String, index: usize, seconds: f64) -> Result<Vec<(Duration, Bytes)>> {
    let client = Client::builder()
        .base_url(base)
        .request(StreamRequest::V1Sample)
        .credentials(Credentials {
            consumer_key: format!("pacing-key-{index}"),
            consumer_secret: "consumer-secret".into(),
            token: format!("{index}-pacing-token"),
            token_secret: "access-token-secret".into(),
        })
        .build()?;
    let start = Instant::now();
    let until = Duration::from_secs_f64(seconds);
    let mut events = client.stream();
    let mut arrivals = Vec::new();
    loop {
        let left = until.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, events.next()).await {
            Ok(Some(Event::Message(message))) => {
                arrivals.push((start.elapsed(), message.raw().clone()));
            }
            Ok(Some(Event::Closed { .. }) | None) | Err(_) => break,
            Ok(Some(_)) => {}
        }
    }
    Ok(arrivals)
}

/// Lateness of each message, in ms, against the fixture's offsets.
fn lateness(expected: &[(Duration, Bytes)], arrivals: &[(Duration, Bytes)]) -> Result<Vec<f64>> {
    let Some((_, first)) = arrivals.first() else { return Ok(Vec::new()) };
    let skip = expected
        .iter()
        .position(|(_, m)| m == first)
        .context("the first message received is not in the fixture")?;
    let mut diffs = Vec::new();
    for ((arrived, got), (at, want)) in arrivals.iter().zip(&expected[skip..]) {
        if got != want {
            bail!("messages arrived out of the fixture's order");
        }
        diffs.push(arrived.as_secs_f64() - at.as_secs_f64());
    }
    let zero = diffs.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(diffs.into_iter().map(|d| (d - zero) * 1e3).collect())
}

#[tokio::main]
async fn main() -> Result<()> {
    let usage = "usage: pacing BASE_URL CLIENTS SECONDS";
    let mut args = std::env::args().skip(1);
    let base = args.next().context(usage)?;
    let clients: usize = args.next().context(usage)?.parse().context("CLIENTS")?;
    let seconds: f64 = args.next().context(usage)?.parse().context("SECONDS")?;
    let fixture = bundled::default_fixture()?;
    let expected = fixture.connections.first().context("the fixture has no connection")?.messages();
    let tasks: Vec<_> =
        (0..clients).map(|i| tokio::spawn(receive(base.clone(), i, seconds))).collect();
    let mut late = Vec::new();
    for task in tasks {
        late.extend(lateness(&expected, &task.await??)?);
    }
    if late.is_empty() {
        bail!("no message arrived within {seconds} s");
    }
    late.sort_by(f64::total_cmp);
    let pick = |q: f64| late[((late.len() - 1) as f64 * q).round() as usize];
    let within = late.iter().filter(|&&l| l <= 2.0).count() as f64 / late.len() as f64;
    println!(
        "{}",
        serde_json::json!({
            "clients": clients,
            "seconds": seconds,
            "messages": late.len(),
            "p50_ms": pick(0.5),
            "p99_ms": pick(0.99),
            "max_ms": late[late.len() - 1],
            "within_2ms": within,
        })
    );
    Ok(())
}
