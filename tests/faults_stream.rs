//! Established streams that the mock drops (clean end, cut in the middle
//! of a message, reset, in-band disconnect, v2 operational disconnect) or
//! stalls, and what the client makes of it: an immediate reconnect, no
//! message lost, none twice, no partial one.

mod faults_support;

use std::time::Duration;

use rehose::server::{Attempt, Scenario, StreamAttempt, StreamEnd};

use faults_support::{attempts, gaps, mock, numbered, v1, v2, watch};

/// Runs one stream attempt of `fault` after 4 messages against a v1.1 (or
/// v2) client, and returns the ids seen before 10 messages arrived.
async fn drop_after_four(fault: StreamAttempt, is_v2: bool, end: StreamEnd) -> Vec<usize> {
    let server = mock(numbered(10), Scenario::new().attempt(fault)).await;
    let client = if is_v2 { v2(&server) } else { v1(&server) }.build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 10).await;

    assert_eq!(seen.delays, [Duration::ZERO], "{seen:?}");
    assert!(seen.contains("reconnecting Dropped 0ns"), "{seen:?}");
    assert_eq!(gaps(&server), [Duration::ZERO]);
    let first = &attempts(&server)[0];
    assert_eq!(first.stream.as_ref().map(|s| s.end), Some(end));
    server.assert_scenario_complete();
    seen.ids()
}

#[tokio::test(start_paused = true)]
async fn a_stream_that_ends_cleanly_is_resumed_at_once_with_the_next_message() {
    let ids =
        drop_after_four(Attempt::stream().after_messages(4).end(), false, StreamEnd::Completed)
            .await;
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_stream_cut_mid_message_never_delivers_the_partial_message_and_resumes_with_it() {
    let server =
        mock(numbered(10), Scenario::new().attempt(Attempt::stream().after_messages(4).cut()))
            .await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 10).await;

    assert_eq!(seen.ids(), (1..=10).collect::<Vec<_>>());
    assert!(seen.contains("frame error Truncated"), "{seen:?}");
    assert!(seen.contains("connection error the stream broke"), "{seen:?}");
    assert_eq!(seen.delays, [Duration::ZERO]);
    assert_eq!(gaps(&server), [Duration::ZERO]);
    let entries = attempts(&server);
    assert_eq!(entries[0].stream.as_ref().map(|s| (s.messages, s.end)), Some((4, StreamEnd::Cut)));
    assert_eq!(entries[1].stream.as_ref().map(|s| s.first_message), Some(4));
}

#[tokio::test(start_paused = true)]
async fn a_reset_stream_is_resumed_at_once() {
    let ids =
        drop_after_four(Attempt::stream().after_messages(4).reset(), false, StreamEnd::Reset).await;
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn an_in_band_disconnect_is_delivered_and_followed_by_an_immediate_reconnect() {
    let fault = Attempt::stream().after_messages(4).disconnect(12);
    let server = mock(numbered(10), Scenario::new().attempt(fault)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 10).await;

    assert!(seen.contains("disconnect {\"disconnect\":{\"code\":12"), "{seen:?}");
    assert_eq!(seen.ids(), (1..=10).collect::<Vec<_>>());
    assert_eq!(seen.delays, [Duration::ZERO]);
    assert_eq!(gaps(&server), [Duration::ZERO]);
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn a_v2_operational_disconnect_is_followed_by_an_immediate_reconnect() {
    let fault =
        Attempt::stream().after_messages(4).operational_disconnect("UpstreamUncleanDisconnect");
    let ids = drop_after_four(fault, true, StreamEnd::Disconnected).await;
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_falling_behind_warning_is_delivered_and_the_stream_goes_on() {
    let fault = Attempt::stream().after_messages(2).warning(60).after_messages(6).end();
    let server = mock(numbered(10), Scenario::new().attempt(fault)).await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.ids().len() == 10).await;

    assert!(seen.contains("\"code\":\"FALLING_BEHIND\""), "{seen:?}");
    assert!(seen.contains("\"percent_full\":60"), "{seen:?}");
    assert_eq!(seen.ids(), (1..=10).collect::<Vec<_>>());
    assert_eq!(seen.connected, 2);
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn every_complete_message_arrives_exactly_once_through_a_run_of_faults() {
    let scenario = Scenario::new()
        .attempt(Attempt::stream().after_messages(3).end())
        .attempt(Attempt::stream().after_messages(2).cut())
        .attempt(Attempt::status(503))
        .attempt(Attempt::stream().after_bytes(200).reset())
        .attempt(Attempt::reset())
        .attempt(Attempt::stream().after_messages(1).disconnect(10))
        .attempt(Attempt::stream().after(Duration::from_secs(5)).cut());
    let server = mock(numbered(30), scenario).await;
    let client = v1(&server).build().unwrap();

    // Six connections answer 200; the last is past the script.
    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 6).await;

    assert_eq!(seen.ids(), (1..=30).collect::<Vec<_>>(), "{seen:?}");
    server.assert_scenario_complete();
    // Never two connections at once: each attempt ended before the next.
    let entries = attempts(&server);
    assert_eq!(entries.len(), 8);
    for pair in entries.windows(2) {
        let ended = pair[0].ended.expect("ended");
        assert!(ended <= pair[1].elapsed, "{pair:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_stalled_v1_stream_is_replaced_after_90_seconds_of_silence() {
    let server =
        mock(numbered(10), Scenario::new().attempt(Attempt::stream().after_messages(4).stall()))
            .await;
    let client = v1(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 2).await;

    let stalled = seen.events.iter().find(|(_, line)| line.contains("stalled")).expect("a stall");
    let last_message =
        seen.events.iter().rfind(|(at, line)| line.starts_with("status") && *at < stalled.0);
    assert_eq!(stalled.0 - last_message.unwrap().0, Duration::from_secs(90));
    assert!(seen.contains("reconnecting Stall 250ms"), "{seen:?}");
    let entries = attempts(&server);
    assert_eq!(entries[1].elapsed - entries[0].elapsed, Duration::from_millis(90_250));
    server.assert_scenario_complete();
}

#[tokio::test(start_paused = true)]
async fn a_stalled_v2_stream_is_replaced_after_22_seconds_of_silence() {
    let server = mock(numbered(10), Scenario::new().attempt(Attempt::stream().stall())).await;
    let client = v2(&server).build().unwrap();

    let mut events = client.stream();
    let seen = watch(&mut events, |seen| seen.connected == 2).await;

    assert!(seen.contains("no byte received for 22s"), "{seen:?}");
    let entries = attempts(&server);
    assert_eq!(entries[1].elapsed - entries[0].elapsed, Duration::from_millis(22_250));
}

#[tokio::test(start_paused = true)]
async fn stop_is_immediate_and_final_even_with_a_retry_scheduled() {
    let server = mock(numbered(10), Scenario::new().attempt(Attempt::status(420))).await;
    let client = v1(&server).build().unwrap();

    let handle = client.spawn(Quiet);
    // The 420 came back at once; a 60 s retry is now pending.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(handle.counters().reconnects, 1);
    let stopped_at = tokio::time::Instant::now();
    handle.stop();
    handle.join().await.unwrap();
    assert_eq!(stopped_at.elapsed(), Duration::ZERO);

    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(attempts(&server).len(), 1);
}

struct Quiet;

impl rehose::client::Listener for Quiet {}
