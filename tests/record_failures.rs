//! A recorded sequence of failures (a reset, an error status) replays as
//! the same sequence, and reconnects follow the backoff policy.

mod record_support;

use std::time::Duration;

use bytes::Bytes;
use record_support::{config, messages, record_fixture, serve};
use rehose::fixture::{Chunk, Connection, End, Fixture, Request, Response};
use rehose::frame::Framing;
use rehose::protocol::StreamRequest;
use rehose::record::Stop;

fn connection(status: u16, chunks: &[(u64, &str)], end: End) -> Connection {
    let response = if status == 200 {
        Response::ok()
    } else {
        Response { status, headers: vec![("Content-Type".into(), "application/json".into())] }
    };
    Connection {
        request: Request::get("/1.1/statuses/sample.json"),
        response,
        framing: Framing::Crlf,
        chunks: chunks
            .iter()
            .map(|(ms, text)| Chunk {
                at: Duration::from_millis(*ms),
                data: Bytes::copy_from_slice(text.as_bytes()),
            })
            .collect(),
        end,
    }
}

/// A reset after two messages, a 503, then a stream that stays open.
fn failing() -> Fixture {
    Fixture {
        meta: Vec::new(),
        connections: vec![
            connection(200, &[(0, "{\"id\":1}\r\n"), (500, "{\"id\":2}\r\n")], End::Reset),
            connection(503, &[(0, "{\"errors\":[{\"message\":\"over capacity\"}]}")], End::Clean),
            connection(200, &[(0, "{\"id\":3}\r\n"), (250, "{\"id\":4}\r\n")], End::Open),
        ],
    }
}

fn sequence(fixture: &Fixture) -> Vec<(u16, End)> {
    fixture.connections.iter().map(|c| (c.response.status, c.end.clone())).collect()
}

#[tokio::test(start_paused = true)]
async fn a_reset_and_a_503_are_recorded_and_replay_as_the_same_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let want = vec![(200, End::Reset), (503, End::Clean), (200, End::Open)];
    let mut generation = failing();
    for round in 0..2 {
        let server = serve(generation.clone()).await;
        let output = dir.path().join(format!("{round}.fixture"));
        let mut config = config(&server, StreamRequest::V1Sample, &output);
        config.max_messages = Some(4);
        let started = tokio::time::Instant::now();
        let (report, recorded) = record_fixture(config).await;

        assert_eq!(report.stop, Stop::MaxMessages);
        assert_eq!(sequence(&recorded), want, "round {round}");
        assert_eq!(report.counts.reconnects, 2);
        // A drop is retried at once; a 503 waits the first HTTP backoff.
        assert!(started.elapsed() >= Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(7), "{:?}", started.elapsed());
        let error = &recorded.connections[1];
        assert_eq!(error.body(), b"{\"errors\":[{\"message\":\"over capacity\"}]}");
        assert_eq!(messages(&recorded), messages(&failing()));
        generation = recorded;
    }
}

#[tokio::test(start_paused = true)]
async fn a_status_retrying_cannot_fix_stops_the_recording_after_recording_it() {
    let fixture = Fixture {
        meta: Vec::new(),
        connections: vec![connection(403, &[(0, "{\"errors\":[]}")], End::Clean)],
    };
    let dir = tempfile::tempdir().unwrap();
    let server = serve(fixture).await;
    let (report, recorded) =
        record_fixture(config(&server, StreamRequest::V1Sample, &dir.path().join("403.fixture")))
            .await;

    assert!(
        matches!(&report.stop, Stop::GaveUp(reason) if reason.contains("403")),
        "{:?}",
        report.stop
    );
    assert_eq!(sequence(&recorded), vec![(403, End::Clean)]);
}
