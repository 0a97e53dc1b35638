//! Decimal text to `f32` and `f64`, correctly rounded, fast for the common short literals.
//!
//! A JSON number is read once into a [`Decimal`]: up to 19 significant digits in a `u64`
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
            while let Some(&c) = b.get(p).filter(|c| c.is_ascii_digit()) {
                if kept < 19 {
                    digits = digits * 10 + u64::from(c - b'0');
                    kept += 1;
                } else {
                    exp10 += 1;
                    truncated |= c != b'0';
                }
                p += 1;
            }
        }
        _ => return Err((p, "a digit")),
    }
    let mut integer = true;
    if b.get(p) == Some(&b'.') {
        integer = false;
        p += 1;
        if !b.get(p).is_some_and(u8::is_ascii_digit) {
            return Err((p, "a digit after '.'"));
        }
        while let Some(&c) = b.get(p).filter(|c| c.is_ascii_digit()) {
            if kept < 19 {
                digits = digits * 10 + u64::from(c - b'0');
                kept += u32::from(digits != 0);
                exp10 -= 1;
            } else {
                truncated |= c != b'0';
            }
            p += 1;
        }
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
