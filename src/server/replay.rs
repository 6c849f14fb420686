//! Replays: the body of one streaming response, produced piece by piece as
//! the client reads it.
//!
//! A [`ReplayBody`] is an `http_body::Body` that computes its next chunk
//! only when hyper polls for it, so a slow reader holds the replay back
//! instead of making the server buffer: at most what hyper's write buffer
//! and the socket hold is ever in flight, and the chunks are `Bytes`
//! slices of the shared fixture. Pacing is a `tokio::time::Sleep` until
//! the next chunk (or keep-alive) is due, on tokio's clock.
//!
//! The replay moves a per-client [`Cursor`] forward as it sends, so a
//! reconnecting client resumes where this stream stopped.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::filter::StreamFilter;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, trace};

use super::journal::{StreamEnd, StreamStats};
use super::track::{Position, Track, KEEP_ALIVE};
use super::Speed;
use crate::fixture::{Connection, End, Fixture};
use crate::frame::Framing;

/// How long a recorded reset waits after the last chunk, so the client
/// can read it before the RST discards its receive buffer.
const RESET_GRACE: Duration = Duration::from_millis(50);

/// The fixture and its tracks, built on first use for each framing a
/// request asks for.
#[derive(Debug)]
pub(crate) struct Library {
    fixture: Arc<Fixture>,
    tracks: Vec<[OnceLock<Arc<Track>>; 2]>,
}

impl Library {
    pub(crate) fn new(fixture: Arc<Fixture>) -> Library {
        let tracks = fixture.connections.iter().map(|_| Default::default()).collect();
        Library { fixture, tracks }
    }

    /// How many connections the fixture holds.
    pub(crate) fn len(&self) -> usize {
        self.fixture.connections.len()
    }

    /// Connection `index` as recorded.
    pub(crate) fn connection(&self, index: usize) -> Option<&Connection> {
        self.fixture.connections.get(index)
    }

    /// Connection `index` laid out for `framing` (`crlf` or `length`).
    pub(crate) fn track(
        &self,
        index: usize,
        framing: Framing,
        filter: &StreamFilter,
    ) -> Option<Arc<Track>> {
        let connection = self.fixture.connections.get(index)?;
        if !matches!(filter, StreamFilter::All) {
            // Filtered tracks depend on the request: built per stream.
            return Some(Arc::new(Track::filtered(connection, framing, filter)));
        }
        let slot = usize::from(framing == Framing::Length);
        let cell = &self.tracks[index][slot];
        Some(cell.get_or_init(|| Arc::new(Track::build(connection, framing))).clone())
    }
}

/// Where a client is in the fixture: the connection it gets next and the
/// first message of it not yet sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) connection: usize,
    pub(crate) message: usize,
}

/// A client's cursor, shared by its streams.
pub(crate) type SharedCursor = Arc<Mutex<Cursor>>;

/// State of one TCP connection that a response may act on: a replay that
/// must cut the connection asks for a reset here, and the connection's
/// I/O sets `SO_LINGER` to zero when it is dropped.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    reset: AtomicBool,
}

impl ConnControl {
    /// Asks for the connection to be reset (RST) rather than closed.
    pub(crate) fn request_reset(&self) {
        self.reset.store(true, Ordering::Release);
    }

    /// Whether a reset was asked for.
    pub(crate) fn wants_reset(&self) -> bool {
        self.reset.load(Ordering::Acquire)
    }
}

/// Everything a stream needs to know before it starts: the replay plan of
/// one connection attempt.
#[derive(Clone, Debug)]
pub(crate) struct StreamPlan {
    /// The framing the request asked for.
    pub(crate) framing: Framing,
    /// Where in the fixture to start.
    pub(crate) start: Cursor,
    /// How fast to replay.
    pub(crate) speed: Speed,
    /// The idle interval after which a keep-alive is sent; `None` sends
    /// only recorded ones.
    pub(crate) keep_alive: Option<Duration>,
    /// Whether to go round the fixture forever.
    pub(crate) looping: bool,
    /// What the request's predicates or rules let through.
    pub(crate) filter: Arc<StreamFilter>,
}

