//! Typed views of hand-written messages of each kind: the fields people
//! use, parsed on demand, and `None` for a view of another kind.

use std::borrow::Cow;

use bytes::Bytes;
use rehose::message::{classify, Message};

fn message(json: &'static str) -> Message {
    classify(Bytes::from_static(json.as_bytes())).expect("valid")
}

#[test]
fn a_status_view_has_text_user_entities_and_geo() {
    let m = message(
        r#"{"id":5,"id_str":"5","text":"x \u00e9 #a @b","timestamp_ms":"1426814770882","lang":"fr","in_reply_to_status_id":4,"in_reply_to_user_id":3,"quoted_status_id":9,"user":{"id":7,"screen_name":"b7","name":"B"},"coordinates":{"type":"Point","coordinates":[2.3,48.8]},"place":{"id":"p","full_name":"Paris, France","country_code":"FR","bounding_box":{"type":"Polygon","coordinates":[[[2.2,48.8],[2.2,48.9],[2.4,48.9],[2.4,48.8]]]}},"entities":{"hashtags":[{"text":"a","indices":[5,7]}],"user_mentions":[{"id":8,"id_str":"8","screen_name":"b"}],"urls":[{"url":"https://t.co/x","expanded_url":null}]},"retweeted_status":{"id":1,"id_str":"1","text":"orig","user":{"id":2,"screen_name":"o","name":"O"}}}"#,
    );
    let s = m.status().expect("status");
    assert_eq!((s.id, &*s.id_str, s.user.id, &*s.user.screen_name), (5, "5", 7, "b7"));
    assert_eq!(s.full_text(), "x \u{e9} #a @b");
    assert!(matches!(s.text, Some(Cow::Owned(_))), "escaped text cannot borrow");
    assert_eq!(s.timestamp_ms, Some(1426814770882));
    assert_eq!((s.in_reply_to_status_id, s.in_reply_to_user_id), (Some(4), Some(3)));
    assert_eq!(s.quoted_status_id, Some(9));
    assert!(s.is_retweet());
    assert_eq!(s.retweeted_status.as_ref().map(|r| (r.id, r.user.id)), Some((1, 2)));
    let point = s.coordinates.as_ref().expect("coordinates");
    assert_eq!((point.longitude(), point.latitude()), (2.3, 48.8));
    let place = s.place.as_ref().expect("place");
    assert_eq!(place.country_code.as_deref(), Some("FR"));
    let bounds = place.bounding_box.as_ref().and_then(|b| b.bounds());
    assert_eq!(bounds, Some((2.2, 48.8, 2.4, 48.9)));
    assert_eq!(s.entities.hashtags[0].text, "a");
    assert_eq!(s.entities.user_mentions[0].id, Some(8));
    assert_eq!(s.entities.urls[0].expanded_url, None);
    assert!(m.delete().is_none() && m.tweet().is_none() && m.errors().is_none());
}

#[test]
fn an_extended_status_gives_its_whole_text() {
    let m = message(
        r#"{"id":1,"id_str":"1","text":"short…","truncated":true,"user":{"id":2},"extended_tweet":{"full_text":"short and long","entities":{"hashtags":[{"text":"long"}]}}}"#,
    );
    let s = m.status().expect("status");
    assert_eq!(s.full_text(), "short and long");
    assert_eq!(s.extended_tweet.as_ref().map(|e| e.entities.hashtags.len()), Some(1));
}

