//! Decimal text to `f32` and `f64`, correctly rounded, fast for the common short literals.
//!
//! A JSON number is read once into a `Decimal`: up to 19 significant digits in a `u64`
//! and a power of ten. When the digits fit 53 bits and the power is within ±22, both are
//! exact `f64` values, so one IEEE multiplication or division gives the correctly rounded
//! `f64` (Clinger's fast path). Rounding that `f64` again to `f32` is correct too, unless
//! the `f64` fell exactly on the midpoint between two `f32` values (only then can the two
//! roundings disagree with one); that rare case, and every literal outside the fast path,
//! goes to the standard library's parser, which is correctly rounded.

/// Powers of ten that are exact in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Largest integer below which every integer is exact in `f64`.
const F64_EXACT_MAX: u64 = 1 << 53;

/// The bits an `f64` mantissa has beyond an `f32` one, and the pattern of an `f32` midpoint.
const F32_DROPPED_MASK: u64 = (1 << 29) - 1;
const F32_MIDPOINT: u64 = 1 << 28;

/// A JSON number literal as read by the lexer: `±digits × 10^exp10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    /// The first (up to) 19 significant digits.
    pub digits: u64,
    /// Power of ten applying to `digits`.
    pub exp10: i32,
    /// A minus sign.
    pub negative: bool,
    /// Nonzero digits were dropped past the 19th (the value is not exactly `digits`).
    pub truncated: bool,
    /// No fraction and no exponent in the text.
    pub integer: bool,
}

impl Decimal {
    /// The value as an `i128`, when the literal is an integer in `i128`'s range of 19-digit
    /// values (i.e. it has no fraction or exponent and fewer than 20 significant digits).
    pub fn to_integer(self) -> Option<i128> {
        if !self.integer || self.truncated || self.exp10 != 0 {
            return None;
        }
        let v = i128::from(self.digits);
        Some(if self.negative { -v } else { v })
    }

    /// The correctly rounded `f64` when the fast path applies.
    #[inline]
    fn fast_f64(self) -> Option<f64> {
        if self.truncated || self.digits > F64_EXACT_MAX || self.exp10.unsigned_abs() > 22 {
            return None;
        }
        let m = self.digits as f64;
        let p = POW10[self.exp10.unsigned_abs() as usize];
        let v = if self.exp10 < 0 { m / p } else { m * p };
        Some(if self.negative { -v } else { v })
    }

    /// The nearest `f32` (ties to even; infinity past the range), from `text`, the literal
    /// this decimal was read from.
    #[inline]
    pub fn to_f32(self, text: &[u8]) -> f32 {
        if let Some(d) = self.fast_f64()
            && d.to_bits() & F32_DROPPED_MASK != F32_MIDPOINT
        {
            // Fast-path values lie in 1e-22..=2^53*1e22 (or are zero): normal f32 range,
            // where the midpoint test above is exact.
            return d as f32;
        }
        slow(text)
    }

    /// The nearest `f64` (ties to even; infinity past the range), from `text`.
    #[inline]
    pub fn to_f64(self, text: &[u8]) -> f64 {
        match self.fast_f64() {
            Some(d) => d,
            None => slow(text),
        }
    }
}

/// Eight ASCII `'0'`s.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// Powers of ten up to 10^8 as integers.
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The 8 bytes at `p`, little-endian (the first byte lowest); zero bytes past the end.
#[inline(always)]
fn load8(b: &[u8], p: usize) -> u64 {
    match b.get(p..p + 8) {
        Some(s) => <[u8; 8]>::try_from(s).map_or(0, u64::from_le_bytes),
        None => load8_tail(b, p),
    }
}

/// [`load8`] within 8 bytes of the end.
#[cold]
#[inline(never)]
fn load8_tail(b: &[u8], p: usize) -> u64 {
    let rest = b.get(p..).unwrap_or_default();
    let mut buf = [0u8; 8];
    buf[..rest.len().min(8)].copy_from_slice(&rest[..rest.len().min(8)]);
    u64::from_le_bytes(buf)
}

/// How many of the bytes of `v`, from the first, are ASCII digits.
#[inline(always)]
fn leading_digits(v: u64) -> u32 {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // A digit has high nibble 3, and still 3 after adding 6. A carry out of a non-digit
    // byte can only disturb the bytes after it, which are not counted.
    let bad = ((v & HIGH) ^ ZEROS) | ((v.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ ZEROS);
    bad.trailing_zeros() / 8
}

/// The value of the first `n` (1..=8) bytes of `v`, all ASCII digits.
#[inline(always)]
fn digits_value(v: u64, n: u32) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 0x000F_4240_0000_0064; // 100 + (1_000_000 << 32)
    const MUL2: u64 = 0x0000_2710_0000_0001; // 1 + (10_000 << 32)
    // Digit values, then the n digits moved to the top with zeros in front ("000ddddd").
    // A borrow out of a non-digit byte only reaches the bytes shifted out.
    let v = v.wrapping_sub(ZEROS) << (8 * (8 - n));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let hi = (v & MASK).wrapping_mul(MUL1);
    let lo = ((v >> 16) & MASK).wrapping_mul(MUL2);
    hi.wrapping_add(lo) >> 32
}

