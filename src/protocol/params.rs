//! Endpoints and request parameters (sections 1 and 2 of the protocol):
//! what a stream request sends, and the validation both ends apply — the
//! client before connecting, the mock server on what it receives (with the
//! status the real service answered, see [`ParamError::status`]).
//!
//! Values are kept unencoded here; [`crate::protocol::oauth::encode_pairs`]
//! encodes them the way they were signed.

use std::fmt;

/// Default host of the v1.1 stream endpoints.
pub const V1_HOST: &str = "https://stream.twitter.com";
/// Default host of the v2 endpoints.
pub const V2_HOST: &str = "https://api.twitter.com";
/// Path of the v2 filtered-stream rules endpoint.
pub const RULES_PATH: &str = "/2/tweets/search/stream/rules";

/// Most track phrases a v1.1 filter accepts.
pub const MAX_TRACK: usize = 400;
/// Most user ids a v1.1 filter follows.
pub const MAX_FOLLOW: usize = 5_000;
/// Most bounding boxes a v1.1 filter accepts.
pub const MAX_BOXES: usize = 25;
/// Longest track phrase, in UTF-8 bytes.
pub const MAX_PHRASE_BYTES: usize = 60;

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

impl Endpoint {
    /// Every endpoint, for lookups and tables.
    pub const ALL: [Endpoint; 4] =
        [Endpoint::V1Filter, Endpoint::V1Sample, Endpoint::V2Search, Endpoint::V2Sample];

    /// The URL path.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::V1Filter => "/1.1/statuses/filter.json",
            Endpoint::V1Sample => "/1.1/statuses/sample.json",
            Endpoint::V2Search => "/2/tweets/search/stream",
            Endpoint::V2Sample => "/2/tweets/sample/stream",
        }
    }

    /// The real service's host, scheme included.
    pub fn default_host(self) -> &'static str {
        if self.is_v2() {
            V2_HOST
        } else {
            V1_HOST
        }
    }

    /// Whether this is an API v2 endpoint (bearer token, v2 messages).
    pub fn is_v2(self) -> bool {
        matches!(self, Endpoint::V2Search | Endpoint::V2Sample)
    }

    /// The endpoint serving `path` (without query), if any.
    pub fn from_path(path: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }
}

/// A parameter that the service would refuse, naming the bad value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ParamError {
    /// A filter without any of `track`, `follow` or `locations`.
    NoPredicates,
    /// A track phrase that is empty once trimmed (index from 0).
    EmptyPhrase {
        /// Its position in the list.
        index: usize,
    },
    /// A track phrase over [`MAX_PHRASE_BYTES`].
    PhraseTooLong {
        /// The phrase.
        phrase: String,
        /// Its length in bytes.
        bytes: usize,
    },
    /// More than [`MAX_TRACK`] phrases.
    TooManyPhrases(usize),
    /// A follow id that is not a decimal user id.
    BadUserId(String),
    /// More than [`MAX_FOLLOW`] ids.
    TooManyFollows(usize),
    /// A locations number that does not parse.
    BadCoordinate(String),
    /// A locations list whose length is not a multiple of four.
    IncompleteBox(usize),
    /// A longitude outside [-180, 180].
    LongitudeOutOfRange(f64),
    /// A latitude outside [-90, 90].
    LatitudeOutOfRange(f64),
    /// A box that reads as latitude-first; holds the box as given.
    LatitudeFirst([f64; 4]),
    /// A box whose south-west corner is not south-west of its north-east.
    InvertedBox([f64; 4]),
    /// More than [`MAX_BOXES`] boxes.
    TooManyBoxes(usize),
    /// A language code that is not BCP 47-shaped.
    BadLanguage(String),
    /// A `filter_level` other than none, low or medium.
    BadFilterLevel(String),
    /// A `count` that is not an integer within ±150,000.
    BadCount(String),
    /// A v2 `backfill_minutes` outside 1 to 5.
    BadBackfill(String),
    /// A v2 field or expansion list entry that is empty or malformed.
    BadField {
        /// The parameter, e.g. `tweet.fields`.
        param: String,
        /// The bad entry.
        value: String,
    },
}

