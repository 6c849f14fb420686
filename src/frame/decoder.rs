//! The incremental decoder.

use bytes::{Bytes, BytesMut};

use super::{Frame, Framing, DEFAULT_MAX_FRAME_SIZE};

/// A fault in the byte stream. The decoder has already recovered from it
/// when it is reported: decoding simply goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame grew past the maximum size. It is skipped up to the next
    /// delimiter and reported once.
    TooLarge {
        /// Stream offset of the frame's first byte.
        offset: u64,
        /// The configured maximum.
        max: usize,
    },
    /// A `length` mode length line that is not a decimal number. The decoder
    /// resynchronises on the next line.
    BadLength {
        /// Stream offset of the line's first byte.
        offset: u64,
        /// The line, without its terminator (at most 64 bytes of it).
        line: Bytes,
    },
    /// Bytes left over when the stream ended: a frame that never completed.
    /// They are never emitted as a message.
    Truncated {
        /// Stream offset of the first left-over byte.
        offset: u64,
        /// How many bytes were left over.
        len: usize,
    },
}

/// An incremental frame decoder: push chunks as they arrive, take frames as
/// soon as they are complete.
///
/// ```
/// use bytes::Bytes;
/// use rehose::frame::{Decoder, Frame, Framing};
///
/// let mut decoder = Decoder::new(Framing::Crlf);
/// decoder.push(Bytes::from_static(b"{\"a\":1}\r\n\r"));
/// assert_eq!(decoder.next_frame(), Some(Ok(Frame::Message(Bytes::from_static(b"{\"a\":1}")))));
/// assert_eq!(decoder.next_frame(), None);
/// decoder.push(Bytes::from_static(b"\n"));
/// assert_eq!(decoder.next_frame(), Some(Ok(Frame::KeepAlive)));
/// ```
#[derive(Debug)]
pub struct Decoder {
    framing: Framing,
    max_frame_size: usize,
    // Implementation state is private and may change.
    _pending: BytesMut,
    _current: Bytes,
}

impl Decoder {
    /// A decoder for `framing` with the default maximum frame size
    /// ([`DEFAULT_MAX_FRAME_SIZE`]).
    pub fn new(framing: Framing) -> Decoder {
        Decoder {
            framing,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            _pending: BytesMut::new(),
            _current: Bytes::new(),
        }
    }

    /// Sets the largest frame kept (payload plus terminator); default 1 MiB.
    pub fn max_frame_size(mut self, max: usize) -> Decoder {
        self.max_frame_size = max;
        self
    }

    /// The framing this decoder reads.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Appends a chunk of input. Frames wholly inside it will be slices of
    /// it. Call [`Decoder::next_frame`] until it returns `None` before the
    /// next push, so that buffered memory stays bounded.
    pub fn push(&mut self, chunk: Bytes) {
        let _ = chunk;
        todo!("frame decoder")
    }

    /// The next complete frame, `None` if more input is needed, or a fault
    /// the decoder has already recovered from.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        todo!("frame decoder")
    }

    /// Declares the end of the stream: returns [`FrameError::Truncated`] if
    /// bytes of an incomplete frame were left, and resets the decoder.
    pub fn finish(&mut self) -> Option<FrameError> {
        todo!("frame decoder")
    }

    /// How many input bytes are held, waiting for a frame to complete.
    pub fn buffered(&self) -> usize {
        todo!("frame decoder")
    }
}
