//! Messages: what a frame's payload is, found from its top-level keys, with
//! typed access to the fields people use and the raw JSON kept alongside.
//!
//! Classification never builds a JSON tree and never looks at substrings of
//! a text: it reads the top-level keys of the object. Typed views parse on
//! demand, borrowing from the raw bytes.

mod classify;
mod scan;

use bytes::Bytes;

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// A v1.1 status (tweet).
    Status,
    /// A v1.1 status deletion notice.
    Delete,
    /// A v1.1 location deletion notice.
    ScrubGeo,
    /// A v1.1 limit notice: statuses withheld by rate limiting.
    Limit,
    /// A v1.1 status withheld in some countries.
    StatusWithheld,
    /// A v1.1 user withheld in some countries.
    UserWithheld,
    /// A v1.1 in-band disconnect notice; the server closes after it.
    Disconnect,
    /// A v1.1 stall warning.
    Warning,
    /// A retired user-stream friends list.
    Friends,
    /// A retired user-stream event.
    Event,
    /// A retired user-stream direct message.
    DirectMessage,
    /// A retired site-stream envelope.
    ForUser,
    /// A retired site-stream control message.
    Control,
    /// A v2 response carrying a tweet in `data`.
    Tweet,
    /// A v2 response carrying only `errors`.
    Errors,
    /// A v2 `operational-disconnect` error; the server closes after it.
    OperationalDisconnect,
    /// Valid JSON of no known kind or shape; passed through raw.
    Unknown,
}

impl Kind {
    /// A short snake_case name, used in summaries and counters
    /// (`status`, `delete`, `limit`, `tweet`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Delete => "delete",
            Kind::ScrubGeo => "scrub_geo",
            Kind::Limit => "limit",
            Kind::StatusWithheld => "status_withheld",
            Kind::UserWithheld => "user_withheld",
            Kind::Disconnect => "disconnect",
            Kind::Warning => "warning",
            Kind::Friends => "friends",
            Kind::Event => "event",
            Kind::DirectMessage => "direct_message",
            Kind::ForUser => "for_user",
            Kind::Control => "control",
            Kind::Tweet => "tweet",
            Kind::Errors => "errors",
            Kind::OperationalDisconnect => "operational_disconnect",
            Kind::Unknown => "unknown",
        }
    }

    /// Whether the server closes the connection after a message of this
    /// kind (a v1.1 `disconnect` or a v2 operational disconnect).
    pub fn is_disconnect(self) -> bool {
        matches!(self, Kind::Disconnect | Kind::OperationalDisconnect)
    }
}

/// A classified message: its kind, the ids found while classifying, and the
/// raw payload (not copied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    raw: Bytes,
    kind: Kind,
    id: Option<u64>,
    user_id: Option<u64>,
}

impl Message {
    /// The message's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The raw JSON payload, exactly as received.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// The payload as text (it was checked to be UTF-8 when classified).
    pub fn json(&self) -> &str {
        // Classification checked the bytes are UTF-8.
        std::str::from_utf8(&self.raw).unwrap_or_default()
    }

    /// The main id: a status's or tweet's id, the deleted status's id, the
    /// withheld status's id. `None` for kinds without one.
    pub fn id(&self) -> Option<u64> {
        self.id
    }

    /// The user id: a status's author, a delete's `user_id`, a withheld
    /// user. `None` where the kind has none.
    pub fn user_id(&self) -> Option<u64> {
        self.user_id
    }
}

/// A payload that is not a message: it is reported with its raw bytes and
/// the stream goes on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The payload is not valid UTF-8.
    #[error("payload of {} bytes is not utf-8 after byte {valid_up_to}", raw.len())]
    InvalidUtf8 {
        /// The payload.
        raw: Bytes,
        /// Length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The payload is not valid JSON.
    #[error("payload of {} bytes is not json at byte {offset}: {reason}", raw.len())]
    InvalidJson {
        /// The payload.
        raw: Bytes,
        /// Byte offset where the JSON went wrong.
        offset: usize,
        /// What was wrong.
        reason: String,
    },
}

/// Classifies a payload by its top-level keys.
///
/// # Errors
///
/// [`MessageError`] when the payload is not UTF-8 or not JSON. Valid JSON of
/// an unexpected shape is not an error: it is a [`Kind::Unknown`] message.
pub fn classify(raw: Bytes) -> Result<Message, MessageError> {
    if let Err(err) = std::str::from_utf8(&raw) {
        return Err(MessageError::InvalidUtf8 { valid_up_to: err.valid_up_to(), raw });
    }
    match classify::scan(&raw) {
        Ok(found) => Ok(Message { kind: found.kind, id: found.id, user_id: found.user_id, raw }),
        Err(err) => Err(MessageError::InvalidJson {
            raw,
            offset: err.offset,
            reason: err.reason.to_owned(),
        }),
    }
}
