//! The mock streaming server: replays a fixture to any number of clients
//! as the real service would have streamed it.
//!
//! It serves the v1.1 `statuses/filter.json` and `statuses/sample.json`
//! (GET and POST) and the v2 `tweets/search/stream` and
//! `tweets/sample/stream` (GET) endpoints as chunked HTTP/1.1 responses
//! that stay open. Each request gets the framing it asks for
//! (`delimited=length` or `\r\n`), the fixture's chunks at their recorded
//! pace (scaled by a [`Speed`]), keep-alives in idle stretches, and the
//! fixture's connections in order. A client that reconnects with the same
//! credentials resumes where it stopped. Every request is journaled.
//!
//! The module is split by concern: `track` lays fixture connections out
//! for a framing, `replay` is the paced body of one stream, `http` accepts,
//! routes and plans connection attempts, `journal` records them. This file
//! holds the public API: [`MockServer`] for tests, [`ServerConfig`] and
//! [`serve`] for the command line.
//!
//! ```no_run
//! # async fn run(fixture: rehose::fixture::Fixture) -> Result<(), rehose::server::ServerError> {
//! use rehose::server::{MockServer, Speed};
//!
//! let server = MockServer::builder().fixture(fixture).speed(Speed::Factor(10.0)).start().await?;
//! let url = format!("{}/1.1/statuses/sample.json", server.uri());
//! // ... point a client at `url`, then look at what it asked:
//! let requests = server.journal();
//! # let _ = (url, requests);
//! # Ok(()) }
//! ```

mod auth;
mod filter;
mod http;
mod journal;
mod replay;
mod rules_store;
mod track;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::fixture::Fixture;
use http::Shared;

pub use auth::{filter_params, uri_too_long, Auth, AuthFailure, MAX_URI_BYTES};
pub use filter::{
    rewrite_matching_rules, RuleError, RuleQuery, RuleSet, StreamFilter, V1Filter, Verdict,
    MAX_RULE_CHARS,
};
pub use journal::{JournalEntry, StreamEnd, StreamOutcome, REDACTED};
pub use rules_store::{RulesOutcome, RulesStore};

/// How fast a fixture is replayed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// The recorded timing divided by this factor: `10.0` is ten times
    /// faster, `0.5` half as fast. Must be finite and above zero.
    Factor(f64),
    /// As fast as the client reads.
    Max,
}

impl Default for Speed {
    /// Real time: `Factor(1.0)`.
    fn default() -> Speed {
        Speed::Factor(1.0)
    }
}

impl std::str::FromStr for Speed {
    type Err = ServerError;

    /// `max`, or a factor such as `10` or `0.5`.
    fn from_str(s: &str) -> Result<Speed, ServerError> {
        if s.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        let factor = s.parse().map_err(|_| ServerError::InvalidSpeed { speed: s.to_owned() })?;
        let speed = Speed::Factor(factor);
        speed.validate()?;
        Ok(speed)
    }
}

impl Speed {
    fn validate(self) -> Result<(), ServerError> {
        match self {
            Speed::Factor(f) if !(f.is_finite() && f > 0.0) => {
                Err(ServerError::InvalidSpeed { speed: f.to_string() })
            }
            _ => Ok(()),
        }
    }
}

/// What the server replays and how.
#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    /// The recorded session to replay. Default: an empty fixture, which
    /// serves idle streams (keep-alives only).
    pub fixture: Arc<Fixture>,
    /// Replay speed. Default: real time.
    pub speed: Speed,
    /// The idle interval after which the server sends a keep-alive.
    /// Default `None`: the protocol's, 30 s on v1.1 paths and 20 s on v2.
    /// `Some(Duration::ZERO)` sends only the recorded keep-alives. The
    /// interval is real time; it is not scaled by the speed.
    pub keep_alive: Option<Duration>,
    /// Replay the fixture again and again: connections that end open run
    /// straight into the next one, and the last wraps round to the first.
    /// Default: off.
    pub loop_forever: bool,
    /// Start every connection attempt from the first message, even for a
    /// client seen before. Default: off, clients resume where they
    /// stopped.
    pub restart_on_reconnect: bool,
    /// Who may connect: OAuth 1.0a credentials for v1.1, bearer tokens for
    /// v2, the timestamp window. Default: [`Auth::new`], which accepts
    /// every request.
    pub auth: Auth,
    /// Behave as the service did on a v2 search stream whose token has no
    /// rules: no tweets, keep-alives only. Default: off, so that a fixture
    /// replays as recorded (with its recorded `matching_rules`) until the
    /// client adds rules; once it has rules, only tweets matching them are
    /// delivered either way.
    pub strict_v2_rules: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A speed that is not `max` or a finite factor above zero.
    #[error("invalid speed {speed:?}: expected `max` or a number above zero")]
    InvalidSpeed {
        /// The speed as given.
        speed: String,
    },
}

