//! [`ClientBuilder`]: every setting of a client, checked once by
//! [`ClientBuilder::build`] so that a bad setting fails before any
//! connection is made.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::Uri;
use hyper_util::client::proxy::matcher::Matcher;

use crate::frame::{Framing, DEFAULT_MAX_FRAME_SIZE};
use crate::protocol::{BackoffPolicy, Credentials, ParamError, StreamRequest};

use super::counters::SharedCounters;
use super::transport::{tls_config, Transport};
use super::Client;

/// The documented keep-alive intervals: a stall timeout must exceed them.
const V1_KEEP_ALIVE: Duration = Duration::from_secs(30);
const V2_KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Default stall timeouts: 90 s on v1.1 as documented, and on v2 "a little
/// over" the 20 s keep-alive.
const V1_STALL: Duration = Duration::from_secs(90);
const V2_STALL: Duration = Duration::from_secs(22);

/// The default queue between the socket reader and the consumer, in
/// events. Messages are zero-copy slices of the chunks they came in, so 256
/// events hold at most a few MiB.
const DEFAULT_QUEUE_CAPACITY: usize = 256;

/// A setting that [`ClientBuilder::build`] rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No [`StreamRequest`] was given.
    #[error("no stream request: call request(..)")]
    MissingRequest,
    /// The request's parameters are invalid; the service would answer
    /// with the error's status.
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] ParamError),
    /// The request needs credentials of this kind.
    #[error("the {endpoint} endpoint needs {needed}")]
    MissingCredentials {
        /// The endpoint's API version.
        endpoint: &'static str,
        /// What to pass to the builder.
        needed: &'static str,
    },
    /// The stall timeout would fire between two keep-alives of a healthy
    /// stream.
    #[error(
        "stall timeout {timeout:?} is not above the keep-alive interval {keep_alive:?}: \
         a healthy stream would be dropped"
    )]
    StallTimeoutTooShort {
        /// The timeout given.
        timeout: Duration,
        /// The endpoint's keep-alive interval.
        keep_alive: Duration,
    },
    /// A base URL or proxy URL that cannot be used.
    #[error("bad {what} url {url:?}: {reason}")]
    BadUrl {
        /// `base` or `proxy`.
        what: &'static str,
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The CA certificate file could not be read or holds no certificate.
    #[error("cannot use ca certificate {path}: {reason}")]
    CaCert {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The TLS configuration could not be made.
    #[error("cannot configure tls: {0}")]
    Tls(String),
    /// A user agent that is not a valid header value.
    #[error("bad user agent {0:?}")]
    BadUserAgent(String),
    /// A zero queue capacity or maximum frame size.
    #[error("{0} must be above zero")]
    Zero(&'static str),
    /// `delimited=length` was requested with another framing.
    #[error("delimited=length needs length framing, not {0}")]
    FramingConflict(Framing),
}

/// A bearer token, kept out of `Debug` output so it never reaches a log.
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How requests are authenticated.
#[derive(Clone)]
pub(crate) enum Auth {
    OAuth1(Credentials),
    Bearer(String),
}

/// A checked configuration, shared by every connection of a client.
pub(crate) struct Config {
    pub(crate) request: StreamRequest,
    pub(crate) auth: Auth,
    pub(crate) base: Uri,
    pub(crate) framing: Framing,
    pub(crate) max_frame_size: usize,
    pub(crate) stall_timeout: Duration,
    pub(crate) backoff: BackoffPolicy,
    pub(crate) gzip: bool,
    pub(crate) user_agent: http::HeaderValue,
    pub(crate) queue_capacity: usize,
    pub(crate) stall_warnings: bool,
    pub(crate) delimited_length: bool,
    pub(crate) transport: Transport,
}

/// Builds a [`Client`]. Only [`ClientBuilder::request`] and the
/// credentials it needs are required.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use rehose::client::Client;
/// use rehose::protocol::{StreamRequest, V2Params};
///
/// let client = Client::builder()
///     .request(StreamRequest::V2Sample(V2Params::default()))
///     .bearer_token("AAAA...")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    request: Option<StreamRequest>,
    credentials: Option<Credentials>,
    bearer: Option<Secret>,
    base_url: Option<String>,
    framing: Option<Framing>,
    max_frame_size: usize,
    stall_timeout: Option<Duration>,
    backoff: BackoffPolicy,
    gzip: bool,
    proxy: Option<String>,
    proxy_from_env: bool,
    ca_cert: Option<PathBuf>,
    user_agent: String,
    queue_capacity: usize,
    stall_warnings: bool,
    delimited_length: bool,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            request: None,
            credentials: None,
            bearer: None,
            base_url: None,
            framing: None,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            stall_timeout: None,
            backoff: BackoffPolicy::default(),
            gzip: true,
            proxy: None,
            proxy_from_env: false,
            ca_cert: None,
            user_agent: concat!("rehose/", env!("CARGO_PKG_VERSION")).to_owned(),
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            stall_warnings: false,
            delimited_length: false,
        }
    }
}

