//! The recorder: captures a live stream into a fixture, byte-exact and with
//! its timing, so the mock server can replay it.
//!
//! Two modes share one writer path (redaction, anonymization, flushing):
//!
//! - [`record`] connects to the stream itself, with the same endpoint,
//!   parameters, credentials and base URL as `rehose stream`, and
//!   reconnects as the backoff policy says, each attempt a fixture
//!   connection;
//! - [`run_proxy`] (or [`ProxyServer`]) is an HTTP proxy that forwards any
//!   client's requests to an upstream and records the responses as they
//!   pass through, so an unchanged client can be recorded.
//!
//! Secrets are removed by [`Redactor`] before anything is written;
//! [`Anonymizer`] optionally replaces personal details with pseudonyms of
//! the same length. Files are written with [`FixtureWriter`], one flushed
//! line per event, so a recording killed at any moment stays readable.
//! [`inspect`] summarizes any fixture. This module sits beside the client
//! and the server and imports neither.
//!
//! [`FixtureWriter`]: crate::fixture::FixtureWriter

mod anonymize;
mod http;
mod inspect;
mod progress;
mod proxy;
mod recorder;
mod redact;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use anonymize::{Anonymizer, ChunkAnonymizer};
pub use inspect::{inspect, ConnectionSummary, SizeStats, Summary};
pub use progress::Counts;
pub use proxy::{run_proxy, ProxyConfig, ProxyServer};
pub use recorder::{record, record_to, Auth, RecordConfig, RecordReport, Stop};
pub use redact::Redactor;

use crate::protocol::ParamError;

/// Why a recording could not start or go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Parameters the service would refuse.
    #[error("invalid stream parameters: {0}")]
    Params(#[from] ParamError),
    /// A base or upstream URL that does not make a request URL.
    #[error("invalid url {url:?}: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The fixture file could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing the fixture failed (a full disk, say); the recording
    /// stopped and what was written before is a valid fixture.
    #[error("cannot write {}: {source}; recording stopped, the file holds what came before", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The proxy could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error("{0}")]
    Tls(String),
}
