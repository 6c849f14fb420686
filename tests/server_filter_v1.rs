//! The v1.1 filter predicates on the real captures, against counts
//! computed here by a separate, deliberately plain reading of the JSON.

mod common;

use std::collections::HashSet;

use bytes::Bytes;
use rehose::protocol::FilterParams;
use rehose::server::{StreamFilter, V1Filter, Verdict};
use serde_json::Value;

const SAMPLE: &str = "v1-sample-2015.crlf";
const LOCATIONS: &str = "v1-filter-locations-2016.crlf";

fn messages(name: &str) -> Option<Vec<Bytes>> {
    let bytes = common::capture(name)?;
    let text = String::from_utf8(bytes).expect("captures are utf-8");
    Some(text.split("\r\n").filter(|l| !l.is_empty()).map(|l| Bytes::from(l.to_owned())).collect())
}

fn params(pairs: &[(&str, &str)]) -> FilterParams {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    FilterParams::from_pairs(&pairs).expect("valid parameters")
}

/// How many messages the filter lets through.
fn delivered(filter: &StreamFilter, messages: &[Bytes]) -> usize {
    messages.iter().filter(|m| filter.apply(m) != Verdict::Drop).count()
}

fn parse(message: &Bytes) -> Value {
    serde_json::from_slice(message).expect("captures are json")
}

fn is_status(v: &Value) -> bool {
    v.get("id_str").is_some() && v.get("user").is_some()
}

// ---- the reference: written without the server's helpers ----

fn lower_words(text: &str, into: &mut HashSet<String>) {
    let mut word = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_alphanumeric() || c == '_' {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            into.insert(std::mem::take(&mut word));
        }
    }
}

fn reference_words(status: &Value, into: &mut HashSet<String>, depth: u32) {
    let text = status["extended_tweet"]["full_text"]
        .as_str()
        .or(status["full_text"].as_str())
        .or(status["text"].as_str())
        .unwrap_or("");
    lower_words(text, into);
    for entities in [&status["entities"], &status["extended_tweet"]["entities"]] {
        for tag in entities["hashtags"].as_array().into_iter().flatten() {
            lower_words(tag["text"].as_str().unwrap_or(""), into);
        }
        for mention in entities["user_mentions"].as_array().into_iter().flatten() {
            lower_words(mention["screen_name"].as_str().unwrap_or(""), into);
        }
        for url in entities["urls"].as_array().into_iter().flatten() {
            lower_words(url["expanded_url"].as_str().unwrap_or(""), into);
        }
    }
    if depth > 0 {
        for inner in [&status["retweeted_status"], &status["quoted_status"]] {
            if inner.is_object() {
                reference_words(inner, into, depth - 1);
            }
        }
    }
}

fn reference_count(messages: &[Bytes], keep: impl Fn(&Value) -> bool) -> (usize, usize) {
    let values: Vec<Value> = messages.iter().map(parse).collect();
    let statuses = values.iter().filter(|v| is_status(v)).count();
    let kept = values.iter().filter(|v| is_status(v) && keep(v)).count();
    (kept, values.len() - statuses)
}

/// The statuses' most common words of three letters or more, most common
/// first. Letters in the captures were replaced, so ordinary English words
/// such as "the" appear under stand-ins; frequency finds them anyway.
fn common_words(messages: &[Bytes]) -> Vec<String> {
    let mut counts = std::collections::HashMap::new();
    for status in messages.iter().map(parse).filter(is_status) {
        let mut words = HashSet::new();
        lower_words(status["text"].as_str().unwrap_or(""), &mut words);
        for word in words.into_iter().filter(|w| w.len() >= 3 && w != "http") {
            *counts.entry(word).or_insert(0) += 1;
        }
    }
    let mut words: Vec<(String, i32)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    words.into_iter().map(|(w, _)| w).collect()
}

fn has_any_word(status: &Value, wanted: &[&str]) -> bool {
    let mut words = HashSet::new();
    reference_words(status, &mut words, 2);
    wanted.iter().any(|w| words.contains(*w))
}

// ---- the tests ----

#[test]
fn tracking_the_commonest_word_delivers_the_statuses_holding_it_and_every_delete() {
    let Some(messages) = messages(SAMPLE) else { return };
    let the = &common_words(&messages)[0];
    // Upper case: matching ignores case.
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("track", &the.to_uppercase())])));
    let (kept, others) = reference_count(&messages, |s| has_any_word(s, &[the]));
    assert!(kept > 20 && kept < 874, "a query worth testing: {kept} statuses");
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn track_with_a_comma_delivers_statuses_with_either_word() {
    let Some(messages) = messages(SAMPLE) else { return };
    let words = common_words(&messages);
    let (love, happy) = (&words[3], &words[8]);
    let track = format!("{love},{happy}");
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("track", &track)])));
    let (kept, others) = reference_count(&messages, |s| has_any_word(s, &[love, happy]));
    let (love, _) = reference_count(&messages, |s| has_any_word(s, &[love]));
    assert!(kept > love && love > 0, "both words occur: {love} of {kept}");
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn track_with_a_space_needs_both_words() {
    let Some(messages) = messages(SAMPLE) else { return };
    let words = common_words(&messages);
    let the = &words[0];
    // The commonest word found in the same statuses as the first.
    let together = |w: &String| {
        reference_count(&messages, |s| has_any_word(s, &[the]) && has_any_word(s, &[w])).0
    };
    let to = words[1..20].iter().max_by_key(|w| together(w)).expect("twenty words");
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("track", &format!("{the} {to}"))])));
    let (kept, others) =
        reference_count(&messages, |s| has_any_word(s, &[the]) && has_any_word(s, &[to]));
    let (the_alone, _) = reference_count(&messages, |s| has_any_word(s, &[the]));
    assert!(kept > 0 && kept < the_alone, "{kept} of {the_alone}");
    assert_eq!(delivered(&filter, &messages), kept + others);
}

