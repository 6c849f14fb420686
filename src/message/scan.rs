//! A lazy JSON scanner: it walks an object member by member, lets the caller
//! look at the keys it cares about, and skips every other value without
//! building anything.
//!
//! How much it validates, by place:
//!
//! - the levels it walks (the top-level object and the few nested objects
//!   the classifier descends into) follow the full JSON grammar: keys are
//!   strings, `:` and `,` where they belong, scalars are well-formed
//!   numbers or `true`/`false`/`null`;
//! - strings everywhere end, and every escape is one of JSON's (`\uXXXX`
//!   with four hex digits);
//! - inside a skipped object or array, brackets balance and match (`{` with
//!   `}`, `[` with `]`) up to [`MAX_DEPTH`] levels, and every byte outside
//!   strings is one that may appear there (whitespace, `,` `:`, number
//!   characters, the letters of `true`/`false`/`null`); the order of those
//!   tokens is not checked, so `[1 2]` or `{"a" 1}` pass;
//! - raw control characters inside strings are not rejected.
//!
//! Whatever slips through is caught by the typed views, which parse with
//! serde_json in full.

use memchr::memchr2;

/// How deep a skipped value may nest. serde_json stops at 128 as well.
pub(crate) const MAX_DEPTH: u32 = 128;

/// Where and why a payload is not JSON.
#[derive(Debug)]
pub(crate) struct ScanError {
    pub(crate) offset: usize,
    pub(crate) reason: &'static str,
}

pub(crate) type Scan<T> = Result<T, ScanError>;

// Byte classes for skipping nested values.
const BAD: u8 = 0;
const SKIP: u8 = 1;
const QUOTE: u8 = 2;
const OPEN_OBJECT: u8 = 3;
const OPEN_ARRAY: u8 = 4;
const CLOSE_OBJECT: u8 = 5;
const CLOSE_ARRAY: u8 = 6;

static CLASS: [u8; 256] = {
    let mut table = [BAD; 256];
    let skip = b" \t\r\n,:0123456789-+.eEtrufalsn";
    let mut i = 0;
    while i < skip.len() {
        table[skip[i] as usize] = SKIP;
        i += 1;
    }
    table[b'"' as usize] = QUOTE;
    table[b'{' as usize] = OPEN_OBJECT;
    table[b'[' as usize] = OPEN_ARRAY;
    table[b'}' as usize] = CLOSE_OBJECT;
    table[b']' as usize] = CLOSE_ARRAY;
    table
};

