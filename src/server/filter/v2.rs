//! v2 search-stream filtering: a token's stored rules, matched against
//! each tweet, and the `matching_rules` member rewritten to name the
//! rules that matched.

use std::fmt;
use std::marker::PhantomData;

use bytes::{Bytes, BytesMut};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::rule_lang::{RuleQuery, TweetView};
use super::Verdict;
use crate::protocol::Rule;

/// A `matching_rules` entry.
#[derive(Serialize)]
struct Matched<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
}

/// The rules a v2 search stream delivers by, in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    rules: Vec<(Rule, RuleQuery)>,
    deliver_without_rules: bool,
}

impl RuleSet {
    /// The set of `rules`; a rule whose value does not parse is left out
    /// (the store never holds one).
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        let rules = rules
            .into_iter()
            .filter_map(|rule| RuleQuery::parse(&rule.value).ok().map(|query| (rule, query)))
            .collect();
        RuleSet { rules, deliver_without_rules: false }
    }

    /// With no rules, deliver every tweet as recorded (its recorded
    /// `matching_rules` kept) instead of nothing. Default: `false`, as the
    /// service behaved (a stream without rules sends keep-alives only).
    pub fn deliver_without_rules(mut self, deliver: bool) -> RuleSet {
        self.deliver_without_rules = deliver;
        self
    }

    /// How many rules the set holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that match the v2 message `message`.
    pub fn matching(&self, message: &Value) -> Vec<&Rule> {
        let view = TweetView::new(message);
        self.rules.iter().filter(|(_, query)| query.matches_view(&view)).map(|(r, _)| r).collect()
    }

    /// The verdict for a v2 tweet message: dropped when no rule matches,
    /// otherwise rewritten with the matching rules.
    pub(super) fn apply(&self, payload: &Bytes) -> Verdict {
        if self.rules.is_empty() && self.deliver_without_rules {
            return Verdict::Pass;
        }
        let Ok(message) = serde_json::from_slice::<Value>(payload) else {
            return Verdict::Pass;
        };
        let matched = self.matching(&message);
        if matched.is_empty() {
            return Verdict::Drop;
        }
        let entries: Vec<Matched<'_>> =
            matched.iter().map(|rule| Matched { id: &rule.id, tag: rule.tag.as_deref() }).collect();
        // Plain strings: serialization cannot fail.
        let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".to_owned());
        match rewrite_matching_rules(payload, &json) {
            Some(rewritten) => Verdict::Rewrite(rewritten),
            None => Verdict::Pass,
        }
    }
}

/// `payload` (a JSON object) with its top-level `matching_rules` value
/// replaced by `rules_json`, or the member appended when absent. Every
/// other byte stays as it was. `None` when `payload` is not an object.
pub fn rewrite_matching_rules(payload: &[u8], rules_json: &str) -> Option<Bytes> {
    let text = std::str::from_utf8(payload).ok()?;
    let Members(members) = serde_json::from_str(text).ok()?;
    let offset = |raw: &RawValue| raw.get().as_ptr() as usize - text.as_ptr() as usize;

    let mut out = BytesMut::with_capacity(payload.len() + rules_json.len() + 20);
    match members.iter().find(|(name, _)| name == "matching_rules") {
        Some((_, raw)) => {
            // Values borrow from `text`, so their addresses give offsets.
            let start = offset(raw);
            out.extend_from_slice(&payload[..start]);
            out.extend_from_slice(rules_json.as_bytes());
            out.extend_from_slice(&payload[start + raw.get().len()..]);
        }
        None => {
            let close = text.rfind('}')?;
            out.extend_from_slice(&payload[..close]);
            if !members.is_empty() {
                out.extend_from_slice(b",");
            }
            out.extend_from_slice(b"\"matching_rules\":");
            out.extend_from_slice(rules_json.as_bytes());
            out.extend_from_slice(&payload[close..]);
        }
    }
    Some(out.freeze())
}

/// The top-level members of an object, in order, values unparsed.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for Visit<'a> {
            type Value = Members<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a json object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'a>, M::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(Visit(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_rules_is_replaced_in_place() {
        let payload = br#"{"data":{"id":"1"}, "matching_rules" : [{"id":7}] ,"x":1}"#;
        let out = rewrite_matching_rules(payload, r#"[{"id":"9"}]"#).unwrap();
        assert_eq!(&out[..], br#"{"data":{"id":"1"}, "matching_rules" : [{"id":"9"}] ,"x":1}"#);
    }

    #[test]
    fn matching_rules_is_appended_when_absent() {
        let out = rewrite_matching_rules(br#"{"data":{"id":"1"}} "#, "[]").unwrap();
        assert_eq!(&out[..], br#"{"data":{"id":"1"},"matching_rules":[]} "#);
        let out = rewrite_matching_rules(b"{}", "[]").unwrap();
        assert_eq!(&out[..], br#"{"matching_rules":[]}"#);
        assert_eq!(rewrite_matching_rules(b"[1]", "[]"), None);
    }
}