impl ClientBuilder {
    /// The stream to open: endpoint and parameters. Required.
    pub fn request(mut self, request: StreamRequest) -> ClientBuilder {
        self.request = Some(request);
        self
    }

    /// OAuth 1.0a user credentials, required by v1.1 endpoints; none by
    /// default.
    pub fn credentials(mut self, credentials: Credentials) -> ClientBuilder {
        self.credentials = Some(credentials);
        self
    }

    /// An OAuth 2.0 bearer token, required by v2 endpoints; none by default.
    pub fn bearer_token(mut self, token: impl Into<String>) -> ClientBuilder {
        self.bearer = Some(Secret(token.into()));
        self
    }

    /// Replaces the scheme and host of both APIs (and prefixes paths with
    /// the URL's path, if any), e.g. `http://127.0.0.1:8080` for a mock
    /// server. Default: `https://stream.twitter.com` for v1.1,
    /// `https://api.twitter.com` for v2.
    pub fn base_url(mut self, url: impl Into<String>) -> ClientBuilder {
        self.base_url = Some(url.into());
        self
    }

    /// How messages are delimited. Default: `length` when
    /// [`ClientBuilder::delimited_length`] is on, `crlf` otherwise.
    pub fn framing(mut self, framing: Framing) -> ClientBuilder {
        self.framing = Some(framing);
        self
    }

    /// The largest frame kept; bigger ones are skipped and reported.
    /// Default 1 MiB.
    pub fn max_frame_size(mut self, max: usize) -> ClientBuilder {
        self.max_frame_size = max;
        self
    }

