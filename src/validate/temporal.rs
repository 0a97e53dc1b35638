//! Timestamptz rules: an ISO-8601 instant (a date, or a date and time, with a `Z` or
//! `±hh:mm` offset; without one it is UTC, the collection's default time zone in Milvus) in
//! years 1..=9999, at most microsecond precision, stored as microseconds since the Unix
//! epoch, UTC; and the same from a number of seconds, milliseconds, microseconds or
//! nanoseconds (Arrow timestamps).

use chrono::{NaiveDate, NaiveTime};

use super::Violation;
use crate::schema::FieldSchema;

/// What a Timestamptz value looks like, for messages.
pub const TIMESTAMPTZ_WANT: &str =
    "an ISO-8601 timestamp (e.g. 2025-01-31T08:00:00+08:00, at most microsecond precision)";

/// Digits `b[at..at + n]` as a number, if they are all ASCII digits.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    s.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Why a text is not a timestamp: `None` for "not one at all", or a precise reason.
enum Refusal {
    Shape,
    Precision,
}

/// Parses `text` as described in the module; microseconds since the epoch, UTC.
fn parse(text: &str) -> Result<i64, Refusal> {
    let b = text.trim().as_bytes();
    let (y, mo, d) = match (
        digits(b, 0, 4),
        b.get(4),
        digits(b, 5, 2),
        b.get(7),
        digits(b, 8, 2),
    ) {
        (Some(y), Some(b'-'), Some(mo), Some(b'-'), Some(d)) => (y, mo, d),
        _ => return Err(Refusal::Shape),
    };
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)
        .filter(|_| y >= 1)
        .ok_or(Refusal::Shape)?;
    let mut at = 10;
    let mut time = NaiveTime::MIN;
    if at < b.len() && matches!(b[at], b'T' | b't' | b' ') {
        let (h, mi) = match (digits(b, at + 1, 2), b.get(at + 3), digits(b, at + 4, 2)) {
            (Some(h), Some(b':'), Some(mi)) => (h, mi),
            _ => return Err(Refusal::Shape),
        };
        at += 6;
        let mut s = 0;
        let mut micros = 0;
        if b.get(at) == Some(&b':') {
            s = digits(b, at + 1, 2).ok_or(Refusal::Shape)?;
            at += 3;
            if matches!(b.get(at), Some(b'.' | b',')) {
                at += 1;
                let start = at;
                while at < b.len() && b[at].is_ascii_digit() {
                    at += 1;
                }
                let frac = &b[start..at];
                if frac.is_empty() {
                    return Err(Refusal::Shape);
                }
                if frac.iter().skip(6).any(|c| *c != b'0') {
                    return Err(Refusal::Precision);
                }
                for i in 0..6 {
                    micros = micros * 10 + frac.get(i).map_or(0, |c| u32::from(c - b'0'));
                }
            }
        }
        time = NaiveTime::from_hms_micro_opt(h, mi, s, micros).ok_or(Refusal::Shape)?;
    }
    let offset_secs: i64 = match &b[at.min(b.len())..] {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _] => (digits(rest, 0, 2), Some(0)),
                [_, _, b':', _, _] => (digits(rest, 0, 2), digits(rest, 3, 2)),
                [_, _, _, _] => (digits(rest, 0, 2), digits(rest, 2, 2)),
                _ => (None, None),
            };
            let (h, m) = h
                .zip(m)
                .filter(|(h, m)| *h <= 23 && *m <= 59)
                .ok_or(Refusal::Shape)?;
            let secs = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return Err(Refusal::Shape),
    };
    let local = date.and_time(time).and_utc().timestamp_micros();
    Ok(local - offset_secs * 1_000_000)
}

/// A Timestamptz given as text: its microseconds since the epoch, UTC.
pub fn timestamptz(field: &FieldSchema, text: &str) -> Result<i64, Violation> {
    parse(text).map_err(|r| {
        let expected = match r {
            Refusal::Shape => TIMESTAMPTZ_WANT,
            Refusal::Precision => "a timestamp with at most microsecond precision (6 digits)",
        };
        Violation::new(&field.name, expected, format!("{text:?}"))
    })
}

/// A Timestamptz given as `value` units of `1 / per_second` s since the epoch (an Arrow
/// timestamp: per_second 1, 1e3, 1e6 or 1e9): microseconds, refused when finer than a
/// microsecond or outside years 1..=9999.
pub fn timestamp_units(field: &FieldSchema, value: i64, per_second: i64) -> Result<i64, Violation> {
    let micros = match per_second {
        1 => value.checked_mul(1_000_000),
        1_000 => value.checked_mul(1_000),
        1_000_000 => Some(value),
        _ if value % 1_000 != 0 => {
            return Err(Violation::new(
                &field.name,
                "a timestamp with at most microsecond precision",
                format!("{value} ns"),
            ));
        }
        _ => Some(value / 1_000),
    };
    micros
        .filter(|m| (MIN_MICROS..=MAX_MICROS).contains(m))
        .ok_or_else(|| {
            Violation::new(
                &field.name,
                "a timestamp in years 1..=9999",
                format!("{value} (units of 1/{per_second} s since 1970)"),
            )
        })
}

/// 0001-01-01T00:00:00Z in microseconds since the epoch.
const MIN_MICROS: i64 = -62_135_596_800_000_000;
/// 9999-12-31T23:59:59.999999Z in microseconds since the epoch.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DataType;

    fn field() -> FieldSchema {
        FieldSchema::new("ts", DataType::Timestamptz)
    }

    #[test]
    fn iso_texts_become_utc_microseconds() {
        let f = field();
        let t = |s: &str| timestamptz(&f, s);
        assert_eq!(t("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(t("1970-01-01"), Ok(0));
        assert_eq!(t("1970-01-01T08:00:00+08:00"), Ok(0));
        assert_eq!(t("1970-01-01 00:00:01.5"), Ok(1_500_000));
        assert_eq!(t("1970-01-01T00:00:00.000001000-0100"), Ok(3_600_000_001));
        assert_eq!(t("1969-12-31T23:59:59.999999Z"), Ok(-1));
        assert_eq!(t("2025-01-31T08:30+05"), Ok(1_738_294_200_000_000));
        for bad in [
            "",
            "2025-02-30",
            "2025-1-01",
            "0000-01-01",
            "2025-01-01T24:00:00",
            "x",
            "2025-01-01Tx",
            "2025-01-01T00:00:00+24:00",
            "2025-01-01T00:00:00 UTC",
        ] {
            let e = t(bad).unwrap_err();
            assert_eq!(e.expected, TIMESTAMPTZ_WANT, "{bad}");
        }
        let e = t("2025-01-01T00:00:00.0000001Z").unwrap_err();
        assert!(e.expected.contains("microsecond"), "{e}");
        assert!(e.found.contains("0000001"), "{e}");
    }

    #[test]
    fn arrow_units_become_microseconds() {
        let f = field();
        assert_eq!(timestamp_units(&f, 2, 1), Ok(2_000_000));
        assert_eq!(timestamp_units(&f, 2, 1_000), Ok(2_000));
        assert_eq!(timestamp_units(&f, 2_000, 1_000_000_000), Ok(2));
        assert!(timestamp_units(&f, 2_001, 1_000_000_000).is_err());
        assert!(timestamp_units(&f, i64::MAX, 1).is_err());
        assert!(timestamp_units(&f, MIN_MICROS / 1_000_000 - 1, 1).is_err());
    }
}
