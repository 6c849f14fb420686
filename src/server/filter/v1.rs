//! The v1.1 `statuses/filter` predicates as the service applied them:
//! `track` OR `follow` OR `locations`, then `language` restricts.
//!
//! - `track`: a comma is OR, a space inside a phrase is AND. A term
//!   matches a word of the status's text (the full text when the status is
//!   extended), of its expanded URLs, or a hashtag or mention; `#tag` and
//!   `@name` match only the hashtag or the mention. A term holding
//!   punctuation (`example.com`) needs every word of it. The retweeted and
//!   the quoted status count as well, as they did on the service.
//! - `follow`: statuses by the ids, replying to them
//!   (`in_reply_to_user_id`) or retweeting them (`retweeted_status.user`).
//! - `locations`: the status's `coordinates` point inside a box (edges
//!   included); without a point, its `place.bounding_box` overlapping a
//!   box, which is what the service documented ("any overlap will match").
//! - `language`: the status's `lang` is one of the codes (ASCII case
//!   ignored).

use std::collections::HashSet;

use serde_json::Value;

use super::{add_entities, array_at, str_at, words};
use crate::protocol::FilterParams;

/// How deep `retweeted_status` / `quoted_status` nesting is followed: a
/// retweet of a quote is as deep as the service went.
const NESTING: usize = 2;

/// One term of a track phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    /// `#tag`: the hashtag only.
    Hashtag(String),
    /// `@name`: the mention only.
    Mention(String),
    /// Every one of these words.
    Words(Vec<String>),
}

impl Term {
    fn parse(term: &str) -> Term {
        let is_word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        let lower = term.to_lowercase();
        match (lower.strip_prefix('#'), lower.strip_prefix('@')) {
            (Some(tag), _) if is_word(tag) => Term::Hashtag(tag.to_owned()),
            (_, Some(name)) if is_word(name) => Term::Mention(name.to_owned()),
            _ => Term::Words(words(term).collect()),
        }
    }

    fn matches(&self, tokens: &HashSet<String>) -> bool {
        match self {
            Term::Hashtag(tag) => tokens.contains(&format!("#{tag}")),
            Term::Mention(name) => tokens.contains(&format!("@{name}")),
            Term::Words(words) => !words.is_empty() && words.iter().all(|w| tokens.contains(w)),
        }
    }
}

/// The predicates of one `statuses/filter` request, ready to match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct V1Filter {
    /// Phrases, each a list of terms that must all match.
    track: Vec<Vec<Term>>,
    follow: HashSet<String>,
    locations: Vec<[f64; 4]>,
    language: Vec<String>,
}

impl V1Filter {
    /// The filter for validated parameters (see
    /// [`FilterParams::from_pairs`]).
    pub fn new(params: &FilterParams) -> V1Filter {
        V1Filter {
            track: params
                .track
                .iter()
                .map(|phrase| phrase.split_whitespace().map(Term::parse).collect())
                .collect(),
            follow: params.follow.iter().cloned().collect(),
            locations: params.locations.clone(),
            language: params.language.iter().map(|l| l.to_ascii_lowercase()).collect(),
        }
    }

    /// Whether the status (a parsed v1.1 status object) is delivered.
    /// Without any predicate every status matches them; `language` still
    /// restricts.
    pub fn matches(&self, status: &Value) -> bool {
        let no_predicates =
            self.track.is_empty() && self.follow.is_empty() && self.locations.is_empty();
        let predicates = no_predicates
            || self.matches_track(status)
            || self.matches_follow(status)
            || self.matches_locations(status);
        predicates && self.matches_language(status)
    }

    fn matches_track(&self, status: &Value) -> bool {
        if self.track.is_empty() {
            return false;
        }
        let mut tokens = HashSet::new();
        status_tokens(&mut tokens, status, NESTING);
        self.track
            .iter()
            .any(|phrase| !phrase.is_empty() && phrase.iter().all(|term| term.matches(&tokens)))
    }

    fn matches_follow(&self, status: &Value) -> bool {
        if self.follow.is_empty() {
            return false;
        }
        let ids = [
            id_at(status, &["user", "id_str"], &["user", "id"]),
            id_at(status, &["in_reply_to_user_id_str"], &["in_reply_to_user_id"]),
            id_at(
                status,
                &["retweeted_status", "user", "id_str"],
                &["retweeted_status", "user", "id"],
            ),
        ];
        ids.into_iter().flatten().any(|id| self.follow.contains(&id))
    }

    fn matches_locations(&self, status: &Value) -> bool {
        if self.locations.is_empty() {
            return false;
        }
        if let Some((lon, lat)) = point(status) {
            return self
                .locations
                .iter()
                .any(|b| (b[0]..=b[2]).contains(&lon) && (b[1]..=b[3]).contains(&lat));
        }
        match place_box(status) {
            Some(p) => self
                .locations
                .iter()
                .any(|b| p[0] <= b[2] && b[0] <= p[2] && p[1] <= b[3] && b[1] <= p[3]),
            None => false,
        }
    }

