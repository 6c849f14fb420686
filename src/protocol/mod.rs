//! The protocol: endpoints, request parameters and their validation, OAuth
//! 1.0a signing and verification, the reconnect backoff policy and the v2
//! rules API's bodies. Pure functions of their inputs, shared by the
//! client, the server and the recorder; no sockets and no clocks here.

pub mod backoff;
pub mod oauth;
pub mod params;
pub mod rules;

pub use backoff::{Backoff, BackoffPolicy, Decision, Failure};
pub use oauth::{Credentials, Identity, VerifyError};
pub use params::{
    Endpoint, FilterParams, ParamError, RequestParts, StreamOptions, StreamRequest, V2Params,
};
pub use rules::{Problem, Rule, RulesRequest, RulesResponse};
