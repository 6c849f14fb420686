//! The reconnect policy of section 6 of the protocol, as a pure state
//! machine: given what went wrong, how long to wait before the next attempt,
//! or whether to stop. No clock lives here; the caller sleeps.
//!
//! Three classes of failure back off independently, each with its own
//! counter, and [`Backoff::connected`] resets all of them (as widely used
//! clients did):
//!
//! | failure | waits |
//! |---|---|
//! | [`Failure::Dropped`] after a successful connection | 0 |
//! | [`Failure::Network`], [`Failure::Stall`], a repeated drop | 250 ms, 500 ms, 750 ms, ... capped at 16 s |
//! | [`Failure::Http`] 420, 429 | 60 s, 120 s, 240 s, ... uncapped by default |
//! | [`Failure::Http`] 403, 404, 406, 413, 416 | stop: retrying cannot help |
//! | [`Failure::Http`] 401 and any other status | 5 s, 10 s, 20 s, ... capped at 320 s |
//!
//! A 420 does not reset the HTTP counter nor the other way round: the
//! classes measure different troubles, and only a 200 proves all of them
//! over. [`Backoff::explain`] gives a sentence for a status, for the log
//! line that accompanies a retry (a 401 says to check credentials and the
//! clock).

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
    ///
    /// With `Some(n)`, the first `n` failures after a successful connection
    /// (drops included) get a retry and failure `n + 1` gets
    /// [`Decision::Stop`]; `Some(0)` never retries.
    pub max_retries: Option<u32>,
}

impl Default for BackoffPolicy {
    fn default() -> BackoffPolicy {
        BackoffPolicy {
            network_step: Duration::from_millis(250),
            network_cap: Duration::from_secs(16),
            http_start: Duration::from_secs(5),
            http_cap: Duration::from_secs(320),
            rate_limit_start: Duration::from_secs(60),
            rate_limit_cap: None,
            max_retries: None,
        }
    }
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
///
/// # Limitations
///
/// A server that answers 200 and closes at once resets the backoff on
/// every cycle, so each drop is retried at once. A caller that sees a
/// stream end before its first byte should report [`Failure::Network`]
/// rather than [`Failure::Dropped`].
#[derive(Clone, Debug)]
pub struct Backoff {
    policy: BackoffPolicy,
    /// Failures of the network class (network errors, stalls, repeated
    /// drops) since the last connection.
    network: u32,
    /// HTTP errors other than 420 and 429 since the last connection.
    http: u32,
    /// 420 and 429 answers since the last connection.
    rate_limited: u32,
    /// All failures since the last connection, for `max_retries`.
    failures: u32,
    /// Whether a drop was already reported since the last connection: a
    /// second one without a 200 in between means the stream cannot stay
    /// up, and reconnecting at once again would hammer the server.
    dropped: bool,
}

impl Backoff {
    /// Fresh state for `policy`.
    pub fn new(policy: BackoffPolicy) -> Backoff {
        Backoff { policy, network: 0, http: 0, rate_limited: 0, failures: 0, dropped: false }
    }

    /// The policy this state follows.
    pub fn policy(&self) -> &BackoffPolicy {
        &self.policy
    }

    /// Records a successful connection (a 200 response): all backoff resets.
    pub fn connected(&mut self) {
        self.network = 0;
        self.http = 0;
        self.rate_limited = 0;
        self.failures = 0;
        self.dropped = false;
    }

    /// Decides what follows `failure`.
    ///
    /// A [`Failure::Dropped`] right after a successful connection waits 0;
    /// a further drop before the next successful connection counts as a
    /// network failure. Stop statuses (403, 404, 406, 413, 416) stop with
    /// [`Backoff::explain`] as the reason; any failure past
    /// [`BackoffPolicy::max_retries`] stops with the count.
    pub fn next(&mut self, failure: &Failure) -> Decision {
        if let Failure::Http(status) = failure {
            if is_fatal(*status) {
                return Decision::Stop(Backoff::explain(*status).to_owned());
            }
        }

        self.failures = self.failures.saturating_add(1);
        if let Some(max) = self.policy.max_retries {
            if self.failures > max {
                return Decision::Stop(format!(
                    "giving up after {max} retries without a successful connection \
                     (last failure: {})",
                    describe(failure)
                ));
            }
        }

        let wait = match failure {
            Failure::Dropped if !self.dropped => {
                self.dropped = true;
                Duration::ZERO
            }
            Failure::Dropped | Failure::Network | Failure::Stall => {
                self.network = self.network.saturating_add(1);
                linear(self.policy.network_step, self.network, self.policy.network_cap)
            }
            Failure::Http(420 | 429) => {
                self.rate_limited = self.rate_limited.saturating_add(1);
                let wait = doubling(self.policy.rate_limit_start, self.rate_limited);
                match self.policy.rate_limit_cap {
                    Some(cap) => wait.min(cap),
                    None => wait,
                }
            }
            Failure::Http(_) => {
                self.http = self.http.saturating_add(1);
                doubling(self.policy.http_start, self.http).min(self.policy.http_cap)
            }
        };
        Decision::Retry(wait)
    }

    /// A sentence about what `status` means for a streaming client, for the
    /// log line beside a retry or as the reason of a stop.
    pub fn explain(status: u16) -> &'static str {
        match status {
            200 => "200 ok: streaming",
            401 => {
                "401 unauthorized: the credentials are wrong or revoked, the signature \
                 does not match the request, or the local clock is off by more than a \
                 few minutes (check the system time)"
            }
            403 => {
                "403 forbidden: these credentials have no access to this endpoint; \
                 retrying cannot help"
            }
            404 => "404 not found: the URL is wrong; retrying cannot help",
            406 => {
                "406 not acceptable: a parameter is invalid (empty predicates, a bad \
                 track phrase, follow id or locations box); retrying cannot help"
            }
            413 => {
                "413 too long: too many predicates (track, follow or locations); \
                 retrying cannot help"
            }
            416 => {
                "416 range unacceptable: the count parameter is not allowed or out of \
                 range; retrying cannot help"
            }
            420 => {
                "420 enhance your calm: too many connection attempts; every further \
                 attempt extends the penalty"
            }
            429 => "429 too many requests: too many connections or attempts for this account",
            500..=599 => "server error: the service is in trouble; backing off",
            _ => "unexpected status: backing off",
        }
    }
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new(BackoffPolicy::default())
    }
}

/// Statuses for which another attempt would get the same answer.
fn is_fatal(status: u16) -> bool {
    matches!(status, 403 | 404 | 406 | 413 | 416)
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Dropped => "stream dropped".to_owned(),
        Failure::Network => "network error".to_owned(),
        Failure::Stall => "stall".to_owned(),
        Failure::Http(status) => format!("http {status}"),
    }
}

/// `step * n`, at most `cap`.
fn linear(step: Duration, n: u32, cap: Duration) -> Duration {
    step.saturating_mul(n).min(cap)
}

/// `start * 2^(n-1)`, saturating instead of overflowing: an uncapped
/// rate-limit backoff may be asked for its hundredth step.
fn doubling(start: Duration, n: u32) -> Duration {
    match 1u32.checked_shl(n.saturating_sub(1)) {
        Some(factor) => start.saturating_mul(factor),
        None => Duration::MAX,
    }
}
