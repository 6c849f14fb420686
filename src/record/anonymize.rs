//! Anonymization of recorded messages: personal details are replaced by
//! pseudonyms of the same length in bytes of JSON text, so chunk
//! boundaries, length lines and entity offsets stay valid.
//!
//! Replaced:
//!
//! | where | what |
//! |---|---|
//! | user objects (`user`, `users[]`, `user_mentions[]`, `mentions[]`) | `id`, `id_str`, `name`, `screen_name`, `username`, `description`, `location`, `url`, profile image and banner URLs |
//! | inside a user object's nested objects | `url`, `expanded_url`, `display_url` |
//! | anywhere | `user_id(_str)`, `in_reply_to_user_id(_str)`, `author_id`, `in_reply_to_screen_name` |
//! | `text`, `full_text` | every `@mention` |
//! | `geo`, `coordinates` (not under `place`) | every number |
//!
//! Pseudonyms are a keyed hash of the original and a seed, so they are
//! consistent without any table: a screen name and its `@mention` get the
//! same one (case aside: mentions are matched without case), an `id` and
//! its `id_str` the same digits, and a recording's seed reproduces them.
//!
//! Chunks may split a message, so [`ChunkAnonymizer`] holds chunks back
//! until every frame they touch is complete, rewrites the messages in
//! place and hands the chunks out again with their original sizes.
//!
//! # Limitations
//!
//! Coordinates keep their shape but not their range (a latitude may read
//! 93.1). A message still incomplete when a recording ends is rewritten as
//! far as it goes.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::Duration;

use bytes::Bytes;

use crate::frame::{Decoder, Frame, Framing};

/// Rewrites messages with seeded, length-preserving pseudonyms.
#[derive(Clone, Copy, Debug)]
pub struct Anonymizer {
    seed: u64,
}

impl Anonymizer {
    /// An anonymizer whose pseudonyms are derived from `seed`.
    pub fn new(seed: u64) -> Anonymizer {
        Anonymizer { seed }
    }

    /// The payload with its personal details replaced, the same length as
    /// `payload`. Bytes that are not JSON are rewritten up to where the
    /// JSON breaks off, the rest is kept.
    pub fn message(&self, payload: &[u8]) -> Vec<u8> {
        let mut walker = Walker { s: payload, i: 0, edits: Vec::new(), seed: self.seed };
        // A parse error only stops the walk; the edits found so far apply.
        let _ = walker.value(Ctx::Plain, Role::None, b"");
        let mut out = payload.to_vec();
        for (range, replacement) in walker.edits {
            out[range].copy_from_slice(&replacement);
        }
        out
    }

    /// A chunk-level anonymizer for one connection's body.
    pub fn chunks(&self, framing: Framing) -> ChunkAnonymizer {
        ChunkAnonymizer {
            anonymizer: *self,
            decoder: Decoder::new(framing),
            held: Vec::new(),
            cursor: 0,
            pending: VecDeque::new(),
            pushed: 0,
            emitted: 0,
        }
    }
}

/// Anonymizes a body chunk by chunk, keeping chunk sizes and times.
#[derive(Debug)]
pub struct ChunkAnonymizer {
    anonymizer: Anonymizer,
    decoder: Decoder,
    /// Bytes received and not yet handed out.
    held: Vec<u8>,
    /// Index in `held` just past the last message rewritten.
    cursor: usize,
    /// Sizes and times of the chunks in `held`.
    pending: VecDeque<(Duration, usize)>,
    /// Body bytes pushed so far.
    pushed: u64,
    /// Body bytes handed out so far.
    emitted: u64,
}

impl ChunkAnonymizer {
    /// Takes a chunk received `at`; returns the chunks now ready to write,
    /// rewritten, in order (possibly none, when a frame is incomplete).
    pub fn push(&mut self, at: Duration, data: &[u8]) -> Vec<(Duration, Bytes)> {
        self.held.extend_from_slice(data);
        self.pending.push_back((at, data.len()));
        self.pushed += data.len() as u64;
        self.decoder.push(Bytes::copy_from_slice(data));
        while let Some(frame) = self.decoder.next_frame() {
            if let Ok(Frame::Message(payload)) = frame {
                self.rewrite(&payload);
            }
        }
        // Bytes before the decoder's partial frame belong to complete
        // frames only: chunks ending there are final.
        let settled = self.pushed - self.decoder.buffered() as u64;
        self.release(settled)
    }

