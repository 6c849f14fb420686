//! Faults below HTTP: connections reset before any response, and a
//! malformed chunked encoding written by hand, with the client's linear
//! network backoff.

mod faults_support;

use std::time::Duration;

use rehose::server::{Attempt, Scenario, StreamEnd};

use faults_support::{attempts, gaps, millis, mock, numbered, v1, watch};

#[tokio::test(start_paused = true)]
async fn three_connections_reset_before_any_response_back_off_250_500_and_750_ms() {
    let server = mock(numbered(5), Scenario::new().attempt_times(Attempt::reset(), 3)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 1).await;

    assert_eq!(seen.delays, millis(&[250, 500, 750]));
    assert!(seen.events.iter().filter(|(_, e)| e == "reconnecting Network 250ms").count() == 1);
    assert_eq!(gaps(&server), millis(&[250, 500, 750]));
    let entries = attempts(&server);
    assert_eq!(entries[0].status, 0);
    assert_eq!(entries[0].fault.as_deref(), Some("attempt 0: reset before response"));
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn a_malformed_chunk_is_a_network_error_and_the_client_reconnects() {
    let fault = Attempt::stream().after_messages(3).malformed_chunk();
    let server = mock(numbered(6), Scenario::new().attempt(fault)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 6).await;

    assert_eq!(seen.ids(), (1..=6).collect::<Vec<_>>());
    assert!(seen.contains("connection error the stream broke"), "{seen:?}");
    assert_eq!(seen.delays, [Duration::from_millis(250)], "{seen:?}");
    assert_eq!(gaps(&server), [Duration::from_millis(250)]);
    let first = &attempts(&server)[0];
    assert_eq!(first.stream.as_ref().map(|s| s.end), Some(StreamEnd::Malformed));
    server.assert_scenario_complete();
}
