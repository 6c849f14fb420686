//! The fixture text format: round trips, errors naming their line, and
//! files cut short by a crash.

use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;
use rehose::fixture::{
    Chunk, Connection, End, Fixture, FixtureError, FixtureWriter, Request, Response,
};
use rehose::frame::Framing;

fn connection(chunks: Vec<Chunk>, end: End) -> Connection {
    Connection {
        request: Request {
            method: "POST".into(),
            target: "/1.1/statuses/filter.json?delimited=length".into(),
            headers: vec![("Host".into(), "stream.twitter.com".into())],
            body: Bytes::from_static(b"track=caf%C3%A9%2Crust"),
        },
        response: Response {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
        },
        framing: Framing::Length,
        chunks,
        end,
    }
}

fn chunk(millis: u64, data: &[u8]) -> Chunk {
    Chunk { at: Duration::from_millis(millis), data: Bytes::copy_from_slice(data) }
}

fn sample() -> Fixture {
    Fixture {
        meta: vec![
            ("source".into(), "a test, with spaces ".into()),
            ("empty".into(), String::new()),
        ],
        connections: vec![
            connection(
                vec![
                    chunk(0, b"\r\n"),
                    chunk(12, "{\"text\":\"caf\u{e9} \u{1f980} \\u00e9\\n\"}\r\n".as_bytes()),
                    chunk(12, b"\xff\xfe\x00binary"),
                    chunk(13, b""),
                    chunk(2000, b"tab\there\x1b[0m \x7f\\ trailing "),
                    chunk(2001, "\u{85}\u{2028}".as_bytes()),
                ],
                End::Clean,
            ),
            connection(vec![Chunk { at: Duration::new(3, 1), data: Bytes::new() }], End::Open),
            connection(vec![], End::Reset),
            connection(vec![chunk(5, b"x")], End::Interrupted),
        ],
    }
}

#[test]
fn a_fixture_reads_back_exactly_as_written() {
    let fixture = sample();
    let bytes = fixture.to_bytes();
    assert_eq!(Fixture::parse(&bytes).unwrap(), fixture);
}

#[test]
fn text_chunks_stay_readable_and_binary_ones_use_base64() {
    let text = String::from_utf8(sample().to_bytes()).unwrap();
    assert!(text.starts_with("rehose-fixture 1\n"), "{text}");
    assert!(text.contains("chunk 0.000 t \\r\\n\n"), "{text}");
    assert!(
        text.contains("caf\u{e9} \u{1f980} \\\\u00e9\\\\n\\\"}\\r\\n\n")
            || text.contains("caf\u{e9} \u{1f980}")
    );
    assert!(text.contains("chunk 0.012 b /"), "{text}");
    assert!(text.contains("chunk 2.000 t tab\\there\\x1b[0m \\x7f\\\\ trailing\\x20\n"), "{text}");
    assert!(text.contains("chunk 3.000000001 t\n"), "{text}");
    // No line carries a raw carriage return or a trailing blank.
    for line in text.lines() {
        assert!(!line.contains('\r') && !line.ends_with(' '), "{line:?}");
    }
}

#[test]
fn the_streaming_writer_matches_to_bytes() {
    let fixture = sample();
    let mut writer = FixtureWriter::new(Vec::new(), &fixture.meta).unwrap();
    for connection in &fixture.connections {
        writer
            .begin_connection(&connection.request, &connection.response, connection.framing)
            .unwrap();
        for chunk in &connection.chunks {
            writer.chunk(chunk.at, &chunk.data).unwrap();
        }
        writer.end(&connection.end).unwrap();
    }
    assert_eq!(writer.into_inner(), fixture.to_bytes());
}

#[test]
fn a_chunk_outside_a_connection_is_refused_by_the_writer() {
    let mut writer = FixtureWriter::new(Vec::new(), &[]).unwrap();
    assert!(writer.chunk(Duration::ZERO, b"x").is_err());
    assert!(writer.end(&End::Clean).is_err());
}

