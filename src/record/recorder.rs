//! Recording a stream straight from the service: connect as `rehose
//! stream` would, write every body chunk to the fixture as it arrives
//! (flushed, with its time since the response head), reconnect as the
//! backoff policy says, and stop on a limit, a shutdown signal or a
//! status retrying cannot fix.
//!
//! Every connection attempt that got an answer becomes a fixture
//! connection, error statuses included (with their body), so a replay
//! reproduces the same sequence of failures. Attempts that got no answer
//! (refused, DNS, TLS) are only logged: a fixture connection needs a
//! response.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::pin::{pin, Pin};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use tokio::time::{sleep_until, timeout, Instant};
use tracing::{debug, info, warn};

use super::anonymize::{Anonymizer, ChunkAnonymizer};
use super::http::{header_pairs, upstream, Upstream};
use super::progress::{Counts, Progress};
use super::redact::Redactor;
use super::RecordError;
use crate::error_chain::describe;
use crate::fixture::{End, FixtureWriter, Request, Response};
use crate::frame::{Decoder, Frame, Framing};
use crate::protocol::oauth;
use crate::protocol::{Backoff, BackoffPolicy, Credentials, Decision, Failure};
use crate::protocol::{StreamOptions, StreamRequest};

/// How the recorder authenticates.
#[derive(Clone, Default)]
pub enum Auth {
    /// No `Authorization` header (a mock server that does not check).
    #[default]
    None,
    /// OAuth 1.0a user context (v1.1 endpoints), signed afresh for every
    /// attempt.
    OAuth1(Credentials),
    /// An app-only bearer token (v2 endpoints).
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach a log line.
        match self {
            Auth::None => f.write_str("None"),
            Auth::OAuth1(credentials) => f.debug_tuple("OAuth1").field(credentials).finish(),
            Auth::Bearer(_) => f.write_str("Bearer(..)"),
        }
    }
}

/// What to record and where; [`RecordConfig::new`] gives the defaults.
#[derive(Clone, Debug)]
pub struct RecordConfig {
    /// The endpoint and its parameters.
    pub request: StreamRequest,
    /// `stall_warnings` and `delimited=length` (v1.1); default both off.
    pub options: StreamOptions,
    /// Credentials; default none.
    pub auth: Auth,
    /// Scheme, host and optional path prefix; default the endpoint's real
    /// host.
    pub base_url: Option<String>,
    /// The fixture file to write (created or truncated).
    pub output: PathBuf,
    /// The framing written in the fixture; default `length` when
    /// `delimited=length` is asked for, `crlf` otherwise.
    pub framing: Option<Framing>,
    /// Stop once this many messages arrived; default none.
    pub max_messages: Option<u64>,
    /// Stop after this long; default none.
    pub duration: Option<Duration>,
    /// Stop once this many body bytes arrived; default none.
    pub max_bytes: Option<u64>,
    /// Drop a connection that sends nothing for this long; default 90 s,
    /// three missed keep-alives.
    pub stall_timeout: Duration,
    /// Reconnect timings; default the protocol's.
    pub backoff: BackoffPolicy,
    /// Extra header and parameter names to keep out of the file; default
    /// none (the built-in secrets are always removed, see
    /// [`Redactor`](super::Redactor)).
    pub redact: Vec<String>,
    /// Replace personal details with pseudonyms derived from this seed;
    /// default `None`, messages kept as received.
    pub anonymize: Option<u64>,
    /// Show a progress line when stderr is a terminal; default true.
    pub progress: bool,
    /// The `User-Agent` header; default `rehose/VERSION`.
    pub user_agent: String,
}

