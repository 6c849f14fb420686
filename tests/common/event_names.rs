//! A short name for each client event, so tests compare event sequences as
//! text. Shared by the client and fault test helpers through `#[path]`.

use rehose::client::Event;

/// A short name for an event, for comparing sequences.
pub fn describe(event: &Event) -> String {
    match event {
        Event::Connected { status } => format!("connected {status}"),
        Event::Message(message) => format!("{} {}", message.kind().name(), message.json()),
        Event::KeepAlive => "keep-alive".into(),
        Event::FrameError(error) => format!("frame error {error:?}"),
        Event::MessageError(error) => format!("message error {error:?}"),
        Event::RequestError { status, body } => format!("request error {status} {body}"),
        Event::ConnectionError(error) => format!("connection error {error}"),
        Event::Reconnecting { cause, delay } => format!("reconnecting {cause:?} {delay:?}"),
        Event::Closed { reason } => format!("closed {reason:?}"),
        other => format!("{other:?}"),
    }
}
