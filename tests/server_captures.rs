//! End to end: every real capture, imported with either framing and with
//! keep-alives inserted, is served to a client asking for either framing;
//! every message arrives once, in order, byte-identical.

mod common;
mod server_support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rehose::fixture::import::{import, ImportOptions, KeepAlive};
use rehose::frame::{Decoder, Frame, Framing};
use rehose::server::{MockServer, Speed};
use server_support::{get, CLIENT_A};

/// The capture's messages, without their terminators.
fn messages_of(capture: &[u8]) -> Vec<Bytes> {
    capture
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(Bytes::copy_from_slice)
        .collect()
}

/// Reads `expected` messages from the server, reconnecting with the same
/// credentials whenever a stream ends, as a client would.
async fn receive(
    server: &MockServer,
    target: &str,
    framing: Framing,
    expected: usize,
) -> Vec<Bytes> {
    let mut messages = Vec::with_capacity(expected);
    let mut keep_alives = 0;
    'connections: for _attempt in 0..10 {
        let mut response = get(server.addr(), target, Some(CLIENT_A)).await;
        assert_eq!(response.status, 200);
        let mut decoder = Decoder::new(framing);
        while messages.len() < expected {
            let Ok(Some(chunk)) = response.chunk().await else { continue 'connections };
            decoder.push(chunk.data);
            while let Some(frame) = decoder.next_frame() {
                match frame.expect("a well-formed frame") {
                    Frame::Message(payload) => messages.push(payload),
                    Frame::KeepAlive => keep_alives += 1,
                }
            }
        }
        break;
    }
    assert!(keep_alives > 0, "the imported keep-alives were served");
    messages
}

#[tokio::test(start_paused = true)]
async fn every_capture_is_served_whole_and_in_order_in_either_framing() {
    for (name, _) in common::CAPTURES {
        let Some(capture) = common::capture(name) else { continue };
        let expected = messages_of(&capture);
        for imported_as in [Framing::Crlf, Framing::Length] {
            let options = ImportOptions::new()
                .framing(imported_as)
                .keep_alive(KeepAlive::Every(Duration::from_millis(10)));
            let fixture = Arc::new(import(&capture, &options).expect("import").fixture);
            for asked in [Framing::Crlf, Framing::Length] {
                // The sample endpoints: filter and search streams deliver
                // only what matches the request's predicates or rules.
                let path = if name.starts_with("v2") {
                    "/2/tweets/sample/stream"
                } else {
                    "/1.1/statuses/sample.json"
                };
                let target = match asked {
                    Framing::Length => format!("{path}?delimited=length"),
                    _ => path.to_owned(),
                };
                // A server of its own for each run, so the client starts
                // from the first message.
                let server = MockServer::builder()
                    .fixture(fixture.clone())
                    .speed(Speed::Max)
                    .start()
                    .await
                    .expect("server");
                let received = receive(&server, &target, asked, expected.len()).await;
                assert_eq!(received.len(), expected.len(), "{name} {imported_as} -> {asked}");
                for (i, (got, want)) in received.iter().zip(&expected).enumerate() {
                    assert_eq!(
                        got, want,
                        "{name} imported as {imported_as}, served as {asked}: message {i}"
                    );
                }
            }
        }
    }
}
