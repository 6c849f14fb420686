//! The v2 filtered-stream rules store: in memory, one rule list per bearer
//! token, answering the rules endpoint (`/2/tweets/search/stream/rules`)
//! with the bodies of [`crate::protocol::rules`].
//!
//! As the service did:
//! - ids are decimal strings, unique across the server, growing;
//! - a rule whose value equals a stored one (or an earlier one of the same
//!   request) is refused as a `DuplicateRule` naming the stored id, and
//!   the others are created;
//! - a rule that does not parse makes the whole add fail: nothing is
//!   created, the invalid rules are listed with their reasons, and the
//!   summary counts `valid` and `invalid`;
//! - `dry_run=true` checks and answers as if, without storing;
//! - deleting an unknown id counts it as `not_deleted`.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use super::filter::{RuleQuery, RuleSet};
use crate::protocol::rules::{DeleteSelector, NewRule, RulesMeta, Summary};
use crate::protocol::{Problem, Rule, RulesRequest, RulesResponse};

/// The first rule id handed out: 19 digits, like the service's ids.
const FIRST_ID: u64 = 1_400_000_000_000_000_001;

/// An HTTP answer of the rules endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesOutcome {
    /// The status: 200, 201 for an add that created rules, 400 for a body
    /// that is not a rules request.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

/// Rules per bearer token. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct RulesStore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next_id: u64,
    by_token: HashMap<String, Vec<Rule>>,
}

impl Default for RulesStore {
    fn default() -> RulesStore {
        RulesStore::new()
    }
}

impl RulesStore {
    /// An empty store.
    pub fn new() -> RulesStore {
        RulesStore { state: Mutex::new(State { next_id: FIRST_ID, by_token: HashMap::new() }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rules of `token`, in the order they were added.
    pub fn rules(&self, token: &str) -> Vec<Rule> {
        self.state().by_token.get(token).cloned().unwrap_or_default()
    }

    /// The rules of `token`, ready to filter a stream.
    pub fn rule_set(&self, token: &str) -> RuleSet {
        RuleSet::new(self.rules(token))
    }

    /// The listing of `token`'s rules, all of them or those of `ids`.
    pub fn list(&self, token: &str, ids: Option<&[String]>, sent: &str) -> RulesResponse {
        let rules = self.rules(token);
        let rules = match ids {
            Some(ids) => rules.into_iter().filter(|r| ids.contains(&r.id)).collect(),
            None => rules,
        };
        RulesResponse::listed(rules, sent)
    }

    /// Adds `rules` for `token` (or only checks them with `dry_run`).
    pub fn add(&self, token: &str, rules: &[NewRule], dry_run: bool, sent: &str) -> RulesResponse {
        // Invalid rules fail the whole request.
        let invalid: Vec<Problem> = rules
            .iter()
            .filter_map(|rule| {
                let err = RuleQuery::parse(&rule.value).err()?;
                Some(Problem::invalid_rule(&rule.value, vec![err.to_string()]))
            })
            .collect();
        if !invalid.is_empty() {
            let summary = Summary {
                created: Some(0),
                not_created: Some(rules.len() as u64),
                valid: Some((rules.len() - invalid.len()) as u64),
                invalid: Some(invalid.len() as u64),
                ..Summary::default()
            };
            let meta =
                RulesMeta { sent: sent.to_owned(), summary: Some(summary), result_count: None };
            return RulesResponse { data: None, meta, errors: invalid };
        }

        let mut state = self.state();
        let mut next_id = state.next_id;
        let stored = state.by_token.get(token).map(Vec::as_slice).unwrap_or_default();
        let mut created: Vec<Rule> = Vec::new();
        let mut refused = Vec::new();
        for rule in rules {
            let existing = stored.iter().chain(&created).find(|r| r.value == rule.value);
            if let Some(existing) = existing {
                refused.push(Problem::duplicate_rule(&rule.value, &existing.id));
                continue;
            }
            created.push(Rule {
                id: next_id.to_string(),
                value: rule.value.clone(),
                tag: rule.tag.clone(),
            });
            next_id += 1;
        }
        if !dry_run {
            state.next_id = next_id;
            state.by_token.entry(token.to_owned()).or_default().extend(created.iter().cloned());
        }
        RulesResponse::added(created, refused, sent)
    }

    /// Deletes `token`'s rules named by id or value (or only counts them
    /// with `dry_run`).
    pub fn delete(
        &self,
        token: &str,
        selector: &DeleteSelector,
        dry_run: bool,
        sent: &str,
    ) -> RulesResponse {
        let mut state = self.state();
        let rules = state.by_token.entry(token.to_owned()).or_default();
        let ids: HashSet<&str> = selector.ids.iter().map(String::as_str).collect();
        let values: HashSet<&str> = selector.values.iter().map(String::as_str).collect();
        let doomed = |r: &Rule| ids.contains(r.id.as_str()) || values.contains(r.value.as_str());
        let deleted = rules.iter().filter(|r| doomed(r)).count() as u64;
        if !dry_run {
            rules.retain(|r| !doomed(r));
        }
        let asked = (ids.len() + values.len()) as u64;
        RulesResponse::deleted(deleted, asked.saturating_sub(deleted), sent)
    }

    /// Answers one request to the rules endpoint: `GET` lists (`ids=` to
    /// select), `POST` adds or deletes (`dry_run=true` to only check).
    /// `query` is the raw query string, `body` the request body, `now` the
    /// time that `meta.sent` reports.
    pub fn handle(
        &self,
        token: &str,
        method: &str,
        query: &str,
        body: &[u8],
        now: SystemTime,
    ) -> RulesOutcome {
        let pairs = crate::protocol::oauth::decode_pairs(query);
        let param = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let sent = rfc3339_millis(now);
        if method.eq_ignore_ascii_case("GET") {
            let ids: Option<Vec<String>> = param("ids").map(|ids| {
                ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
            });
            let body = self.list(token, ids.as_deref(), &sent).to_json();
            return RulesOutcome { status: 200, body };
        }

        let dry_run = param("dry_run").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        match serde_json::from_slice::<RulesRequest>(body) {
            Ok(RulesRequest::Add(add)) => {
                let response = self.add(token, &add.add, dry_run, &sent);
                let created = response.data.as_ref().is_some_and(|d| !d.is_empty());
                let status = if created && !dry_run { 201 } else { 200 };
                RulesOutcome { status, body: response.to_json() }
            }
            Ok(RulesRequest::Delete(delete)) => {
                let body = self.delete(token, &delete.delete, dry_run, &sent).to_json();
                RulesOutcome { status: 200, body }
            }
            Err(err) => RulesOutcome { status: 400, body: invalid_request(&err.to_string()) },
        }
    }
}

/// The v2 body of a request the API could not read.
fn invalid_request(detail: &str) -> String {
    serde_json::json!({
        "errors": [{ "message": format!("the request body is not a rules request: {detail}") }],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    })
    .to_string()
}

/// `time` as RFC 3339 in UTC with milliseconds, e.g.
/// `2021-04-01T15:52:31.123Z`.
pub(crate) fn rfc3339_millis(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_with_milliseconds() {
        let at = |secs: u64, ms: u64| {
            rfc3339_millis(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(ms))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(1_617_292_351, 123), "2021-04-01T15:52:31.123Z");
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
    }
}
