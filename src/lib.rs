//! rehose: record, replay and stress-test long-lived streaming HTTP APIs of
//! the kind Twitter offered (one JSON message per `\r\n`-delimited or
//! length-prefixed frame in a chunked response that never ends).
//!
//! The crate is layered; data flows one way, bytes -> frames -> messages ->
//! a consumer, and the mock server runs the same path backwards:
//!
//! ```text
//!   client      server      record
//!      \          |          /
//!       protocol     fixture
//!             \     /
//!             message
//!                |
//!              frame
//! ```
//!
//! A module never imports one above it: [`frame`] knows nothing of JSON,
//! [`message`] nothing of HTTP, and `client` and `server` never import each
//! other.
#![deny(missing_docs)]

pub mod client;
mod error_chain;
pub mod fixture;
pub mod frame;
pub mod message;
pub mod protocol;
pub mod record;
pub mod server;
