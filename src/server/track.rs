//! Tracks: one fixture connection laid out for one request framing, ready
//! to be replayed.
//!
//! A track is a list of pieces, each sent as one HTTP chunk at a recorded
//! time offset. When the request asks for the framing the connection was
//! recorded in, the pieces are the recorded chunks, byte for byte;
//! otherwise every recorded frame is decoded and re-encoded, one piece per
//! frame. Either way the track knows where its message boundaries lie, so
//! a replay can insert keep-alives only between frames and a reconnecting
//! client can resume at the first message it has not received:
//!
//! ```text
//!  recorded chunks:  |{"id":1}\r\n{"i|d":2}\r\n|\r\n|
//!  stream offsets:    0          10       20  22
//!  message ends:                 10       20
//!  boundaries:                   10       20  22
//!  piece boundary?:              no       yes yes
//! ```
//!
//! Tracks are built once per (connection, framing) and shared by every
//! replay through an `Arc`; the pieces are `Bytes` slices of the fixture.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tracing::debug;

use super::filter::{StreamFilter, Verdict};
use crate::fixture::{Connection, End};
use crate::frame::{Decoder, Encoder, Frame, Framing};

/// A keep-alive in both framings a request can ask for.
pub(crate) const KEEP_ALIVE: &[u8] = b"\r\n";

/// One HTTP chunk of a replay.
#[derive(Clone, Debug)]
pub(crate) struct Piece {
    /// When it is due, from the start of the recorded response.
    pub(crate) at: Duration,
    /// The bytes.
    pub(crate) data: Bytes,
    /// Stream offset of the first byte.
    pub(crate) start: u64,
    /// Messages complete once this piece is sent (counted from the start
    /// of the connection).
    pub(crate) messages_done: usize,
    /// Whether the piece ends on a frame boundary, where a keep-alive may
    /// follow.
    pub(crate) at_boundary: bool,
}

/// A fixture connection laid out for one framing.
#[derive(Debug)]
pub(crate) struct Track {
    /// The pieces in order.
    pub(crate) pieces: Vec<Piece>,
    /// The stream offset just past each message.
    pub(crate) message_ends: Vec<u64>,
    /// How the recorded connection ended.
    pub(crate) end: End,
    /// The recorded status (200 for a stream).
    pub(crate) status: u16,
    /// Whether the pieces are the recorded chunks, byte for byte.
    pub(crate) verbatim: bool,
}

/// Where a replay starts inside a track.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    /// Index of the first piece to send.
    pub(crate) piece: usize,
    /// Bytes of that piece already sent.
    pub(crate) skip: usize,
}

impl Track {
    /// Lays `connection` out for a request that asked for `framing`.
    pub(crate) fn build(connection: &Connection, framing: Framing) -> Track {
        Track::filtered(connection, framing, &StreamFilter::All)
    }

    /// Lays `connection` out for `framing`, leaving out the messages
    /// `filter` drops and rewriting those it rewrites (one piece per
    /// frame then, as when re-encoding).
    pub(crate) fn filtered(
        connection: &Connection,
        framing: Framing,
        filter: &StreamFilter,
    ) -> Track {
        let unfiltered = matches!(filter, StreamFilter::All);
        let mut track = if connection.framing == framing && unfiltered {
            verbatim(connection)
        } else {
            reencode(connection, framing, filter)
        };
        track.end = connection.end.clone();
        track.status = connection.response.status;
        track
    }

    /// How many messages the track holds.
    pub(crate) fn messages(&self) -> usize {
        self.message_ends.len()
    }

    /// The position of the first byte after the first `messages`
    /// messages: where a client that received them resumes.
    pub(crate) fn position_after(&self, messages: usize) -> Position {
        if messages == 0 {
            return Position { piece: 0, skip: 0 };
        }
        let Some(&offset) = self.message_ends.get(messages - 1) else {
            return Position { piece: self.pieces.len(), skip: 0 };
        };
        // The first piece that ends past `offset` holds the next byte.
        let piece = self.pieces.partition_point(|p| p.start + p.data.len() as u64 <= offset);
        match self.pieces.get(piece) {
            Some(p) => Position { piece, skip: (offset - p.start) as usize },
            None => Position { piece, skip: 0 },
        }
    }
}