/// The body ended the connection abruptly, as the fixture recorded.
#[derive(Debug, thiserror::Error)]
#[error("connection cut as recorded in fixture connection {connection}")]
pub struct CutError {
    connection: usize,
}

/// The body of one streaming response.
pub(crate) struct ReplayBody {
    library: Arc<Library>,
    plan: StreamPlan,
    /// The connection being replayed; `None` once the fixture ran out.
    track: Option<Arc<Track>>,
    connection: usize,
    position: Position,
    /// Messages of the current connection sent (or skipped on resume).
    messages_done: usize,
    /// The instant that maps to the recorded offset `base_at`.
    base: Instant,
    base_at: Duration,
    last_due: Instant,
    last_write: Instant,
    /// Whether the bytes sent so far end on a frame boundary.
    at_boundary: bool,
    sleep: Pin<Box<Sleep>>,
    /// When to reset the connection, once a recorded reset is reached.
    cut_at: Option<Instant>,
    done: bool,
    stats: Arc<StreamStats>,
    cursor: SharedCursor,
    control: Arc<ConnControl>,
    shutdown: CancellationToken,
}

impl ReplayBody {
    /// A replay of `plan`, moving `cursor` forward as it sends.
    pub(crate) fn new(
        library: Arc<Library>,
        plan: StreamPlan,
        cursor: SharedCursor,
        stats: Arc<StreamStats>,
        control: Arc<ConnControl>,
        shutdown: CancellationToken,
    ) -> ReplayBody {
        let now = Instant::now();
        let start = plan.start;
        let track = library.track(start.connection, plan.framing, &plan.filter);
        let position = track
            .as_ref()
            .map_or(Position { piece: 0, skip: 0 }, |t| t.position_after(start.message));
        // A resumed stream sends its first piece at once; a fresh one
        // keeps the recorded delay before its first chunk.
        let base_at = match (&track, start.message) {
            (Some(t), m) if m > 0 => t.pieces.get(position.piece).map_or(Duration::ZERO, |p| p.at),
            _ => Duration::ZERO,
        };
        ReplayBody {
            library,
            track,
            connection: start.connection,
            position,
            messages_done: start.message,
            base: now,
            base_at,
            last_due: now,
            last_write: now,
            at_boundary: true,
            sleep: Box::pin(tokio::time::sleep_until(now)),
            cut_at: None,
            done: false,
            stats,
            cursor,
            control,
            shutdown,
            plan,
        }
    }

    /// When a piece recorded at `at` is due.
    fn due(&self, at: Duration, now: Instant) -> Instant {
        match self.plan.speed {
            Speed::Max => now,
            Speed::Factor(factor) => self.base + at.saturating_sub(self.base_at).div_f64(factor),
        }
    }

    fn set_cursor(&self, cursor: Cursor) {
        *self.cursor.lock().unwrap_or_else(PoisonError::into_inner) = cursor;
    }

    /// The connection after `connection`, wrapping round when looping.
    fn next_connection(&self, connection: usize) -> usize {
        let next = connection + 1;
        match self.library.len() {
            len if self.plan.looping && next >= len => 0,
            _ => next,
        }
    }

    /// The current track has been sent: ends the body, cuts the connection
    /// or moves on, as the recording ended. Returns a frame to hand back
    /// when the body stops here.
    fn end_of_track(&mut self, track: &Track) -> Option<PollFrame> {
        let next = self.next_connection(self.connection);
        self.set_cursor(Cursor { connection: next, message: 0 });
        match track.end {
            End::Clean => {
                info!(connection = self.connection, "fixture connection ended cleanly; closing");
                self.finish(StreamEnd::Completed);
                Some(Poll::Ready(None))
            }
            End::Reset => {
                // A reset discards what the client has not read yet: give
                // it a moment to take the last chunk first.
                debug!(connection = self.connection, "fixture connection was reset; cutting soon");
                self.track = None;
                self.cut_at = Some(Instant::now() + RESET_GRACE);
                None
            }
            _ if self.plan.looping => {
                let following = self.library.track(next, self.plan.framing, &self.plan.filter);
                match following {
                    Some(t) if t.status == 200 => {
                        debug!(
                            from = self.connection,
                            to = next,
                            "looping into the next connection"
                        );
                        self.connection = next;
                        self.track = Some(t);
                        self.position = Position { piece: 0, skip: 0 };
                        self.messages_done = 0;
                        self.base = self.last_due;
                        self.base_at = Duration::ZERO;
                        None
                    }
                    // The next attempt must see that status: close here.
                    _ => {
                        self.finish(StreamEnd::Completed);
                        Some(Poll::Ready(None))
                    }
                }
            }
            _ => {
                debug!(connection = self.connection, "fixture connection ran out; idling");
                self.track = None;
                None
            }
        }
    }

