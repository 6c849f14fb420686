//! Helpers for the mock server's tests: fixtures built in code and a raw
//! HTTP/1.1 client that keeps chunk boundaries and arrival times.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use rehose::fixture::{Chunk, Connection, End, Fixture, Request, Response};
use rehose::frame::Framing;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// OAuth 1.0a credentials of client A, as a header value.
pub const CLIENT_A: &str =
    r#"OAuth oauth_consumer_key="ck-a", oauth_token="1-tok", oauth_signature="c2lnbg%3D%3D""#;
/// Another client, same consumer key, other token.
pub const CLIENT_B: &str = r#"OAuth oauth_consumer_key="ck-a", oauth_token="2-tok""#;

/// A connection of `framing` whose chunks arrive at the given seconds.
pub fn connection(framing: Framing, chunks: &[(f64, &str)], end: End) -> Connection {
    Connection {
        request: Request {
            method: "GET".into(),
            target: "/1.1/statuses/sample.json".into(),
            headers: vec![],
            body: Bytes::new(),
        },
        response: Response { status: 200, headers: vec![] },
        framing,
        chunks: chunks
            .iter()
            .map(|(at, data)| Chunk {
                at: Duration::from_secs_f64(*at),
                data: Bytes::copy_from_slice(data.as_bytes()),
            })
            .collect(),
        end,
    }
}

/// A fixture of these connections.
pub fn fixture(connections: Vec<Connection>) -> Fixture {
    Fixture { meta: vec![], connections }
}

/// One body chunk and when it arrived.
#[derive(Debug)]
pub struct Received {
    pub data: Bytes,
    pub at: Instant,
}

/// A response read straight off the socket.
pub struct RawResponse {
    reader: BufReader<TcpStream>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// When the request was sent.
    pub sent: Instant,
}

/// Sends a request and reads the response head.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str("content-type: application/x-www-form-urlencoded\r\n");
    }
    head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    let sent = Instant::now();
    stream.write_all(head.as_bytes()).await.expect("write request");

    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await.expect("status line");
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status code");
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.expect("header line");
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':').expect("header");
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    RawResponse { reader, status, headers, sent }
}

/// A GET of a stream path with optional credentials.
pub async fn get(addr: SocketAddr, target: &str, authorization: Option<&str>) -> RawResponse {
    let headers: Vec<(&str, &str)> =
        authorization.map(|a| vec![("authorization", a)]).unwrap_or_default();
    request(addr, "GET", target, &headers, "").await
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The next chunk of a chunked body: `Ok(None)` at the last chunk,
    /// `Err` if the connection ends without one.
    pub async fn chunk(&mut self) -> std::io::Result<Option<Received>> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let size = usize::from_str_radix(line.trim_end(), 16)
            .map_err(|_| std::io::Error::other(format!("bad chunk size line {line:?}")))?;
        let mut data = vec![0; size + 2];
        self.reader.read_exact(&mut data).await?;
        assert_eq!(&data[size..], b"\r\n", "chunk not followed by CRLF");
        data.truncate(size);
        if size == 0 {
            return Ok(None);
        }
        Ok(Some(Received { data: data.into(), at: Instant::now() }))
    }

    /// The next `n` chunks; panics if the body ends first.
    pub async fn chunks(&mut self, n: usize) -> Vec<Received> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            match self.chunk().await {
                Ok(Some(chunk)) => out.push(chunk),
                other => panic!("chunk {i} of {n}: {other:?}"),
            }
        }
        out
    }

    /// Seconds from the request to `at`.
    pub fn secs(&self, at: Instant) -> f64 {
        at.duration_since(self.sent).as_secs_f64()
    }

    /// Whether the peer closed the socket (EOF) after the body.
    pub async fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte).await, Ok(0) | Err(_))
    }

    /// A whole non-chunked body, by content-length.
    pub async fn body(&mut self) -> String {
        let length: usize = self.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut data = vec![0; length];
        self.reader.read_exact(&mut data).await.expect("body");
        String::from_utf8(data).expect("utf-8 body")
    }
}
