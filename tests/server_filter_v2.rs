//! The v2 rule language: what parses, what is refused and why, what
//! matches, and the `matching_rules` rewrite on the real v2 capture.

mod common;

use bytes::Bytes;
use rehose::protocol::Rule;
use rehose::server::{RuleQuery, RuleSet, StreamFilter, Verdict};
use serde_json::{json, Value};

fn tweet(text: &str) -> Value {
    json!({
        "data": {
            "id": "1", "text": text, "author_id": "42", "lang": "en",
            "entities": {
                "hashtags": [{"tag": "Rust"}],
                "mentions": [{"username": "Ferris"}],
                "urls": [{"expanded_url": "https://example.com/a"}]
            }
        },
        "includes": {"users": [{"id": "42", "username": "CrabLover"}]}
    })
}

fn matches(rule: &str, message: &Value) -> bool {
    RuleQuery::parse(rule).unwrap_or_else(|e| panic!("{rule:?}: {e}")).matches(message)
}

#[test]
fn rules_match_as_the_table_says() {
    let t = tweet("Hello, World! The quick brown fox. #Rust @Ferris https://t.co/x");
    let retweet = json!({"data": {"text": "RT @a: hi there", "lang": "es",
        "referenced_tweets": [{"type": "retweeted", "id": "9"}]}});
    let cases: &[(&str, &Value, bool)] = &[
        ("hello", &t, true),
        ("HELLO world", &t, true),
        ("hello cat", &t, false),
        ("cat OR fox", &t, true),
        ("cat OR dog", &t, false),
        ("\"quick brown\"", &t, true),
        ("\"brown quick\"", &t, false),
        ("hello -fox", &t, false),
        ("hello -(cat OR dog)", &t, true),
        ("(cat OR hello) (fox OR dog)", &t, true),
        ("#rust", &t, true),
        ("#quick", &t, false),
        ("@ferris", &t, true),
        ("@crablover", &t, false),
        ("from:crablover", &t, true),
        ("from:42", &t, true),
        ("from:43", &t, false),
        ("hello lang:en", &t, true),
        ("hello lang:es", &t, false),
        ("hello has:links", &t, true),
        ("hi has:links", &retweet, false),
        ("hi is:retweet", &retweet, true),
        ("hello is:retweet", &t, false),
        ("hi -is:retweet", &retweet, false),
        ("https://example.com", &t, false),
    ];
    for (rule, message, expected) in cases {
        assert_eq!(matches(rule, message), *expected, "{rule}");
    }
}

#[test]
fn invalid_rules_are_refused_with_a_reason_and_a_position() {
    let cases: &[(&str, &str)] = &[
        ("-cat", "Rules must contain a non-negation term (at position 1)"),
        ("is:retweet", "Rules must contain at least one positive, standalone operator"),
        ("lang:en -cat", "Rules must contain at least one positive, standalone operator"),
        ("(cat dog", "Missing closing parenthesis (at position 1)"),
        ("cat dog)", "Unexpected closing parenthesis (at position 8)"),
        ("cat \"dog", "Missing closing quote (at position 5)"),
        ("cat OR", "Expected a term after OR (at position 5)"),
        ("OR cat", "Expected a term before OR (at position 1)"),
        ("cat ()", "Empty parentheses (at position 6)"),
        ("cat - dog", "A negation must be followed by a term (at position 5)"),
        ("cat AND dog", "Ambiguous use of AND as a keyword"),
        ("cat foo:bar", "Reference to invalid operator 'foo'"),
        ("cat is:quote", "Reference to invalid operator 'is:quote'"),
        ("cat lang:english", "Invalid language 'english' (at position 10)"),
        ("", "Rules must contain a term (at position 1)"),
    ];
    for (rule, expected) in cases {
        let err = RuleQuery::parse(rule).expect_err(rule).to_string();
        assert!(err.starts_with(expected), "{rule:?}: {err}");
    }
    let long = "a ".repeat(300);
    let err = RuleQuery::parse(&long).expect_err("too long").to_string();
    assert!(err.contains("Rule length exceeds the max allowed: 600 > 512"), "{err}");
}

fn rule(id: &str, value: &str, tag: Option<&str>) -> Rule {
    Rule { id: id.to_owned(), value: value.to_owned(), tag: tag.map(str::to_owned) }
}

#[test]
fn delivered_tweets_name_the_rules_they_matched_and_keep_their_other_bytes() {
    let Some(capture) = common::capture("v2-filtered-2021.crlf") else { return };
    let text = String::from_utf8(capture).expect("utf-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();

    // Rules built from the capture: its first tweet's author by username,
    // and links written in the text.
    let first: Value = serde_json::from_str(lines[0]).expect("json");
    let author = first["data"]["author_id"].as_str().expect("author");
    let username = first["includes"]["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["id"] == author))
        .and_then(|u| u["username"].as_str())
        .expect("the author is in includes.users");
    let by_author = format!("from:{username}");
    let set =
        RuleSet::new([rule("1", &by_author, Some("author")), rule("2", "https has:links", None)]);
    let filter = StreamFilter::V2(set);

    let (mut dropped, mut delivered) = (0, 0);
    for line in &lines {
        let value: Value = serde_json::from_str(line).expect("json");
        let payload = Bytes::from(line.to_string());
        let verdict = filter.apply(&payload);
        let Some(data) = value.get("data") else {
            assert_eq!(verdict, Verdict::Pass, "errors pass through: {line}");
            continue;
        };
        // Computed here, plainly.
        let by = data["author_id"] == author;
        let links = data["entities"]["urls"].as_array().is_some_and(|u| !u.is_empty())
            && data["text"].as_str().is_some_and(|t| t.to_lowercase().contains("https:"));
        let mut expected = Vec::new();
        if by {
            expected.push(json!({"id": "1", "tag": "author"}));
        }
        if links {
            expected.push(json!({"id": "2"}));
        }
        match verdict {
            Verdict::Drop => {
                assert!(expected.is_empty(), "{expected:?}");
                dropped += 1;
            }
            Verdict::Rewrite(bytes) => {
                delivered += 1;
                let rewritten: Value = serde_json::from_slice(&bytes).expect("still json");
                assert_eq!(rewritten["matching_rules"], Value::Array(expected));
                let mut before = value.clone();
                let mut after = rewritten.clone();
                before.as_object_mut().unwrap().remove("matching_rules");
                after.as_object_mut().unwrap().remove("matching_rules");
                assert_eq!(before, after);
                // Everything up to the member is byte for byte the same.
                let at = line.find("\"matching_rules\"").expect("the capture has the member");
                assert_eq!(&bytes[..at], &line.as_bytes()[..at]);
            }
            Verdict::Pass => panic!("a tweet is either dropped or rewritten"),
        }
    }
    assert!(dropped > 0 && delivered > 0, "{dropped} dropped, {delivered} delivered");
}

#[test]
fn without_rules_a_strict_search_stream_delivers_no_tweet_and_a_lenient_one_replays_as_recorded() {
    let message = Bytes::from(tweet("hello").to_string());
    assert_eq!(StreamFilter::V2(RuleSet::new([])).apply(&message), Verdict::Drop);
    let friendly = StreamFilter::V2(RuleSet::new([]).deliver_without_rules(true));
    assert_eq!(friendly.apply(&message), Verdict::Pass, "delivered as recorded");
}
