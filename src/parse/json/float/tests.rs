//! Property tests: every literal converts exactly as `str::parse` does.

use super::*;

fn check(text: &str) {
    let (d, end) = scan_number(text.as_bytes(), 0).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    assert_eq!(end, text.len(), "{text}: stopped early");
    let want32: f32 = text.parse().unwrap();
    let got32 = d.to_f32(text.as_bytes());
    assert_eq!(
        got32.to_bits(),
        want32.to_bits(),
        "{text}: f32 {got32:e} != {want32:e}"
    );
    // The fast path, when it answers, agrees; also with a delimiter after the literal.
    for (t, len) in [
        (text.to_string(), text.len()),
        (format!("{text}, "), text.len()),
    ] {
        if let Some((f, end)) = plain_f32(t.as_bytes(), 0) {
            assert_eq!(
                f.to_bits(),
                want32.to_bits(),
                "{text}: plain f32 {f:e} != {want32:e}"
            );
            assert_eq!(end, len, "{text}: plain path end");
        }
    }
    let want64: f64 = text.parse().unwrap();
    let got64 = d.to_f64(text.as_bytes());
    assert_eq!(
        got64.to_bits(),
        want64.to_bits(),
        "{text}: f64 {got64:e} != {want64:e}"
    );
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `x` written with every digit of its exact binary value, JSON style (`d.ddd...e±x`).
fn exact(x: f64) -> String {
    let text = format!("{x:.1100e}");
    let (m, e) = text.split_once('e').unwrap();
    format!("{}0e{e}", m.trim_end_matches('0'))
}

/// `d.ddde±x` written without an exponent (`0.000ddd`, `dd.d`, `ddd00`).
fn fixed(sci: &str) -> String {
    let (m, e) = sci.split_once('e').unwrap();
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    let point = 1 + e.parse::<i64>().unwrap();
    let len = digits.len() as i64;
    if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= len {
        format!("{digits}{}", "0".repeat((point - len) as usize))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    }
}

#[test]
fn edge_cases_round_like_std() {
    for t in [
        "0",
        "-0",
        "0.0",
        "-0.0",
        "1",
        "-1",
        "0.1",
        "1e-46",
        "-1e-46",
        "1e-45",
        "1.4e-45",
        "1.401298464324817e-45",
        "7.006492321624085e-46",
        "7.006492321624086e-46",
        "1.1754943508222875e-38",
        "1.1754942e-38",
        "3.4028235e38",
        "3.4028236e38",
        "3.4028234664e38",
        "3.40282356779733661637539395458142568448e38",
        "3.40282356779733661637539395458142568447e38",
        "1e39",
        "1e309",
        "-1e309",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "5e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "0.1000000000000000055511151231257827021181583404541015625",
        "123456789012345678901234567890e-20",
        "0e999999",
        "1e-999999",
        "9007199254740993",
        "9007199254740992",
        "18446744073709551615",
        "18446744073709551616",
        "16777217",
        "1.0000001788139343",
        "1.0000001788139345",
        "7.897880394011736e-3",
        "1.00000005960464477539062499",
        "1.000000059604644775390625",
        "1.00000005960464477539062501",
        "0.47283125",
        "0.000000059604645",
        "65504",
        "1E+2",
        "2.5E-3",
        "1e22",
        "1e23",
        "9007199254740991e22",
        "9007199254740993e-22",
        "0.00000000000000000000000000000000000000000000140129846432481707",
        "1.00000000000000000000000000000000000000000000000000000000000000000000000001",
        "0.000000001234567890123456",
        "0.00000000000000000000000000001",
        "0.0000000000000000000",
        "1234567890123456789",
        "12345678901234567890",
        "0.12345678",
        "0.123456789",
        "12345678.87654321",
        "1234567812345678.5",
        "99999999999999999999e-20",
    ] {
        check(t);
    }
}

#[test]
fn shortest_f32_texts_round_trip() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200_000 {
        let x = f32::from_bits(rng.next() as u32);
        if !x.is_finite() {
            continue;
        }
        check(&x.to_string());
        check(&format!("{x:e}"));
        // Uniform [0, 1), as the benchmark data.
        let u = (rng.next() >> 40) as f32 / (1u64 << 24) as f32;
        check(&u.to_string());
    }
}

