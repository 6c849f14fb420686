//! Endpoints, request parameters and their validation, on the client side
//! (before connecting) and the server side (from received pairs).

use rehose::protocol::params::{
    parse_follow, parse_language, parse_locations, parse_track, ParamError, RequestParts,
    StreamOptions, RULES_PATH, V1_HOST, V2_HOST,
};
use rehose::protocol::{Endpoint, FilterParams, StreamRequest, V2Params};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn endpoints_have_the_documented_paths_and_hosts() {
    assert_eq!(Endpoint::V1Filter.path(), "/1.1/statuses/filter.json");
    assert_eq!(Endpoint::V1Sample.path(), "/1.1/statuses/sample.json");
    assert_eq!(Endpoint::V2Search.path(), "/2/tweets/search/stream");
    assert_eq!(Endpoint::V2Sample.path(), "/2/tweets/sample/stream");
    assert_eq!(RULES_PATH, "/2/tweets/search/stream/rules");
    assert_eq!(Endpoint::V1Filter.default_host(), V1_HOST);
    assert_eq!(V1_HOST, "https://stream.twitter.com");
    assert_eq!(Endpoint::V2Sample.default_host(), V2_HOST);
    assert_eq!(V2_HOST, "https://api.twitter.com");
    for endpoint in Endpoint::ALL {
        assert_eq!(Endpoint::from_path(endpoint.path()), Some(endpoint));
    }
    assert_eq!(Endpoint::from_path("/1.1/statuses/firehose.json"), None);
}

#[test]
fn track_phrases_are_trimmed_and_kept_in_order() {
    assert_eq!(
        parse_track(" rust lang , tokio,#hashtag ").unwrap(),
        ["rust lang", "tokio", "#hashtag"]
    );
}

#[test]
fn empty_track_phrases_are_refused_with_their_position() {
    assert_eq!(parse_track("a,,b"), Err(ParamError::EmptyPhrase { index: 1 }));
    assert_eq!(parse_track("  "), Err(ParamError::EmptyPhrase { index: 0 }));
}

#[test]
fn track_phrases_are_limited_to_60_bytes_not_characters() {
    let sixty = "é".repeat(30);
    assert_eq!(parse_track(&sixty).unwrap(), vec![sixty.clone()]);
    let sixty_one = format!("{sixty}a");
    let err = parse_track(&sixty_one).unwrap_err();
    assert_eq!(err, ParamError::PhraseTooLong { phrase: sixty_one, bytes: 61 });
    assert_eq!(err.status(), 406);
}

#[test]
fn more_than_400_phrases_are_too_many() {
    let list = vec!["x"; 401].join(",");
    let err = parse_track(&list).unwrap_err();
    assert_eq!(err, ParamError::TooManyPhrases(401));
    assert_eq!(err.status(), 413);
    assert!(parse_track(&vec!["x"; 400].join(",")).is_ok());
}

#[test]
fn follow_ids_must_be_numeric_and_at_most_5000() {
    assert_eq!(parse_follow("12, 783214").unwrap(), ["12", "783214"]);
    assert_eq!(parse_follow("12,@jack"), Err(ParamError::BadUserId("@jack".into())));
    assert_eq!(parse_follow("+12"), Err(ParamError::BadUserId("+12".into())));
    let many = vec!["1"; 5001].join(",");
    assert_eq!(parse_follow(&many).unwrap_err().status(), 413);
}

#[test]
fn locations_parse_into_boxes_of_four() {
    assert_eq!(
        parse_locations("-122.75,36.8,-121.75,37.8").unwrap(),
        [[-122.75, 36.8, -121.75, 37.8]]
    );
    assert_eq!(parse_locations("-122.75,36.8,-121.75"), Err(ParamError::IncompleteBox(3)));
    assert_eq!(parse_locations("a,1,2,3"), Err(ParamError::BadCoordinate("a".into())));
}

#[test]
fn latitude_first_new_york_suggests_longitude_first() {
    let err = parse_locations("40.5,-74.3,40.9,-73.7").unwrap_err();
    assert_eq!(err, ParamError::LatitudeFirst([40.5, -74.3, 40.9, -73.7]));
    let message = err.to_string();
    assert!(message.contains("longitude,latitude"), "{message}");
    assert!(message.contains("-74.3,40.5,-73.7,40.9"), "{message}");
}

#[test]
fn latitude_first_sydney_is_caught_by_its_out_of_range_latitude() {
    let err = parse_locations("-34.1,150.9,-33.7,151.3").unwrap_err();
    assert_eq!(err, ParamError::LatitudeFirst([-34.1, 150.9, -33.7, 151.3]));
}

#[test]
fn out_of_range_and_inverted_boxes_are_refused() {
    assert_eq!(parse_locations("-190,0,10,10"), Err(ParamError::LongitudeOutOfRange(-190.0)));
    assert_eq!(parse_locations("100,-95,110,10"), Err(ParamError::LatitudeOutOfRange(-95.0)));
    assert_eq!(parse_locations("10,0,0,10"), Err(ParamError::InvertedBox([10.0, 0.0, 0.0, 10.0])));
    assert!(parse_locations("-180,-90,180,90").is_ok());
}

#[test]
fn more_than_25_boxes_are_too_many() {
    let list = vec!["0,0,1,1"; 26].join(",");
    assert_eq!(parse_locations(&list), Err(ParamError::TooManyBoxes(26)));
    assert!(parse_locations(&vec!["0,0,1,1"; 25].join(",")).is_ok());
}

