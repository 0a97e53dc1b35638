//! `json_float`: `parse::json::json_number_to_f32` and `json_number_to_f64`, the float
//! conversions JSON rows use for Float (and float vectors) and Double (fast paths
//! included), on any bytes.
//!
//! Properties:
//! * each gives a value exactly when the bytes are one JSON number (RFC 8259 grammar);
//! * the value is `str::parse::<f32>` (`str::parse::<f64>`) of the text, bit for bit (one
//!   correct rounding, `-0.0` and infinities included).

use vecload::parse::json::{json_number_to_f32, json_number_to_f64};

/// Converts `data` both ways and checks both properties.
pub fn check(data: &[u8]) {
    let got = json_number_to_f32(data);
    let got64 = json_number_to_f64(data);
    let is_number = json_number(data);
    let shown = || String::from_utf8_lossy(data).into_owned();
    assert_eq!(
        got.is_some(),
        is_number,
        "{:?}: an f32 iff a JSON number",
        shown()
    );
    assert_eq!(
        got64.is_some(),
        is_number,
        "{:?}: an f64 iff a JSON number",
        shown()
    );
    let (Some(got), Some(got64)) = (got, got64) else {
        return;
    };
    let text = std::str::from_utf8(data).expect("a JSON number is ASCII");
    let want: f32 = text.parse().expect("str::parse takes every JSON number");
    assert_eq!(
        got.to_bits(),
        want.to_bits(),
        "{text}: got {got:e}, str::parse::<f32> gives {want:e}"
    );
    let want64: f64 = text.parse().expect("str::parse takes every JSON number");
    assert_eq!(
        got64.to_bits(),
        want64.to_bits(),
        "{text}: got {got64:e}, str::parse::<f64> gives {want64:e}"
    );
}

/// Whether `b` is exactly one JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub fn json_number(b: &[u8]) -> bool {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}
