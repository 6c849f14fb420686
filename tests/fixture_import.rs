//! Importing message-per-line captures into fixtures.

mod common;

use std::time::Duration;

use bytes::Bytes;
use rehose::fixture::import::{import, ImportOptions, KeepAlive, Pace};
use rehose::fixture::{End, Fixture};
use rehose::frame::{Frame, Framing};
use rehose::message::classify;

/// The capture's messages: its non-blank lines without terminators.
fn lines(capture: &[u8]) -> Vec<&[u8]> {
    capture
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .collect()
}

fn all_messages(fixture: &Fixture) -> Vec<Bytes> {
    fixture
        .connections
        .iter()
        .flat_map(|connection| connection.messages())
        .map(|(_, payload)| payload)
        .collect()
}

#[test]
fn every_capture_imports_with_its_messages_byte_for_byte() {
    for (name, kinds) in common::CAPTURES {
        let Some(capture) = common::capture(name) else { continue };
        let imported = import(&capture, &ImportOptions::new().source(*name)).unwrap();
        assert!(imported.warnings.is_empty(), "{name}: {:?}", imported.warnings);

        let expected: usize = kinds.iter().map(|(_, count)| count).sum();
        let messages = all_messages(&imported.fixture);
        assert_eq!(messages.len(), expected, "{name}");
        assert_eq!(imported.fixture.message_count(), expected, "{name}");
        for (got, want) in messages.iter().zip(lines(&capture)) {
            assert_eq!(&got[..], want, "{name}");
        }
        // Each message is one chunk.
        for connection in &imported.fixture.connections {
            for (chunk, (_, payload)) in connection
                .chunks
                .iter()
                .filter(|chunk| &chunk.data[..] != b"\r\n")
                .zip(connection.messages())
            {
                assert_eq!(&chunk.data[..chunk.data.len() - 2], &payload[..], "{name}");
            }
        }
        // The fixture survives its text format.
        let bytes = imported.fixture.to_bytes();
        assert_eq!(Fixture::parse(&bytes).unwrap(), imported.fixture, "{name}");
        assert_eq!(imported.fixture.meta("source"), Some(*name));
    }
}

#[test]
fn the_v2_capture_reconnects_after_its_operational_disconnect() {
    let Some(capture) = common::capture("v2-filtered-2021.crlf") else { return };
    let fixture = import(&capture, &ImportOptions::new()).unwrap().fixture;
    let counts: Vec<usize> = fixture.connections.iter().map(|c| c.messages().len()).collect();
    assert_eq!(counts, [5, 4]);
    assert_eq!(fixture.connections[0].end, End::Clean);
    assert_eq!(fixture.connections[1].end, End::Open);
    let (_, last) = fixture.connections[0].messages().pop().unwrap();
    assert!(classify(last).unwrap().kind().is_disconnect());
    assert_eq!(fixture.connections[0].request.target, "/2/tweets/search/stream");
}

#[test]
fn v1_captures_are_guessed_as_the_sample_stream() {
    let Some(capture) = common::capture("v1-sample-2015.crlf") else { return };
    let fixture = import(&capture, &ImportOptions::new()).unwrap().fixture;
    assert_eq!(fixture.connections.len(), 1);
    assert_eq!(fixture.connections[0].request.target, "/1.1/statuses/sample.json");
    assert_eq!(fixture.connections[0].end, End::Open);
}

#[test]
fn a_steady_pace_spaces_messages_evenly() {
    let capture = b"{\"a\":1}\r\n{\"a\":2}\r\n{\"a\":3}\r\n";
    let options = ImportOptions::new().pace(Pace::PerSecond(4.0));
    let fixture = import(capture, &options).unwrap().fixture;
    let times: Vec<Duration> = fixture.connections[0].chunks.iter().map(|c| c.at).collect();
    assert_eq!(times, [Duration::ZERO, Duration::from_millis(250), Duration::from_millis(500)]);
}

