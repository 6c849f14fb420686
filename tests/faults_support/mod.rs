//! Helpers for the fault tests: a fixture of numbered messages, clients of
//! either API aimed at a mock server, and readers of the event stream and
//! the mock's journal.
#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use rehose::client::{Client, ClientBuilder, Event, EventStream};
use rehose::fixture::{Chunk, Connection, End, Fixture, Request, Response};
use rehose::frame::Framing;
use rehose::protocol::{Credentials, StreamRequest, V2Params};
use rehose::server::{JournalEntry, MockServer, Scenario, Speed};
use tokio::time::Instant;

/// The JSON of message `n`.
pub fn message(n: usize) -> String {
    format!("{{\"id_str\":\"{n}\",\"text\":\"message number {n}\",\"user\":{{\"id_str\":\"7\"}}}}")
}

/// One open connection of `count` messages, all due at once, in chunks of
/// three messages (so message ends fall inside chunks too).
pub fn numbered(count: usize) -> Fixture {
    let messages: Vec<String> = (1..=count).map(|n| format!("{}\r\n", message(n))).collect();
    let chunks = messages
        .chunks(3)
        .map(|group| Chunk { at: Duration::ZERO, data: Bytes::from(group.concat()) })
        .collect();
    Fixture { meta: vec![], connections: vec![connection(chunks)] }
}

/// One open connection whose messages are due at these seconds.
pub fn paced(seconds: &[u64]) -> Fixture {
    let chunks = seconds
        .iter()
        .enumerate()
        .map(|(i, &at)| Chunk {
            at: Duration::from_secs(at),
            data: Bytes::from(format!("{}\r\n", message(i + 1))),
        })
        .collect();
    Fixture { meta: vec![], connections: vec![connection(chunks)] }
}

fn connection(chunks: Vec<Chunk>) -> Connection {
    Connection {
        request: Request {
            method: "GET".into(),
            target: "/1.1/statuses/sample.json".into(),
            headers: vec![],
            body: Bytes::new(),
        },
        response: Response { status: 200, headers: vec![] },
        framing: Framing::Crlf,
        chunks,
        end: End::Open,
    }
}

/// A mock replaying `fixture` as fast as the client reads, with `scenario`.
pub async fn mock(fixture: Fixture, scenario: Scenario) -> MockServer {
    MockServer::builder()
        .fixture(fixture)
        .speed(Speed::Max)
        .scenario(scenario)
        .start()
        .await
        .unwrap()
}

pub fn credentials(token: &str) -> Credentials {
    Credentials {
        consumer_key: "consumer".into(),
        consumer_secret: "consumer-secret".into(),
        token: token.into(),
        token_secret: "token-secret".into(),
    }
}

/// A v1.1 sample client of `server`, without gzip.
pub fn v1(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .request(StreamRequest::V1Sample)
        .credentials(credentials("1-token"))
        .base_url(server.uri())
        .gzip(false)
}

/// A v2 sample client of `server`, without gzip.
pub fn v2(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .request(StreamRequest::V2Sample(V2Params::default()))
        .bearer_token("bearer-token")
        .base_url(server.uri())
        .gzip(false)
}

/// What a test saw, with the virtual time of each event.
#[derive(Debug, Default)]
pub struct Seen {
    pub events: Vec<(Instant, String)>,
    pub messages: Vec<String>,
    pub delays: Vec<Duration>,
    pub connected: usize,
}

impl Seen {
    pub fn contains(&self, text: &str) -> bool {
        self.events.iter().any(|(_, line)| line.contains(text))
    }

    /// The `id_str` of every status received, in order.
    pub fn ids(&self) -> Vec<usize> {
        self.messages
            .iter()
            .filter_map(|json| {
                let value: serde_json::Value = serde_json::from_str(json).ok()?;
                value["id_str"].as_str()?.parse().ok()
            })
            .collect()
    }
}

/// Reads events until `done` says so (or the stream ends).
pub async fn watch(events: &mut EventStream, done: impl Fn(&Seen) -> bool) -> Seen {
    let mut seen = Seen::default();
    while let Some(event) = events.next().await {
        match &event {
            Event::Message(message) => seen.messages.push(message.json().to_owned()),
            Event::Reconnecting { delay, .. } => seen.delays.push(*delay),
            Event::Connected { .. } => seen.connected += 1,
            _ => {}
        }
        seen.events.push((Instant::now(), describe(&event)));
        if done(&seen) {
            break;
        }
    }
    seen
}

#[path = "../common/event_names.rs"]
mod event_names;
pub use event_names::describe;

/// The stream requests of the journal (the journal's own path excluded).
pub fn attempts(server: &MockServer) -> Vec<JournalEntry> {
    server.journal().into_iter().filter(|entry| !entry.path.starts_with("/__rehose")).collect()
}

/// The waits between the end of each attempt and the start of the next.
pub fn gaps(server: &MockServer) -> Vec<Duration> {
    let entries = attempts(server);
    entries
        .windows(2)
        .map(|pair| {
            let ended = pair[0].ended.expect("an attempt that never ended was followed by another");
            pair[1].elapsed.checked_sub(ended).expect("two attempts at once")
        })
        .collect()
}

pub fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|&s| Duration::from_secs(s)).collect()
}

pub fn millis(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|&ms| Duration::from_millis(ms)).collect()
}

/// One open connection of `count` messages padded to about `pad` bytes
/// each, one message per chunk.
pub fn padded(count: usize, pad: usize) -> Fixture {
    let chunks = (1..=count)
        .map(|n| {
            let json = format!("{{\"id_str\":\"{n}\",\"text\":\"{}\"}}\r\n", "x".repeat(pad));
            Chunk { at: Duration::ZERO, data: Bytes::from(json) }
        })
        .collect();
    Fixture { meta: vec![], connections: vec![connection(chunks)] }
}
