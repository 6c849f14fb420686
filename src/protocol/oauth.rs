//! OAuth 1.0a (RFC 5849) HMAC-SHA1: signing through `oauth1-request`, and
//! verification for the mock server.

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
/// `url` is the URL without its query; `params` are the query and form-body
/// parameters, unencoded.
pub fn authorization(
    method: &str,
    url: &str,
    params: &[(String, String)],
    credentials: &Credentials,
) -> String {
    let _ = (method, url, params, credentials);
    todo!("oauth signing")
}
