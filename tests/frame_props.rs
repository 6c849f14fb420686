//! Properties of the framing layer: chunking never changes the result,
//! encoding then decoding is the identity, the decoder agrees with a naive
//! whole-buffer reference, and memory stays bounded on arbitrary input.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rehose::frame::{decode_all, Decoder, Encoder, Frame, FrameError, Framing};

type Item = Result<Frame, FrameError>;

/// The longest length line the decoder keeps (and reports of a bad one).
const LINE_MAX: usize = 64;

/// A naive framer over the whole stream at once, written from the rules in
/// the decoder's docs rather than from its code.
fn reference(framing: Framing, max: usize, b: &[u8]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let end = match framing {
            Framing::Crlf => (i + 1..b.len()).find(|&k| b[k - 1] == b'\r' && b[k] == b'\n'),
            Framing::Lines | Framing::Length => (i..b.len()).find(|&k| b[k] == b'\n'),
        };
        let Some(end) = end else {
            let rest = b.len() - i;
            if framing == Framing::Length && rest > LINE_MAX {
                out.push(Err(FrameError::BadLength {
                    offset: i as u64,
                    line: Bytes::copy_from_slice(&b[i..i + LINE_MAX]),
                }));
            } else if framing != Framing::Length && rest >= max {
                out.push(Err(FrameError::TooLarge { offset: i as u64, max }));
            } else {
                out.push(Err(FrameError::Truncated { offset: i as u64, len: rest }));
            }
            break;
        };
        let start = i;
        i = end + 1;
        let mut line = &b[start..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if framing != Framing::Length {
            if end + 1 - start > max {
                out.push(Err(FrameError::TooLarge { offset: start as u64, max }));
            } else if line.is_empty() {
                out.push(Ok(Frame::KeepAlive));
            } else {
                out.push(Ok(Frame::Message(Bytes::copy_from_slice(line))));
            }
            continue;
        }
        if line.is_empty() {
            out.push(Ok(Frame::KeepAlive));
            continue;
        }
        let text = std::str::from_utf8(line).unwrap_or("x");
        let number = if line.len() <= 20 && line.iter().all(u8::is_ascii_digit) {
            text.parse::<u64>().ok()
        } else {
            None
        };
        let Some(n) = number else {
            out.push(Err(FrameError::BadLength {
                offset: start as u64,
                line: Bytes::copy_from_slice(&line[..line.len().min(LINE_MAX)]),
            }));
            continue;
        };
        if n > max as u64 {
            out.push(Err(FrameError::TooLarge { offset: start as u64, max }));
            i = (i as u64).saturating_add(n).min(b.len() as u64) as usize;
            continue;
        }
        let n = n as usize;
        if i + n > b.len() {
            out.push(Err(FrameError::Truncated { offset: start as u64, len: b.len() - start }));
            break;
        }
        let mut body = &b[i..i + n];
        if body.ends_with(b"\r\n") {
            body = &body[..n - 2];
        }
        out.push(Ok(Frame::Message(Bytes::copy_from_slice(body))));
        i += n;
    }
    out
}

/// Cuts `bytes` into chunks of the given sizes (cycling), checking after
/// each push and each drain that buffered memory stays bounded.
fn decode_chunked(framing: Framing, max: usize, bytes: &[u8], sizes: &[usize]) -> Vec<Item> {
    let mut decoder = Decoder::new(framing).max_frame_size(max);
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut sizes = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        decoder.push(Bytes::copy_from_slice(chunk));
        assert!(
            decoder.buffered() <= max.max(LINE_MAX) + chunk.len(),
            "{} buffered after pushing {} bytes, max {max}",
            decoder.buffered(),
            chunk.len()
        );
        while let Some(item) = decoder.next_frame() {
            out.push(item);
        }
        assert!(
            decoder.buffered() <= max.max(LINE_MAX),
            "{} buffered after draining, max {max}",
            decoder.buffered()
        );
    }
    out.extend(decoder.finish().map(Err));
    out
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![Just(Framing::Crlf), Just(Framing::Lines), Just(Framing::Length)]
}

/// Bytes rich in delimiters and digits, so that every rule gets exercised.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => Just(b'\r'),
        3 => Just(b'\n'),
        2 => Just(b'1'),
        1 => Just(b'0'),
        1 => Just(b'9'),
        3 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..70, 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_chunking_gives_the_same_frames_and_faults_as_the_reference(
        framing in framing(),
        max in 4usize..40,
        bytes in stream(),
        sizes in chunk_sizes(),
    ) {
        let expected = reference(framing, max, &bytes);
        prop_assert_eq!(&decode_all(framing, max, Bytes::copy_from_slice(&bytes)), &expected);
        prop_assert_eq!(&decode_chunked(framing, max, &bytes, &sizes), &expected);
        prop_assert_eq!(&decode_chunked(framing, max, &bytes, &[1]), &expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_memory_stays_bounded(
        framing in framing(),
        max in 64usize..4096,
        bytes in prop::collection::vec(any::<u8>(), 0..6000),
        sizes in prop::collection::vec(1usize..2000, 1..6),
    ) {
        let out = decode_chunked(framing, max, &bytes, &sizes);
        for item in out {
            if let Ok(Frame::Message(payload)) = item {
                prop_assert!(payload.len() <= max);
            }
        }
    }

    #[test]
    fn encode_then_decode_gives_back_the_messages(
        framing in framing(),
        frames in prop::collection::vec(
            prop::option::weighted(0.85, prop::collection::vec(any::<u8>(), 0..200)),
            0..20,
        ),
        sizes in chunk_sizes(),
    ) {
        // Make each payload representable in its framing.
        let frames: Vec<Option<Vec<u8>>> = frames
            .into_iter()
            .map(|frame| frame.map(|payload| representable(framing, payload)))
            .collect();
        let encoder = Encoder::new(framing);
        let mut wire = BytesMut::new();
        let mut expected = Vec::new();
        for frame in &frames {
            match frame {
                Some(payload) => {
                    encoder.message(payload, &mut wire);
                    expected.push(Ok(Frame::Message(Bytes::copy_from_slice(payload))));
                }
                None => {
                    encoder.keep_alive(&mut wire);
                    expected.push(Ok(Frame::KeepAlive));
                }
            }
        }
        let max = rehose::frame::DEFAULT_MAX_FRAME_SIZE;
        prop_assert_eq!(&decode_chunked(framing, max, &wire, &sizes), &expected);
    }
}

/// Rewrites `payload` so that its framing can carry it: crlf payloads hold
/// no `\r\n`, lines payloads no `\n` and no trailing `\r`, and neither is
/// empty (that would be a keep-alive). Length carries anything.
fn representable(framing: Framing, mut payload: Vec<u8>) -> Vec<u8> {
    match framing {
        Framing::Length => return payload,
        Framing::Crlf => {
            for k in 1..payload.len() {
                if payload[k - 1] == b'\r' && payload[k] == b'\n' {
                    payload[k] = b'n';
                }
            }
        }
        Framing::Lines => {
            for b in &mut payload {
                if *b == b'\n' {
                    *b = b'n';
                }
            }
            if payload.last() == Some(&b'\r') {
                payload.push(b'r');
            }
        }
    }
    if payload.is_empty() {
        payload.push(b'x');
    }
    payload
}
