//! The reconnect policy: exact wait sequences per failure class, caps,
//! resets and stops.

use std::time::Duration;

use rehose::protocol::{Backoff, BackoffPolicy, Decision, Failure};

fn ms(n: u64) -> Decision {
    Decision::Retry(Duration::from_millis(n))
}

fn secs(n: u64) -> Decision {
    Decision::Retry(Duration::from_secs(n))
}

fn waits(backoff: &mut Backoff, failure: Failure, times: usize) -> Vec<Decision> {
    (0..times).map(|_| backoff.next(&failure)).collect()
}

fn is_stop(decision: &Decision) -> bool {
    matches!(decision, Decision::Stop(_))
}

#[test]
fn default_policy_has_the_documented_values() {
    let policy = BackoffPolicy::default();
    assert_eq!(policy.network_step, Duration::from_millis(250));
    assert_eq!(policy.network_cap, Duration::from_secs(16));
    assert_eq!(policy.http_start, Duration::from_secs(5));
    assert_eq!(policy.http_cap, Duration::from_secs(320));
    assert_eq!(policy.rate_limit_start, Duration::from_secs(60));
    assert_eq!(policy.rate_limit_cap, None);
    assert_eq!(policy.max_retries, None);
}

#[test]
fn four_420s_wait_one_two_four_and_eight_minutes() {
    let mut backoff = Backoff::default();
    assert_eq!(
        waits(&mut backoff, Failure::Http(420), 4),
        [secs(60), secs(120), secs(240), secs(480)]
    );
}

#[test]
fn a_429_backs_off_like_a_420_and_is_uncapped() {
    let mut backoff = Backoff::default();
    let all = waits(&mut backoff, Failure::Http(429), 10);
    assert_eq!(all[0], secs(60));
    assert_eq!(all[9], secs(60 * 512));
}

#[test]
fn rate_limit_cap_applies_when_configured() {
    let policy =
        BackoffPolicy { rate_limit_cap: Some(Duration::from_secs(200)), ..Default::default() };
    let mut backoff = Backoff::new(policy);
    assert_eq!(
        waits(&mut backoff, Failure::Http(420), 4),
        [secs(60), secs(120), secs(200), secs(200)]
    );
}

#[test]
fn three_503s_wait_five_ten_and_twenty_seconds() {
    let mut backoff = Backoff::default();
    assert_eq!(waits(&mut backoff, Failure::Http(503), 3), [secs(5), secs(10), secs(20)]);
}

#[test]
fn http_backoff_is_capped_at_320_seconds() {
    let mut backoff = Backoff::default();
    let all = waits(&mut backoff, Failure::Http(500), 9);
    assert_eq!(all, [5, 10, 20, 40, 80, 160, 320, 320, 320].map(secs));
}

#[test]
fn three_network_errors_wait_250_500_and_750_ms() {
    let mut backoff = Backoff::default();
    assert_eq!(waits(&mut backoff, Failure::Network, 3), [ms(250), ms(500), ms(750)]);
}

#[test]
fn network_backoff_is_capped_at_16_seconds() {
    let mut backoff = Backoff::default();
    let all = waits(&mut backoff, Failure::Network, 70);
    assert_eq!(all[63], secs(16));
    assert_eq!(all[64], secs(16));
    assert_eq!(all[69], secs(16));
    assert_eq!(all[62], ms(15_750));
}

#[test]
fn stalls_share_the_network_counter() {
    let mut backoff = Backoff::default();
    assert_eq!(backoff.next(&Failure::Network), ms(250));
    assert_eq!(backoff.next(&Failure::Stall), ms(500));
    assert_eq!(backoff.next(&Failure::Stall), ms(750));
}

#[test]
fn a_drop_after_a_connection_reconnects_at_once() {
    let mut backoff = Backoff::default();
    backoff.connected();
    assert_eq!(backoff.next(&Failure::Dropped), Decision::Retry(Duration::ZERO));
    backoff.connected();
    assert_eq!(backoff.next(&Failure::Dropped), Decision::Retry(Duration::ZERO));
}

#[test]
fn repeated_drops_without_a_connection_back_off_like_network_errors() {
    let mut backoff = Backoff::default();
    assert_eq!(
        waits(&mut backoff, Failure::Dropped, 4),
        [Decision::Retry(Duration::ZERO), ms(250), ms(500), ms(750)]
    );
}

#[test]
fn a_connection_resets_every_class() {
    let mut backoff = Backoff::default();
    waits(&mut backoff, Failure::Network, 3);
    waits(&mut backoff, Failure::Http(503), 3);
    waits(&mut backoff, Failure::Http(420), 3);
    backoff.connected();
    assert_eq!(backoff.next(&Failure::Network), ms(250));
    assert_eq!(backoff.next(&Failure::Http(503)), secs(5));
    assert_eq!(backoff.next(&Failure::Http(420)), secs(60));
}

#[test]
fn classes_count_independently() {
    let mut backoff = Backoff::default();
    assert_eq!(backoff.next(&Failure::Http(503)), secs(5));
    assert_eq!(backoff.next(&Failure::Network), ms(250));
    assert_eq!(backoff.next(&Failure::Http(420)), secs(60));
    assert_eq!(backoff.next(&Failure::Http(502)), secs(10));
    assert_eq!(backoff.next(&Failure::Network), ms(500));
    assert_eq!(backoff.next(&Failure::Http(429)), secs(120));
}

#[test]
fn stop_codes_stop_with_a_reason_saying_retrying_cannot_help() {
    for status in [403, 404, 406, 413, 416] {
        let mut backoff = Backoff::default();
        match backoff.next(&Failure::Http(status)) {
            Decision::Stop(reason) => {
                assert!(reason.starts_with(&status.to_string()), "{reason}");
                assert!(reason.contains("retrying cannot help"), "{reason}");
            }
            other => panic!("{status} gave {other:?}"),
        }
    }
    let mut backoff = Backoff::default();
    assert_eq!(
        backoff.next(&Failure::Http(404)),
        Decision::Stop("404 not found: the URL is wrong; retrying cannot help".into())
    );
}

#[test]
fn a_401_backs_off_like_an_http_error_and_explains_credentials_and_clock() {
    let mut backoff = Backoff::default();
    assert_eq!(waits(&mut backoff, Failure::Http(401), 2), [secs(5), secs(10)]);
    let why = Backoff::explain(401);
    assert!(why.contains("credentials"), "{why}");
    assert!(why.contains("clock"), "{why}");
}

#[test]
fn the_retry_limit_stops_the_attempt_after_the_last_allowed() {
    let policy = BackoffPolicy { max_retries: Some(2), ..Default::default() };
    let mut backoff = Backoff::new(policy);
    assert_eq!(backoff.next(&Failure::Network), ms(250));
    assert_eq!(backoff.next(&Failure::Http(503)), secs(5));
    assert!(is_stop(&backoff.next(&Failure::Network)));
    backoff.connected();
    assert_eq!(backoff.next(&Failure::Dropped), Decision::Retry(Duration::ZERO));
}

#[test]
fn a_retry_limit_of_zero_never_retries() {
    let policy = BackoffPolicy { max_retries: Some(0), ..Default::default() };
    let mut backoff = Backoff::new(policy);
    assert!(is_stop(&backoff.next(&Failure::Network)));
}

#[test]
fn a_huge_number_of_rate_limits_saturates_instead_of_overflowing() {
    let mut backoff = Backoff::default();
    let last = waits(&mut backoff, Failure::Http(420), 200).pop();
    assert!(matches!(last, Some(Decision::Retry(wait)) if wait > Duration::from_secs(1 << 40)));
}