impl RecordConfig {
    /// Records `request` into `output` with every other setting at its
    /// default.
    pub fn new(request: StreamRequest, output: impl Into<PathBuf>) -> RecordConfig {
        RecordConfig {
            request,
            options: StreamOptions::default(),
            auth: Auth::None,
            base_url: None,
            output: output.into(),
            framing: None,
            max_messages: None,
            duration: None,
            max_bytes: None,
            stall_timeout: Duration::from_secs(90),
            backoff: BackoffPolicy::default(),
            redact: Vec::new(),
            anonymize: None,
            progress: true,
            user_agent: concat!("rehose/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    fn framing(&self) -> Framing {
        self.framing.unwrap_or(
            if self.options.delimited_length && !self.request.endpoint().is_v2() {
                Framing::Length
            } else {
                Framing::Crlf
            },
        )
    }

    fn base_url(&self) -> String {
        let base = self.base_url.as_deref().unwrap_or(self.request.endpoint().default_host());
        base.trim_end_matches('/').to_owned()
    }
}

/// Why a recording stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// `max_messages` reached.
    MaxMessages,
    /// `max_bytes` reached.
    MaxBytes,
    /// `duration` elapsed.
    Duration,
    /// The shutdown future completed (Ctrl-C, SIGTERM).
    Shutdown,
    /// The backoff policy gave up, for this reason.
    GaveUp(String),
}

/// What a finished recording holds.
#[derive(Clone, Debug)]
pub struct RecordReport {
    /// The fixture written.
    pub output: PathBuf,
    /// Fixture connections written.
    pub connections: usize,
    /// Messages, bytes and reconnects.
    pub counts: Counts,
    /// Time from start to stop.
    pub elapsed: Duration,
    /// Why it stopped.
    pub stop: Stop,
}

/// Records into `config.output` until a limit is reached, `shutdown`
/// completes or the backoff gives up.
///
/// A connection open at a limit ends `open`, at shutdown `interrupted`.
/// Dropping the returned future leaves a file whose last connection has no
/// end line, which reads as interrupted too.
///
/// # Errors
///
/// [`RecordError::Params`] for parameters the service would refuse,
/// [`RecordError::Url`] for a bad base URL, [`RecordError::Create`] and
/// [`RecordError::Write`] when the file cannot be written (what was written
/// before stays a valid fixture).
pub async fn record(
    config: RecordConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<RecordReport, RecordError> {
    config.request.validate()?;
    let file = std::fs::File::create(&config.output)
        .map_err(|source| RecordError::Create { path: config.output.clone(), source })?;
    record_to(config, file, shutdown).await
}

/// [`record`] into any writer (`config.output` only names it in errors).
///
/// # Errors
///
/// As [`record`], [`RecordError::Write`] for any error of `out`.
pub async fn record_to<W: Write>(
    config: RecordConfig,
    out: W,
    shutdown: impl Future<Output = ()>,
) -> Result<RecordReport, RecordError> {
    config.request.validate()?;
    let client = upstream().map_err(RecordError::Tls)?;
    let mut meta = vec![
        ("source".to_owned(), format!("recorded from {}", config.base_url())),
        ("recorder".to_owned(), concat!("rehose ", env!("CARGO_PKG_VERSION")).to_owned()),
    ];
    // The seed itself stays out: with it, a pseudonym could be checked
    // against a guessed original.
    if config.anonymize.is_some() {
        meta.push(("anonymized".to_owned(), "yes".to_owned()));
    }
    let writer = FixtureWriter::new(out, &meta).map_err(|source| config.write_error(source))?;
    let started = Instant::now();
    let mut session = Session {
        redactor: Redactor::new(&config.redact),
        anonymizer: config.anonymize.map(Anonymizer::new),
        writer,
        counts: Counts::default(),
        connections: 0,
        started,
        deadline: config.duration.map(|duration| started + duration),
        progress: Progress::new(config.progress),
        config: &config,
    };

    let mut shutdown = pin!(shutdown);
    let mut backoff = Backoff::new(config.backoff.clone());
    let stop = loop {
        let failure = match session.attempt(&client, &mut backoff, shutdown.as_mut()).await? {
            Outcome::Stopped(stop) => break stop,
            Outcome::Failed(failure) => failure,
        };
        let wait = match backoff.next(&failure) {
            Decision::Stop(reason) => {
                warn!(%reason, "giving up");
                break Stop::GaveUp(reason);
            }
            Decision::Retry(wait) => wait,
        };
        debug!(?failure, ?wait, "reconnecting after a wait");
        tokio::select! {
            biased;
            () = shutdown.as_mut() => break Stop::Shutdown,
            () = until(session.deadline) => break Stop::Duration,
            () = tokio::time::sleep(wait) => {}
        }
        session.counts.reconnects += 1;
    };

    session.progress.finish();
    info!(?stop, messages = session.counts.messages, "recording stopped");
    Ok(RecordReport {
        output: config.output.clone(),
        connections: session.connections,
        counts: session.counts,
        elapsed: started.elapsed(),
        stop,
    })
}

impl RecordConfig {
    fn write_error(&self, source: std::io::Error) -> RecordError {
        RecordError::Write { path: self.output.clone(), source }
    }
}

/// How one attempt ended.
enum Outcome {
    /// Reconnect, after the backoff for this failure.
    Failed(Failure),
    /// The recording is over.
    Stopped(Stop),
}

struct Session<'a, W: Write> {
    config: &'a RecordConfig,
    redactor: Redactor,
    anonymizer: Option<Anonymizer>,
    writer: FixtureWriter<W>,
    counts: Counts,
    connections: usize,
    started: Instant,
    deadline: Option<Instant>,
    progress: Progress,
}

impl<W: Write> Session<'_, W> {
    /// One connection attempt, recorded from its response head to its end.
    async fn attempt(
        &mut self,
        client: &Upstream,
        backoff: &mut Backoff,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Outcome, RecordError> {
        let (request, recorded) = self.request()?;
        let target = request.uri().clone();
        let sent = tokio::select! {
            biased;
            () = shutdown.as_mut() => return Ok(Outcome::Stopped(Stop::Shutdown)),
            () = until(self.deadline) => return Ok(Outcome::Stopped(Stop::Duration)),
            sent = client.request(request) => sent,
        };
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                warn!(url = %target, error = %describe(&err), "connection failed");
                return Ok(Outcome::Failed(Failure::Network));
            }
        };