impl ParamError {
    /// The HTTP status the service answered for this: 413 for too many
    /// predicates, 416 for a bad count, 400 for v2 parameters, 406 for the
    /// rest.
    pub fn status(&self) -> u16 {
        match self {
            ParamError::TooManyPhrases(_)
            | ParamError::TooManyFollows(_)
            | ParamError::TooManyBoxes(_) => 413,
            ParamError::BadCount(_) => 416,
            ParamError::BadBackfill(_) | ParamError::BadField { .. } => 400,
            _ => 406,
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::NoPredicates => {
                write!(f, "a filter needs at least one of track, follow or locations")
            }
            ParamError::EmptyPhrase { index } => write!(f, "track phrase {index} is empty"),
            ParamError::PhraseTooLong { phrase, bytes } => write!(
                f,
                "track phrase {phrase:?} is {bytes} bytes long; at most {MAX_PHRASE_BYTES} \
                 bytes are allowed"
            ),
            ParamError::TooManyPhrases(n) => {
                write!(f, "{n} track phrases; at most {MAX_TRACK} are allowed")
            }
            ParamError::BadUserId(id) => write!(f, "follow id {id:?} is not a numeric user id"),
            ParamError::TooManyFollows(n) => {
                write!(f, "{n} follow ids; at most {MAX_FOLLOW} are allowed")
            }
            ParamError::BadCoordinate(value) => {
                write!(f, "locations value {value:?} is not a number")
            }
            ParamError::IncompleteBox(n) => write!(
                f,
                "locations has {n} numbers; each box needs four \
                 (sw_lon,sw_lat,ne_lon,ne_lat)"
            ),
            ParamError::LongitudeOutOfRange(v) => {
                write!(f, "longitude {v} is outside [-180, 180]")
            }
            ParamError::LatitudeOutOfRange(v) => write!(f, "latitude {v} is outside [-90, 90]"),
            ParamError::LatitudeFirst(b) => write!(
                f,
                "locations box {} looks like latitude first; locations take \
                 longitude,latitude pairs, south-west corner first: did you mean {}?",
                join_box(b),
                join_box(&swap(b))
            ),
            ParamError::InvertedBox(b) => write!(
                f,
                "locations box {} is inverted; give the south-west corner first, \
                 then the north-east one, each as longitude,latitude",
                join_box(b)
            ),
            ParamError::TooManyBoxes(n) => {
                write!(f, "{n} locations boxes; at most {MAX_BOXES} are allowed")
            }
            ParamError::BadLanguage(code) => {
                write!(f, "language {code:?} is not a BCP 47 code such as en or pt-BR")
            }
            ParamError::BadFilterLevel(level) => {
                write!(f, "filter_level {level:?} is not one of none, low, medium")
            }
            ParamError::BadCount(count) => {
                write!(f, "count {count:?} is not an integer between -150000 and 150000")
            }
            ParamError::BadBackfill(value) => {
                write!(f, "backfill_minutes {value:?} is not a whole number from 1 to 5")
            }
            ParamError::BadField { param, value } => {
                write!(f, "{param} entry {value:?} is not a field name")
            }
        }
    }
}

impl std::error::Error for ParamError {}

fn join_box(b: &[f64; 4]) -> String {
    b.iter().map(f64::to_string).collect::<Vec<_>>().join(",")
}

fn swap(b: &[f64; 4]) -> [f64; 4] {
    [b[1], b[0], b[3], b[2]]
}

/// Parses a comma-separated track list: phrases trimmed, each 1 to 60
/// bytes, at most 400.
///
/// # Errors
///
/// [`ParamError::EmptyPhrase`], [`ParamError::PhraseTooLong`] or
/// [`ParamError::TooManyPhrases`].
pub fn parse_track(list: &str) -> Result<Vec<String>, ParamError> {
    let track: Vec<String> = list.split(',').map(|p| p.trim().to_owned()).collect();
    check_track(&track)?;
    Ok(track)
}

/// Parses a comma-separated list of numeric user ids, at most 5,000.
///
/// # Errors
///
/// [`ParamError::BadUserId`] or [`ParamError::TooManyFollows`].
pub fn parse_follow(list: &str) -> Result<Vec<String>, ParamError> {
    let follow: Vec<String> = list.split(',').map(|id| id.trim().to_owned()).collect();
    check_follow(&follow)?;
    Ok(follow)
}

/// Parses comma-separated `sw_lon,sw_lat,ne_lon,ne_lat` boxes, strictly:
/// besides the service's rules, a box that reads better latitude-first is
/// refused (see [`FilterParams::validate`]).
///
/// # Errors
///
/// [`ParamError::BadCoordinate`], [`ParamError::IncompleteBox`], or any
/// error of a box's checks.
pub fn parse_locations(list: &str) -> Result<Vec<[f64; 4]>, ParamError> {
    let boxes = split_boxes(list)?;
    check_locations(&boxes, true)?;
    Ok(boxes)
}