#[test]
fn v1_notice_views_read_their_fields() {
    let d = message(
        r#"{"delete":{"status":{"id":1,"id_str":"1","user_id":2,"user_id_str":"2"},"timestamp_ms":"3"}}"#,
    );
    let delete = d.delete().expect("delete");
    assert_eq!((delete.status.id, delete.status.user_id, delete.timestamp_ms), (1, 2, Some(3)));

    let l = message(r#"{"limit":{"track":9,"timestamp_ms":"1459207522875"}}"#);
    let limit = l.limit().expect("limit");
    assert_eq!((limit.track, limit.timestamp_ms), (9, Some(1459207522875)));

    let g = message(
        r#"{"scrub_geo":{"user_id":2,"user_id_str":"2","up_to_status_id":1,"up_to_status_id_str":"1"}}"#,
    );
    let scrub = g.scrub_geo().expect("scrub_geo");
    assert_eq!((scrub.user_id, scrub.up_to_status_id), (2, 1));

    let sw =
        message(r#"{"status_withheld":{"id":1,"user_id":2,"withheld_in_countries":["DE","FR"]}}"#);
    let withheld = sw.status_withheld().expect("status_withheld");
    assert_eq!((withheld.id, withheld.user_id), (1, 2));
    assert_eq!(withheld.withheld_in_countries, ["DE", "FR"]);

    let uw = message(r#"{"user_withheld":{"id":2,"withheld_in_countries":["TR"]}}"#);
    assert_eq!(uw.user_withheld().map(|u| u.id), Some(2));

    let dc =
        message(r#"{"disconnect":{"code":7,"stream_name":"a-statuses","reason":"admin logout"}}"#);
    let disconnect = dc.disconnect().expect("disconnect");
    assert_eq!(disconnect.code, 7);
    assert_eq!(disconnect.stream_name.as_deref(), Some("a-statuses"));
    assert_eq!(disconnect.reason.as_deref(), Some("admin logout"));

    let w = message(r#"{"warning":{"code":"FALLING_BEHIND","message":"slow","percent_full":60}}"#);
    let warning = w.warning().expect("warning");
    assert_eq!((&*warning.code, warning.percent_full), ("FALLING_BEHIND", Some(60)));
    assert!(w.limit().is_none() && w.status().is_none());
}

#[test]
fn a_v2_tweet_view_has_rules_references_entities_and_raw_includes() {
    let m = message(
        r##"{"data":{"id":"10","text":"hi #x @y","author_id":"20","lang":"en","referenced_tweets":[{"type":"quoted","id":"30"}],"entities":{"hashtags":[{"start":3,"end":5,"tag":"x"}],"mentions":[{"start":6,"end":8,"username":"y","id":"40"}],"urls":[{"start":0,"end":1,"url":"u","expanded_url":"e"}]}},"includes":{"users":[{"id":"20"}]},"matching_rules":[{"id":"50","tag":"t"},{"id":60,"tag":null}]}"##,
    );
    let t = m.tweet().expect("tweet");
    assert_eq!((t.data.id_u64(), t.data.author_id_u64()), (Some(10), Some(20)));
    assert_eq!(t.data.lang.as_deref(), Some("en"));
    assert_eq!(
        (&*t.data.referenced_tweets[0].kind, &*t.data.referenced_tweets[0].id),
        ("quoted", "30")
    );
    assert_eq!(t.data.entities.hashtags[0].tag, "x");
    assert_eq!(t.data.entities.mentions[0].username, "y");
    assert_eq!(t.data.entities.urls[0].expanded_url.as_deref(), Some("e"));
    assert_eq!(t.includes.map(|r| r.get()), Some(r#"{"users":[{"id":"20"}]}"#));
    let rules: Vec<_> = t.matching_rules.iter().map(|r| (&*r.id, r.tag.as_deref())).collect();
    assert_eq!(rules, [("50", Some("t")), ("60", None)]);
    assert_eq!(m.errors(), Some(vec![]));
}

#[test]
fn v2_errors_views_read_title_detail_type_and_disconnect_type() {
    let m = message(
        r#"{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"d","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}"#,
    );
    let errors = m.errors().expect("errors");
    assert!(errors[0].is_operational_disconnect());
    assert_eq!(errors[0].detail.as_deref(), Some("d"));
    assert_eq!(errors[0].disconnect_type.as_deref(), Some("UpstreamOperationalDisconnect"));
    assert!(errors[0].kind.as_deref().is_some_and(|k| k.ends_with("operational-disconnect")));
    assert!(m.tweet().is_none());
}

#[test]
fn a_view_of_a_message_whose_fields_do_not_fit_is_none_and_parse_says_why() {
    // Classified as a status (it has the keys) but `id` is not a number.
    let m = message(r#"{"id":"x","id_str":"1","text":"t","user":{"id":2}}"#);
    assert!(m.status().is_none());
    let err = m.parse::<rehose::message::Status<'_>>().expect_err("bad id");
    assert!(err.to_string().contains("invalid type"), "{err}");
    // Tokens classify does not order-check are caught by the views.
    let loose = message(r#"{"id":1,"id_str":"1","text":"t","user":{"id":2},"x":[1 2]}"#);
    assert!(loose.status().is_none());
}
