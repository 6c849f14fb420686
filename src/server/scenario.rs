//! Scenarios: scripted failures, one per connection attempt, in order.
//!
//! A [`Scenario`] is a list of [`Attempt`]s. Each stream request takes the
//! next one, from a single sequence shared by everyone or from a sequence
//! of its own per credential ([`Scenario::per_client`]). Once the script
//! runs out, requests get [`Scenario::otherwise`] (by default a normal
//! replay). An attempt answers with a status ([`StatusAttempt`]), resets
//! the connection before any response ([`Attempt::reset`]), or streams
//! ([`StreamAttempt`]) and then, after some messages, seconds or bytes,
//! misbehaves:
//!
//! ```text
//!   attempt 0: 420                     attempt 1: 200 stream
//!   ---------------------------------  ----------------------------------
//!   HTTP/1.1 420 ..                     msg 1 .. msg 50 | {"disconnect":..}
//!   Exceeded connection limit for user                  ^ after_messages(50)
//! ```
//!
//! This file holds the types and the builder; `scenario_file` reads the
//! TOML form and the command line shorthands, `fault` runs a script
//! against a replay.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

/// What happens on each connection attempt, in order.
///
/// ```
/// use std::time::Duration;
/// use rehose::server::{Attempt, Scenario};
///
/// let scenario = Scenario::new()
///     .attempt_times(Attempt::status(420), 2)
///     .attempt(Attempt::stream().after_messages(50).disconnect(7))
///     .attempt(Attempt::stream().after(Duration::from_secs(10)).stall());
/// assert_eq!(scenario.len(), 4);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub(crate) attempts: Vec<Attempt>,
    pub(crate) per_client: bool,
    pub(crate) otherwise: Attempt,
    pub(crate) one_connection: Option<OneConnection>,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario::new()
    }
}

impl Scenario {
    /// An empty script: every attempt replays normally, for everyone, with
    /// any number of connections per credential.
    pub fn new() -> Scenario {
        Scenario {
            attempts: Vec::new(),
            per_client: false,
            otherwise: Attempt::stream().into(),
            one_connection: None,
        }
    }

    /// Appends the next attempt.
    pub fn attempt(mut self, attempt: impl Into<Attempt>) -> Scenario {
        self.attempts.push(attempt.into());
        self
    }

    /// Appends `times` copies of an attempt.
    pub fn attempt_times(mut self, attempt: impl Into<Attempt>, times: usize) -> Scenario {
        let attempt = attempt.into();
        self.attempts.extend(std::iter::repeat_n(attempt, times));
        self
    }

    /// Gives every credential (every client fingerprint, and requests
    /// without credentials as one more) its own run through the script.
    /// Default: off, one sequence shared by every request.
    pub fn per_client(mut self, per_client: bool) -> Scenario {
        self.per_client = per_client;
        self
    }

    /// What attempts get once the script has run out. Default: a plain
    /// [`Attempt::stream`], the normal replay.
    pub fn otherwise(mut self, attempt: impl Into<Attempt>) -> Scenario {
        self.otherwise = attempt.into();
        self
    }

    /// Allows one open stream per credential; a second one is refused or
    /// displaces the first, by `policy`. Default: no limit.
    pub fn one_connection_per_client(mut self, policy: OneConnection) -> Scenario {
        self.one_connection = Some(policy);
        self
    }

    /// How many scripted attempts there are.
    pub fn len(&self) -> usize {
        self.attempts.len()
    }

    /// Whether the script is empty.
    pub fn is_empty(&self) -> bool {
        self.attempts.is_empty()
    }

    /// The scripted attempts, in order.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// Applies a delivery shape to every stream attempt, scripted or not.
    pub(crate) fn shape_all(&mut self, shape: Shape) {
        let all = self.attempts.iter_mut().chain(std::iter::once(&mut self.otherwise));
        for attempt in all {
            if let Attempt::Stream(stream) = attempt {
                stream.shape = shape;
            }
        }
    }
}

/// What a second stream with the same credentials gets while the first
/// is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneConnection {
    /// Refused: 420 on v1.1 paths, 429 `TooManyConnections` on v2.
    Refuse,
    /// Accepted; the first stream gets a v1.1 `disconnect` message with
    /// code 7 (or a v2 operational disconnect) and is closed.
    Displace,
}

/// One connection attempt of a scenario.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Attempt {
    /// A complete non-200 response.
    Status(StatusAttempt),
    /// The connection is reset (RST) once the request head has arrived,
    /// before any byte of response.
    Reset,
    /// A 200 stream, misbehaving as scripted.
    Stream(StreamAttempt),
}

impl Attempt {
    /// A response with this status and the default body for it (see
    /// [`StatusAttempt`]).
    pub fn status(status: u16) -> StatusAttempt {
        StatusAttempt { status, body: None, headers: Vec::new() }
    }

    /// A connection reset before any response.
    pub fn reset() -> Attempt {
        Attempt::Reset
    }

    /// A normal stream; add faults with the [`StreamAttempt`] methods.
    pub fn stream() -> StreamAttempt {
        StreamAttempt::default()
    }