    fn matches_language(&self, status: &Value) -> bool {
        if self.language.is_empty() {
            return true;
        }
        let lang = status.get("lang").and_then(Value::as_str).unwrap_or("");
        self.language.iter().any(|l| l.eq_ignore_ascii_case(lang))
    }
}

/// Adds the words, hashtags, mentions and URL words of `status` and of
/// its retweeted and quoted statuses (down to `depth` levels).
fn status_tokens(tokens: &mut HashSet<String>, status: &Value, depth: usize) {
    let text = str_at(status, &["extended_tweet", "full_text"])
        .or_else(|| str_at(status, &["full_text"]))
        .or_else(|| str_at(status, &["text"]))
        .unwrap_or("");
    tokens.extend(words(text));

    for entities in [&["entities"][..], &["extended_tweet", "entities"], &["extended_entities"]] {
        let at = |name: &'static str| [entities, &[name]].concat();
        add_entities(tokens, status, &at("hashtags"), "text", "#");
        add_entities(tokens, status, &at("user_mentions"), "screen_name", "@");
        for name in ["urls", "media"] {
            for url in array_at(status, &at(name)) {
                if let Some(expanded) = url.get("expanded_url").and_then(Value::as_str) {
                    tokens.extend(words(expanded));
                }
            }
        }
    }

    if depth > 0 {
        for nested in ["retweeted_status", "quoted_status"] {
            if let Some(inner) = status.get(nested).filter(|v| v.is_object()) {
                status_tokens(tokens, inner, depth - 1);
            }
        }
    }
}

/// An id as a string, from its `_str` form or its number.
fn id_at(status: &Value, str_path: &[&str], number_path: &[&str]) -> Option<String> {
    if let Some(id) = str_at(status, str_path) {
        return Some(id.to_owned());
    }
    let number = number_path.iter().try_fold(status, |v, key| v.get(key))?;
    number.as_u64().map(|id| id.to_string())
}

/// `coordinates.coordinates` as `(lon, lat)`.
fn point(status: &Value) -> Option<(f64, f64)> {
    let pair = status.get("coordinates")?.get("coordinates")?.as_array()?;
    Some((pair.first()?.as_f64()?, pair.get(1)?.as_f64()?))
}

/// The place's bounding box as `[min_lon, min_lat, max_lon, max_lat]`.
fn place_box(status: &Value) -> Option<[f64; 4]> {
    let ring = status.get("place")?.get("bounding_box")?.get("coordinates")?.get(0)?;
    let mut bounds = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for corner in ring.as_array()? {
        let (lon, lat) = (corner.get(0)?.as_f64()?, corner.get(1)?.as_f64()?);
        bounds = [bounds[0].min(lon), bounds[1].min(lat), bounds[2].max(lon), bounds[3].max(lat)];
    }
    bounds[0].is_finite().then_some(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(pairs: &[(&str, &str)]) -> V1Filter {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        V1Filter::new(&FilterParams::from_pairs(&pairs).unwrap())
    }

    #[test]
    fn a_comma_is_or_and_a_space_is_and() {
        let f = filter(&[("track", "cat dog,bird")]);
        assert!(f.matches(&json!({"text": "A dog and a CAT."})));
        assert!(f.matches(&json!({"text": "bird!"})));
        assert!(!f.matches(&json!({"text": "just a dog"})));
        assert!(!f.matches(&json!({"text": "birds"})));
    }

    #[test]
    fn signed_terms_match_only_their_entity() {
        let f = filter(&[("track", "#rust")]);
        let tagged = json!({"text": "x #Rust", "entities": {"hashtags": [{"text": "Rust"}]}});
        assert!(f.matches(&tagged));
        assert!(!f.matches(&json!({"text": "rust"})));
        let f = filter(&[("track", "rust")]);
        assert!(f.matches(&tagged));
    }

    #[test]
    fn a_place_overlapping_a_box_matches_without_a_point() {
        let f = filter(&[("locations", "0,0,10,10")]);
        let place = |lon: f64| {
            json!({"place": {"bounding_box": {"coordinates": [[[lon, 1.0], [lon + 5.0, 1.0],
                [lon + 5.0, 2.0], [lon, 2.0]]]}}})
        };
        assert!(f.matches(&place(8.0)));
        assert!(!f.matches(&place(11.0)));
        assert!(f.matches(&json!({"coordinates": {"coordinates": [10.0, 0.0]}})));
        assert!(!f.matches(&json!({"coordinates": {"coordinates": [10.5, 0.0]}})));
    }
}