/// Serves `config` on `listener` until the process ends or `shutdown`
/// completes; streams still open are then dropped.
///
/// # Errors
///
/// [`ServerError::InvalidSpeed`] for a speed that is not above zero.
pub async fn serve(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    config.speed.validate()?;
    let token = CancellationToken::new();
    let shared = Arc::new(Shared::new(config, token.clone()));
    if let Ok(addr) = listener.local_addr() {
        info!(%addr, "serving");
    }
    let accept = http::accept_loop(listener, shared);
    tokio::select! {
        () = accept => {}
        () = shutdown => token.cancel(),
    }
    Ok(())
}

/// A running mock server, for tests. It stops when dropped.
///
/// # Limitations
///
/// - Keep-alive intervals are real time, not scaled by the speed.
/// - A recorded reset is sent 50 ms after the last chunk, so the client
///   can read that chunk before the RST discards its receive buffer.
/// - Two streams opened with the same credentials at once share one
///   position in the fixture; whichever sends last sets where the next
///   attempt resumes.
/// - A resumed stream sends its first message at once; the recorded gap
///   before it is dropped.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl MockServer {
    /// A builder with the defaults of [`ServerConfig`], listening on
    /// `127.0.0.1` at a free port.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder { config: ServerConfig::default(), addr: None }
    }

    /// Starts a server for `config` on `addr`.
    ///
    /// # Errors
    ///
    /// [`ServerError::Bind`] when the address cannot be bound,
    /// [`ServerError::InvalidSpeed`] for a speed that is not above zero.
    pub async fn start(config: ServerConfig, addr: SocketAddr) -> Result<MockServer, ServerError> {
        config.speed.validate()?;
        let listener =
            TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr, source })?;
        let shared = Arc::new(Shared::new(config, CancellationToken::new()));
        let task = tokio::spawn(http::accept_loop(listener, shared.clone()));
        info!(%addr, "mock server started");
        Ok(MockServer { addr, shared, task: std::sync::Mutex::new(Some(task)) })
    }

    /// The base URI, such as `http://127.0.0.1:40123`, without a trailing
    /// slash.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order, with open streams' counters
    /// as they are now.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.snapshot()
    }

    /// Stops accepting, drops every open connection and waits for the
    /// listener to close. The journal stays readable; open streams end as
    /// [`StreamEnd::ServerShutdown`].
    pub async fn shutdown(&self) {
        self.shared.shutdown.cancel();
        let task = self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}

/// Configures and starts a [`MockServer`].
#[derive(Debug)]
pub struct MockServerBuilder {
    config: ServerConfig,
    addr: Option<SocketAddr>,
}

impl MockServerBuilder {
    /// The fixture to replay. Default: an empty one (idle streams).
    pub fn fixture(mut self, fixture: impl Into<Arc<Fixture>>) -> Self {
        self.config.fixture = fixture.into();
        self
    }

    /// Replay speed. Default: `Speed::Factor(1.0)`, real time.
    pub fn speed(mut self, speed: Speed) -> Self {
        self.config.speed = speed;
        self
    }

    /// Idle interval before a keep-alive, on every endpoint. Default: the
    /// protocol's, 30 s on v1.1 and 20 s on v2; `Duration::ZERO` sends only
    /// recorded keep-alives.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.config.keep_alive = Some(interval);
        self
    }

    /// Replay the fixture again and again. Default: `false`.
    pub fn loop_forever(mut self, looping: bool) -> Self {
        self.config.loop_forever = looping;
        self
    }

    /// Restart from the first message on every connection attempt, even
    /// for a known client. Default: `false`.
    pub fn restart_on_reconnect(mut self, restart: bool) -> Self {
        self.config.restart_on_reconnect = restart;
        self
    }

    /// OAuth 1.0a credentials accepted on v1.1 endpoints. Default: none,
    /// and then v1.1 requests are not checked.
    pub fn credentials(
        mut self,
        credentials: impl IntoIterator<Item = crate::protocol::Credentials>,
    ) -> Self {
        self.config.auth = self.config.auth.credentials(credentials);
        self
    }

    /// Bearer tokens accepted on v2 endpoints. Default: none, and then v2
    /// requests are not checked.
    pub fn bearer_tokens<S: Into<String>>(mut self, tokens: impl IntoIterator<Item = S>) -> Self {
        self.config.auth = self.config.auth.bearer_tokens(tokens);
        self
    }

    /// How far an OAuth timestamp may be from the server clock. Default:
    /// 300 s.
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.config.auth = self.config.auth.timestamp_window(window);
        self
    }

    /// Deliver nothing on a v2 search stream whose token has no rules, as
    /// the service did. Default: `false`, the fixture is replayed as
    /// recorded until rules are added.
    pub fn strict_v2_rules(mut self, strict: bool) -> Self {
        self.config.strict_v2_rules = strict;
        self
    }

    /// The address to listen on. Default: `127.0.0.1:0`, a free port.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// Binds and starts serving.
    ///
    /// # Errors
    ///
    /// As [`MockServer::start`].
    pub async fn start(self) -> Result<MockServer, ServerError> {
        let addr = self.addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        MockServer::start(self.config, addr).await
    }
}