/// Significant digits a `u64` holds for sure.
const DIGITS_MAX: u32 = 19;

/// Reads the run of digits at `p`, 8 bytes at a time, into `acc` while it holds at most
/// [`DIGITS_MAX`] significant digits; digits past that only set `truncated`. Returns the
/// offset after the run, its length and how many of its digits `acc` took in (leading
/// zeros included).
#[inline(always)]
fn digit_run(
    b: &[u8],
    mut p: usize,
    acc: &mut u64,
    kept: &mut u32,
    truncated: &mut bool,
) -> (usize, i32, i32) {
    let start = p;
    let mut taken = 0usize;
    loop {
        let v = load8(b, p);
        let n = leading_digits(v);
        if n == 0 {
            break;
        }
        let zeros = if *acc == 0 {
            ((v ^ ZEROS).trailing_zeros() / 8).min(n)
        } else {
            0
        };
        if *kept + n - zeros <= DIGITS_MAX {
            *acc = *acc * POW10_U64[n as usize] + digits_value(v, n);
            *kept += n - zeros;
            taken += n as usize;
        } else {
            // Past the 19th significant digit (rare): one at a time.
            for c in v.to_le_bytes().iter().take(n as usize) {
                if *kept < DIGITS_MAX {
                    *acc = *acc * 10 + u64::from(c - b'0');
                    *kept += u32::from(*acc != 0);
                    taken += 1;
                } else {
                    *truncated |= *c != b'0';
                }
            }
        }
        p += n as usize;
        if n < 8 {
            break;
        }
    }
    let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    (p, as_i32(p - start), as_i32(taken))
}

