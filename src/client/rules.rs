//! [`RulesClient`]: the v2 filtered-stream rules API
//! (`/2/tweets/search/stream/rules`) from the client side: list, add and
//! delete rules, with the bodies of [`crate::protocol::rules`].
//!
//! ```text
//!   list    GET  /2/tweets/search/stream/rules[?ids=1,2]
//!   add     POST /2/tweets/search/stream/rules[?dry_run=true]  {"add":[...]}
//!   delete  POST /2/tweets/search/stream/rules[?dry_run=true]  {"delete":{"ids":[...]}}
//! ```
//!
//! Each call is one short request over a connection of its own, opened by
//! the same transport as the streams (rustls, extra CA file, HTTP
//! proxies); nothing is retried, since an add that timed out may still
//! have been applied. Requests are checked before they are sent, against
//! the limits documented on [`RulesClientBuilder`], so that a mistake costs
//! no request from the rate limit. Which rules match which tweet is the
//! server's business.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, PROXY_AUTHORIZATION, USER_AGENT};
use http::{HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use serde::{Deserialize, Serialize};
use tracing::debug;

use crate::protocol::rules::{AddRules, DeleteRules, DeleteSelector, NewRule};
use crate::protocol::{RulesRequest, RulesResponse};

use super::builder::{BuildError, Secret};
use super::transport::{parse_url, proxy_matcher, tls_config, Transport};
use crate::error_chain::describe;

/// The host of the v2 API.
const DEFAULT_BASE: &str = "https://api.twitter.com";

/// The rules endpoint's path.
pub const RULES_PATH: &str = "/2/tweets/search/stream/rules";

/// Most rules one add request may carry by default: the whole rule set of
/// the v2 API's Elevated access level, so a longer request could never
/// succeed there.
pub const DEFAULT_MAX_RULES: usize = 25;

/// Longest rule value by default, in characters (Elevated access; the
/// Academic level allowed 1,024).
pub const DEFAULT_MAX_RULE_LENGTH: usize = 512;

/// Default limit for one whole exchange, from connecting to the last byte
/// of the response.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response body read: 1,000 rules of 1,024 characters, the
/// largest rule set the API allowed, fit in about 1.1 MiB.
const RESPONSE_LIMIT: usize = 4 * 1024 * 1024;

/// How much of a body that is not JSON an error keeps.
const TEXT_LIMIT: usize = 300;

/// Why a rules request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// An add without rules.
    #[error("no rules to add")]
    NoRules,
    /// A delete without ids.
    #[error("no rule ids to delete")]
    NoIds,
    /// A rule whose value is empty or only blanks.
    #[error("rule {index} has an empty value")]
    EmptyRule {
        /// Its position in the request, from 1.
        index: usize,
    },
    /// A rule value longer than the limit.
    #[error("rule {value:?} is {length} characters long; at most {max} are allowed")]
    RuleTooLong {
        /// The value.
        value: String,
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// More rules in one add than the limit.
    #[error("{count} rules in one request; at most {max} are allowed")]
    TooManyRules {
        /// Rules in the request.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A rule id that is not a decimal number (the API answers 400).
    #[error("rule id {id:?} is not a decimal number")]
    BadId {
        /// The id given.
        id: String,
    },
    /// The TCP, proxy or TLS connection could not be made.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The request could not be sent or its response not read.
    #[error("request to {url} failed: {reason}")]
    Request {
        /// The request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// No complete response within the timeout.
    #[error("no complete response from {url} within {timeout:?}")]
    Timeout {
        /// The request URL.
        url: String,
        /// The limit.
        timeout: Duration,
    },
    /// The API refused the request: a status other than 2xx, with the
    /// problem body the API sends (`{"title","detail","type","status"}`,
    /// possibly with `errors`).
    #[error("{url} answered {status}: {}", api_summary(title, detail, problems))]
    Api {
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The problem's `title`, e.g. `Unauthorized`, `Invalid Request`.
        title: Option<String>,
        /// The problem's `detail`, or the start of a body that is not
        /// JSON.
        detail: Option<String>,
        /// The entries of `errors`, if any.
        problems: Vec<ApiProblem>,
        /// When a 429's rate-limit window ends (`x-rate-limit-reset`, Unix
        /// seconds), if the server said.
        rate_limit_reset: Option<u64>,
    },
    /// A 2xx response whose body is not a rules response.
    #[error("{url} answered {status} with a body that is not a rules response: {reason}")]
    Decode {
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The parse error.
        reason: String,
    },
}

impl RulesError {
    /// The HTTP status of an [`RulesError::Api`] refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            RulesError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One entry of an error body's `errors`. The API used two shapes: the
/// problem of a rule (`value`, `id`, `title`, `type`, `details`) and the
/// complaint about a parameter (`message`, `parameters`); every member is
/// optional so that both read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiProblem {
    /// E.g. `DuplicateRule`, `UnprocessableEntity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A problem URI.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A human sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A human sentence (parameter complaints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The rule value concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The rule id concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reasons a rule is invalid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// The parameters complained about, as sent back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

impl ApiProblem {
    /// One line: what, about which value, and why.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.title.clone());
        parts.extend(self.value.as_ref().map(|value| format!("{value:?}")));
        parts.extend(self.message.clone());
        parts.extend(self.detail.clone());
        parts.extend(self.details.iter().cloned());
        if parts.is_empty() {
            parts.extend(self.kind.clone());
        }
        parts.join(": ")
    }
}

/// A v2 error body, read leniently.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    errors: Vec<ApiProblem>,
}

fn api_summary(title: &Option<String>, detail: &Option<String>, problems: &[ApiProblem]) -> String {
    let mut parts: Vec<String> = title.iter().chain(detail).cloned().collect();
    parts.extend(problems.iter().map(ApiProblem::summary));
    if parts.is_empty() {
        return "no explanation".to_owned();
    }
    parts.join("; ")
}

/// Builds a [`RulesClient`]. Only the bearer token is required.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use rehose::client::RulesClient;
/// use rehose::protocol::rules::NewRule;
///
/// let rules = RulesClient::builder().bearer_token("AAAA...").build()?;
/// let cats = NewRule { value: "cat has:media".into(), tag: Some("cats".into()) };
/// let added = rules.add(&[cats], false).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RulesClientBuilder {
    bearer: Option<Secret>,
    base_url: Option<String>,
    proxy: Option<String>,
    proxy_from_env: bool,
    ca_cert: Option<PathBuf>,
    user_agent: String,
    timeout: Duration,
    max_rules: usize,
    max_rule_length: usize,
}

impl Default for RulesClientBuilder {
    fn default() -> RulesClientBuilder {
        RulesClientBuilder {
            bearer: None,
            base_url: None,
            proxy: None,
            proxy_from_env: false,
            ca_cert: None,
            user_agent: concat!("rehose/", env!("CARGO_PKG_VERSION")).to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_rules: DEFAULT_MAX_RULES,
            max_rule_length: DEFAULT_MAX_RULE_LENGTH,
        }
    }
}

impl RulesClientBuilder {
    /// The OAuth 2.0 bearer token whose rules are managed. Required.
    pub fn bearer_token(mut self, token: impl Into<String>) -> RulesClientBuilder {
        self.bearer = Some(Secret(token.into()));
        self
    }

    /// Replaces the scheme and host (and prefixes the path with the URL's
    /// path, if any), e.g. `http://127.0.0.1:8080` for a mock server.
    /// Default: `https://api.twitter.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> RulesClientBuilder {
        self.base_url = Some(url.into());
        self
    }

    /// Connects through this HTTP proxy (`http://[user:pass@]host:port`).
    /// Default: no proxy.
    pub fn proxy(mut self, url: impl Into<String>) -> RulesClientBuilder {
        self.proxy = Some(url.into());
        self
    }

    /// Honours `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` when no
    /// [`RulesClientBuilder::proxy`] is set; default off.
    pub fn proxy_from_env(mut self, enabled: bool) -> RulesClientBuilder {
        self.proxy_from_env = enabled;
        self
    }

    /// Also trusts the PEM certificates in this file, besides the webpki
    /// roots. Default: webpki roots only.
    pub fn ca_cert(mut self, path: impl AsRef<Path>) -> RulesClientBuilder {
        self.ca_cert = Some(path.as_ref().to_owned());
        self
    }

    /// The `User-Agent` header; default `rehose/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> RulesClientBuilder {
        self.user_agent = agent.into();
        self
    }

    /// Limit for one whole exchange, from connecting to the end of the
    /// response; default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> RulesClientBuilder {
        self.timeout = timeout;
        self
    }

    /// Most rules one add may carry; default [`DEFAULT_MAX_RULES`] (25).
    pub fn max_rules(mut self, max: usize) -> RulesClientBuilder {
        self.max_rules = max;
        self
    }

    /// Longest rule value, in characters; default
    /// [`DEFAULT_MAX_RULE_LENGTH`] (512).
    pub fn max_rule_length(mut self, max: usize) -> RulesClientBuilder {
        self.max_rule_length = max;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`BuildError`] when the bearer token is missing, a URL is unusable,
    /// the CA file cannot be read, the user agent or token cannot be a
    /// header, or a limit is zero.
    pub fn build(self) -> Result<RulesClient, BuildError> {
        let Some(Secret(token)) = self.bearer else {
            return Err(BuildError::MissingCredentials {
                endpoint: "rules",
                needed: "a bearer token: call bearer_token(..)",
            });
        };
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| BuildError::BadBearerToken)?;
        authorization.set_sensitive(true);
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| BuildError::BadUserAgent(self.user_agent.clone()))?;
        for (what, value) in
            [("max rules", self.max_rules), ("max rule length", self.max_rule_length)]
        {
            if value == 0 {
                return Err(BuildError::Zero(what));
            }
        }

        let base = parse_url("base", self.base_url.as_deref().unwrap_or(DEFAULT_BASE))?;
        let url = format!("{}{RULES_PATH}", base.to_string().trim_end_matches('/'));
        let proxy = proxy_matcher(self.proxy.as_deref(), self.proxy_from_env)?;
        let tls = tls_config(self.ca_cert.as_deref())?;
        let inner = Inner {
            url,
            authorization,
            user_agent,
            timeout: self.timeout,
            max_rules: self.max_rules,
            max_rule_length: self.max_rule_length,
            transport: Transport::new(Arc::new(tls), proxy),
        };
        Ok(RulesClient { inner: Arc::new(inner) })
    }
}

