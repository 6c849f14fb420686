//! How bytes reach the client: gzip flushed per chunk, a truncated gzip
//! body, slow drips and odd chunk sizes, and a slow consumer holding the
//! server back.

mod faults_support;

use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::Event;
use rehose::server::{Attempt, MockServer, Scenario, Speed, StreamAttempt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use faults_support::{attempts, message, numbered, paced, padded, v1, watch};

#[tokio::test(start_paused = true)]
async fn a_gzip_message_arrives_before_the_next_chunk_is_sent() {
    let server =
        MockServer::builder().fixture(paced(&[0, 10, 20])).gzip(true).start().await.unwrap();
    let client = v1(&server).gzip(true).build().unwrap();

    let start = Instant::now();
    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.messages.len() == 3).await;

    let arrivals: Vec<Duration> = seen
        .events
        .iter()
        .filter(|(_, line)| line.starts_with("status"))
        .map(|(at, _)| *at - start)
        .collect();
    assert_eq!(arrivals, [0, 10, 20].map(Duration::from_secs));
    assert_eq!(seen.ids(), [1, 2, 3]);

    // The body really was compressed.
    let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request =
        "GET /1.1/statuses/sample.json HTTP/1.1\r\nhost: x\r\naccept-encoding: gzip\r\n\r\n";
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = vec![0; 512];
    let n = socket.read(&mut head).await.unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
}

#[tokio::test(start_paused = true)]
async fn a_truncated_gzip_body_is_a_reconnectable_error_without_a_partial_message() {
    let fault = Attempt::stream().after_messages(3).truncate_gzip();
    let server = MockServer::builder()
        .fixture(numbered(6))
        .speed(Speed::Max)
        .gzip(true)
        .scenario(Scenario::new().attempt(fault))
        .start()
        .await
        .unwrap();
    let client = v1(&server).gzip(true).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 6).await;

    assert_eq!(seen.ids(), (1..=6).collect::<Vec<_>>());
    assert!(seen.contains("connection error the stream broke"), "{seen:?}");
    assert_eq!(seen.delays, [Duration::ZERO]);
    server.assert_scenario_complete();
}

/// The messages a client gets from a stream shaped by `shape`.
async fn delivered(shape: StreamAttempt, gzip: bool) -> Vec<String> {
    let server = MockServer::builder()
        .fixture(numbered(20))
        .speed(Speed::Max)
        .gzip(gzip)
        .scenario(Scenario::new().otherwise(shape))
        .start()
        .await
        .unwrap();
    let client = v1(&server).gzip(gzip).build().unwrap();
    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.messages.len() == 20).await;
    assert_eq!(attempts(&server).len(), 1);
    seen.messages
}

#[tokio::test(start_paused = true)]
async fn dripping_and_rechunking_deliver_identical_messages() {
    let expected: Vec<String> = (1..=20).map(message).collect();
    let shapes = || {
        [
            Attempt::stream().drip(7, Duration::from_millis(10)),
            Attempt::stream().rechunk(1),
            Attempt::stream().rechunk(5),
            Attempt::stream().rechunk_random(42, 13),
        ]
    };
    for gzip in [false, true] {
        for shape in shapes() {
            let label = format!("{shape:?} gzip {gzip}");
            assert_eq!(delivered(shape, gzip).await, expected, "{label}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_consumer_that_sleeps_on_every_message_keeps_server_writes_bounded() {
    let server = MockServer::builder()
        .fixture(padded(2000, 1000))
        .speed(Speed::Max)
        .loop_forever(true)
        .start()
        .await
        .unwrap();
    let client = v1(&server).queue_capacity(16).build().unwrap();

    let mut events = client.stream();
    let mut seen = 0;
    let mut written = Vec::new();
    while seen < 300 {
        if let Some(Event::Message(_)) = events.next().await {
            seen += 1;
            tokio::time::sleep(Duration::from_secs(1)).await;
            if seen % 100 == 0 {
                let entries = attempts(&server);
                written.push(entries[0].stream.as_ref().map_or(0, |s| s.bytes));
            }
        }
    }

    // Socket buffers and the queue hold a few MiB at most.
    assert!(written[2] < 32 << 20, "server wrote {} bytes", written[2]);
    let growth = written[2] - written[1];
    assert!(growth < 1 << 20, "server wrote {growth} bytes while 100 messages were read");
}