        // The head: every chunk time counts from here.
        let head_at = Instant::now();
        let status = response.status().as_u16();
        let head =
            Response { status, headers: self.redactor.headers(&header_pairs(response.headers())) };
        let framing = self.config.framing();
        self.writer
            .begin_connection(&recorded, &head, framing)
            .map_err(|source| self.config.write_error(source))?;
        self.connections += 1;
        info!(url = %target, status, connection = self.connections, "connected");
        if status == 200 {
            backoff.connected();
        }

        let mut body = response.into_body();
        let mut decoder = Decoder::new(framing);
        let mut anonymizer = self.anonymizer.map(|a| a.chunks(framing));
        let mut received = 0u64;
        let failure = |received: u64| match status {
            200 if received == 0 => Failure::Network,
            200 => Failure::Dropped,
            _ => Failure::Http(status),
        };
        let (end, outcome) = loop {
            let frame = tokio::select! {
                biased;
                () = shutdown.as_mut() => break (End::Interrupted, Outcome::Stopped(Stop::Shutdown)),
                () = until(self.deadline) => break (End::Open, Outcome::Stopped(Stop::Duration)),
                frame = timeout(self.config.stall_timeout, body.frame()) => frame,
            };
            let data = match frame {
                Err(_) => {
                    warn!(timeout = ?self.config.stall_timeout, "stream stalled; dropping it");
                    break (End::Stalled, Outcome::Failed(Failure::Stall));
                }
                Ok(None) => {
                    info!(connection = self.connections, "stream ended by the server");
                    break (End::Clean, Outcome::Failed(failure(received)));
                }
                Ok(Some(Err(err))) => {
                    warn!(error = %describe(&err), "stream cut");
                    break (End::Reset, Outcome::Failed(failure(received)));
                }
                Ok(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if !data.is_empty() => data,
                    _ => continue,
                },
            };

            let at = head_at.elapsed();
            received += data.len() as u64;
            if status == 200 {
                self.counts.bytes += data.len() as u64;
                decoder.push(data.clone());
                while let Some(frame) = decoder.next_frame() {
                    if let Ok(Frame::Message(_)) = frame {
                        self.counts.messages += 1;
                    }
                }
            }
            self.chunk(anonymizer.as_mut(), at, data)?;
            self.progress.update(self.counts, self.started.elapsed());
            if let Some(stop) = self.limit_reached().filter(|_| status == 200) {
                break (End::Open, Outcome::Stopped(stop));
            }
        };

