//! Counters of what a client saw, in the spirit of hbc's client stats:
//! messages and bytes by kind, keep-alives, connections, reconnections and
//! errors by cause and by HTTP status.
//!
//! The reader task updates them as it goes; [`Counters`] is a snapshot.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::message::Kind;
use crate::protocol::Failure;

/// A snapshot of a client's counters. Taken with
/// [`Client::counters`](super::Client::counters) or
/// [`StreamHandle::counters`](super::StreamHandle::counters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counters {
    /// Connection attempts started (each one a new TCP connection).
    pub attempts: u64,
    /// Connections that got a 200 response and started streaming.
    pub connects: u64,
    /// Reconnections scheduled after a failure.
    pub reconnects: u64,
    /// Decoded body bytes received on 200 responses (after gzip).
    pub bytes: u64,
    /// Keep-alive blank lines received.
    pub keep_alives: u64,
    /// Messages by kind name (`status`, `delete`, `tweet`, ...).
    pub messages: BTreeMap<&'static str, u64>,
    /// Payload bytes of messages by kind name.
    pub message_bytes: BTreeMap<&'static str, u64>,
    /// Framing faults (oversized, bad length line, truncated frame).
    pub frame_errors: u64,
    /// Payloads that were not UTF-8 JSON.
    pub message_errors: u64,
    /// Failures by cause: `dropped`, `network`, `stall`, `http`.
    pub errors: BTreeMap<&'static str, u64>,
    /// Non-200 responses by status code.
    pub http_status: BTreeMap<u16, u64>,
}

impl Counters {
    /// All messages, whatever their kind.
    pub fn messages_total(&self) -> u64 {
        self.messages.values().sum()
    }
}

/// The counters shared between the reader task and snapshots.
#[derive(Clone, Debug, Default)]
pub(crate) struct SharedCounters(Arc<Mutex<Counters>>);

impl SharedCounters {
    /// A copy of the current values.
    pub(crate) fn snapshot(&self) -> Counters {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Counters> {
        // A panic while holding this lock leaves plain numbers behind, which
        // are still worth reading.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn attempt(&self) {
        self.lock().attempts += 1;
    }

    pub(crate) fn connected(&self) {
        self.lock().connects += 1;
    }

    pub(crate) fn bytes(&self, n: usize) {
        self.lock().bytes += n as u64;
    }

    pub(crate) fn keep_alive(&self) {
        self.lock().keep_alives += 1;
    }

    pub(crate) fn message(&self, kind: Kind, len: usize) {
        let mut counters = self.lock();
        *counters.messages.entry(kind.name()).or_default() += 1;
        *counters.message_bytes.entry(kind.name()).or_default() += len as u64;
    }

    pub(crate) fn frame_error(&self) {
        self.lock().frame_errors += 1;
    }

    pub(crate) fn message_error(&self) {
        self.lock().message_errors += 1;
    }

    pub(crate) fn failure(&self, failure: &Failure) {
        let mut counters = self.lock();
        *counters.errors.entry(failure_name(failure)).or_default() += 1;
        if let Failure::Http(status) = failure {
            *counters.http_status.entry(*status).or_default() += 1;
        }
    }

    pub(crate) fn reconnect(&self) {
        self.lock().reconnects += 1;
    }
}

/// The counter name of a failure's cause.
pub(crate) fn failure_name(failure: &Failure) -> &'static str {
    match failure {
        Failure::Dropped => "dropped",
        Failure::Network => "network",
        Failure::Stall => "stall",
        Failure::Http(_) => "http",
        // Failure is non-exhaustive; a cause added below us is still counted.
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_by_cause_and_status() {
        let counters = SharedCounters::default();
        counters.failure(&Failure::Http(503));
        counters.failure(&Failure::Http(503));
        counters.failure(&Failure::Network);
        let snapshot = counters.snapshot();
        assert_eq!(snapshot.errors.get("http"), Some(&2));
        assert_eq!(snapshot.errors.get("network"), Some(&1));
        assert_eq!(snapshot.http_status.get(&503), Some(&2));
        let json = serde_json::to_value(&snapshot).unwrap();
        assert_eq!(json["http_status"]["503"], 2);
    }
}
