//! What the mock server checks before it streams: OAuth 1.0a on the v1.1
//! endpoints, bearer tokens on the v2 ones, the v1.1 filter parameters
//! and the length of the request URI, each refusal with the status and a
//! body like the service's.
//!
//! With no credentials configured, v1.1 requests are not checked; with no
//! bearer tokens configured, v2 requests are not either. The demo and most
//! tests need neither.
//!
//! On long URIs: hyper itself answers 414 only past 65,534 bytes of
//! request target, and 431 when the whole request head outgrows its read
//! buffer (`http1::Builder::max_buf_size`, about 408 KiB by default). The
//! service refused much shorter ones, so the server answers 414 itself
//! past [`MAX_URI_BYTES`] (see [`uri_too_long`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::protocol::oauth::{verify, DEFAULT_WINDOW_SECS};
use crate::protocol::{Credentials, FilterParams, ParamError, VerifyError};

/// Longest request target (path and query) served, in bytes; longer ones
/// get 414, as a GET with long predicate lists did on the service.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Whether a request target of `len` bytes gets 414.
pub fn uri_too_long(len: usize) -> bool {
    len > MAX_URI_BYTES
}

/// The credentials the server accepts.
#[derive(Clone, Debug)]
pub struct Auth {
    credentials: Vec<Credentials>,
    bearer_tokens: Vec<String>,
    window: Duration,
}

impl Default for Auth {
    fn default() -> Auth {
        Auth::new()
    }
}

/// Why a request was refused before streaming.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// OAuth 1.0a verification failed on a v1.1 endpoint.
    OAuth(VerifyError),
    /// No `Authorization: Bearer` header on a v2 endpoint.
    MissingBearer,
    /// A bearer token that is not configured.
    UnknownBearer,
    /// v1.1 filter parameters the service refused.
    Params(ParamError),
    /// A request target longer than [`MAX_URI_BYTES`].
    UriTooLong(usize),
}

impl std::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthFailure::OAuth(err) => write!(f, "could not authenticate you: {err}"),
            AuthFailure::MissingBearer => write!(f, "missing bearer token"),
            AuthFailure::UnknownBearer => write!(f, "unknown bearer token"),
            AuthFailure::Params(err) => write!(f, "{err}"),
            AuthFailure::UriTooLong(len) => {
                write!(f, "request uri of {len} bytes; at most {MAX_URI_BYTES} are served")
            }
        }
    }
}

impl std::error::Error for AuthFailure {}

impl AuthFailure {
    /// The HTTP status: 401 for credentials, the service's status for
    /// parameters (406, 413, 416), 414 for a long URI.
    pub fn status(&self) -> u16 {
        match self {
            AuthFailure::OAuth(_) | AuthFailure::MissingBearer | AuthFailure::UnknownBearer => 401,
            AuthFailure::Params(err) => err.status(),
            AuthFailure::UriTooLong(_) => 414,
        }
    }

    /// The `Content-Type` of [`body`](Self::body): JSON for v2 refusals,
    /// plain text for v1.1 ones, as the service sent them.
    pub fn content_type(&self) -> &'static str {
        match self {
            AuthFailure::MissingBearer | AuthFailure::UnknownBearer => "application/json",
            _ => "text/plain; charset=utf-8",
        }
    }

    /// The response body. A signature mismatch includes the base string
    /// the server signed (it holds no secret) so a client can compare.
    pub fn body(&self) -> String {
        match self {
            AuthFailure::MissingBearer | AuthFailure::UnknownBearer => serde_json::json!({
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": format!("Unauthorized: {self}"),
            })
            .to_string(),
            AuthFailure::Params(ParamError::NoPredicates) => {
                // The service's own words.
                "No filter parameters found. Expect at least one parameter: follow track \
                 locations\r\n"
                    .to_owned()
            }
            AuthFailure::Params(err) => format!("Parameter error: {err}\r\n"),
            AuthFailure::OAuth(_) => format!("401 Unauthorized: {self}\r\n"),
            AuthFailure::UriTooLong(_) => format!("414 Request-URI Too Long: {self}\r\n"),
        }
    }
}

impl Auth {
    /// Accepts every request: no credentials, no bearer tokens, the default
    /// timestamp window of [`DEFAULT_WINDOW_SECS`] seconds.
    pub fn new() -> Auth {
        Auth {
            credentials: Vec::new(),
            bearer_tokens: Vec::new(),
            window: Duration::from_secs(DEFAULT_WINDOW_SECS),
        }
    }

    /// OAuth 1.0a credentials accepted on v1.1 endpoints. Default: none,
    /// and then v1.1 requests are not checked.
    pub fn credentials(mut self, credentials: impl IntoIterator<Item = Credentials>) -> Auth {
        self.credentials = credentials.into_iter().collect();
        self
    }

    /// Bearer tokens accepted on v2 endpoints. Default: none, and then v2
    /// requests are not checked.
    pub fn bearer_tokens<S: Into<String>>(mut self, tokens: impl IntoIterator<Item = S>) -> Auth {
        self.bearer_tokens = tokens.into_iter().map(Into::into).collect();
        self
    }

    /// How far `oauth_timestamp` may be from the server clock, either way.
    /// Default: [`DEFAULT_WINDOW_SECS`] (300 s).
    pub fn timestamp_window(mut self, window: Duration) -> Auth {
        self.window = window;
        self
    }

    /// Checks a v1.1 request's OAuth 1.0a signature. `url` is the request
    /// URL as the client addressed it (scheme, host, port, path), `params`
    /// the decoded query and form pairs, `now` the server clock.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::OAuth`] naming what did not match: a missing header,
    /// an unknown key or token, a timestamp outside the window or the
    /// signature (with the server's base string).
    pub fn check_v1(
        &self,
        method: &str,
        url: &str,
        params: &[(String, String)],
        header: Option<&str>,
        now: SystemTime,
    ) -> Result<(), AuthFailure> {
        if self.credentials.is_empty() {
            return Ok(());
        }
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        verify(method, url, params, header, &self.credentials, now, self.window.as_secs())
            .map(|_| ())
            .map_err(AuthFailure::OAuth)
    }

    /// Checks a v2 request's `Authorization` header and returns its bearer
    /// token, the key of its stored rules (empty when unchecked and
    /// absent).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::MissingBearer`] or [`AuthFailure::UnknownBearer`]
    /// when tokens are configured.
    pub fn check_v2(&self, header: Option<&str>) -> Result<String, AuthFailure> {
        let token = header.and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
        });
        if self.bearer_tokens.is_empty() {
            return Ok(token.unwrap_or_default());
        }
        match token {
            None => Err(AuthFailure::MissingBearer),
            Some(token) if self.bearer_tokens.contains(&token) => Ok(token),
            Some(_) => Err(AuthFailure::UnknownBearer),
        }
    }
}

/// Reads and checks a v1.1 filter request's decoded query and form pairs.
///
/// # Errors
///
/// [`AuthFailure::Params`] with the service's status (406, 413 or 416).
pub fn filter_params(pairs: &[(String, String)]) -> Result<FilterParams, AuthFailure> {
    FilterParams::from_pairs(pairs).map_err(AuthFailure::Params)
}