/// A cursor over one payload.
pub(crate) struct Scanner<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Scanner { buf, pos: 0 }
    }

    fn fail<T>(&self, reason: &'static str) -> Scan<T> {
        Err(ScanError { offset: self.pos, reason })
    }

    /// The next byte, if any, without consuming it.
    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skips JSON whitespace.
    #[inline]
    pub(crate) fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Checks that only whitespace is left.
    pub(crate) fn end(&mut self) -> Scan<()> {
        self.whitespace();
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            self.fail("trailing characters after the value")
        }
    }

    /// At an opening quote: consumes the string and returns its contents,
    /// escapes left as they are.
    #[inline]
    pub(crate) fn string(&mut self) -> Scan<&'a [u8]> {
        let buf = self.buf;
        let start = self.pos + 1;
        let mut i = start;
        loop {
            let Some(found) = find_quote_or_backslash(&buf[i..]) else {
                self.pos = buf.len();
                return self.fail("unterminated string");
            };
            i += found;
            if buf[i] == b'"' {
                self.pos = i + 1;
                return Ok(&buf[start..i]);
            }
            match buf.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = buf.get(i + 2..i + 6);
                    if !hex.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                        self.pos = i;
                        return self.fail("invalid \\u escape in a string");
                    }
                    i += 6;
                }
                _ => {
                    self.pos = i;
                    return self.fail("invalid escape in a string");
                }
            }
        }
    }

    /// Consumes a number following JSON's grammar and returns its text.
    pub(crate) fn number(&mut self) -> Scan<&'a [u8]> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.fail("invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.fail("invalid number: no digit after the point");
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.fail("invalid number: no digit in the exponent");
            }
            self.digits();
        }
        Ok(&self.buf[start..self.pos])
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Scan<()> {
        if self.buf[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail("invalid literal")
        }
    }

    /// Consumes any value.
    pub(crate) fn skip_value(&mut self) -> Scan<()> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{' | b'[') => self.skip_nested(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(_) => self.fail("expected a value"),
            None => self.fail("unexpected end, expected a value"),
        }
    }

    /// At `{` or `[`: skips to the matching close, checking that brackets
    /// balance and match and that no byte is out of place.
    fn skip_nested(&mut self) -> Scan<()> {
        let buf = self.buf;
        let mut i = self.pos;
        // One bit per open level, 1 for an object: a stack without a Vec.
        let mut open: u128 = 0;
        let mut depth = 0u32;
        loop {
            let Some(&byte) = buf.get(i) else {
                self.pos = i;
                return self.fail("unexpected end inside a nested value");
            };
            match CLASS[byte as usize] {
                SKIP => i += 1,
                QUOTE => {
                    self.pos = i;
                    self.string()?;
                    i = self.pos;
                }
                OPEN_OBJECT | OPEN_ARRAY => {
                    if depth == MAX_DEPTH {
                        self.pos = i;
                        return self.fail("nested too deeply");
                    }
                    open = open << 1 | u128::from(byte == b'{');
                    depth += 1;
                    i += 1;
                }
                CLOSE_OBJECT | CLOSE_ARRAY => {
                    if depth == 0 || (open & 1 == 1) != (byte == b'}') {
                        self.pos = i;
                        return self.fail("mismatched closing bracket");
                    }
                    open >>= 1;
                    depth -= 1;
                    i += 1;
                    if depth == 0 {
                        self.pos = i;
                        return Ok(());
                    }
                }
                _ => {
                    self.pos = i;
                    return self.fail("unexpected character");
                }
            }
        }
    }

    /// At `{`: walks the object, calling `member` with each key (raw, as
    /// written) and the cursor at its value, which `member` must consume.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a [u8]) -> Scan<()>,
    ) -> Scan<()> {
        self.pos += 1;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return self.fail("expected a key");
            }
            let key = self.string()?;
            self.whitespace();
            if self.peek() != Some(b':') {
                return self.fail("expected ':' after a key");
            }
            self.pos += 1;
            self.whitespace();
            member(self, key)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.whitespace();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return self.fail("expected ',' or '}' in an object"),
            }
        }
    }

    /// At `[`: walks the array, calling `element` with the cursor at each
    /// element, which `element` must consume.
    pub(crate) fn array(&mut self, mut element: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.pos += 1;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.whitespace();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return self.fail("expected ',' or ']' in an array"),
            }
        }
    }

    /// Consumes a value and returns it as an id when it is a non-negative
    /// integer or a string of digits that fits in a `u64`.
    pub(crate) fn id(&mut self) -> Scan<Option<u64>> {
        let digits = match self.peek() {
            Some(b'0'..=b'9') => self.number()?,
            Some(b'"') => self.string()?,
            _ => return self.skip_value().map(|()| None),
        };
        Ok(parse_u64(digits))
    }
}

/// The index of the first `"` or `\\`. Strings in a status are mostly
/// short keys and values, and escapes (`\/`, `\uXXXX`) cut the rest into
/// short runs: eight bytes at a time in a word beats starting memchr2 on
/// each of them. Long runs still go to memchr2.
#[inline]
fn find_quote_or_backslash(haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i + 8 <= haystack.len() && i < 64 {
        let mut word = [0; 8];
        word.copy_from_slice(&haystack[i..i + 8]);
        let word = u64::from_le_bytes(word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte is zero in `quote` or `backslash` where it matched; the
        // lowest flagged byte is exact (borrows only flag bytes above it).
        let zero =
            (quote.wrapping_sub(ONES) & !quote) | (backslash.wrapping_sub(ONES) & !backslash);
        let flagged = zero & HIGHS;
        if flagged != 0 {
            return Some(i + flagged.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    if i < 64 {
        return haystack[i..].iter().position(|&b| b == b'"' || b == b'\\').map(|k| i + k);
    }
    memchr2(b'"', b'\\', &haystack[i..]).map(|k| i + k)
}

/// Parses ASCII digits into a `u64`; `None` for anything else or overflow.
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::find_quote_or_backslash;

    #[test]
    fn the_word_search_agrees_with_a_naive_one_at_every_position() {
        // Bytes around the targets, high bytes and zeros, to trip borrows.
        let alphabet = [b'a', b'"', b'\\', 0x00, 0x21, 0x23, 0x5b, 0x5d, 0xff, 0x80];
        for len in 0..150 {
            for seed in 0..40usize {
                let hay: Vec<u8> = (0..len)
                    .map(|i| {
                        let pick = (i * 7 + seed * 13 + i * i * seed) % 23;
                        if pick < alphabet.len() && (i + seed) % 5 == 0 {
                            alphabet[pick]
                        } else {
                            alphabet[(pick % 9) + 1].max(b'a') & 0x7e
                        }
                    })
                    .collect();
                let naive = hay.iter().position(|&b| b == b'"' || b == b'\\');
                assert_eq!(find_quote_or_backslash(&hay), naive, "{hay:?}");
            }
        }
    }
}