/// A client of the v2 rules API for one bearer token. Cheap to clone.
#[derive(Clone)]
pub struct RulesClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// The endpoint's URL, without query.
    url: String,
    authorization: HeaderValue,
    user_agent: HeaderValue,
    timeout: Duration,
    max_rules: usize,
    max_rule_length: usize,
    transport: Transport,
}

impl std::fmt::Debug for RulesClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The authorization header holds the token; leave it out.
        f.debug_struct("RulesClient").field("url", &self.inner.url).finish_non_exhaustive()
    }
}

impl RulesClient {
    /// A builder with every setting at its default.
    pub fn builder() -> RulesClientBuilder {
        RulesClientBuilder::default()
    }

    /// The endpoint's URL, without query.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Lists the stored rules: all of them, or those of `ids`.
    ///
    /// # Errors
    ///
    /// [`RulesError::BadId`] for an id that is not a decimal number (no
    /// request is sent), otherwise as [`RulesClient::add`] for the
    /// request.
    pub async fn list(&self, ids: Option<&[String]>) -> Result<RulesResponse, RulesError> {
        let query = match ids {
            Some(ids) if !ids.is_empty() => {
                check_ids(ids)?;
                Some(format!("ids={}", ids.join(",")))
            }
            _ => None,
        };
        self.send(Method::GET, query, None).await
    }

