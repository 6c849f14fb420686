//! The HTTP side: accepting connections, routing requests, telling
//! clients apart, planning each connection attempt and journaling it.
//!
//! Every accepted socket is wrapped in a [`ServerIo`] that can be asked to
//! reset the connection (RST, `SO_LINGER` 0) when hyper drops it, so a
//! replay can cut a connection the way the network did.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderValue, AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::auth::{filter_params, uri_too_long, AuthFailure};
use super::filter::{StreamFilter, V1Filter};
use super::journal::{self, Journal, JournalEntry, StreamEnd, StreamOutcome, StreamStats};
use super::replay::{ConnControl, Cursor, Library, ReplayBody, SharedCursor, StreamPlan};
use super::rules_store::RulesStore;
use super::ServerConfig;
use crate::fixture::End;
use crate::frame::Framing;
use crate::protocol::oauth::decode_pairs;
use crate::protocol::params::RULES_PATH;
use crate::protocol::Endpoint;

/// The largest request body read (a form of 5,000 follow ids is ~60 KiB).
const MAX_FORM_BODY: usize = 1 << 20;

/// The path of the journal.
const JOURNAL_PATH: &str = "/__rehose/requests";

/// A response body: a fixed one or a replay.
pub(crate) type ServerBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// State shared by every connection of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) library: Arc<Library>,
    pub(crate) clients: Mutex<HashMap<String, SharedCursor>>,
    pub(crate) journal: Journal,
    pub(crate) rules: RulesStore,
    pub(crate) started: Instant,
    pub(crate) shutdown: CancellationToken,
}

impl Shared {
    pub(crate) fn new(config: ServerConfig, shutdown: CancellationToken) -> Shared {
        Shared {
            library: Arc::new(Library::new(config.fixture.clone())),
            config,
            clients: Mutex::default(),
            journal: Journal::default(),
            rules: RulesStore::new(),
            started: Instant::now(),
            shutdown,
        }
    }
}

