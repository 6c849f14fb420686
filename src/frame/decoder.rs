//! The incremental decoder.
//!
//! The decoder holds two pieces of input: `current`, the unscanned rest of
//! the last pushed chunk, and `pending`, the already scanned start of a
//! frame that began in an earlier chunk. A frame that ends in `current`
//! while `pending` is empty is a zero-copy slice of the chunk; only frames
//! spanning chunks are copied (once, into `pending`). Bytes moved into
//! `pending` are never scanned again, so decoding is linear whatever the
//! chunking.
//!
//! Rules that make the result independent of chunking (the tests check
//! this against a whole-buffer reference):
//!
//! - A crlf or lines frame is `TooLarge` when its bytes, terminator
//!   included, exceed the maximum. The decoder knows this as soon as it
//!   holds `max` bytes without a terminator, reports it then and discards
//!   up to the next terminator, so it never holds `max` bytes.
//! - A length line is valid when, after dropping one trailing `\r`, it is
//!   1 to 20 ASCII digits whose value fits in a `u64`. Anything else is
//!   `BadLength`, reported with the line's first 64 bytes; a line that
//!   reaches 65 bytes without `\n` is reported at once and the rest of it
//!   discarded. A length over the maximum is `TooLarge` (at the offset of
//!   the length line) and that many bytes are skipped without buffering.
//! - In length mode the counted bytes are emitted minus a trailing `\r\n`
//!   if they end with one, and as they are otherwise; decoding then expects
//!   the next length line right after them.
//! - At [`Decoder::finish`], the bytes of an unfinished frame (in length
//!   mode, from its length line on) are `Truncated`; the tail of a frame
//!   already reported `TooLarge` is not reported again.

use bytes::{Buf, Bytes, BytesMut};
use memchr::memchr;

use super::{Frame, Framing, DEFAULT_MAX_FRAME_SIZE};

/// The longest length line kept, and the most of a bad one reported.
const LENGTH_LINE_MAX: usize = 64;
/// The most digits a valid length line may have (`u64::MAX` has 20).
const LENGTH_DIGITS_MAX: usize = 20;

/// A fault in the byte stream. The decoder has already recovered from it
/// when it is reported: decoding simply goes on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame grew past the maximum size. It is skipped up to the next
    /// delimiter and reported once.
    #[error("frame at offset {offset} is larger than the maximum of {max} bytes")]
    TooLarge {
        /// Stream offset of the frame's first byte (in `length` mode, of
        /// its length line).
        offset: u64,
        /// The configured maximum.
        max: usize,
    },
    /// A `length` mode length line that is not a decimal number. The decoder
    /// resynchronises on the next line.
    #[error("bad length line {line:?} at offset {offset}")]
    BadLength {
        /// Stream offset of the line's first byte.
        offset: u64,
        /// The line, without its terminator (at most 64 bytes of it).
        line: Bytes,
    },
    /// Bytes left over when the stream ended: a frame that never completed.
    /// They are never emitted as a message.
    #[error("stream ended inside a frame: {len} bytes left over at offset {offset}")]
    Truncated {
        /// Stream offset of the first left-over byte.
        offset: u64,
        /// How many bytes were left over.
        len: usize,
    },
}

/// Where the decoder is within the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Looking for the terminator of a frame (crlf, lines) or of a length
    /// line (length); `pending` holds its scanned start.
    Seek,
    /// Dropping bytes up to the next terminator, after a fault.
    Discard {
        /// In crlf mode: the last dropped byte was `\r`.
        last_cr: bool,
    },
    /// Length mode: collecting a body of `len` bytes into `pending`.
    Body {
        /// The declared length.
        len: usize,
    },
    /// Length mode: skipping the body of an oversize frame.
    SkipBody {
        /// Bytes still to skip.
        remaining: u64,
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
    state: State,
    /// Scanned bytes of the unit (frame, length line or body) in progress.
    pending: BytesMut,
    /// Unscanned rest of the input.
    current: Bytes,
    /// Stream offset of `current[0]`.
    pos: u64,
    /// Stream offset where the unit in progress began.
    start: u64,
}

impl Decoder {
    /// A decoder for `framing` with the default maximum frame size
    /// ([`DEFAULT_MAX_FRAME_SIZE`]).
    pub fn new(framing: Framing) -> Decoder {
        Decoder {
            framing,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            state: State::Seek,
            pending: BytesMut::new(),
            current: Bytes::new(),
            pos: 0,
            start: 0,
        }
    }

