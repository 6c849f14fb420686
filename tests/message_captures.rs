//! Every message of the real captures classifies to the kinds their README
//! counts, with the ids a full parse finds, and parses through the typed
//! views.

mod common;

use std::collections::BTreeMap;

use bytes::Bytes;
use rehose::message::{classify, Kind, Message};
use serde_json::Value;

/// The messages of a capture, each without its `\r\n`.
fn messages(name: &str) -> Option<Vec<Bytes>> {
    let bytes = Bytes::from(common::capture(name)?);
    let mut out = Vec::new();
    let mut start = 0;
    for end in memchr::memmem::find_iter(&bytes, b"\r\n") {
        out.push(bytes.slice(start..end));
        start = end + 2;
    }
    assert_eq!(start, bytes.len(), "{name} ends with a terminator");
    Some(out)
}

fn classified(name: &str) -> Option<Vec<Message>> {
    let messages = messages(name)?;
    Some(
        messages
            .into_iter()
            .enumerate()
            .map(|(i, raw)| {
                classify(raw).unwrap_or_else(|err| panic!("{name} message {}: {err}", i + 1))
            })
            .collect(),
    )
}

#[test]
fn every_capture_classifies_to_the_counts_of_its_readme() {
    for (name, counts) in common::CAPTURES {
        let Some(messages) = classified(name) else { continue };
        let mut got = BTreeMap::new();
        for message in &messages {
            *got.entry(message.kind().name()).or_insert(0usize) += 1;
        }
        let want: BTreeMap<&str, usize> = counts.iter().copied().collect();
        assert_eq!(got, want, "{name}");
    }
}

/// The ids a full parse finds where `classify` promises them.
fn ids_from_full_parse(kind: Kind, value: &Value) -> (Option<u64>, Option<u64>) {
    let number = |v: &Value| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    match kind {
        Kind::Status => (number(&value["id"]), number(&value["user"]["id"])),
        Kind::Delete => {
            let status = &value["delete"]["status"];
            (number(&status["id"]), number(&status["user_id"]))
        }
        Kind::Tweet => (number(&value["data"]["id"]), number(&value["data"]["author_id"])),
        _ => (None, None),
    }
}

#[test]
fn ids_from_classify_equal_those_of_a_full_parse() {
    for (name, _) in common::CAPTURES {
        let Some(messages) = classified(name) else { continue };
        for (i, message) in messages.iter().enumerate() {
            let value: Value = serde_json::from_slice(message.raw()).expect("capture is json");
            let want = ids_from_full_parse(message.kind(), &value);
            assert_eq!((message.id(), message.user_id()), want, "{name} message {}", i + 1);
            if matches!(message.kind(), Kind::Status | Kind::Delete | Kind::Tweet) {
                assert!(want.0.is_some() && want.1.is_some(), "{name} message {}", i + 1);
            }
        }
    }
}
