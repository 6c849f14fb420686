//! Consuming a stream: through a listener, through the event stream, and
//! on a spawned task that can be stopped at any moment.

mod client_support;

use std::ops::ControlFlow;
use std::time::Duration;

use futures_util::StreamExt;
use rehose::client::{CloseReason, Event, Flow, Listener};
use rehose::message::Message;
use rehose::protocol::{Failure, StreamRequest, V2Params};
use tokio::sync::mpsc;
use tokio::time::Instant;

use client_support::{chunk, describe, stream, v1_sample, Reply, Step, TestServer};

const STATUS: &str = r#"{"id_str":"1","id":1,"text":"hi","user":{"id":7,"id_str":"7"}}"#;
const DELETE: &str = r#"{"delete":{"status":{"id":2,"id_str":"2","user_id":7,"user_id_str":"7"},"timestamp_ms":"1"}}"#;
const LIMIT: &str = r#"{"limit":{"track":5,"timestamp_ms":"1"}}"#;

/// Records every callback as a line.
#[derive(Default)]
struct Recorder {
    calls: Vec<String>,
    stop_on_limit: bool,
}

impl Listener for Recorder {
    fn on_connect(&mut self, status: u16) -> Flow {
        self.calls.push(format!("connect {status}"));
        ControlFlow::Continue(())
    }

    fn on_status(&mut self, message: &Message) -> Flow {
        self.calls.push(format!("status {}", message.id().unwrap_or(0)));
        ControlFlow::Continue(())
    }

    fn on_delete(&mut self, message: &Message) -> Flow {
        self.calls.push(format!("delete {}", message.id().unwrap_or(0)));
        ControlFlow::Continue(())
    }

