//! Holds many concurrent replay connections open against a mock server,
//! so that `cargo xtask bench` can read the server's memory per
//! connection from outside (its `VmRSS` before and while they are open).
//!
//! Each connection is a plain TCP socket sending one
//! `GET /1.1/statuses/sample.json` with OAuth credentials of its own (the
//! server tells v1.1 clients apart by consumer key and token), then reading
//! the stream continuously into a small buffer, as a slow real client does.
//!
//! Prints one JSON line once every connection is open and has been reading
//! for half of HOLD_SECONDS (`"phase":"holding"`: the moment to sample the
//! server), and a last one when it lets them go (`"phase":"done"`).
//!
//! Usage: `many_connections BASE_URL CONNECTIONS HOLD_SECONDS`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Default)]
struct Tally {
    /// Connections answered `200 OK`.
    ok: AtomicU64,
    /// Connections still open.
    open: AtomicU64,
    /// Bytes read, headers included.
    bytes: AtomicU64,
}

async fn hold(mut stream: TcpStream, host: Arc<str>, index: usize, tally: Arc<Tally>) {
    let request = format!(
        "GET /1.1/statuses/sample.json HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: OAuth oauth_consumer_key=\"bench-key-{index}\", \
         oauth_token=\"{index}-bench-token\", oauth_signature_method=\"HMAC-SHA1\", \
         oauth_signature=\"unchecked\", oauth_timestamp=\"0\", oauth_nonce=\"n{index}\", \
         oauth_version=\"1.0\"\r\nAccept-Encoding: identity\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    tally.open.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 2048];
    let mut first = true;
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if first {
                    first = false;
                    if buf[..n].starts_with(b"HTTP/1.1 200") {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tally.bytes.fetch_add(n as u64, Ordering::Relaxed);
            }
        }
    }
    tally.open.fetch_sub(1, Ordering::Relaxed);
}

fn line(phase: &str, wanted: usize, connected: usize, tally: &Tally, start: Instant) {
    println!(
        "{}",
        serde_json::json!({
            "phase": phase,
            "connections": wanted,
            "connected": connected,
            "ok": tally.ok.load(Ordering::Relaxed),
            "open": tally.open.load(Ordering::Relaxed),
            "bytes": tally.bytes.load(Ordering::Relaxed),
            "seconds": start.elapsed().as_secs_f64(),
        })
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let usage = "usage: many_connections BASE_URL CONNECTIONS HOLD_SECONDS";
    let mut args = std::env::args().skip(1);
    let base = args.next().context(usage)?;
    let wanted: usize = args.next().context(usage)?.parse().context("CONNECTIONS")?;
    let hold_for: f64 = args.next().context(usage)?.parse().context("HOLD_SECONDS")?;
    let host: Arc<str> = base
        .strip_prefix("http://")
        .context("BASE_URL must be http://HOST:PORT")?
        .trim_end_matches('/')
        .into();
    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let mut connected = 0;
    // One connect at a time keeps the listener's backlog from overflowing.
    for index in 0..wanted {
        match TcpStream::connect(&*host).await {
            Ok(stream) => {
                connected += 1;
                tokio::spawn(hold(stream, host.clone(), index, tally.clone()));
            }
            Err(err) => {
                eprintln!("connection {index}: {err}");
                break;
            }
        }
    }
    let half = Duration::from_secs_f64(hold_for / 2.0);
    tokio::time::sleep(half).await;
    line("holding", wanted, connected, &tally, start);
    tokio::time::sleep(half).await;
    line("done", wanted, connected, &tally, start);
    Ok(())
}
