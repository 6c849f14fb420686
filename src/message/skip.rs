//! Skipping a nested object or array 64 bytes at a time.
//!
//! Most of a status is nested values the classifier does not enter
//! (`entities`, `retweeted_status`, most of `user`), and most of their
//! bytes are inside strings. Walking them a byte at a time spends its time
//! on a branch per byte and a call per string. Instead each 64-byte block
//! becomes a few bit masks, one bit per byte, in the manner of simdjson's
//! first stage:
//!
//! ```text
//!   bytes      {"a":"x\"}","b":[1,true]}
//!   quote      .X.X.X..X.X.X.X.............   (escaped quote removed)
//!   in string  .XX..XXXXX...XX..............  (prefix xor of the quotes)
//!   events     X...........X..X..X...XXXXX..  (outside strings, not plain)
//! ```
//!
//! Only the events are looked at one by one: brackets (counted and
//! matched), letters of `true`/`false`/`null` and exponents (accepted), and
//! anything else outside a string (rejected). Escapes inside strings are
//! events too, so each is checked as it comes.
//!
//! What this checks is what the byte-wise walk checked: strings end, escapes
//! are JSON's, brackets balance and match up to [`MAX_DEPTH`] levels, and
//! every byte outside strings may appear there. Token order is not checked.

use super::scan::{Scan, ScanError, MAX_DEPTH};

const BLOCK: usize = 64;

/// One bit per byte of a block, bit `i` for byte `i`.
struct Masks {
    quote: u64,
    backslash: u64,
    /// Bytes that need no look outside a string: the quote, space and
    /// `+ , - . 0-9 :` (all but `/` of 0x2B..=0x3A).
    plain: u64,
}

impl Masks {
    #[inline]
    fn of(block: &[u8; BLOCK]) -> Masks {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        // SAFETY: the only requirement of `of_sse2` is SSE2, and the cfg
        // above compiles this call only where SSE2 is enabled for the whole
        // build (it is part of the x86-64 baseline). Its results are
        // checked against `of_bytes` in the tests.
        return unsafe { Masks::of_sse2(block) };
        #[allow(unreachable_code)]
        Masks::of_bytes(block)
    }

    /// The masks a byte at a time: the portable version, and the
    /// reference the vector one is tested against.
    fn of_bytes(block: &[u8; BLOCK]) -> Masks {
        let (mut quote, mut backslash, mut plain) = (0, 0, 0);
        for (i, &byte) in block.iter().enumerate() {
            let is_quote = byte == b'"';
            let is_number_or_punctuation = byte.wrapping_sub(b'+') < 16 && byte != b'/';
            quote |= u64::from(is_quote) << i;
            backslash |= u64::from(byte == b'\\') << i;
            plain |= u64::from(is_quote | (byte == b' ') | is_number_or_punctuation) << i;
        }
        Masks { quote, backslash, plain }
    }

    /// The masks sixteen bytes at a time: compares and a byte-mask move
    /// per class, a few instructions where the byte loop takes dozens.
    /// (The compiler does not find `pmovmskb` in `of_bytes` by itself.)
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[target_feature(enable = "sse2")]
    fn of_sse2(block: &[u8; BLOCK]) -> Masks {
        use std::arch::x86_64::{
            _mm_andnot_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8, _mm_set_epi64x, _mm_sub_epi8,
        };
        let bits = |vector| u64::from(_mm_movemask_epi8(vector) as u16);
        let (mut quote, mut backslash, mut plain) = (0, 0, 0);
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            let word = |at: usize| {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&chunk[at..at + 8]);
                i64::from_le_bytes(bytes)
            };
            // Built from two words rather than loaded through a pointer, so
            // no unsafe is needed here; it compiles to one load all the same.
            let v = _mm_set_epi64x(word(8), word(0));
            let is_quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let is_space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            // `+ , - . / 0-9 :` is 0x2B..=0x3A: unsigned `v - 0x2B <= 15`.
            let offset = _mm_sub_epi8(v, _mm_set1_epi8(b'+' as i8));
            let in_range = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(15)), offset);
            let is_slash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'/' as i8));
            let is_plain = _mm_or_si128(
                _mm_or_si128(is_quote, is_space),
                _mm_andnot_si128(is_slash, in_range),
            );
            let shift = 16 * k;
            quote |= bits(is_quote) << shift;
            backslash |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8))) << shift;
            plain |= bits(is_plain) << shift;
        }
        Masks { quote, backslash, plain }
    }
}

/// The bytes escaped by a backslash: the byte after each odd-length run of
/// backslashes. `carry` says whether the first byte of this block is
/// escaped by the end of the previous one, and is updated for the next.
///
/// This is simdjson's branchless trick: adding the run starts to the runs
/// carries each run through to its end, and the parity of where a run
/// started tells whether its last backslash escapes.
#[inline]
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslash = backslash & !*carry;
    let follows_escape = backslash << 1 | *carry;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (even_starts, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    (EVEN ^ (even_starts << 1)) & follows_escape
}

