//! What the reader task reports: the [`Event`] type shared by the listener
//! and stream ways of consuming, the reasons a stream ends, and
//! [`EventStream`], the `futures_core::Stream` face of a client.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::mpsc;
use tokio_util::sync::DropGuard;

use crate::frame::FrameError;
use crate::message::{Message, MessageError};
use crate::protocol::Failure;

use super::counters::{Counters, SharedCounters};

/// One thing that happened on the stream, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A connection answered 200 and streaming began.
    Connected {
        /// The response status (always 200 today).
        status: u16,
    },
    /// A complete, classified message.
    Message(Message),
    /// A keep-alive blank line.
    KeepAlive,
    /// A framing fault; the stream goes on.
    FrameError(FrameError),
    /// A payload that is not a message; the stream goes on.
    MessageError(MessageError),
    /// The server answered with a status other than 200.
    RequestError {
        /// The status code.
        status: u16,
        /// The start of the response body (at most 64 KiB), lossily
        /// decoded as UTF-8.
        body: String,
    },
    /// A connection could not be made, or a stream broke or stalled.
    ConnectionError(ConnectionError),
    /// A reconnection is scheduled after `delay`.
    Reconnecting {
        /// Why the last attempt or stream ended.
        cause: Failure,
        /// How long the client waits before connecting again.
        delay: Duration,
    },
    /// The stream ended for good; nothing follows.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why a stream ended for good.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// Stopped by the caller: `stop()`, a callback returning
    /// `ControlFlow::Break`, or the event stream dropped.
    Stopped,
    /// The backoff policy gave up: retrying cannot help (403, 404, 406,
    /// 413, 416) or the retry limit was reached.
    GaveUp {
        /// The last failure.
        failure: Failure,
        /// The policy's explanation.
        reason: String,
    },
}

impl CloseReason {
    /// `Ok` for a stop, the error for anything else.
    pub(crate) fn into_result(self) -> Result<(), Error> {
        match self {
            CloseReason::Stopped => Ok(()),
            CloseReason::GaveUp { failure, reason } => Err(Error::GaveUp { failure, reason }),
        }
    }
}

/// A connection that failed or broke. Each one is followed by a
/// reconnection decision.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The TCP, proxy or TLS connection could not be made.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The URL of the stream (without query).
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The request could not be sent or no response head came back.
    #[error("request to {url} failed: {reason}")]
    Request {
        /// The URL of the stream (without query).
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// No byte arrived for the stall timeout.
    #[error("no byte received for {timeout:?}: the stream stalled")]
    Stalled {
        /// The stall timeout.
        timeout: Duration,
    },
    /// The body broke: a reset, bad chunking or a corrupt or truncated
    /// compressed body.
    #[error("the stream broke: {reason}")]
    Broken {
        /// What went wrong.
        reason: String,
    },
    /// The server ended the body.
    #[error("the server closed the stream")]
    Closed,
}

/// Why `run` or `join` returned an error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The backoff policy gave up.
    #[error("stream closed after {failure:?}: {reason}")]
    GaveUp {
        /// The last failure.
        failure: Failure,
        /// The policy's explanation.
        reason: String,
    },
    /// The spawned task panicked or was aborted.
    #[error("the stream task failed: {reason}")]
    Task {
        /// The join error.
        reason: String,
    },
}

/// The events of a client as an async stream, from
/// [`Client::stream`](super::Client::stream).
///
/// It ends after [`Event::Closed`]. Dropping it stops the client at once:
/// the connection is closed and no reconnection follows.
#[derive(Debug)]
pub struct EventStream {
    receiver: mpsc::Receiver<Event>,
    counters: SharedCounters,
    _stop_on_drop: DropGuard,
    done: bool,
}

impl EventStream {
    pub(crate) fn new(
        receiver: mpsc::Receiver<Event>,
        counters: SharedCounters,
        stop_on_drop: DropGuard,
    ) -> EventStream {
        EventStream { receiver, counters, _stop_on_drop: stop_on_drop, done: false }
    }

    /// A snapshot of the client's counters.
    pub fn counters(&self) -> Counters {
        self.counters.snapshot()
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        if self.done {
            return Poll::Ready(None);
        }
        let polled = self.receiver.poll_recv(cx);
        match &polled {
            Poll::Ready(Some(Event::Closed { .. })) | Poll::Ready(None) => self.done = true,
            _ => {}
        }
        polled
    }
}
