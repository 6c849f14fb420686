//! The reader task: connect, read, decode and classify, and on failure ask
//! [`Backoff`] what to do, reconnecting until told to stop.
//!
//! Everything it sees goes into a bounded queue as [`Event`]s. When the
//! queue is full the reader waits, stops polling the body, and TCP flow
//! control slows the server down: memory stays bounded whatever the pace
//! of the consumer.
//!
//! Stopping is the caller's job: it drops this task's future (see
//! `Client::spawn_reader`), which drops the connection with it, so no
//! reconnection can follow a stop even with a retry sleep pending.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::mpsc;
use tracing::{debug, info, trace, warn};

use crate::frame::{Decoder, Frame, FrameError};
use crate::message::classify;
use crate::protocol::{Backoff, Decision, Failure};

use super::body::{byte_stream, is_stall};
use super::builder::Config;
use super::counters::SharedCounters;
use super::events::{CloseReason, ConnectionError, Event};
use super::request;
use crate::error_chain::describe;

/// How much of an error response's body is kept.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The consumer went away: nothing more to do.
struct Gone;

/// Sends events into the queue, counting as it goes.
struct Reader {
    config: Arc<Config>,
    events: mpsc::Sender<Event>,
    counters: SharedCounters,
}

/// Runs the stream until the policy gives up or the consumer goes away,
/// and sends the final [`Event::Closed`].
pub(crate) async fn run(
    config: Arc<Config>,
    events: mpsc::Sender<Event>,
    counters: SharedCounters,
) {
    let reader = Reader { config, events, counters };
    if let Ok(reason) = reader.reconnect_loop().await {
        info!(?reason, "stream closed");
        let _ = reader.events.send(Event::Closed { reason }).await;
    }
}

impl Reader {
    async fn send(&self, event: Event) -> Result<(), Gone> {
        self.events.send(event).await.map_err(|_| Gone)
    }

    async fn reconnect_loop(&self) -> Result<CloseReason, Gone> {
        let mut backoff = Backoff::new(self.config.backoff.clone());
        loop {
            let failure = self.attempt(&mut backoff).await?;
            self.counters.failure(&failure);
            match backoff.next(&failure) {
                Decision::Retry(delay) => {
                    debug!(cause = ?failure, ?delay, "reconnecting");
                    self.counters.reconnect();
                    self.send(Event::Reconnecting { cause: failure, delay }).await?;
                    tokio::time::sleep(delay).await;
                }
                Decision::Stop(reason) => {
                    debug!(cause = ?failure, %reason, "giving up");
                    return Ok(CloseReason::GaveUp { failure, reason });
                }
            }
        }
    }

