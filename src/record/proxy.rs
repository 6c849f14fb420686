//! Proxy mode: an HTTP server that forwards every request to an upstream
//! and records the responses on their way back, so any client can be
//! recorded unchanged by pointing it at the proxy.
//!
//! ```text
//!  client --request--> proxy --request (hop-by-hop headers dropped)--> upstream
//!  client <--chunk---- proxy <--chunk-------------------------------- upstream
//!                        |
//!                        +--> fixture (redacted, anonymized if asked, flushed)
//! ```
//!
//! Each response chunk is handed to the client as soon as it is read and
//! written to the fixture on the way; nothing waits for the body to end.
//! Every request that got an answer becomes a fixture connection, in the
//! order the answers arrived. Connections overlapping in time are written
//! one after the other: a later one is held in memory until the earlier
//! ones end.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, CONNECTION};
use http::{HeaderMap, Request as HttpRequest, Response as HttpResponse, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};
use url::Url;

use super::anonymize::{Anonymizer, ChunkAnonymizer};
use super::http::{header_pairs, upstream, Upstream};
use super::redact::Redactor;
use super::RecordError;
use crate::error_chain::describe;
use crate::fixture::{End, FixtureWriter, Request, Response};
use crate::frame::Framing;

/// The largest request body the proxy forwards: 1 MiB, the mock server's
/// own cap, far above the largest form a stream request carries (5,000
/// follow ids and 400 track phrases come to well under 200 KiB).
const MAX_REQUEST_BODY: usize = 1 << 20;

/// What the proxy forwards to and records into.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// Where requests go: scheme, host and optional path prefix.
    pub upstream: Url,
    /// The address to listen on (port 0 for any free port).
    pub listen: SocketAddr,
    /// The fixture file to write (created or truncated).
    pub output: PathBuf,
    /// Extra header and parameter names to keep out of the file; the
    /// built-in secrets are always removed (see [`Redactor`]).
    pub redact: Vec<String>,
    /// Replace personal details in the recorded copy (the client gets the
    /// messages unchanged); default false.
    pub anonymize: bool,
    /// The seed of the pseudonyms; default `None`, a random one (never
    /// written to the file, so pseudonyms cannot be checked against
    /// guesses).
    pub seed: Option<u64>,
}

impl ProxyConfig {
    /// Forwards to `upstream` from `listen`, recording into `output`.
    pub fn new(upstream: Url, listen: SocketAddr, output: impl Into<PathBuf>) -> ProxyConfig {
        ProxyConfig {
            upstream,
            listen,
            output: output.into(),
            redact: Vec::new(),
            anonymize: false,
            seed: None,
        }
    }
}

/// Proxies and records until `shutdown` completes.
///
/// # Errors
///
/// As [`ProxyServer::bind`] and [`ProxyServer::serve`].
pub async fn run_proxy(
    config: ProxyConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RecordError> {
    ProxyServer::bind(config).await?.serve(shutdown).await
}

/// A bound recording proxy, not serving yet.
#[derive(Debug)]
pub struct ProxyServer {
    listener: TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    client: Upstream,
    upstream: String,
    redactor: Redactor,
    anonymizer: Option<Anonymizer>,
    sink: Mutex<Sink>,
    /// Fires when the file cannot be written.
    failed: CancellationToken,
    /// Set at shutdown: connections dropped then end `interrupted`.
    stopping: CancellationToken,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink").field("path", &self.path).field("live", &self.live).finish()
    }
}

impl ProxyServer {
    /// Binds `config.listen` and creates the fixture file.
    ///
    /// # Errors
    ///
    /// [`RecordError::Bind`], [`RecordError::Create`] or
    /// [`RecordError::Write`] for the file's header, [`RecordError::Tls`].
    pub async fn bind(config: ProxyConfig) -> Result<ProxyServer, RecordError> {
        let listen = config.listen;
        let bind_error = |source| RecordError::Bind { addr: listen, source };
        let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;

        let file = std::fs::File::create(&config.output)
            .map_err(|source| RecordError::Create { path: config.output.clone(), source })?;
        let upstream_url = config.upstream.as_str().trim_end_matches('/').to_owned();
        let mut meta = vec![
            ("source".to_owned(), format!("recorded through a proxy to {upstream_url}")),
            ("recorder".to_owned(), concat!("rehose ", env!("CARGO_PKG_VERSION")).to_owned()),
        ];
        if config.anonymize {
            meta.push(("anonymized".to_owned(), "yes".to_owned()));
        }
        let writer = FixtureWriter::new(file, &meta)
            .map_err(|source| RecordError::Write { path: config.output.clone(), source })?;
        let seed = config.seed.unwrap_or_else(rand::random);
        let shared = Shared {
            client: upstream().map_err(RecordError::Tls)?,
            upstream: upstream_url,
            redactor: Redactor::new(&config.redact),
            anonymizer: config.anonymize.then(|| Anonymizer::new(seed)),
            sink: Mutex::new(Sink {
                writer,
                path: config.output,
                next: 0,
                live: 0,
                held: BTreeMap::new(),
                error: None,
            }),
            failed: CancellationToken::new(),
            stopping: CancellationToken::new(),
        };
        Ok(ProxyServer { listener, addr, shared: Arc::new(shared) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes; responses still streaming then
    /// end `interrupted` in the file.
    ///
    /// # Errors
    ///
    /// [`RecordError::Write`] when the fixture cannot be written (a full
    /// disk): the proxy stops, and the file holds what came before.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<(), RecordError> {
        info!(addr = %self.addr, upstream = %self.shared.upstream, "recording proxy listening");
        let mut connections = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                biased;
                () = shutdown.as_mut() => break,
                () = self.shared.failed.cancelled() => break,
                accepted = self.listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    warn!(error = %err, "accept failed");
                    continue;
                }
            };
            debug!(%peer, "client connected");
            let shared = self.shared.clone();
            connections.spawn(async move {
                let service = service_fn(move |request| handle(shared.clone(), request));
                let served = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                if let Err(err) = served {
                    debug!(error = %describe(&err), "client connection ended");
                }
            });
        }

