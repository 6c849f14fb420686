//! Typed views of v1.1 messages: statuses and the notices (`delete`,
//! `scrub_geo`, `limit`, `status_withheld`, `user_withheld`, `disconnect`,
//! `warning`).
//!
//! Each view holds the fields people filter and count on; everything else
//! stays in the raw JSON. Strings borrow from the payload unless they hold
//! escapes.

use std::borrow::Cow;

use serde::Deserialize;

use super::de;

/// A v1.1 status (tweet). Retweets and quotes carry the original whole.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Status<'a> {
    /// The status id.
    pub id: u64,
    /// The status id as text.
    #[serde(borrow)]
    pub id_str: Cow<'a, str>,
    /// The text (up to 140 characters; see [`Status::full_text`]).
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub text: Option<Cow<'a, str>>,
    /// The whole text, in extended mode (`tweet_mode=extended`).
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub full_text: Option<Cow<'a, str>>,
    /// The whole text and entities of a truncated status, in compatibility
    /// mode.
    #[serde(default, borrow)]
    pub extended_tweet: Option<ExtendedTweet<'a>>,
    /// The author.
    #[serde(borrow)]
    pub user: User<'a>,
    /// `Mon Mar 28 23:25:21 +0000 2016`, as Twitter writes it.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub created_at: Option<Cow<'a, str>>,
    /// Milliseconds since the epoch, when the stream sent it.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub timestamp_ms: Option<u64>,
    /// The status this one replies to.
    #[serde(default)]
    pub in_reply_to_status_id: Option<u64>,
    /// The author of the status this one replies to.
    #[serde(default)]
    pub in_reply_to_user_id: Option<u64>,
    /// The screen name of that author.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub in_reply_to_screen_name: Option<Cow<'a, str>>,
    /// The original of a retweet.
    #[serde(default, borrow)]
    pub retweeted_status: Option<Box<Status<'a>>>,
    /// The id of the quoted status.
    #[serde(default)]
    pub quoted_status_id: Option<u64>,
    /// The quoted status, when the stream includes it.
    #[serde(default, borrow)]
    pub quoted_status: Option<Box<Status<'a>>>,
    /// The language Twitter detected (BCP 47), or `und`.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub lang: Option<Cow<'a, str>>,
    /// The exact location, when the author shared it.
    #[serde(default)]
    pub coordinates: Option<Point>,
    /// The place the status is tagged with.
    #[serde(default, borrow)]
    pub place: Option<Place<'a>>,
    /// Hashtags, mentions and links in the text.
    #[serde(default, borrow)]
    pub entities: Entities<'a>,
}

impl Status<'_> {
    /// The whole text: `extended_tweet.full_text`, else `full_text`, else
    /// `text`.
    pub fn full_text(&self) -> &str {
        let extended = self.extended_tweet.as_ref().and_then(|e| e.full_text.as_deref());
        extended.or(self.full_text.as_deref()).or(self.text.as_deref()).unwrap_or_default()
    }

    /// Whether this is a retweet.
    pub fn is_retweet(&self) -> bool {
        self.retweeted_status.is_some()
    }
}

/// The untruncated part of a long status.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ExtendedTweet<'a> {
    /// The whole text.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub full_text: Option<Cow<'a, str>>,
    /// Entities of the whole text.
    #[serde(default, borrow)]
    pub entities: Entities<'a>,
}

/// A status's author.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct User<'a> {
    /// The user id.
    pub id: u64,
    /// The handle, without `@`.
    #[serde(default, borrow)]
    pub screen_name: Cow<'a, str>,
    /// The display name.
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
}

/// A GeoJSON point: `coordinates` is `[longitude, latitude]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Point {
    /// `[longitude, latitude]`, in that order.
    pub coordinates: [f64; 2],
}

impl Point {
    /// The longitude.
    pub fn longitude(&self) -> f64 {
        self.coordinates[0]
    }

    /// The latitude.
    pub fn latitude(&self) -> f64 {
        self.coordinates[1]
    }
}