/// Reads the JSON number starting at `b[p]`: its value and the offset just past it.
///
/// Checks the grammar (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`); on a
/// violation returns the offset of the offending byte and what was expected there.
#[inline]
pub(crate) fn scan_number(
    b: &[u8],
    mut p: usize,
) -> Result<(Decimal, usize), (usize, &'static str)> {
    let negative = b.get(p) == Some(&b'-');
    p += usize::from(negative);
    let mut digits: u64 = 0;
    let mut kept = 0u32; // significant digits held in `digits`
    let mut exp10: i32 = 0;
    let mut truncated = false;
    match b.get(p) {
        Some(b'0') => {
            p += 1;
            if b.get(p).is_some_and(u8::is_ascii_digit) {
                return Err((p, "no leading zero in a number"));
            }
        }
        Some(b'1'..=b'9') => {
            let (end, len, taken) = digit_run(b, p, &mut digits, &mut kept, &mut truncated);
            exp10 += len - taken;
            p = end;
        }
        _ => return Err((p, "a digit")),
    }
    let mut integer = true;
    if b.get(p) == Some(&b'.') {
        integer = false;
        let (end, len, taken) = digit_run(b, p + 1, &mut digits, &mut kept, &mut truncated);
        if len == 0 {
            return Err((p + 1, "a digit after '.'"));
        }
        exp10 -= taken;
        p = end;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        integer = false;
        p += 1;
        let minus = b.get(p) == Some(&b'-');
        if matches!(b.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        if !b.get(p).is_some_and(u8::is_ascii_digit) {
            return Err((p, "a digit in the exponent"));
        }
        let mut e: i32 = 0;
        while let Some(&c) = b.get(p).filter(|c| c.is_ascii_digit()) {
            e = (e * 10 + i32::from(c - b'0')).min(1_000_000);
            p += 1;
        }
        exp10 = exp10.saturating_add(if minus { -e } else { e });
    }
    let d = Decimal {
        digits,
        exp10,
        negative,
        truncated,
        integer,
    };
    Ok((d, p))
}

/// The common case, fast: a plain decimal (`-?d{1,7}(.d{1,15})?`, no exponent) at `b[p]`
/// whose digits fit 53 bits, as the nearest `f32`, and the offset just past it.
///
/// `None` for anything else (other forms, invalid text, a rounding too close to call):
/// [`scan_number`] and [`Decimal::to_f32`] then decide, with the same result.
#[inline(always)]
pub(crate) fn plain_f32(b: &[u8], p: usize) -> Option<(f32, usize)> {
    let negative = b.get(p) == Some(&b'-');
    let mut q = p + usize::from(negative);
    let (mut digits, n_int) = if b.get(q..q + 2) == Some(b"0.") {
        q += 1;
        (0, 1)
    } else {
        let v = load8(b, q);
        let n = leading_digits(v);
        // One to seven integer digits, no leading zero.
        if n == 0 || n == 8 || (n > 1 && v & 0xFF == 0x30) {
            return None;
        }
        q += n as usize;
        (digits_value(v, n), n)
    };
    let mut frac = 0;
    if b.get(q) == Some(&b'.') {
        let v = load8(b, q + 1);
        let n = leading_digits(v);
        if n == 0 {
            return None;
        }
        digits = digits * POW10_U64[n as usize] + digits_value(v, n);
        frac = n;
        if n == 8 && b.get(q + 9).is_some_and(u8::is_ascii_digit) {
            let v = load8(b, q + 9);
            let m = leading_digits(v);
            if m == 8 || n_int + 8 + m > DIGITS_MAX {
                return None;
            }
            if m > 0 {
                digits = digits * POW10_U64[m as usize] + digits_value(v, m);
                frac += m;
            }
        }
        q += 1 + frac as usize;
    }
    if matches!(b.get(q), Some(b'e' | b'E')) || digits > F64_EXACT_MAX {
        return None;
    }
    let f = f32_of_fraction(digits, frac as usize)?;
    Some((if negative { -f } else { f }, q))
}

/// Reciprocals of [`POW10`], each rounded to the nearest `f64`.
const INV_POW10: [f64; 23] = [
    1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14,
    1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22,
];

/// `digits / 10^frac` (`digits` < 2^53, `frac` <= 22) as the nearest `f32`; `None` when the
/// `f64` quotient falls exactly on the midpoint between two `f32` values.
///
/// A multiplication by the rounded reciprocal costs a fraction of a division; its result is
/// within two `f64` units in the last place of the exact quotient (two roundings of at most
/// half a unit each, relative 2^-53, on values whose unit is at least 2^-53 relative). The
/// nearest `f32` changes only across a midpoint between two `f32` values, which in the `f64`
/// grid is a value whose 29 dropped bits are `1 << 28`; so unless the product lies within two
/// units of such a point its `f32` is the exact quotient's. Near one (rare), the exact
/// division (Clinger) decides, as before.
#[inline(always)]
fn f32_of_fraction(digits: u64, frac: usize) -> Option<f32> {
    let m = digits as f64;
    let product = m * INV_POW10[frac];
    let dropped = product.to_bits() & F32_DROPPED_MASK;
    if dropped.wrapping_sub(F32_MIDPOINT - 2) > 4 {
        return Some(product as f32);
    }
    let d = m / POW10[frac];
    (d.to_bits() & F32_DROPPED_MASK != F32_MIDPOINT).then_some(d as f32)
}

/// `text`, exactly one JSON number, as the nearest `f32` by the conversion rows use (fast
/// path included); `None` when `text` is not one JSON number. The result always equals
/// `str::parse::<f32>`'s: this is the entry point for fuzzing that claim.
///
/// ```
/// use vecload::parse::json::json_number_to_f32;
///
/// assert_eq!(json_number_to_f32(b"0.47283125"), Some(0.47283125));
/// assert_eq!(json_number_to_f32(b"1.0000001788139343"), Some(1.0000001));
/// assert_eq!(json_number_to_f32(b"3.4028236e38"), Some(f32::INFINITY));
/// assert_eq!(json_number_to_f32(b"01"), None);
/// ```
pub fn json_number_to_f32(text: &[u8]) -> Option<f32> {
    if let Some((f, end)) = plain_f32(text, 0)
        && end == text.len()
    {
        return Some(f);
    }
    let (d, end) = scan_number(text, 0).ok()?;
    (end == text.len()).then(|| d.to_f32(text))
}

/// `text`, exactly one JSON number, as the nearest `f64` by the conversion rows use for
/// Double fields (fast path included); `None` when `text` is not one JSON number. Equals
/// `str::parse::<f64>`; the fuzz entry point for that claim, as [`json_number_to_f32`].
///
/// ```
/// use vecload::parse::json::json_number_to_f64;
///
/// assert_eq!(json_number_to_f64(b"0.1"), Some(0.1));
/// assert_eq!(json_number_to_f64(b"-1e400"), Some(f64::NEG_INFINITY));
/// assert_eq!(json_number_to_f64(b"1."), None);
/// ```
pub fn json_number_to_f64(text: &[u8]) -> Option<f64> {
    let (d, end) = scan_number(text, 0).ok()?;
    (end == text.len()).then(|| d.to_f64(text))
}

/// The standard library's correctly rounded parser (JSON number syntax is a subset of its).
#[cold]
fn slow<T: std::str::FromStr + Default>(text: &[u8]) -> T {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
