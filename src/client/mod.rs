//! The streaming client.