#[test]
fn a_file_without_an_end_line_reads_as_interrupted() {
    let mut writer = FixtureWriter::new(Vec::new(), &[]).unwrap();
    let request = Request::get("/1.1/statuses/sample.json");
    writer.begin_connection(&request, &Response::ok(), Framing::Crlf).unwrap();
    writer.chunk(Duration::from_millis(5), b"{\"id\":1}\r\n").unwrap();
    let fixture = Fixture::parse(&writer.into_inner()).unwrap();
    assert_eq!(fixture.connections.len(), 1);
    assert_eq!(fixture.connections[0].end, End::Interrupted);
    assert_eq!(fixture.connections[0].chunks.len(), 1);
}

#[test]
fn a_truncated_last_line_is_dropped_and_nothing_else() {
    let bytes = sample().to_bytes();
    // Cut the file at every byte: each prefix reads, and every chunk whose
    // line was written in full is kept.
    let full = Fixture::parse(&bytes).unwrap();
    let header = b"rehose-fixture 1\n".len();
    for cut in header..bytes.len() {
        let prefix = &bytes[..cut];
        let fixture = Fixture::parse(prefix).unwrap_or_else(|err| panic!("cut at {cut}: {err}"));
        let complete_chunk_lines = prefix
            .split(|&b| b == b'\n')
            .rev()
            .skip(1)
            .filter(|line| line.starts_with(b"chunk "))
            .count();
        let read: usize = fixture.connections.iter().map(|c| c.chunks.len()).sum();
        assert_eq!(read, complete_chunk_lines, "cut at {cut}");
        for (got, want) in fixture.connections.iter().zip(&full.connections) {
            assert_eq!(got.chunks[..], want.chunks[..got.chunks.len()], "cut at {cut}");
        }
    }
}

#[test]
fn a_chunk_cut_mid_line_is_not_kept_half() {
    let text = b"rehose-fixture 1\nconnection 1\nrequest GET /x\nresponse 200\nframing crlf\nchunk 0.1 t {\"a\":1}\\r\\n\nchunk 0.2 t {\"b\"";
    let fixture = Fixture::parse(text).unwrap();
    let connection = &fixture.connections[0];
    assert_eq!(connection.chunks, vec![chunk(100, b"{\"a\":1}\r\n")]);
    assert_eq!(connection.end, End::Interrupted);
}

fn error_of(text: &str) -> FixtureError {
    Fixture::parse(text.as_bytes()).unwrap_err()
}

const HEAD: &str =
    "rehose-fixture 1\nmeta k v\n\nconnection 1\nrequest GET /x\nresponse 200\nframing crlf\n";

#[test]
fn a_bad_time_offset_is_reported_with_its_line() {
    let err = error_of(&format!("{HEAD}chunk 0.5 t a\nchunk abc t b\n"));
    assert_eq!(err.line(), Some(9));
    assert_eq!(err.to_string(), "line 9: chunk line: bad time offset \"abc\"");
}

#[test]
fn errors_from_a_file_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.fixture");
    std::fs::write(&path, format!("{HEAD}chunk 1 q zz\n")).unwrap();
    let err = Fixture::read(&path).unwrap_err();
    assert_eq!(err.path(), Some(path.as_path()));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:8: chunk line: bad encoding \"q\": expected t (text) or b (base64)",
            path.display()
        )
    );
}