    /// Whether the attempt must be written by hand, bypassing hyper.
    pub(crate) fn is_raw(&self) -> bool {
        match self {
            Attempt::Reset => true,
            Attempt::Stream(stream) => {
                stream.steps.iter().any(|step| step.action == Action::MalformedChunk)
            }
            Attempt::Status(_) => false,
        }
    }
}

impl From<StatusAttempt> for Attempt {
    fn from(status: StatusAttempt) -> Attempt {
        Attempt::Status(status)
    }
}

impl From<StreamAttempt> for Attempt {
    fn from(stream: StreamAttempt) -> Attempt {
        Attempt::Stream(stream)
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attempt::Status(status) => write!(f, "status {}", status.status),
            Attempt::Reset => f.write_str("reset before response"),
            Attempt::Stream(stream) => {
                f.write_str("stream")?;
                for (i, step) in stream.steps.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}{step}")?;
                }
                Ok(())
            }
        }
    }
}

/// A non-200 answer.
///
/// Default bodies: for 420 the plain text the service sent, `Exceeded
/// connection limit for user`; for 429 the v2 `TooManyConnections` problem
/// JSON; for anything else a JSON `{"errors":[{"code":..,"message":..}]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusAttempt {
    pub(crate) status: u16,
    pub(crate) body: Option<(String, Bytes)>,
    pub(crate) headers: Vec<(String, String)>,
}

