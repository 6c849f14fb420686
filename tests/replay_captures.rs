//! The real captures, replayed by the mock server and consumed by rehose's
//! own client: every message arrives exactly once, in order,
//! byte-identical, with the counts by kind of the captures' README, in
//! `\r\n` and in length framing, with keep-alives inserted.

mod common;

use std::collections::BTreeMap;

use futures_util::StreamExt;
use rehose::client::{Client, Event};
use rehose::fixture::import::{import, ImportOptions, KeepAlive, Pace};
use rehose::frame::Framing;
use rehose::protocol::{Credentials, StreamRequest, V2Params};
use rehose::server::{MockServer, Speed};

fn lines(capture: &[u8]) -> Vec<&[u8]> {
    capture
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .collect()
}

async fn replay(name: &str, framing: Framing) {
    let Some(capture) = common::capture(name) else { return };
    let want = lines(&capture);
    let is_v2 = name.starts_with("v2");

    // A slow pace with keep-alives every few seconds of silence, replayed
    // at full speed: keep-alives and messages interleave on the wire.
    let options = ImportOptions::new()
        .framing(framing)
        .pace(Pace::PerSecond(0.5))
        .keep_alive(KeepAlive::Every(std::time::Duration::from_secs(1)));
    let fixture = import(&capture, &options).unwrap().fixture;
    let server = MockServer::builder().fixture(fixture).speed(Speed::Max).start().await.unwrap();

    let request = if is_v2 {
        StreamRequest::V2Search(V2Params::default())
    } else if name.contains("filter") {
        StreamRequest::V1Filter(rehose::protocol::FilterParams {
            locations: vec![[-180.0, -90.0, 180.0, 90.0]],
            ..Default::default()
        })
    } else {
        StreamRequest::V1Sample
    };
    let client = Client::builder()
        .base_url(server.uri())
        .request(request)
        .credentials(Credentials {
            consumer_key: "key".into(),
            consumer_secret: "secret".into(),
            token: "token".into(),
            token_secret: "token-secret".into(),
        })
        .bearer_token("bearer")
        .delimited_length(framing == Framing::Length && !is_v2)
        .build()
        .unwrap();

    let mut events = client.stream();
    let mut got = Vec::new();
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut keep_alives = 0;
    while got.len() < want.len() {
        match events.next().await.expect("the stream ended early") {
            Event::Message(message) => {
                *kinds.entry(message.kind().name()).or_default() += 1;
                got.push(message.raw().clone());
            }
            Event::KeepAlive => keep_alives += 1,
            Event::FrameError(err) => panic!("{name}: frame error {err}"),
            Event::MessageError(err) => panic!("{name}: message error {err}"),
            _ => {}
        }
    }
    drop(events);

    assert_eq!(got.len(), want.len(), "{name} ({framing})");
    for (i, (got, want)) in got.iter().zip(&want).enumerate() {
        assert_eq!(&got[..], *want, "{name} ({framing}): message {} differs", i + 1);
    }
    let expected = common::CAPTURES.iter().find(|(file, _)| *file == name).unwrap().1;
    let expected: BTreeMap<&str, usize> = expected.iter().copied().collect();
    assert_eq!(kinds, expected, "{name} ({framing})");
    assert!(keep_alives > 0, "{name} ({framing}): no keep-alive was interleaved");
}

#[tokio::test]
async fn the_v1_sample_capture_arrives_whole_in_crlf_and_length_framing() {
    replay("v1-sample-2015.crlf", Framing::Crlf).await;
    replay("v1-sample-2015.crlf", Framing::Length).await;
}

#[tokio::test]
async fn the_v1_filter_capture_arrives_whole_in_crlf_and_length_framing() {
    replay("v1-filter-locations-2016.crlf", Framing::Crlf).await;
    replay("v1-filter-locations-2016.crlf", Framing::Length).await;
}

#[tokio::test]
async fn the_v2_capture_arrives_whole_across_its_operational_disconnect() {
    replay("v2-filtered-2021.crlf", Framing::Crlf).await;
}
