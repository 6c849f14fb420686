//! The framing layer against a table of cases, each fed whole, split in two
//! at every offset, and one byte at a time; plus zero-copy, delivery and
//! encoder checks.

use bytes::{Bytes, BytesMut};
use rehose::frame::{decode_all, Decoder, Encoder, Frame, FrameError, Framing};

type Item = Result<Frame, FrameError>;

fn msg(payload: &[u8]) -> Item {
    Ok(Frame::Message(Bytes::copy_from_slice(payload)))
}

fn ka() -> Item {
    Ok(Frame::KeepAlive)
}

fn too_large(offset: u64, max: usize) -> Item {
    Err(FrameError::TooLarge { offset, max })
}

fn bad_length(offset: u64, line: &[u8]) -> Item {
    Err(FrameError::BadLength { offset, line: Bytes::copy_from_slice(line) })
}

fn truncated(offset: u64, len: usize) -> Item {
    Err(FrameError::Truncated { offset, len })
}

/// Feeds `chunks` one after the other, draining after each push, then
/// finishes the stream.
fn decode_chunks(framing: Framing, max: usize, chunks: &[&[u8]]) -> Vec<Item> {
    let mut decoder = Decoder::new(framing).max_frame_size(max);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(Bytes::copy_from_slice(chunk));
        while let Some(item) = decoder.next_frame() {
            out.push(item);
        }
    }
    out.extend(decoder.finish().map(Err));
    out
}