    /// One connection, from connecting to its end. The connection is
    /// dropped (its socket closed) before this returns.
    async fn attempt(&self, backoff: &mut Backoff) -> Result<Failure, Gone> {
        let config = &self.config;
        let target = request::target(config);
        let timeout = config.stall_timeout;
        self.counters.attempt();

        // Connect and get the response head, both within the stall timeout.
        let uri = match target.uri() {
            Ok(uri) => uri,
            Err(reason) => {
                return self.network(ConnectionError::Request { url: target.url, reason }).await
            }
        };
        let connecting = config.transport.connect(&uri);
        let connection = match tokio::time::timeout(timeout, connecting).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(reason)) => {
                return self.network(ConnectionError::Connect { url: target.url, reason }).await
            }
            Err(_) => {
                let reason = format!("no connection within {timeout:?}");
                return self.network(ConnectionError::Connect { url: target.url, reason }).await;
            }
        };
        let mut connection = connection;
        let request = match request::build(
            config,
            &target,
            connection.absolute_form,
            connection.proxy_authorization.as_ref(),
        ) {
            Ok(request) => request,
            Err(reason) => {
                return self.network(ConnectionError::Request { url: target.url, reason }).await
            }
        };
        let response = match tokio::time::timeout(timeout, connection.sender.send_request(request))
            .await
        {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                let reason = describe(&err);
                return self.network(ConnectionError::Request { url: target.url, reason }).await;
            }
            Err(_) => {
                let reason = format!("no response within {timeout:?}");
                return self.network(ConnectionError::Request { url: target.url, reason }).await;
            }
        };

        // Anything but 200 is an HTTP error, with its body for the report.
        let status = response.status().as_u16();
        if status != 200 {
            let gzip = is_gzip(response.headers());
            let body = error_body(response.into_body(), gzip, timeout).await;
            // A 401 explains its likely causes: credentials or clock skew.
            warn!(status, explanation = Backoff::explain(status), "the server refused the stream");
            self.send(Event::RequestError { status, body }).await?;
            return Ok(Failure::Http(status));
        }

        backoff.connected();
        self.counters.connected();
        info!(url = %target.url, "connected");
        self.send(Event::Connected { status }).await?;
        let gzip = is_gzip(response.headers());
        let failure = self.read(response.into_body(), gzip).await?;
        trace!(open = connection.is_open(), "dropping the connection");
        Ok(failure)
    }

    async fn network(&self, error: ConnectionError) -> Result<Failure, Gone> {
        warn!(%error, "connection failed");
        self.send(Event::ConnectionError(error)).await?;
        Ok(Failure::Network)
    }

    /// Reads a 200 body until it ends, breaks or stalls.
    async fn read(&self, body: Incoming, gzip: bool) -> Result<Failure, Gone> {
        let config = &self.config;
        let mut chunks = byte_stream(body, gzip, config.stall_timeout);
        let mut decoder = Decoder::new(config.framing).max_frame_size(config.max_frame_size);

        let (failure, error) = loop {
            match chunks.next().await {
                Some(Ok(chunk)) => {
                    self.counters.bytes(chunk.len());
                    decoder.push(chunk);
                    while let Some(frame) = decoder.next_frame() {
                        self.deliver(frame).await?;
                    }
                }
                Some(Err(err)) if is_stall(&err) => {
                    let timeout = config.stall_timeout;
                    break (Failure::Stall, ConnectionError::Stalled { timeout });
                }
                Some(Err(err)) => {
                    let reason = describe(&err);
                    // Broken chunking is a network error (section 6), not
                    // a drop to follow at once.
                    let failure =
                        if is_bad_chunking(&err) { Failure::Network } else { Failure::Dropped };
                    break (failure, ConnectionError::Broken { reason });
                }
                None => break (Failure::Dropped, ConnectionError::Closed),
            }
        };

        // A frame cut short by the end is reported, never delivered.
        if let Some(truncated) = decoder.finish() {
            self.counters.frame_error();
            self.send(Event::FrameError(truncated)).await?;
        }
        info!(%error, "stream ended");
        self.send(Event::ConnectionError(error)).await?;
        Ok(failure)
    }

    async fn deliver(&self, frame: Result<Frame, FrameError>) -> Result<(), Gone> {
        let event = match frame {
            Ok(Frame::Message(payload)) => self.message(payload),
            Ok(Frame::KeepAlive) => {
                trace!("keep-alive");
                self.counters.keep_alive();
                Event::KeepAlive
            }
            Err(error) => {
                warn!(?error, "framing fault");
                self.counters.frame_error();
                Event::FrameError(error)
            }
        };
        self.send(event).await
    }

    fn message(&self, payload: Bytes) -> Event {
        let len = payload.len();
        match classify(payload) {
            Ok(message) => {
                trace!(kind = message.kind().name(), len, "message");
                self.counters.message(message.kind(), len);
                Event::Message(message)
            }
            Err(error) => {
                warn!(len, "payload is not a message");
                self.counters.message_error();
                Event::MessageError(error)
            }
        }
    }
}

/// Whether a body error is hyper rejecting the chunked encoding (its
/// cause is an `InvalidInput` or `InvalidData` I/O error, as opposed to a
/// reset, an early end or a stall).
fn is_bad_chunking(err: &std::io::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = err.get_ref().map(|e| e as _);
    let mut inside_hyper = false;
    while let Some(error) = source {
        inside_hyper |= error.is::<hyper::Error>();
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            let invalid = matches!(
                io.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
            );
            if inside_hyper && invalid {
                return true;
            }
        }
        source = error.source();
    }
    false
}

fn is_gzip(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("gzip"))
}

/// The start of an error response's body, read within `timeout`; whatever
/// arrived is kept if the body breaks or never ends.
async fn error_body(body: Incoming, gzip: bool, timeout: Duration) -> String {
    let mut collected = Vec::new();
    let reading = async {
        if gzip {
            let mut chunks = byte_stream(body, true, timeout);
            while let Some(Ok(chunk)) = chunks.next().await {
                collected.extend_from_slice(&chunk);
                if collected.len() >= ERROR_BODY_LIMIT {
                    break;
                }
            }
        } else {
            let mut body = body;
            while let Some(Ok(frame)) = body.frame().await {
                if let Ok(chunk) = frame.into_data() {
                    collected.extend_from_slice(&chunk);
                }
                if collected.len() >= ERROR_BODY_LIMIT {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(timeout, reading).await;
    collected.truncate(ERROR_BODY_LIMIT);
    String::from_utf8_lossy(&collected).into_owned()
}
