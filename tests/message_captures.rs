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

#[test]
fn typed_views_parse_every_capture_message_and_agree_with_classify() {
    for (name, _) in common::CAPTURES {
        let Some(messages) = classified(name) else { continue };
        for (i, message) in messages.iter().enumerate() {
            let at = format!("{name} message {}", i + 1);
            let value: Value = serde_json::from_slice(message.raw()).expect("capture is json");
            match message.kind() {
                Kind::Status => {
                    let status = message.status().unwrap_or_else(|| panic!("{at}"));
                    assert_eq!(Some(status.id), message.id(), "{at}");
                    assert_eq!(Some(status.user.id), message.user_id(), "{at}");
                    assert_eq!(status.text.as_deref(), value["text"].as_str(), "{at}");
                    assert_eq!(
                        Some(&*status.user.screen_name),
                        value["user"]["screen_name"].as_str(),
                        "{at}"
                    );
                    assert_eq!(status.lang.as_deref(), value["lang"].as_str(), "{at}");
                    assert_eq!(
                        status.retweeted_status.as_ref().map(|s| s.id),
                        value["retweeted_status"]["id"].as_u64(),
                        "{at}"
                    );
                    assert_eq!(status.quoted_status_id, value["quoted_status_id"].as_u64(), "{at}");
                    let hashtags = value["entities"]["hashtags"].as_array().map_or(0, Vec::len);
                    assert_eq!(status.entities.hashtags.len(), hashtags, "{at}");
                    let urls = value["entities"]["urls"].as_array().map_or(0, Vec::len);
                    assert_eq!(status.entities.urls.len(), urls, "{at}");
                    assert_eq!(status.coordinates.is_some(), value["coordinates"].is_object());
                    assert_eq!(status.place.is_some(), value["place"].is_object(), "{at}");
                }
                Kind::Delete => {
                    let delete = message.delete().unwrap_or_else(|| panic!("{at}"));
                    assert_eq!(Some(delete.status.id), message.id(), "{at}");
                    assert_eq!(Some(delete.status.user_id), message.user_id(), "{at}");
                    assert!(delete.timestamp_ms.is_some(), "{at}");
                }
                Kind::Limit => {
                    let limit = message.limit().unwrap_or_else(|| panic!("{at}"));
                    assert_eq!(Some(limit.track), value["limit"]["track"].as_u64(), "{at}");
                    assert!(limit.timestamp_ms.is_some(), "{at}");
                }
                Kind::Tweet => {
                    let tweet = message.tweet().unwrap_or_else(|| panic!("{at}"));
                    assert_eq!(tweet.data.id_u64(), message.id(), "{at}");
                    assert_eq!(tweet.data.author_id_u64(), message.user_id(), "{at}");
                    assert_eq!(Some(&*tweet.data.text), value["data"]["text"].as_str(), "{at}");
                    assert!(!tweet.matching_rules.is_empty(), "{at}");
                    let includes = tweet.includes.unwrap_or_else(|| panic!("{at}"));
                    assert_eq!(
                        serde_json::from_str::<Value>(includes.get()).expect("raw json"),
                        value["includes"],
                        "{at}"
                    );
                }
                Kind::OperationalDisconnect => {
                    let errors = message.errors().unwrap_or_else(|| panic!("{at}"));
                    assert!(errors.iter().any(|e| e.is_operational_disconnect()), "{at}");
                    assert_eq!(
                        errors[0].disconnect_type.as_deref(),
                        Some("OperationalDisconnect"),
                        "{at}"
                    );
                }
                other => panic!("{at}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn typed_views_borrow_unescaped_strings_from_the_payload() {
    let Some(messages) = classified("v1-sample-2015.crlf") else { return };
    let raw = messages[0].raw().as_ptr_range();
    let status = messages[0].status().expect("first message is a status");
    let name = status.user.screen_name.as_ptr();
    assert!(matches!(status.user.screen_name, std::borrow::Cow::Borrowed(_)));
    assert!(raw.contains(&name));
    assert!(matches!(status.id_str, std::borrow::Cow::Borrowed(_)));
}