#[test]
fn malformed_lines_say_what_was_expected() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "expected \"rehose-fixture 1\", found an empty file"),
        ("rehose-fixture 2\n", 1, "unsupported version \"2\""),
        ("rehose-fix", 1, "found a truncated line"),
        ("hello\n", 1, "expected \"rehose-fixture 1\", found \"hello\""),
        ("rehose-fixture 1\nchunk 0 t x\n", 2, "chunk line: expected a connection line"),
        ("rehose-fixture 1\nbogus\n", 2, "unknown line kind \"bogus\""),
        ("rehose-fixture 1\nconnection 2\n", 2, "expected connection number 1"),
        (
            "rehose-fixture 1\nconnection 1\nresponse 200\nframing crlf\nchunk 0 t x\n",
            5,
            "expected a request line",
        ),
        (
            "rehose-fixture 1\nconnection 1\nrequest GET /x\nresponse abc\n",
            4,
            "bad status code \"abc\"",
        ),
        (
            "rehose-fixture 1\nconnection 1\nrequest GET /x\nresponse 200\nframing ndjson\n",
            5,
            "unknown framing \"ndjson\"",
        ),
        (&format!("{HEAD}chunk 2 t a\nchunk 1 t b\n"), 9, "time offset 1 is before"),
        (&format!("{HEAD}chunk 1 t a\\q\n"), 8, "bad escape \"\\\\q\""),
        (&format!("{HEAD}chunk 1 b !!!\n"), 8, "bad base64"),
        (&format!("{HEAD}chunk 1\n"), 8, "expected t (text) or b (base64)"),
        (&format!("{HEAD}end later\n"), 8, "unknown end \"later\""),
        (
            &format!("{HEAD}chunk 1 t a\nrequest-header A: b\n"),
            9,
            "head lines come before the first chunk",
        ),
        (&format!("{HEAD}request-header nocolon\n"), 8, "expected \"Name: value\""),
        (&format!("{HEAD}connection 2\n"), 8, "the connection opened at line 4 has no end line"),
        (
            &format!("{HEAD}end clean\nmeta a b\n"),
            9,
            "meta lines belong before the first connection",
        ),
    ];
    for (text, line, message) in cases {
        let err = error_of(text);
        assert_eq!(err.line(), Some(*line), "{text:?}: {err}");
        assert!(err.to_string().contains(message), "{text:?}: {err}");
    }
}

#[test]
fn comments_blank_lines_and_crlf_line_ends_are_tolerated() {
    let text = "rehose-fixture 1\r\n# a note\r\n\r\nconnection 1\r\nrequest GET /x\r\nresponse 200 OK\r\nframing lines\r\nchunk 0 t a\\n\r\nend open\r\n";
    let fixture = Fixture::parse(text.as_bytes()).unwrap();
    assert_eq!(fixture.connections[0].framing, Framing::Lines);
    assert_eq!(fixture.connections[0].chunks, vec![chunk(0, b"a\n")]);
    assert_eq!(fixture.connections[0].end, End::Open);
}

proptest! {
    #[test]
    fn any_chunk_bytes_survive_a_round_trip(
        chunks in prop::collection::vec(
            (0u64..10_000_000_000, prop::collection::vec(any::<u8>(), 0..64)),
            0..8,
        ),
        text in "\\PC*",
    ) {
        let mut times: Vec<u64> = chunks.iter().map(|(at, _)| *at).collect();
        times.sort_unstable();
        let mut chunks: Vec<Chunk> = times
            .iter()
            .zip(&chunks)
            .map(|(&at, (_, data))| Chunk { at: Duration::from_nanos(at), data: Bytes::from(data.clone()) })
            .collect();
        chunks.push(Chunk { at: Duration::from_secs(11), data: Bytes::from(text.clone()) });
        let fixture = Fixture {
            meta: vec![("note".into(), text)],
            connections: vec![connection(chunks, End::Stalled)],
        };
        prop_assert_eq!(Fixture::parse(&fixture.to_bytes()).unwrap(), fixture);
    }
}

#[test]
fn the_example_in_the_format_documentation_reads() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture-format.md"))
            .unwrap();
    let start = doc.find("```text\n").unwrap() + "```text\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    let fixture = Fixture::parse(example.as_bytes()).unwrap();
    assert_eq!(fixture.meta("seed"), Some("42"));
    let [first, second] = &fixture.connections[..] else { panic!("two connections") };
    assert_eq!(first.request.body, Bytes::from_static(b"delimited=length&track=rust%2Ccoffee"));
    assert_eq!((first.end.clone(), second.end.clone()), (End::Reset, End::Open));
    assert_eq!(first.chunks[4].data, Bytes::from_static(b"\xff\xee\x00\x01"));
    let messages: Vec<Bytes> = first.messages().into_iter().map(|(_, m)| m).collect();
    assert_eq!(messages.len(), 3);
    assert_eq!(&messages[0][..], br#"{"id_str":"1","text":"caf\u00e9 \u2615"}"#);
    assert_eq!(&messages[1][..], br#"{"limit":{"track":3}}"#);
    assert_eq!(messages[2], "{\"id_str\":\"2\",\"text\":\"rust \u{1f980}\"}".as_bytes());
}
