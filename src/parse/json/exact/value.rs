//! Whole JSON values: short descriptions for error messages, and the canonical text kept
//! for JSON fields and `$meta` (compact, object keys sorted as Milvus stores them, the last
//! of repeated keys kept, numbers exactly as written so no digit is lost).

use super::lex::{Fault, Lexer, unescape};
use crate::validate::{self, write_string};

/// What a value is, for messages: `integer 5`, `number 1.5`, `string "abc"`, `null`,
/// `boolean true`, `a list of 3 values`, `an object`. `pos` is the value's first byte.
pub(super) fn describe(b: &[u8], pos: usize) -> String {
    let mut lx = Lexer { b, pos };
    match lx.peek() {
        Some(b'"') => match lx.string() {
            Ok((raw, escaped)) => {
                let mut s = String::new();
                if escaped {
                    unescape(raw, &mut s);
                } else {
                    s.push_str(raw);
                }
                let short: String = s.chars().take(40).collect();
                let dots = if short.len() < s.len() { "..." } else { "" };
                format!("string \"{short}{dots}\"")
            }
            Err(_) => "an invalid string".into(),
        },
        Some(b'-' | b'0'..=b'9') => match lx.number() {
            Ok((d, text)) => {
                let text = String::from_utf8_lossy(text);
                let kind = if d.integer { "integer" } else { "number" };
                format!("{kind} {text}")
            }
            Err(_) => "an invalid number".into(),
        },
        Some(b'[') => match count_elements(b, lx.pos) {
            Some(n) => format!("a list of {n} values"),
            None => "an invalid list".into(),
        },
        Some(b'{') => "an object".into(),
        _ => match lx.literal() {
            Ok("null") => "null".into(),
            Ok(b) => format!("boolean {b}"),
            Err(_) => "invalid JSON".into(),
        },
    }
}

/// The number of elements of the list at `pos`, if it is a valid list.
pub(super) fn count_elements(b: &[u8], pos: usize) -> Option<usize> {
    let mut lx = Lexer { b, pos };
    if lx.peek() != Some(b'[') {
        return None;
    }
    lx.pos += 1;
    let mut n = 0;
    if !lx.eat(b']') {
        loop {
            lx.skip_value(1).ok()?;
            n += 1;
            if !lx.more(b']').ok()? {
                break;
            }
        }
    }
    Some(n)
}

/// Reads the value at the cursor and appends its canonical text to `out`, under the rule
/// book's JSON rules (depth, numbers within `f64`). `depth` is the nesting level an array or
/// object at the cursor would open (1 for a field's value); `field` names the field in a
/// refusal.
pub(super) fn canonical(
    lx: &mut Lexer<'_>,
    out: &mut String,
    depth: usize,
    field: &str,
) -> Result<(), Fault> {
    match lx.peek() {
        Some(b'"') => {
            let (raw, escaped) = lx.string()?;
            if escaped {
                let mut s = String::new();
                unescape(raw, &mut s);
                write_string(&s, out);
            } else {
                write_string(raw, out);
            }
        }
        Some(b'-' | b'0'..=b'9') => {
            let (d, text) = lx.number()?;
            let text = std::str::from_utf8(text).unwrap_or("0");
            validate::json_number(field, d.to_f64(text.as_bytes()), || text.to_string())?;
            out.push_str(text);
        }
        Some(b'[') => {
            validate::json_depth(field, depth)?;
            lx.pos += 1;
            out.push('[');
            if !lx.eat(b']') {
                loop {
                    canonical(lx, out, depth + 1, field)?;
                    if !lx.more(b']')? {
                        break;
                    }
                    out.push(',');
                }
            }
            out.push(']');
        }
        Some(b'{') => {
            let members = members(lx, depth, field)?;
            write_object(&members, out);
        }
        _ => out.push_str(lx.literal()?),
    }
    Ok(())
}

/// Reads the object at the cursor: its members as (key, canonical value text), sorted by
/// key, the last of repeated keys kept. `field` as for [`canonical`].
pub(super) fn members(
    lx: &mut Lexer<'_>,
    depth: usize,
    field: &str,
) -> Result<Vec<(String, String)>, Fault> {
    validate::json_depth(field, depth)?;
    lx.expect(b'{', "'{'")?;
    let mut out: Vec<(String, String)> = Vec::new();
    if !lx.eat(b'}') {
        let mut buf = String::new();
        loop {
            let key = lx.key(&mut buf)?.to_string();
            let mut value = String::new();
            canonical(lx, &mut value, depth + 1, field)?;
            out.push((key, value));
            if !lx.more(b'}')? {
                break;
            }
        }
    }
    validate::sort_members(&mut out);
    Ok(out)
}

