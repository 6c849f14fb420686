//! Classification: one pass of the lazy scanner over the top-level object,
//! noting which keys are there and picking up the ids on the way.
//!
//! Only the values that hold ids are entered (`user`, `delete.status`,
//! `scrub_geo`, `status_withheld`, `user_withheld`, v2 `data` and the
//! `title`s of v2 `errors`), and those holding ids only until the ids are
//! found; every other value is skipped. The scan always
//! goes to the end of the payload, so a truncated or unbalanced payload is
//! an error even when its kind was already known.

use super::scan::{Scan, ScanError, Scanner};
use super::Kind;

/// What a scan found.
pub(crate) struct Found {
    pub(crate) kind: Kind,
    pub(crate) id: Option<u64>,
    pub(crate) user_id: Option<u64>,
}

// Top-level keys seen, as bits of `Keys::seen`.
const ID_STR: u32 = 1 << 0;
const TEXT: u32 = 1 << 1;
const USER: u32 = 1 << 2;
const DELETE: u32 = 1 << 3;
const SCRUB_GEO: u32 = 1 << 4;
const LIMIT: u32 = 1 << 5;
const STATUS_WITHHELD: u32 = 1 << 6;
const USER_WITHHELD: u32 = 1 << 7;
const DISCONNECT: u32 = 1 << 8;
const WARNING: u32 = 1 << 9;
const FRIENDS: u32 = 1 << 10;
const EVENT: u32 = 1 << 11;
const DIRECT_MESSAGE: u32 = 1 << 12;
const FOR_USER: u32 = 1 << 13;
const CONTROL: u32 = 1 << 14;
const DATA: u32 = 1 << 15;
const DATA_KEY: u32 = 1 << 16;
const ERRORS: u32 = 1 << 17;
const OPERATIONAL_DISCONNECT: u32 = 1 << 18;

/// The keys and ids gathered from one top-level object. Each kind keeps
/// its own ids so a stray key of another kind cannot lend it one.
#[derive(Default)]
struct Keys {
    seen: u32,
    status: Ids,
    status_user: Option<u64>,
    delete: Ids,
    scrub_geo: Ids,
    status_withheld: Ids,
    user_withheld: Option<u64>,
    data: Ids,
}

#[derive(Clone, Copy, Default)]
struct Ids {
    id: Option<u64>,
    user_id: Option<u64>,
}

/// Scans a payload (already known to be UTF-8) and classifies it.
pub(crate) fn scan(raw: &[u8]) -> Scan<Found> {
    let mut scanner = Scanner::new(raw);
    scanner.whitespace();
    if scanner.peek() != Some(b'{') {
        // Numbers, strings, arrays, literals: valid JSON of no known kind.
        scanner.skip_value()?;
        scanner.end()?;
        // The skip checks strings and brackets only; such payloads are
        // rare, so they get serde_json's full check instead of a promise
        // left to the typed views.
        if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(raw) {
            let offset = if err.line() == 1 { err.column().saturating_sub(1) } else { 0 };
            return Err(ScanError { offset, reason: "not valid JSON" });
        }
        return Ok(Found { kind: Kind::Unknown, id: None, user_id: None });
    }

    let mut keys = Keys::default();
    let mut id_str = None;
    scanner.object(|s, key| keys.member(s, key, &mut id_str))?;
    scanner.end()?;
    if keys.status.id.is_none() {
        keys.status.id = id_str;
    }
    Ok(keys.decide())
}

/// Whether the cursor is at an object.
fn at_object(s: &Scanner<'_>) -> bool {
    s.peek() == Some(b'{')
}

/// Walks an object, keeping the ids under the two given keys (`user_key`
/// empty when there is none). Once both are found the rest is skipped
/// without its grammar checked: a `user` is mostly strings after its
/// leading `id`, and walking them member by member took a third of the
/// time. With keys repeated, the first one counts.
fn ids(s: &mut Scanner<'_>, id_key: &[u8], user_key: &[u8]) -> Scan<Ids> {
    let mut ids = Ids::default();
    let (mut has_id, mut has_user) = (false, user_key.is_empty());
    s.object_until(|s, key| {
        if key == id_key && !has_id {
            ids.id = s.id()?;
            has_id = true;
        } else if key == user_key && !has_user {
            ids.user_id = s.id()?;
            has_user = true;
        } else {
            s.skip_value()?;
        }
        Ok(has_id && has_user)
    })?;
    Ok(ids)
}