/// Checks one case whole, at every two-chunk split, and byte by byte.
fn check(name: &str, framing: Framing, max: usize, input: &[u8], expected: &[Item]) {
    assert_eq!(decode_chunks(framing, max, &[input]), expected, "{name}: fed whole");
    assert_eq!(
        decode_all(framing, max, Bytes::copy_from_slice(input)),
        expected,
        "{name}: decode_all"
    );
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        assert_eq!(decode_chunks(framing, max, &[a, b]), expected, "{name}: split at {at}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(decode_chunks(framing, max, &bytes), expected, "{name}: one byte at a time");
}

const MAX: usize = 1 << 20;

#[test]
fn crlf_cases_decode_the_same_however_they_are_chunked() {
    use Framing::Crlf;
    let cases: Vec<(&str, usize, &[u8], Vec<Item>)> = vec![
        ("empty stream", MAX, b"", vec![]),
        ("one message", MAX, b"{\"a\":1}\r\n", vec![msg(b"{\"a\":1}")]),
        (
            "a crlf split across chunks is one keep-alive, never a phantom one",
            MAX,
            b"{}\r\n\r\n{}\r\n",
            vec![msg(b"{}"), ka(), msg(b"{}")],
        ),
        ("keep-alives alone", MAX, b"\r\n\r\n", vec![ka(), ka()]),
        (
            "pretty-printed message with bare newlines inside",
            MAX,
            b"{\n  \"warning\": {\n    \"code\": \"FALLING_BEHIND\"\n  }\n}\r\n{}\r\n",
            vec![msg(b"{\n  \"warning\": {\n    \"code\": \"FALLING_BEHIND\"\n  }\n}"), msg(b"{}")],
        ),
        (
            "bare \\r and \\n are content",
            MAX,
            b"a\rb\nc\r\r\n\n\r\n",
            vec![msg(b"a\rb\nc\r"), msg(b"\n")],
        ),
        (
            "multi-byte utf-8 comes out intact",
            MAX,
            "{\"t\":\"é € 😀\"}\r\n\"ü\"\r\n".as_bytes(),
            vec![msg("{\"t\":\"é € 😀\"}".as_bytes()), msg("\"ü\"".as_bytes())],
        ),
        (
            "oversize frame reported once and skipped, stream goes on",
            16,
            b"{}\r\n0123456789abcdefghij\r\n{\"b\":2}\r\n",
            vec![msg(b"{}"), too_large(4, 16), msg(b"{\"b\":2}")],
        ),
        (
            "oversize frame with bare newlines and a lone \\r",
            8,
            b"0123\n56789\rab\ncd\r\n\r\nok\r\n",
            vec![too_large(0, 8), ka(), msg(b"ok")],
        ),
        (
            "frame of exactly the maximum is kept, one more byte is not",
            8,
            b"123456\r\n1234567\r\nx\r\n",
            vec![msg(b"123456"), too_large(8, 8), msg(b"x")],
        ),
        (
            "truncated tail at finish",
            MAX,
            b"{}\r\n{\"partial\":",
            vec![msg(b"{}"), truncated(4, 11)],
        ),
        ("lone \\r at the end is truncated", MAX, b"{}\r\n\r", vec![msg(b"{}"), truncated(4, 1)]),
        (
            "oversize tail at finish is reported once, not as truncated",
            4,
            b"x\r\n0123456789",
            vec![msg(b"x"), too_large(3, 4)],
        ),
    ];
    for (name, max, input, expected) in cases {
        check(name, Crlf, max, input, &expected);
    }
}

#[test]
fn lines_cases_decode_the_same_however_they_are_chunked() {
    use Framing::Lines;
    let cases: Vec<(&str, usize, &[u8], Vec<Item>)> = vec![
        (
            "mixed \\n and \\r\\n terminators",
            MAX,
            b"{\"a\":1}\n{\"b\":2}\r\n{\"c\":3}\n",
            vec![msg(b"{\"a\":1}"), msg(b"{\"b\":2}"), msg(b"{\"c\":3}")],
        ),
        ("blank lines are keep-alives", MAX, b"\n\r\n{}\n\n", vec![ka(), ka(), msg(b"{}"), ka()]),
        ("only one trailing \\r is dropped", MAX, b"a\r\r\n\r\r\n", vec![msg(b"a\r"), msg(b"\r")]),
        (
            "multi-byte utf-8 comes out intact",
            MAX,
            "café ☕ 😀\n".as_bytes(),
            vec![msg("café ☕ 😀".as_bytes())],
        ),
        (
            "oversize line reported once and skipped",
            8,
            b"0123456789\r\nok\n",
            vec![too_large(0, 8), msg(b"ok")],
        ),
        ("truncated tail", MAX, b"{}\n{\"a\"", vec![msg(b"{}"), truncated(3, 4)]),
    ];
    for (name, max, input, expected) in cases {
        check(name, Lines, max, input, &expected);
    }
}

#[test]
fn length_cases_decode_the_same_however_they_are_chunked() {
    use Framing::Length;
    let cafe = "{\"text\":\"café ☕ 😀\"}";
    let mut cafe_wire = format!("{}\r\n", cafe.len() + 2).into_bytes();
    cafe_wire.extend_from_slice(cafe.as_bytes());
    cafe_wire.extend_from_slice(b"\r\n");
    // The length counts bytes, not characters.
    assert_eq!((cafe.chars().count(), cafe.len()), (19, 25));
    assert_eq!(&cafe_wire[..4], b"27\r\n");
    let overlong = [&[b'x'; 100][..], b"\r\n4\r\nab\r\n"].concat();
    let cases: Vec<(&str, usize, &[u8], Vec<Item>)> = vec![
        (
            "the protocol example",
            MAX,
            b"16\r\n{\"id_str\":\"1\"}\r\n",
            vec![msg(b"{\"id_str\":\"1\"}")],
        ),
        (
            "length counted in bytes with non-ascii payload",
            MAX,
            &cafe_wire,
            vec![msg(cafe.as_bytes())],
        ),
        (
            "keep-alives before a length line",
            MAX,
            b"\r\n\r\n16\r\n{\"id_str\":\"1\"}\r\n\r\n",
            vec![ka(), ka(), msg(b"{\"id_str\":\"1\"}"), ka()],
        ),
        (
            "a counted \\r\\n inside the payload is content",
            MAX,
            b"6\r\na\r\nb\r\n3\r\n\r\n\r\n",
            vec![msg(b"a\r\nb"), msg(b"\r\n\r"), ka()],
        ),
        (
            "counted bytes not ending in \\r\\n are emitted as they are",
            MAX,
            b"5\r\nhello2\r\nhi",
            vec![msg(b"hello"), msg(b"hi")],
        ),
        ("zero and two are empty messages", MAX, b"0\r\n2\r\n\r\n", vec![msg(b""), msg(b"")]),
        (
            "bad length line reported, then resync",
            MAX,
            b"{\"id\":1}\r\n4\r\n{}\r\n",
            vec![bad_length(0, b"{\"id\":1}"), msg(b"{}")],
        ),
        (
            "a length with sign or spaces is bad",
            MAX,
            b"+4\r\n 4\r\n4\r\n{}\r\n",
            vec![bad_length(0, b"+4"), bad_length(4, b" 4"), msg(b"{}")],
        ),
        (
            "a length over u64 is bad",
            MAX,
            b"99999999999999999999\r\n4\r\nab\r\n",
            vec![bad_length(0, b"99999999999999999999"), msg(b"ab")],
        ),
        (
            "an overlong length line is reported with its first 64 bytes",
            MAX,
            &overlong,
            vec![bad_length(0, &[b'x'; 64]), msg(b"ab")],
        ),
        (
            "a declared length over the maximum is skipped unbuffered",
            8,
            b"12\r\n0123456789\r\n6\r\nabcd\r\n",
            vec![too_large(0, 8), msg(b"abcd")],
        ),
        (
            "truncated body counts from its length line",
            MAX,
            b"4\r\nab\r\n16\r\n{\"id",
            vec![msg(b"ab"), truncated(7, 8)],
        ),
        ("truncated length line", MAX, b"1", vec![truncated(0, 1)]),
        ("truncated right after a length line", MAX, b"4\r\n", vec![truncated(0, 3)]),
    ];
    for (name, max, input, expected) in cases {
        check(name, Length, max, input, &expected);
    }
}

/// Whether `inner` lies within `outer` in memory.
fn points_into(inner: &Bytes, outer: &Bytes) -> bool {
    let outer_range = outer.as_ptr() as usize..outer.as_ptr() as usize + outer.len();
    let start = inner.as_ptr() as usize;
    outer_range.contains(&start) && start + inner.len() <= outer_range.end
}

#[test]
fn several_messages_in_one_chunk_are_delivered_from_it_before_the_next_push() {
    for (framing, wire) in [
        (Framing::Crlf, &b"{\"a\":1}\r\n{\"b\":2}\r\n\r\n{\"c\":3}\r\n{\"d\""[..]),
        (Framing::Lines, &b"{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}\n{\"d\""[..]),
        (
            Framing::Length,
            &b"9\r\n{\"a\":1}\r\n9\r\n{\"b\":2}\r\n\r\n9\r\n{\"c\":3}\r\n9\r\n{\"d\""[..],
        ),
    ] {
        let chunk = Bytes::copy_from_slice(wire);
        let mut decoder = Decoder::new(framing);
        decoder.push(chunk.clone());
        let mut messages = Vec::new();
        while let Some(item) = decoder.next_frame() {
            match item {
                Ok(Frame::Message(payload)) => {
                    assert!(points_into(&payload, &chunk), "{framing}: {payload:?} was copied");
                    messages.push(payload);
                }
                Ok(Frame::KeepAlive) => {}
                Err(fault) => panic!("{framing}: unexpected {fault}"),
            }
        }
        assert_eq!(messages, [&b"{\"a\":1}"[..], b"{\"b\":2}", b"{\"c\":3}"], "{framing}");
        assert!(decoder.buffered() > 0, "{framing}: the partial frame is held");
        decoder.push(Bytes::from_static(b":4}\r\n"));
        assert_eq!(decoder.next_frame(), Some(msg(b"{\"d\":4}")), "{framing}");
        assert_eq!(decoder.next_frame(), None);
        assert_eq!(decoder.buffered(), 0);
        assert_eq!(decoder.finish(), None);
    }
}

#[test]
fn a_chunk_ending_exactly_on_a_delimiter_yields_no_empty_frame() {
    let mut decoder = Decoder::new(Framing::Crlf);
    decoder.push(Bytes::from_static(b"{}\r\n"));
    assert_eq!(decoder.next_frame(), Some(msg(b"{}")));
    assert_eq!(decoder.next_frame(), None);
    assert_eq!(decoder.buffered(), 0);
    decoder.push(Bytes::from_static(b"{\"x\":1}\r\n"));
    assert_eq!(decoder.next_frame(), Some(msg(b"{\"x\":1}")));
    assert_eq!(decoder.next_frame(), None);
    assert_eq!(decoder.finish(), None);
}

#[test]
fn a_crlf_split_across_pushes_gives_one_keep_alive_only_once_complete() {
    let mut decoder = Decoder::new(Framing::Crlf);
    decoder.push(Bytes::from_static(b"{}\r"));
    assert_eq!(decoder.next_frame(), None);
    decoder.push(Bytes::from_static(b"\n\r"));
    assert_eq!(decoder.next_frame(), Some(msg(b"{}")));
    assert_eq!(decoder.next_frame(), None);
    decoder.push(Bytes::from_static(b"\n"));
    assert_eq!(decoder.next_frame(), Some(ka()));
    assert_eq!(decoder.next_frame(), None);
}

#[test]
fn utf8_characters_split_inside_them_come_out_intact() {
    // 2, 3 and 4 byte characters, cut at every byte offset of the stream.
    let text = "é€😀";
    let wire = format!("{text}\r\n");
    let bytes = wire.as_bytes();
    for at in 1..text.len() {
        let out = decode_chunks(Framing::Crlf, MAX, &[&bytes[..at], &bytes[at..]]);
        assert_eq!(out, [msg(text.as_bytes())], "split at {at}");
    }
}

#[test]
fn a_message_larger_than_any_chunk_is_assembled_from_64_byte_chunks() {
    let payload: Vec<u8> = (0..10_000u32).map(|i| b"abcdefgh\n"[(i % 9) as usize]).collect();
    for framing in [Framing::Crlf, Framing::Lines, Framing::Length] {
        let payload: Vec<u8> = if framing == Framing::Lines {
            payload.iter().map(|&b| if b == b'\n' { b' ' } else { b }).collect()
        } else {
            payload.clone()
        };
        let mut wire = BytesMut::new();
        let encoder = Encoder::new(framing);
        encoder.message(&payload, &mut wire);
        encoder.keep_alive(&mut wire);
        let chunks: Vec<&[u8]> = wire.chunks(64).collect();
        assert_eq!(decode_chunks(framing, MAX, &chunks), [msg(&payload), ka()], "{framing}");
    }
}

#[test]
fn memory_stays_bounded_while_an_oversize_frame_streams_past() {
    let max = 1024;
    let mut decoder = Decoder::new(Framing::Crlf).max_frame_size(max);
    let mut faults = 0;
    for _ in 0..1000 {
        decoder.push(Bytes::from_static(&[b'x'; 100]));
        while let Some(item) = decoder.next_frame() {
            assert_eq!(item, too_large(0, max));
            faults += 1;
        }
        assert!(decoder.buffered() < max);
    }
    decoder.push(Bytes::from_static(b"\r\nok\r\n"));
    assert_eq!(decoder.next_frame(), Some(msg(b"ok")));
    assert_eq!(faults, 1);
}

#[test]
fn encoder_writes_each_framing() {
    let cases: [(Framing, &[u8], &[u8]); 3] = [
        (Framing::Crlf, b"{\"a\":1}\r\n\r\n", b"\r\n"),
        (Framing::Lines, b"{\"a\":1}\n\n", b"\n"),
        (Framing::Length, b"9\r\n{\"a\":1}\r\n\r\n", b"\r\n"),
    ];
    for (framing, message_then_keep_alive, keep_alive) in cases {
        let encoder = Encoder::new(framing);
        assert_eq!(encoder.framing(), framing);
        let mut out = BytesMut::new();
        encoder.message(b"{\"a\":1}", &mut out);
        encoder.keep_alive(&mut out);
        assert_eq!(&out[..], message_then_keep_alive, "{framing}");
        let mut out = BytesMut::new();
        encoder.keep_alive(&mut out);
        assert_eq!(&out[..], keep_alive, "{framing}");
    }
}

#[test]
fn encoder_counts_length_in_bytes_as_the_protocol_example_does() {
    let mut out = BytesMut::new();
    let encoder = Encoder::new(Framing::Length);
    encoder.message(b"{\"id_str\":\"1\"}", &mut out);
    assert_eq!(&out[..], b"16\r\n{\"id_str\":\"1\"}\r\n");
    out.clear();
    encoder.message("☕".as_bytes(), &mut out);
    assert_eq!(&out[..], "5\r\n☕\r\n".as_bytes());
    out.clear();
    encoder.message(b"", &mut out);
    assert_eq!(&out[..], b"2\r\n\r\n");
}

#[test]
fn faults_display_their_offending_values() {
    assert_eq!(
        too_large(7, 16).unwrap_err().to_string(),
        "frame at offset 7 is larger than the maximum of 16 bytes"
    );
    assert_eq!(
        bad_length(3, b"x1").unwrap_err().to_string(),
        "bad length line b\"x1\" at offset 3"
    );
    assert_eq!(
        truncated(4, 2).unwrap_err().to_string(),
        "stream ended inside a frame: 2 bytes left over at offset 4"
    );
}

#[test]
fn a_one_mebibyte_message_in_64_byte_chunks_is_scanned_once() {
    // Rescanning held bytes on every push would make this quadratic:
    // some 8 GB of scanning instead of 1 MiB.
    let mut payload = vec![b'a'; (1 << 20) - 2];
    for at in (0..payload.len()).step_by(1000) {
        payload[at] = b'\n';
    }
    let mut wire = payload.clone();
    wire.extend_from_slice(b"\r\n");
    let mut decoder = Decoder::new(Framing::Crlf);
    let mut out = Vec::new();
    for chunk in wire.chunks(64) {
        decoder.push(Bytes::copy_from_slice(chunk));
        out.extend(std::iter::from_fn(|| decoder.next_frame()));
    }
    assert_eq!(out, [msg(&payload)]);
}
