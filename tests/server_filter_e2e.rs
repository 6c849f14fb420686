//! Filtering, credentials and the rules API through real HTTP requests
//! against a running `MockServer`.

mod server_support;

use rehose::fixture::End;
use rehose::frame::Framing;
use rehose::protocol::oauth::authorization;
use rehose::protocol::Credentials;
use rehose::server::{MockServer, Speed};
use server_support::{connection, fixture, request, RawResponse};

const V1: &str = concat!(
    r#"{"id_str":"1","text":"a cat","user":{"id_str":"7"},"lang":"en"}"#,
    "\r\n",
    r#"{"delete":{"status":{"id":5,"id_str":"5","user_id":7,"user_id_str":"7"}}}"#,
    "\r\n",
    r#"{"id_str":"2","text":"a dog","user":{"id_str":"8"},"lang":"en"}"#,
    "\r\n"
);

const V2: &str = concat!(
    r#"{"data":{"id":"1","text":"a cat","author_id":"7"},"matching_rules":[{"id":1}]}"#,
    "\r\n",
    r#"{"data":{"id":"2","text":"a dog","author_id":"8"},"matching_rules":[{"id":1}]}"#,
    "\r\n"
);

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "ck".into(),
        consumer_secret: "cs".into(),
        token: "tk".into(),
        token_secret: "ts".into(),
    }
}

async fn server(body: &str) -> MockServer {
    MockServer::builder()
        .fixture(fixture(vec![connection(Framing::Crlf, &[(0.0, body)], End::Clean)]))
        .speed(Speed::Max)
        .credentials([credentials()])
        .bearer_tokens(["bt"])
        .start()
        .await
        .expect("server starts")
}

async fn whole_body(response: &mut RawResponse) -> String {
    let mut body = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.push_str(std::str::from_utf8(&chunk.data).expect("utf-8"));
    }
    body
}

#[tokio::test]
async fn a_signed_filter_request_gets_only_the_matching_statuses_and_the_deletes() {
    let server = server(V1).await;
    let url = format!("{}/1.1/statuses/filter.json", server.uri());
    let form = vec![("track".to_owned(), "CAT".to_owned())];
    let header = authorization("POST", &url, &form, &credentials());
    let headers = [("authorization", header.as_str())];
    let mut response =
        request(server.addr(), "POST", "/1.1/statuses/filter.json", &headers, "track=CAT").await;
    assert_eq!(response.status, 200);
    let body = whole_body(&mut response).await;
    assert!(body.contains(r#""id_str":"1""#), "{body}");
    assert!(body.contains(r#""delete""#), "{body}");
    assert!(!body.contains(r#""id_str":"2""#), "{body}");
}

#[tokio::test]
async fn a_tampered_request_gets_401_with_the_base_string() {
    let server = server(V1).await;
    let url = format!("{}/1.1/statuses/filter.json", server.uri());
    let form = vec![("track".to_owned(), "cat".to_owned())];
    let header = authorization("POST", &url, &form, &credentials());
    let headers = [("authorization", header.as_str())];
    let mut response =
        request(server.addr(), "POST", "/1.1/statuses/filter.json", &headers, "track=cas").await;
    assert_eq!(response.status, 401);
    let body = response.body().await;
    assert!(body.contains("signature mismatch") && body.contains("track%3Dcas"), "{body}");
    assert_eq!(server.journal().last().map(|e| e.status), Some(401));
}

#[tokio::test]
async fn bad_parameters_and_long_uris_get_the_services_statuses() {
    let server = MockServer::builder().speed(Speed::Max).start().await.expect("server starts");
    let mut response = request(server.addr(), "POST", "/1.1/statuses/filter.json", &[], "").await;
    assert_eq!(response.status, 406);
    assert!(response.body().await.starts_with("No filter parameters found"));
    let body = "locations=-200,0,10,10";
    let response = request(server.addr(), "POST", "/1.1/statuses/filter.json", &[], body).await;
    assert_eq!(response.status, 406);
    let long = format!("/1.1/statuses/filter.json?track={}", "a".repeat(9000));
    let response = request(server.addr(), "GET", &long, &[], "").await;
    assert_eq!(response.status, 414);
}

#[tokio::test]
async fn v2_rules_added_over_http_filter_the_search_stream() {
    let server = server(V2).await;
    let bearer = [("authorization", "Bearer bt")];
    let path = "/2/tweets/search/stream/rules";

    let response = request(server.addr(), "GET", path, &[("authorization", "Bearer no")], "").await;
    assert_eq!(response.status, 401);

    let add = r#"{"add":[{"value":"cat","tag":"cats"}]}"#;
    let mut response = request(server.addr(), "POST", path, &bearer, add).await;
    assert_eq!(response.status, 201);
    let created: serde_json::Value = serde_json::from_str(&response.body().await).unwrap();
    let id = created["data"][0]["id"].as_str().expect("an id").to_owned();

    let mut response = request(server.addr(), "GET", "/2/tweets/search/stream", &bearer, "").await;
    assert_eq!(response.status, 200);
    let body = whole_body(&mut response).await;
    let expected = format!(r#""matching_rules":[{{"id":"{id}","tag":"cats"}}]"#);
    assert!(body.contains(&expected), "{body}");
    assert!(!body.contains("a dog"), "{body}");
}
