//! The encoder, used by the mock server and the fixture generator.

use std::fmt::Write as _;

use bytes::{BufMut, BytesMut};

use super::Framing;

/// Writes messages and keep-alives in one framing.
///
/// The encoder does not check payloads: a payload holding `\r\n` (crlf),
/// `\n` or ending in `\r` (lines) would not decode back as one message.
/// Length framing carries any bytes.
///
/// ```
/// use bytes::BytesMut;
/// use rehose::frame::{Encoder, Framing};
///
/// let mut out = BytesMut::new();
/// Encoder::new(Framing::Length).message(br#"{"id_str":"1"}"#, &mut out);
/// assert_eq!(&out[..], b"16\r\n{\"id_str\":\"1\"}\r\n");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Encoder {
    framing: Framing,
}

impl Encoder {
    /// An encoder for `framing`.
    pub fn new(framing: Framing) -> Encoder {
        Encoder { framing }
    }

    /// The framing this encoder writes.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Appends one message (its payload, without terminator) to `out`:
    /// `payload\r\n` (crlf), `payload\n` (lines), or
    /// `N\r\npayload\r\n` with `N` = payload length + 2 (length).
    pub fn message(&self, payload: &[u8], out: &mut BytesMut) {
        match self.framing {
            Framing::Crlf => {
                out.reserve(payload.len() + 2);
                out.put_slice(payload);
                out.put_slice(b"\r\n");
            }
            Framing::Lines => {
                out.reserve(payload.len() + 1);
                out.put_slice(payload);
                out.put_u8(b'\n');
            }
            Framing::Length => {
                out.reserve(payload.len() + 24);
                // Writing into a `BytesMut` cannot fail.
                let _ = write!(out, "{}\r\n", payload.len() as u64 + 2);
                out.put_slice(payload);
                out.put_slice(b"\r\n");
            }
        }
    }

    /// Appends one keep-alive to `out`: `\r\n`, or `\n` in lines framing.
    pub fn keep_alive(&self, out: &mut BytesMut) {
        match self.framing {
            Framing::Crlf | Framing::Length => out.put_slice(b"\r\n"),
            Framing::Lines => out.put_u8(b'\n'),
        }
    }
}
