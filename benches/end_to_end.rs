//! End to end: the mock server replays the bundled sample fixture at full
//! speed over loopback to rehose's client, which frames and classifies
//! every message. One client, and 100 concurrent clients sharing the
//! server. The tokio runtime and the server start outside the timed loop;
//! each iteration connects, reads every message of the fixture and drops
//! the stream.
//!
//! Groups: `end_to_end_msgs` (messages per second) and `end_to_end_bytes`
//! (payload bytes per second), functions `rehose_1_client` and
//! `rehose_100_clients`. `REHOSE_BENCH_QUICK=1` (set by `cargo xtask
//! bench --quick`) runs the single client only.

use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rehose::client::{Client, Event};
use rehose::fixture::bundled;
use rehose::protocol::{Credentials, StreamRequest};
use rehose::server::{MockServer, Speed};

/// Reads `messages` messages from a fresh connection as client number
/// `client` (each has its own access token); returns their bytes.
async fn consume(base: &str, client: u64, messages: usize) -> u64 {
    let client = Client::builder()
        .base_url(base)
        .request(StreamRequest::V1Sample)
        .credentials(Credentials {
            consumer_key: "key".into(),
            consumer_secret: "secret".into(),
            token: format!("token-{client}"),
            token_secret: "token-secret".into(),
        })
        .build()
        .expect("client builds");
    let mut events = client.stream();
    let (mut seen, mut bytes) = (0, 0);
    while let Some(event) = events.next().await {
        if let Event::Message(message) = event {
            bytes += message.raw().len() as u64;
            seen += 1;
            if seen == messages {
                break;
            }
        }
    }
    assert_eq!(seen, messages, "the stream ended early");
    bytes
}

fn end_to_end(c: &mut Criterion) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let fixture = bundled::default_fixture().expect("bundled fixture");
    // Each iteration reads the first connection's messages.
    let first = fixture.connections.first().expect("a connection").messages();
    let messages = first.len();
    let bytes: u64 = first.iter().map(|(_, m)| m.len() as u64).sum();
    let server = runtime.block_on(async {
        MockServer::builder()
            .fixture(fixture)
            .speed(Speed::Max)
            .restart_on_reconnect(true)
            .start()
            .await
            .expect("server starts")
    });
    let base: Arc<str> = server.uri().into();

    let quick = std::env::var_os("REHOSE_BENCH_QUICK").is_some_and(|v| v != "0");
    let runs: &[(u64, &str)] = if quick {
        &[(1, "rehose_1_client")]
    } else {
        &[(1, "rehose_1_client"), (100, "rehose_100_clients")]
    };
    for &(clients, name) in runs {
        for (group, throughput) in [
            ("end_to_end_msgs", Throughput::Elements(messages as u64 * clients)),
            ("end_to_end_bytes", Throughput::Bytes(bytes * clients)),
        ] {
            let mut g = c.benchmark_group(group);
            g.throughput(throughput).sample_size(10);
            g.bench_function(name, |b| {
                b.to_async(&runtime).iter(|| {
                    let base = base.clone();
                    async move {
                        let tasks: Vec<_> = (0..clients)
                            .map(|i| {
                                let base = base.clone();
                                tokio::spawn(async move { consume(&base, i, messages).await })
                            })
                            .collect();
                        let mut total = 0;
                        for task in tasks {
                            // A stuck client fails the bench instead of hanging it.
                            let done = tokio::time::timeout(Duration::from_secs(60), task).await;
                            total += done
                                .expect("a client read the fixture within 60 s")
                                .expect("client task");
                        }
                        total
                    }
                })
            });
            g.finish();
        }
    }
    runtime.block_on(server.shutdown());
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
