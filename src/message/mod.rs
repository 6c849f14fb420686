//! Messages: what a frame's payload is, found from its top-level keys, with
//! typed access to the fields people use and the raw JSON kept alongside.
//!
//! Classification never builds a JSON tree and never looks at substrings of
//! a text: it reads the top-level keys of the object. Typed views parse on
//! demand, borrowing from the raw bytes.
//!
//! # How much is checked where
//!
//! [`classify`] checks that the payload is UTF-8 (all of it) and scans it
//! to the end once. The top-level object is checked against JSON's full
//! grammar, and so are the few nested objects that hold ids (`user`,
//! `delete.status`, v2 `data`, ...) up to the member where the last id
//! they hold is found (a `user`'s `id` comes first). Inside every other
//! value, and in those objects after their ids, it checks that strings
//! end, escapes are JSON's, brackets balance and match (up to 128 levels)
//! and no byte is out of place; it does not check the order of the tokens
//! there (`[1 2]` passes) nor reject raw control characters in strings.
//! So truncated, unbalanced or garbage payloads are [`MessageError`]s,
//! while a payload malformed only in those ways is classified and its
//! typed view, which parses it in full with serde_json, is `None`
//! ([`Message::parse`] gives the reason). A payload whose top level is not
//! an object (a number, a string, an array: an unknown message) is rare
//! and is checked in full by serde_json.
//!
//! # Limitations
//!
//! Keys are compared as written: a key spelled with escapes
//! (`"\u0064elete"`) is not recognised. Twitter never does so.

mod classify;
mod de;
mod scan;
mod skip;
mod v1;
mod v2;

use bytes::Bytes;
use serde::Deserialize;

pub use v1::{
    BoundingBox, Delete, DeletedStatus, Disconnect, Entities, ExtendedTweet, Hashtag, Limit, Link,
    Mention, Place, Point, ScrubGeo, Status, StatusWithheld, User, UserWithheld, Warning,
};
pub use v2::{
    ApiError, MatchingRule, ReferencedTweet, Tweet, TweetEntities, TweetHashtag, TweetMention,
    TweetResponse, TweetUrl,
};

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

    /// Parses the whole payload into `T` with serde_json, borrowing from
    /// the raw bytes where `T` allows.
    ///
    /// # Errors
    ///
    /// serde_json's error when the payload does not fit `T` or is not
    /// valid JSON after all (classification skips some checks, see
    /// [`classify`]).
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.json())
    }

    /// Parses the payload as `T` when the message is of `kind`.
    fn view<'a, T: Deserialize<'a>>(&'a self, kind: Kind) -> Option<T> {
        if self.kind == kind {
            self.parse().ok()
        } else {
            None
        }
    }

    /// The status, for a [`Kind::Status`] whose fields parse (use
    /// [`Message::parse`] to see why one does not).
    pub fn status(&self) -> Option<Status<'_>> {
        self.view(Kind::Status)
    }

    /// The notice of a [`Kind::Delete`].
    pub fn delete(&self) -> Option<Delete> {
        self.view::<DeleteEnvelope>(Kind::Delete).map(|e| e.delete)
    }

    /// The notice of a [`Kind::ScrubGeo`].
    pub fn scrub_geo(&self) -> Option<ScrubGeo> {
        self.view::<ScrubGeoEnvelope>(Kind::ScrubGeo).map(|e| e.scrub_geo)
    }

    /// The notice of a [`Kind::Limit`].
    pub fn limit(&self) -> Option<Limit> {
        self.view::<LimitEnvelope>(Kind::Limit).map(|e| e.limit)
    }

    /// The notice of a [`Kind::StatusWithheld`].
    pub fn status_withheld(&self) -> Option<StatusWithheld> {
        self.view::<StatusWithheldEnvelope>(Kind::StatusWithheld).map(|e| e.status_withheld)
    }

    /// The notice of a [`Kind::UserWithheld`].
    pub fn user_withheld(&self) -> Option<UserWithheld> {
        self.view::<UserWithheldEnvelope>(Kind::UserWithheld).map(|e| e.user_withheld)
    }

    /// The notice of a [`Kind::Disconnect`].
    pub fn disconnect(&self) -> Option<Disconnect<'_>> {
        self.view::<DisconnectEnvelope>(Kind::Disconnect).map(|e| e.disconnect)
    }

    /// The notice of a [`Kind::Warning`].
    pub fn warning(&self) -> Option<Warning<'_>> {
        self.view::<WarningEnvelope>(Kind::Warning).map(|e| e.warning)
    }

    /// The response of a [`Kind::Tweet`].
    pub fn tweet(&self) -> Option<TweetResponse<'_>> {
        self.view(Kind::Tweet)
    }

    /// The `errors` of a [`Kind::Errors`], a [`Kind::OperationalDisconnect`]
    /// or a [`Kind::Tweet`] (empty when a tweet has none).
    pub fn errors(&self) -> Option<Vec<ApiError<'_>>> {
        match self.kind {
            Kind::Errors | Kind::OperationalDisconnect | Kind::Tweet => {
                self.parse::<ErrorsEnvelope>().ok().map(|e| e.errors)
            }
            _ => None,
        }
    }
}

// The envelopes of the notices: an object whose one key of interest wraps
// the notice (other keys are ignored).

#[derive(Deserialize)]
struct DeleteEnvelope {
    delete: Delete,
}

#[derive(Deserialize)]
struct ScrubGeoEnvelope {
    scrub_geo: ScrubGeo,
}

#[derive(Deserialize)]
struct LimitEnvelope {
    limit: Limit,
}

#[derive(Deserialize)]
struct StatusWithheldEnvelope {
    status_withheld: StatusWithheld,
}

#[derive(Deserialize)]
struct UserWithheldEnvelope {
    user_withheld: UserWithheld,
}

#[derive(Deserialize)]
struct DisconnectEnvelope<'a> {
    #[serde(borrow)]
    disconnect: Disconnect<'a>,
}

#[derive(Deserialize)]
struct WarningEnvelope<'a> {
    #[serde(borrow)]
    warning: Warning<'a>,
}

#[derive(Deserialize)]
struct ErrorsEnvelope<'a> {
    #[serde(default, borrow)]
    errors: Vec<ApiError<'a>>,
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

/// Classifies a payload by its top-level keys, collecting the ids of
/// [`Message::id`] and [`Message::user_id`] on the way. See the module
/// docs for how much of the JSON it checks.
///
/// A status is an object with `id_str`, `text` or `full_text`, and a
/// `user` object; it wins over any other key. Then v2: an `errors` entry
/// titled `operational-disconnect`, then a `data` object (a tweet), then
/// `errors` alone. Then the v1.1 notices, each an object under its key
/// (`delete` only when it wraps a `status` object), and the retired
/// user- and site-stream kinds. Anything else is [`Kind::Unknown`].
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
