//! The generator of the bundled fixtures: the committed files are its
//! output, and its streams decode, classify and look like the real ones.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rehose::fixture::generate::{self, Bundled};
use rehose::fixture::{Connection, End, Fixture};
use rehose::frame::{Frame, Framing};
use rehose::message::classify;
use serde_json::Value;

fn bundled(name: &str) -> Fixture {
    generate::bundled().into_iter().find(|b| b.name == name).unwrap().fixture
}

#[test]
fn regenerating_gives_the_committed_files_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for Bundled { name, fixture } in generate::bundled() {
        let committed = std::fs::read(dir.join(name)).unwrap();
        assert!(
            fixture.to_bytes() == committed,
            "fixtures/{name} is stale: run `cargo xtask fixtures` and commit it"
        );
        assert!(committed.len() < 1_100_000, "fixtures/{name} is {} bytes", committed.len());
        assert_eq!(Fixture::read(dir.join(name)).unwrap(), fixture);
    }
}

#[test]
fn generating_twice_gives_the_same_fixture() {
    assert_eq!(generate::v1_sample(7), generate::v1_sample(7));
    assert_ne!(generate::v1_sample(7), generate::v1_sample(8));
}

/// Kinds of all messages, checking that every frame decodes and every
/// message classifies.
fn kinds(connection: &Connection) -> BTreeMap<&'static str, usize> {
    let mut kinds = BTreeMap::new();
    for (at, frame) in connection.frames() {
        match frame {
            Ok(Frame::Message(payload)) => {
                let message = classify(payload).unwrap_or_else(|err| panic!("at {at:?}: {err:?}"));
                *kinds.entry(message.kind().name()).or_default() += 1;
            }
            Ok(Frame::KeepAlive) => *kinds.entry("keep_alive").or_default() += 1,
            Err(err) => panic!("framing fault at {at:?}: {err:?}"),
        }
    }
    kinds
}

fn longest_silence(connection: &Connection) -> Duration {
    let mut last = Duration::ZERO;
    let mut longest = Duration::ZERO;
    for chunk in &connection.chunks {
        longest = longest.max(chunk.at - last);
        last = chunk.at;
    }
    longest
}

#[test]
fn the_sample_stream_decodes_into_statuses_deletes_limits_and_keep_alives() {
    let fixture = bundled("v1-sample.fixture");
    assert_eq!(fixture.connections.len(), 1);
    let connection = &fixture.connections[0];
    assert_eq!(connection.framing, Framing::Crlf);
    let kinds = kinds(connection);
    assert!(kinds["status"] > 200, "{kinds:?}");
    assert!(kinds["delete"] > 30, "{kinds:?}");
    assert!(kinds["limit"] >= 1, "{kinds:?}");
    assert!(kinds["keep_alive"] >= 2, "{kinds:?}");
    assert!((250..=400).contains(&fixture.message_count()));
    assert!(connection.duration() > Duration::from_secs(60));
    assert!(connection.duration() < Duration::from_secs(180));
    assert!(longest_silence(connection) <= Duration::from_secs(30));
}

#[test]
fn statuses_have_real_sizes_and_shapes() {
    let connection = &bundled("v1-sample.fixture").connections[0];
    let (mut retweets, mut quotes, mut replies, mut places, mut escaped, mut raw) =
        (0, 0, 0, 0, 0, 0);
    for (_, payload) in connection.messages() {
        let json: Value = serde_json::from_slice(&payload).unwrap();
        if json.get("user").is_none() {
            continue;
        }
        assert!((1800..=9000).contains(&payload.len()), "status of {} bytes", payload.len());
        check_entities(&json);
        if let Some(original) = json.get("retweeted_status") {
            retweets += 1;
            check_entities(original);
            let author = original["user"]["screen_name"].as_str().unwrap();
            let text = json["text"].as_str().unwrap();
            assert!(text.starts_with(&format!("RT @{author}: ")), "{text}");
        }
        quotes += usize::from(json.get("quoted_status").is_some());
        replies += usize::from(!json["in_reply_to_status_id"].is_null());
        places += usize::from(!json["place"].is_null());
        if payload.windows(2).any(|w| w == b"\\u") {
            escaped += 1;
        }
        if !payload.is_ascii() {
            raw += 1;
        }
        assert!(json["timestamp_ms"].as_str().unwrap().parse::<u64>().is_ok());
    }
    for (what, count) in
        [("retweets", retweets), ("quotes", quotes), ("replies", replies), ("places", places)]
    {
        assert!(count >= 5, "only {count} {what}");
    }
    assert!(escaped >= 50 && raw >= 10, "{escaped} escaped, {raw} raw UTF-8");
}

