//! Byte scanners behind the framer: whitespace, strings, nested values, newlines.
//!
//! Newlines and string ends are single- or two-byte searches (`memchr`, SIMD). The
//! structural scan looks at 64 bytes at a time with SSE2 on x86-64, elsewhere at eight bytes
//! at a time (SWAR on a `u64`): a word is skipped whole unless one of its bytes may matter,
//! and the first byte that matters is found exactly with the "has a zero byte" trick (its
//! lowest set bit is exact; only bits above it can be false).

use super::error::FramingError;

/// The deepest nesting of `{` and `[` a row may have. It bounds the framer's bracket stack,
/// so a file of a billion `[` cannot make it grow without limit.
pub const MAX_NESTING: usize = 1024;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bit 7 of each byte of the result is set where `w` has the byte `b` (exact for the lowest
/// set bit; higher bits may be false positives).
#[inline(always)]
fn has_byte(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// Candidates for a structural byte outside strings: `"`, `[`, `]`, `{`, `}`.
/// `| 0x20` folds `[` onto `{` and `]` onto `}` (no other byte maps to 0x7B or 0x7D).
#[inline(always)]
fn structural(w: u64) -> u64 {
    let folded = w | (LO * 0x20);
    has_byte(w, b'"') | has_byte(folded, b'{') | has_byte(folded, b'}')
}

/// Index of the first byte at or after `from` for which `word` (on eight bytes) or `byte`
/// (on one) says "stop"; `bytes.len()` when there is none.
#[inline(always)]
fn find(bytes: &[u8], from: usize, word: fn(u64) -> u64, byte: fn(u8) -> bool) -> usize {
    let Some(rest) = bytes.get(from..) else {
        return bytes.len();
    };
    let (words, tail) = rest.as_chunks::<8>();
    let mut at = from;
    for w in words {
        let hits = word(u64::from_le_bytes(*w));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    tail.iter()
        .position(|&b| byte(b))
        .map_or(bytes.len(), |i| at + i)
}

/// Whether `b` is `"`, `[`, `]`, `{` or `}`.
#[inline(always)]
fn is_structural(b: u8) -> bool {
    matches!(b, b'"' | b'[' | b']' | b'{' | b'}')
}

/// Index of the first `"`, `[`, `]`, `{` or `}` at or after `from`, else `bytes.len()`.
///
/// On x86-64 the bytes are looked at 64 at a time with SSE2 (part of every x86-64 CPU, so
/// no run-time check): four 16-byte compares give an exact bit mask of the block, and most
/// blocks of a row (digits, commas, spaces) have none. Elsewhere eight at a time (SWAR).
#[inline]
pub fn next_structural(bytes: &[u8], from: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let Some(rest) = bytes.get(from..) else {
            return bytes.len();
        };
        let (blocks, _) = rest.as_chunks::<64>();
        let mut at = from;
        for block in blocks {
            let hits = sse2::structural_mask(block);
            if hits != 0 {
                return at + hits.trailing_zeros() as usize;
            }
            at += 64;
        }
        find(bytes, at, structural, is_structural)
    }
    #[cfg(not(target_arch = "x86_64"))]
    find(bytes, from, structural, is_structural)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };

    /// Bit `i` is set where byte `i` of `block` is `"`, `[`, `]`, `{` or `}` (exact).
    /// `| 0x20` folds `[` onto `{` and `]` onto `}`, as the SWAR scan does.
    #[inline(always)]
    pub(super) fn structural_mask(block: &[u8; 64]) -> u64 {
        let quote = set_splat_i8_m128i(b'"' as i8);
        let open = set_splat_i8_m128i(b'{' as i8);
        let close = set_splat_i8_m128i(b'}' as i8);
        let fold = set_splat_i8_m128i(0x20);
        let (lanes, _) = block.as_chunks::<16>();
        let mut mask = 0u64;
        for (i, lane) in lanes.iter().enumerate() {
            let v = load_unaligned_m128i(lane);
            let folded = bitor_m128i(v, fold);
            let hit = bitor_m128i(
                cmp_eq_mask_i8_m128i(v, quote),
                bitor_m128i(
                    cmp_eq_mask_i8_m128i(folded, open),
                    cmp_eq_mask_i8_m128i(folded, close),
                ),
            );
            // The low 16 bits of the move mask hold one bit per byte.
            mask |= u64::from(move_mask_i8_m128i(hit) as u16) << (16 * i);
        }
        mask
    }
}

/// Index of the first `\n` at or after `from`, else `bytes.len()`.
#[inline]
pub fn next_newline(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(b'\n', rest))
        .map_or(bytes.len(), |i| from + i)
}

/// Index just past the `"` closing the string whose contents start at `from`, or `None`
/// if the bytes end first. Escapes are skipped; their validity is the row parser's concern.
#[inline]
pub fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let i = from + memchr::memchr2(b'"', b'\\', bytes.get(from..)?)?;
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            _ => from = i + 2,
        }
    }
}

/// JSON whitespace.
#[inline]
pub fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Index of the first non-whitespace byte at or after `from`, else `bytes.len()`.
#[inline]
pub fn skip_ws(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    rest.iter()
        .position(|&b| !is_ws(b))
        .map_or(bytes.len(), |i| from + i)
}

/// Whitespace within a line (JSON Lines): everything but the `\n` that ends it.
#[inline]
pub fn is_line_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// Bytes that end a bare scalar row (number, literal or garbage): whitespace and anything
/// structural. A row cannot start with one of them.
#[inline]
fn ends_scalar(b: u8) -> bool {
    is_ws(b) || matches!(b, b',' | b':' | b'[' | b']' | b'{' | b'}' | b'"')
}

