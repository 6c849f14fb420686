//! Typed views of v2 filtered-stream responses: a tweet with its matching
//! rules and raw expansions, and error objects (among them the
//! `operational-disconnect` that precedes a server-side close).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::de;
use super::scan::parse_u64;

/// A v2 response carrying a tweet.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct TweetResponse<'a> {
    /// The tweet.
    #[serde(borrow)]
    pub data: Tweet<'a>,
    /// Expanded users, tweets, media, places and polls, left raw: their
    /// shapes depend on the `expansions` and `*.fields` asked for.
    #[serde(default, borrow)]
    pub includes: Option<&'a RawValue>,
    /// The rules the tweet matched.
    #[serde(default, borrow)]
    pub matching_rules: Vec<MatchingRule<'a>>,
    /// Partial errors delivered along with the tweet.
    #[serde(default, borrow)]
    pub errors: Vec<ApiError<'a>>,
}

/// A v2 tweet. v2 writes ids as strings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Tweet<'a> {
    /// The tweet id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The text.
    #[serde(default, borrow)]
    pub text: Cow<'a, str>,
    /// The author's user id (with `tweet.fields=author_id`).
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub author_id: Option<Cow<'a, str>>,
    /// The language Twitter detected.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub lang: Option<Cow<'a, str>>,
    /// ISO 8601 creation time.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub created_at: Option<Cow<'a, str>>,
    /// The id of the first tweet of the conversation.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub conversation_id: Option<Cow<'a, str>>,
    /// The author replied to.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub in_reply_to_user_id: Option<Cow<'a, str>>,
    /// Retweeted, quoted and replied-to tweets.
    #[serde(default, borrow)]
    pub referenced_tweets: Vec<ReferencedTweet<'a>>,
    /// Hashtags, mentions and links in the text.
    #[serde(default, borrow)]
    pub entities: TweetEntities<'a>,
}

impl Tweet<'_> {
    /// The tweet id as a number.
    pub fn id_u64(&self) -> Option<u64> {
        parse_u64(self.id.as_bytes())
    }

    /// The author id as a number.
    pub fn author_id_u64(&self) -> Option<u64> {
        self.author_id.as_deref().and_then(|id| parse_u64(id.as_bytes()))
    }
}

/// A tweet that a tweet refers to.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ReferencedTweet<'a> {
    /// `retweeted`, `quoted` or `replied_to`.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// Its id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}

/// Entities found in a v2 text.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TweetEntities<'a> {
    /// `#hashtags`.
    #[serde(default, borrow)]
    pub hashtags: Vec<TweetHashtag<'a>>,
    /// `@mentions`.
    #[serde(default, borrow)]
    pub mentions: Vec<TweetMention<'a>>,
    /// Links.
    #[serde(default, borrow)]
    pub urls: Vec<TweetUrl<'a>>,
}

/// A v2 hashtag.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TweetHashtag<'a> {
    /// The tag, without `#`.
    #[serde(borrow)]
    pub tag: Cow<'a, str>,
}

/// A v2 mention.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TweetMention<'a> {
    /// The handle, without `@`.
    #[serde(borrow)]
    pub username: Cow<'a, str>,
    /// The user id, when given.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub id: Option<Cow<'a, str>>,
}

/// A v2 link.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TweetUrl<'a> {
    /// The `t.co` link.
    #[serde(default, borrow)]
    pub url: Cow<'a, str>,
    /// The link it stands for.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub expanded_url: Option<Cow<'a, str>>,
}

/// A filter rule a tweet matched.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct MatchingRule<'a> {
    /// The rule id; a string in the API, a number in some recordings, text
    /// here either way.
    #[serde(borrow, deserialize_with = "de::str_or_number")]
    pub id: Cow<'a, str>,
    /// The rule's tag, if it has one.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub tag: Option<Cow<'a, str>>,
}

/// A v2 error object (RFC 7807 problem details).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ApiError<'a> {
    /// Short summary, such as `operational-disconnect`.
    #[serde(default, borrow)]
    pub title: Cow<'a, str>,
    /// Longer explanation.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub detail: Option<Cow<'a, str>>,
    /// The problem type, a URI.
    #[serde(rename = "type", default, borrow, deserialize_with = "de::opt_str")]
    pub kind: Option<Cow<'a, str>>,
    /// For an operational disconnect, why (`OperationalDisconnect`,
    /// `UpstreamOperationalDisconnect`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub disconnect_type: Option<Cow<'a, str>>,
}

impl ApiError<'_> {
    /// Whether this error announces that the server closes the stream.
    pub fn is_operational_disconnect(&self) -> bool {
        self.title == "operational-disconnect"
    }
}
