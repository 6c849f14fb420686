//! The HTTP client both recording modes use to reach the service: hyper
//! over TCP or rustls (webpki roots, ring), one connection per request, no
//! pool, so a reconnect is a new connection and a dropped body closes its
//! socket at once.
//!
//! # Limitations
//!
//! A recorded chunk is what one read of the socket returned within one
//! HTTP chunk: an HTTP chunk larger than the read buffer, or split by the
//! network and read in two, is recorded as two chunks at nearly the same
//! time.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The upstream client type.
pub(crate) type Upstream = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for `http` and `https` URLs.
///
/// # Errors
///
/// A description when rustls refuses its protocol versions (it does not
/// with the ring provider; the error is passed on rather than assumed).
pub(crate) fn upstream() -> Result<Upstream, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let connector = HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)
        .map_err(|err| format!("tls setup failed: {err}"))?
        .https_or_http()
        .enable_http1()
        .build();
    // No idle connections: a streaming body is never reused anyway, and a
    // pooled socket would outlive the recording. A fixed 256 KiB read
    // buffer: hyper hands out a body chunk per read, so an adaptive buffer
    // starting at 8 KiB would split the service's larger chunks (messages
    // reach 12 KiB) into pieces that were one chunk on the wire.
    Ok(Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .http1_read_buf_exact_size(256 * 1024)
        .build(connector))
}

/// Header pairs as text; values that are not UTF-8 are kept lossily, as the
/// fixture format stores text.
pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect()
}