impl Keys {
    /// Handles one top-level member; the cursor is at its value.
    fn member(&mut self, s: &mut Scanner<'_>, key: &[u8], id_str: &mut Option<u64>) -> Scan<()> {
        let bit = match key {
            b"id" => {
                self.status.id = s.id()?;
                return Ok(());
            }
            b"id_str" => {
                *id_str = s.id()?;
                self.seen |= ID_STR;
                return Ok(());
            }
            b"user" if at_object(s) => {
                self.status_user = ids(s, b"id", b"")?.id;
                self.seen |= USER;
                return Ok(());
            }
            b"delete" if at_object(s) => {
                s.object(|s, key| {
                    if key == b"status" && at_object(s) {
                        self.delete = ids(s, b"id", b"user_id")?;
                        self.seen |= DELETE;
                        Ok(())
                    } else {
                        s.skip_value()
                    }
                })?;
                return Ok(());
            }
            b"scrub_geo" if at_object(s) => {
                self.scrub_geo = ids(s, b"up_to_status_id", b"user_id")?;
                self.seen |= SCRUB_GEO;
                return Ok(());
            }
            b"status_withheld" if at_object(s) => {
                self.status_withheld = ids(s, b"id", b"user_id")?;
                self.seen |= STATUS_WITHHELD;
                return Ok(());
            }
            b"user_withheld" if at_object(s) => {
                self.user_withheld = ids(s, b"id", b"")?.id;
                self.seen |= USER_WITHHELD;
                return Ok(());
            }
            b"data" if at_object(s) => {
                self.data = ids(s, b"id", b"author_id")?;
                self.seen |= DATA | DATA_KEY;
                return Ok(());
            }
            b"errors" if s.peek() == Some(b'[') => {
                self.seen |= ERRORS;
                let mut operational = false;
                s.array(|s| {
                    if !at_object(s) {
                        return s.skip_value();
                    }
                    s.object(|s, key| {
                        if key == b"title" && s.peek() == Some(b'"') {
                            operational |= s.string()? == b"operational-disconnect";
                            Ok(())
                        } else {
                            s.skip_value()
                        }
                    })
                })?;
                if operational {
                    self.seen |= OPERATIONAL_DISCONNECT;
                }
                return Ok(());
            }
            b"text" | b"full_text" => TEXT,
            b"limit" if at_object(s) => LIMIT,
            b"disconnect" if at_object(s) => DISCONNECT,
            b"warning" if at_object(s) => WARNING,
            b"friends" | b"friends_str" => FRIENDS,
            b"event" => EVENT,
            b"direct_message" => DIRECT_MESSAGE,
            b"for_user" => FOR_USER,
            b"control" => CONTROL,
            b"data" => DATA_KEY,
            _ => 0,
        };
        self.seen |= bit;
        s.skip_value()
    }

    /// Picks the kind from the keys seen, most specific first.
    fn decide(self) -> Found {
        let seen = self.seen;
        let has = |bits: u32| seen & bits == bits;
        let found = |kind, ids: Ids| Found { kind, id: ids.id, user_id: ids.user_id };
        let none = Ids::default();

        if has(ID_STR | TEXT | USER) {
            return found(Kind::Status, Ids { id: self.status.id, user_id: self.status_user });
        }
        if has(OPERATIONAL_DISCONNECT) {
            return found(Kind::OperationalDisconnect, none);
        }
        if has(DATA) {
            return found(Kind::Tweet, self.data);
        }
        if has(ERRORS) && !has(DATA_KEY) {
            return found(Kind::Errors, none);
        }
        let v1 = [
            (DELETE, Kind::Delete, self.delete),
            (SCRUB_GEO, Kind::ScrubGeo, self.scrub_geo),
            (LIMIT, Kind::Limit, none),
            (STATUS_WITHHELD, Kind::StatusWithheld, self.status_withheld),
            (USER_WITHHELD, Kind::UserWithheld, Ids { id: None, user_id: self.user_withheld }),
            (DISCONNECT, Kind::Disconnect, none),
            (WARNING, Kind::Warning, none),
            (FRIENDS, Kind::Friends, none),
            (EVENT, Kind::Event, none),
            (DIRECT_MESSAGE, Kind::DirectMessage, none),
            (FOR_USER, Kind::ForUser, none),
            (CONTROL, Kind::Control, none),
        ];
        for (bit, kind, ids) in v1 {
            if has(bit) {
                return found(kind, ids);
            }
        }
        found(Kind::Unknown, none)
    }
}
