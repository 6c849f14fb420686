//! The mock server journals every request, with secrets redacted, and
//! shuts down when dropped.

mod server_support;

use std::time::Duration;

use rehose::fixture::End;
use rehose::frame::Framing;
use rehose::server::{MockServer, StreamEnd, REDACTED};
use server_support::{connection, fixture, get, request, CLIENT_A};

const MSG1: &str = "{\"id\":1}\r\n";
const MSG2: &str = "{\"id\":2}\r\n";

fn two_messages(end: End) -> rehose::fixture::Fixture {
    fixture(vec![connection(Framing::Crlf, &[(0.0, MSG1), (1.0, MSG2)], end)])
}

#[tokio::test(start_paused = true)]
async fn the_journal_records_requests_with_their_secrets_redacted() {
    let server = MockServer::builder().fixture(two_messages(End::Open)).start().await.unwrap();
    let target = "/1.1/statuses/filter.json?track=cats&oauth_token=secret-token";
    let headers = [("authorization", CLIENT_A), ("cookie", "session=abc"), ("user-agent", "t/1")];
    let mut response =
        request(server.addr(), "POST", target, &headers, "follow=12&oauth_signature=sig").await;
    response.chunks(2).await;

    let journal = server.journal();
    assert_eq!(journal.len(), 1);
    let entry = &journal[0];
    assert_eq!(entry.method, "POST");
    assert_eq!(entry.path, "/1.1/statuses/filter.json");
    assert_eq!(entry.query.as_deref(), Some("track=cats&oauth_token=<redacted>"));
    assert_eq!(entry.form.as_deref(), Some("follow=12&oauth_signature=<redacted>"));
    let header = |name: &str| {
        entry.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap()
    };
    assert_eq!(header("authorization"), format!("OAuth {REDACTED}"));
    assert_eq!(header("cookie"), REDACTED);
    assert_eq!(header("user-agent"), "t/1");
    assert_eq!(entry.status, 200);
    let client = entry.client.as_deref().unwrap();
    assert!(client.starts_with("oauth:") && !client.contains("ck-a") && !client.contains("tok"));

    // No secret anywhere in the serialised journal.
    let json = serde_json::to_string(&journal).unwrap();
    for secret in ["secret-token", "ck-a", "1-tok", "c2lnbg", "sig\"", "session=abc"] {
        assert!(!json.contains(secret), "{secret} leaked into {json}");
    }

    let stream = entry.stream.as_ref().unwrap();
    assert_eq!((stream.messages, stream.bytes, stream.end), (2, 20, StreamEnd::Streaming));
}

#[tokio::test(start_paused = true)]
async fn a_stream_entry_is_updated_when_the_stream_ends() {
    let server = MockServer::builder().fixture(two_messages(End::Clean)).start().await.unwrap();
    let mut completed = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    completed.chunks(2).await;
    assert!(completed.chunk().await.unwrap().is_none());

    let mut gone = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    gone.chunks(1).await;
    drop(gone);
    // The server notices when it next writes, a second later.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let journal = server.journal();
    let ends: Vec<_> = journal.iter().map(|e| e.stream.as_ref().unwrap().end).collect();
    assert_eq!(ends, [StreamEnd::Completed, StreamEnd::ClientGone]);
    assert_eq!(journal[0].stream.as_ref().unwrap().messages, 2);
    assert!(journal[1].elapsed >= journal[0].elapsed);
}

#[tokio::test(start_paused = true)]
async fn the_journal_is_served_as_json_at_rehose_requests() {
    let server = MockServer::builder().fixture(two_messages(End::Open)).start().await.unwrap();
    let mut stream = get(server.addr(), "/2/tweets/sample/stream", Some("Bearer AAAA-token")).await;
    stream.chunks(1).await;
    let _ = get(server.addr(), "/nowhere", None).await;

    let mut response = get(server.addr(), "/__rehose/requests", None).await;
    assert_eq!(response.status, 200);
    let body = chunked_or_plain_body(&mut response).await;
    assert!(!body.contains("AAAA-token"));
    let entries: serde_json::Value = serde_json::from_str(&body).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["path"], "/2/tweets/sample/stream");
    assert_eq!(entries[0]["stream"]["messages"], 1);
    assert!(entries[0]["client"].as_str().unwrap().starts_with("bearer:"));
    assert_eq!(entries[1]["status"], 404);
}

async fn chunked_or_plain_body(response: &mut server_support::RawResponse) -> String {
    if response.header("content-length").is_some() {
        return response.body().await;
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.extend_from_slice(&chunk.data);
    }
    String::from_utf8(body).unwrap()
}

#[tokio::test(start_paused = true)]
async fn dropping_the_server_closes_its_streams_and_its_port() {
    let server = MockServer::builder().fixture(two_messages(End::Open)).start().await.unwrap();
    let addr = server.addr();
    let mut stream = get(addr, "/1.1/statuses/sample.json", None).await;
    stream.chunks(2).await;

    drop(server);
    assert!(stream.is_closed().await, "the open stream ends");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens any more");
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_open_streams_and_marks_them_in_the_journal() {
    let server = MockServer::builder().fixture(two_messages(End::Open)).start().await.unwrap();
    let addr = server.addr();
    assert_eq!(server.uri(), format!("http://{addr}"));
    let mut stream = get(addr, "/1.1/statuses/sample.json", None).await;
    stream.chunks(1).await;
    assert_eq!(server.journal()[0].stream.as_ref().unwrap().end, StreamEnd::Streaming);

    server.shutdown().await;
    assert!(stream.is_closed().await);
    assert_eq!(server.journal()[0].stream.as_ref().unwrap().end, StreamEnd::ServerShutdown);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
