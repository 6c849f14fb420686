//! Summaries of fixtures, for `rehose inspect`: connections and how each
//! ended, messages by kind, sizes, rates, keep-alives and faults. Readable
//! text through `Display`, JSON through serde.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use indicatif::HumanBytes;
use serde::{Serialize, Serializer};

use crate::fixture::{Connection, End, Fixture};
use crate::frame::Frame;
use crate::message::classify;

/// What a fixture holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Each connection, in order.
    pub connections: Vec<ConnectionSummary>,
    /// The connections' durations added up (seconds in JSON).
    #[serde(serialize_with = "seconds")]
    pub duration: Duration,
    /// Messages of the streaming (200) connections.
    pub messages: usize,
    /// Body bytes of all connections.
    pub bytes: u64,
    /// Messages by kind name (`status`, `delete`, `tweet`, ...).
    pub kinds: BTreeMap<String, usize>,
    /// Message sizes in bytes; `None` without messages.
    pub sizes: Option<SizeStats>,
    /// Messages per second over `duration` (0 when it is zero).
    pub messages_per_second: f64,
    /// Body bytes per second over `duration` (0 when it is zero).
    pub bytes_per_second: f64,
    /// Keep-alives of the streaming connections.
    pub keep_alives: usize,
    /// Framing faults (bad length lines, truncated frames).
    pub frame_errors: usize,
    /// Payloads that are not UTF-8 or not JSON.
    pub message_errors: usize,
}

/// One connection of a [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionSummary {
    /// The response status.
    pub status: u16,
    /// How it ended: `clean`, `reset`, `stalled`, `open` or `interrupted`.
    pub end: &'static str,
    /// Time of its last chunk (seconds in JSON).
    #[serde(serialize_with = "seconds")]
    pub duration: Duration,
    /// Messages (0 for an error status: its body is not a stream).
    pub messages: usize,
    /// Body bytes.
    pub bytes: u64,
}

/// Smallest, median and largest message, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SizeStats {
    /// The smallest.
    pub min: usize,
    /// The median (the lower one of an even count).
    pub median: usize,
    /// The largest.
    pub max: usize,
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

/// Summarizes `fixture`.
pub fn inspect(fixture: &Fixture) -> Summary {
    let mut summary = Summary {
        connections: Vec::new(),
        duration: Duration::ZERO,
        messages: 0,
        bytes: 0,
        kinds: BTreeMap::new(),
        sizes: None,
        messages_per_second: 0.0,
        bytes_per_second: 0.0,
        keep_alives: 0,
        frame_errors: 0,
        message_errors: 0,
    };
    let mut sizes = Vec::new();
    for connection in &fixture.connections {
        let bytes = connection.chunks.iter().map(|chunk| chunk.data.len() as u64).sum();
        let mut messages = 0;
        if connection.response.status == 200 {
            messages = tally(connection, &mut summary, &mut sizes);
        }
        summary.connections.push(ConnectionSummary {
            status: connection.response.status,
            end: end_name(&connection.end),
            duration: connection.duration(),
            messages,
            bytes,
        });
        summary.duration += connection.duration();
        summary.bytes += bytes;
    }

    sizes.sort_unstable();
    if let (Some(&min), Some(&max)) = (sizes.first(), sizes.last()) {
        summary.sizes = Some(SizeStats { min, median: sizes[(sizes.len() - 1) / 2], max });
    }
    let seconds = summary.duration.as_secs_f64();
    if seconds > 0.0 {
        summary.messages_per_second = summary.messages as f64 / seconds;
        summary.bytes_per_second = summary.bytes as f64 / seconds;
    }
    summary
}

/// Counts the frames of a streaming connection into `summary`; returns its
/// message count.
fn tally(connection: &Connection, summary: &mut Summary, sizes: &mut Vec<usize>) -> usize {
    let mut messages = 0;
    for (_, frame) in connection.frames() {
        match frame {
            Ok(Frame::Message(payload)) => {
                messages += 1;
                sizes.push(payload.len());
                match classify(payload) {
                    Ok(message) => {
                        *summary.kinds.entry(message.kind().name().to_owned()).or_default() += 1;
                    }
                    Err(_) => summary.message_errors += 1,
                }
            }
            Ok(Frame::KeepAlive) => summary.keep_alives += 1,
            Err(_) => summary.frame_errors += 1,
        }
    }
    summary.messages += messages;
    messages
}

fn end_name(end: &End) -> &'static str {
    match end {
        End::Clean => "clean",
        End::Reset => "reset",
        End::Stalled => "stalled",
        End::Open => "open",
        _ => "interrupted",
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.connections.len() == 1 { "" } else { "s" };
        writeln!(
            f,
            "{} connection{plural}, {} messages, {} over {:.3} s ({:.2} msg/s, {}/s)",
            self.connections.len(),
            self.messages,
            HumanBytes(self.bytes),
            self.duration.as_secs_f64(),
            self.messages_per_second,
            HumanBytes(self.bytes_per_second as u64),
        )?;
        for (i, c) in self.connections.iter().enumerate() {
            writeln!(
                f,
                "  connection {}: status {}, end {}, {:.3} s, {} messages, {}",
                i + 1,
                c.status,
                c.end,
                c.duration.as_secs_f64(),
                c.messages,
                HumanBytes(c.bytes),
            )?;
        }
        let kinds: Vec<String> = self.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(f, "kinds: {}", if kinds.is_empty() { "none".into() } else { kinds.join(", ") })?;
        if let Some(sizes) = self.sizes {
            writeln!(
                f,
                "message sizes: min {} B, median {} B, max {} B",
                sizes.min, sizes.median, sizes.max
            )?;
        }
        write!(
            f,
            "keep-alives {}, frame errors {}, message errors {}",
            self.keep_alives, self.frame_errors, self.message_errors
        )
    }
}