#[test]
fn keep_alives_fill_idle_stretches_longer_than_the_interval() {
    // 95 s of silence between two v1.1 messages: keep-alives at 30, 60, 90.
    let capture = b"{\"id_str\":\"1\",\"text\":\"a\",\"user\":{},\"timestamp_ms\":\"1000000\"}\n\
        {\"id_str\":\"2\",\"text\":\"b\",\"user\":{},\"timestamp_ms\":\"1095000\"}\n\
        {\"id_str\":\"3\",\"text\":\"c\",\"user\":{},\"timestamp_ms\":\"1100000\"}\n";
    let options = ImportOptions::new().pace(Pace::Timestamps);
    let connection = import(capture, &options).unwrap().fixture.connections.remove(0);
    let keep_alives: Vec<u64> = connection
        .frames()
        .into_iter()
        .filter(|(_, frame)| matches!(frame, Ok(Frame::KeepAlive)))
        .map(|(at, _)| at.as_secs())
        .collect();
    assert_eq!(keep_alives, [30, 60, 90]);
    let times: Vec<u64> = connection.messages().iter().map(|(at, _)| at.as_secs()).collect();
    assert_eq!(times, [0, 95, 100]);

    let options = ImportOptions::new().pace(Pace::Timestamps).keep_alive(KeepAlive::Off);
    let connection = import(capture, &options).unwrap().fixture.connections.remove(0);
    assert_eq!(connection.chunks.len(), 3);
}

#[test]
fn v2_captures_get_keep_alives_every_twenty_seconds() {
    let capture =
        b"{\"data\":{\"id\":\"1\",\"text\":\"a\",\"created_at\":\"2021-04-01T15:52:00.000Z\"}}\n\
        {\"data\":{\"id\":\"2\",\"text\":\"b\",\"created_at\":\"2021-04-01T15:52:45.000Z\"}}\n";
    let options = ImportOptions::new().pace(Pace::Timestamps);
    let connection = import(capture, &options).unwrap().fixture.connections.remove(0);
    let times: Vec<u64> = connection.chunks.iter().map(|c| c.at.as_secs()).collect();
    assert_eq!(times, [0, 20, 40, 45]);
}

#[test]
fn length_framing_gives_a_valid_length_prefixed_body() {
    for (name, kinds) in common::CAPTURES {
        let Some(capture) = common::capture(name) else { continue };
        let options = ImportOptions::new().framing(Framing::Length);
        let fixture = import(&capture, &options).unwrap().fixture;
        let expected: usize = kinds.iter().map(|(_, count)| count).sum();
        for connection in &fixture.connections {
            assert_eq!(connection.framing, Framing::Length);
            assert!(connection.frames().iter().all(|(_, frame)| frame.is_ok()), "{name}");
        }
        let messages = all_messages(&fixture);
        assert_eq!(messages.len(), expected, "{name}");
        for (got, want) in messages.iter().zip(lines(&capture)) {
            assert_eq!(&got[..], want, "{name}");
        }
        // The first chunk is a length line and the message with its CRLF.
        let first = &fixture.connections[0].chunks[0].data;
        let want = lines(&capture)[0];
        assert_eq!(
            &first[..],
            [format!("{}\r\n", want.len() + 2).as_bytes(), want, b"\r\n"].concat()
        );
        if !name.starts_with("v2") {
            assert!(fixture.connections[0].request.target.ends_with("?delimited=length"));
        }
    }
}

#[test]
fn json_lines_with_blank_lines_and_bad_lines_import_with_warnings() {
    let capture = b"{\"id_str\":\"1\",\"text\":\"a\",\"user\":{}}\n\n   \n\
        not json at all\n{\"delete\":{\"status\":{\"id\":1}}}\n{\"disconnect\":{\"code\":7}}\n\
        {\"limit\":{\"track\":3}}";
    let imported = import(capture, &ImportOptions::new()).unwrap();
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(imported.warnings[0].line, 4);
    assert!(imported.warnings[0].to_string().starts_with("line 4: not JSON"));
    let fixture = imported.fixture;
    let counts: Vec<usize> = fixture.connections.iter().map(|c| c.messages().len()).collect();
    assert_eq!(counts, [4, 1]);
    assert_eq!(&fixture.connections[0].messages()[1].1[..], b"not json at all");
    assert_eq!(fixture.connections[0].end, End::Clean);
}

#[test]
fn a_bad_pace_is_refused() {
    assert!(import(b"", &ImportOptions::new().pace(Pace::PerSecond(0.0))).is_err());
    assert!(import(b"", &ImportOptions::new().pace(Pace::PerSecond(f64::NAN))).is_err());
    let fixture = import(b"", &ImportOptions::new()).unwrap().fixture;
    assert_eq!(fixture.connections.len(), 1);
    assert!(fixture.connections[0].chunks.is_empty());
}