/// Whether a value (row) may start with `b`; `]`, `}`, `,` and `:` cannot.
#[inline]
pub fn starts_value(b: u8) -> bool {
    matches!(b, b'{' | b'[' | b'"') || !ends_scalar(b)
}

/// The bracket that closes `open`.
#[inline]
pub fn closer(open: u8) -> u8 {
    if open == b'{' { b'}' } else { b']' }
}

/// Scans the row value starting at `start` (a byte for which [`starts_value`] holds) and
/// returns the index just past it, checking strings are closed and brackets are balanced
/// and matched. `stack` is scratch space, reused between rows.
pub fn value_end(
    bytes: &[u8],
    start: usize,
    row: u64,
    stack: &mut Vec<u8>,
) -> Result<usize, FramingError> {
    let unterminated = |at| FramingError::UnterminatedString {
        row,
        byte: start,
        at,
    };
    match bytes.get(start) {
        Some(b'"') => return string_end(bytes, start + 1).ok_or(unterminated(start)),
        Some(b'{' | b'[') => {}
        _ => return Ok(scalar_end(bytes, start)),
    }
    stack.clear();
    let mut i = start;
    loop {
        let Some(&b) = bytes.get(i) else {
            return Err(FramingError::UnterminatedRow {
                row,
                byte: start,
                open: stack.len(),
                expected: char::from(stack.last().map_or(b'}', |&o| closer(o))),
            });
        };
        match b {
            b'"' => i = string_end(bytes, i + 1).ok_or(unterminated(i))?,
            b'{' | b'[' => {
                if stack.len() == MAX_NESTING {
                    return Err(FramingError::TooDeep {
                        row,
                        byte: start,
                        at: i,
                    });
                }
                stack.push(b);
                i += 1;
            }
            _ => {
                // `]` or `}`: the stack is not empty, the first byte pushed and every close
                // that emptied it returned.
                let open = stack.pop().unwrap_or(b'{');
                if closer(open) != b {
                    return Err(FramingError::Mismatched {
                        row,
                        byte: start,
                        at: i,
                        expected: char::from(closer(open)),
                        found: char::from(b),
                    });
                }
                i += 1;
                if stack.is_empty() {
                    return Ok(i);
                }
            }
        }
        i = next_structural(bytes, i);
    }
}

/// Like [`value_end`] for bytes the framer has already checked: counts depth only and
/// returns `None` instead of an error.
pub fn trusted_value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => return string_end(bytes, start + 1),
        b'{' | b'[' => {}
        _ => return Some(scalar_end(bytes, start)),
    }
    let mut depth = 0usize;
    let mut i = start;
    loop {
        match bytes.get(i)? {
            b'"' => i = string_end(bytes, i + 1)?,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            _ => {
                depth = depth.saturating_sub(1);
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
        i = next_structural(bytes, i);
    }
}

/// Index just past a bare scalar starting at `start`.
#[inline]
fn scalar_end(bytes: &[u8], start: usize) -> usize {
    let rest = bytes.get(start..).unwrap_or_default();
    rest.iter()
        .position(|&b| ends_scalar(b))
        .map_or(bytes.len(), |i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_finds_the_first_hit_at_every_offset() {
        for special in [b'"', b'[', b']', b'{', b'}'] {
            // Past two 64-byte blocks, so the block scan and the tail scan both find it.
            for len in 0..150 {
                for pos in 0..=len {
                    let mut v = vec![b'7'; len];
                    // Bytes that fold or sit next to the specials must not be hits.
                    for (i, b) in v.iter_mut().enumerate() {
                        *b = [b'7', b'\\', b'|', b'\x7c', b'Z', b'z', b'\x7e', b'\x5e'][i % 8];
                    }
                    if pos < len {
                        v[pos] = special;
                    }
                    for from in [
                        0,
                        1,
                        pos / 2,
                        pos.saturating_sub(9),
                        pos.saturating_sub(1),
                        pos,
                    ] {
                        let from = from.min(pos);
                        assert_eq!(next_structural(&v, from), pos, "{special} {len} {pos}");
                    }
                }
            }
        }
    }

    /// Every byte value, at every offset: the block scan finds what a byte-by-byte scan finds.
    #[test]
    fn the_block_scan_equals_a_byte_scan() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Mostly digits, so hits are tens of bytes apart; every value appears.
                if state.is_multiple_of(4) {
                    (state >> 32) as u8
                } else {
                    b'0' + (state >> 40) as u8 % 10
                }
            })
            .collect();
        for from in 0..=bytes.len() {
            let want = bytes[from..]
                .iter()
                .position(|&b| is_structural(b))
                .map_or(bytes.len(), |i| from + i);
            assert_eq!(next_structural(&bytes, from), want, "from {from}");
        }
    }

    #[test]
    fn strings_skip_escapes() {
        let s = br#""a\"}" x"#;
        assert_eq!(string_end(s, 1), Some(6));
        let s = br#""\\\\" x"#;
        assert_eq!(string_end(s, 1), Some(6));
        assert_eq!(string_end(br#""abc\""#, 1), None);
        assert_eq!(string_end(br#""abc\"#, 1), None);
        assert_eq!(next_newline(b"0123456789abcdef\n", 3), 16);
        assert_eq!(next_newline(b"0123", 0), 4);
    }
}
