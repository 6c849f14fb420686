//! The v2 rules API from the client: the requests it sends (checked
//! against wiremock), the errors of the real API's shape it reports, and a
//! round trip through the mock server whose rules then filter a v2 stream.

use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::{Client, Event, RulesClient, RulesError, RULES_PATH};
use rehose::fixture::bundled;
use rehose::message::Kind;
use rehose::protocol::rules::NewRule;
use rehose::protocol::{StreamRequest, V2Params};
use rehose::server::{MockServer, Speed, TlsConfig};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

const TOKEN: &str = "AAAA-test-bearer";

fn new_rule(value: &str, tag: Option<&str>) -> NewRule {
    NewRule { value: value.to_owned(), tag: tag.map(str::to_owned) }
}

fn rules_client(base: &str, token: &str) -> RulesClient {
    RulesClient::builder().base_url(base).bearer_token(token).build().unwrap()
}

async fn wiremock() -> (wiremock::MockServer, RulesClient) {
    let server = wiremock::MockServer::start().await;
    let client = rules_client(&server.uri(), TOKEN);
    (server, client)
}

#[tokio::test]
async fn an_add_posts_the_rules_with_tags_as_json_with_the_bearer_token_and_dry_run() {
    let (server, client) = wiremock().await;
    let answer = json!({
        "data": [{"id": "1", "value": "cat has:media", "tag": "cats"}, {"id": "2", "value": "dog"}],
        "meta": {"sent": "2021-06-01T06:46:40.123Z",
                 "summary": {"created": 2, "not_created": 0, "valid": 2, "invalid": 0}}
    });
    Mock::given(method("POST"))
        .and(path(RULES_PATH))
        .and(query_param("dry_run", "true"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"add": [{"value": "cat has:media", "tag": "cats"}, {"value": "dog"}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;

    let rules = [new_rule("cat has:media", Some("cats")), new_rule("dog", None)];
    let response = client.add(&rules, true).await.unwrap();

    let data = response.data.unwrap();
    assert_eq!((data[0].id.as_str(), data[0].tag.as_deref()), ("1", Some("cats")));
    assert_eq!(data[1].tag, None);
    assert_eq!(response.meta.summary.unwrap().created, Some(2));
}

#[tokio::test]
async fn a_listing_gets_the_rules_of_the_ids_asked_for() {
    let (server, client) = wiremock().await;
    let answer =
        json!({"data": [{"id": "12", "value": "cat"}], "meta": {"sent": "x", "result_count": 1}});
    Mock::given(method("GET"))
        .and(path(RULES_PATH))
        .and(query_param("ids", "12,34"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RULES_PATH))
        .and(query_param_is_missing("ids"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"meta": {"sent": "x", "result_count": 0}})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let listed = client.list(Some(&["12".to_owned(), "34".to_owned()])).await.unwrap();
    assert_eq!(listed.meta.result_count, Some(1));
    assert_eq!(listed.data.unwrap()[0].value, "cat");

    let all = client.list(None).await.unwrap();
    assert_eq!((all.data, all.meta.result_count), (None, Some(0)));
}

#[tokio::test]
async fn a_delete_posts_the_ids_without_dry_run() {
    let (server, client) = wiremock().await;
    let answer = json!({"meta": {"sent": "x", "summary": {"deleted": 1, "not_deleted": 1}}});
    Mock::given(method("POST"))
        .and(path(RULES_PATH))
        .and(query_param_is_missing("dry_run"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({"delete": {"ids": ["12", "34"]}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;

    let response = client.delete(&["12".to_owned(), "34".to_owned()], false).await.unwrap();
    let summary = response.meta.summary.unwrap();
    assert_eq!((summary.deleted, summary.not_deleted), (Some(1), Some(1)));
}

#[tokio::test]
async fn a_401_problem_becomes_an_api_error_naming_the_url() {
    let (server, client) = wiremock().await;
    let problem = json!({"title": "Unauthorized", "type": "about:blank", "status": 401,
                         "detail": "Unauthorized"});
    Mock::given(path(RULES_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(problem))
        .mount(&server)
        .await;

    let err = client.list(None).await.unwrap_err();
    let RulesError::Api { url, status, title, detail, problems, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, title.as_deref(), detail.as_deref()),
        (401, Some("Unauthorized"), Some("Unauthorized"))
    );
    assert!(problems.is_empty());
    assert_eq!(url, &format!("{}{RULES_PATH}", server.uri()));
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains(&format!("{url} answered 401: Unauthorized")), "{err}");
}

#[tokio::test]
async fn a_429_reports_when_the_rate_limit_window_ends() {
    let (server, client) = wiremock().await;
    let problem = json!({"title": "Too Many Requests", "detail": "Too Many Requests",
                         "type": "about:blank", "status": 429});
    Mock::given(path(RULES_PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-reset", "1622530000")
                .set_body_json(problem),
        )
        .mount(&server)
        .await;

    let err = client.add(&[new_rule("cat", None)], false).await.unwrap_err();
    let RulesError::Api { status, title, rate_limit_reset, .. } = err else { panic!("{err:?}") };
    assert_eq!(
        (status, title.as_deref(), rate_limit_reset),
        (429, Some("Too Many Requests"), Some(1_622_530_000))
    );
}

#[tokio::test]
async fn a_400_invalid_request_lists_each_complaint() {
    let (server, client) = wiremock().await;
    let body = json!({
        "errors": [{"parameters": {"add": ["x"]},
                    "message": "Rule length exceeds the max allowed: 600 > 512"}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request"
    });
    Mock::given(path(RULES_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;

    let err = client.add(&[new_rule("cat", None)], false).await.unwrap_err();
    let text = err.to_string();
    let RulesError::Api { status, title, problems, .. } = err else { panic!("{err:?}") };
    assert_eq!((status, title.as_deref()), (400, Some("Invalid Request")));
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message.as_deref(),
        Some("Rule length exceeds the max allowed: 600 > 512")
    );
    assert_eq!(problems[0].parameters, Some(json!({"add": ["x"]})));
    assert!(text.contains("Rule length exceeds the max allowed"), "{text}");
}

#[tokio::test]
async fn an_error_body_that_is_not_json_is_kept_as_its_detail() {
    let (server, client) = wiremock().await;
    Mock::given(path(RULES_PATH))
        .respond_with(ResponseTemplate::new(503).set_body_string("Over capacity\r\n"))
        .mount(&server)
        .await;

    let err = client.list(None).await.unwrap_err();
    let RulesError::Api { status, detail, .. } = err else { panic!("{err:?}") };
    assert_eq!((status, detail.as_deref()), (503, Some("Over capacity")));
}

#[tokio::test]
async fn rules_over_the_limits_are_refused_without_a_request() {
    let (server, client) = wiremock().await;
    Mock::given(path(RULES_PATH))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let long = new_rule(&"x".repeat(513), None);
    let err = client.add(&[long], false).await.unwrap_err();
    assert!(matches!(err, RulesError::RuleTooLong { length: 513, max: 512, .. }), "{err:?}");
    let err = client.add(&[new_rule("  ", None)], false).await.unwrap_err();
    assert_eq!(err, RulesError::EmptyRule { index: 1 });
    let err = client.add(&vec![new_rule("cat", None); 26], false).await.unwrap_err();
    assert_eq!(err, RulesError::TooManyRules { count: 26, max: 25 });
    let err = client.delete(&[], false).await.unwrap_err();
    assert_eq!(err, RulesError::NoIds);
    let err = client.list(Some(&["abc".to_owned()])).await.unwrap_err();
    assert_eq!(err, RulesError::BadId { id: "abc".to_owned() });
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_naming_the_url() {
    // Bind and drop: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = rules_client(&format!("http://127.0.0.1:{port}"), TOKEN);

    let err = client.list(None).await.unwrap_err();
    let RulesError::Connect { url, .. } = &err else { panic!("{err:?}") };
    assert_eq!(url, &format!("http://127.0.0.1:{port}{RULES_PATH}"));
}

// --- against the mock server ---------------------------------------------

async fn mock_server() -> MockServer {
    let fixture = bundled::by_name("v2-filtered").unwrap().unwrap();
    MockServer::builder()
        .fixture(fixture)
        .speed(Speed::Max)
        .bearer_tokens([TOKEN])
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn rules_round_trip_through_the_mock_and_a_duplicate_is_reported() {
    let server = mock_server().await;
    let client = rules_client(&server.uri(), TOKEN);
    let rules = [new_rule("#coffee", Some("coffee")), new_rule("cat has:links", None)];

    let checked = client.add(&rules, true).await.unwrap();
    assert_eq!(checked.meta.summary.unwrap().created, Some(2));
    assert_eq!(client.list(None).await.unwrap().meta.result_count, Some(0));

    let added = client.add(&rules, false).await.unwrap();
    let created = added.data.unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!((created[0].value.as_str(), created[0].tag.as_deref()), ("#coffee", Some("coffee")));

    let again = client.add(&rules[..1], false).await.unwrap();
    assert_eq!(again.data, None);
    assert_eq!(again.errors.len(), 1);
    assert_eq!(again.errors[0].title, "DuplicateRule");
    assert_eq!(again.errors[0].id.as_deref(), Some(created[0].id.as_str()));
    assert_eq!(again.meta.summary.unwrap().not_created, Some(1));

    let listed = client.list(Some(&[created[1].id.clone()])).await.unwrap();
    assert_eq!(listed.data.unwrap(), vec![created[1].clone()]);

    let deleted = client.delete_all(false).await.unwrap();
    assert_eq!(deleted.meta.summary.unwrap().deleted, Some(2));
    assert_eq!(client.list(None).await.unwrap().data, None);

    // Another token is refused with the v2 problem body.
    let stranger = rules_client(&server.uri(), "not-a-known-token");
    let err = stranger.list(None).await.unwrap_err();
    let RulesError::Api { status, title, .. } = err else { panic!("{err:?}") };
    assert_eq!((status, title.as_deref()), (401, Some("Unauthorized")));
}

fn has_coffee_hashtag(tweet: &Value) -> bool {
    tweet["data"]["entities"]["hashtags"].as_array().is_some_and(|tags| {
        tags.iter().any(|t| t["tag"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("coffee")))
    })
}

#[tokio::test]
async fn a_filtered_stream_delivers_only_tweets_matching_the_added_rule_tagged_with_it() {
    let fixture = bundled::by_name("v2-filtered").unwrap().unwrap();
    let expected: Vec<String> = fixture
        .connections
        .iter()
        .flat_map(|connection| connection.messages())
        .filter_map(|(_, payload)| serde_json::from_slice::<Value>(&payload).ok())
        .filter(has_coffee_hashtag)
        .map(|tweet| tweet["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(expected.len() >= 3, "the fixture has too few #coffee tweets: {expected:?}");

    let server = mock_server().await;
    let rules = rules_client(&server.uri(), TOKEN);
    let added = rules.add(&[new_rule("#coffee", Some("coffee-rule"))], false).await.unwrap();
    let rule_id = added.data.unwrap()[0].id.clone();

    let client = Client::builder()
        .request(StreamRequest::V2Search(V2Params::default()))
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .build()
        .unwrap();
    let mut events = client.stream();
    let mut delivered = Vec::new();
    let reading = async {
        while delivered.len() < expected.len() {
            match events.next().await {
                Some(Event::Message(message)) if message.kind() == Kind::Tweet => {
                    let tweet: Value = serde_json::from_str(message.json()).unwrap();
                    assert!(has_coffee_hashtag(&tweet), "not a #coffee tweet: {tweet}");
                    assert_eq!(
                        tweet["matching_rules"],
                        json!([{"id": rule_id, "tag": "coffee-rule"}])
                    );
                    delivered.push(tweet["data"]["id"].as_str().unwrap().to_owned());
                }
                Some(Event::Closed { reason }) => panic!("stream closed: {reason:?}"),
                Some(_) => {}
                None => break,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), reading)
        .await
        .expect("all #coffee tweets in time");
    assert_eq!(delivered, expected);
}

#[tokio::test]
async fn rules_reach_an_https_mock_through_its_ca_certificate() {
    let server = MockServer::builder().tls(TlsConfig::new()).start().await.unwrap();
    let ca = server.ca_cert_path().unwrap();
    let client = RulesClient::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .ca_cert(ca)
        .build()
        .unwrap();

    let added = client.add(&[new_rule("cat", None)], false).await.unwrap();
    assert_eq!(added.meta.summary.unwrap().created, Some(1));

    // Without the CA the certificate is refused.
    let untrusting = rules_client(&server.uri(), TOKEN);
    let err = untrusting.list(None).await.unwrap_err();
    assert!(matches!(err, RulesError::Connect { .. }), "{err:?}");
}