#[test]
fn midpoints_and_their_neighbours() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 {
        // Positive finite f32 and its successor; the midpoint is exact in f64. Half of the
        // draws stay in 2^-30..2^30, where the f64 fast path applies.
        let mut bits = (rng.next() as u32) & 0x7f7f_ffff;
        if rng.below(2) == 0 {
            bits = (bits & 0x007f_ffff) | ((97 + rng.below(60) as u32) << 23);
        }
        let (a, b) = (f32::from_bits(bits), f32::from_bits(bits + 1));
        let mid = (f64::from(a) + f64::from(b)) / 2.0;
        let text = exact(mid);
        check(&text);
        // The midpoint cut to n significant digits: just below it, and the next decimal up:
        // just above it. f64 rounding lands many of these (15 and 16 digits: on the fast
        // path) exactly on the midpoint, where rounding twice goes wrong.
        for digits in [9usize, 15, 16, 17, 25] {
            let short = format!("{mid:.*e}", digits - 1);
            let (m, e) = short.split_once('e').unwrap();
            let up = m.trim_end_matches('0').to_string() + "1e" + e;
            for t in [&short, &up] {
                check(t);
                check(&fixed(t));
            }
        }
    }
}

#[test]
fn random_digit_strings() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..200_000 {
        let n = 1 + rng.below(30) as usize;
        let mut s = String::new();
        if rng.below(4) == 0 {
            s.push('-');
        }
        let point = rng.below(n as u64 + 1) as usize;
        for i in 0..n {
            if i == point && i > 0 {
                s.push('.');
            }
            let first = i == 0;
            let d = if first {
                1 + rng.below(9)
            } else {
                rng.below(10)
            };
            s.push(char::from(b'0' + d as u8));
        }
        if rng.below(2) == 0 {
            s.push_str(&format!("e{}", rng.below(100) as i64 - 60));
        }
        check(&s);
    }
}

#[test]
fn plain_path_takes_the_common_literals() {
    for t in [
        "0.47283125",
        "-0.5",
        "0",
        "1234567.12345678",
        "0.123456789",
        "7",
    ] {
        assert!(plain_f32(t.as_bytes(), 0).is_some(), "{t}");
    }
    for t in [
        "1e3",
        "12345678",
        "01",
        "-",
        "1.",
        "1234567.123456789012345",
        "9999999.999999999",
    ] {
        assert!(plain_f32(t.as_bytes(), 0).is_none(), "{t}");
    }
}

#[test]
fn grammar_is_json() {
    for bad in [
        "01", "-01", "1.", ".5", "-", "1e", "1e+", "+1", "--1", "1.e3", "-a",
    ] {
        let r = scan_number(bad.as_bytes(), 0);
        let complete = matches!(r, Ok((_, end)) if end == bad.len());
        assert!(!complete, "{bad} accepted");
    }
    let (d, end) = scan_number(b"12,", 0).unwrap();
    assert_eq!((d.to_integer(), end), (Some(12), 2));
    assert_eq!(
        scan_number(b"-9223372036854775808", 0)
            .unwrap()
            .0
            .to_integer(),
        Some(i128::from(i64::MIN))
    );
    assert_eq!(
        scan_number(b"99999999999999999999", 0)
            .unwrap()
            .0
            .to_integer(),
        None
    );
    assert_eq!(scan_number(b"1.0", 0).unwrap().0.to_integer(), None);
    assert_eq!(scan_number(b"1e3", 0).unwrap().0.to_integer(), None);
    assert_eq!(scan_number(b"-0", 0).unwrap().0.to_integer(), Some(0));
}

/// The plain path multiplies by a rounded reciprocal: decimals a few units of their last
/// digit around an `f32` midpoint, in the plain form writers use, still round as `str::parse`
/// rounds them (the product's error window around each midpoint is covered by the exact
/// division).
#[test]
fn plain_decimals_next_to_midpoints() {
    let mut rng = Rng(0x0bad_cafe_1234_5678);
    for _ in 0..20_000 {
        // f32 values from 2^-20 to 2^20, the plain range of the fast path.
        let bits = (rng.next() as u32 & 0x007f_ffff) | ((107 + rng.below(40) as u32) << 23);
        let (a, b) = (f32::from_bits(bits), f32::from_bits(bits + 1));
        let mid = (f64::from(a) + f64::from(b)) / 2.0;
        for digits in 8usize..=16 {
            let short = format!("{mid:.*e}", digits - 1);
            let plain = fixed(&short);
            let Some((int, frac)) = plain.split_once('.') else {
                continue;
            };
            // The last digit moved by -2..=2 (as an integer of digits, then put back).
            let Ok(n) = format!("{int}{frac}").parse::<u64>() else {
                continue;
            };
            for delta in [-2i64, -1, 0, 1, 2] {
                let v = (n as i64 + delta).max(0) as u64;
                let s = format!("{v:0width$}", width = int.len() + frac.len());
                let (i, f) = s.split_at(s.len() - frac.len());
                let i = i.trim_start_matches('0');
                let text = format!("{}.{f}", if i.is_empty() { "0" } else { i });
                check(&text);
            }
        }
    }
}