/// Bit `i` is the xor of bits `0..=i`: with quotes as input, the bytes
/// from an opening quote up to (not including) its closing one.
#[inline]
fn prefix_xor(mut bits: u64) -> u64 {
    bits ^= bits << 1;
    bits ^= bits << 2;
    bits ^= bits << 4;
    bits ^= bits << 8;
    bits ^= bits << 16;
    bits ^= bits << 32;
    bits
}

/// Whether a byte outside strings needs no more than a look: the letters of
/// `true`, `false`, `null` and exponents, and JSON whitespace.
fn is_allowed_letter_or_space(byte: u8) -> bool {
    matches!(byte, b'a' | b'e' | b'f' | b'l' | b'n' | b'r' | b's' | b't' | b'u' | b'E')
        || matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Checks the escape whose escaped byte is at `at`.
fn check_escape(buf: &[u8], at: usize) -> Scan<()> {
    let fail = |reason| Err(ScanError { offset: at - 1, reason });
    match buf.get(at) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(()),
        Some(b'u') => match buf.get(at + 1..at + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(()),
            _ => fail("invalid \\u escape in a string"),
        },
        _ => fail("invalid escape in a string"),
    }
}

/// At `{` or `[` at `start`: returns the offset just past the matching
/// close.
pub(crate) fn nested(buf: &[u8], start: usize) -> Scan<usize> {
    walk(buf, start, 0, 0)
}

/// Inside an object, outside any string, at `start`: returns the offset
/// just past the object's close.
pub(crate) fn rest_of_object(buf: &[u8], start: usize) -> Scan<usize> {
    walk(buf, start, 1, 1)
}

/// Walks from `start` until `depth` open levels (their kinds in `open`,
/// one bit per level, 1 for an object: a stack without a Vec) are closed.
fn walk(buf: &[u8], start: usize, mut open: u128, mut depth: u32) -> Scan<usize> {
    let mut in_string_carry = 0u64;
    let mut escape_carry = 0u64;
    let mut base = start;
    while base < buf.len() {
        // The last block is padded with spaces, which change nothing.
        let mut block = [b' '; BLOCK];
        let end = buf.len().min(base + BLOCK);
        block[..end - base].copy_from_slice(&buf[base..end]);

        let masks = Masks::of(&block);
        let escaped = escaped(masks.backslash, &mut escape_carry);
        let in_string = prefix_xor(masks.quote & !escaped) ^ in_string_carry;
        in_string_carry = 0u64.wrapping_sub(in_string >> 63);
        let mut events = (!masks.plain & !in_string) | (escaped & in_string);

        // The events in order; the first closing bracket at depth 0 ends.
        while events != 0 {
            let i = events.trailing_zeros() as usize;
            events &= events - 1;
            let byte = block[i];
            let fail = |reason| Err(ScanError { offset: base + i, reason });
            if in_string >> i & 1 == 1 {
                check_escape(buf, base + i)?;
            } else if byte == b'{' || byte == b'[' {
                if depth == MAX_DEPTH {
                    return fail("nested too deeply");
                }
                open = open << 1 | u128::from(byte == b'{');
                depth += 1;
            } else if byte == b'}' || byte == b']' {
                if depth == 0 || (open & 1 == 1) != (byte == b'}') {
                    return fail("mismatched closing bracket");
                }
                open >>= 1;
                depth -= 1;
                if depth == 0 {
                    return Ok(base + i + 1);
                }
            } else if !is_allowed_letter_or_space(byte) {
                return fail("unexpected character");
            }
        }
        base += BLOCK;
    }
    let reason = if in_string_carry != 0 {
        "unterminated string"
    } else {
        "unexpected end inside a nested value"
    };
    Err(ScanError { offset: buf.len(), reason })
}

#[cfg(test)]
mod tests {
    use super::{escaped, nested, prefix_xor, Masks};
    use proptest::prelude::*;