fn inside_europe(status: &Value) -> bool {
    let (west, south, east, north) = (-25.0, 35.0, 45.0, 71.0);
    if let Some(point) = status["coordinates"]["coordinates"].as_array() {
        let (lon, lat) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
        return lon >= west && lon <= east && lat >= south && lat <= north;
    }
    let Some(ring) = status["place"]["bounding_box"]["coordinates"][0].as_array() else {
        return false;
    };
    let lons: Vec<f64> = ring.iter().map(|c| c[0].as_f64().unwrap()).collect();
    let lats: Vec<f64> = ring.iter().map(|c| c[1].as_f64().unwrap()).collect();
    let min = |v: &[f64]| v.iter().cloned().fold(f64::MAX, f64::min);
    let max = |v: &[f64]| v.iter().cloned().fold(f64::MIN, f64::max);
    // Overlap: neither box wholly beside the other.
    !(max(&lons) < west || min(&lons) > east || max(&lats) < south || min(&lats) > north)
}

#[test]
fn a_box_over_europe_delivers_statuses_located_there() {
    let Some(messages) = messages(LOCATIONS) else { return };
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("locations", "-25,35,45,71")])));
    let (kept, others) = reference_count(&messages, inside_europe);
    assert!(kept > 10 && kept < 491, "a query worth testing: {kept} statuses");
    assert_eq!(others, 9, "the limit notices pass through");
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn language_alone_restricts_by_the_status_lang() {
    let Some(messages) = messages(SAMPLE) else { return };
    let params = FilterParams { language: vec!["en".to_owned()], ..FilterParams::default() };
    let filter = StreamFilter::V1(V1Filter::new(&params));
    let (kept, others) = reference_count(&messages, |s| s["lang"] == "en");
    assert!(kept > 50 && kept < 874);
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn language_restricts_what_track_delivers() {
    let Some(messages) = messages(SAMPLE) else { return };
    let the = &common_words(&messages)[0];
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("track", the), ("language", "en")])));
    let (kept, others) =
        reference_count(&messages, |s| s["lang"] == "en" && has_any_word(s, &[the]));
    let (any_lang, _) = reference_count(&messages, |s| has_any_word(s, &[the]));
    assert!(kept < any_lang, "some non-English statuses hold 'the'");
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn follow_delivers_statuses_by_replying_to_or_retweeting_the_users() {
    let Some(messages) = messages(SAMPLE) else { return };
    let statuses: Vec<Value> = messages.iter().map(parse).filter(is_status).collect();
    // Ids taken from four different statuses of the capture: two authors,
    // a retweeted user, a replied-to user.
    let id = |v: &Value| v.as_str().map(str::to_owned);
    let mut ids: Vec<String> =
        statuses[10..12].iter().filter_map(|s| id(&s["user"]["id_str"])).collect();
    ids.extend(statuses[20..].iter().find_map(|s| id(&s["retweeted_status"]["user"]["id_str"])));
    ids.extend(statuses[30..].iter().find_map(|s| id(&s["in_reply_to_user_id_str"])));
    assert_eq!(ids.len(), 4);

    let filter = StreamFilter::V1(V1Filter::new(&params(&[("follow", &ids.join(","))])));
    let wanted = |id: &Value| id.as_str().is_some_and(|id| ids.iter().any(|w| w == id));
    let (kept, others) = reference_count(&messages, |s| {
        wanted(&s["user"]["id_str"])
            || wanted(&s["in_reply_to_user_id_str"])
            || wanted(&s["retweeted_status"]["user"]["id_str"])
    });
    assert!(kept >= 4);
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn predicates_are_ored_together() {
    let Some(messages) = messages(LOCATIONS) else { return };
    let the = &common_words(&messages)[0];
    let both = params(&[("track", the), ("locations", "-25,35,45,71")]);
    let filter = StreamFilter::V1(V1Filter::new(&both));
    let (kept, others) =
        reference_count(&messages, |s| inside_europe(s) || has_any_word(s, &[the]));
    let (europe, _) = reference_count(&messages, inside_europe);
    assert!(kept > europe);
    assert_eq!(delivered(&filter, &messages), kept + others);
}

#[test]
fn non_status_and_unparseable_messages_pass_through() {
    let filter = StreamFilter::V1(V1Filter::new(&params(&[("track", "zzzz")])));
    for raw in [
        r#"{"delete":{"status":{"id":1,"id_str":"1","user_id":2,"user_id_str":"2"}}}"#,
        r#"{"limit":{"track":5,"timestamp_ms":"1"}}"#,
        r#"{"disconnect":{"code":4,"stream_name":"x","reason":"stall"}}"#,
        r#"{"something":"new"}"#,
        "not json",
    ] {
        assert_eq!(filter.apply(&Bytes::from(raw)), Verdict::Pass, "{raw}");
    }
    let status = r#"{"id_str":"1","text":"hello","user":{"id_str":"2"}}"#;
    assert_eq!(filter.apply(&Bytes::from(status)), Verdict::Drop);
}
