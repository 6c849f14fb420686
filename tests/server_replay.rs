//! The mock server replays fixtures: endpoints, framing, pacing,
//! keep-alives, connection order and resuming clients.

mod server_support;

use std::time::Duration;

use rehose::fixture::End;
use rehose::frame::Framing;
use rehose::server::{MockServer, Speed};
use server_support::{connection, fixture, get, request, CLIENT_A, CLIENT_B};

const MSG1: &str = "{\"id\":1}\r\n";
const MSG2: &str = "{\"id\":2}\r\n";
const MSG3: &str = "{\"id\":3}\r\n";
const MSG4: &str = "{\"id\":4}\r\n";

/// Four messages, ten seconds apart, in one connection that stays open.
fn four_messages() -> rehose::fixture::Fixture {
    fixture(vec![connection(
        Framing::Crlf,
        &[(0.0, MSG1), (10.0, MSG2), (20.0, MSG3), (30.0, MSG4)],
        End::Open,
    )])
}

fn text(chunk: &server_support::Received) -> &str {
    std::str::from_utf8(&chunk.data).expect("utf-8 chunk")
}

#[tokio::test(start_paused = true)]
async fn serves_every_streaming_endpoint_as_an_open_chunked_json_response() {
    let server = MockServer::builder().fixture(four_messages()).start().await.unwrap();
    let endpoints = [
        ("GET", "/1.1/statuses/filter.json?track=a"),
        ("POST", "/1.1/statuses/filter.json"),
        ("GET", "/1.1/statuses/sample.json"),
        ("POST", "/1.1/statuses/sample.json"),
        ("GET", "/2/tweets/search/stream"),
        ("GET", "/2/tweets/sample/stream"),
    ];
    for (method, target) in endpoints {
        let body = if method == "POST" { "track=a" } else { "" };
        let mut response = request(server.addr(), method, target, &[], body).await;
        assert_eq!(response.status, 200, "{method} {target}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("transfer-encoding"), Some("chunked"));
        let first = response.chunks(1).await;
        assert_eq!(text(&first[0]), MSG1, "{method} {target}");
    }
}

#[tokio::test(start_paused = true)]
async fn unknown_paths_get_a_json_404_and_wrong_methods_a_405() {
    let server = MockServer::builder().fixture(four_messages()).start().await.unwrap();
    let mut response = get(server.addr(), "/1.1/statuses/nope.json", None).await;
    assert_eq!(response.status, 404);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&response.body().await).unwrap();
    assert_eq!(body["errors"][0]["code"], 34);

    let response = request(server.addr(), "POST", "/2/tweets/sample/stream", &[], "").await;
    assert_eq!(response.status, 405);
}

