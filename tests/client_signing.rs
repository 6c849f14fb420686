//! The client's OAuth 1.0a signatures on v1.1 requests, checked by the
//! mock server's independent verifier: every awkward track phrase, a
//! locations box and a GET with a query are accepted; a secret one byte
//! off is refused with 401, reported with the server's explanation and
//! backed off like any HTTP error.

use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::{Client, ClientBuilder, CloseReason, Event};
use rehose::protocol::{Credentials, Failure, FilterParams, StreamRequest};
use rehose::server::MockServer;

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "signing-consumer-key".into(),
        consumer_secret: "signing-consumer-secret".into(),
        token: "4242-signing-access-token".into(),
        token_secret: "signing-token-secret".into(),
    }
}

async fn server() -> MockServer {
    MockServer::builder().credentials([credentials()]).start().await.unwrap()
}

fn client(server: &MockServer, request: StreamRequest, credentials: Credentials) -> ClientBuilder {
    Client::builder().request(request).credentials(credentials).base_url(server.uri()).gzip(false)
}

fn track(phrases: &[&str]) -> StreamRequest {
    let track = phrases.iter().map(|p| p.to_string()).collect();
    StreamRequest::V1Filter(FilterParams { track, ..FilterParams::default() })
}

/// The first answer the server gave: `Ok(status)` for a stream that
/// opened, `Err((status, body))` for a refusal.
async fn first_answer(client: &Client) -> Result<u16, (u16, String)> {
    let mut events = client.stream();
    while let Some(event) = events.next().await {
        match event {
            Event::Connected { status } => return Ok(status),
            Event::RequestError { status, body } => return Err((status, body)),
            Event::ConnectionError(error) => panic!("{error}"),
            _ => {}
        }
    }
    panic!("the stream ended without an answer")
}

#[tokio::test]
async fn filter_requests_with_awkward_track_phrases_and_locations_are_accepted() {
    let server = server().await;
    let mut requests: Vec<(&str, StreamRequest)> = vec![
        ("a space", track(&["hello world"])),
        ("an apostrophe, ! and *", track(&["don't stop!*"])),
        ("a hashtag", track(&["#hashtag"])),
        ("an accent", track(&["café"])),
        ("several phrases", track(&["hello world", "don't stop!*", "#rust", "café", "a+b=c&d"])),
    ];
    let boxes = vec![[-122.75, 36.8, -121.75, 37.8]];
    let locations = FilterParams { locations: boxes.clone(), ..FilterParams::default() };
    requests.push(("a locations box", StreamRequest::V1Filter(locations)));
    let everything = FilterParams {
        track: vec!["café au lait".into(), "don't".into()],
        follow: vec!["12".into(), "783214".into()],
        locations: boxes,
        language: vec!["en".into(), "fr".into()],
        filter_level: Some("low".into()),
    };
    requests.push(("every predicate", StreamRequest::V1Filter(everything)));

    for (what, request) in requests {
        let client = client(&server, request, credentials()).build().unwrap();
        assert_eq!(first_answer(&client).await, Ok(200), "{what}");
    }
    let journal = server.journal();
    assert!(journal.iter().all(|entry| entry.method == "POST" && entry.status == 200));
    assert_eq!(journal.len(), 7);
}

#[tokio::test]
async fn a_sample_get_with_a_query_is_accepted() {
    let server = server().await;
    let client = client(&server, StreamRequest::V1Sample, credentials())
        .stall_warnings(true)
        .delimited_length(true)
        .build()
        .unwrap();

    assert_eq!(first_answer(&client).await, Ok(200));
    let journal = server.journal();
    assert_eq!((journal[0].method.as_str(), journal[0].status), ("GET", 200));
    assert!(journal[0].query.as_deref().is_some_and(|q| q.contains("stall_warnings=true")));
}

/// Streams with wrong credentials until the client gives up, and returns
/// the refusals' statuses and bodies, the announced delays and the close.
async fn refusals(
    server: &MockServer,
    credentials: Credentials,
) -> (Vec<(u16, String)>, Vec<Duration>, CloseReason) {
    let request = track(&["don't stop!*", "café"]);
    let client = client(server, request, credentials).max_retries(2).build().unwrap();
    let (mut refused, mut delays) = (Vec::new(), Vec::new());
    let mut events = client.stream();
    while let Some(event) = events.next().await {
        match event {
            Event::RequestError { status, body } => refused.push((status, body)),
            Event::Reconnecting { cause, delay } => {
                assert_eq!(cause, Failure::Http(401));
                delays.push(delay);
            }
            Event::Closed { reason } => return (refused, delays, reason),
            Event::Connected { .. } => panic!("wrong credentials were accepted"),
            _ => {}
        }
    }
    panic!("the stream ended without closing")
}

#[tokio::test(start_paused = true)]
async fn a_consumer_secret_one_byte_off_is_refused_with_401_and_backed_off() {
    let server = server().await;
    let mut wrong = credentials();
    wrong.consumer_secret = "signing-consumer-secreT".into();

    let (refused, delays, closed) = refusals(&server, wrong).await;

    assert_eq!(refused.len(), 3);
    for (status, body) in &refused {
        assert_eq!(*status, 401);
        assert!(body.contains("signature mismatch"), "{body}");
        // The server shows what it signed so that the client can compare.
        assert!(body.contains("POST&http%3A%2F%2F127.0.0.1"), "{body}");
    }
    assert_eq!(delays, [Duration::from_secs(5), Duration::from_secs(10)]);
    assert!(
        matches!(closed, CloseReason::GaveUp { failure: Failure::Http(401), .. }),
        "{closed:?}"
    );
    // The server saw the attempts exactly that far apart.
    let journal = server.journal();
    assert!(journal.iter().all(|entry| entry.status == 401));
    let gaps: Vec<Duration> = journal.windows(2).map(|w| w[1].elapsed - w[0].elapsed).collect();
    assert_eq!(gaps, [Duration::from_secs(5), Duration::from_secs(10)]);
}

#[tokio::test(start_paused = true)]
async fn a_token_secret_one_byte_off_is_refused_with_401_and_backed_off() {
    let server = server().await;
    let mut wrong = credentials();
    wrong.token_secret = "signing-token-secreu".into();

    let (refused, delays, _) = refusals(&server, wrong).await;

    assert!(refused
        .iter()
        .all(|(status, body)| *status == 401 && body.contains("signature mismatch")));
    assert_eq!(refused.len(), 3);
    assert_eq!(delays, [Duration::from_secs(5), Duration::from_secs(10)]);
}

#[tokio::test]
async fn an_unknown_consumer_key_is_named_in_the_refusal() {
    let server = server().await;
    let mut wrong = credentials();
    wrong.consumer_key = "signing-consumer-kez".into();
    let client = client(&server, track(&["café"]), wrong).build().unwrap();

    let (status, body) = first_answer(&client).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.contains("unknown consumer key \"signing-consumer-kez\""), "{body}");
}