    /// Adds `rules` (or, with `dry_run`, only asks the API to check them).
    ///
    /// A 2xx answer can still refuse rules: duplicates (the others are
    /// created) and, when the API answers 200 for them, rules that do not
    /// parse (then none is). Both are in the response's `errors`; check
    /// them, or `meta.summary.invalid`.
    ///
    /// # Errors
    ///
    /// Before sending: [`RulesError::NoRules`], [`RulesError::EmptyRule`],
    /// [`RulesError::RuleTooLong`], [`RulesError::TooManyRules`]. Then
    /// [`RulesError::Connect`], [`RulesError::Request`] or
    /// [`RulesError::Timeout`] when no answer came, [`RulesError::Api`]
    /// for a status other than 2xx, [`RulesError::Decode`] for a 2xx body
    /// that is not a rules response.
    pub async fn add(&self, rules: &[NewRule], dry_run: bool) -> Result<RulesResponse, RulesError> {
        self.check_rules(rules)?;
        let request = RulesRequest::Add(AddRules { add: rules.to_vec() });
        self.post(&request, dry_run).await
    }

    /// Deletes the rules of `ids` (or, with `dry_run`, only counts them).
    /// Unknown ids are counted as `not_deleted`.
    ///
    /// # Errors
    ///
    /// Before sending: [`RulesError::NoIds`], [`RulesError::BadId`]. Then
    /// as [`RulesClient::add`].
    pub async fn delete(&self, ids: &[String], dry_run: bool) -> Result<RulesResponse, RulesError> {
        if ids.is_empty() {
            return Err(RulesError::NoIds);
        }
        check_ids(ids)?;
        let selector = DeleteSelector { ids: ids.to_vec(), values: Vec::new() };
        let request = RulesRequest::Delete(DeleteRules { delete: selector });
        self.post(&request, dry_run).await
    }