        self.shared.stopping.cancel();
        connections.shutdown().await;
        let mut sink = self.shared.sink.lock().unwrap_or_else(PoisonError::into_inner);
        match sink.error.take() {
            Some(source) => Err(RecordError::Write { path: sink.path.clone(), source }),
            None => Ok(()),
        }
    }
}

/// Forwards one request and taps its response.
async fn handle(
    shared: Arc<Shared>,
    request: HttpRequest<Incoming>,
) -> Result<HttpResponse<TapBody>, std::convert::Infallible> {
    let (parts, body) = request.into_parts();
    // Request bodies are small forms; the response is what streams. The
    // cap keeps a client from making the proxy hold an endless body.
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => {
            return Ok(refuse(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"));
        }
        Err(err) => return Ok(refuse(StatusCode::BAD_REQUEST, &describe(&*err))),
    };
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let url = format!("{}{target}", shared.upstream);
    // Logs name the redacted target: a client may sign with `oauth_*`
    // parameters in the query, and those must not reach a log line.
    let recorded = shared.redactor.request(
        parts.method.as_str(),
        &target,
        &header_pairs(&end_to_end(&parts.headers)),
        &body,
    );

    let mut forward = HttpRequest::builder().method(parts.method.clone()).uri(&url);
    if let Some(headers) = forward.headers_mut() {
        *headers = end_to_end(&parts.headers);
        // The upstream's own host goes in, from the URL.
        headers.remove(http::header::HOST);
    }
    let forward = match forward.body(Full::new(body.clone())) {
        Ok(forward) => forward,
        Err(err) => return Ok(refuse(StatusCode::BAD_REQUEST, &err.to_string())),
    };
    let response = match shared.client.request(forward).await {
        Ok(response) => response,
        Err(err) => {
            warn!(
                upstream = %shared.upstream,
                target = %recorded.target,
                error = %describe(&err),
                "upstream unreachable"
            );
            return Ok(refuse(StatusCode::BAD_GATEWAY, "upstream unreachable"));
        }
    };

    // Record the head, then hand the body over through the tap.
    let head_at = Instant::now();
    let (mut head, upstream_body) = response.into_parts();
    let status = head.status.as_u16();
    let recorded_head =
        Response { status, headers: shared.redactor.headers(&header_pairs(&head.headers)) };
    let framing = framing_of(&target, &body);
    let slot = shared.lock().open();
    info!(target = %recorded.target, status, connection = slot + 1, "proxying");
    shared.record(slot, Event::Begin(recorded, recorded_head, framing));

    head.headers = end_to_end(&head.headers);
    let tap = Tap {
        anonymizer: shared.anonymizer.map(|a| a.chunks(framing)),
        shared,
        slot,
        head_at,
        ended: false,
    };
    let tap = TapBody::Tap { inner: upstream_body, tap: Box::new(tap) };
    Ok(HttpResponse::from_parts(head, tap))
}

/// `headers` without the hop-by-hop ones (RFC 9110 section 7.6.1), which
/// concern one connection only.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    const HOP_BY_HOP: [&str; 9] = [
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ];
    let listed: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| name.trim().parse().ok())
        .collect();
    let mut kept = headers.clone();
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    for name in listed {
        kept.remove(name);
    }
    kept
}

