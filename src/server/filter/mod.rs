//! Filtering what the mock server replays by what the client asked for:
//! the v1.1 `statuses/filter` predicates ([`V1Filter`]) and the v2 rule
//! language ([`RuleQuery`], [`RuleSet`]). Pure functions of a message's
//! bytes, so they are tested without sockets.
//!
//! [`StreamFilter::apply`] decides per message: statuses (v1.1) and
//! tweets (v2) are matched; every other kind (deletes, limits,
//! disconnects, v2 errors, unknown or unparseable payloads) passes
//! through untouched, as the service delivered them regardless of
//! predicates. A delivered v2 tweet gets its `matching_rules` member set
//! to the rules that matched, the rest of its bytes left as they were.
//!
//! Matching is on words: a text is split into maximal runs of letters,
//! digits and `_` (Unicode-aware), lower-cased. Hashtags and mentions add
//! `#tag` and `@name` tokens, so a term written with its sign matches
//! only the entity. The same tokenizer serves both API versions.

mod rule_lang;
mod v1;
mod v2;

use std::collections::HashSet;

use bytes::Bytes;
use serde_json::Value;

use crate::message::{classify, Kind};

pub use rule_lang::{RuleError, RuleQuery, MAX_RULE_CHARS};
pub use v1::V1Filter;
pub use v2::{rewrite_matching_rules, RuleSet};

/// What to do with one replayed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send the message as it is.
    Pass,
    /// Send these bytes instead (a v2 tweet with its `matching_rules`
    /// rewritten).
    Rewrite(Bytes),
    /// Leave the message out.
    Drop,
}

/// The filter of one stream request.
#[derive(Clone, Debug, Default)]
pub enum StreamFilter {
    /// Everything passes (sample endpoints, or filtering turned off).
    #[default]
    All,
    /// v1.1 `statuses/filter` predicates.
    V1(V1Filter),
    /// v2 search-stream rules.
    V2(RuleSet),
}

impl StreamFilter {
    /// Decides what happens to the message `payload` (one frame's JSON,
    /// without its terminator).
    pub fn apply(&self, payload: &Bytes) -> Verdict {
        if matches!(self, StreamFilter::All) {
            return Verdict::Pass;
        }
        let kind = match classify(payload.clone()) {
            Ok(message) => message.kind(),
            // Unparseable payloads are passed through: replaying what was
            // recorded is the point, not judging it.
            Err(_) => return Verdict::Pass,
        };
        match (self, kind) {
            (StreamFilter::V1(filter), Kind::Status) => match serde_json::from_slice(payload) {
                Ok(status) if filter.matches(&status) => Verdict::Pass,
                Ok(_) => Verdict::Drop,
                Err(_) => Verdict::Pass,
            },
            (StreamFilter::V2(rules), Kind::Tweet) => rules.apply(payload),
            _ => Verdict::Pass,
        }
    }
}

/// Lower-cased words of `text`: maximal runs of alphanumeric characters
/// and `_`.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Whether `sequence` occurs as consecutive words in `haystack`.
pub(crate) fn contains_sequence(haystack: &[String], sequence: &[String]) -> bool {
    !sequence.is_empty() && haystack.windows(sequence.len()).any(|w| w == sequence)
}

/// The string at `path` inside `value`.
pub(crate) fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// The array at `path` inside `value`, or an empty slice.
pub(crate) fn array_at<'a>(value: &'a Value, path: &[&str]) -> &'a [Value] {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Adds `prefix` + each lower-cased string at `field` of the array at
/// `path` to `tokens` (hashtags as `#tag`, mentions as `@name`).
pub(crate) fn add_entities(
    tokens: &mut HashSet<String>,
    value: &Value,
    path: &[&str],
    field: &str,
    prefix: &str,
) {
    for entity in array_at(value, path) {
        if let Some(text) = entity.get(field).and_then(Value::as_str) {
            tokens.insert(format!("{prefix}{}", text.to_lowercase()));
        }
    }
}