#[test]
fn language_codes_must_look_like_bcp_47() {
    assert_eq!(parse_language("en,pt-BR,zh-Hant-TW,und").unwrap().len(), 4);
    assert_eq!(parse_language("en,english"), Err(ParamError::BadLanguage("english".into())));
    assert_eq!(parse_language("e"), Err(ParamError::BadLanguage("e".into())));
    assert_eq!(parse_language("en-"), Err(ParamError::BadLanguage("en-".into())));
}

#[test]
fn a_filter_without_predicates_is_refused() {
    let only_language = FilterParams { language: vec!["en".into()], ..Default::default() };
    assert_eq!(only_language.validate(), Err(ParamError::NoPredicates));
    assert_eq!(ParamError::NoPredicates.status(), 406);
}

#[test]
fn filter_level_is_none_low_or_medium() {
    let mut filter = FilterParams { track: vec!["x".into()], ..Default::default() };
    for level in ["none", "low", "medium"] {
        filter.filter_level = Some(level.into());
        assert!(filter.validate().is_ok());
    }
    filter.filter_level = Some("high".into());
    assert_eq!(filter.validate(), Err(ParamError::BadFilterLevel("high".into())));
}

#[test]
fn v1_filter_is_a_post_with_everything_in_the_form_body() {
    let filter = FilterParams {
        track: vec!["rust lang".into(), "café".into()],
        follow: vec!["12".into()],
        locations: vec![[-122.75, 36.8, -121.75, 37.8]],
        language: vec!["en".into()],
        filter_level: Some("low".into()),
    };
    let options = StreamOptions { stall_warnings: true, delimited_length: true };
    let parts = StreamRequest::V1Filter(filter).parts(&options);
    assert_eq!(
        parts,
        RequestParts {
            method: "POST",
            path: "/1.1/statuses/filter.json",
            query: vec![],
            form: pairs(&[
                ("track", "rust lang,café"),
                ("follow", "12"),
                ("locations", "-122.75,36.8,-121.75,37.8"),
                ("language", "en"),
                ("filter_level", "low"),
                ("stall_warnings", "true"),
                ("delimited", "length"),
            ]),
        }
    );
    assert_eq!(parts.signed_pairs(), parts.form);
}

#[test]
fn v1_sample_and_v2_streams_are_gets_with_a_query() {
    let options = StreamOptions { stall_warnings: true, delimited_length: false };
    let sample = StreamRequest::V1Sample.parts(&options);
    assert_eq!((sample.method, sample.path), ("GET", "/1.1/statuses/sample.json"));
    assert_eq!(sample.query, pairs(&[("stall_warnings", "true")]));

    let v2 = V2Params {
        expansions: vec!["author_id".into(), "geo.place_id".into()],
        tweet_fields: vec!["created_at".into(), "lang".into()],
        backfill_minutes: Some(2),
        ..Default::default()
    };
    let parts = StreamRequest::V2Search(v2.clone()).parts(&options);
    assert_eq!((parts.method, parts.path), ("GET", "/2/tweets/search/stream"));
    assert_eq!(
        parts.query,
        pairs(&[
            ("expansions", "author_id,geo.place_id"),
            ("tweet.fields", "created_at,lang"),
            ("backfill_minutes", "2"),
        ])
    );
    assert!(parts.form.is_empty());
    assert_eq!(V2Params::from_pairs(&parts.query), Ok(v2));
}

#[test]
fn backfill_minutes_must_be_one_to_five() {
    for bad in ["0", "6", "x", "-1"] {
        let err = V2Params::from_pairs(&pairs(&[("backfill_minutes", bad)])).unwrap_err();
        assert_eq!(err, ParamError::BadBackfill(bad.into()));
        assert_eq!(err.status(), 400);
    }
    let v2 = V2Params { backfill_minutes: Some(6), ..Default::default() };
    assert!(StreamRequest::V2Sample(v2).validate().is_err());
}

#[test]
fn server_reads_a_filter_back_from_its_pairs() {
    let received = pairs(&[
        ("track", "rust lang,café"),
        ("locations", "-122.75,36.8,-121.75,37.8"),
        ("stall_warnings", "true"),
        ("follow", ""),
    ]);
    let filter = FilterParams::from_pairs(&received).unwrap();
    assert_eq!(filter.track, ["rust lang", "café"]);
    assert_eq!(filter.locations, [[-122.75, 36.8, -121.75, 37.8]]);
    assert!(filter.follow.is_empty());
    assert_eq!(filter.to_pairs()[..2], received[..2]);
}

#[test]
fn server_maps_bad_filters_to_the_services_statuses() {
    let status =
        |list: &[(&str, &str)]| FilterParams::from_pairs(&pairs(list)).unwrap_err().status();
    assert_eq!(status(&[("stall_warnings", "true")]), 406);
    assert_eq!(status(&[("track", "a,,b")]), 406);
    assert_eq!(status(&[("locations", "0,0,-10,10")]), 406);
    assert_eq!(status(&[("locations", "0,0,10")]), 406);
    assert_eq!(status(&[("track", &vec!["x"; 401].join(","))]), 413);
    assert_eq!(status(&[("locations", &vec!["0,0,1,1"; 26].join(","))]), 413);
    assert_eq!(status(&[("track", "x"), ("count", "200000")]), 416);
}

#[test]
fn server_accepts_an_antarctic_box_the_client_would_question() {
    let antarctic = pairs(&[("locations", "40.5,-74.3,40.9,-73.7")]);
    assert!(FilterParams::from_pairs(&antarctic).is_ok());
}