/// `length` when the request asked for `delimited=length`, `crlf`
/// otherwise.
fn framing_of(target: &str, body: &[u8]) -> Framing {
    let query = target.split_once('?').map_or("", |(_, query)| query);
    let asked = |encoded: &[u8]| {
        url::form_urlencoded::parse(encoded)
            .any(|(name, value)| name == "delimited" && value == "length")
    };
    if asked(query.as_bytes()) || asked(body) {
        Framing::Length
    } else {
        Framing::Crlf
    }
}

fn refuse(status: StatusCode, reason: &str) -> HttpResponse<TapBody> {
    let mut response =
        HttpResponse::new(TapBody::fixed(Bytes::from(format!("rehose proxy: {reason}\n"))));
    *response.status_mut() = status;
    response
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sink> {
        self.sink.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `event`; a write failure stops the proxy.
    fn record(&self, slot: u64, event: Event) {
        let mut sink = self.lock();
        if let Err(err) = sink.push(slot, event) {
            error!(path = %sink.path.display(), error = %err, "cannot write the fixture; stopping");
            sink.error = Some(err);
            self.failed.cancel();
        }
    }
}

/// One recorded event of a connection.
enum Event {
    Begin(Request, Response, Framing),
    Chunk(Duration, Bytes),
    End(End),
}

/// The fixture writer, and the events of connections waiting for earlier
/// ones to end.
struct Sink {
    writer: FixtureWriter<std::fs::File>,
    path: PathBuf,
    /// The slot the next response gets.
    next: u64,
    /// The slot written through as it arrives.
    live: u64,
    held: BTreeMap<u64, Vec<Event>>,
    /// The first write error; nothing is written after it.
    error: Option<std::io::Error>,
}

impl Sink {
    fn open(&mut self) -> u64 {
        self.next += 1;
        self.next - 1
    }

    fn push(&mut self, slot: u64, event: Event) -> std::io::Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        if slot != self.live {
            self.held.entry(slot).or_default().push(event);
            return Ok(());
        }
        if self.write(event)? {
            self.live += 1;
            // Connections that waited are written now, up to one still open.
            while let Some(events) = self.held.remove(&self.live) {
                let mut ended = false;
                for event in events {
                    ended = self.write(event)?;
                }
                if !ended {
                    break;
                }
                self.live += 1;
            }
        }
        Ok(())
    }

    /// Writes one event; true when it ended its connection.
    fn write(&mut self, event: Event) -> std::io::Result<bool> {
        match event {
            Event::Begin(request, response, framing) => {
                self.writer.begin_connection(&request, &response, framing)?;
            }
            Event::Chunk(at, data) => self.writer.chunk(at, &data)?,
            Event::End(end) => {
                self.writer.end(&end)?;
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The body sent to the client: the upstream body recorded as it passes,
/// or the proxy's own short answer (not recorded).
enum TapBody {
    Tap { inner: Incoming, tap: Box<Tap> },
    Fixed(Option<Bytes>),
}

/// Where a tapped body's chunks are recorded.
struct Tap {
    anonymizer: Option<ChunkAnonymizer>,
    shared: Arc<Shared>,
    slot: u64,
    head_at: Instant,
    ended: bool,
}

impl TapBody {
    fn fixed(data: Bytes) -> TapBody {
        TapBody::Fixed(Some(data))
    }
}

impl Tap {
    fn chunk(&mut self, data: &Bytes) {
        let at = self.head_at.elapsed();
        let ready = match self.anonymizer.as_mut() {
            Some(anonymizer) => anonymizer.push(at, data),
            None => vec![(at, data.clone())],
        };
        for (at, data) in ready {
            self.shared.record(self.slot, Event::Chunk(at, data));
        }
    }

    fn end(&mut self, end: End) {
        if self.ended {
            return;
        }
        self.ended = true;
        if let Some(anonymizer) = self.anonymizer.as_mut() {
            for (at, data) in anonymizer.finish() {
                self.shared.record(self.slot, Event::Chunk(at, data));
            }
        }
        self.shared.record(self.slot, Event::End(end));
    }
}

impl Body for TapBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let (inner, tap) = match &mut *self {
            TapBody::Fixed(data) => return Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            TapBody::Tap { inner, tap } => (inner, tap),
        };
        let polled = Pin::new(inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref().filter(|data| !data.is_empty()) {
                    tap.chunk(data);
                }
            }
            Poll::Ready(Some(Err(err))) => {
                warn!(error = %describe(err), "upstream stream cut");
                tap.end(End::Reset);
            }
            Poll::Ready(None) => tap.end(End::Clean),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        match self {
            TapBody::Fixed(data) => data.is_none(),
            TapBody::Tap { inner, .. } => inner.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            TapBody::Fixed(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            TapBody::Tap { inner, .. } => inner.size_hint(),
        }
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        // The client went away, or the proxy is stopping, mid-stream.
        let end = if self.shared.stopping.is_cancelled() { End::Interrupted } else { End::Open };
        self.end(end);
    }
}
