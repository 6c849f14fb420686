//! Recording what a mock server replays gives back the same stream: the
//! same bytes, chunk boundaries and pacing, through the recorder and
//! through the recording proxy, and again after a second replay.

mod common;
mod record_support;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use record_support::{assert_same_chunks, bundled, config, messages, record_fixture, serve};
use rehose::fixture::import::{import, ImportOptions};
use rehose::fixture::{End, Fixture};
use rehose::protocol::{FilterParams, StreamOptions, StreamRequest, V2Params};
use rehose::record::{ProxyConfig, ProxyServer, Stop};

const TOLERANCE: Duration = Duration::from_millis(20);

/// Records `fixture` served by a mock server, then records the recording
/// served again, and checks both against the original.
///
/// `verbatim`: whether the server replays the recorded chunks as they are
/// (it re-chunks a stream it filters by the request's predicates, one
/// piece per message, so only messages and pacing can then match).
async fn round_trip(
    fixture: Fixture,
    request: StreamRequest,
    options: StreamOptions,
    verbatim: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let wanted = fixture.message_count() as u64;
    let mut generation = fixture.clone();
    for round in 0..2 {
        let server = serve(generation.clone()).await;
        let mut config =
            config(&server, request.clone(), &dir.path().join(format!("{round}.fixture")));
        config.options = options.clone();
        config.max_messages = Some(wanted);
        let (report, recorded) = record_fixture(config).await;

        assert_eq!(report.stop, Stop::MaxMessages, "round {round}");
        assert_eq!(report.counts.messages, wanted);
        assert_eq!(messages(&recorded), messages(&fixture), "round {round}");
        assert_eq!(recorded.connections.len(), fixture.connections.len());
        if verbatim {
            for (served, got) in fixture.connections.iter().zip(&recorded.connections) {
                assert_same_chunks(served, got, TOLERANCE);
            }
        }
        assert_eq!(recorded.connections.last().unwrap().end, End::Open);
        generation = recorded;
    }
}

#[tokio::test(start_paused = true)]
async fn the_v1_sample_fixture_records_and_replays_byte_identical_with_its_pacing() {
    round_trip(
        bundled("v1-sample.fixture"),
        StreamRequest::V1Sample,
        StreamOptions::default(),
        true,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_length_framed_filter_stream_records_with_its_length_lines() {
    let filter = FilterParams { track: vec!["rust".into(), "coffee".into()], ..Default::default() };
    let options = StreamOptions { delimited_length: true, ..Default::default() };
    round_trip(bundled("v1-filter.fixture"), StreamRequest::V1Filter(filter), options, false).await;
}

#[tokio::test(start_paused = true)]
async fn a_v2_stream_that_disconnects_records_both_connections_with_their_ends() {
    let fixture = bundled("v2-filtered.fixture");
    let v2 = V2Params::from_pairs(&[
        ("expansions".into(), "author_id,referenced_tweets.id".into()),
        ("tweet.fields".into(), "created_at,lang,entities,public_metrics,conversation_id".into()),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(fixture.clone()).await;
    let mut config = config(&server, StreamRequest::V2Search(v2), &dir.path().join("v2.fixture"));
    config.max_messages = Some(fixture.message_count() as u64);
    let (report, recorded) = record_fixture(config).await;

    assert_eq!(report.counts.reconnects, 1);
    assert_eq!(messages(&recorded), messages(&fixture));
    let ends: Vec<End> = recorded.connections.iter().map(|c| c.end.clone()).collect();
    assert_eq!(ends, [End::Clean, End::Open]);
}

#[tokio::test(start_paused = true)]
async fn an_imported_capture_records_byte_identical() {
    let Some(capture) = common::capture("v1-sample-2015.crlf") else { return };
    let fixture = import(&capture, &ImportOptions::new()).unwrap().fixture;
    round_trip(fixture, StreamRequest::V1Sample, StreamOptions::default(), true).await;
}

#[tokio::test(start_paused = true)]
async fn the_proxy_passes_the_stream_through_and_records_it_unchanged() {
    let fixture = bundled("v1-sample.fixture");
    let server = serve(fixture.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("proxy.fixture");
    let upstream = server.uri().parse().unwrap();
    let proxy =
        ProxyServer::bind(ProxyConfig::new(upstream, "127.0.0.1:0".parse().unwrap(), &output))
            .await
            .unwrap();
    let addr = proxy.addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let proxy = tokio::spawn(proxy.serve(async move {
        let _ = stopped.await;
    }));

    // A plain hyper client reads as many chunks as the fixture has
    // messages' worth, then hangs up.
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let url = format!("http://{addr}/1.1/statuses/sample.json");
    let request = hyper::Request::get(url)
        .header("Authorization", "Bearer proxy-secret-token")
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let served = &fixture.connections[0];
    let wanted = served.chunks.len() - 1;
    let mut received = Vec::new();
    while received.len() < wanted {
        let frame = body.frame().await.unwrap().unwrap();
        if let Ok(data) = frame.into_data() {
            received.push(data);
        }
    }
    drop(body);
    // Let the proxy see the client go.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    proxy.await.unwrap().unwrap();

    let client_saw: Vec<Bytes> = served.chunks[..wanted].iter().map(|c| c.data.clone()).collect();
    assert_eq!(received, client_saw, "the client got the chunks unchanged");
    let recorded = Fixture::read(&output).unwrap();
    assert_eq!(recorded.connections.len(), 1);
    let connection = &recorded.connections[0];
    assert!(connection.chunks.len() >= wanted);
    assert_same_chunks(served, connection, TOLERANCE);
    assert_eq!(connection.end, End::Open, "the client hung up while the stream was open");
    let bytes = std::fs::read(&output).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("proxy-secret-token"));
}
