//! `inspect` summarizes fixtures: checked on the bundled ones against
//! counts made independently, by splitting bodies by hand and reading
//! each message's top-level keys with serde_json.

use std::collections::BTreeMap;
use std::path::Path;

use rehose::fixture::{Connection, Fixture};
use rehose::frame::Framing;
use rehose::record::inspect;

fn bundled(name: &str) -> Fixture {
    Fixture::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)).unwrap()
}

/// Messages and keep-alives of a crlf body, split by hand.
fn split_crlf(connection: &Connection) -> (Vec<Vec<u8>>, usize) {
    assert_eq!(connection.framing, Framing::Crlf);
    let body = connection.body();
    let text = String::from_utf8(body).unwrap();
    let mut pieces: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(pieces.pop(), Some(""), "the body ends with a terminator");
    let keep_alives = pieces.iter().filter(|p| p.is_empty()).count();
    let messages = pieces.iter().filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect();
    (messages, keep_alives)
}

/// The kind by top-level key, for the kinds the bundled fixtures hold.
fn kind(message: &[u8]) -> &'static str {
    let value: serde_json::Value = serde_json::from_slice(message).unwrap();
    let object = value.as_object().unwrap();
    if object.contains_key("delete") {
        "delete"
    } else if object.contains_key("limit") {
        "limit"
    } else if object.contains_key("errors") {
        "operational_disconnect"
    } else if object.contains_key("data") {
        "tweet"
    } else {
        assert!(object.contains_key("text") && object.contains_key("user"));
        "status"
    }
}

#[test]
fn the_crlf_fixtures_summaries_match_counts_made_by_hand() {
    for name in ["v1-sample.fixture", "v2-filtered.fixture"] {
        let fixture = bundled(name);
        let summary = inspect(&fixture);

        let mut kinds = BTreeMap::new();
        let mut sizes = Vec::new();
        let mut keep_alives = 0;
        for (connection, got) in fixture.connections.iter().zip(&summary.connections) {
            let (messages, k) = split_crlf(connection);
            keep_alives += k;
            assert_eq!(got.messages, messages.len(), "{name}");
            assert_eq!(got.bytes, connection.body().len() as u64);
            assert_eq!(got.duration, connection.chunks.last().unwrap().at);
            for message in messages {
                *kinds.entry(kind(&message).to_owned()).or_insert(0) += 1;
                sizes.push(message.len());
            }
        }
        sizes.sort();
        assert_eq!(summary.connections.len(), fixture.connections.len());
        assert_eq!(summary.messages, sizes.len(), "{name}");
        assert_eq!(summary.kinds, kinds, "{name}");
        assert_eq!(summary.keep_alives, keep_alives, "{name}");
        let stats = summary.sizes.unwrap();
        assert_eq!((stats.min, stats.max), (sizes[0], *sizes.last().unwrap()));
        assert_eq!(stats.median, sizes[(sizes.len() - 1) / 2]);
        assert_eq!((summary.frame_errors, summary.message_errors), (0, 0));
        let rate = summary.messages as f64 / summary.duration.as_secs_f64();
        assert!((summary.messages_per_second - rate).abs() < 1e-9);
    }
}

#[test]
fn the_v2_fixture_shows_both_connections_and_how_they_ended() {
    let summary = inspect(&bundled("v2-filtered.fixture"));
    let ends: Vec<(u16, &str)> = summary.connections.iter().map(|c| (c.status, c.end)).collect();
    assert_eq!(ends, [(200, "clean"), (200, "open")]);
    assert_eq!(summary.kinds["operational_disconnect"], 1);
}

#[test]
fn the_length_framed_fixture_counts_its_messages_and_keep_alives() {
    let fixture = bundled("v1-filter.fixture");
    let summary = inspect(&fixture);
    let text = String::from_utf8(fixture.connections[0].body()).unwrap();
    // Each message is announced by a length line of digits.
    let mut rest = text.as_str();
    let (mut messages, mut keep_alives) = (0, 0);
    while !rest.is_empty() {
        let (line, after) = rest.split_once("\r\n").unwrap();
        if line.is_empty() {
            keep_alives += 1;
            rest = after;
        } else {
            let len: usize = line.parse().unwrap();
            messages += 1;
            rest = &after[len..];
        }
    }
    assert_eq!(summary.messages, messages);
    assert_eq!(summary.keep_alives, keep_alives);
    assert_eq!(summary.kinds.values().sum::<usize>(), messages);
}

#[test]
fn the_summary_reads_as_text_and_as_json() {
    let summary = inspect(&bundled("v2-filtered.fixture"));
    let text = summary.to_string();
    assert!(text.starts_with(&format!("2 connections, {} messages", summary.messages)), "{text}");
    assert!(text.contains("connection 1: status 200, end clean"), "{text}");
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["messages"], summary.messages);
    assert_eq!(json["connections"][1]["end"], "open");
    assert!(json["duration"].as_f64().unwrap() > 0.0);
}
