//! The JSON bodies of the v2 filtered-stream rules API
//! (`/2/tweets/search/stream/rules`) and the v2 error bodies of the
//! streams, shaped as the real API returned them: requests to add or delete
//! rules, the responses with their `meta.summary`, per-rule errors, the 429
//! `TooManyConnections` problem and the in-stream operational disconnect.
//!
//! Which rules match which tweet is the server's business; these are only
//! the shapes. Optional members are left out when absent, as the service
//! did, so a round trip through these types keeps a body as it was.

use serde::{Deserialize, Serialize};

/// Base of the `type` URIs of v2 problems.
const PROBLEMS: &str = "https://api.twitter.com/2/problems/";

/// A rule to add: `{"value": "...", "tag": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRule {
    /// The rule's query, e.g. `cat has:media`.
    pub value: String,
    /// An optional label echoed in `matching_rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// A stored rule: `{"id": "...", "value": "...", "tag": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule id, a decimal string.
    pub id: String,
    /// The rule's query.
    pub value: String,
    /// The label, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// `{"add": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddRules {
    /// The rules to add.
    pub add: Vec<NewRule>,
}

/// `{"delete": {"ids": [...]}}` (or `values`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRules {
    /// What to delete.
    pub delete: DeleteSelector,
}

/// The rules a delete request names, by id or by value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSelector {
    /// Rule ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Rule values, the other way the API allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A POST body to the rules endpoint: an add or a delete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RulesRequest {
    /// `{"add": [...]}`.
    Add(AddRules),
    /// `{"delete": {...}}`.
    Delete(DeleteRules),
}

impl RulesRequest {
    /// An add request for `rules` as `(value, tag)` pairs.
    pub fn add<'a>(rules: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> RulesRequest {
        let add = rules
            .into_iter()
            .map(|(value, tag)| NewRule { value: value.to_owned(), tag: tag.map(str::to_owned) })
            .collect();
        RulesRequest::Add(AddRules { add })
    }

    /// A delete request for rule `ids`.
    pub fn delete_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> RulesRequest {
        let ids = ids.into_iter().map(str::to_owned).collect();
        RulesRequest::Delete(DeleteRules { delete: DeleteSelector { ids, values: Vec::new() } })
    }
}

/// Counts of a rules change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Rules added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    /// Rules not added (duplicates, invalid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_created: Option<u64>,
    /// Rules deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<u64>,
    /// Rules not deleted (unknown ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_deleted: Option<u64>,
    /// Rules that passed validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<u64>,
    /// Rules that failed validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<u64>,
}

/// `meta` of a rules response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesMeta {
    /// When the server answered, RFC 3339 with milliseconds.
    pub sent: String,
    /// Counts of an add or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// How many rules a listing holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_count: Option<u64>,
}

/// One entry of `errors`: a per-rule problem or a stream problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The rule value concerned, for rule errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The existing rule's id, for a duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// E.g. `DuplicateRule`, `ConnectionException`, `operational-disconnect`.
    pub title: String,
    /// A problem URI under `https://api.twitter.com/2/problems/`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A human sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Reasons a rule is invalid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// For `ConnectionException`, e.g. `TooManyConnections`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_issue: Option<String>,
    /// For `operational-disconnect`, e.g. `UpstreamOperationalDisconnect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnect_type: Option<String>,
}

impl Problem {
    /// A rule equal to an existing one (rule `id`).
    pub fn duplicate_rule(value: &str, id: &str) -> Problem {
        Problem {
            value: Some(value.to_owned()),
            id: Some(id.to_owned()),
            title: "DuplicateRule".to_owned(),
            kind: format!("{PROBLEMS}duplicate-rules"),
            ..Problem::default()
        }
    }

    /// A rule the server cannot parse, with the reasons.
    pub fn invalid_rule(value: &str, details: Vec<String>) -> Problem {
        Problem {
            value: Some(value.to_owned()),
            title: "UnprocessableEntity".to_owned(),
            kind: format!("{PROBLEMS}invalid-rules"),
            details,
            ..Problem::default()
        }
    }

    /// The body of a v2 429 when the account's connections are all in use.
    pub fn too_many_connections() -> Problem {
        Problem {
            title: "ConnectionException".to_owned(),
            kind: format!("{PROBLEMS}streaming-connection"),
            detail: Some(
                "This stream is currently at the maximum allowed connection limit.".to_owned(),
            ),
            connection_issue: Some("TooManyConnections".to_owned()),
            ..Problem::default()
        }
    }

    /// The entry a v2 stream sends before closing for its own reasons;
    /// `disconnect_type` is e.g. `UpstreamOperationalDisconnect`.
    pub fn operational_disconnect(disconnect_type: &str) -> Problem {
        Problem {
            title: "operational-disconnect".to_owned(),
            kind: format!("{PROBLEMS}operational-disconnect"),
            detail: Some(
                "This stream has been disconnected upstream for operational reasons.".to_owned(),
            ),
            disconnect_type: Some(disconnect_type.to_owned()),
            ..Problem::default()
        }
    }

    /// This problem as a JSON object, e.g. the whole body of a 429.
    pub fn to_json(&self) -> String {
        // Plain strings and options only: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `{"errors":[this]}`, as a v2 stream line (for the operational
    /// disconnect) or an error body.
    pub fn to_errors_json(&self) -> String {
        ErrorsBody { errors: vec![self.clone()] }.to_json()
    }
}

/// `{"errors": [...]}` alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorsBody {
    /// The problems.
    pub errors: Vec<Problem>,
}

impl ErrorsBody {
    /// This body as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A response of the rules endpoint (list, add or delete).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesResponse {
    /// Rules listed or created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<Rule>>,
    /// Time and counts.
    pub meta: RulesMeta,
    /// Rules refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
}

impl RulesResponse {
    /// The answer to a GET: every rule, counted. With no rules the service
    /// left `data` out and answered `result_count: 0`.
    pub fn listed(rules: Vec<Rule>, sent: &str) -> RulesResponse {
        let count = rules.len() as u64;
        RulesResponse {
            data: (!rules.is_empty()).then_some(rules),
            meta: RulesMeta { sent: sent.to_owned(), summary: None, result_count: Some(count) },
            errors: Vec::new(),
        }
    }

    /// The answer to an add: the created rules, the refused ones as
    /// `errors`, and the summary (`valid` counts the created, `invalid` the
    /// refused, as the service did).
    pub fn added(created: Vec<Rule>, refused: Vec<Problem>, sent: &str) -> RulesResponse {
        let summary = Summary {
            created: Some(created.len() as u64),
            not_created: Some(refused.len() as u64),
            valid: Some(created.len() as u64),
            invalid: Some(refused.len() as u64),
            ..Summary::default()
        };
        RulesResponse {
            data: (!created.is_empty()).then_some(created),
            meta: RulesMeta { sent: sent.to_owned(), summary: Some(summary), result_count: None },
            errors: refused,
        }
    }

    /// The answer to a delete.
    pub fn deleted(deleted: u64, not_deleted: u64, sent: &str) -> RulesResponse {
        let summary = Summary {
            deleted: Some(deleted),
            not_deleted: Some(not_deleted),
            ..Summary::default()
        };
        RulesResponse {
            data: None,
            meta: RulesMeta { sent: sent.to_owned(), summary: Some(summary), result_count: None },
            errors: Vec::new(),
        }
    }

    /// This response as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