    /// Deletes every stored rule: a listing, then a delete of the ids it
    /// holds (none when the listing is empty, and then the listing's
    /// answer, with no `data`, is returned).
    ///
    /// # Errors
    ///
    /// As [`RulesClient::list`] and [`RulesClient::delete`].
    pub async fn delete_all(&self, dry_run: bool) -> Result<RulesResponse, RulesError> {
        let listed = self.list(None).await?;
        let ids: Vec<String> = listed.data.iter().flatten().map(|rule| rule.id.clone()).collect();
        if ids.is_empty() {
            return Ok(listed);
        }
        self.delete(&ids, dry_run).await
    }

    fn check_rules(&self, rules: &[NewRule]) -> Result<(), RulesError> {
        let inner = &self.inner;
        if rules.is_empty() {
            return Err(RulesError::NoRules);
        }
        if rules.len() > inner.max_rules {
            return Err(RulesError::TooManyRules { count: rules.len(), max: inner.max_rules });
        }
        for (index, rule) in rules.iter().enumerate() {
            if rule.value.trim().is_empty() {
                return Err(RulesError::EmptyRule { index: index + 1 });
            }
            let length = rule.value.chars().count();
            if length > inner.max_rule_length {
                let value = rule.value.clone();
                return Err(RulesError::RuleTooLong { value, length, max: inner.max_rule_length });
            }
        }
        Ok(())
    }

    async fn post(
        &self,
        request: &RulesRequest,
        dry_run: bool,
    ) -> Result<RulesResponse, RulesError> {
        // Plain strings only: serialization cannot fail.
        let body = serde_json::to_vec(request).unwrap_or_default();
        let query = dry_run.then(|| "dry_run=true".to_owned());
        self.send(Method::POST, query, Some(body)).await
    }

    /// One exchange within the timeout, and its response read.
    async fn send(
        &self,
        method: Method,
        query: Option<String>,
        body: Option<Vec<u8>>,
    ) -> Result<RulesResponse, RulesError> {
        let inner = &self.inner;
        let url = match &query {
            Some(query) => format!("{}?{query}", inner.url),
            None => inner.url.clone(),
        };
        debug!(%method, %url, "rules request");
        let exchange = self.exchange(&url, method, body);
        let (status, headers, bytes) = match tokio::time::timeout(inner.timeout, exchange).await {
            Ok(outcome) => outcome?,
            Err(_) => return Err(RulesError::Timeout { url, timeout: inner.timeout }),
        };
        debug!(status, %url, "rules response");
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|err| RulesError::Decode {
                url,
                status,
                reason: err.to_string(),
            });
        }
        Err(api_error(url, status, &headers, &bytes))
    }

    async fn exchange(
        &self,
        url: &str,
        method: Method,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, http::HeaderMap, Bytes), RulesError> {
        let inner = &self.inner;
        let request_failed = |reason: String| RulesError::Request { url: url.to_owned(), reason };
        let uri: Uri =
            url.parse().map_err(|err: http::uri::InvalidUri| request_failed(err.to_string()))?;
        let mut connection = inner
            .transport
            .connect(&uri)
            .await
            .map_err(|reason| RulesError::Connect { url: url.to_owned(), reason })?;

        // Through a plain http proxy the request line carries the whole
        // URL; straight to a server, the path and query only.
        let target: Uri = if connection.absolute_form {
            uri.clone()
        } else {
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            path.parse().map_err(|err: http::uri::InvalidUri| request_failed(err.to_string()))?
        };
        let host = uri.authority().map_or_else(String::new, |a| a.as_str().to_owned());
        let mut builder = Request::builder()
            .method(method)
            .uri(target)
            .header(HOST, host)
            .header(USER_AGENT, inner.user_agent.clone())
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, inner.authorization.clone());
        if let Some(value) = &connection.proxy_authorization {
            builder = builder.header(PROXY_AUTHORIZATION, value.clone());
        }
        if body.is_some() {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        let body = Full::new(Bytes::from(body.unwrap_or_default()));
        let request = builder.body(body).map_err(|err| request_failed(err.to_string()))?;

        let response = connection
            .sender
            .send_request(request)
            .await
            .map_err(|err| request_failed(describe(&err)))?;
        let status = response.status().as_u16();
        let (parts, body) = response.into_parts();
        let bytes = Limited::new(body, RESPONSE_LIMIT)
            .collect()
            .await
            .map_err(|err| request_failed(describe(err.as_ref())))?
            .to_bytes();
        Ok((status, parts.headers, bytes))
    }
}