impl StatusAttempt {
    /// Replaces the default body, with its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> StatusAttempt {
        self.body = Some((content_type.to_owned(), body.into()));
        self
    }

    /// Adds a response header. Default: none beyond the content type.
    pub fn header(mut self, name: &str, value: &str) -> StatusAttempt {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Retry-After: <seconds>`. Default: none.
    pub fn retry_after(self, seconds: u64) -> StatusAttempt {
        self.header("retry-after", &seconds.to_string())
    }
}

/// A 200 stream with scripted faults.
///
/// Each fault is a trigger ([`after_messages`](Self::after_messages),
/// [`after`](Self::after), [`after_bytes`](Self::after_bytes)) followed by
/// an action; triggers count from the start of this stream. A trigger
/// fires at the first message boundary where its count is reached, so an
/// action never lands inside a message (a cut then sends part of the next
/// one on purpose). `warning` lets the stream go on to the next fault;
/// every other action ends it. Without a trigger, an action fires at once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamAttempt {
    pub(crate) steps: Vec<Step>,
    pub(crate) trigger: Option<Trigger>,
    pub(crate) shape: Shape,
    pub(crate) gzip: Option<bool>,
}

/// When a step fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Trigger {
    Messages(u64),
    Elapsed(Duration),
    Bytes(u64),
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Action {
    End,
    Cut,
    Reset,
    Stall,
    Disconnect { code: u32, stream_name: String, reason: String },
    Warning { percent_full: u32 },
    OperationalDisconnect { disconnect_type: String },
    MalformedChunk,
    TruncateGzip,
}

/// One scripted fault of a stream.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Step {
    pub(crate) trigger: Trigger,
    pub(crate) action: Action,
}

/// How the body's bytes are cut into HTTP chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) enum Shape {
    /// As the replay produces them.
    #[default]
    Whole,
    /// `bytes` bytes every `every`.
    Drip { bytes: usize, every: Duration },
    /// Chunks of `size` bytes.
    Every { size: usize },
    /// Chunks of 1 to `max` bytes, sizes from a seeded generator.
    Random { seed: u64, max: usize },
}

impl StreamAttempt {
    /// The next fault fires once this stream has sent `messages` messages.
    pub fn after_messages(mut self, messages: u64) -> StreamAttempt {
        self.trigger = Some(Trigger::Messages(messages));
        self
    }

    /// The next fault fires `elapsed` after the stream opened (at the next
    /// message boundary).
    pub fn after(mut self, elapsed: Duration) -> StreamAttempt {
        self.trigger = Some(Trigger::Elapsed(elapsed));
        self
    }

    /// The next fault fires at the first message end at least `bytes`
    /// fixture bytes into this stream.
    pub fn after_bytes(mut self, bytes: u64) -> StreamAttempt {
        self.trigger = Some(Trigger::Bytes(bytes));
        self
    }

    fn step(mut self, action: Action) -> StreamAttempt {
        let trigger = self.trigger.take().unwrap_or(Trigger::Messages(0));
        self.steps.push(Step { trigger, action });
        self
    }

    /// Ends the body cleanly (terminating chunk) and closes.
    pub fn end(self) -> StreamAttempt {
        self.step(Action::End)
    }

    /// Sends the first half of the next message, then closes the
    /// connection without the terminating chunk.
    pub fn cut(self) -> StreamAttempt {
        self.step(Action::Cut)
    }

    /// Resets the connection (RST).
    pub fn reset(self) -> StreamAttempt {
        self.step(Action::Reset)
    }

    /// Keeps the connection open and sends nothing more, not even
    /// keep-alives.
    pub fn stall(self) -> StreamAttempt {
        self.step(Action::Stall)
    }

    /// Sends a v1.1 `disconnect` message with this code (and the stream
    /// name `statuses` and a reason from the protocol's table), then
    /// closes.
    pub fn disconnect(self, code: u32) -> StreamAttempt {
        self.disconnect_with(code, "statuses", disconnect_reason(code))
    }

    /// Sends a v1.1 `disconnect` message with every field given, then
    /// closes.
    pub fn disconnect_with(self, code: u32, stream_name: &str, reason: &str) -> StreamAttempt {
        self.step(Action::Disconnect {
            code,
            stream_name: stream_name.to_owned(),
            reason: reason.to_owned(),
        })
    }

    /// Sends a `FALLING_BEHIND` warning with this fill level and goes on.
    pub fn warning(self, percent_full: u32) -> StreamAttempt {
        self.step(Action::Warning { percent_full })
    }

    /// Sends a v2 `operational-disconnect` error of this type (such as
    /// `UpstreamOperationalDisconnect`), then closes.
    pub fn operational_disconnect(self, disconnect_type: &str) -> StreamAttempt {
        self.step(Action::OperationalDisconnect { disconnect_type: disconnect_type.to_owned() })
    }

    /// Writes a chunk header that is not hexadecimal, then closes. The
    /// whole response is written by hand for such an attempt.
    pub fn malformed_chunk(self) -> StreamAttempt {
        self.step(Action::MalformedChunk)
    }

    /// Sends part of the next message compressed, cut inside its deflate
    /// block, then ends the HTTP body cleanly without the gzip trailer.
    /// Only meaningful on a compressed stream.
    pub fn truncate_gzip(self) -> StreamAttempt {
        self.step(Action::TruncateGzip)
    }

    /// Sends `bytes` bytes every `every`. Default: chunks as replayed.
    pub fn drip(mut self, bytes: usize, every: Duration) -> StreamAttempt {
        self.shape = Shape::Drip { bytes: bytes.max(1), every };
        self
    }

    /// Cuts the body into chunks of `size` bytes. Default: as replayed.
    pub fn rechunk(mut self, size: usize) -> StreamAttempt {
        self.shape = Shape::Every { size: size.max(1) };
        self
    }

    /// Cuts the body into chunks of 1 to `max` bytes, sizes drawn from a
    /// generator seeded with `seed`. Default: as replayed.
    pub fn rechunk_random(mut self, seed: u64, max: usize) -> StreamAttempt {
        self.shape = Shape::Random { seed, max: max.max(1) };
        self
    }

    /// Compresses the body with gzip when the request accepts it (`true`)
    /// or never (`false`). Default: the server's setting.
    pub fn gzip(mut self, gzip: bool) -> StreamAttempt {
        self.gzip = Some(gzip);
        self
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.trigger {
            Trigger::Messages(0) => {}
            Trigger::Messages(n) => write!(f, "after {n} messages ")?,
            Trigger::Elapsed(t) => write!(f, "after {t:?} ")?,
            Trigger::Bytes(n) => write!(f, "after {n} bytes ")?,
        }
        match &self.action {
            Action::End => f.write_str("end"),
            Action::Cut => f.write_str("cut"),
            Action::Reset => f.write_str("reset"),
            Action::Stall => f.write_str("stall"),
            Action::Disconnect { code, .. } => write!(f, "disconnect {code}"),
            Action::Warning { percent_full } => write!(f, "warning {percent_full}%"),
            Action::OperationalDisconnect { disconnect_type } => {
                write!(f, "operational disconnect {disconnect_type}")
            }
            Action::MalformedChunk => f.write_str("malformed chunk"),
            Action::TruncateGzip => f.write_str("truncated gzip"),
        }
    }
}

/// The reason the service gave for each disconnect code (section 4).
pub(crate) fn disconnect_reason(code: u32) -> &'static str {
    match code {
        1 => "Shutdown",
        2 => "Duplicate stream",
        3 => "Control request",
        4 => "Stall",
        5 => "Normal",
        6 => "Token revoked",
        7 => "Admin logout",
        9 => "Max message limit",
        10 => "Stream exception",
        11 => "Broker stall",
        12 => "Shed load",
        _ => "Disconnected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_attach_to_the_action_that_follows_them() {
        let Attempt::Stream(stream) =
            Attempt::stream().after_messages(10).warning(80).after_bytes(500).cut().into()
        else {
            panic!("not a stream");
        };
        assert_eq!(stream.steps.len(), 2);
        assert_eq!(stream.steps[0].trigger, Trigger::Messages(10));
        assert_eq!(stream.steps[1].trigger, Trigger::Bytes(500));
        assert_eq!(stream.steps[1].action, Action::Cut);
    }

    #[test]
    fn attempts_describe_their_faults() {
        let attempt: Attempt = Attempt::stream().after_messages(50).disconnect(7).into();
        assert_eq!(attempt.to_string(), "stream: after 50 messages disconnect 7");
        assert_eq!(Attempt::from(Attempt::status(420)).to_string(), "status 420");
        assert!(Attempt::from(Attempt::stream().malformed_chunk()).is_raw());
    }
}
