//! Endpoints and request parameters, with validation before connecting.

/// A streaming endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `/1.1/statuses/filter.json`.
    V1Filter,
    /// `/1.1/statuses/sample.json`.
    V1Sample,
    /// `/2/tweets/search/stream`.
    V2Search,
    /// `/2/tweets/sample/stream`.
    V2Sample,
}

/// v1.1 `statuses/filter` predicates and options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterParams {
    /// Track phrases (comma is OR, space inside a phrase is AND).
    pub track: Vec<String>,
    /// User ids to follow.
    pub follow: Vec<String>,
    /// Bounding boxes as `[sw_lon, sw_lat, ne_lon, ne_lat]`.
    pub locations: Vec<[f64; 4]>,
    /// BCP 47 language codes.
    pub language: Vec<String>,
    /// `none`, `low` or `medium`.
    pub filter_level: Option<String>,
}

/// v2 stream parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct V2Params {
    /// `expansions`.
    pub expansions: Vec<String>,
    /// `tweet.fields`.
    pub tweet_fields: Vec<String>,
    /// `user.fields`.
    pub user_fields: Vec<String>,
    /// `media.fields`.
    pub media_fields: Vec<String>,
    /// `place.fields`.
    pub place_fields: Vec<String>,
    /// `poll.fields`.
    pub poll_fields: Vec<String>,
    /// `backfill_minutes`, 1 to 5.
    pub backfill_minutes: Option<u8>,
}

/// A complete stream request: endpoint, parameters and the options common
/// to v1.1 endpoints.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamRequest {
    /// v1.1 filter.
    V1Filter(FilterParams),
    /// v1.1 sample.
    V1Sample,
    /// v2 filtered stream.
    V2Search(V2Params),
    /// v2 sample stream.
    V2Sample(V2Params),
}