/// Ids must be decimal numbers; the API refused others with a 400.
fn check_ids(ids: &[String]) -> Result<(), RulesError> {
    match ids.iter().find(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit())) {
        Some(id) => Err(RulesError::BadId { id: id.clone() }),
        None => Ok(()),
    }
}

/// The error of a refused request, from its problem body (or the start of
/// its text when it is not JSON).
fn api_error(url: String, status: u16, headers: &http::HeaderMap, bytes: &[u8]) -> RulesError {
    let rate_limit_reset = headers
        .get("x-rate-limit-reset")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok());
    let body = match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => body,
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            let text: String = text.trim().chars().take(TEXT_LIMIT).collect();
            ErrorBody { detail: (!text.is_empty()).then_some(text), ..ErrorBody::default() }
        }
    };
    RulesError::Api {
        url,
        status,
        title: body.title,
        detail: body.detail,
        problems: body.errors,
        rate_limit_reset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> RulesClient {
        RulesClient::builder().bearer_token("t").base_url("http://127.0.0.1:9").build().unwrap()
    }

    fn rule(value: &str) -> NewRule {
        NewRule { value: value.to_owned(), tag: None }
    }

    #[test]
    fn rules_are_checked_against_the_documented_limits() {
        let client = client();
        assert_eq!(client.check_rules(&[]), Err(RulesError::NoRules));
        assert_eq!(
            client.check_rules(&[rule("a"), rule(" ")]),
            Err(RulesError::EmptyRule { index: 2 })
        );
        let long = "é".repeat(513);
        assert!(matches!(
            client.check_rules(&[rule(&long)]),
            Err(RulesError::RuleTooLong { length: 513, max: 512, .. })
        ));
        assert_eq!(client.check_rules(&[rule(&"é".repeat(512))]), Ok(()));
        let many = vec![rule("a"); 26];
        assert_eq!(client.check_rules(&many), Err(RulesError::TooManyRules { count: 26, max: 25 }));
        assert_eq!(client.check_rules(&many[..25]), Ok(()));
    }

    #[test]
    fn ids_must_be_decimal() {
        assert_eq!(
            check_ids(&["12".into(), "3a".into()]),
            Err(RulesError::BadId { id: "3a".into() })
        );
        assert_eq!(check_ids(&["".into()]), Err(RulesError::BadId { id: String::new() }));
        assert_eq!(check_ids(&["1400000000000000001".into()]), Ok(()));
    }

    #[test]
    fn the_url_follows_the_base() {
        assert_eq!(client().url(), "http://127.0.0.1:9/2/tweets/search/stream/rules");
        let prefixed = RulesClient::builder().bearer_token("t").base_url("http://h/api/").build();
        assert_eq!(prefixed.unwrap().url(), "http://h/api/2/tweets/search/stream/rules");
        let default = RulesClient::builder().bearer_token("t").build().unwrap();
        assert_eq!(default.url(), "https://api.twitter.com/2/tweets/search/stream/rules");
    }

    #[test]
    fn a_missing_token_fails_the_build() {
        let err = RulesClient::builder().build().unwrap_err();
        assert!(err.to_string().contains("bearer token"), "{err}");
    }
}
