//! Reaching the server: https with an extra CA certificate, and HTTP
//! proxies (absolute-form for http, a CONNECT tunnel for https).

mod client_support;

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use rehose::client::{ConnectionError, Event};
use rehose::protocol::Failure;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use client_support::{chunk, self_signed_tls, stream, v1_sample, Step, TestServer};

fn hello() -> client_support::Reply {
    stream(vec![chunk("{\"id_str\":\"1\"}\r\n"), Step::Hold])
}

async fn first_message(events: &mut rehose::client::EventStream) -> String {
    loop {
        match events.next().await {
            Some(Event::Message(message)) => return message.json().to_owned(),
            Some(_) => {}
            None => panic!("the stream ended"),
        }
    }
}

#[tokio::test]
async fn https_with_a_ca_certificate_file_reaches_a_self_signed_server() {
    let (acceptor, pem) = self_signed_tls();
    let server = TestServer::start_with(vec![hello()], Some(acceptor)).await;
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), pem).unwrap();

    let url = format!("https://{}", server.addr);
    let client = v1_sample(&url).ca_cert(ca.path()).build().unwrap();
    let mut events = client.stream();

    assert_eq!(first_message(&mut events).await, "{\"id_str\":\"1\"}");
}

#[tokio::test(start_paused = true)]
async fn an_untrusted_certificate_is_a_network_error_with_linear_backoff() {
    let (acceptor, _) = self_signed_tls();
    let server = TestServer::start_with(vec![hello()], Some(acceptor)).await;

    let url = format!("https://{}", server.addr);
    let client = v1_sample(&url).build().unwrap();
    let mut events = client.stream();

    let mut refused = false;
    loop {
        match events.next().await.unwrap() {
            Event::ConnectionError(ConnectionError::Connect { reason, .. }) => {
                assert!(reason.to_lowercase().contains("certificate"), "{reason}");
                refused = true;
            }
            Event::Reconnecting { cause, delay } => {
                assert_eq!((cause, delay.as_millis()), (Failure::Network, 250));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(refused);
}

#[tokio::test]
async fn plain_http_through_a_proxy_sends_absolute_form_requests() {
    // The test server plays the proxy: it sees what a proxy would.
    let proxy = TestServer::start(vec![hello()]).await;
    let client = v1_sample("http://stream.example.test").proxy(proxy.url()).build().unwrap();
    let mut events = client.stream();

    assert_eq!(first_message(&mut events).await, "{\"id_str\":\"1\"}");
    let request = proxy.journal.requests().remove(0);
    assert!(
        request.starts_with("GET http://stream.example.test/1.1/statuses/sample.json HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(request.contains("host: stream.example.test\r\n"), "{request}");
}

/// A CONNECT-only proxy that notes each request line and splices the
/// tunnel to `upstream`.
async fn connect_proxy(upstream: std::net::SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let noted = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let noted = noted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                noted.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
                let mut server = TcpStream::connect(upstream).await.unwrap();
                client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn https_through_a_proxy_goes_through_a_connect_tunnel() {
    let (acceptor, pem) = self_signed_tls();
    let server = TestServer::start_with(vec![hello()], Some(acceptor)).await;
    let (proxy_url, seen) = connect_proxy(server.addr).await;
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), pem).unwrap();

    let url = format!("https://{}", server.addr);
    let client = v1_sample(&url).ca_cert(ca.path()).proxy(proxy_url).build().unwrap();
    let mut events = client.stream();

    assert_eq!(first_message(&mut events).await, "{\"id_str\":\"1\"}");
    let connect = format!("CONNECT {} HTTP/1.1", server.addr);
    assert_eq!(seen.lock().unwrap().clone(), [connect]);
    // Inside the tunnel the request is in origin form.
    let request = server.journal.requests().remove(0);
    assert!(request.starts_with("GET /1.1/statuses/sample.json HTTP/1.1\r\n"), "{request}");
}
