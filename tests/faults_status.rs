//! Scripted refusals (420, 429, 401, 503 and the statuses that cannot be
//! retried) and the client's reaction to each, timed on the paused clock
//! from both sides: the client's reconnect events and the mock's journal.

mod faults_support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rehose::client::Error;
use rehose::protocol::Failure;
use rehose::server::{Attempt, Scenario};

use faults_support::{attempts, gaps, mock, numbered, secs, v1, v2, watch};

#[tokio::test(start_paused = true)]
async fn reconnects_after_420_with_a_minute_of_backoff_doubling() {
    let server = mock(numbered(5), Scenario::new().attempt_times(Attempt::status(420), 4)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 1).await;

    assert_eq!(seen.delays, secs(&[60, 120, 240, 480]));
    assert!(seen.contains("request error 420 Exceeded connection limit for user"), "{seen:?}");
    assert_eq!(gaps(&server), secs(&[60, 120, 240, 480]));
    let faults: Vec<_> = attempts(&server).iter().map(|e| e.fault.clone()).collect();
    assert_eq!(faults[0].as_deref(), Some("attempt 0: status 420"));
    assert_eq!(faults[4], None);
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn backs_off_5_10_and_20_seconds_after_three_503s() {
    let server = mock(numbered(5), Scenario::new().attempt_times(Attempt::status(503), 3)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 1).await;

    assert_eq!(seen.delays, secs(&[5, 10, 20]));
    assert_eq!(gaps(&server), secs(&[5, 10, 20]));
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn a_v2_429_too_many_connections_backs_off_a_minute_doubling() {
    let scenario = Scenario::new().attempt_times(Attempt::status(429).retry_after(60), 2);
    let server = mock(numbered(5), scenario).await;
    let client = v2(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 1).await;

    assert_eq!(seen.delays, secs(&[60, 120]));
    assert!(seen.contains("\"connection_issue\":\"TooManyConnections\""), "{seen:?}");
    assert_eq!(gaps(&server), secs(&[60, 120]));
}

/// A writer into a shared buffer, for reading what the client logged.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_401_backs_off_from_5_seconds_and_the_client_names_its_likely_causes() {
    // A global subscriber: call sites cache their interest process-wide,
    // so a per-thread one can miss lines while other tests run.
    static LOG: std::sync::OnceLock<Log> = std::sync::OnceLock::new();
    let log = LOG.get_or_init(|| {
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        log
    });

    let server = mock(numbered(5), Scenario::new().attempt_times(Attempt::status(401), 2)).await;
    let client = v1(&server).build().unwrap();
    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 1).await;

    assert_eq!(seen.delays, secs(&[5, 10]));
    assert_eq!(gaps(&server), secs(&[5, 10]));
    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    let line = logged.lines().find(|line| line.contains("status=401")).unwrap_or_default();
    assert!(line.contains("credentials"), "{logged}");
    assert!(line.contains("clock"), "{logged}");
}

#[tokio::test(start_paused = true)]
async fn statuses_that_retrying_cannot_help_stop_at_once_with_no_further_attempt() {
    for status in [403, 404, 406, 413, 416] {
        let server = mock(numbered(5), Scenario::new().attempt(Attempt::status(status))).await;
        let client = v1(&server).build().unwrap();

        let outcome = client.run(&mut Quiet).await;
        let Err(Error::GaveUp { failure, reason }) = outcome else {
            panic!("{status}: {outcome:?}");
        };
        assert_eq!(failure, Failure::Http(status));
        assert!(reason.contains(&status.to_string()), "{reason}");

        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(attempts(&server).len(), 1, "{status}");
        server.assert_scenario_complete();
    }
}

struct Quiet;

impl rehose::client::Listener for Quiet {}

#[tokio::test(start_paused = true)]
async fn verify_scenario_lists_the_faults_that_never_fired() {
    let scenario = Scenario::new()
        .attempt(Attempt::status(503))
        .attempt(Attempt::stream().after_messages(500).disconnect(7));
    let server = mock(numbered(5), scenario).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let _ = watch(&mut events, |seen| seen.messages.len() == 5).await;

    let unfired = server.verify_scenario().unwrap_err();
    assert_eq!(unfired.missing, ["attempt 1: after 500 messages disconnect 7"]);
}