    /// The chunks still held at the end of the body, the incomplete
    /// message rewritten as far as it goes.
    pub fn finish(&mut self) -> Vec<(Duration, Bytes)> {
        if let Some(start) = self.held[self.cursor..].iter().position(|&b| b == b'{') {
            let start = self.cursor + start;
            let rewritten = self.anonymizer.message(&self.held[start..]);
            self.held[start..].copy_from_slice(&rewritten);
        }
        self.decoder.finish();
        self.release(self.pushed)
    }

    /// Rewrites `payload` where it lies in `held`: the first occurrence
    /// after the previous message, since framing bytes (digits, `\r\n`)
    /// cannot hold a JSON object's `{`.
    fn rewrite(&mut self, payload: &[u8]) {
        let Some(found) = memchr::memmem::find(&self.held[self.cursor..], payload) else {
            tracing::debug!(len = payload.len(), "message not found in held bytes; kept as is");
            return;
        };
        let start = self.cursor + found;
        let rewritten = self.anonymizer.message(payload);
        self.held[start..start + payload.len()].copy_from_slice(&rewritten);
        self.cursor = start + payload.len();
    }

    fn release(&mut self, settled: u64) -> Vec<(Duration, Bytes)> {
        let mut out = Vec::new();
        while let Some(&(at, len)) = self.pending.front() {
            if self.emitted + len as u64 > settled {
                break;
            }
            self.pending.pop_front();
            let data: Vec<u8> = self.held.drain(..len).collect();
            self.cursor = self.cursor.saturating_sub(len);
            self.emitted += len as u64;
            out.push((at, Bytes::from(data)));
        }
        out
    }
}

/// What a scalar value is, for the rewrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    None,
    Id,
    ScreenName,
    Name,
    Url,
    Text,
    Coord,
}

/// What kind of object or array a value sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Plain,
    User,
    UserNested,
    UserList,
    Geo,
    Place,
}

const PROFILE_URLS: [&[u8]; 6] = [
    b"url",
    b"profile_image_url",
    b"profile_image_url_https",
    b"profile_banner_url",
    b"profile_background_image_url",
    b"profile_background_image_url_https",
];

/// The context of the value of `key` inside an object of context `ctx`.
fn child_ctx(ctx: Ctx, key: &[u8]) -> Ctx {
    match (ctx, key) {
        (Ctx::Place, _) | (_, b"place" | b"bounding_box") => Ctx::Place,
        (_, b"user" | b"retweeted_user") => Ctx::User,
        (_, b"users" | b"user_mentions" | b"mentions") => Ctx::UserList,
        (Ctx::User | Ctx::UserNested, _) => Ctx::UserNested,
        (Ctx::Geo, _) | (_, b"geo" | b"coordinates") => Ctx::Geo,
        _ => Ctx::Plain,
    }
}

/// The role of the scalar value of `key` inside an object of context `ctx`.
fn role(ctx: Ctx, key: &[u8]) -> Role {
    match key {
        b"user_id"
        | b"user_id_str"
        | b"in_reply_to_user_id"
        | b"in_reply_to_user_id_str"
        | b"author_id" => return Role::Id,
        b"in_reply_to_screen_name" => return Role::ScreenName,
        b"text" | b"full_text" => return Role::Text,
        _ => {}
    }
    match ctx {
        Ctx::User => match key {
            b"id" | b"id_str" => Role::Id,
            b"screen_name" | b"username" => Role::ScreenName,
            b"name" | b"description" | b"location" => Role::Name,
            _ if PROFILE_URLS.contains(&key) => Role::Url,
            _ => Role::None,
        },
        Ctx::UserNested => match key {
            b"url" | b"expanded_url" | b"display_url" => Role::Url,
            _ => Role::None,
        },
        Ctx::Geo => Role::Coord,
        _ => Role::None,
    }
}

/// A JSON walker that notes the rewrites as it goes; `Err` means the JSON
/// broke off (the notes so far stand).
struct Walker<'a> {
    s: &'a [u8],
    i: usize,
    edits: Vec<(Range<usize>, Vec<u8>)>,
    seed: u64,
}