/// Entity indices count characters and point at the entity's text.
fn check_entities(status: &Value) {
    let text: Vec<char> = status["text"].as_str().unwrap().chars().collect();
    let slice = |indices: &Value| -> String {
        let [start, end] = [&indices[0], &indices[1]].map(|i| i.as_u64().unwrap() as usize);
        text[start..end].iter().collect()
    };
    let entities = &status["entities"];
    for tag in entities["hashtags"].as_array().unwrap() {
        assert_eq!(slice(&tag["indices"]), format!("#{}", tag["text"].as_str().unwrap()));
    }
    for mention in entities["user_mentions"].as_array().unwrap() {
        let name = mention["screen_name"].as_str().unwrap();
        assert_eq!(slice(&mention["indices"]), format!("@{name}"));
    }
    for url in entities["urls"].as_array().unwrap() {
        assert_eq!(slice(&url["indices"]), url["url"].as_str().unwrap());
    }
}

#[test]
fn chunk_boundaries_fall_anywhere() {
    let connection = &bundled("v1-sample.fixture").connections[0];
    let ends_in_message = connection.chunks.iter().filter(|c| !c.data.ends_with(b"\r\n")).count();
    let split_crlf = connection.chunks.iter().filter(|c| c.data.starts_with(b"\n")).count();
    let several = connection
        .chunks
        .iter()
        .filter(|c| c.data.windows(4).filter(|w| w == b"}\r\n{").count() >= 1)
        .count();
    let tiny = connection.chunks.iter().filter(|c| c.data.len() < 24).count();
    assert!(ends_in_message > 50, "{ends_in_message}");
    assert!(split_crlf >= 1, "{split_crlf}");
    assert!(several >= 5, "{several}");
    assert!(tiny >= 5, "{tiny}");
}

#[test]
fn the_filter_stream_is_length_delimited_and_every_status_matches_a_track_word() {
    let fixture = bundled("v1-filter.fixture");
    let connection = &fixture.connections[0];
    assert_eq!(connection.framing, Framing::Length);
    assert_eq!(connection.request.method, "POST");
    assert!(std::str::from_utf8(&connection.request.body).unwrap().contains("track=rust%2Ccoffee"));
    let kinds = kinds(connection);
    assert!(kinds["status"] > 100 && kinds["limit"] >= 3, "{kinds:?}");
    assert!(kinds["keep_alive"] >= 1, "{kinds:?}");
    assert!(longest_silence(connection) <= Duration::from_secs(30));

    let mut limits = Vec::new();
    for (_, payload) in connection.messages() {
        let json: Value = serde_json::from_slice(&payload).unwrap();
        if let Some(track) = json.pointer("/limit/track") {
            limits.push(track.as_u64().unwrap());
            continue;
        }
        let texts = [
            "/text",
            "/retweeted_status/text",
            "/quoted_status/text",
            "/retweeted_status/quoted_status/text",
        ];
        let matched = texts.iter().filter_map(|p| json.pointer(p)).any(|text| {
            let text = text.as_str().unwrap().to_lowercase();
            text.contains("rust") || text.contains("coffee")
        });
        assert!(matched, "{}", json["text"]);
    }
    assert!(limits.windows(2).all(|w| w[0] < w[1]), "limit counts grow: {limits:?}");
}

#[test]
fn the_v2_stream_reconnects_after_an_operational_disconnect() {
    let fixture = bundled("v2-filtered.fixture");
    assert_eq!(fixture.connections.len(), 2);
    let [first, second] = &fixture.connections[..] else { unreachable!() };
    assert_eq!(first.end, End::Clean);
    assert_eq!(second.end, End::Open);

    let first_kinds = kinds(first);
    assert_eq!(first_kinds.get("operational_disconnect"), Some(&1));
    assert!(first_kinds["tweet"] >= 20 && first_kinds["keep_alive"] >= 2, "{first_kinds:?}");
    let (_, last) = first.messages().pop().unwrap();
    assert!(classify(last).unwrap().kind().is_disconnect());
    let second_kinds = kinds(second);
    assert!(second_kinds["tweet"] >= 20 && !second_kinds.contains_key("operational_disconnect"));

    for connection in [first, second] {
        assert!(longest_silence(connection) <= Duration::from_secs(20));
        for (_, payload) in connection.messages() {
            let json: Value = serde_json::from_slice(&payload).unwrap();
            if json.get("errors").is_some() {
                continue;
            }
            assert!(!json["matching_rules"].as_array().unwrap().is_empty());
            let author = json["data"]["author_id"].as_str().unwrap();
            let users = json["includes"]["users"].as_array().unwrap();
            assert!(users.iter().any(|user| user["id"] == author));
            // v2 sends raw UTF-8, never \u escapes of non-ASCII.
            assert!(!payload.windows(2).any(|w| w == b"\\u"));
        }
    }
}
