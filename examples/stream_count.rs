//! Reads N messages from a v1.1 sample stream with rehose's client (each
//! framed and classified by the library, as an application would receive
//! them) and prints `{"messages":N,"bytes":B,"seconds":S}`.
//!
//! `cargo xtask bench` runs it against the same `rehose serve` process as
//! the Tweepy peer (`benches/peers/tweepy_peer.py`), so the two figures
//! compare like with like: connect, read, count, stop.
//!
//! Usage: `stream_count BASE_URL MESSAGES`

use std::time::Instant;

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use rehose::client::{Client, Event};
use rehose::protocol::{Credentials, StreamRequest};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let base = args.next().context("usage: stream_count BASE_URL MESSAGES")?;
    let wanted: u64 = args.next().context("MESSAGES missing")?.parse().context("MESSAGES")?;
    let client = Client::builder()
        .base_url(base)
        .request(StreamRequest::V1Sample)
        .credentials(Credentials {
            consumer_key: "consumer-key".into(),
            consumer_secret: "consumer-secret".into(),
            token: "1-stream-count".into(),
            token_secret: "access-token-secret".into(),
        })
        .build()?;
    // Timed from before the connection, as the peer times `sample()`.
    let start = Instant::now();
    let mut events = client.stream();
    let (mut messages, mut bytes) = (0u64, 0u64);
    while let Some(event) = events.next().await {
        match event {
            Event::Message(message) => {
                messages += 1;
                bytes += message.raw().len() as u64;
                if messages == wanted {
                    break;
                }
            }
            Event::Closed { .. } => break,
            _ => {}
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(events);
    if messages < wanted {
        bail!("the stream ended after {messages} of {wanted} messages");
    }
    println!("{}", serde_json::json!({ "messages": messages, "bytes": bytes, "seconds": seconds }));
    Ok(())
}