    fn finish(&mut self, end: StreamEnd) {
        self.done = true;
        self.stats.ended(end);
    }
}

/// What `poll_frame` returns.
type PollFrame = Poll<Option<Result<Frame<Bytes>, CutError>>>;

/// What the replay does next.
enum Next {
    Piece,
    KeepAlive,
}

impl Body for ReplayBody {
    type Data = Bytes;
    type Error = CutError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> PollFrame {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            let now = Instant::now();
            if let Some(cut_at) = this.cut_at {
                if cut_at > now {
                    this.sleep.as_mut().reset(cut_at);
                    ready!(this.sleep.as_mut().poll(cx));
                }
                info!(connection = this.connection, "cutting the connection as recorded");
                this.control.request_reset();
                this.finish(StreamEnd::Cut);
                return Poll::Ready(Some(Err(CutError { connection: this.connection })));
            }

            // The next recorded piece, or the end of the recording.
            let mut piece_due = None;
            if let Some(track) = this.track.clone() {
                match track.pieces.get(this.position.piece) {
                    Some(piece) => piece_due = Some(this.due(piece.at, now)),
                    None => match this.end_of_track(&track) {
                        Some(poll) => return poll,
                        None => continue,
                    },
                }
            }

            // A keep-alive goes out only between frames, after an idle
            // interval.
            let keep_alive_due = match this.plan.keep_alive {
                Some(interval) if this.at_boundary => Some(this.last_write + interval),
                _ => None,
            };
            let (target, next) = match (piece_due, keep_alive_due) {
                // A late piece (slow reader) goes before any keep-alive.
                (Some(piece), Some(keep_alive)) if keep_alive < piece && piece > now => {
                    (keep_alive, Next::KeepAlive)
                }
                (Some(piece), _) => (piece, Next::Piece),
                (None, Some(keep_alive)) => (keep_alive, Next::KeepAlive),
                // Out of data in the middle of a frame: nothing may be
                // sent, so the stream stalls until the client gives up.
                (None, None) => return Poll::Pending,
            };
            if target > now {
                this.sleep.as_mut().reset(target);
                if this.sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                continue;
            }

            this.last_write = now;
            match next {
                Next::KeepAlive => {
                    trace!("keep-alive");
                    this.stats.keep_alive();
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(KEEP_ALIVE)))));
                }
                Next::Piece => {
                    let Some(track) = &this.track else { continue };
                    let piece = &track.pieces[this.position.piece];
                    let data = piece.data.slice(this.position.skip.min(piece.data.len())..);
                    let messages = piece.messages_done.saturating_sub(this.messages_done);
                    this.position = Position { piece: this.position.piece + 1, skip: 0 };
                    this.messages_done = this.messages_done.max(piece.messages_done);
                    this.at_boundary = piece.at_boundary;
                    this.last_due = target;
                    this.stats.sent(data.len(), messages);
                    this.set_cursor(Cursor {
                        connection: this.connection,
                        message: this.messages_done,
                    });
                    if data.is_empty() {
                        // An empty chunk would end the chunked body.
                        continue;
                    }
                    trace!(bytes = data.len(), messages, "chunk");
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

impl Drop for ReplayBody {
    fn drop(&mut self) {
        if !self.done {
            let end = if self.shutdown.is_cancelled() {
                StreamEnd::ServerShutdown
            } else {
                StreamEnd::ClientGone
            };
            self.stats.ended(end);
        }
        info!(
            end = ?self.stats.end(),
            messages = self.stats.messages(),
            bytes = self.stats.bytes(),
            "stream closed"
        );
    }
}
