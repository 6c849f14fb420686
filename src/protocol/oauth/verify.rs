//! Server-side OAuth 1.0a: parsing the `Authorization` header and checking
//! an HMAC-SHA1 signature. Written from RFC 5849 alone, without the
//! signing library, so the two sides check each other.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{percent_encode, Credentials};

/// How far (in seconds, either way) `oauth_timestamp` may be from the
/// server's clock by default. The service never published its window; five
/// minutes is what OAuth servers commonly allow.
pub const DEFAULT_WINDOW_SECS: u64 = 300;

/// The protocol parameters of an `Authorization: OAuth ...` header,
/// percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthParams {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_token`, absent for two-legged requests.
    pub token: Option<String>,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`, seconds since the epoch.
    pub timestamp: u64,
    /// `oauth_signature`, still base64.
    pub signature: String,
    /// `oauth_signature_method`, e.g. `HMAC-SHA1`.
    pub signature_method: String,
    /// `oauth_version`, which must be `1.0` when present.
    pub version: Option<String>,
    /// `realm`, which is not signed.
    pub realm: Option<String>,
    /// Every `oauth_*` pair but the signature, as they enter the base
    /// string (extensions such as `oauth_callback` included).
    pub signed: Vec<(String, String)>,
}

/// Who a verified request came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The consumer key.
    pub consumer_key: String,
    /// The access token, if the request carried one.
    pub token: Option<String>,
}

/// Where the verifier finds the secrets of a key and token.
pub trait Secrets {
    /// The consumer secret of `consumer_key`, or `None` if it is unknown.
    fn consumer_secret(&self, consumer_key: &str) -> Option<String>;
    /// The secret of `token` issued to `consumer_key`, or `None` if the
    /// token is unknown for that consumer.
    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<String>;
}

impl Secrets for Credentials {
    fn consumer_secret(&self, consumer_key: &str) -> Option<String> {
        (self.consumer_key == consumer_key).then(|| self.consumer_secret.clone())
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<String> {
        (self.consumer_key == consumer_key && self.token == token)
            .then(|| self.token_secret.clone())
    }
}

impl Secrets for [Credentials] {
    fn consumer_secret(&self, consumer_key: &str) -> Option<String> {
        self.iter().find_map(|c| c.consumer_secret(consumer_key))
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<String> {
        self.iter().find_map(|c| c.token_secret(consumer_key, token))
    }
}

impl Secrets for Vec<Credentials> {
    fn consumer_secret(&self, consumer_key: &str) -> Option<String> {
        self.as_slice().consumer_secret(consumer_key)
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<String> {
        self.as_slice().token_secret(consumer_key, token)
    }
}

/// Why a request failed verification. Every variant maps to a 401.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header at all.
    MissingHeader,
    /// The header is not `OAuth` or cannot be parsed.
    MalformedHeader(String),
    /// A required protocol parameter is absent.
    MissingParameter(&'static str),
    /// A signature method other than `HMAC-SHA1`.
    UnsupportedSignatureMethod(String),
    /// An `oauth_version` other than `1.0`.
    UnsupportedVersion(String),
    /// The request URL cannot be turned into a base string URI.
    BadUrl(String),
    /// No such consumer key.
    UnknownConsumerKey(String),
    /// No such token for this consumer key.
    UnknownToken(String),
    /// `oauth_timestamp` is too far from the server's clock.
    TimestampOutOfWindow {
        /// The request's timestamp.
        timestamp: u64,
        /// The server's clock.
        now: u64,
        /// The allowed distance.
        window: u64,
    },
    /// The signature does not match; `base_string` is what the server
    /// signed (it holds no secret), to compare with the client's.
    SignatureMismatch {
        /// The signature base string the server computed.
        base_string: String,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader => write!(f, "missing authorization header"),
            VerifyError::MalformedHeader(detail) => {
                write!(f, "malformed oauth authorization header: {detail}")
            }
            VerifyError::MissingParameter(name) => write!(f, "missing oauth parameter {name}"),
            VerifyError::UnsupportedSignatureMethod(method) => {
                write!(f, "unsupported signature method {method:?} (only HMAC-SHA1)")
            }
            VerifyError::UnsupportedVersion(version) => {
                write!(f, "unsupported oauth_version {version:?} (only 1.0)")
            }
            VerifyError::BadUrl(url) => write!(f, "cannot build a base string uri from {url:?}"),
            VerifyError::UnknownConsumerKey(key) => write!(f, "unknown consumer key {key:?}"),
            VerifyError::UnknownToken(token) => write!(f, "unknown token {token:?}"),
            VerifyError::TimestampOutOfWindow { timestamp, now, window } => write!(
                f,
                "timestamp {timestamp} is {} s from the server clock {now} (allowed {window} s): \
                 check the client's clock",
                timestamp.abs_diff(*now)
            ),
            VerifyError::SignatureMismatch { base_string } => {
                write!(f, "signature mismatch; the server signed the base string {base_string}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Parses an `Authorization: OAuth k="v", ...` header value (section 3.5.1):
/// the scheme is case-insensitive, values are quoted and percent-encoded.
///
/// # Errors
///
/// [`VerifyError::MalformedHeader`] for another scheme, a pair without a
/// quoted value, a repeated parameter or a bad timestamp;
/// [`VerifyError::MissingParameter`] when the consumer key, nonce,
/// timestamp, signature or signature method is absent.
pub fn parse_authorization(header: &str) -> Result<OAuthParams, VerifyError> {
    let header = header.trim();
    let rest = match header.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("OAuth") => rest,
        _ if header.eq_ignore_ascii_case("OAuth") => "",
        _ => return Err(malformed(format!("not an OAuth header: {header:?}"))),
    };

    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in rest.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let (name, quoted) = item
            .split_once('=')
            .ok_or_else(|| malformed(format!("parameter without a value: {item:?}")))?;
        let value = quoted
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| malformed(format!("unquoted value in {item:?}")))?;
        let name = decode(name.trim())?;
        if pairs.iter().any(|(seen, _)| *seen == name) {
            return Err(malformed(format!("repeated parameter {name}")));
        }
        pairs.push((name, decode(value)?));
    }

    let take = |name: &'static str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let required = |name: &'static str| take(name).ok_or(VerifyError::MissingParameter(name));
    let timestamp = required("oauth_timestamp")?;
    let timestamp = timestamp
        .parse::<u64>()
        .map_err(|_| malformed(format!("oauth_timestamp is not a number: {timestamp:?}")))?;
    Ok(OAuthParams {
        consumer_key: required("oauth_consumer_key")?,
        token: take("oauth_token"),
        nonce: required("oauth_nonce")?,
        timestamp,
        signature: required("oauth_signature")?,
        signature_method: required("oauth_signature_method")?,
        version: take("oauth_version"),
        realm: take("realm"),
        signed: pairs
            .iter()
            .filter(|(name, _)| name.starts_with("oauth_") && name != "oauth_signature")
            .cloned()
            .collect(),
    })
}

fn malformed(detail: String) -> VerifyError {
    VerifyError::MalformedHeader(detail)
}

fn decode(value: &str) -> Result<String, VerifyError> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| malformed(format!("value is not utf-8 once decoded: {value:?}")))
}

/// The base string URI of section 3.4.1.2: scheme and host lower-case, the
/// port only when not the scheme's default, the path, no query.
///
/// # Errors
///
/// [`VerifyError::BadUrl`] when `url` is not an absolute http(s) URL.
pub fn base_string_uri(url: &str) -> Result<String, VerifyError> {
    let parsed = url::Url::parse(url).map_err(|_| VerifyError::BadUrl(url.to_owned()))?;
    let host = parsed.host_str().ok_or_else(|| VerifyError::BadUrl(url.to_owned()))?;
    // `Url` already lower-cases scheme and host and forgets default ports.
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{}{}{}", parsed.scheme(), host, port, parsed.path()))
}

/// The signature base string of section 3.4.1:
/// `METHOD&enc(base URI)&enc(sorted, encoded pairs)`, where `params` are the
/// request's query and form pairs (decoded) and `oauth` the protocol pairs
/// without the signature.
pub fn signature_base_string(
    method: &str,
    base_uri: &str,
    params: &[(String, String)],
    oauth: &[(String, String)],
) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .chain(oauth)
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    // Section 3.4.1.3.2: sort by encoded name, then encoded value, bytewise.
    encoded.sort();
    let normalized: Vec<String> =
        encoded.iter().map(|(name, value)| format!("{name}={value}")).collect();
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(base_uri),
        percent_encode(&normalized.join("&"))
    )
}

/// Verifies an OAuth 1.0a HMAC-SHA1 request.
///
/// `url` is the request URL as the server sees it (scheme, host, port and
/// path; a query part is ignored), `params` the decoded query and form
/// pairs, `header` the `Authorization` value if any, `now` the server clock
/// in seconds since the epoch and `window` the allowed clock distance
/// (usually [`DEFAULT_WINDOW_SECS`]).
///
/// # Errors
///
/// A [`VerifyError`] naming the first check that failed, in this order:
/// header, signature method and version, consumer key, token, timestamp,
/// URL, signature.
///
/// # Limitations
///
/// Nonces are not remembered, so a replayed request within the window
/// passes: the mock server has no need to stop replays.
pub fn verify<S: Secrets + ?Sized>(
    method: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
    secrets: &S,
    now: u64,
    window: u64,
) -> Result<Identity, VerifyError> {
    let oauth = parse_authorization(header.ok_or(VerifyError::MissingHeader)?)?;
    if oauth.signature_method != "HMAC-SHA1" {
        return Err(VerifyError::UnsupportedSignatureMethod(oauth.signature_method));
    }
    if let Some(version) = oauth.version.as_ref().filter(|v| *v != "1.0") {
        return Err(VerifyError::UnsupportedVersion(version.clone()));
    }

    // Secrets and clock.
    let consumer_secret = secrets
        .consumer_secret(&oauth.consumer_key)
        .ok_or_else(|| VerifyError::UnknownConsumerKey(oauth.consumer_key.clone()))?;
    let token_secret = match &oauth.token {
        Some(token) => secrets
            .token_secret(&oauth.consumer_key, token)
            .ok_or_else(|| VerifyError::UnknownToken(token.clone()))?,
        None => String::new(),
    };
    if oauth.timestamp.abs_diff(now) > window {
        return Err(VerifyError::TimestampOutOfWindow { timestamp: oauth.timestamp, now, window });
    }

    // Signature, compared in constant time by `verify_slice`.
    let base_uri = base_string_uri(url)?;
    let base_string = signature_base_string(method, &base_uri, params, &oauth.signed);
    let key = format!("{}&{}", percent_encode(&consumer_secret), percent_encode(&token_secret));
    let mismatch = || VerifyError::SignatureMismatch { base_string: base_string.clone() };
    let given = base64::engine::general_purpose::STANDARD
        .decode(&oauth.signature)
        .map_err(|_| mismatch())?;
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).map_err(|_| mismatch())?;
    mac.update(base_string.as_bytes());
    mac.verify_slice(&given).map_err(|_| mismatch())?;

    Ok(Identity { consumer_key: oauth.consumer_key, token: oauth.token })
}