/// Appends `{"k":v,...}` for members already sorted.
pub(super) fn write_object(members: &[(String, String)], out: &mut String) {
    out.push('{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(k, out);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        let mut out = String::new();
        let mut lx = Lexer::new(text.as_bytes());
        canonical(&mut lx, &mut out, 0, "j").unwrap();
        lx.end().unwrap();
        out
    }

    #[test]
    fn canonical_sorts_keys_and_keeps_literals() {
        assert_eq!(
            canon(r#" { "b" : [1.50, -0, 1e300], "a": {"y": null, "x": "\u00e9\n"}, "b": true } "#),
            r#"{"a":{"x":"é\n","y":null},"b":true}"#
        );
        assert_eq!(
            canon("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
        assert_eq!(canon(r#""\ud83d\ude00\"""#), "\"😀\\\"\"");
    }

    /// Control characters are escaped as serde_json escapes them (the simd-json path and
    /// NPY `$meta` write through serde_json): data/crash/json_rows/key_control_escape.json.
    #[test]
    fn control_characters_escape_as_serde_json_does() {
        let text = r#"{"k\f\b\u0001": "\t\u000c\u0008\u001f\n\r"}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(canon(text), serde_json::to_string(&value).unwrap());
        assert_eq!(canon(text), r#"{"k\f\b\u0001":"\t\f\b\u001f\n\r"}"#);
    }

    /// Stored JSON is read back as `f64`: a number beyond its range is refused, not kept
    /// to come back as `null` (data/crash/json_rows/json_string_out_of_range.json).
    #[test]
    fn numbers_beyond_f64_are_refused() {
        let kept = [
            "1.7976931348623157e308",
            "-1e308",
            "1e-400",
            "123456789012345678901234567890",
        ];
        for text in kept {
            assert_eq!(canon(text), text);
            assert!(validate::json_text("j", text).is_ok(), "{text}");
        }
        for text in ["1e400", "[{\"x\": -1e999}]", "1.7976931348623159e308"] {
            let mut lx = Lexer::new(text.as_bytes());
            match canonical(&mut lx, &mut String::new(), 0, "j") {
                Err(Fault::Rule(v)) => assert_eq!(
                    (v.field.as_str(), v.expected.as_str()),
                    ("j", "a number within the range of a 64-bit float"),
                    "{text}"
                ),
                other => panic!("{text}: {other:?}"),
            }
            let err = validate::json_text("j", text).unwrap_err();
            assert!(err.found.contains("number out of range"), "{err}");
        }
    }

    #[test]
    fn descriptions_name_kind_and_literal() {
        let d = |t: &str| describe(t.as_bytes(), 0);
        assert_eq!(d(" 5"), "integer 5");
        assert_eq!(d("1.0"), "number 1.0");
        assert_eq!(d("1e3"), "number 1e3");
        assert_eq!(d("[1, [2, 3], {}]"), "a list of 3 values");
        assert_eq!(d("[]"), "a list of 0 values");
        assert_eq!(d(r#""a\"b""#), "string \"a\"b\"");
        assert_eq!(d("null"), "null");
        assert_eq!(d("false"), "boolean false");
        assert_eq!(d("{}"), "an object");
    }

    /// Values nest at most the rule book's depth; the same limit as a JSON string's.
    #[test]
    fn canonical_values_nest_at_most_the_rule_depth() {
        let max = validate::JSON_DEPTH_MAX;
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert_eq!(canon(&nested(max)), nested(max));
        let ok = "[{\"a\":".repeat(max / 2) + "0" + &"}]".repeat(max / 2);
        assert_eq!(canon(&ok), ok);
        let deep = nested(max + 1);
        let mut lx = Lexer::new(deep.as_bytes());
        let mut out = String::new();
        // Level 1 is the value itself.
        match canonical(&mut lx, &mut out, 1, "j") {
            Err(Fault::Rule(v)) => assert!(v.expected.contains("nested at most"), "{v}"),
            other => panic!("{other:?}"),
        }
        assert!(validate::json_text("j", &nested(max)).is_ok());
        assert!(validate::json_text("j", &nested(max + 1)).is_err());
    }
}
