//! https for the mock server: a throwaway certificate authority and a leaf
//! certificate generated at start, the CA written to a PEM file that
//! clients trust, and the socket type the accept loop serves either plain
//! or over TLS.
//!
//! Clients that insist on https (Tweepy hard-codes `https://` URLs) reach
//! the mock by trusting that one file; nothing is installed system-wide
//! and the key never leaves the process. The leaf names `localhost`,
//! `127.0.0.1`, `::1`, `stream.twitter.com` and `api.twitter.com`, so a
//! client that keeps the real host names and only resolves them to the
//! mock also verifies. Routing and replay know nothing of TLS.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::ServerError;

/// The names the leaf certificate is valid for.
pub const CERTIFICATE_NAMES: &[&str] =
    &["localhost", "127.0.0.1", "::1", "stream.twitter.com", "api.twitter.com"];

/// How the server serves https.
///
/// ```
/// use rehose::server::TlsConfig;
///
/// let tls = TlsConfig::new().ca_cert_path("/tmp/rehose-ca.pem");
/// assert_eq!(tls.ca_cert_path_for("127.0.0.1:8443".parse().unwrap()),
///            std::path::PathBuf::from("/tmp/rehose-ca.pem"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsConfig {
    ca_cert_path: Option<PathBuf>,
}

impl TlsConfig {
    /// https with a fresh certificate and the CA written to the default
    /// path (see [`TlsConfig::ca_cert_path`]).
    pub fn new() -> TlsConfig {
        TlsConfig::default()
    }

    /// Where the CA certificate's PEM is written. Default: `ca.pem` in a
    /// directory `rehose-<pid>-<port>` under the system's temporary
    /// directory, removed when the server stops.
    pub fn ca_cert_path(mut self, path: impl Into<PathBuf>) -> TlsConfig {
        self.ca_cert_path = Some(path.into());
        self
    }

    /// The path the CA certificate is written to by a server listening on
    /// `addr`, so a command line can print it before the server starts.
    pub fn ca_cert_path_for(&self, addr: SocketAddr) -> PathBuf {
        match &self.ca_cert_path {
            Some(path) => path.clone(),
            None => default_dir(addr).join("ca.pem"),
        }
    }
}

fn default_dir(addr: SocketAddr) -> PathBuf {
    std::env::temp_dir().join(format!("rehose-{}-{}", std::process::id(), addr.port()))
}

/// A generated certificate chain, its acceptor and its CA file.
pub(crate) struct TlsIdentity {
    acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
    pub(crate) ca_path: PathBuf,
    /// The directory made for the default path, removed on drop; `None`
    /// for a path the user chose, which is left in place.
    owned_dir: Option<PathBuf>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The acceptor holds the private key: never printed.
        f.debug_struct("TlsIdentity").field("ca_path", &self.ca_path).finish_non_exhaustive()
    }
}

impl Drop for TlsIdentity {
    fn drop(&mut self) {
        if let Some(dir) = &self.owned_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl TlsIdentity {
    /// Generates a CA and a leaf for a server on `addr` and writes the CA.
    pub(crate) fn generate(
        config: &TlsConfig,
        addr: SocketAddr,
    ) -> Result<TlsIdentity, ServerError> {
        let (ca_pem, chain, key) = generate_chain().map_err(|err| ServerError::Tls {
            reason: format!("cannot generate the certificate: {err}"),
        })?;
        let acceptor = acceptor(chain, key)?;

        // Write the CA where the user asked, or into a directory of our own.
        let ca_path = config.ca_cert_path_for(addr);
        let owned_dir = config.ca_cert_path.is_none().then(|| default_dir(addr));
        if let Some(parent) = ca_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| ServerError::CaCertWrite { path: ca_path.clone(), source })?;
        }
        std::fs::write(&ca_path, &ca_pem)
            .map_err(|source| ServerError::CaCertWrite { path: ca_path.clone(), source })?;
        Ok(TlsIdentity { acceptor, ca_pem, ca_path, owned_dir })
    }

    /// The CA file's path.
    pub(crate) fn ca_path(&self) -> &Path {
        &self.ca_path
    }
}

/// A CA's PEM, the leaf chain (leaf then CA) and the leaf's key.
fn generate_chain(
) -> Result<(String, Vec<rustls::pki_types::CertificateDer<'static>>, Vec<u8>), rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    let mut ca_name = DistinguishedName::new();
    ca_name.push(DnType::CommonName, "rehose mock server CA");
    ca_params.distinguished_name = ca_name;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca = ca_params.self_signed(&ca_key)?;

    let names: Vec<String> = CERTIFICATE_NAMES.iter().map(|&name| name.to_owned()).collect();
    let mut leaf_params = CertificateParams::new(names)?;
    let mut leaf_name = DistinguishedName::new();
    leaf_name.push(DnType::CommonName, "localhost");
    leaf_params.distinguished_name = leaf_name;
    leaf_params.is_ca = IsCa::NoCa;
    leaf_params.key_usages =
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // OpenSSL's strict mode (Python 3.13's default) wants the authority
    // key identifier on every certificate below a root.
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate()?;
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key)?;

    Ok((ca.pem(), vec![leaf.der().clone(), ca.der().clone()], leaf_key.serialize_der()))
}

fn acceptor(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: Vec<u8>,
) -> Result<TlsAcceptor, ServerError> {
    let tls_error = |err: rustls::Error| ServerError::Tls { reason: err.to_string() };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))
        .map_err(tls_error)?;
    // The server speaks HTTP/1.1 only: streams are chunked responses.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// An accepted socket, plain or after the TLS handshake.
pub(crate) enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Transport {
    /// The TCP socket underneath, to arm a reset on.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(stream) => stream,
            Transport::Tls(stream) => stream.get_ref().0,
        }
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Transport::Plain(stream) => stream.is_write_vectored(),
            Transport::Tls(stream) => stream.is_write_vectored(),
        }
    }
}

/// Accepts `stream`, over TLS when serving https.
///
/// # Errors
///
/// The handshake's error: a client that does not trust the CA aborts it.
pub(crate) async fn accept(
    identity: Option<&TlsIdentity>,
    stream: TcpStream,
) -> io::Result<Transport> {
    match identity {
        None => Ok(Transport::Plain(stream)),
        Some(identity) => Ok(Transport::Tls(Box::new(identity.acceptor.accept(stream).await?))),
    }
}