/// Parses a comma-separated list of language codes.
///
/// # Errors
///
/// [`ParamError::BadLanguage`] naming the first bad code.
pub fn parse_language(list: &str) -> Result<Vec<String>, ParamError> {
    let codes: Vec<String> = list.split(',').map(|c| c.trim().to_owned()).collect();
    check_language(&codes)?;
    Ok(codes)
}

fn split_boxes(list: &str) -> Result<Vec<[f64; 4]>, ParamError> {
    let numbers = list
        .split(',')
        .map(|n| {
            let n = n.trim();
            n.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| ParamError::BadCoordinate(n.to_owned()))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    if numbers.len() % 4 != 0 {
        return Err(ParamError::IncompleteBox(numbers.len()));
    }
    Ok(numbers.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]).collect())
}

fn check_track(track: &[String]) -> Result<(), ParamError> {
    if track.len() > MAX_TRACK {
        return Err(ParamError::TooManyPhrases(track.len()));
    }
    for (index, phrase) in track.iter().enumerate() {
        let phrase = phrase.trim();
        if phrase.is_empty() {
            return Err(ParamError::EmptyPhrase { index });
        }
        if phrase.len() > MAX_PHRASE_BYTES {
            let bytes = phrase.len();
            return Err(ParamError::PhraseTooLong { phrase: phrase.to_owned(), bytes });
        }
    }
    Ok(())
}

fn check_follow(follow: &[String]) -> Result<(), ParamError> {
    if follow.len() > MAX_FOLLOW {
        return Err(ParamError::TooManyFollows(follow.len()));
    }
    // User ids are unsigned 64-bit; a sign or a space is not part of one.
    let is_id = |id: &str| id.bytes().all(|b| b.is_ascii_digit()) && id.parse::<u64>().is_ok();
    match follow.iter().find(|id| !is_id(id)) {
        Some(bad) => Err(ParamError::BadUserId(bad.clone())),
        None => Ok(()),
    }
}

fn check_locations(boxes: &[[f64; 4]], strict: bool) -> Result<(), ParamError> {
    if boxes.len() > MAX_BOXES {
        return Err(ParamError::TooManyBoxes(boxes.len()));
    }
    boxes.iter().try_for_each(|b| check_box(b, strict))
}

/// The service's rules for one box, then (when `strict`) the heuristic for
/// latitude-first input.
fn check_box(b: &[f64; 4], strict: bool) -> Result<(), ParamError> {
    if let Err(err) = check_box_rules(b) {
        // A box that breaks the rules as given but keeps them swapped was
        // almost surely typed latitude first; say so instead.
        let swapped_ok = check_box_rules(&swap(b)).is_ok();
        let range_error =
            matches!(err, ParamError::LatitudeOutOfRange(_) | ParamError::LongitudeOutOfRange(_));
        return Err(if range_error && swapped_ok { ParamError::LatitudeFirst(*b) } else { err });
    }
    // Valid as given, yet wholly south of 60°S (Antarctica, where hardly
    // anyone posts) while its swapped reading is an ordinary box: this is
    // how the Americas east of 90°W look typed latitude first, e.g. New
    // York as 40.5,-74.3,40.9,-73.7.
    let antarctic = |b: &[f64; 4]| b[3] < -60.0;
    if strict && antarctic(b) && check_box_rules(&swap(b)).is_ok() && !antarctic(&swap(b)) {
        return Err(ParamError::LatitudeFirst(*b));
    }
    Ok(())
}

fn check_box_rules(b: &[f64; 4]) -> Result<(), ParamError> {
    for lon in [b[0], b[2]] {
        if !(-180.0..=180.0).contains(&lon) {
            return Err(ParamError::LongitudeOutOfRange(lon));
        }
    }
    for lat in [b[1], b[3]] {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(ParamError::LatitudeOutOfRange(lat));
        }
    }
    if b[0] >= b[2] || b[1] >= b[3] {
        return Err(ParamError::InvertedBox(*b));
    }
    Ok(())
}

