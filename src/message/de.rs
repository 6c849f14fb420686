//! Deserializing helpers shared by the typed views: strings that borrow
//! from the payload even inside an `Option`, and ids or timestamps written
//! either as numbers or as strings of digits.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error, Visitor};
use serde::Deserialize;

/// A string that borrows when it has no escapes. serde's own `Cow<str>`
/// only borrows as a struct field marked `#[serde(borrow)]`, never inside
/// an `Option`; this one borrows wherever it is. With `numbers`, integers
/// are accepted and written out (v2 rule ids arrive both ways).
struct CowVisitor {
    numbers: bool,
}

impl<'de> Visitor<'de> for CowVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.numbers { "a string or an integer" } else { "a string" })
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        if self.numbers {
            Ok(Cow::Owned(v.to_string()))
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Unsigned(v), &self))
        }
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        if self.numbers {
            Ok(Cow::Owned(v.to_string()))
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Signed(v), &self))
        }
    }
}

struct BorrowedStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CowVisitor { numbers: false }).map(BorrowedStr)
    }
}

/// An optional string, borrowed when it can be.
pub(crate) fn opt_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    Ok(Option::<BorrowedStr<'de>>::deserialize(d)?.map(|s| s.0))
}

/// A string or an integer, as text.
pub(crate) fn str_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    d.deserialize_any(CowVisitor { numbers: true })
}

/// An optional `u64` written as a number or as a string of digits
/// (v1.1 writes `timestamp_ms` as a string).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct U64Visitor;

    impl<'de> Visitor<'de> for U64Visitor {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, a string of digits or null")
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            v.parse().map(Some).map_err(|_| E::custom(format!("not an integer: {v:?}")))
        }

        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    d.deserialize_any(U64Visitor)
}
