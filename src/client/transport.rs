//! Opening one HTTP/1.1 connection: TCP, an optional HTTP proxy (a
//! `CONNECT` tunnel for https, absolute-form requests for http) and rustls.
//!
//! Each attempt gets a connection of its own and no pool: dropping a
//! [`Connection`] closes its socket at once, so two connections never
//! overlap and a stopped client leaves nothing open.

use crate::error_chain::describe;
use std::error::Error as StdError;
use std::future::poll_fn;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Uri};
use http_body_util::Full;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tower_service::Service;

use super::builder::BuildError;

type Io = MaybeHttpsStream<TokioIo<TcpStream>>;

/// How to reach a server, shared by every attempt of a client.
pub(crate) struct Transport {
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<Matcher>,
}

/// An open connection, ready for one request.
pub(crate) struct Connection {
    pub(crate) sender: SendRequest<Full<Bytes>>,
    /// Whether requests must carry an absolute URI (plain http through a
    /// proxy).
    pub(crate) absolute_form: bool,
    /// Extra headers for each request (`Proxy-Authorization`).
    pub(crate) proxy_authorization: Option<HeaderValue>,
    // Aborted on drop, which drops the socket.
    driver: AbortOnDrop,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Connection {
    /// Whether the connection task is still running.
    pub(crate) fn is_open(&self) -> bool {
        !self.driver.0.is_finished()
    }
}

impl Transport {
    pub(crate) fn new(tls: Arc<rustls::ClientConfig>, proxy: Option<Matcher>) -> Transport {
        Transport { tls, proxy }
    }

    /// Opens a connection able to carry a request for `target`.
    ///
    /// # Errors
    ///
    /// A description of what failed (TCP, proxy or TLS), with its causes.
    pub(crate) async fn connect(&self, target: &Uri) -> Result<Connection, String> {
        let intercept = self.proxy.as_ref().and_then(|proxy| proxy.intercept(target));
        let https = target.scheme_str() == Some("https");

        let (io, absolute_form, proxy_authorization): (Io, bool, Option<HeaderValue>) =
            match intercept {
                None => {
                    let mut connector = self.https(plain_http());
                    (call(&mut connector, target.clone()).await?, false, None)
                }
                Some(intercept) if https => {
                    let mut tunnel = Tunnel::new(intercept.uri().clone(), plain_http());
                    if let Some(auth) = intercept.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    let mut connector = self.https(tunnel);
                    (call(&mut connector, target.clone()).await?, false, None)
                }
                Some(intercept) => {
                    let mut connector = plain_http();
                    let tcp = call(&mut connector, intercept.uri().clone()).await?;
                    (MaybeHttpsStream::Http(tcp), true, intercept.basic_auth().cloned())
                }
            };

        let (sender, connection) = http1::handshake(io).await.map_err(|err| describe(&err))?;
        let driver = tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::trace!(error = %describe(&err), "connection ended");
            }
        });
        Ok(Connection { sender, absolute_form, proxy_authorization, driver: AbortOnDrop(driver) })
    }

    fn https<C>(&self, connector: C) -> HttpsConnector<C> {
        HttpsConnectorBuilder::new()
            .with_tls_config((*self.tls).clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector)
    }
}

fn plain_http() -> HttpConnector {
    let mut connector = HttpConnector::new();
    // The https connector wrapping it decides which schemes are allowed.
    connector.enforce_http(false);
    connector.set_nodelay(true);
    connector
}

async fn call<S>(service: &mut S, uri: Uri) -> Result<S::Response, String>
where
    S: Service<Uri>,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let describe_boxed = |err: S::Error| {
        let err: Box<dyn StdError + Send + Sync> = err.into();
        describe(err.as_ref())
    };
    poll_fn(|cx| service.poll_ready(cx)).await.map_err(describe_boxed)?;
    service.call(uri).await.map_err(describe_boxed)
}

/// The rustls configuration: webpki roots, plus the certificates of
/// `ca_cert` if given.
pub(crate) fn tls_config(ca_cert: Option<&Path>) -> Result<rustls::ClientConfig, BuildError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());

    if let Some(path) = ca_cert {
        let ca_error = |reason: String| BuildError::CaCert { path: path.to_owned(), reason };
        let pem = std::fs::read(path).map_err(|err| ca_error(err.to_string()))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|err| ca_error(err.to_string()))?;
            roots.add(cert).map_err(|err| ca_error(err.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(ca_error("no PEM certificate in the file".into()));
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| BuildError::Tls(err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The proxy choice: `proxy` if given (an `http://` URL), else the
/// environment's proxies when `from_env`, else none.
pub(crate) fn proxy_matcher(
    proxy: Option<&str>,
    from_env: bool,
) -> Result<Option<Matcher>, BuildError> {
    match (proxy, from_env) {
        (Some(url), _) => {
            let uri = parse_url("proxy", url)?;
            if uri.scheme_str() != Some("http") {
                return Err(BuildError::BadUrl {
                    what: "proxy",
                    url: url.to_owned(),
                    reason: "only http:// proxies are supported".into(),
                });
            }
            Ok(Some(Matcher::builder().all(url.to_owned()).build()))
        }
        (None, true) => Ok(Some(Matcher::from_env())),
        (None, false) => Ok(None),
    }
}

/// An `http` or `https` URL with a host; `what` names it in the error.
pub(crate) fn parse_url(what: &'static str, url: &str) -> Result<Uri, BuildError> {
    let bad = |reason: String| BuildError::BadUrl { what, url: url.to_owned(), reason };
    let uri: Uri = url.parse().map_err(|err: http::uri::InvalidUri| bad(err.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(bad("the scheme must be http or https".into())),
    }
    if uri.host().is_none() {
        return Err(bad("no host".into()));
    }
    Ok(uri)
}