/// Accepts connections until the server shuts down.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            _ = shared.shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                // Paced chunks must leave as soon as they are written.
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, peer, shared.clone()));
            }
            Err(err) => {
                // Out of descriptors, usually: wait instead of spinning.
                warn!(%err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    debug!("stopped accepting connections");
}

async fn serve_connection(stream: TcpStream, peer: std::net::SocketAddr, shared: Arc<Shared>) {
    info!(%peer, "connection opened");
    let control = Arc::new(ConnControl::default());
    let io = ServerIo { inner: TokioIo::new(stream), control: control.clone() };
    let shutdown = shared.shutdown.clone();
    let service = service_fn(move |request| handle(shared.clone(), control.clone(), request));
    let connection = http1::Builder::new().serve_connection(io, service);
    tokio::select! {
        result = connection => match result {
            Ok(()) => info!(%peer, "connection closed"),
            Err(err) => info!(%peer, %err, "connection ended"),
        },
        _ = shutdown.cancelled() => info!(%peer, "connection closed by shutdown"),
    }
}

/// What the API version of an endpoint implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Where a request goes.
enum Route {
    Stream(Version),
    Rules,
    Journal,
    NotFound,
    MethodNotAllowed,
}

fn route(method: &Method, path: &str) -> Route {
    let get_or_post = method == Method::GET || method == Method::POST;
    match path {
        "/1.1/statuses/filter.json" | "/1.1/statuses/sample.json" if get_or_post => {
            Route::Stream(Version::V1)
        }
        "/2/tweets/search/stream" | "/2/tweets/sample/stream" if method == Method::GET => {
            Route::Stream(Version::V2)
        }
        RULES_PATH if get_or_post => Route::Rules,
        JOURNAL_PATH if method == Method::GET => Route::Journal,
        "/1.1/statuses/filter.json"
        | "/1.1/statuses/sample.json"
        | "/2/tweets/search/stream"
        | "/2/tweets/sample/stream"
        | RULES_PATH
        | JOURNAL_PATH => Route::MethodNotAllowed,
        _ => Route::NotFound,
    }
}

/// What one connection attempt gets.
pub(crate) enum Plan {
    /// A fixed response (a recorded error status, for example).
    Respond { status: u16, content_type: String, body: Bytes },
    /// A stream.
    Stream(StreamPlan),
}

async fn handle(
    shared: Arc<Shared>,
    control: Arc<ConnControl>,
    request: Request<Incoming>,
) -> Result<Response<ServerBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let mut entry = JournalEntry {
        id: 0,
        elapsed: Instant::now().duration_since(shared.started),
        unix_ms: journal::unix_ms(),
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.as_deref().map(journal::redact_params),
        form: None,
        headers: redacted_headers(&parts.headers),
        client: client_identity(&parts.headers),
        status: 0,
        stream: None,
    };
    debug!(method = %parts.method, %path, client = ?entry.client, "request");

    // The service refused long request lines well before hyper would.
    let target_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_too_long(target_len) {
        return Ok(refuse(&shared, entry, AuthFailure::UriTooLong(target_len)));
    }

    let version = match route(&parts.method, &path) {
        Route::Stream(version) => Some(version),
        Route::Rules => None,
        Route::Journal => {
            let json = serde_json::to_vec(&shared.journal.snapshot()).unwrap_or_default();
            return Ok(fixed(StatusCode::OK, "application/json", json.into()));
        }
        Route::NotFound => {
            entry.status = 404;
            shared.journal.push(entry, None);
            return Ok(error(StatusCode::NOT_FOUND, 34, "Sorry, that page does not exist"));
        }
        Route::MethodNotAllowed => {
            entry.status = 405;
            shared.journal.push(entry, None);
            return Ok(error(StatusCode::METHOD_NOT_ALLOWED, 405, "Method not allowed"));
        }
    };

    // A v1.1 POST carries its parameters in a form body.
    let form = match Limited::new(body, MAX_FORM_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            entry.status = 413;
            shared.journal.push(entry, None);
            return Ok(error(StatusCode::PAYLOAD_TOO_LARGE, 413, "Request body too large"));
        }
    };
    if !form.is_empty() {
        entry.form = Some(journal::redact_params(&String::from_utf8_lossy(&form)));
    }
    let Some(version) = version else {
        return Ok(rules(&shared, entry, &parts, query.as_deref().unwrap_or(""), &form));
    };
    let filter = match admit(&shared, &parts, version, query.as_deref().unwrap_or(""), &form) {
        Ok(filter) => filter,
        Err(failure) => return Ok(refuse(&shared, entry, failure)),
    };
    let framing = requested_framing(query.as_deref().unwrap_or(""), &form);

    let cursor = client_cursor(&shared, entry.client.as_deref());
    match plan(&shared, version, framing, &cursor, filter) {
        Plan::Respond { status, content_type, body } => {
            entry.status = status;
            shared.journal.push(entry, None);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(fixed(status, &content_type, body))
        }
        Plan::Stream(plan) => Ok(stream(&shared, control, entry, plan, cursor)),
    }
}