    /// Sets the largest frame kept (payload plus terminator; in `length`
    /// mode, the declared length); default 1 MiB.
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
    #[inline]
    pub fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.current.is_empty() {
            self.current = chunk;
        } else {
            // The caller did not drain the previous chunk: join the two
            // (a copy, but still scanned only once).
            let mut joined = BytesMut::with_capacity(self.current.len() + chunk.len());
            joined.extend_from_slice(&self.current);
            joined.extend_from_slice(&chunk);
            self.current = joined.freeze();
        }
    }

    /// The next complete frame, `None` if more input is needed, or a fault
    /// the decoder has already recovered from.
    #[inline]
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        loop {
            if self.current.is_empty() {
                return None;
            }
            match self.state {
                State::Seek => match self.framing {
                    Framing::Crlf | Framing::Lines => {
                        if let Some(item) = self.seek_frame() {
                            return Some(item);
                        }
                    }
                    Framing::Length => {
                        if let Some(item) = self.seek_length_line() {
                            return Some(item);
                        }
                    }
                },
                State::Discard { last_cr } => {
                    let crlf = self.framing == Framing::Crlf;
                    match find_terminator(crlf, &self.current, last_cr) {
                        Some(end) => {
                            self.advance(end + 1);
                            self.start = self.pos;
                            self.state = State::Seek;
                        }
                        None => {
                            let last_cr = self.current.last() == Some(&b'\r');
                            let n = self.current.len();
                            self.advance(n);
                            self.state = State::Discard { last_cr };
                        }
                    }
                }
                State::Body { len } => {
                    let need = len - self.pending.len();
                    if self.current.len() < need {
                        self.pending.extend_from_slice(&self.current);
                        let n = self.current.len();
                        self.advance(n);
                        return None;
                    }
                    let mut body = self.take(need);
                    if body.ends_with(b"\r\n") {
                        body.truncate(body.len() - 2);
                    }
                    self.start = self.pos;
                    self.state = State::Seek;
                    return Some(Ok(Frame::Message(body)));
                }
                State::SkipBody { remaining } => {
                    let have = self.current.len() as u64;
                    if have < remaining {
                        self.advance(self.current.len());
                        self.state = State::SkipBody { remaining: remaining - have };
                    } else {
                        // `remaining <= have`, a `usize`, so this fits.
                        self.advance(remaining as usize);
                        self.start = self.pos;
                        self.state = State::Seek;
                    }
                }
            }
        }
    }

    /// Declares the end of the stream: returns [`FrameError::Truncated`] if
    /// bytes of an incomplete frame were left, and resets the decoder.
    ///
    /// Call [`Decoder::next_frame`] until it returns `None` first: bytes
    /// still unread then count as left over.
    pub fn finish(&mut self) -> Option<FrameError> {
        let end = self.pos + self.current.len() as u64;
        let fault = match self.state {
            State::Seek | State::Body { .. } if end > self.start => {
                Some(FrameError::Truncated { offset: self.start, len: (end - self.start) as usize })
            }
            _ => None,
        };
        self.state = State::Seek;
        self.pending = BytesMut::new();
        self.current = Bytes::new();
        self.pos = 0;
        self.start = 0;
        fault
    }

    /// How many input bytes are held, waiting for a frame to complete.
    pub fn buffered(&self) -> usize {
        self.pending.len() + self.current.len()
    }

    /// The stream offset of the first byte not yet consumed: everything
    /// before it has been emitted, reported or is held in the decoder's
    /// own buffer of a partial frame.
    pub fn position(&self) -> u64 {
        self.pos
    }

    // The `seek_*` helpers return `None` when the caller's loop should go
    // on: it stops by itself once `current` is used up.

    /// Crlf and lines: looks for the end of the frame in progress.
    fn seek_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        let crlf = self.framing == Framing::Crlf;
        let prev_cr = self.pending.last() == Some(&b'\r');
        let Some(end) = find_terminator(crlf, &self.current, prev_cr) else {
            return self.hold_or_discard();
        };
        let total = self.pending.len() + end + 1;
        if total > self.max_frame_size {
            self.pending.clear();
            self.advance(end + 1);
            let offset = self.start;
            self.start = self.pos;
            return Some(Err(FrameError::TooLarge { offset, max: self.max_frame_size }));
        }
        let mut frame = self.take(end + 1);
        self.start = self.pos;
        // Drop the terminator: `\r\n` in crlf, `\n` and one `\r` in lines.
        let mut len = frame.len() - 1;
        if frame[..len].last() == Some(&b'\r') {
            len -= 1;
        }
        frame.truncate(len);
        Some(Ok(if frame.is_empty() { Frame::KeepAlive } else { Frame::Message(frame) }))
    }

    /// Crlf and lines, no terminator in `current`: keeps its bytes, or
    /// reports the frame too large once they reach the maximum.
    fn hold_or_discard(&mut self) -> Option<Result<Frame, FrameError>> {
        let n = self.current.len();
        if self.pending.len() + n < self.max_frame_size {
            self.pending.extend_from_slice(&self.current);
            self.advance(n);
            return None;
        }
        let last_cr = self.current.last() == Some(&b'\r');
        self.pending.clear();
        self.advance(n);
        self.state = State::Discard { last_cr };
        Some(Err(FrameError::TooLarge { offset: self.start, max: self.max_frame_size }))
    }

    /// Length: looks for the end of a length line and acts on it.
    fn seek_length_line(&mut self) -> Option<Result<Frame, FrameError>> {
        let Some(end) = memchr(b'\n', &self.current) else {
            let n = self.current.len();
            if self.pending.len() + n <= LENGTH_LINE_MAX {
                self.pending.extend_from_slice(&self.current);
                self.advance(n);
                return None;
            }
            // Too long to be a length: report its first bytes, drop the rest.
            let keep = LENGTH_LINE_MAX - self.pending.len();
            self.pending.extend_from_slice(&self.current[..keep]);
            let line = self.pending.split().freeze();
            self.advance(n);
            self.state = State::Discard { last_cr: false };
            return Some(Err(FrameError::BadLength { offset: self.start, line }));
        };
        let line_start = self.start;
        let mut line = self.take(end + 1);
        line.truncate(end_of_line(&line[..line.len() - 1]));
        if line.is_empty() {
            self.start = self.pos;
            return Some(Ok(Frame::KeepAlive));
        }
        match parse_length(&line) {
            Some(0) => {
                self.start = self.pos;
                Some(Ok(Frame::Message(Bytes::new())))
            }
            Some(len) if len <= self.max_frame_size as u64 => {
                // `start` stays on the length line, for `Truncated`. The
                // caller's loop goes on to read the body.
                self.state = State::Body { len: len as usize };
                None
            }
            Some(len) => {
                self.state = State::SkipBody { remaining: len };
                Some(Err(FrameError::TooLarge { offset: line_start, max: self.max_frame_size }))
            }
            None => {
                self.start = self.pos;
                line.truncate(LENGTH_LINE_MAX);
                Some(Err(FrameError::BadLength { offset: line_start, line }))
            }
        }
    }

    /// Takes `pending` followed by the first `n` bytes of `current`:
    /// a slice of the chunk when nothing is pending, else one copy.
    fn take(&mut self, n: usize) -> Bytes {
        self.pos += n as u64;
        if self.pending.is_empty() {
            self.current.split_to(n)
        } else {
            self.pending.extend_from_slice(&self.current[..n]);
            self.current.advance(n);
            self.pending.split().freeze()
        }
    }

    /// Consumes `n` bytes of `current`.
    fn advance(&mut self, n: usize) {
        self.current.advance(n);
        self.pos += n as u64;
    }
}