/// The recorded chunks as they are, with their message boundaries found by
/// a scan of the bytes.
fn verbatim(connection: &Connection) -> Track {
    let mut scanner = BoundaryScanner::new(connection.framing);
    let mut pieces = Vec::with_capacity(connection.chunks.len());
    let mut message_ends = Vec::new();
    let mut offset = 0u64;
    for chunk in &connection.chunks {
        let at_boundary = scanner.scan(&chunk.data, offset, &mut message_ends);
        pieces.push(Piece {
            at: chunk.at,
            data: chunk.data.clone(),
            start: offset,
            messages_done: message_ends.len(),
            at_boundary,
        });
        offset += chunk.data.len() as u64;
    }
    Track { pieces, message_ends, end: End::Open, status: 200, verbatim: true }
}

/// Every recorded frame decoded and re-encoded in `framing`, one piece per
/// frame, due when the chunk that completed it arrived.
fn reencode(connection: &Connection, framing: Framing, filter: &StreamFilter) -> Track {
    let mut decoder = Decoder::new(connection.framing);
    let encoder = Encoder::new(framing);
    let mut pieces = Vec::new();
    let mut message_ends = Vec::new();
    let mut offset = 0u64;
    for chunk in &connection.chunks {
        decoder.push(chunk.data.clone());
        while let Some(frame) = decoder.next_frame() {
            let data = match frame {
                Ok(Frame::Message(payload)) => {
                    let payload = match filter.apply(&payload) {
                        Verdict::Pass => payload,
                        Verdict::Rewrite(rewritten) => rewritten,
                        Verdict::Drop => continue,
                    };
                    let mut out = BytesMut::with_capacity(payload.len() + 16);
                    encoder.message(&payload, &mut out);
                    out.freeze()
                }
                Ok(Frame::KeepAlive) => Bytes::from_static(KEEP_ALIVE),
                Err(err) => {
                    debug!(?err, "skipping a broken frame while re-encoding a fixture");
                    continue;
                }
            };
            let is_message = data.as_ref() != KEEP_ALIVE;
            let start = offset;
            offset += data.len() as u64;
            if is_message {
                message_ends.push(offset);
            }
            pieces.push(Piece {
                at: chunk.at,
                data,
                start,
                messages_done: message_ends.len(),
                at_boundary: true,
            });
        }
    }
    if let Some(err) = decoder.finish() {
        debug!(?err, "fixture connection ends inside a frame");
    }
    Track { pieces, message_ends, end: End::Open, status: 200, verbatim: false }
}

/// Finds frame boundaries in a byte stream fed chunk by chunk. Only the
/// positions matter here; the payloads stay where they are.
struct BoundaryScanner {
    framing: Framing,
    /// Bytes since the last boundary.
    since_boundary: u64,
    /// The previous byte was `\r`.
    after_cr: bool,
    /// In `length` framing: payload bytes still to skip.
    remaining: u64,
    /// In `length` framing: the length line read so far.
    length: u64,
}

impl BoundaryScanner {
    fn new(framing: Framing) -> BoundaryScanner {
        BoundaryScanner { framing, since_boundary: 0, after_cr: false, remaining: 0, length: 0 }
    }

    /// Scans `data`, which starts at stream offset `offset`, pushing the
    /// offset past each message it completes. Returns whether `data` ends
    /// on a boundary.
    fn scan(&mut self, data: &[u8], offset: u64, message_ends: &mut Vec<u64>) -> bool {
        for (i, &byte) in data.iter().enumerate() {
            let end = offset + i as u64 + 1;
            match self.framing {
                Framing::Length => self.length_byte(byte, end, message_ends),
                Framing::Crlf | Framing::Lines => self.line_byte(byte, end, message_ends),
            }
        }
        self.since_boundary == 0
    }