/// Two or three letters, then subtags of 1 to 8 letters or digits.
fn check_language(codes: &[String]) -> Result<(), ParamError> {
    let well_formed = |code: &str| {
        let mut parts = code.split('-');
        let primary = parts.next().unwrap_or("");
        (2..=3).contains(&primary.len())
            && primary.bytes().all(|b| b.is_ascii_alphabetic())
            && parts
                .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    match codes.iter().find(|c| !well_formed(c)) {
        Some(bad) => Err(ParamError::BadLanguage(bad.clone())),
        None => Ok(()),
    }
}

fn check_filter_level(level: &str) -> Result<(), ParamError> {
    match level {
        "none" | "low" | "medium" => Ok(()),
        _ => Err(ParamError::BadFilterLevel(level.to_owned())),
    }
}

fn check_count(count: &str) -> Result<(), ParamError> {
    match count.parse::<i64>() {
        Ok(n) if (-150_000..=150_000).contains(&n) => Ok(()),
        _ => Err(ParamError::BadCount(count.to_owned())),
    }
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

impl FilterParams {
    /// Whether no predicate (track, follow, locations) is set.
    pub fn is_empty(&self) -> bool {
        self.track.is_empty() && self.follow.is_empty() && self.locations.is_empty()
    }

    /// Checks everything before connecting: the service's rules, plus a
    /// refusal of boxes that read as latitude-first (a box valid as given
    /// but wholly south of 60°S whose swapped reading is an ordinary box).
    ///
    /// # Errors
    ///
    /// The first [`ParamError`] found: no predicates, then track, follow,
    /// locations, language, filter level.
    ///
    /// # Limitations
    ///
    /// The latitude-first heuristic refuses genuine boxes in Antarctica
    /// whose swapped reading is valid; the mock server
    /// ([`FilterParams::from_pairs`]) accepts them, as the service did.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.check(true)
    }

    fn check(&self, strict: bool) -> Result<(), ParamError> {
        if self.is_empty() {
            return Err(ParamError::NoPredicates);
        }
        check_track(&self.track)?;
        check_follow(&self.follow)?;
        check_locations(&self.locations, strict)?;
        check_language(&self.language)?;
        match &self.filter_level {
            Some(level) => check_filter_level(level),
            None => Ok(()),
        }
    }

    /// Reads the decoded query and form pairs of a filter request, as the
    /// mock server receives them, applying the service's rules. Repeated
    /// names add to the list; empty values count as absent; `count` is
    /// checked but not kept; other names are ignored.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] whose [`status`](ParamError::status) is the answer
    /// to send (406, 413 or 416).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<FilterParams, ParamError> {
        let mut params = FilterParams::default();
        let list = |value: &str| value.split(',').map(|v| v.trim().to_owned()).collect::<Vec<_>>();
        for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
            match name.as_str() {
                "track" => params.track.extend(list(value)),
                "follow" => params.follow.extend(list(value)),
                "locations" => params.locations.extend(split_boxes(value)?),
                "language" => params.language.extend(list(value)),
                "filter_level" => params.filter_level = Some(value.clone()),
                "count" => check_count(value)?,
                _ => {}
            }
        }
        params.check(false)?;
        Ok(params)
    }

    /// The predicates as unencoded pairs, lists comma-joined, empty ones
    /// left out.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        push_list(&mut pairs, "track", &self.track);
        push_list(&mut pairs, "follow", &self.follow);
        let boxes: Vec<String> = self.locations.iter().map(join_box).collect();
        push_list(&mut pairs, "locations", &boxes);
        push_list(&mut pairs, "language", &self.language);
        if let Some(level) = &self.filter_level {
            pairs.push(("filter_level".to_owned(), level.clone()));
        }
        pairs
    }
}

