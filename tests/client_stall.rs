//! Stall detection: a connection silent for the stall timeout is replaced,
//! and any byte at all keeps it alive.

mod client_support;

use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::{BuildError, Client, ConnectionError, Event};
use rehose::protocol::{Failure, StreamRequest, V2Params};
use tokio::time::Instant;

use client_support::{chunk, stream, v1_sample, Step, TestServer};

#[tokio::test(start_paused = true)]
async fn ninety_seconds_without_a_byte_trigger_a_reconnect() {
    let silent = stream(vec![chunk("{\"id_str\":\"1\"}\r\n"), Step::Hold]);
    let server = TestServer::start(vec![silent.clone(), silent]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let mut last_byte = None;
    let mut stalled = false;
    let reconnect = loop {
        match events.next().await.unwrap() {
            Event::Message(_) => last_byte = Some(Instant::now()),
            Event::ConnectionError(ConnectionError::Stalled { timeout }) => {
                assert_eq!(timeout, Duration::from_secs(90));
                stalled = true;
            }
            Event::Reconnecting { cause, delay } => break (cause, delay, Instant::now()),
            _ => {}
        }
    };

    assert!(stalled);
    assert_eq!((reconnect.0, reconnect.1), (Failure::Stall, Duration::from_millis(250)));
    assert_eq!(reconnect.2 - last_byte.unwrap(), Duration::from_secs(90));
    // The stalled connection was closed before the next one opened.
    assert!(matches!(events.next().await, Some(Event::Connected { .. })));
    let hangups = server.journal.hangups.lock().unwrap().clone();
    assert_eq!(hangups.len(), 1);
    assert!(hangups[0] <= server.journal.accepts()[1]);
}

#[tokio::test(start_paused = true)]
async fn a_byte_every_89_seconds_keeps_the_stream_alive() {
    // Half a keep-alive at a time: bytes that complete no frame still count.
    let mut steps = Vec::new();
    for _ in 0..10 {
        steps.push(Step::Sleep(Duration::from_secs(89)));
        steps.push(chunk("\r"));
        steps.push(Step::Sleep(Duration::from_secs(89)));
        steps.push(chunk("\n"));
    }
    steps.push(chunk("{\"id_str\":\"2\"}\r\n"));
    steps.push(Step::Hold);
    let server = TestServer::start(vec![stream(steps)]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let start = Instant::now();
    let mut events = client.stream();
    let mut keep_alives = 0;
    loop {
        match events.next().await.unwrap() {
            Event::KeepAlive => keep_alives += 1,
            Event::Message(_) => break,
            Event::Connected { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(keep_alives, 10);
    assert_eq!(start.elapsed(), Duration::from_secs(89 * 20));
    assert_eq!(server.journal.connections(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_v2_stream_stalls_after_22_seconds_by_default() {
    let server = TestServer::start(vec![stream(vec![Step::Hold])]).await;
    let client = Client::builder()
        .request(StreamRequest::V2Sample(V2Params::default()))
        .bearer_token("token")
        .base_url(server.url())
        .build()
        .unwrap();

    let mut events = client.stream();
    assert!(matches!(events.next().await, Some(Event::Connected { .. })));
    let connected = Instant::now();
    let stalled = loop {
        if let Some(Event::ConnectionError(ConnectionError::Stalled { timeout })) =
            events.next().await
        {
            break timeout;
        }
    };
    assert_eq!(stalled, Duration::from_secs(22));
    assert_eq!(connected.elapsed(), Duration::from_secs(22));
}

#[test]
fn a_stall_timeout_not_above_the_keep_alive_interval_is_rejected() {
    let error = v1_sample("http://127.0.0.1:1").stall_timeout(Duration::from_secs(30)).build();
    match error {
        Err(BuildError::StallTimeoutTooShort { timeout, keep_alive }) => {
            assert_eq!((timeout, keep_alive), (Duration::from_secs(30), Duration::from_secs(30)));
        }
        other => panic!("expected a stall timeout error, got {other:?}"),
    }
    let v2 = Client::builder()
        .request(StreamRequest::V2Sample(V2Params::default()))
        .bearer_token("token")
        .stall_timeout(Duration::from_secs(20))
        .build();
    assert!(matches!(v2, Err(BuildError::StallTimeoutTooShort { .. })));
    assert!(v1_sample("http://127.0.0.1:1").stall_timeout(Duration::from_secs(31)).build().is_ok());
}
