//! What the server checks before streaming: OAuth 1.0a signatures,
//! bearer tokens, filter parameters and the URI length.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rehose::protocol::oauth::{authorization, authorization_with};
use rehose::protocol::{Credentials, VerifyError};
use rehose::server::{filter_params, uri_too_long, Auth, AuthFailure};

const URL: &str = "http://127.0.0.1:8080/1.1/statuses/filter.json";

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "ck".to_owned(),
        consumer_secret: "cs".to_owned(),
        token: "tk".to_owned(),
        token_secret: "ts".to_owned(),
    }
}

fn form() -> Vec<(String, String)> {
    vec![("track".to_owned(), "cat,dog food".to_owned())]
}

fn auth() -> Auth {
    Auth::new().credentials([credentials()])
}

#[test]
fn a_request_signed_with_known_credentials_is_accepted() {
    let header = authorization("POST", URL, &form(), &credentials());
    assert_eq!(auth().check_v1("POST", URL, &form(), Some(&header), SystemTime::now()), Ok(()));
}

#[test]
fn a_request_changed_by_one_byte_is_refused_with_the_servers_base_string() {
    let header = authorization("POST", URL, &form(), &credentials());
    let changed = vec![("track".to_owned(), "cat,dog foot".to_owned())];
    let err = auth().check_v1("POST", URL, &changed, Some(&header), SystemTime::now()).unwrap_err();
    assert!(matches!(err, AuthFailure::OAuth(VerifyError::SignatureMismatch { .. })), "{err:?}");
    assert_eq!(err.status(), 401);
    let body = err.body();
    assert!(body.contains("signature mismatch"), "{body}");
    assert!(body.contains("POST&http%3A%2F%2F127.0.0.1%3A8080%2F1.1%2Fstatuses%2Ffilter.json&"));
    assert!(body.contains("track%3Dcat%252Cdog%2520foot"), "{body}");
    assert!(!body.contains("cs") && !body.contains("ts&"), "no secret in {body}");
}

#[test]
fn unknown_keys_tokens_and_stale_timestamps_say_what_did_not_match() {
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let other = |f: fn(&mut Credentials)| {
        let mut c = credentials();
        f(&mut c);
        authorization("POST", URL, &form(), &c)
    };
    let check = |header: Option<&str>, auth: &Auth| {
        auth.check_v1("POST", URL, &form(), header, now).unwrap_err().body()
    };
    let unknown_key = other(|c| c.consumer_key = "nope".to_owned());
    assert!(check(Some(&unknown_key), &auth()).contains("unknown consumer key \"nope\""));
    let unknown_token = other(|c| c.token = "nope".to_owned());
    assert!(check(Some(&unknown_token), &auth()).contains("unknown token \"nope\""));
    assert!(check(None, &auth()).contains("missing authorization header"));

    let stale = authorization_with("POST", URL, &form(), &credentials(), "n", secs - 301);
    assert!(check(Some(&stale), &auth()).contains("(allowed 300 s)"));
    let wide = auth().timestamp_window(Duration::from_secs(600));
    assert_eq!(wide.check_v1("POST", URL, &form(), Some(&stale), now), Ok(()));
}

#[test]
fn without_configured_credentials_anything_is_accepted() {
    let open = Auth::new();
    assert_eq!(open.check_v1("GET", URL, &[], None, SystemTime::now()), Ok(()));
    assert_eq!(open.check_v1("GET", URL, &[], Some("garbage"), SystemTime::now()), Ok(()));
    assert_eq!(open.check_v2(None), Ok(String::new()));
    assert_eq!(open.check_v2(Some("Bearer abc")), Ok("abc".to_owned()));
}

#[test]
fn bearer_tokens_are_checked_on_v2() {
    let auth = Auth::new().bearer_tokens(["good"]);
    assert_eq!(auth.check_v2(Some("Bearer good")), Ok("good".to_owned()));
    for header in [None, Some("Bearer bad"), Some("Basic good")] {
        let err = auth.check_v2(header).unwrap_err();
        assert_eq!(err.status(), 401);
        assert_eq!(err.content_type(), "application/json");
        let body: serde_json::Value = serde_json::from_str(&err.body()).unwrap();
        assert_eq!(body["title"], "Unauthorized");
        assert_eq!(body["status"], 401);
        assert_eq!(body["type"], "about:blank");
    }
}

#[test]
fn filter_parameters_get_the_services_statuses_and_bodies() {
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let err = filter_params(&pairs(&[("language", "en")])).unwrap_err();
    assert_eq!(err.status(), 406);
    assert!(err.body().starts_with("No filter parameters found. Expect at least one parameter"));
    let err = filter_params(&pairs(&[("locations", "10,10,0,0")])).unwrap_err();
    assert_eq!(err.status(), 406);
    assert!(err.body().contains("inverted"), "{}", err.body());
    let many = vec!["w"; 401].join(",");
    assert_eq!(filter_params(&pairs(&[("track", &many)])).unwrap_err().status(), 413);
    let err = filter_params(&pairs(&[("track", "a"), ("count", "200000")])).unwrap_err();
    assert_eq!(err.status(), 416);
    assert!(filter_params(&pairs(&[("track", "a")])).is_ok());
}

#[test]
fn uris_over_eight_kib_are_too_long() {
    assert!(!uri_too_long(8192));
    assert!(uri_too_long(8193));
    assert_eq!(AuthFailure::UriTooLong(9000).status(), 414);
}
