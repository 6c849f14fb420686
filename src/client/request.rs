//! The HTTP request of a stream: method, URL, parameters, authentication
//! and headers, built afresh for every attempt (an OAuth signature carries
//! a timestamp and a nonce, so it cannot be reused).

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, HOST, PROXY_AUTHORIZATION};
use http::{HeaderValue, Method, Request, Uri};
use http_body_util::Full;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::protocol::{oauth, StreamOptions};

use super::builder::{Auth, Config};

/// RFC 3986 unreserved characters stay as they are; everything else is
/// percent-encoded, as OAuth 1.0a requires of the signed parameters.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The parts of a stream request before authentication.
#[derive(Debug, PartialEq)]
pub(crate) struct Target {
    pub(crate) method: Method,
    /// Scheme, host and path, without query: what OAuth signs.
    pub(crate) url: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) form: Vec<(String, String)>,
}

impl Target {
    /// The URL with its query.
    pub(crate) fn uri(&self) -> Result<Uri, String> {
        let mut url = self.url.clone();
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&encode_pairs(&self.query));
        }
        url.parse().map_err(|err: http::uri::InvalidUri| format!("bad url {url:?}: {err}"))
    }
}

/// Where and how to ask for the configured stream.
pub(crate) fn target(config: &Config) -> Target {
    let options = StreamOptions {
        stall_warnings: config.stall_warnings,
        delimited_length: config.delimited_length,
    };
    let parts = config.request.parts(&options);
    let base = config.base.to_string();
    let url = format!("{}{}", base.trim_end_matches('/'), parts.path);
    let method = if parts.method == "POST" { Method::POST } else { Method::GET };
    Target { method, url, query: parts.query, form: parts.form }
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            format!("{}={}", utf8_percent_encode(name, ENCODE), utf8_percent_encode(value, ENCODE))
        })
        .collect();
    encoded.join("&")
}

/// The request for one attempt over a connection that wants
/// `absolute_form` URIs or not.
///
/// # Errors
///
/// A description when the URL or a header cannot be built.
pub(crate) fn build(
    config: &Config,
    target: &Target,
    absolute_form: bool,
    proxy_authorization: Option<&HeaderValue>,
) -> Result<Request<Full<Bytes>>, String> {
    let uri = target.uri()?;
    let host = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    // Through a plain http proxy the request line carries the whole URL;
    // straight to a server it carries the path and query only.
    let request_target: Uri = if absolute_form {
        uri.clone()
    } else {
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        path.parse().map_err(|err: http::uri::InvalidUri| err.to_string())?
    };

    let mut builder = Request::builder()
        .method(target.method.clone())
        .uri(request_target)
        .header(HOST, host)
        .header(http::header::USER_AGENT, config.user_agent.clone());
    if config.gzip {
        builder = builder.header(ACCEPT_ENCODING, "gzip");
    }
    if let Some(value) = proxy_authorization {
        builder = builder.header(PROXY_AUTHORIZATION, value.clone());
    }

    let authorization = match &config.auth {
        Auth::OAuth1(credentials) => {
            let mut params = target.query.clone();
            params.extend(target.form.iter().cloned());
            oauth::authorization(target.method.as_str(), &target.url, &params, credentials)
        }
        Auth::Bearer(token) => format!("Bearer {token}"),
    };
    let mut authorization = HeaderValue::from_str(&authorization)
        .map_err(|_| "the credentials do not fit in a header".to_owned())?;
    authorization.set_sensitive(true);
    builder = builder.header(AUTHORIZATION, authorization);

    let body = if target.form.is_empty() {
        Bytes::new()
    } else {
        builder = builder.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        Bytes::from(encode_pairs(&target.form))
    };
    builder.body(Full::new(body)).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_encoded_with_the_oauth_set() {
        let pairs = vec![("track".to_owned(), "café au lait,a~b".to_owned())];
        assert_eq!(encode_pairs(&pairs), "track=caf%C3%A9%20au%20lait%2Ca~b");
    }
}
