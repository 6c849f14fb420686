//! The journal: a record of every request the server received and how it
//! was answered, with secrets redacted.
//!
//! Streams are journaled when they open; their counters are live (a
//! snapshot reads them) and their end is filled in when they stop. Tests
//! read the journal in process with `MockServer::journal`, anyone else at
//! `GET /__rehose/requests`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// What the journal shows in place of a secret.
pub const REDACTED: &str = "<redacted>";

/// One request and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Position in the journal, from 0.
    pub id: u64,
    /// When the request arrived, since the server started, on tokio's clock
    /// (so paused-clock tests see their own time).
    pub elapsed: Duration,
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query with `oauth_*` values redacted, if there was one.
    pub query: Option<String>,
    /// A form body with `oauth_*` values redacted, if there was one.
    pub form: Option<String>,
    /// The headers in order, with credentials and cookies redacted.
    pub headers: Vec<(String, String)>,
    /// Who the client is: a fingerprint of its credentials (never the
    /// credentials), or `None` for a request without any.
    pub client: Option<String>,
    /// The response status.
    pub status: u16,
    /// For a stream: what was sent and how it ended.
    pub stream: Option<StreamOutcome>,
}

/// What a stream sent and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StreamOutcome {
    /// The fixture connection the stream started with, if any was left.
    pub fixture_connection: Option<usize>,
    /// The message it started at within that connection.
    pub first_message: usize,
    /// Complete messages sent.
    pub messages: u64,
    /// Keep-alives sent by the server (recorded ones count as bytes only).
    pub keep_alives: u64,
    /// Body bytes sent, chunk headers excluded.
    pub bytes: u64,
    /// How it ended, or `streaming` while it goes on.
    pub end: StreamEnd,
}

/// How a stream ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamEnd {
    /// Still sending.
    Streaming,
    /// The server ended the body cleanly, as the fixture did.
    Completed,
    /// The server cut the connection (a recorded reset).
    Cut,
    /// The client closed the connection first.
    ClientGone,
    /// The server shut down.
    ServerShutdown,
}

impl StreamEnd {
    fn code(self) -> u64 {
        match self {
            StreamEnd::Streaming => 0,
            StreamEnd::Completed => 1,
            StreamEnd::Cut => 2,
            StreamEnd::ClientGone => 3,
            StreamEnd::ServerShutdown => 4,
        }
    }

    fn from_code(code: u64) -> StreamEnd {
        match code {
            1 => StreamEnd::Completed,
            2 => StreamEnd::Cut,
            3 => StreamEnd::ClientGone,
            4 => StreamEnd::ServerShutdown,
            _ => StreamEnd::Streaming,
        }
    }
}

/// Live counters of one stream, shared by its body and the journal.
#[derive(Debug, Default)]
pub(crate) struct StreamStats {
    messages: AtomicU64,
    keep_alives: AtomicU64,
    bytes: AtomicU64,
    end: AtomicU64,
}

impl StreamStats {
    pub(crate) fn sent(&self, bytes: usize, messages: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.messages.fetch_add(messages as u64, Ordering::Relaxed);
    }

    pub(crate) fn keep_alive(&self) {
        self.keep_alives.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(2, Ordering::Relaxed);
    }

    /// Records the end once; later calls keep the first.
    pub(crate) fn ended(&self, end: StreamEnd) {
        let _ = self.end.compare_exchange(0, end.code(), Ordering::AcqRel, Ordering::Acquire);
    }

    pub(crate) fn end(&self) -> StreamEnd {
        StreamEnd::from_code(self.end.load(Ordering::Acquire))
    }

    pub(crate) fn messages(&self) -> u64 {
        self.messages.load(Ordering::Relaxed)
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// A journaled request whose stream, if any, is still being counted.
#[derive(Debug)]
struct Record {
    entry: JournalEntry,
    stats: Option<Arc<StreamStats>>,
}

/// The journal of one server.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    records: Mutex<Vec<Record>>,
}

impl Journal {
    /// Adds an entry (its `id` is assigned here) and returns the id.
    pub(crate) fn push(&self, mut entry: JournalEntry, stats: Option<Arc<StreamStats>>) -> u64 {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        entry.id = records.len() as u64;
        let id = entry.id;
        records.push(Record { entry, stats });
        id
    }

    /// Every entry so far, streams with their current counters.
    pub(crate) fn snapshot(&self) -> Vec<JournalEntry> {
        let records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records
            .iter()
            .map(|record| {
                let mut entry = record.entry.clone();
                if let (Some(stats), Some(stream)) = (&record.stats, &mut entry.stream) {
                    stream.messages = stats.messages();
                    stream.keep_alives = stats.keep_alives.load(Ordering::Relaxed);
                    stream.bytes = stats.bytes();
                    stream.end = stats.end();
                }
                entry
            })
            .collect()
    }
}

/// Milliseconds since the Unix epoch, 0 if the system clock is before it.
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A header value as the journal shows it: credentials keep only their
/// scheme, cookies nothing.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
            None => REDACTED.to_owned(),
        },
        "cookie" | "set-cookie" => REDACTED.to_owned(),
        _ => value.to_owned(),
    }
}

/// A query or form body with the values of `oauth_*` parameters (and
/// `access_token`) redacted, everything else as it was sent.
pub(crate) fn redact_params(params: &str) -> String {
    params
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_param(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_secret_param(name: &str) -> bool {
    name.starts_with("oauth_") || name == "access_token"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_keeps_only_its_scheme() {
        assert_eq!(
            redact_header("Authorization", "OAuth oauth_consumer_key=\"k\", oauth_signature=\"s\""),
            "OAuth <redacted>"
        );
        assert_eq!(redact_header("authorization", "Bearer AAAA"), "Bearer <redacted>");
        assert_eq!(redact_header("cookie", "a=b"), "<redacted>");
        assert_eq!(redact_header("user-agent", "x/1"), "x/1");
    }

    #[test]
    fn oauth_parameters_lose_their_values() {
        assert_eq!(
            redact_params("track=a%20b&oauth_token=t&oauth_signature=s&delimited=length"),
            "track=a%20b&oauth_token=<redacted>&oauth_signature=<redacted>&delimited=length"
        );
    }

    #[test]
    fn a_stream_end_is_recorded_once() {
        let stats = StreamStats::default();
        assert_eq!(stats.end(), StreamEnd::Streaming);
        stats.ended(StreamEnd::Completed);
        stats.ended(StreamEnd::ClientGone);
        assert_eq!(stats.end(), StreamEnd::Completed);
    }
}
