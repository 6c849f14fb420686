//! Scripted faults meet admission and https: a request the service would
//! refuse is refused without taking a scripted attempt, and attempts
//! hyper cannot script (a reset before any response, a malformed chunk)
//! work over TLS.

mod faults_support;

use futures_util::StreamExt;
use rehose::client::{Client, Event};
use rehose::protocol::StreamRequest;
use rehose::server::{Attempt, MockServer, Scenario, Speed, TlsConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use faults_support::{credentials, numbered};

/// One GET of the v2 sample stream with `token`, on its own connection:
/// what came back before the server closed or reset it.
async fn get_v2(server: &MockServer, token: &str) -> Result<String, std::io::Error> {
    let mut socket = TcpStream::connect(server.addr()).await?;
    let request = format!(
        "GET /2/tweets/sample/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    socket.read_to_end(&mut response).await?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[tokio::test]
async fn a_request_refused_for_its_credentials_takes_no_scripted_attempt() {
    let scenario = Scenario::new().attempt(Attempt::status(503)).attempt(Attempt::reset());
    let server = MockServer::builder()
        .fixture(numbered(3))
        .speed(Speed::Max)
        .bearer_tokens(["good"])
        .scenario(scenario)
        .start()
        .await
        .unwrap();

    let refused = get_v2(&server, "bad").await.unwrap();
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let scripted = get_v2(&server, "good").await.unwrap();
    assert!(scripted.starts_with("HTTP/1.1 503"), "{scripted}");
    // The raw reset is not taken by a refused request either.
    let refused = get_v2(&server, "bad").await.unwrap();
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let reset = get_v2(&server, "good").await;
    assert!(reset.as_ref().map_or(true, String::is_empty), "{reset:?}");

    server.assert_scenario_complete();
    let journal = server.journal();
    let faults: Vec<Option<&str>> = journal.iter().map(|e| e.fault.as_deref()).collect();
    assert_eq!(
        faults,
        [None, Some("attempt 0: status 503"), None, Some("attempt 1: reset before response")]
    );
    assert_eq!(journal.iter().map(|e| e.status).collect::<Vec<_>>(), [401, 503, 401, 0]);
}

#[tokio::test]
async fn a_reset_before_response_and_a_malformed_chunk_are_scripted_over_https() {
    let scenario = Scenario::new()
        .attempt(Attempt::reset())
        .attempt(Attempt::stream().after_messages(2).malformed_chunk());
    let server = MockServer::builder()
        .fixture(numbered(4))
        .speed(Speed::Max)
        .tls(TlsConfig::new())
        .scenario(scenario)
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .request(StreamRequest::V1Sample)
        .credentials(credentials("1-token"))
        .base_url(server.uri())
        .ca_cert(server.ca_cert_path().unwrap())
        .gzip(false)
        .build()
        .unwrap();

    let mut events = client.stream();
    let mut messages = 0;
    let mut reconnects = 0;
    while messages < 4 {
        match events.next().await.expect("an event") {
            Event::Message(_) => messages += 1,
            Event::Reconnecting { .. } => reconnects += 1,
            _ => {}
        }
    }

    assert_eq!(reconnects, 2);
    server.assert_scenario_complete();
    let journal = server.journal();
    assert_eq!(journal.len(), 3, "{journal:#?}");
    assert_eq!(journal[1].stream.as_ref().unwrap().messages, 2, "{journal:#?}");
    assert_eq!(journal[2].stream.as_ref().unwrap().first_message, 2, "{journal:#?}");
}