    /// How long without any byte before the connection counts as stalled
    /// and is replaced. Default 90 s for v1.1, 22 s for v2; it must be above
    /// the keep-alive interval (30 s, 20 s).
    pub fn stall_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.stall_timeout = Some(timeout);
        self
    }

    /// The reconnect timings. Default: the documented ones (250 ms linear
    /// to 16 s for network errors, 5 s doubling to 320 s for HTTP errors,
    /// 60 s doubling without cap for 420 and 429, no retry limit).
    pub fn backoff(mut self, policy: BackoffPolicy) -> ClientBuilder {
        self.backoff = policy;
        self
    }

    /// Gives up after this many failed attempts in a row; default no limit.
    /// Overrides the limit of [`ClientBuilder::backoff`]'s policy.
    pub fn max_retries(mut self, retries: u32) -> ClientBuilder {
        self.backoff.max_retries = Some(retries);
        self
    }

    /// Asks for a gzip-compressed body and decompresses it as it streams;
    /// default on.
    pub fn gzip(mut self, enabled: bool) -> ClientBuilder {
        self.gzip = enabled;
        self
    }

    /// Connects through this HTTP proxy (`http://[user:pass@]host:port`): a
    /// `CONNECT` tunnel for https streams, absolute-form requests for http
    /// ones. Default: no proxy.
    pub fn proxy(mut self, url: impl Into<String>) -> ClientBuilder {
        self.proxy = Some(url.into());
        self
    }

    /// Honours `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (and their lower
    /// case forms) when no [`ClientBuilder::proxy`] is set; default off.
    pub fn proxy_from_env(mut self, enabled: bool) -> ClientBuilder {
        self.proxy_from_env = enabled;
        self
    }

    /// Also trusts the PEM certificates in this file, besides the webpki
    /// roots (for a mock server's self-signed certificate). Default: webpki
    /// roots only.
    pub fn ca_cert(mut self, path: impl AsRef<Path>) -> ClientBuilder {
        self.ca_cert = Some(path.as_ref().to_owned());
        self
    }

    /// The `User-Agent` header; default `rehose/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> ClientBuilder {
        self.user_agent = agent.into();
        self
    }

    /// How many events wait between the socket reader and the consumer
    /// before reading pauses; default 256.
    pub fn queue_capacity(mut self, capacity: usize) -> ClientBuilder {
        self.queue_capacity = capacity;
        self
    }

    /// Asks a v1.1 stream for `stall_warnings=true`; default off.
    pub fn stall_warnings(mut self, enabled: bool) -> ClientBuilder {
        self.stall_warnings = enabled;
        self
    }

    /// Asks a v1.1 stream for `delimited=length` (and reads length
    /// framing); default off.
    pub fn delimited_length(mut self, enabled: bool) -> ClientBuilder {
        self.delimited_length = enabled;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`BuildError`] when the request is invalid, the request or the credentials it needs are
    /// missing, the stall timeout is not above the keep-alive interval, a
    /// URL is unusable, the CA file cannot be read, or framing conflicts
    /// with `delimited=length`.
    pub fn build(self) -> Result<Client, BuildError> {
        let request = self.request.ok_or(BuildError::MissingRequest)?;
        request.validate()?;
        let is_v2 = request.endpoint().is_v2();

        // Credentials and timings depend on the API version.
        let auth = match (is_v2, self.credentials, self.bearer) {
            (false, Some(credentials), _) => Auth::OAuth1(credentials),
            (true, _, Some(Secret(token))) => Auth::Bearer(token),
            (false, None, _) => {
                return Err(BuildError::MissingCredentials {
                    endpoint: "v1.1",
                    needed: "OAuth 1.0a credentials: call credentials(..)",
                })
            }
            (true, _, None) => {
                return Err(BuildError::MissingCredentials {
                    endpoint: "v2",
                    needed: "a bearer token: call bearer_token(..)",
                })
            }
        };
        let (keep_alive, default_stall) =
            if is_v2 { (V2_KEEP_ALIVE, V2_STALL) } else { (V1_KEEP_ALIVE, V1_STALL) };
        let stall_timeout = self.stall_timeout.unwrap_or(default_stall);
        if stall_timeout <= keep_alive {
            return Err(BuildError::StallTimeoutTooShort { timeout: stall_timeout, keep_alive });
        }

        let framing = match (self.framing, self.delimited_length) {
            (None, true) => Framing::Length,
            (None, false) => Framing::Crlf,
            (Some(framing), true) if framing != Framing::Length => {
                return Err(BuildError::FramingConflict(framing))
            }
            (Some(framing), _) => framing,
        };
        if self.queue_capacity == 0 {
            return Err(BuildError::Zero("queue capacity"));
        }
        if self.max_frame_size == 0 {
            return Err(BuildError::Zero("max frame size"));
        }

        let default_base = request.endpoint().default_host();
        let base = parse_url("base", self.base_url.as_deref().unwrap_or(default_base))?;
        let user_agent = http::HeaderValue::from_str(&self.user_agent)
            .map_err(|_| BuildError::BadUserAgent(self.user_agent.clone()))?;

        // The transport: TLS roots and proxy choice.
        let proxy = match (&self.proxy, self.proxy_from_env) {
            (Some(url), _) => {
                let uri = parse_url("proxy", url)?;
                if uri.scheme_str() != Some("http") {
                    return Err(BuildError::BadUrl {
                        what: "proxy",
                        url: url.clone(),
                        reason: "only http:// proxies are supported".into(),
                    });
                }
                Some(Matcher::builder().all(url.clone()).build())
            }
            (None, true) => Some(Matcher::from_env()),
            (None, false) => None,
        };
        let tls = tls_config(self.ca_cert.as_deref())?;

        let config = Config {
            request,
            auth,
            base,
            framing,
            max_frame_size: self.max_frame_size,
            stall_timeout,
            backoff: self.backoff,
            gzip: self.gzip,
            user_agent,
            queue_capacity: self.queue_capacity,
            stall_warnings: self.stall_warnings,
            delimited_length: self.delimited_length,
            transport: Transport::new(Arc::new(tls), proxy),
        };
        Ok(Client { config: Arc::new(config), counters: SharedCounters::default() })
    }
}

fn parse_url(what: &'static str, url: &str) -> Result<Uri, BuildError> {
    let bad = |reason: String| BuildError::BadUrl { what, url: url.to_owned(), reason };
    let uri: Uri = url.parse().map_err(|err: http::uri::InvalidUri| bad(err.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(bad("the scheme must be http or https".into())),
    }
    if uri.host().is_none() {
        return Err(bad("no host".into()));
    }
    Ok(uri)
}