    fn on_limit(&mut self, _: &Message) -> Flow {
        self.calls.push("limit".into());
        if self.stop_on_limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn on_keep_alive(&mut self) -> Flow {
        self.calls.push("keep-alive".into());
        ControlFlow::Continue(())
    }

    fn on_closed(&mut self, reason: &CloseReason) {
        self.calls.push(format!("closed {reason:?}"));
    }
}

fn three_kinds() -> Reply {
    let body = format!("{STATUS}\r\n\r\n{DELETE}\r\n{LIMIT}\r\n");
    stream(vec![chunk(&body), Step::Hold])
}

#[tokio::test(start_paused = true)]
async fn a_listener_gets_one_callback_per_kind_and_can_stop_the_stream() {
    let server = TestServer::start(vec![three_kinds()]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut recorder = Recorder { stop_on_limit: true, ..Recorder::default() };
    client.run(&mut recorder).await.unwrap();

    assert_eq!(
        recorder.calls,
        ["connect 200", "status 1", "keep-alive", "delete 2", "limit", "closed Stopped"]
    );
    // The run returned with its connection closed, and nothing reconnects.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(server.journal.connections(), 1);
    assert_eq!(server.journal.hangups.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_event_stream_yields_connection_messages_and_keep_alives_in_order() {
    let server = TestServer::start(vec![three_kinds()]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let events: Vec<String> = client.stream().take(5).map(|event| describe(&event)).collect().await;

    assert_eq!(
        events,
        [
            "connected 200".to_owned(),
            format!("status {STATUS}"),
            "keep-alive".to_owned(),
            format!("delete {DELETE}"),
            format!("limit {LIMIT}"),
        ]
    );
    let counters = client.counters();
    assert_eq!(counters.connects, 1);
    assert_eq!(counters.keep_alives, 1);
    assert_eq!(counters.messages.get("status"), Some(&1));
    assert_eq!(counters.message_bytes.get("limit"), Some(&(LIMIT.len() as u64)));
}

#[tokio::test(start_paused = true)]
async fn the_request_carries_the_user_agent_gzip_and_authorization_headers() {
    let server = TestServer::start(vec![three_kinds()]).await;
    let client = v1_sample(&server.url()).gzip(true).user_agent("probe/1").build().unwrap();

    let mut events = client.stream();
    assert!(matches!(events.next().await, Some(Event::Connected { status: 200 })));

    let request = server.journal.requests().remove(0).to_ascii_lowercase();
    assert!(request.starts_with("get /1.1/statuses/sample.json http/1.1\r\n"), "{request}");
    assert!(request.contains("user-agent: probe/1\r\n"), "{request}");
    assert!(request.contains("accept-encoding: gzip\r\n"), "{request}");
    assert!(request.contains("authorization: oauth "), "{request}");
}

/// A v2 listener noting the parts of each response.
#[derive(Default)]
struct V2Recorder(Vec<String>);

impl Listener for V2Recorder {
    fn on_tweet(&mut self, message: &Message) -> Flow {
        self.0.push(format!("tweet {}", message.id().unwrap_or(0)));
        ControlFlow::Continue(())
    }

    fn on_includes(&mut self, _: &Message, includes: &str) -> Flow {
        self.0.push(format!("includes {includes}"));
        ControlFlow::Continue(())
    }

    fn on_matching_rules(&mut self, _: &Message, rules: &str) -> Flow {
        self.0.push(format!("rules {rules}"));
        ControlFlow::Break(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_v2_response_calls_tweet_includes_and_matching_rules() {
    let tweet = r#"{"data":{"id":"9","text":"x"},"includes":{"users":[]},"matching_rules":[{"id":"1","tag":"t"}]}"#;
    let server =
        TestServer::start(vec![stream(vec![chunk(&format!("{tweet}\r\n")), Step::Hold])]).await;
    let client = rehose::client::Client::builder()
        .request(StreamRequest::V2Search(V2Params::default()))
        .bearer_token("token")
        .base_url(server.url())
        .build()
        .unwrap();

    let mut recorder = V2Recorder::default();
    client.run(&mut recorder).await.unwrap();

    assert_eq!(
        recorder.0,
        ["tweet 9", "includes {\"users\":[]}", r#"rules [{"id":"1","tag":"t"}]"#]
    );
    let request = server.journal.requests().remove(0);
    assert!(request.starts_with("GET /2/tweets/search/stream HTTP/1.1\r\n"), "{request}");
    assert!(request.contains("authorization: Bearer token\r\n"), "{request}");
}

/// Tells the test about connections and reconnections as they happen.
struct Signal(mpsc::UnboundedSender<String>);

impl Listener for Signal {
    fn on_connect(&mut self, _: u16) -> Flow {
        let _ = self.0.send("connected".into());
        ControlFlow::Continue(())
    }

    fn on_reconnect(&mut self, cause: &Failure, delay: Duration) -> Flow {
        let _ = self.0.send(format!("reconnect {cause:?} {delay:?}"));
        ControlFlow::Continue(())
    }

    fn on_closed(&mut self, reason: &CloseReason) {
        let _ = self.0.send(format!("closed {reason:?}"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_spawned_stream_stops_at_once_while_the_socket_is_silent() {
    let server = TestServer::start(vec![stream(vec![Step::Hold])]).await;
    let client = v1_sample(&server.url()).build().unwrap();
    let (sender, mut signals) = mpsc::unbounded_channel();

    let handle = client.spawn(Signal(sender));
    assert_eq!(signals.recv().await.unwrap(), "connected");
    tokio::time::sleep(Duration::from_secs(30)).await;

    let stopped_at = Instant::now();
    handle.stop();
    handle.join().await.unwrap();
    assert_eq!(stopped_at.elapsed(), Duration::ZERO);
    assert_eq!(signals.recv().await.unwrap(), "closed Stopped");

    // Long past any stall timeout, no second connection was attempted.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(server.journal.connections(), 1);
    assert_eq!(server.journal.hangups.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_spawned_stream_stops_at_once_while_a_retry_sleep_is_pending() {
    let server = TestServer::start(vec![Reply::Status(503, "busy")]).await;
    let client = v1_sample(&server.url()).build().unwrap();
    let (sender, mut signals) = mpsc::unbounded_channel();

    let handle = client.spawn(Signal(sender));
    assert_eq!(signals.recv().await.unwrap(), "reconnect Http(503) 5s");
    tokio::time::sleep(Duration::from_secs(2)).await;

    let stopped_at = Instant::now();
    handle.stop();
    handle.join().await.unwrap();
    assert_eq!(stopped_at.elapsed(), Duration::ZERO);

    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(server.journal.connections(), 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_event_stream_closes_the_connection_and_stops_reconnecting() {
    let server = TestServer::start(vec![stream(vec![Step::Hold])]).await;
    let client = v1_sample(&server.url()).build().unwrap();

    let mut events = client.stream();
    assert!(matches!(events.next().await, Some(Event::Connected { .. })));
    drop(events);

    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(server.journal.connections(), 1);
    assert_eq!(server.journal.hangups.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_consumer_that_sleeps_on_every_message_keeps_memory_bounded() {
    // 64 KiB chunks of 1 KiB messages, as many as the client will take.
    let message = format!("{{\"id_str\":\"1\",\"pad\":\"{}\"}}\r\n", "x".repeat(1000));
    let flood = message.repeat(64).into_bytes();
    let server = TestServer::start(vec![stream(vec![Step::Flood(flood)])]).await;
    let client = v1_sample(&server.url()).queue_capacity(16).build().unwrap();

    let mut events = client.stream();
    let mut seen = 0;
    let mut written_after = Vec::new();
    while seen < 300 {
        if let Some(Event::Message(_)) = events.next().await {
            seen += 1;
            // A slow consumer: one message a second.
            tokio::time::sleep(Duration::from_secs(1)).await;
            if seen % 100 == 0 {
                written_after
                    .push(server.journal.written.load(std::sync::atomic::Ordering::SeqCst));
            }
        }
    }

    // Socket buffers and the queue hold a few MiB at most; an unbounded
    // reader would have taken everything the server could write.
    let written = *written_after.last().unwrap();
    assert!(written < 32 << 20, "server wrote {written} bytes");
    // Writes are blocked: the server only writes as fast as the consumer reads.
    let growth = written_after[2] - written_after[1];
    assert!(growth < 1 << 20, "server wrote {growth} bytes while 100 messages were read");
}