        if let Some(anonymizer) = anonymizer.as_mut() {
            for (at, data) in anonymizer.finish() {
                self.writer.chunk(at, &data).map_err(|source| self.config.write_error(source))?;
            }
        }
        self.writer.end(&end).map_err(|source| self.config.write_error(source))?;
        Ok(outcome)
    }

    /// Writes a chunk, through the anonymizer if there is one.
    fn chunk(
        &mut self,
        anonymizer: Option<&mut ChunkAnonymizer>,
        at: Duration,
        data: Bytes,
    ) -> Result<(), RecordError> {
        let ready = match anonymizer {
            Some(anonymizer) => anonymizer.push(at, &data),
            None => vec![(at, data)],
        };
        for (at, data) in ready {
            self.writer.chunk(at, &data).map_err(|source| self.config.write_error(source))?;
        }
        Ok(())
    }

    fn limit_reached(&self) -> Option<Stop> {
        let config = self.config;
        if config.max_messages.is_some_and(|max| self.counts.messages >= max) {
            Some(Stop::MaxMessages)
        } else if config.max_bytes.is_some_and(|max| self.counts.bytes >= max) {
            Some(Stop::MaxBytes)
        } else {
            None
        }
    }

    /// The signed request to send, and the same request as recorded
    /// (secrets removed).
    fn request(&self) -> Result<(http::Request<Full<Bytes>>, Request), RecordError> {
        let config = self.config;
        let parts = config.request.parts(&config.options);
        let url = format!("{}{}", config.base_url(), parts.path);
        let query = oauth::encode_pairs(&parts.query);
        let body = oauth::encode_pairs(&parts.form);
        let full = if query.is_empty() { url.clone() } else { format!("{url}?{query}") };
        let bad_url = |reason: String| RecordError::Url { url: full.clone(), reason };
        let uri: http::Uri =
            full.parse().map_err(|err: http::uri::InvalidUri| bad_url(err.to_string()))?;
        let host = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| bad_url("no host".into()))?;

        let mut headers =
            vec![("Host".to_owned(), host), ("User-Agent".to_owned(), config.user_agent.clone())];
        match &config.auth {
            Auth::None => {}
            Auth::OAuth1(credentials) => {
                let value =
                    oauth::authorization(parts.method, &url, &parts.signed_pairs(), credentials);
                headers.push(("Authorization".to_owned(), value));
            }
            Auth::Bearer(token) => {
                headers.push(("Authorization".to_owned(), format!("Bearer {token}")))
            }
        }
        if !body.is_empty() {
            headers
                .push(("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
        }

        let mut builder = http::Request::builder().method(parts.method).uri(uri.clone());
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request = builder
            .body(Full::new(Bytes::from(body.clone())))
            .map_err(|_| bad_url("the credentials or user agent do not fit in a header".into()))?;
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let recorded = self.redactor.request(parts.method, target, &headers, body.as_bytes());
        Ok((request, recorded))
    }
}

/// Completes at `deadline`, never without one.
async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