impl Walker<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn value(&mut self, ctx: Ctx, role: Role, key: &[u8]) -> Result<(), ()> {
        self.ws();
        match self.s.get(self.i).ok_or(())? {
            b'{' => self.object(child_ctx(ctx, key)),
            b'[' => {
                // An array's elements sit in the context of its key.
                let inner = child_ctx(ctx, key);
                self.array(inner, role)
            }
            b'"' => {
                let content = self.string()?;
                self.rewrite_string(content, role);
                Ok(())
            }
            _ => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|b| !b",]} \t\r\n".contains(b)) {
                    self.i += 1;
                }
                self.rewrite_number(start..self.i, role);
                Ok(())
            }
        }
    }

    fn object(&mut self, ctx: Ctx) -> Result<(), ()> {
        self.i += 1;
        loop {
            self.ws();
            match self.s.get(self.i).ok_or(())? {
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                b',' => self.i += 1,
                b'"' => {
                    let key = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(());
                    }
                    self.i += 1;
                    let key = &self.s[key];
                    self.value(ctx, role(ctx, key), key)?;
                }
                _ => return Err(()),
            }
        }
    }

    fn array(&mut self, ctx: Ctx, role: Role) -> Result<(), ()> {
        self.i += 1;
        // Objects in a list of users are users; arrays of numbers in a
        // geo context are coordinates.
        let element_ctx = if ctx == Ctx::UserList { Ctx::User } else { ctx };
        let element_role = if ctx == Ctx::Geo { Role::Coord } else { role };
        loop {
            self.ws();
            match self.s.get(self.i).ok_or(())? {
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                b',' => self.i += 1,
                b'{' => self.object(element_ctx)?,
                _ => self.value(element_ctx, element_role, b"")?,
            }
        }
    }

    /// Skips a string; returns the range of its content (escapes kept).
    fn string(&mut self) -> Result<Range<usize>, ()> {
        self.i += 1;
        let start = self.i;
        loop {
            match self.s.get(self.i).ok_or(())? {
                b'"' => {
                    self.i += 1;
                    return Ok(start..self.i - 1);
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
    }

    fn rewrite_string(&mut self, range: Range<usize>, role: Role) {
        let raw = &self.s[range.clone()];
        let replacement = match role {
            Role::None | Role::Coord => return,
            Role::Id if raw.iter().all(u8::is_ascii_digit) => digits(self.seed, b"id", raw),
            Role::ScreenName => letters(self.seed, b"screen", &raw.to_ascii_lowercase(), raw.len()),
            Role::Text => {
                self.rewrite_mentions(range);
                return;
            }
            Role::Url => url(self.seed, raw),
            Role::Id | Role::Name => name(self.seed, raw),
        };
        self.edits.push((range, replacement));
    }

    /// Replaces the name of every `@mention` with its screen name's
    /// pseudonym.
    fn rewrite_mentions(&mut self, range: Range<usize>) {
        let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let mut i = range.start;
        while i < range.end {
            if self.s[i] == b'@' {
                let start = i + 1;
                let mut end = start;
                while end < range.end && is_name(&self.s[end]) {
                    end += 1;
                }
                if end > start {
                    let lower = self.s[start..end].to_ascii_lowercase();
                    let replacement = letters(self.seed, b"screen", &lower, end - start);
                    self.edits.push((start..end, replacement));
                }
                i = end.max(i + 1);
            } else {
                i += 1;
            }
        }
    }

    fn rewrite_number(&mut self, range: Range<usize>, role: Role) {
        let raw = &self.s[range.clone()];
        let replacement = match role {
            Role::Id if !raw.is_empty() && raw.iter().all(u8::is_ascii_digit) => {
                digits(self.seed, b"id", raw)
            }
            Role::Coord if raw.iter().any(u8::is_ascii_digit) => coordinate(self.seed, raw),
            _ => return,
        };
        self.edits.push((range, replacement));
    }
}

/// A stream of pseudo-random numbers keyed by seed, domain and original.
struct Stream(u64);

impl Stream {
    fn new(seed: u64, domain: &[u8], original: &[u8]) -> Stream {
        // FNV-1a: stable across builds and platforms, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for &byte in domain.iter().chain(&[0xff]).chain(original) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Stream(hash)
    }

    /// splitmix64.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8]) -> u8 {
        alphabet[(self.next() % alphabet.len() as u64) as usize]
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// `len` lower-case letters.
fn letters(seed: u64, domain: &[u8], original: &[u8], len: usize) -> Vec<u8> {
    let mut stream = Stream::new(seed, domain, original);
    (0..len).map(|_| stream.pick(LOWER)).collect()
}

/// Letters where the original had non-blank bytes, spaces kept, so a name
/// still reads as words.
fn name(seed: u64, raw: &[u8]) -> Vec<u8> {
    let mut stream = Stream::new(seed, b"name", raw);
    raw.iter().map(|&b| if b == b' ' { b' ' } else { stream.pick(LOWER) }).collect()
}

/// The same number of digits, without a leading zero.
fn digits(seed: u64, domain: &[u8], raw: &[u8]) -> Vec<u8> {
    let mut stream = Stream::new(seed, domain, raw);
    (0..raw.len())
        .map(|i| {
            if i == 0 && raw.len() > 1 {
                stream.pick(b"123456789")
            } else {
                stream.pick(b"0123456789")
            }
        })
        .collect()
}

/// `https://example.com/...` cut or padded to the original's length.
fn url(seed: u64, raw: &[u8]) -> Vec<u8> {
    const PREFIX: &[u8] = b"https://example.com/";
    let mut out: Vec<u8> = PREFIX.iter().copied().take(raw.len()).collect();
    out.extend(letters(seed, b"url", raw, raw.len() - out.len()));
    out
}

/// Every digit replaced, signs, points and exponents kept, and no new
/// leading zero in the integer part.
fn coordinate(seed: u64, raw: &[u8]) -> Vec<u8> {
    let mut stream = Stream::new(seed, b"coord", raw);
    let int_len = raw.iter().skip_while(|b| **b == b'-').take_while(|b| b.is_ascii_digit()).count();
    let mut seen = 0;
    raw.iter()
        .map(|&b| {
            if !b.is_ascii_digit() {
                return b;
            }
            seen += 1;
            if seen == 1 && int_len > 1 {
                stream.pick(b"123456789")
            } else {
                stream.pick(b"0123456789")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = r#"{"id":1,"text":"RT @Jack: hi @bob_2","user":{"id":12345,"id_str":"12345","name":"Jack Dorsey","screen_name":"jack","location":"Café","url":"http:\/\/jack.com","entities":{"url":{"urls":[{"expanded_url":"http:\/\/x.y"}]}}},"entities":{"user_mentions":[{"screen_name":"jack","id":12345,"id_str":"12345"}]},"coordinates":{"type":"Point","coordinates":[-122.41,37.77]},"place":{"bounding_box":{"coordinates":[[[1.5,2.5]]]}}}"#;

    #[test]
    fn rewrites_keep_the_length_and_stay_json() {
        let out = Anonymizer::new(7).message(STATUS.as_bytes());
        assert_eq!(out.len(), STATUS.len());
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let user = &value["user"];
        assert_ne!(user["name"], "Jack Dorsey");
        assert_ne!(user["screen_name"], "jack");
        assert_eq!(user["id"].to_string(), user["id_str"].as_str().unwrap());
        assert_eq!(user["id"], value["entities"]["user_mentions"][0]["id"]);
        let screen_name = user["screen_name"].as_str().unwrap();
        let text = value["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("RT @{screen_name}: hi @")), "{text}");
        assert!(!text.contains("bob_2"), "{text}");
        assert_ne!(value["coordinates"]["coordinates"][0], -122.41);
        assert_eq!(value["place"]["bounding_box"]["coordinates"][0][0][0], 1.5);
        assert_eq!(value["id"], 1);
    }

    #[test]
    fn the_same_seed_gives_the_same_pseudonyms_and_another_seed_others() {
        let a = Anonymizer::new(1).message(STATUS.as_bytes());
        assert_eq!(a, Anonymizer::new(1).message(STATUS.as_bytes()));
        assert_ne!(a, Anonymizer::new(2).message(STATUS.as_bytes()));
    }

    #[test]
    fn chunks_keep_their_sizes_and_times_when_a_message_is_split() {
        let mut body = STATUS.as_bytes().to_vec();
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(STATUS.as_bytes());
        body.extend_from_slice(b"\r\n");
        let whole = Anonymizer::new(3).message(STATUS.as_bytes());
        for cut in [1, 50, STATUS.len(), STATUS.len() + 3] {
            let mut chunks = Anonymizer::new(3).chunks(Framing::Crlf);
            let mut out = chunks.push(Duration::from_millis(1), &body[..cut]);
            out.extend(chunks.push(Duration::from_millis(2), &body[cut..]));
            out.extend(chunks.finish());
            let sizes: Vec<usize> = out.iter().map(|(_, d)| d.len()).collect();
            assert_eq!(sizes, vec![cut, body.len() - cut]);
            let joined: Vec<u8> = out.iter().flat_map(|(_, d)| d.to_vec()).collect();
            assert_eq!(&joined[..whole.len()], &whole[..]);
            assert_eq!(&joined[whole.len() + 4..joined.len() - 2], &whole[..]);
        }
    }
}
