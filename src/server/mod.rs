//! The mock streaming server.

mod auth;
mod filter;
mod rules_store;

pub use auth::{filter_params, uri_too_long, Auth, AuthFailure, MAX_URI_BYTES};
pub use filter::{
    rewrite_matching_rules, RuleError, RuleQuery, RuleSet, StreamFilter, V1Filter, Verdict,
    MAX_RULE_CHARS,
};
pub use rules_store::{RulesOutcome, RulesStore};
