//! OAuth 1.0a (RFC 5849) HMAC-SHA1: signing through `oauth1-request`, the
//! percent-encoding the client builds its URL and body with, and (in
//! [`verify`](self::verify())) an independent verifier for the mock server.
//!
//! The client signs the unencoded parameters with [`authorization`] and
//! sends them encoded with [`encode_pairs`]; both use the RFC 5849 set
//! ([`percent_encode`]), so what is sent is exactly what was signed. The
//! server decodes the query and form body with [`decode_pairs`] and hands
//! them to [`verify`](self::verify()), which rebuilds the signature base
//! string on its own (section 3.4.1) rather than through the signing
//! library, so a bug in one side cannot hide the same bug in the other.

use std::num::NonZeroU64;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

mod verify;

pub use verify::{
    base_string_uri, parse_authorization, signature_base_string, verify, Identity, OAuthParams,
    Secrets, VerifyError, DEFAULT_WINDOW_SECS,
};

/// Everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`
/// (RFC 5849 section 3.6).
const RFC5849: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The four OAuth 1.0a secrets of a user context.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The consumer (API) key.
    pub consumer_key: String,
    /// The consumer secret.
    pub consumer_secret: String,
    /// The access token.
    pub token: String,
    /// The access token secret.
    pub token_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach a log line.
        f.debug_struct("Credentials")
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// The `Authorization` header value for a request, with a fresh nonce and
/// the current time.
///
/// `url` is the request URL; any query part is ignored (pass the query's
/// pairs in `params`), and scheme and host are lower-cased and a default
/// port dropped as section 3.4.1.2 requires. `params` are the query and
/// form-body parameters, unencoded. An empty `credentials.token` signs
/// without a token (two-legged).
///
/// # Limitations
///
/// Parameter names must consist of unreserved characters (all the stream
/// endpoints' names do): the signing library orders pairs by their raw
/// names and values, which matches the RFC's order of encoded ones only
/// then. A name repeated with different values may sort differently.
pub fn authorization(
    method: &str,
    url: &str,
    params: &[(String, String)],
    credentials: &Credentials,
) -> String {
    sign(method, url, params, credentials, None, None)
}

/// [`authorization`] with a fixed nonce and timestamp, for tests and for
/// reproducing a signature.
///
/// A `timestamp` of 0 is sent as 1: the signing library reserves 0 for
/// "now".
pub fn authorization_with(
    method: &str,
    url: &str,
    params: &[(String, String)],
    credentials: &Credentials,
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = NonZeroU64::new(timestamp.max(1));
    sign(method, url, params, credentials, Some(nonce), timestamp)
}

fn sign(
    method: &str,
    url: &str,
    params: &[(String, String)],
    credentials: &Credentials,
    nonce: Option<&str>,
    timestamp: Option<NonZeroU64>,
) -> String {
    let client = oauth1_request::Credentials::new(
        credentials.consumer_key.as_str(),
        credentials.consumer_secret.as_str(),
    );
    let mut builder = oauth1_request::Builder::<_, &str>::new(client, oauth1_request::HMAC_SHA1);
    if !credentials.token.is_empty() {
        builder.token(oauth1_request::Credentials::new(
            credentials.token.as_str(),
            credentials.token_secret.as_str(),
        ));
    }
    builder.version(true).nonce(nonce).timestamp(timestamp);

    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let list = oauth1_request::ParameterList::new(pairs);
    // The library would sign a query part as part of the path; strip it.
    let uri = base_string_uri(url).unwrap_or_else(|_| strip_query(url).to_owned());
    builder.authorize(&method.to_ascii_uppercase(), uri, &list)
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Percent-encodes `value`'s UTF-8 bytes as RFC 5849 section 3.6 says:
/// everything but `A-Z a-z 0-9 - . _ ~`, upper-case hex, a space as `%20`.
pub fn percent_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, RFC5849).to_string()
}

/// `name=value` pairs joined with `&`, each side encoded with
/// [`percent_encode`], in the order given: a query string (without the
/// `?`) or an `application/x-www-form-urlencoded` body that matches what
/// [`authorization`] signed.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// Decodes a query string or form body into pairs, the way a server reads
/// them before verifying: `+` is a space, `%XX` a byte, and bytes that are
/// not UTF-8 become U+FFFD (so such a request fails verification instead
/// of being misread).
pub fn decode_pairs(encoded: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(encoded.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}