fn push_list(pairs: &mut Vec<(String, String)>, name: &str, list: &[String]) {
    if !list.is_empty() {
        pairs.push((name.to_owned(), list.join(",")));
    }
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

impl V2Params {
    fn lists(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("expansions", &self.expansions),
            ("tweet.fields", &self.tweet_fields),
            ("user.fields", &self.user_fields),
            ("media.fields", &self.media_fields),
            ("place.fields", &self.place_fields),
            ("poll.fields", &self.poll_fields),
        ]
    }

    /// Checks the lists' entries (letters, digits, `_` and `.`) and that
    /// `backfill_minutes` is 1 to 5.
    ///
    /// # Errors
    ///
    /// [`ParamError::BadField`] or [`ParamError::BadBackfill`].
    pub fn validate(&self) -> Result<(), ParamError> {
        let is_field = |f: &str| {
            !f.is_empty() && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        };
        for (param, list) in self.lists() {
            if let Some(bad) = list.iter().find(|f| !is_field(f)) {
                return Err(ParamError::BadField { param: param.to_owned(), value: bad.clone() });
            }
        }
        match self.backfill_minutes {
            Some(m) if !(1..=5).contains(&m) => Err(ParamError::BadBackfill(m.to_string())),
            _ => Ok(()),
        }
    }

    /// Reads the decoded query pairs of a v2 stream request; unknown names
    /// are ignored.
    ///
    /// # Errors
    ///
    /// [`ParamError::BadField`] or [`ParamError::BadBackfill`] (status 400).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<V2Params, ParamError> {
        let mut params = V2Params::default();
        for (name, value) in pairs {
            let list = || value.split(',').map(|v| v.trim().to_owned());
            match name.as_str() {
                "expansions" => params.expansions.extend(list()),
                "tweet.fields" => params.tweet_fields.extend(list()),
                "user.fields" => params.user_fields.extend(list()),
                "media.fields" => params.media_fields.extend(list()),
                "place.fields" => params.place_fields.extend(list()),
                "poll.fields" => params.poll_fields.extend(list()),
                "backfill_minutes" => {
                    let minutes = value.trim().parse::<u8>();
                    let minutes = minutes.map_err(|_| ParamError::BadBackfill(value.clone()))?;
                    params.backfill_minutes = Some(minutes);
                }
                _ => {}
            }
        }
        params.validate()?;
        Ok(params)
    }

    /// The parameters as unencoded pairs, empty lists left out.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (name, list) in self.lists() {
            push_list(&mut pairs, name, list);
        }
        if let Some(minutes) = self.backfill_minutes {
            pairs.push(("backfill_minutes".to_owned(), minutes.to_string()));
        }
        pairs
    }
}

/// Options of the v1.1 endpoints; v2 ignores them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamOptions {
    /// Send `stall_warnings=true`; default false.
    pub stall_warnings: bool,
    /// Send `delimited=length` for length-prefixed framing; default false.
    pub delimited_length: bool,
}

impl StreamOptions {
    fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if self.stall_warnings {
            pairs.push(("stall_warnings".to_owned(), "true".to_owned()));
        }
        if self.delimited_length {
            pairs.push(("delimited".to_owned(), "length".to_owned()));
        }
        pairs
    }
}

/// What goes on the wire for a [`StreamRequest`]: sign `query` and `form`
/// together, send `query` after `?` and `form` as an
/// `application/x-www-form-urlencoded` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestParts {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The endpoint's path.
    pub path: &'static str,
    /// Query pairs, unencoded.
    pub query: Vec<(String, String)>,
    /// Form-body pairs, unencoded; empty for a GET.
    pub form: Vec<(String, String)>,
}

impl RequestParts {
    /// Query and form pairs together, as they are signed.
    pub fn signed_pairs(&self) -> Vec<(String, String)> {
        self.query.iter().chain(&self.form).cloned().collect()
    }
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

impl StreamRequest {
    /// The endpoint this request goes to.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            StreamRequest::V1Filter(_) => Endpoint::V1Filter,
            StreamRequest::V1Sample => Endpoint::V1Sample,
            StreamRequest::V2Search(_) => Endpoint::V2Search,
            StreamRequest::V2Sample(_) => Endpoint::V2Sample,
        }
    }

    /// Checks the parameters before connecting.
    ///
    /// # Errors
    ///
    /// The first [`ParamError`] of [`FilterParams::validate`] or
    /// [`V2Params::validate`].
    pub fn validate(&self) -> Result<(), ParamError> {
        match self {
            StreamRequest::V1Filter(filter) => filter.validate(),
            StreamRequest::V1Sample => Ok(()),
            StreamRequest::V2Search(v2) | StreamRequest::V2Sample(v2) => v2.validate(),
        }
    }

    /// Method, path, query and form of this request. A v1.1 filter is a
    /// POST with everything in the form body, because predicate lists can
    /// be long enough for a GET to get 414; the other endpoints are GETs
    /// with a query.
    pub fn parts(&self, options: &StreamOptions) -> RequestParts {
        let path = self.endpoint().path();
        match self {
            StreamRequest::V1Filter(filter) => {
                let mut form = filter.to_pairs();
                form.extend(options.to_pairs());
                RequestParts { method: "POST", path, query: Vec::new(), form }
            }
            StreamRequest::V1Sample => {
                RequestParts { method: "GET", path, query: options.to_pairs(), form: Vec::new() }
            }
            StreamRequest::V2Search(v2) | StreamRequest::V2Sample(v2) => {
                RequestParts { method: "GET", path, query: v2.to_pairs(), form: Vec::new() }
            }
        }
    }
}
