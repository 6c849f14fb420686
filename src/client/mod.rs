//! The streaming client: connects to a v1.1 or v2 stream, decodes frames
//! into messages, reconnects as section 6 of the protocol prescribes, and
//! hands everything to a consumer in order.
//!
//! Three ways to consume, all over the same reader task and bounded queue:
//!
//! - [`Client::run`] calls a [`Listener`]'s callbacks until the stream ends
//!   or a callback returns `ControlFlow::Break`;
//! - [`Client::stream`] yields [`Event`]s as a `futures_core::Stream`;
//! - [`Client::spawn`] runs a listener on a task of its own and returns a
//!   [`StreamHandle`] to stop it, join it and read its counters.
//!
//! The client owns connecting (hyper 1, rustls, HTTP proxies, gzip), stall
//! detection and the reconnect loop; the framing, the message kinds, the
//! request parameters, OAuth and the backoff timings come from the modules
//! below it.

mod body;
mod builder;
mod counters;
mod events;
mod listener;
mod reader;
mod request;
mod transport;

pub use builder::{BuildError, ClientBuilder};
pub use counters::Counters;
pub use events::{CloseReason, ConnectionError, Error, Event, EventStream};
pub use listener::{Flow, Listener};

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use builder::Config;
use counters::SharedCounters;
use listener::dispatch;

/// A configured streaming client. Cheap to clone; clones share counters.
///
/// Each of [`Client::run`], [`Client::stream`] and [`Client::spawn`] opens
/// a stream of its own.
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    counters: SharedCounters,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds secrets; show only what is safe.
        f.debug_struct("Client")
            .field("request", &self.config.request)
            .field("base", &self.config.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with every setting at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A snapshot of the counters of every stream this client (and its
    /// clones) opened.
    pub fn counters(&self) -> Counters {
        self.counters.snapshot()
    }

    /// Streams into `listener` until the stream closes for good or a
    /// callback returns `ControlFlow::Break`. The connection is closed when
    /// this returns.
    ///
    /// # Errors
    ///
    /// [`Error::GaveUp`] when the backoff policy gave up (a 403, 404, 406,
    /// 413 or 416, or the retry limit reached). A stop from a callback is
    /// `Ok`.
    pub async fn run<L: Listener + ?Sized>(&self, listener: &mut L) -> Result<(), Error> {
        let cancel = CancellationToken::new();
        let (events, reader) = self.spawn_reader(cancel.clone());
        let outcome = consume(listener, events, &cancel).await;
        cancel.cancel();
        // The reader stops at its next await; wait so that its socket is
        // closed before returning.
        let _ = reader.await;
        outcome
    }

    /// The stream's events. Dropping the returned stream stops the client.
    pub fn stream(&self) -> EventStream {
        let cancel = CancellationToken::new();
        let (events, _reader) = self.spawn_reader(cancel.clone());
        EventStream::new(events, self.counters.clone(), cancel.drop_guard())
    }

    /// Runs `listener` on a task of its own.
    ///
    /// Dropping the handle does not stop the stream; call
    /// [`StreamHandle::stop`].
    pub fn spawn<L: Listener + Send + 'static>(&self, mut listener: L) -> StreamHandle {
        let cancel = CancellationToken::new();
        let (events, reader) = self.spawn_reader(cancel.clone());
        let task_cancel = cancel.clone();
        let task = tokio::spawn(async move {
            let outcome = consume(&mut listener, events, &task_cancel).await;
            task_cancel.cancel();
            let _ = reader.await;
            outcome
        });
        StreamHandle { cancel, task, counters: self.counters.clone() }
    }

    /// Starts the reader task; it ends, dropping its connection, as soon as
    /// `cancel` fires.
    fn spawn_reader(&self, cancel: CancellationToken) -> (mpsc::Receiver<Event>, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(self.config.queue_capacity);
        let config = self.config.clone();
        let counters = self.counters.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                biased;
                () = cancel.cancelled() => tracing::info!("stream stopped"),
                () = reader::run(config, sender, counters) => {}
            }
        });
        (receiver, task)
    }
}

/// Feeds events to `listener` until the stream closes, a callback breaks
/// or `cancel` fires; calls `on_closed` once at the end.
async fn consume<L: Listener + ?Sized>(
    listener: &mut L,
    mut events: mpsc::Receiver<Event>,
    cancel: &CancellationToken,
) -> Result<(), Error> {
    let reason = loop {
        let event = tokio::select! {
            biased;
            () = cancel.cancelled() => break CloseReason::Stopped,
            event = events.recv() => event,
        };
        match event {
            Some(Event::Closed { reason }) => break reason,
            Some(event) => {
                if dispatch(listener, &event).is_break() {
                    cancel.cancel();
                    break CloseReason::Stopped;
                }
            }
            // The reader ended without a word: only a stop does that.
            None => break CloseReason::Stopped,
        }
    };
    listener.on_closed(&reason);
    reason.into_result()
}

/// A stream running on a task of its own, from [`Client::spawn`].
#[derive(Debug)]
pub struct StreamHandle {
    cancel: CancellationToken,
    task: JoinHandle<Result<(), Error>>,
    counters: SharedCounters,
}

impl StreamHandle {
    /// Stops the stream at once: the connection closes, a pending retry is
    /// cancelled, no callback but `on_closed` runs after the current one,
    /// and nothing reconnects.
    pub fn stop(&self) {
        self.cancel.cancel();
    }

    /// Whether the stream has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// A snapshot of the client's counters.
    pub fn counters(&self) -> Counters {
        self.counters.snapshot()
    }

    /// Waits for the stream to end.
    ///
    /// # Errors
    ///
    /// [`Error::GaveUp`] when the backoff policy gave up,
    /// [`Error::Task`] if the listener panicked.
    pub async fn join(self) -> Result<(), Error> {
        match self.task.await {
            Ok(outcome) => outcome,
            Err(err) => Err(Error::Task { reason: err.to_string() }),
        }
    }
}