/// A place a status is tagged with.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Place<'a> {
    /// The place id.
    #[serde(default, borrow)]
    pub id: Cow<'a, str>,
    /// `city`, `admin`, `country`, `poi`, ...
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub place_type: Option<Cow<'a, str>>,
    /// Short name.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub name: Option<Cow<'a, str>>,
    /// Long name, such as `Paris, France`.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub full_name: Option<Cow<'a, str>>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub country_code: Option<Cow<'a, str>>,
    /// The polygon bounding the place.
    #[serde(default)]
    pub bounding_box: Option<BoundingBox>,
}

/// A GeoJSON polygon: rings of `[longitude, latitude]` points.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct BoundingBox {
    /// The rings; Twitter sends one ring of four corners.
    #[serde(default)]
    pub coordinates: Vec<Vec<[f64; 2]>>,
}

impl BoundingBox {
    /// `(west, south, east, north)` over all points, or `None` when there
    /// are none.
    pub fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        let mut points = self.coordinates.iter().flatten();
        let first = points.next()?;
        let init = (first[0], first[1], first[0], first[1]);
        Some(
            points
                .fold(init, |(w, s, e, n), p| (w.min(p[0]), s.min(p[1]), e.max(p[0]), n.max(p[1]))),
        )
    }
}

/// Entities found in a text.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Entities<'a> {
    /// `#hashtags`.
    #[serde(default, borrow)]
    pub hashtags: Vec<Hashtag<'a>>,
    /// `@mentions`.
    #[serde(default, borrow)]
    pub user_mentions: Vec<Mention<'a>>,
    /// Links.
    #[serde(default, borrow)]
    pub urls: Vec<Link<'a>>,
}

/// A hashtag.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Hashtag<'a> {
    /// The tag, without `#`.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}

/// A mention of a user.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Mention<'a> {
    /// The user id.
    #[serde(default)]
    pub id: Option<u64>,
    /// The handle, without `@`.
    #[serde(default, borrow)]
    pub screen_name: Cow<'a, str>,
}

/// A link.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Link<'a> {
    /// The `t.co` link as it appears in the text.
    #[serde(default, borrow)]
    pub url: Cow<'a, str>,
    /// The link it stands for.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub expanded_url: Option<Cow<'a, str>>,
}

/// A `delete` notice: the status should be removed wherever it is kept.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Delete {
    /// The deleted status.
    pub status: DeletedStatus,
    /// Milliseconds since the epoch.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub timestamp_ms: Option<u64>,
}

/// The status a `delete` notice names.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct DeletedStatus {
    /// The status id.
    pub id: u64,
    /// Its author.
    pub user_id: u64,
}

/// A `scrub_geo` notice: remove location data from a user's statuses.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ScrubGeo {
    /// The user.
    pub user_id: u64,
    /// Up to and including this status.
    pub up_to_status_id: u64,
    /// Milliseconds since the epoch.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub timestamp_ms: Option<u64>,
}

/// A `limit` notice.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Limit {
    /// Statuses matching the filter but withheld since the connection
    /// opened (a running total, not a delta).
    pub track: u64,
    /// Milliseconds since the epoch.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub timestamp_ms: Option<u64>,
}

/// A status withheld in some countries.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct StatusWithheld {
    /// The status id.
    pub id: u64,
    /// Its author.
    pub user_id: u64,
    /// ISO country codes.
    #[serde(default)]
    pub withheld_in_countries: Vec<String>,
}

/// A user withheld in some countries.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UserWithheld {
    /// The user id.
    pub id: u64,
    /// ISO country codes.
    #[serde(default)]
    pub withheld_in_countries: Vec<String>,
}

/// A `disconnect` notice, sent just before the server closes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Disconnect<'a> {
    /// Why: 1 shutdown, 2 duplicate stream, ..., 12 shed load (see the
    /// protocol notes).
    pub code: u32,
    /// The stream that was closed.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub stream_name: Option<Cow<'a, str>>,
    /// A human-readable reason.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub reason: Option<Cow<'a, str>>,
}

/// A stall `warning`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Warning<'a> {
    /// `FALLING_BEHIND` or `FOLLOWS_OVER_LIMIT`.
    #[serde(borrow)]
    pub code: Cow<'a, str>,
    /// A human-readable message.
    #[serde(default, borrow, deserialize_with = "de::opt_str")]
    pub message: Option<Cow<'a, str>>,
    /// How full the server's queue for this stream is, in percent.
    #[serde(default)]
    pub percent_full: Option<u32>,
}
