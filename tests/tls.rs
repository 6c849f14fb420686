//! https from the mock server: a certificate generated at start, its CA
//! written to a file, and clients that trust that file (rehose's own,
//! Python's `requests`) stream from it while clients that do not are
//! refused.

mod interop;

use futures_util::StreamExt;
use rehose::client::{Client, ConnectionError, Event};
use rehose::fixture::import::{import, ImportOptions, KeepAlive};
use rehose::fixture::Fixture;
use rehose::protocol::{Credentials, StreamRequest};
use rehose::server::{MockServer, Speed, TlsConfig};

/// Three statuses, made up here.
fn fixture() -> Fixture {
    let capture = (1..=3)
        .map(|i| format!("{{\"id_str\":\"{i}\",\"text\":\"hello {i}\",\"user\":{{}}}}\r\n"))
        .collect::<String>();
    let options = ImportOptions::new().keep_alive(KeepAlive::Off);
    import(capture.as_bytes(), &options).expect("import").fixture
}

async fn https_server() -> MockServer {
    MockServer::builder()
        .fixture(fixture())
        .speed(Speed::Max)
        .tls(TlsConfig::new())
        .start()
        .await
        .expect("server")
}

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "ck".into(),
        consumer_secret: "cs".into(),
        token: "tk".into(),
        token_secret: "ts".into(),
    }
}

fn client(server: &MockServer) -> rehose::client::ClientBuilder {
    Client::builder()
        .request(StreamRequest::V1Sample)
        .credentials(credentials())
        .base_url(server.uri())
        .gzip(false)
        .max_retries(0)
}

#[tokio::test]
async fn rehose_streams_over_https_from_the_mock_when_it_trusts_the_written_ca() {
    let server = https_server().await;
    assert!(server.uri().starts_with("https://127.0.0.1:"), "{}", server.uri());
    let ca_path = server.ca_cert_path().expect("a ca file").to_owned();
    let written = std::fs::read_to_string(&ca_path).expect("the ca file");
    assert_eq!(Some(written.as_str()), server.ca_cert_pem());
    assert!(written.starts_with("-----BEGIN CERTIFICATE-----"), "{written}");

    let client = client(&server).ca_cert(&ca_path).build().expect("client");
    let mut events = client.stream();
    let mut ids = Vec::new();
    while ids.len() < 3 {
        match events.next().await.expect("an event") {
            Event::Message(message) => ids.push(message.json().to_owned()),
            Event::Connected { .. } | Event::KeepAlive => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(ids[0].contains("\"id_str\":\"1\"") && ids[2].contains("\"id_str\":\"3\""), "{ids:?}");
    assert_eq!(server.journal().len(), 1);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused_before_any_request() {
    let server = https_server().await;
    let client = client(&server).build().expect("client");
    let mut events = client.stream();
    loop {
        match events.next().await {
            Some(Event::ConnectionError(ConnectionError::Connect { reason, .. })) => {
                assert!(reason.to_lowercase().contains("certificate"), "{reason}");
                break;
            }
            Some(Event::Message(message)) => panic!("streamed without trust: {message:?}"),
            Some(_) => {}
            None => panic!("the stream ended without a certificate error"),
        }
    }
    assert!(server.journal().is_empty(), "{:?}", server.journal());
}

#[tokio::test]
async fn the_default_ca_file_is_removed_when_the_server_stops() {
    let server = https_server().await;
    let ca_path = server.ca_cert_path().expect("a ca file").to_owned();
    assert!(ca_path.is_file());
    server.shutdown().await;
    drop(server);
    assert!(!ca_path.exists(), "{} is left behind", ca_path.display());
}

#[tokio::test]
async fn a_chosen_ca_path_is_written_and_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/ca.pem");
    let server = MockServer::builder()
        .tls(TlsConfig::new().ca_cert_path(&path))
        .start()
        .await
        .expect("server");
    assert_eq!(server.ca_cert_path(), Some(path.as_path()));
    assert_eq!(TlsConfig::new().ca_cert_path(&path).ca_cert_path_for(server.addr()), path);
    drop(server);
    assert!(path.is_file(), "a path the user chose stays");
}

#[tokio::test]
async fn python_requests_streams_over_https_with_verify_set_to_the_ca_file() {
    let Some(python) = interop::python_with_requests() else { return };
    let server = https_server().await;
    let ca = server.ca_cert_path().expect("a ca file").to_str().expect("utf-8 path").to_owned();
    let script = interop::script("tls_requests.py");

    // By IP address and by the `localhost` name: both are in the leaf.
    let by_name = server.uri().replace("127.0.0.1", "localhost");
    // A token of its own for each, so each starts from the first message.
    for (base, token) in [(server.uri(), "by-ip"), (by_name, "by-name")] {
        let url = format!("{base}/2/tweets/sample/stream");
        let result = interop::run(&python, &script, &[&url, &ca, "3", token]).await;
        assert_eq!(result["error"], serde_json::Value::Null, "{url}: {result}");
        let lines = result["lines"].as_array().expect("lines");
        assert_eq!(lines.len(), 3, "{url}: {result}");
        assert!(lines[2].as_str().is_some_and(|l| l.contains("hello 3")), "{result}");
    }

    // Without the CA file, requests refuses the certificate.
    let url = format!("{}/2/tweets/sample/stream", server.uri());
    let result = interop::run(&python, &script, &[&url, "-", "1", "untrusting"]).await;
    let error = result["error"].as_str().expect("an ssl error");
    assert!(error.contains("CERTIFICATE_VERIFY_FAILED"), "{error}");
}