/// Starts a stream, journals it and builds its response.
fn stream(
    shared: &Arc<Shared>,
    control: Arc<ConnControl>,
    mut entry: JournalEntry,
    plan: StreamPlan,
    cursor: SharedCursor,
) -> Response<ServerBody> {
    let track = shared.library.track(plan.start.connection, plan.framing, &plan.filter);
    info!(
        client = ?entry.client,
        connection = plan.start.connection,
        message = plan.start.message,
        framing = %plan.framing,
        messages = track.as_ref().map_or(0, |t| t.messages()),
        verbatim = track.as_ref().is_some_and(|t| t.verbatim),
        "stream opened"
    );
    let stats = Arc::new(StreamStats::default());
    entry.status = 200;
    entry.stream = Some(StreamOutcome {
        fixture_connection: track.as_ref().map(|_| plan.start.connection),
        first_message: plan.start.message,
        messages: 0,
        keep_alives: 0,
        bytes: 0,
        end: StreamEnd::Streaming,
    });
    shared.journal.push(entry, Some(stats.clone()));

    // A recording that ends cleanly closes the connection after the body,
    // as the service did after a disconnect message.
    let closes = track.as_ref().is_some_and(|t| t.end == End::Clean);
    let body = ReplayBody::new(
        shared.library.clone(),
        plan,
        cursor,
        stats,
        control,
        shared.shutdown.clone(),
    );
    let mut response = Response::new(body.map_err(Into::into).boxed());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if closes {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Decides what this connection attempt gets, from where the client is in
/// the fixture.
fn plan(
    shared: &Shared,
    version: Version,
    framing: Framing,
    cursor: &SharedCursor,
    filter: StreamFilter,
) -> Plan {
    let config = &shared.config;
    let connections = shared.library.len();
    let mut start = *cursor.lock().unwrap_or_else(PoisonError::into_inner);
    if config.loop_forever && connections > 0 {
        start.connection %= connections;
    }
    debug!(connection = start.connection, message = start.message, "planning connection");

    // A recorded error status is answered as recorded, and the next
    // attempt gets the next connection.
    if let Some(recorded) = shared.library.connection(start.connection) {
        if recorded.response.status != 200 {
            let next = match start.connection + 1 {
                n if config.loop_forever && n >= connections => 0,
                n => n,
            };
            *cursor.lock().unwrap_or_else(PoisonError::into_inner) =
                Cursor { connection: next, message: 0 };
            let body: Vec<u8> =
                recorded.chunks.iter().flat_map(|c| c.data.iter().copied()).collect();
            let content_type = recorded
                .response
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map_or("application/json", |(_, value)| value.as_str());
            return Plan::Respond {
                status: recorded.response.status,
                content_type: content_type.to_owned(),
                body: body.into(),
            };
        }
    }

    let keep_alive = match config.keep_alive {
        Some(interval) if interval.is_zero() => None,
        Some(interval) => Some(interval),
        None if version == Version::V2 => Some(Duration::from_secs(20)),
        None => Some(Duration::from_secs(30)),
    };
    Plan::Stream(StreamPlan {
        framing,
        start,
        speed: config.speed,
        keep_alive,
        looping: config.loop_forever,
        filter: Arc::new(filter),
    })
}

/// Checks a stream request's credentials and parameters and returns what
/// its stream lets through: the v1.1 filter's predicates, the v2 token's
/// rules, or everything on the sample endpoints.
fn admit(
    shared: &Shared,
    parts: &http::request::Parts,
    version: Version,
    query: &str,
    form: &[u8],
) -> Result<StreamFilter, AuthFailure> {
    let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let auth = &shared.config.auth;
    let path = parts.uri.path();
    match version {
        Version::V1 => {
            let mut pairs = decode_pairs(query);
            pairs.extend(decode_pairs(&String::from_utf8_lossy(form)));
            // The URL as the client addressed it; the mock serves plain
            // HTTP here.
            let host = parts.headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
            let url = format!("http://{host}{path}");
            auth.check_v1(parts.method.as_str(), &url, &pairs, header, SystemTime::now())?;
            if path != Endpoint::V1Filter.path() {
                return Ok(StreamFilter::All);
            }
            Ok(StreamFilter::V1(V1Filter::new(&filter_params(&pairs)?)))
        }
        Version::V2 => {
            let token = auth.check_v2(header)?;
            if path != Endpoint::V2Search.path() {
                return Ok(StreamFilter::All);
            }
            let rules = shared.rules.rule_set(&token);
            Ok(StreamFilter::V2(rules.deliver_without_rules(!shared.config.strict_v2_rules)))
        }
    }
}

/// Answers the v2 rules endpoint for the request's bearer token.
fn rules(
    shared: &Shared,
    mut entry: JournalEntry,
    parts: &http::request::Parts,
    query: &str,
    body: &[u8],
) -> Response<ServerBody> {
    let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = match shared.config.auth.check_v2(header) {
        Ok(token) => token,
        Err(failure) => return refuse(shared, entry, failure),
    };
    let outcome =
        shared.rules.handle(&token, parts.method.as_str(), query, body, SystemTime::now());
    debug!(status = outcome.status, "rules request");
    entry.status = outcome.status;
    shared.journal.push(entry, None);
    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK);
    fixed(status, "application/json", outcome.body.into())
}

/// Journals and answers a request refused before streaming.
fn refuse(shared: &Shared, mut entry: JournalEntry, failure: AuthFailure) -> Response<ServerBody> {
    // The failure text holds no secret: a base string has none.
    debug!(status = failure.status(), %failure, "request refused");
    entry.status = failure.status();
    shared.journal.push(entry, None);
    let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    fixed(status, failure.content_type(), failure.body().into())
}

/// The cursor of a known client (a fresh one if asked to restart), or a
/// fresh unshared one for a request without credentials.
fn client_cursor(shared: &Shared, client: Option<&str>) -> SharedCursor {
    let Some(client) = client else {
        return SharedCursor::default();
    };
    let mut clients = shared.clients.lock().unwrap_or_else(PoisonError::into_inner);
    let cursor = clients.entry(client.to_owned()).or_default().clone();
    if shared.config.restart_on_reconnect {
        *cursor.lock().unwrap_or_else(PoisonError::into_inner) = Cursor::default();
    }
    cursor
}

/// `delimited=length` in the query or the form body asks for length
/// framing; anything else gets `\r\n`.
fn requested_framing(query: &str, form: &[u8]) -> Framing {
    let asks_length = |params: &[u8]| {
        url::form_urlencoded::parse(params).any(|(k, v)| k == "delimited" && v == "length")
    };
    if asks_length(query.as_bytes()) || asks_length(form) {
        Framing::Length
    } else {
        Framing::Crlf
    }
}

fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            (name.to_string(), journal::redact_header(name.as_str(), &value))
        })
        .collect()
}

