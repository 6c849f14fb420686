//! The callback way of consuming a stream: a [`Listener`] with one method
//! per message kind and per connection event, and the dispatch of an
//! [`Event`] to them.

use std::ops::ControlFlow;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::frame::FrameError;
use crate::message::{Kind, Message, MessageError};
use crate::protocol::Failure;

use super::events::{CloseReason, ConnectionError, Event};

/// What a callback returns: `ControlFlow::Continue(())` to go on,
/// `ControlFlow::Break(())` to stop the stream at once.
pub type Flow = ControlFlow<()>;

const GO_ON: Flow = ControlFlow::Continue(());

/// Callbacks for a stream, one per message kind and per connection event.
/// Every method does nothing by default and lets the stream go on; return
/// `ControlFlow::Break(())` from any of them to stop the stream (the
/// connection closes and nothing reconnects).
///
/// Callbacks run on the consuming task, one at a time, in stream order.
/// While one runs the reader keeps filling a bounded queue, then stops
/// reading the socket, so a slow callback slows the server instead of
/// growing memory.
///
/// # Limitations
///
/// Callbacks are synchronous. A callback that blocks for long blocks the
/// task it runs on; with [`Client::spawn`](super::Client::spawn) that is a
/// tokio worker thread. For async work per message, consume
/// [`Client::stream`](super::Client::stream) instead.
#[allow(unused_variables)]
pub trait Listener {
    /// A connection answered `status` (200) and streaming began.
    fn on_connect(&mut self, status: u16) -> Flow {
        GO_ON
    }

    /// A v1.1 status.
    fn on_status(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 status deletion notice.
    fn on_delete(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 limit notice.
    fn on_limit(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 `disconnect` message; the server closes after it.
    fn on_disconnect_message(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 stall warning.
    fn on_warning(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 location deletion notice.
    fn on_scrub_geo(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 status withheld in some countries.
    fn on_status_withheld(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v1.1 user withheld in some countries.
    fn on_user_withheld(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A keep-alive blank line.
    fn on_keep_alive(&mut self) -> Flow {
        GO_ON
    }

    /// A message of no known kind (or of a retired one: friends lists,
    /// user-stream events, direct messages, site-stream envelopes).
    fn on_unknown(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// A v2 response carrying a tweet in `data`.
    fn on_tweet(&mut self, message: &Message) -> Flow {
        GO_ON
    }

    /// The `includes` object of a v2 response, as raw JSON; called after
    /// [`Listener::on_tweet`] for the same message.
    fn on_includes(&mut self, message: &Message, includes: &str) -> Flow {
        GO_ON
    }

    /// The `errors` array of a v2 response, as raw JSON (an
    /// `operational-disconnect` among them precedes a server close).
    fn on_errors(&mut self, message: &Message, errors: &str) -> Flow {
        GO_ON
    }

    /// The `matching_rules` array of a v2 response, as raw JSON.
    fn on_matching_rules(&mut self, message: &Message, rules: &str) -> Flow {
        GO_ON
    }

    /// The server answered `status` instead of 200, with this body.
    fn on_request_error(&mut self, status: u16, body: &str) -> Flow {
        GO_ON
    }

    /// A connection could not be made, or broke or stalled.
    fn on_connection_error(&mut self, error: &ConnectionError) -> Flow {
        GO_ON
    }

    /// The client will reconnect after `delay` because of `cause`.
    fn on_reconnect(&mut self, cause: &Failure, delay: Duration) -> Flow {
        GO_ON
    }

    /// A framing fault; the stream goes on.
    fn on_frame_error(&mut self, error: &FrameError) -> Flow {
        GO_ON
    }

    /// A payload that is not a message; the stream goes on.
    fn on_message_error(&mut self, error: &MessageError) -> Flow {
        GO_ON
    }

    /// The stream ended for good. Called exactly once, last.
    fn on_closed(&mut self, reason: &CloseReason) {}
}

/// Calls the listener's method for `event`. [`Event::Closed`] is left to
/// the caller, which calls `on_closed` once whatever ends the stream.
pub(crate) fn dispatch<L: Listener + ?Sized>(listener: &mut L, event: &Event) -> Flow {
    match event {
        Event::Connected { status } => listener.on_connect(*status),
        Event::Message(message) => dispatch_message(listener, message),
        Event::KeepAlive => listener.on_keep_alive(),
        Event::FrameError(error) => listener.on_frame_error(error),
        Event::MessageError(error) => listener.on_message_error(error),
        Event::RequestError { status, body } => listener.on_request_error(*status, body),
        Event::ConnectionError(error) => listener.on_connection_error(error),
        Event::Reconnecting { cause, delay } => listener.on_reconnect(cause, *delay),
        Event::Closed { .. } => GO_ON,
    }
}

fn dispatch_message<L: Listener + ?Sized>(listener: &mut L, message: &Message) -> Flow {
    match message.kind() {
        Kind::Status => listener.on_status(message),
        Kind::Delete => listener.on_delete(message),
        Kind::Limit => listener.on_limit(message),
        Kind::Disconnect => listener.on_disconnect_message(message),
        Kind::Warning => listener.on_warning(message),
        Kind::ScrubGeo => listener.on_scrub_geo(message),
        Kind::StatusWithheld => listener.on_status_withheld(message),
        Kind::UserWithheld => listener.on_user_withheld(message),
        Kind::Tweet | Kind::Errors | Kind::OperationalDisconnect => dispatch_v2(listener, message),
        _ => listener.on_unknown(message),
    }
}

/// The top-level parts of a v2 response, borrowed as raw JSON.
#[derive(Deserialize)]
struct V2Parts<'a> {
    #[serde(borrow, default)]
    includes: Option<&'a RawValue>,
    #[serde(borrow, default)]
    errors: Option<&'a RawValue>,
    #[serde(borrow, default)]
    matching_rules: Option<&'a RawValue>,
}

fn dispatch_v2<L: Listener + ?Sized>(listener: &mut L, message: &Message) -> Flow {
    if message.kind() == Kind::Tweet {
        listener.on_tweet(message)?;
    }
    // The classifier already checked this is a JSON object; a failure here
    // only means there are no parts to report.
    let Ok(parts) = serde_json::from_slice::<V2Parts<'_>>(message.raw()) else {
        return GO_ON;
    };
    if let Some(includes) = parts.includes {
        listener.on_includes(message, includes.get())?;
    }
    if let Some(rules) = parts.matching_rules {
        listener.on_matching_rules(message, rules.get())?;
    }
    if let Some(errors) = parts.errors {
        listener.on_errors(message, errors.get())?;
    }
    GO_ON
}
