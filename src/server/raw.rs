//! Attempts hyper cannot script: the request head (and a form body) is
//! read off the connection (after the TLS handshake when serving https)
//! before hyper sees it, and an attempt that must misbehave below HTTP (a
//! reset before any response, a malformed chunk) is answered here, by
//! hand, once the request is admitted (see `http::admit`). Everything
//! else goes to hyper with the bytes already read put back in front of
//! the connection.
//!
//! ```text
//!   socket -> tls -> read_request -> admitted and raw attempt? -- yes --> serve_raw (hand-written HTTP/1.1)
//!                                                             \-- no ---> hyper (ServerIo replays the bytes first)
//! ```

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::HeaderMap;
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tracing::{debug, info, warn};

use super::fault::{ScriptedError, Ticket};
use super::http::{open_stream, Admitted, Opened, Opening, Shared, MAX_FORM_BODY};
use super::replay::ConnControl;
use super::tls::Transport;

/// The largest request head read before giving up on parsing it here.
const MAX_HEAD: usize = 64 * 1024;

/// A request head parsed before hyper.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) method: http::Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
}

/// A head read off the connection, with what is needed to read its body.
#[derive(Debug)]
pub(crate) struct RawHead {
    pub(crate) head: Head,
    /// The length of the head in bytes, where the body starts.
    pub(crate) len: usize,
    /// The length of the request target (path and query).
    pub(crate) target_len: usize,
}

/// Every byte read before hyper, and the head when it parsed.
pub(crate) struct RawRead {
    pub(crate) bytes: Bytes,
    pub(crate) head: Option<RawHead>,
}

/// Reads until the request head is complete (or the peer stops, or the
/// head is too big or unparsable).
pub(crate) async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> RawRead {
    let mut buffer = BytesMut::with_capacity(4096);
    loop {
        match parse(&buffer) {
            Ok(Some(head)) => return RawRead { bytes: buffer.freeze(), head: Some(head) },
            Ok(None) if buffer.len() < MAX_HEAD => {}
            _ => return RawRead { bytes: buffer.freeze(), head: None },
        }
        match stream.read_buf(&mut buffer).await {
            Ok(0) | Err(_) => return RawRead { bytes: buffer.freeze(), head: None },
            Ok(_) => {}
        }
    }
}

/// Reads the form body of `head` (empty without one), adding what it
/// reads to `prefix` so that hyper can still be given the request.
/// `None` for a body this cannot read: chunked, too large, or cut short.
pub(crate) async fn read_form<S: AsyncRead + Unpin>(
    stream: &mut S,
    prefix: &mut Bytes,
    head: &RawHead,
) -> Option<Bytes> {
    if head.head.headers.contains_key(TRANSFER_ENCODING) {
        return None;
    }
    let length = match head.head.headers.get(CONTENT_LENGTH) {
        None => 0,
        Some(value) => value.to_str().ok()?.trim().parse::<usize>().ok()?,
    };
    if length > MAX_FORM_BODY {
        return None;
    }
    let wanted = head.len + length;
    if prefix.len() < wanted {
        let mut buffer = BytesMut::from(&prefix[..]);
        while buffer.len() < wanted {
            let read = stream.read_buf(&mut buffer).await;
            // What was read goes to hyper even if the body is cut short.
            if !matches!(read, Ok(n) if n > 0) {
                *prefix = buffer.freeze();
                return None;
            }
        }
        *prefix = buffer.freeze();
    }
    Some(prefix.slice(head.len..wanted))
}

/// `Ok(None)` while the head is incomplete.
fn parse(buffer: &[u8]) -> Result<Option<RawHead>, httparse::Error> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(len) = request.parse(buffer)? else {
        return Ok(None);
    };
    let method = request.method.and_then(|m| m.parse().ok()).unwrap_or(http::Method::GET);
    let target = request.path.unwrap_or("/");
    let target_len = target.len();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut map = HeaderMap::new();
    for header in request.headers.iter() {
        let name = http::HeaderName::from_bytes(header.name.as_bytes());
        let value = http::HeaderValue::from_bytes(header.value);
        if let (Ok(name), Ok(value)) = (name, value) {
            map.append(name, value);
        }
    }
    Ok(Some(RawHead { head: Head { method, path, query, headers: map }, len, target_len }))
}

