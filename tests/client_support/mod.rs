//! A tiny scripted HTTP/1.1 server for the client tests: each connection
//! gets the next scripted reply, written by hand onto the socket so that
//! tests control every byte, every pause and every way of hanging up.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rehose::client::{Client, ClientBuilder, Event};
use rehose::protocol::{Credentials, StreamRequest};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

/// What one connection gets.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete non-200 response, then the socket closes.
    Status(u16, &'static str),
    /// A 200 chunked response made of these steps.
    Stream { gzip: bool, steps: Vec<Step> },
}

/// One step of a streamed body.
#[derive(Clone, Debug)]
pub enum Step {
    /// One HTTP chunk holding these bytes.
    Chunk(Vec<u8>),
    /// A pause.
    Sleep(Duration),
    /// The terminating chunk: the body ends cleanly.
    End,
    /// Close the socket mid-body, without the terminating chunk.
    Abort,
    /// Stay silent until the client hangs up.
    Hold,
    /// Write this chunk again and again, for ever.
    Flood(Vec<u8>),
}

/// A 200 stream of `steps`, not compressed.
pub fn stream(steps: Vec<Step>) -> Reply {
    Reply::Stream { gzip: false, steps }
}

/// A chunk of text.
pub fn chunk(text: &str) -> Step {
    Step::Chunk(text.as_bytes().to_vec())
}

/// What the server saw.
#[derive(Default)]
pub struct Journal {
    /// When each connection was accepted.
    pub accepts: Mutex<Vec<Instant>>,
    /// The head of each request.
    pub requests: Mutex<Vec<String>>,
    /// When each connection was seen closed by the client.
    pub hangups: Mutex<Vec<Instant>>,
    /// Body bytes written so far, all connections together.
    pub written: AtomicU64,
    /// Connections currently open.
    pub open: AtomicUsize,
}

impl Journal {
    pub fn accepts(&self) -> Vec<Instant> {
        self.accepts.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.accepts.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Gaps between consecutive accepts.
    pub fn gaps(&self) -> Vec<Duration> {
        self.accepts().windows(2).map(|pair| pair[1] - pair[0]).collect()
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub journal: Arc<Journal>,
}

impl TestServer {
    /// Serves `replies` in order to successive connections; the last one
    /// is repeated.
    pub async fn start(replies: Vec<Reply>) -> TestServer {
        TestServer::start_with(replies, None).await
    }

    /// Like [`TestServer::start`], over TLS with `acceptor`.
    pub async fn start_with(replies: Vec<Reply>, tls: Option<TlsAcceptor>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let journal = Arc::new(Journal::default());
        let shared = journal.clone();
        tokio::spawn(async move {
            let mut index = 0;
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                shared.accepts.lock().unwrap().push(Instant::now());
                let reply = replies[index.min(replies.len() - 1)].clone();
                index += 1;
                let journal = shared.clone();
                match tls.clone() {
                    None => drop(tokio::spawn(serve(socket, reply, journal))),
                    Some(acceptor) => drop(tokio::spawn(async move {
                        if let Ok(socket) = acceptor.accept(socket).await {
                            serve(socket, reply, journal).await;
                        }
                    })),
                }
            }
        });
        TestServer { addr, journal }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// An address where nothing listens: connecting is refused.
pub async fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    reply: Reply,
    journal: Arc<Journal>,
) {
    journal.open.fetch_add(1, Ordering::SeqCst);
    let Some(head) = read_request(&mut socket).await else {
        journal.open.fetch_sub(1, Ordering::SeqCst);
        return;
    };
    journal.requests.lock().unwrap().push(head);

    let result = match reply {
        Reply::Status(status, body) => {
            let response = format!(
                "HTTP/1.1 {status} Refused\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await
        }
        Reply::Stream { gzip, steps } => write_stream(&mut socket, gzip, steps, &journal).await,
    };
    if result.is_ok() {
        // Wait for the client to hang up, to note when it did.
        let mut scratch = [0u8; 1024];
        while let Ok(n) = socket.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    }
    journal.hangups.lock().unwrap().push(Instant::now());
    journal.open.fetch_sub(1, Ordering::SeqCst);
}

async fn write_stream<S: AsyncWrite + Unpin>(
    socket: &mut S,
    gzip: bool,
    steps: Vec<Step>,
    journal: &Journal,
) -> std::io::Result<()> {
    let encoding = if gzip { "content-encoding: gzip\r\n" } else { "" };
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{encoding}\
         transfer-encoding: chunked\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await?;
    for step in steps {
        match step {
            Step::Chunk(bytes) => write_chunk(socket, &bytes, journal).await?,
            Step::Sleep(pause) => tokio::time::sleep(pause).await,
            Step::End => socket.write_all(b"0\r\n\r\n").await?,
            Step::Abort => return Err(std::io::ErrorKind::ConnectionAborted.into()),
            Step::Hold => return Ok(()),
            Step::Flood(bytes) => loop {
                write_chunk(socket, &bytes, journal).await?;
            },
        }
    }
    Ok(())
}

async fn write_chunk<S: AsyncWrite + Unpin>(
    socket: &mut S,
    bytes: &[u8],
    journal: &Journal,
) -> std::io::Result<()> {
    let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    framed.extend_from_slice(b"\r\n");
    socket.write_all(&framed).await?;
    journal.written.fetch_add(bytes.len() as u64, Ordering::SeqCst);
    Ok(())
}

/// Reads a request head and its body (by content-length); returns the
/// head and body as text.
async fn read_request<S: AsyncRead + Unpin>(socket: &mut S) -> Option<String> {
    let mut buffer = Vec::new();
    let mut scratch = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut scratch).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&scratch[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0usize);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut scratch).await.ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&scratch[..n]);
    }
    Some(String::from_utf8_lossy(&buffer).into_owned())
}

/// Dummy OAuth 1.0a credentials.
pub fn credentials() -> Credentials {
    Credentials {
        consumer_key: "ck".into(),
        consumer_secret: "cs".into(),
        token: "tk".into(),
        token_secret: "ts".into(),
    }
}

/// A v1.1 sample client aimed at `url`, without gzip.
pub fn v1_sample(url: &str) -> ClientBuilder {
    Client::builder()
        .request(StreamRequest::V1Sample)
        .credentials(credentials())
        .base_url(url)
        .gzip(false)
}

/// A short name for an event, for comparing sequences.
pub fn describe(event: &Event) -> String {
    match event {
        Event::Connected { status } => format!("connected {status}"),
        Event::Message(message) => format!("{} {}", message.kind().name(), message.json()),
        Event::KeepAlive => "keep-alive".into(),
        Event::FrameError(error) => format!("frame error {error:?}"),
        Event::MessageError(error) => format!("message error {error:?}"),
        Event::RequestError { status, body } => format!("request error {status} {body}"),
        Event::ConnectionError(error) => format!("connection error {error}"),
        Event::Reconnecting { cause, delay } => format!("reconnecting {cause:?} {delay:?}"),
        Event::Closed { reason } => format!("closed {reason:?}"),
        other => format!("{other:?}"),
    }
}

/// A TLS acceptor for a self-signed certificate of `127.0.0.1`, and that
/// certificate in PEM.
pub fn self_signed_tls() -> (TlsAcceptor, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    (TlsAcceptor::from(Arc::new(config)), certified.cert.pem())
}