/// Who sent a request: a fingerprint of its OAuth 1.0a consumer key and
/// token, or of its bearer token. Never the credentials themselves.
pub(crate) fn client_identity(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(format!("bearer:{}", fingerprint(&[rest.trim()])));
    }
    if !scheme.eq_ignore_ascii_case("oauth") {
        return None;
    }
    let mut consumer_key = None;
    let mut token = "";
    for param in rest.split(',') {
        let Some((name, value)) = param.trim().split_once('=') else { continue };
        let value = value.trim().trim_matches('"');
        match name.trim() {
            "oauth_consumer_key" => consumer_key = Some(value),
            "oauth_token" => token = value,
            _ => {}
        }
    }
    let consumer_key = percent_encoding::percent_decode_str(consumer_key?).decode_utf8_lossy();
    let token = percent_encoding::percent_decode_str(token).decode_utf8_lossy();
    Some(format!("oauth:{}", fingerprint(&[&consumer_key, &token])))
}

/// The first 12 hex digits of the SHA-1 of the parts.
fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..6].iter().map(|b| format!("{b:02x}")).collect()
}

fn fixed(status: StatusCode, content_type: &str, body: Bytes) -> Response<ServerBody> {
    let mut response = Response::new(Full::new(body).map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn error(status: StatusCode, code: u32, message: &str) -> Response<ServerBody> {
    let body = serde_json::json!({ "errors": [{ "code": code, "message": message }] });
    fixed(status, "application/json", body.to_string().into())
}

/// A server-side socket that resets the connection when dropped, if its
/// [`ConnControl`] asks for it.
pub(crate) struct ServerIo {
    inner: TokioIo<TcpStream>,
    control: Arc<ConnControl>,
}

impl Drop for ServerIo {
    fn drop(&mut self) {
        if self.control.wants_reset() {
            // Linger 0 makes the close below send RST instead of FIN.
            let socket = socket2::SockRef::from(self.inner.inner());
            if let Err(err) = socket.set_linger(Some(Duration::ZERO)) {
                warn!(%err, "could not arm a connection reset");
            }
        }
    }
}

impl hyper::rt::Read for ServerIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ServerIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_clients_are_told_apart_by_consumer_key_and_token() {
        let header = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            client_identity(&headers)
        };
        let a = header(r#"OAuth oauth_consumer_key="ck", oauth_token="t1", oauth_signature="x""#);
        let a_again =
            header(r#"OAuth oauth_signature="y", oauth_token="t1",oauth_consumer_key="ck""#);
        let b = header(r#"OAuth oauth_consumer_key="ck", oauth_token="t2""#);
        assert!(a.as_deref().is_some_and(|id| id.starts_with("oauth:")));
        assert_eq!(a, a_again);
        assert_ne!(a, b);
        assert!(!a.unwrap_or_default().contains("ck"));
        assert_eq!(header("Basic abc"), None);
        assert!(header("Bearer AAAA").is_some_and(|id| id.starts_with("bearer:")));
    }

    #[test]
    fn length_framing_is_asked_for_in_the_query_or_the_form() {
        assert_eq!(requested_framing("delimited=length", b""), Framing::Length);
        assert_eq!(requested_framing("", b"track=a&delimited=length"), Framing::Length);
        assert_eq!(requested_framing("delimited=crlf", b""), Framing::Crlf);
        assert_eq!(requested_framing("", b""), Framing::Crlf);
    }
}
