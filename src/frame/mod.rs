//! Framing: turning the bytes of a streaming response into frames, and
//! frames back into bytes.
//!
//! This module owns the wire formats of section 3 of the protocol and
//! nothing above them: it never looks inside a payload (no JSON, no UTF-8
//! decoding) and never logs.
//!
//! ```text
//!  crlf (default):   {"id":1}\r\n  \r\n  {"id":2}\r\n
//!                    `payload'     k-a   (only \r\n separates; a bare \n
//!                                         inside a payload is content)
//!
//!  length:           \r\n  16\r\n  {"id_str":"1"}\r\n
//!                    k-a   `len'   `---- 16 bytes ---'   (count includes the \r\n)
//!
//!  lines (NDJSON):   {"id":1}\n  {"id":2}\r\n  \n     (one trailing \r dropped;
//!                                           k-a    a blank line is a keep-alive)
//! ```
//!
//! The [`Decoder`] takes chunks as they arrive and hands out frames as soon
//! as they are complete, as zero-copy slices of the chunk when a frame lies
//! within one. Faults ([`FrameError`]) are reported and recovered from,
//! never fatal, and memory stays bounded by the maximum frame size plus one
//! chunk. In length mode, counted bytes that do not end in `\r\n` are
//! emitted as they are (a trailing `\r\n` is stripped only when present).
//! The decoder module's docs give the exact rules. The [`Encoder`] writes
//! each framing.

mod decoder;
mod encoder;

pub use decoder::{decode_all, Decoder, FrameError};
pub use encoder::Encoder;

use bytes::Bytes;

/// The largest frame a [`Decoder`] buffers by default: 1 MiB. The largest
/// real message in the captures is about 12 KiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 1 << 20;

/// How messages are delimited on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Framing {
    /// Only `\r\n` separates messages; a bare `\n` is content. The default
    /// for both API versions.
    #[default]
    Crlf,
    /// Generic NDJSON: `\n` separates and one trailing `\r` is dropped.
    Lines,
    /// `delimited=length`: an ASCII decimal length line, then exactly that
    /// many bytes, which include the message's own `\r\n`.
    Length,
}

impl Framing {
    /// The name used on the command line and in fixtures: `crlf`, `lines`
    /// or `length`.
    pub fn name(self) -> &'static str {
        match self {
            Framing::Crlf => "crlf",
            Framing::Lines => "lines",
            Framing::Length => "length",
        }
    }
}

impl std::fmt::Display for Framing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Framing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "crlf" => Ok(Framing::Crlf),
            "lines" => Ok(Framing::Lines),
            "length" => Ok(Framing::Length),
            other => Err(format!("unknown framing {other:?}: expected crlf, lines or length")),
        }
    }
}

/// One unit of a stream, as the [`Decoder`] hands it over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A message payload, without its terminator (and, in `length` mode,
    /// without its length line). Zero-copy where the payload lies within
    /// one input chunk.
    Message(Bytes),
    /// A blank line sent to keep the connection alive.
    KeepAlive,
}
