//! The reconnect policy of section 6 of the protocol, as a pure state
//! machine: given what went wrong, how long to wait before the next attempt,
//! or whether to stop.

use std::time::Duration;

/// The reconnect timings. Every field is configurable; the defaults are the
/// documented ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Linear step for network errors; default 250 ms.
    pub network_step: Duration,
    /// Cap for network errors; default 16 s.
    pub network_cap: Duration,
    /// First wait after an HTTP error; default 5 s, doubling.
    pub http_start: Duration,
    /// Cap for HTTP errors; default 320 s.
    pub http_cap: Duration,
    /// First wait after a 420 or 429; default 60 s, doubling.
    pub rate_limit_start: Duration,
    /// Cap for 420 and 429; default none, as the service documented.
    pub rate_limit_cap: Option<Duration>,
    /// How many failed attempts in a row before giving up; default none.
    pub max_retries: Option<u32>,
}

/// Why a connection attempt or an established stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// An established stream ended (server closed, in-band disconnect, or a
    /// network error after data flowed): reconnect at once.
    Dropped,
    /// The connection could not be made or broke before the response head
    /// (refused, reset, timeout, TLS, broken chunking).
    Network,
    /// No byte for longer than the stall timeout.
    Stall,
    /// The server answered with this non-200 status.
    Http(u16),
}

/// What to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then connect again.
    Retry(Duration),
    /// Give up: retrying cannot help, or the retry limit is reached.
    Stop(String),
}

/// The backoff state between attempts.
#[derive(Clone, Debug)]
pub struct Backoff {
    policy: BackoffPolicy,
}

impl Backoff {
    /// Fresh state for `policy`.
    pub fn new(policy: BackoffPolicy) -> Backoff {
        Backoff { policy }
    }

    /// Records a successful connection (a 200 response): all backoff resets.
    pub fn connected(&mut self) {
        todo!("backoff")
    }

    /// Decides what follows `failure`.
    pub fn next(&mut self, failure: &Failure) -> Decision {
        let _ = (failure, &self.policy);
        todo!("backoff")
    }
}
