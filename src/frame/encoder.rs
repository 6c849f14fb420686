//! The encoder, used by the mock server and the fixture generator.

use bytes::BytesMut;

use super::Framing;

/// Writes messages and keep-alives in one framing.
#[derive(Clone, Copy, Debug)]
pub struct Encoder {
    framing: Framing,
}

impl Encoder {
    /// An encoder for `framing`.
    pub fn new(framing: Framing) -> Encoder {
        Encoder { framing }
    }

    /// Appends one message (its payload, without terminator) to `out`.
    pub fn message(&self, payload: &[u8], out: &mut BytesMut) {
        let _ = (payload, out, self.framing);
        todo!("frame encoder")
    }

    /// Appends one keep-alive to `out`.
    pub fn keep_alive(&self, out: &mut BytesMut) {
        let _ = out;
        todo!("frame encoder")
    }
}