/// Index of the `\n` ending the first frame in `hay`. In crlf mode only a
/// `\n` right after `\r` counts; `prev_cr` says whether the byte before
/// `hay` was `\r`.
#[inline]
fn find_terminator(crlf: bool, hay: &[u8], prev_cr: bool) -> Option<usize> {
    if !crlf {
        return memchr(b'\n', hay);
    }
    let mut from = 0;
    while let Some(i) = memchr(b'\n', &hay[from..]) {
        let at = from + i;
        let cr = if at == 0 { prev_cr } else { hay[at - 1] == b'\r' };
        if cr {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The length of `line` without one trailing `\r`.
#[inline]
fn end_of_line(line: &[u8]) -> usize {
    match line.last() {
        Some(b'\r') => line.len() - 1,
        _ => line.len(),
    }
}

/// A length line's value: 1 to 20 ASCII digits that fit in a `u64`.
fn parse_length(line: &[u8]) -> Option<u64> {
    if line.is_empty() || line.len() > LENGTH_DIGITS_MAX {
        return None;
    }
    line.iter().try_fold(0u64, |acc, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Decodes a whole byte string at once, as if the stream then ended: every
/// frame and fault in order, a final [`FrameError::Truncated`] included.
pub fn decode_all(
    framing: Framing,
    max_frame_size: usize,
    bytes: Bytes,
) -> Vec<Result<Frame, FrameError>> {
    let mut decoder = Decoder::new(framing).max_frame_size(max_frame_size);
    decoder.push(bytes);
    let mut out = Vec::new();
    while let Some(item) = decoder.next_frame() {
        out.push(item);
    }
    out.extend(decoder.finish().map(Err));
    out
}
