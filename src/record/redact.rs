//! Redaction: what never reaches a recorded fixture. Both the recorder and
//! the proxy pass every request and response head through [`Redactor`]
//! before writing it, so the rules live in one place.
//!
//! Always removed:
//!
//! | where | what |
//! |---|---|
//! | headers | `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` |
//! | headers | any header whose value is a credential (`Bearer ...`, `Basic ...`, `OAuth ...`) |
//! | query and form body | every `oauth_*` parameter (consumer key, token, signature, nonce, timestamp) |
//! | query and form body | `access_token`, `bearer_token` and any parameter whose value is a `Bearer ...` token |
//!
//! plus every header and parameter named in [`Redactor::new`]'s list (the
//! `--redact NAME` option), compared without regard to case. Removed means
//! removed: the line or pair is left out, not masked, so not even the
//! length of a secret is kept. Pairs that stay keep their original
//! encoding byte for byte.

use bytes::Bytes;

use crate::fixture::Request;

/// Headers that carry credentials or session state on every service.
const SECRET_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Parameters that carry tokens outside the `oauth_` family.
const SECRET_PARAMS: [&str; 2] = ["access_token", "bearer_token"];

/// Removes secrets from requests and response heads; see the module docs
/// for what goes.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Extra header and parameter names, lower-cased.
    extra: Vec<String>,
}

impl Redactor {
    /// A redactor that also removes the headers and parameters named in
    /// `extra` (any case).
    pub fn new<S: AsRef<str>>(extra: &[S]) -> Redactor {
        Redactor { extra: extra.iter().map(|name| name.as_ref().to_ascii_lowercase()).collect() }
    }

    /// The request to record: `target` (path and query), `headers` and a
    /// form `body` with every secret removed. Used by both recording modes.
    pub fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Request {
        let target = match target.split_once('?') {
            Some((path, query)) => {
                let query = self.pairs(query);
                if query.is_empty() {
                    path.to_owned()
                } else {
                    format!("{path}?{query}")
                }
            }
            None => target.to_owned(),
        };
        let body = match std::str::from_utf8(body) {
            Ok(text) if is_form(headers, text) => Bytes::from(self.pairs(text)),
            _ => Bytes::copy_from_slice(body),
        };
        Request { method: method.to_owned(), target, headers: self.headers(headers), body }
    }

    /// `headers` without the secret ones, in order. Used for request and
    /// response heads alike.
    pub fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .filter(|(name, value)| !self.is_secret_header(name, value))
            .cloned()
            .collect()
    }

    fn is_secret_header(&self, name: &str, value: &str) -> bool {
        let name = name.to_ascii_lowercase();
        SECRET_HEADERS.contains(&name.as_str())
            || self.extra.contains(&name)
            || is_credential(value)
    }

    /// An `a=b&c=d` string without the secret pairs; the others keep
    /// their bytes.
    fn pairs(&self, encoded: &str) -> String {
        let kept: Vec<&str> = encoded
            .split('&')
            .filter(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                !self.is_secret_param(&decode(name), &decode(value))
            })
            .collect();
        kept.join("&")
    }

    fn is_secret_param(&self, name: &str, value: &str) -> bool {
        let name = name.to_ascii_lowercase();
        name.starts_with("oauth_")
            || SECRET_PARAMS.contains(&name.as_str())
            || self.extra.contains(&name)
            || is_credential(value)
    }
}

/// Whether a value is an authorization credential whatever its name.
fn is_credential(value: &str) -> bool {
    let value = value.trim_start().to_ascii_lowercase();
    ["bearer ", "basic ", "oauth "].iter().any(|scheme| value.starts_with(scheme))
}

/// Whether a body is a form: declared so, or undeclared and shaped like
/// `name=value` pairs (a recorded client may omit the content type).
fn is_form(headers: &[(String, String)], body: &str) -> bool {
    let content_type = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.to_ascii_lowercase());
    match content_type {
        Some(content_type) => content_type.starts_with("application/x-www-form-urlencoded"),
        None => body.contains('=') && !body.trim_start().starts_with(['{', '[']),
    }
}

fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn oauth_parameters_leave_the_query_and_the_form_others_stay_encoded() {
        let redactor = Redactor::new(&["X-Api-Key"]);
        let request = redactor.request(
            "POST",
            "/1.1/statuses/filter.json?oauth_nonce=abc&delimited=length&x-api-key=k",
            &headers(&[("Content-Type", "application/x-www-form-urlencoded")]),
            b"track=caf%C3%A9%20au%20lait&OAUTH_SIGNATURE=sig%3D&stall_warnings=true",
        );
        assert_eq!(request.target, "/1.1/statuses/filter.json?delimited=length");
        assert_eq!(&request.body[..], b"track=caf%C3%A9%20au%20lait&stall_warnings=true");
    }

    #[test]
    fn secret_and_named_headers_are_dropped() {
        let redactor = Redactor::new(&["x-secret"]);
        let kept = redactor.headers(&headers(&[
            ("Host", "example.com"),
            ("authorization", "OAuth oauth_signature=\"x\""),
            ("X-Secret", "hidden"),
            ("X-Forwarded-Auth", "Bearer abc"),
            ("Set-Cookie", "a=b"),
            ("Accept", "*/*"),
        ]));
        assert_eq!(kept, headers(&[("Host", "example.com"), ("Accept", "*/*")]));
    }

    #[test]
    fn a_query_of_only_secrets_leaves_the_bare_path() {
        let request = Redactor::default().request("GET", "/p?access_token=t", &[], b"");
        assert_eq!(request.target, "/p");
    }
}
