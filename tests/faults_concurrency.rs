//! One connection per credential: a second stream is refused (420 on
//! v1.1, 429 on v2) or displaces the first with a disconnect code 7.

mod faults_support;

use std::time::Duration;

use rehose::server::{OneConnection, Scenario};

use faults_support::{attempts, mock, numbered, secs, v1, v2, watch};

#[tokio::test(start_paused = true)]
async fn a_second_v1_stream_with_the_same_credentials_is_refused_with_420() {
    let scenario = Scenario::new().one_connection_per_client(OneConnection::Refuse);
    let server = mock(numbered(3), scenario).await;
    let first = v1(&server).build().unwrap();
    let second = v1(&server).build().unwrap();

    let mut a = first.stream();
    let _ = watch(&mut a, |seen| seen.messages.len() == 3).await;
    let mut b = second.stream();
    let seen = watch(&mut b, |seen| seen.delays.len() == 1).await;

    assert!(seen.contains("request error 420 Exceeded connection limit for user"), "{seen:?}");
    assert_eq!(seen.delays, secs(&[60]));
    let entries = attempts(&server);
    assert_eq!(entries[1].fault.as_deref(), Some("one connection per client: refused"));
}

#[tokio::test(start_paused = true)]
async fn a_second_v2_stream_with_the_same_token_is_refused_with_429_too_many_connections() {
    let scenario = Scenario::new().one_connection_per_client(OneConnection::Refuse);
    let server = mock(numbered(3), scenario).await;
    let first = v2(&server).build().unwrap();
    let second = v2(&server).build().unwrap();

    let mut a = first.stream();
    let _ = watch(&mut a, |seen| seen.messages.len() == 3).await;
    let mut b = second.stream();
    let seen = watch(&mut b, |seen| seen.delays.len() == 1).await;

    assert!(seen.contains("request error 429"), "{seen:?}");
    assert!(seen.contains("TooManyConnections"), "{seen:?}");
    assert_eq!(seen.delays, secs(&[60]));
}

#[tokio::test(start_paused = true)]
async fn once_the_first_stream_is_gone_the_same_credentials_connect_again() {
    let scenario = Scenario::new().one_connection_per_client(OneConnection::Refuse);
    let server = mock(numbered(3), scenario).await;
    let first = v1(&server).build().unwrap();

    let mut a = first.stream();
    let _ = watch(&mut a, |seen| seen.messages.len() == 3).await;
    drop(a);
    tokio::time::sleep(Duration::from_millis(10)).await;

    let mut b = v1(&server).build().unwrap().stream();
    let seen = watch(&mut b, |seen| seen.connected == 1 || !seen.delays.is_empty()).await;
    assert_eq!(seen.connected, 1, "{seen:?}");
}

#[tokio::test(start_paused = true)]
async fn a_second_stream_displaces_the_first_with_a_disconnect_code_7() {
    let scenario = Scenario::new().one_connection_per_client(OneConnection::Displace);
    let server = mock(numbered(3), scenario).await;
    let first = v1(&server).build().unwrap();
    let second = v1(&server).build().unwrap();

    let mut a = first.stream();
    let _ = watch(&mut a, |seen| seen.messages.len() == 3).await;
    let mut b = second.stream();
    let _ = watch(&mut b, |seen| seen.connected == 1).await;
    let seen = watch(&mut a, |seen| !seen.delays.is_empty()).await;

    assert!(seen.contains("disconnect {\"disconnect\":{\"code\":7"), "{seen:?}");
    assert!(seen.contains("connection error the server closed the stream"), "{seen:?}");
    assert_eq!(seen.delays, [Duration::ZERO]);
}
