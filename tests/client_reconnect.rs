//! Reconnecting as section 6 of the protocol prescribes: exact waits for
//! each kind of failure, stopping where retrying cannot help, and what is
//! delivered when a stream drops.

mod client_support;

use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::{ConnectionError, Error, Event, EventStream};
use rehose::frame::FrameError;
use rehose::protocol::Failure;
use tokio::time::Instant;

use client_support::{chunk, describe, refused_addr, stream, v1_sample, Reply, Step, TestServer};

/// The reconnection delays announced before the first connection succeeds
/// (or `limit` of them), each with the virtual time it was announced at.
async fn delays_until_connected(
    events: &mut EventStream,
    limit: usize,
) -> Vec<(Failure, Duration, Instant)> {
    let mut delays = Vec::new();
    while let Some(event) = events.next().await {
        match event {
            Event::Reconnecting { cause, delay } => delays.push((cause, delay, Instant::now())),
            Event::Connected { .. } => break,
            _ => {}
        }
        if delays.len() == limit {
            break;
        }
    }
    delays
}

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|&s| Duration::from_secs(s)).collect()
}

#[tokio::test(start_paused = true)]
async fn four_420s_wait_60_120_240_and_480_seconds() {
    let refusal = Reply::Status(420, "Enhance Your Calm");
    let replies =
        vec![refusal.clone(), refusal.clone(), refusal.clone(), refusal, stream(vec![Step::Hold])];
    let server = TestServer::start(replies).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let delays = delays_until_connected(&mut events, 10).await;

    let announced: Vec<Duration> = delays.iter().map(|(_, delay, _)| *delay).collect();
    assert_eq!(announced, secs(&[60, 120, 240, 480]));
    assert!(delays.iter().all(|(cause, _, _)| *cause == Failure::Http(420)));
    // The server saw the attempts exactly that far apart.
    assert_eq!(server.journal.gaps(), secs(&[60, 120, 240, 480]));
    assert_eq!(client.counters().http_status.get(&420), Some(&4));
}

#[tokio::test(start_paused = true)]
async fn three_503s_wait_5_10_and_20_seconds() {
    let refusal = Reply::Status(503, "Service Unavailable");
    let replies = vec![refusal.clone(), refusal.clone(), refusal, stream(vec![Step::Hold])];
    let server = TestServer::start(replies).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let delays = delays_until_connected(&mut events, 10).await;

    let announced: Vec<Duration> = delays.iter().map(|(_, delay, _)| *delay).collect();
    assert_eq!(announced, secs(&[5, 10, 20]));
    assert_eq!(server.journal.gaps(), secs(&[5, 10, 20]));
}

#[tokio::test(start_paused = true)]
async fn three_refused_connections_wait_250_500_and_750_ms() {
    let addr = refused_addr().await;
    let client = v1_sample(&format!("http://{addr}")).build().unwrap();

    let mut events = client.stream();
    let delays = delays_until_connected(&mut events, 3).await;

    let announced: Vec<Duration> = delays.iter().map(|(_, delay, _)| *delay).collect();
    let expected: Vec<Duration> =
        [250, 500, 750].iter().map(|&ms| Duration::from_millis(ms)).collect();
    assert_eq!(announced, expected);
    assert!(delays.iter().all(|(cause, _, _)| *cause == Failure::Network));
    // Each attempt came right after the previous wait.
    assert_eq!(delays[1].2 - delays[0].2, expected[0]);
    assert_eq!(delays[2].2 - delays[1].2, expected[1]);
}

#[tokio::test(start_paused = true)]
async fn an_established_stream_that_drops_reconnects_at_once() {
    let first = stream(vec![
        chunk("{\"id_str\":\"1\"}\r\n"),
        Step::Sleep(Duration::from_secs(10)),
        Step::End,
    ]);
    let server = TestServer::start(vec![first, stream(vec![Step::Hold])]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(describe(&event));
        if seen.iter().filter(|line| line.starts_with("connected")).count() == 2 {
            break;
        }
    }

    assert!(seen.contains(&"connection error the server closed the stream".to_owned()), "{seen:?}");
    assert!(seen.contains(&"reconnecting Dropped 0ns".to_owned()), "{seen:?}");
    assert_eq!(server.journal.gaps(), secs(&[10]));
}

#[tokio::test(start_paused = true)]
async fn a_404_stops_with_an_error_and_never_reconnects() {
    let server =
        TestServer::start(vec![Reply::Status(404, "{\"errors\":\"no such endpoint\"}")]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(event);
    }
    assert!(
        matches!(&seen[0], Event::RequestError { status: 404, body } if body.contains("no such endpoint"))
    );
    assert!(matches!(seen.last(), Some(Event::Closed { .. })));

    let mut listener = Nothing;
    let outcome = client.run(&mut listener).await;
    assert!(
        matches!(outcome, Err(Error::GaveUp { failure: Failure::Http(404), .. })),
        "{outcome:?}"
    );

    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(server.journal.connections(), 2);
}

struct Nothing;

impl rehose::client::Listener for Nothing {}

#[tokio::test(start_paused = true)]
async fn complete_messages_before_a_drop_are_delivered_and_a_partial_one_is_not() {
    let cut = stream(vec![
        chunk("{\"id_str\":\"1\"}\r\n{\"id_str\":\"2\"}\r\n{\"id_str\":\"3\",\"te"),
        Step::Abort,
    ]);
    let server = TestServer::start(vec![cut, stream(vec![Step::Hold])]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    let mut messages = Vec::new();
    let mut truncated = None;
    let mut broken = false;
    while let Some(event) = events.next().await {
        match event {
            Event::Message(message) => messages.push(message.json().to_owned()),
            Event::FrameError(error @ FrameError::Truncated { .. }) => truncated = Some(error),
            Event::ConnectionError(ConnectionError::Broken { .. }) => broken = true,
            Event::Reconnecting { cause, delay } => {
                assert_eq!((cause, delay), (Failure::Dropped, Duration::ZERO));
                break;
            }
            _ => {}
        }
    }

    assert_eq!(messages, ["{\"id_str\":\"1\"}", "{\"id_str\":\"2\"}"]);
    assert_eq!(truncated, Some(FrameError::Truncated { offset: 32, len: 17 }));
    assert!(broken);
}