#[tokio::test(start_paused = true)]
async fn matching_framing_replays_the_recorded_chunks_byte_for_byte() {
    // Chunk boundaries fall inside a message and inside its CRLF.
    let pieces = ["{\"id\":1}\r\n{\"te", "xt\":\"a\\nb\"}\r", "\n\r\n", "{\"id\":3}\r\n"];
    let chunks: Vec<(f64, &str)> = pieces.iter().map(|p| (0.0, *p)).collect();
    let fixture = fixture(vec![connection(Framing::Crlf, &chunks, End::Open)]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let received = response.chunks(pieces.len()).await;
    let received: Vec<&str> = received.iter().map(text).collect();
    assert_eq!(received, pieces);
}

#[tokio::test(start_paused = true)]
async fn length_framing_is_served_to_requests_that_ask_for_it_in_query_or_form() {
    let server = MockServer::builder().fixture(four_messages()).speed(Speed::Max).start().await;
    let server = server.unwrap();
    let expected = ["10\r\n{\"id\":1}\r\n", "10\r\n{\"id\":2}\r\n"];

    let mut response = get(server.addr(), "/1.1/statuses/sample.json?delimited=length", None).await;
    let chunks = response.chunks(2).await;
    assert_eq!(chunks.iter().map(text).collect::<Vec<_>>(), expected);

    let target = "/1.1/statuses/filter.json";
    let mut response =
        request(server.addr(), "POST", target, &[], "delimited=length&track=a").await;
    let chunks = response.chunks(2).await;
    assert_eq!(chunks.iter().map(text).collect::<Vec<_>>(), expected);
}

#[tokio::test(start_paused = true)]
async fn a_length_framed_recording_is_served_with_crlf_to_a_plain_request() {
    let recorded = [(0.0, "10\r\n{\"id\":1}\r\n\r\n10\r\n{\"i"), (1.0, "d\":2}\r\n")];
    let fixture = fixture(vec![connection(Framing::Length, &recorded, End::Open)]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(3).await;
    let received: Vec<&str> = chunks.iter().map(text).collect();
    // The recorded keep-alive is kept between the messages.
    assert_eq!(received, [MSG1, "\r\n", MSG2]);

    let mut response = get(server.addr(), "/1.1/statuses/sample.json?delimited=length", None).await;
    let chunks = response.chunks(2).await;
    assert_eq!(text(&chunks[0]), recorded[0].1);
    assert_eq!(text(&chunks[1]), recorded[1].1);
}

#[tokio::test(start_paused = true)]
async fn chunks_arrive_at_their_recorded_offsets_at_speed_one() {
    let server = MockServer::builder().fixture(four_messages()).start().await.unwrap();
    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(4).await;
    for (i, chunk) in chunks.iter().enumerate() {
        let expected = 10.0 * i as f64;
        let secs = response.secs(chunk.at);
        assert!((secs - expected).abs() < 0.01, "chunk {i} at {secs} s, expected {expected} s");
    }
}

#[tokio::test(start_paused = true)]
async fn speed_ten_replays_ten_times_faster() {
    let server = MockServer::builder()
        .fixture(four_messages())
        .speed(Speed::Factor(10.0))
        .start()
        .await
        .unwrap();
    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(4).await;
    for (i, chunk) in chunks.iter().enumerate() {
        let expected = i as f64;
        let secs = response.secs(chunk.at);
        assert!((secs - expected).abs() < 0.01, "chunk {i} at {secs} s, expected {expected} s");
    }
}

#[tokio::test(start_paused = true)]
async fn idle_stretches_get_keep_alives_at_the_protocol_interval() {
    let recorded = [(0.0, MSG1), (70.0, MSG2)];
    let fixture = fixture(vec![connection(Framing::Crlf, &recorded, End::Open)]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    // v1.1: every 30 s of silence, and on after the recording runs out.
    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(6).await;
    let got: Vec<(String, u64)> =
        chunks.iter().map(|c| (text(c).to_owned(), response.secs(c.at).round() as u64)).collect();
    let expected =
        [(MSG1, 0), ("\r\n", 30), ("\r\n", 60), (MSG2, 70), ("\r\n", 100), ("\r\n", 130)];
    let expected: Vec<(String, u64)> = expected.iter().map(|(t, s)| (t.to_string(), *s)).collect();
    assert_eq!(got, expected);

    // v2: every 20 s.
    let mut response = get(server.addr(), "/2/tweets/sample/stream", None).await;
    let chunks = response.chunks(4).await;
    let secs: Vec<u64> = chunks.iter().map(|c| response.secs(c.at).round() as u64).collect();
    assert_eq!(secs, [0, 20, 40, 60]);
}

#[tokio::test(start_paused = true)]
async fn no_keep_alive_is_sent_in_the_middle_of_a_message() {
    let recorded = [(0.0, "{\"id\":1}\r\n{\"id\""), (70.0, ":2}\r\n")];
    let fixture = fixture(vec![connection(Framing::Crlf, &recorded, End::Open)]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(3).await;
    assert_eq!(text(&chunks[1]), ":2}\r\n");
    assert_eq!(response.secs(chunks[1].at).round(), 70.0);
    assert_eq!(text(&chunks[2]), "\r\n");
    assert_eq!(response.secs(chunks[2].at).round(), 100.0);
}

#[tokio::test(start_paused = true)]
async fn connections_are_served_in_order_and_a_disconnect_message_closes_the_stream() {
    let disconnect = "{\"disconnect\":{\"code\":7,\"stream_name\":\"s\",\"reason\":\"r\"}}\r\n";
    let fixture = fixture(vec![
        connection(Framing::Crlf, &[(0.0, MSG1), (1.0, disconnect)], End::Clean),
        connection(Framing::Crlf, &[(0.0, MSG2), (1.0, MSG3)], End::Open),
    ]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    let mut first = get(server.addr(), "/1.1/statuses/filter.json?track=a", Some(CLIENT_A)).await;
    let chunks = first.chunks(2).await;
    assert_eq!(text(&chunks[1]), disconnect);
    assert!(first.chunk().await.unwrap().is_none(), "the body ends after the disconnect");
    assert!(first.is_closed().await, "the server closes the connection");

    let mut second = get(server.addr(), "/1.1/statuses/filter.json?track=a", Some(CLIENT_A)).await;
    let chunks = second.chunks(2).await;
    assert_eq!([text(&chunks[0]), text(&chunks[1])], [MSG2, MSG3]);
}

#[tokio::test(start_paused = true)]
async fn a_recorded_reset_cuts_the_connection_without_ending_the_body() {
    let fixture = fixture(vec![
        connection(Framing::Crlf, &[(0.0, MSG1)], End::Reset),
        connection(Framing::Crlf, &[(0.0, MSG2)], End::Open),
    ]);
    let server = MockServer::builder().fixture(fixture).start().await.unwrap();

    let mut first = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    assert_eq!(text(&first.chunks(1).await[0]), MSG1);
    assert!(first.chunk().await.is_err(), "no last chunk after a reset");

    let mut second = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    assert_eq!(text(&second.chunks(1).await[0]), MSG2);
}

#[tokio::test(start_paused = true)]
async fn a_reconnecting_client_resumes_at_its_first_unsent_message() {
    let server = MockServer::builder().fixture(four_messages()).start().await.unwrap();

    let mut first = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    first.chunks(2).await;
    drop(first);

    let mut again = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    let chunks = again.chunks(2).await;
    assert_eq!([text(&chunks[0]), text(&chunks[1])], [MSG3, MSG4]);
    // The first resumed message goes out at once, the next keeps its gap.
    assert_eq!(again.secs(chunks[0].at).round(), 0.0);
    assert_eq!(again.secs(chunks[1].at).round(), 10.0);

    // Another client, and a client without credentials, start afresh.
    let mut other = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_B)).await;
    assert_eq!(text(&other.chunks(1).await[0]), MSG1);
    let mut anonymous = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    assert_eq!(text(&anonymous.chunks(1).await[0]), MSG1);
}

#[tokio::test(start_paused = true)]
async fn restart_on_reconnect_replays_from_the_first_message() {
    let server = MockServer::builder()
        .fixture(four_messages())
        .restart_on_reconnect(true)
        .start()
        .await
        .unwrap();
    let mut first = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    first.chunks(2).await;
    drop(first);
    let mut again = get(server.addr(), "/1.1/statuses/sample.json", Some(CLIENT_A)).await;
    assert_eq!(text(&again.chunks(1).await[0]), MSG1);
}

#[tokio::test(start_paused = true)]
async fn loop_forever_runs_the_fixture_again_after_its_end() {
    let fixture = fixture(vec![connection(Framing::Crlf, &[(0.0, MSG1), (1.0, MSG2)], End::Open)]);
    let server = MockServer::builder()
        .fixture(fixture)
        .speed(Speed::Max)
        .loop_forever(true)
        .start()
        .await
        .unwrap();
    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    let chunks = response.chunks(5).await;
    let received: Vec<&str> = chunks.iter().map(text).collect();
    assert_eq!(received, [MSG1, MSG2, MSG1, MSG2, MSG1]);
}

#[tokio::test(start_paused = true)]
async fn two_clients_at_once_each_get_the_whole_replay() {
    let server = MockServer::builder().fixture(four_messages()).start().await.unwrap();
    let addr = server.addr();
    let read_all = |authorization| async move {
        let mut response = get(addr, "/1.1/statuses/sample.json", authorization).await;
        let chunks = response.chunks(4).await;
        chunks.iter().map(|c| text(c).to_owned()).collect::<Vec<_>>()
    };
    let (a, b) = tokio::join!(read_all(Some(CLIENT_A)), read_all(Some(CLIENT_B)));
    assert_eq!(a, [MSG1, MSG2, MSG3, MSG4]);
    assert_eq!(a, b);
}

#[tokio::test(start_paused = true)]
async fn a_reader_that_does_not_read_holds_the_replay_back() {
    // 4,096 chunks of 16 KiB: 64 MiB, shared, replayed as fast as read.
    let message = format!("{{\"text\":\"{}\"}}\r\n", "x".repeat(16 * 1024 - 13));
    let chunks: Vec<(f64, &str)> = (0..4096).map(|_| (0.0, message.as_str())).collect();
    let fixture = fixture(vec![connection(Framing::Crlf, &chunks, End::Open)]);
    let server = MockServer::builder()
        .fixture(fixture)
        .speed(Speed::Max)
        .keep_alive(Duration::ZERO)
        .start()
        .await
        .unwrap();

    let mut response = get(server.addr(), "/1.1/statuses/sample.json", None).await;
    // The paused clock only moves when every task waits: by then the
    // server waits for the socket to drain.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let stalled = server.journal()[0].stream.as_ref().unwrap().bytes;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(server.journal()[0].stream.as_ref().unwrap().bytes, stalled);
    assert!(stalled < 24 << 20, "{stalled} bytes sent to a reader that read nothing");

    eprintln!("{stalled} bytes in flight to a reader that read nothing");

    // Once the reader reads, the replay goes on to the end.
    let chunks = response.chunks(4096).await;
    assert!(chunks.iter().all(|c| c.data.len() == message.len()));
    assert_eq!(server.journal()[0].stream.as_ref().unwrap().messages, 4096);
}
