//! Gzip bodies: decompressed as they stream, and a truncated one neither
//! delivers a partial message nor stops the client.

mod client_support;

use std::time::Duration;

use async_compression::tokio::write::GzipEncoder;
use futures_util::StreamExt;
use rehose::client::{ConnectionError, Event};
use rehose::frame::FrameError;
use rehose::protocol::Failure;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use client_support::{v1_sample, Reply, Step, TestServer};

/// Compresses `pieces` as one gzip stream, flushing after each so that each
/// piece's bytes can be decoded without the next; returns one chunk per
/// piece (the last one with the gzip trailer if `finish`).
async fn gzip_chunks(pieces: &[&str], finish: bool) -> Vec<Vec<u8>> {
    let mut encoder = GzipEncoder::new(Vec::new());
    let mut chunks = Vec::new();
    for piece in pieces {
        encoder.write_all(piece.as_bytes()).await.unwrap();
        encoder.flush().await.unwrap();
        chunks.push(std::mem::take(encoder.get_mut()));
    }
    if finish {
        encoder.shutdown().await.unwrap();
        chunks.push(std::mem::take(encoder.get_mut()));
    }
    chunks
}

#[tokio::test(start_paused = true)]
async fn a_gzip_message_arrives_before_the_body_ends() {
    let chunks = gzip_chunks(&["{\"id_str\":\"1\"}\r\n", "{\"id_str\":\"2\"}\r\n"], true).await;
    let steps = vec![
        Step::Chunk(chunks[0].clone()),
        Step::Sleep(Duration::from_secs(60)),
        Step::Chunk(chunks[1].clone()),
        Step::Chunk(chunks[2].clone()),
        Step::Hold,
    ];
    let server = TestServer::start(vec![Reply::Stream { gzip: true, steps }]).await;
    let client = v1_sample(&server.url()).gzip(true).build().unwrap();

    let start = Instant::now();
    let mut events = client.stream();
    let mut arrivals = Vec::new();
    while arrivals.len() < 2 {
        if let Some(Event::Message(message)) = events.next().await {
            arrivals.push((message.json().to_owned(), start.elapsed()));
        }
    }

    assert_eq!(
        arrivals,
        [
            ("{\"id_str\":\"1\"}".to_owned(), Duration::ZERO),
            ("{\"id_str\":\"2\"}".to_owned(), Duration::from_secs(60)),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_truncated_gzip_body_yields_no_partial_message_and_reconnects() {
    let chunks = gzip_chunks(&["{\"id_str\":\"1\"}\r\n{\"id_str\":\"2\",\"te"], false).await;
    // The body ends cleanly at the HTTP level, but the gzip stream has no
    // end: the compressed body was cut short.
    let cut = Reply::Stream { gzip: true, steps: vec![Step::Chunk(chunks[0].clone()), Step::End] };
    let server = TestServer::start(vec![cut, client_support::stream(vec![Step::Hold])]).await;
    let client = v1_sample(&server.url()).gzip(true).build().unwrap();

    let mut events = client.stream();
    let mut messages = Vec::new();
    let mut truncated = false;
    let mut broken = false;
    loop {
        match events.next().await.unwrap() {
            Event::Message(message) => messages.push(message.json().to_owned()),
            Event::FrameError(FrameError::Truncated { .. }) => truncated = true,
            Event::ConnectionError(ConnectionError::Broken { .. }) => broken = true,
            Event::Reconnecting { cause, .. } => {
                assert_eq!(cause, Failure::Dropped);
                break;
            }
            _ => {}
        }
    }
    assert!(matches!(events.next().await, Some(Event::Connected { .. })));

    assert_eq!(messages, ["{\"id_str\":\"1\"}"]);
    assert!(truncated, "the partial message was not reported as truncated");
    assert!(broken, "the truncated gzip body was not reported as broken");
    assert_eq!(server.journal.connections(), 2);
}
