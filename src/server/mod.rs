//! The mock streaming server.