    /// `crlf` and `lines`: a line end closes a frame; a non-empty one is a
    /// message. `lines` also ends a frame on a bare `\n`.
    fn line_byte(&mut self, byte: u8, end: u64, message_ends: &mut Vec<u64>) {
        self.since_boundary += 1;
        let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
        if byte != b'\n' {
            return;
        }
        let terminator = match (after_cr, self.framing) {
            (true, _) => 2,
            (false, Framing::Lines) => 1,
            (false, _) => return,
        };
        if self.since_boundary > terminator {
            message_ends.push(end);
        }
        self.since_boundary = 0;
    }

    /// `length`: blank lines are keep-alives, a digit line announces a
    /// payload of that many bytes.
    fn length_byte(&mut self, byte: u8, end: u64, message_ends: &mut Vec<u64>) {
        self.since_boundary += 1;
        if self.remaining > 0 {
            self.remaining -= 1;
            if self.remaining == 0 {
                message_ends.push(end);
                self.since_boundary = 0;
            }
            return;
        }
        match byte {
            b'0'..=b'9' => self.length = self.length.saturating_mul(10) + u64::from(byte - b'0'),
            b'\n' => {
                // A blank line is a keep-alive; a length line opens a
                // payload (a zero length, never sent, is skipped).
                self.remaining = self.length;
                self.length = 0;
                if self.remaining == 0 {
                    self.since_boundary = 0;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{Chunk, Request, Response};

    fn connection(framing: Framing, chunks: &[&'static [u8]]) -> Connection {
        Connection {
            request: Request {
                method: "GET".into(),
                target: "/1.1/statuses/sample.json".into(),
                headers: vec![],
                body: Bytes::new(),
            },
            response: Response { status: 200, headers: vec![] },
            framing,
            chunks: chunks
                .iter()
                .enumerate()
                .map(|(i, d)| Chunk {
                    at: Duration::from_secs(i as u64),
                    data: Bytes::from_static(d),
                })
                .collect(),
            end: End::Open,
        }
    }

    #[test]
    fn crlf_boundaries_are_found_across_chunks() {
        let c = connection(Framing::Crlf, &[b"{\"id\":1}\r\n{\"i", b"d\":2}\r", b"\n", b"\r\n"]);
        let track = Track::build(&c, Framing::Crlf);
        assert!(track.verbatim);
        assert_eq!(track.message_ends, vec![10, 20]);
        let boundaries: Vec<bool> = track.pieces.iter().map(|p| p.at_boundary).collect();
        assert_eq!(boundaries, vec![false, false, true, true]);
        let done: Vec<usize> = track.pieces.iter().map(|p| p.messages_done).collect();
        assert_eq!(done, vec![1, 1, 2, 2]);
    }

    #[test]
    fn length_boundaries_skip_payload_bytes_that_look_like_terminators() {
        // The payload holds a bare `\n` and digits; neither ends it early.
        let c = connection(Framing::Length, &[b"\r\n10\r\n{\"a\":\n1}", b"\r\n5\r\n", b"{}7\r\n"]);
        let track = Track::build(&c, Framing::Length);
        assert_eq!(track.message_ends, vec![16, 24]);
        let boundaries: Vec<bool> = track.pieces.iter().map(|p| p.at_boundary).collect();
        assert_eq!(boundaries, vec![false, false, true]);
    }

    #[test]
    fn resuming_after_a_message_starts_inside_the_chunk_that_follows_it() {
        let c = connection(Framing::Crlf, &[b"{\"id\":1}\r\n{\"i", b"d\":2}\r\n"]);
        let track = Track::build(&c, Framing::Crlf);
        assert_eq!(track.position_after(0), Position { piece: 0, skip: 0 });
        assert_eq!(track.position_after(1), Position { piece: 0, skip: 10 });
        assert_eq!(track.position_after(2), Position { piece: 2, skip: 0 });
        assert_eq!(track.position_after(3), Position { piece: 2, skip: 0 });
    }
}