/// Answers a raw attempt of an admitted request on `stream`: a reset, or
/// a stream written by hand whose scripted malformed chunk hyper could not
/// write.
pub(crate) async fn serve_raw(
    mut stream: Transport,
    head: RawHead,
    admitted: Admitted,
    ticket: Ticket,
    shared: Arc<Shared>,
) {
    let head = head.head;
    let mut entry = super::http::journal_entry(&shared, &head, ticket.label.clone());
    if !admitted.form.is_empty() {
        let form = String::from_utf8_lossy(&admitted.form);
        entry.form = Some(super::journal::redact_params(&form));
    }
    if matches!(ticket.attempt, super::scenario::Attempt::Reset) {
        shared.journal.push(entry, None);
        ticket.fired.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        info!(path = %head.path, "resetting the connection before any response");
        reset(&stream);
        return;
    }

    let control = Arc::new(ConnControl::default());
    let query = head.query.as_deref().unwrap_or("");
    let opening = Opening {
        version: admitted.version,
        framing: super::http::requested_framing(query, &admitted.form),
        accepts_gzip: super::http::accepts_gzip(&head.headers),
        control: control.clone(),
        filter: admitted.filter,
    };
    let (headers, mut body) = match open_stream(&shared, entry, opening, ticket) {
        Opened::Stream(headers, body) => (headers, body),
        // A recorded refusal under a raw attempt: nothing to misbehave on.
        Opened::Respond(_) => return,
    };
    let shutdown = shared.shutdown.clone();
    let writing = async {
        let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
        for (name, value) in headers.iter() {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n");
        stream.write_all(&out).await?;
        loop {
            match body.frame().await {
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else { continue };
                    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
                    chunk.extend_from_slice(&data);
                    chunk.extend_from_slice(b"\r\n");
                    stream.write_all(&chunk).await?;
                }
                Some(Err(err)) => {
                    if err.downcast_ref::<ScriptedError>().is_some_and(is_malformed) {
                        // Not hexadecimal: no chunked decoder accepts it.
                        debug!("writing a malformed chunk header");
                        stream.write_all(b"zz\r\nmalformed\r\n").await?;
                    }
                    return Ok(());
                }
                None => return stream.write_all(b"0\r\n\r\n").await,
            }
        }
    };
    tokio::select! {
        result = writing => if let Err(err) = result {
            debug!(%err, "raw stream ended by the client");
        },
        _ = shutdown.cancelled() => {}
    }
    drop(body);
    if control.wants_reset() {
        reset(&stream);
    } else {
        let _ = stream.shutdown().await;
    }
}

fn is_malformed(err: &ScriptedError) -> bool {
    matches!(err, ScriptedError::Malformed)
}

/// Arms an RST for when `stream` is dropped.
fn reset(stream: &Transport) {
    if let Err(err) = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO)) {
        warn!(%err, "could not arm a connection reset");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_parses_once_complete() {
        assert!(parse(b"GET /1.1/statuses/sample.json HTTP/1.1\r\nhost: x\r\n").unwrap().is_none());
        let raw =
            parse(b"GET /2/tweets/sample/stream?a=1 HTTP/1.1\r\nAuthorization: Bearer t\r\n\r\n")
                .unwrap()
                .unwrap();
        assert_eq!(raw.target_len, "/2/tweets/sample/stream?a=1".len());
        assert_eq!(raw.len, 69);
        let head = raw.head;
        assert_eq!(head.path, "/2/tweets/sample/stream");
        assert_eq!(head.query.as_deref(), Some("a=1"));
        assert_eq!(head.headers.get("authorization").unwrap(), "Bearer t");
        assert!(parse(b"\x01\x02 nonsense\r\n\r\n").is_err());
    }
}