    /// The escaped bytes of a whole input, one at a time.
    fn naive_escaped(bytes: &[u8]) -> Vec<bool> {
        let mut out = vec![false; bytes.len()];
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' && i + 1 < bytes.len() {
                out[i + 1] = true;
                i += 2;
            } else {
                i += 1;
            }
        }
        out
    }

    fn blockwise_escaped(bytes: &[u8]) -> Vec<bool> {
        let mut carry = 0;
        let mut out = Vec::new();
        for chunk in bytes.chunks(64) {
            let backslash =
                chunk.iter().enumerate().fold(0u64, |m, (i, &b)| m | u64::from(b == b'\\') << i);
            let bits = escaped(backslash, &mut carry);
            out.extend((0..chunk.len()).map(|i| bits >> i & 1 == 1));
        }
        out
    }

    /// The byte-at-a-time walk this module replaced: the reference for
    /// what `nested` accepts and where it stops.
    fn naive_nested(buf: &[u8], start: usize) -> Option<usize> {
        let (mut stack, mut i) = (Vec::new(), start);
        loop {
            match *buf.get(i)? {
                b'"' => {
                    i += 1;
                    loop {
                        match *buf.get(i)? {
                            b'"' => break,
                            b'\\' => {
                                let escape = *buf.get(i + 1)?;
                                if escape == b'u' {
                                    let hex = buf.get(i + 2..i + 6)?;
                                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                                        return None;
                                    }
                                    i += 4;
                                } else if !b"\"\\/bfnrt".contains(&escape) {
                                    return None;
                                }
                                i += 2;
                            }
                            _ => i += 1,
                        }
                    }
                }
                open @ (b'{' | b'[') => {
                    if stack.len() == super::MAX_DEPTH as usize {
                        return None;
                    }
                    stack.push(open + 2);
                }
                close @ (b'}' | b']') => {
                    if stack.pop() != Some(close) {
                        return None;
                    }
                    if stack.is_empty() {
                        return Some(i + 1);
                    }
                }
                byte if !b" \t\r\n,:0123456789-+.eEtrufalsn".contains(&byte) => return None,
                _ => {}
            }
            i += 1;
        }
    }

    /// Inputs built from JSON's structural pieces, so that a good share of
    /// them are valid and the rest break in every way.
    fn json_like() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<&'static [u8]> = vec![
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b"\\",
            b"\\u00e9",
            b"\\u0G",
            b"\\/",
            b":",
            b",",
            b"12",
            b"true",
            b"x",
            b"/",
            b"\n",
            b"abcdefghijklmnopqrstuvwxyz",
        ];
        let piece = proptest::sample::select(pieces);
        proptest::collection::vec(piece, 0..80).prop_map(|pieces| {
            let mut bytes = b"[".to_vec();
            bytes.extend(pieces.concat());
            bytes
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn nested_stops_where_the_byte_walk_stops(bytes in json_like()) {
            prop_assert_eq!(nested(&bytes, 0).ok(), naive_nested(&bytes, 0));
        }

        #[test]
        fn escapes_found_a_block_at_a_time_agree_with_a_byte_walk(
            bytes in proptest::collection::vec(prop_oneof![Just(b'\\'), Just(b'a')], 0..300)
        ) {
            prop_assert_eq!(blockwise_escaped(&bytes), naive_escaped(&bytes));
        }

        #[test]
        fn the_vector_masks_agree_with_the_byte_loop(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), (0x20u8..0x7f)],
                64,
            )
        ) {
            let block: [u8; 64] = bytes.try_into().expect("64 bytes");
            let (fast, slow) = (Masks::of(&block), Masks::of_bytes(&block));
            prop_assert_eq!(
                (fast.quote, fast.backslash, fast.plain),
                (slow.quote, slow.backslash, slow.plain)
            );
        }

        #[test]
        fn prefix_xor_is_the_running_parity(bits: u64) {
            let mut parity = 0;
            for i in 0..64 {
                parity ^= bits >> i & 1;
                prop_assert_eq!(prefix_xor(bits) >> i & 1, parity);
            }
        }
    }

    #[test]
    fn a_nested_value_ends_at_its_matching_bracket_across_blocks() {
        let long = "x".repeat(100);
        let json = format!(r#"{{"a":["{long}\"}}",{{"b":[true,null,-1.5e3]}}],"c":"\\"}}, 1"#);
        let end = json.rfind('}').expect("a close") + 1;
        assert_eq!(nested(json.as_bytes(), 0).ok(), Some(end));
    }

    #[test]
    fn the_rest_of_an_object_ends_at_its_close() {
        let json = br#"{"id":1,"name":"}","entities":{"urls":[]}},"next":2}"#;
        let end = json.iter().position(|&b| b == b',').expect("a comma");
        let close = json.windows(2).position(|w| w == b"},").expect("a close") + 1;
        assert_eq!(super::rest_of_object(json, end).ok(), Some(close));
        assert!(super::rest_of_object(&json[..close - 1], end).is_err());
    }

    #[test]
    fn a_backslash_ending_a_block_escapes_the_next_block_s_first_byte() {
        for pad in 0..70 {
            let json = format!(r#"["{}\"]", 1]"#, "y".repeat(pad));
            assert_eq!(nested(json.as_bytes(), 0).ok(), Some(json.len()), "{json}");
        }
    }
}
