//! `S<n>` and `U<n>` columns: VarChar, JSON, Geometry (WKT), Timestamptz (ISO-8601) and
//! `$meta` values (`docs/formats.md`, "Column-based NumPy").

use super::{Src, arr, shown};
use crate::parse::numpy::{ByteOrder, Dtype, NpyError};
use crate::schema::DataType;
use crate::validate;

/// What each string must be.
#[derive(Clone, Copy)]
enum Rule {
    /// VarChar: within `max_length`.
    VarChar,
    /// Any JSON value.
    Json,
    /// A JSON object (`$meta`).
    Object,
    /// WKT, kept in its canonical form.
    Geometry,
    /// Anything (checked by the caller).
    Text,
}

/// Decodes a VarChar or JSON column (a `$meta` plan decodes as objects).
pub(super) fn decode(src: &Src, out: &mut Vec<String>) -> Result<(), NpyError> {
    let rule = match src.plan.data_type {
        _ if src.plan.is_meta => Rule::Object,
        DataType::VarChar => Rule::VarChar,
        DataType::Geometry => Rule::Geometry,
        _ => Rule::Json,
    };
    each(src, out, rule)
}

/// Decodes a Timestamptz column of ISO-8601 strings into UTC microseconds.
pub(super) fn decode_timestamps(src: &Src, out: &mut Vec<i64>) -> Result<(), NpyError> {
    let mut texts = Vec::new();
    each(src, &mut texts, Rule::Text)?;
    out.reserve(texts.len());
    for (r, text) in texts.iter().enumerate() {
        out.push(validate::timestamptz(&src.schema, text).map_err(|v| src.broken(r, v))?);
    }
    Ok(())
}

/// Decodes `$meta` strings, each a JSON object.
pub(super) fn decode_objects(src: &Src, out: &mut Vec<String>) -> Result<(), NpyError> {
    each(src, out, Rule::Object)
}

fn each(src: &Src, out: &mut Vec<String>, rule: Rule) -> Result<(), NpyError> {
    out.reserve(src.count);
    match src.plan.header.dtype {
        Dtype::Bytes(n) => {
            for (r, c) in src.bytes.chunks_exact(width(src, n)?).enumerate() {
                let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
                let text = std::str::from_utf8(&c[..end]).map_err(|e| NpyError::BadValue {
                    loc: src.loc(r),
                    field: src.field(),
                    expected: "UTF-8 text",
                    found: format!(
                        "invalid UTF-8 at byte {}: \"{}\"",
                        e.valid_up_to(),
                        shown(&c[..end].escape_ascii().to_string())
                    ),
                })?;
                out.push(check(src, r, text.to_string(), rule)?);
            }
        }
        Dtype::Unicode(n, order) => {
            let unit = |c: &[u8]| match order {
                ByteOrder::Little => u32::from_le_bytes(arr(c)),
                ByteOrder::Big => u32::from_be_bytes(arr(c)),
            };
            for (r, c) in src.bytes.chunks_exact(width(src, n)? * 4).enumerate() {
                // Trailing NUL code points are padding.
                let len = c
                    .chunks_exact(4)
                    .rposition(|u| unit(u) != 0)
                    .map_or(0, |last| last + 1);
                let mut text = String::with_capacity(len);
                for (k, u) in c.chunks_exact(4).take(len).enumerate() {
                    let code = unit(u);
                    let ch = char::from_u32(code).ok_or_else(|| NpyError::BadValue {
                        loc: src.loc(r),
                        field: src.field(),
                        expected: "Unicode code points",
                        found: format!("0x{code:08X} at character {k}"),
                    })?;
                    text.push(ch);
                }
                out.push(check(src, r, text, rule)?);
            }
        }
        _ => return Err(src.bad_dtype()),
    }
    Ok(())
}

/// A string width in elements as `usize`: at most `STRING_WIDTH_MAX` from a parsed
/// header, so it always fits; 0 (only from a hand-made plan) is refused.
fn width(src: &Src, n: u64) -> Result<usize, NpyError> {
    match usize::try_from(n) {
        Ok(w) if w > 0 => Ok(w),
        _ => Err(src.bad_dtype()),
    }
}

/// `text`, the `r`-th decoded row, checked by the rule book.
fn check(src: &Src, r: usize, text: String, rule: Rule) -> Result<String, NpyError> {
    let checked = match rule {
        Rule::VarChar => validate::varchar(&src.schema, &text).map(|()| text),
        Rule::Json => validate::json_text(&src.plan.field_name, &text).map(|()| text),
        Rule::Object => validate::json_object_text(&text).map(|()| text),
        Rule::Geometry => validate::geometry(&src.schema, &text),
        Rule::Text => Ok(text),
    };
    checked.map_err(|v| src.broken(r, v))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{decode, decode_err, field, slice};
    use crate::parse::numpy::decode::{decode_meta_rows, decode_rows};
    use crate::parse::numpy::tests::npy;
    use crate::parse::numpy::{NpyError, check_meta_column, parse_header};
    use crate::record::{Column, ColumnData};
    use crate::schema::DataType;

    fn utf32(texts: &[&str], n: usize, big: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for t in texts {
            let mut units: Vec<u32> = t.chars().map(u32::from).collect();
            units.resize(n, 0);
            for u in units {
                out.extend(if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
        }
        out
    }

    #[test]
    fn strings_s_and_u() {
        let mut vc = field(DataType::VarChar, None);
        vc.max_length = Some(6);
        let s = b"abc\0\0\0h\xc3\xa9llo\0x\0\0\0\0";
        let got = decode(&npy("|S6", &[3], false, s), &vc).unwrap();
        assert_eq!(
            got,
            ColumnData::VarChar(vec!["abc".into(), "héllo".into(), "".into()])
        );
        let texts = ["ab", "中文", "a\0b", ""];
        for big in [false, true] {
            let descr = if big { ">U3" } else { "<U3" };
            let got = decode(&npy(descr, &[4], false, &utf32(&texts, 3, big)), &vc).unwrap();
            assert_eq!(got, ColumnData::VarChar(texts.map(String::from).to_vec()));
        }
        // max_length counts UTF-8 bytes: 3 chars of 3 bytes each is 9 > 6.
        let e = decode_err(
            &npy("<U3", &[2], false, &utf32(&["ab", "中文字"], 3, false)),
            &vc,
            0..2,
        );
        assert_eq!(
            e.to_string(),
            "f.npy: row 1, field \"f\": expected at most 6 UTF-8 bytes (max_length), found 9 bytes"
        );
        let e = decode_err(&npy("|S7", &[1], false, b"h\xc3\xa9llo!"), &vc, 0..1);
        assert!(
            matches!(&e, NpyError::Rule(r) if r.found == "7 bytes"),
            "{e}"
        );
        let e = decode_err(&npy("|S3", &[2], false, b"ab\0a\xffb"), &vc, 0..2);
        assert_eq!(
            e.to_string(),
            "f.npy: row 1, field \"f\": expected UTF-8 text, found invalid UTF-8 at byte 1: \"a\\xffb\""
        );
        for bad in [0xd800u32, 0x11_0000] {
            let mut data = utf32(&["ok", "x"], 2, true);
            data[12..16].copy_from_slice(&bad.to_be_bytes());
            let e = decode_err(&npy(">U2", &[2], false, &data), &vc, 0..2);
            assert!(
                e.to_string()
                    .contains("row 1, field \"f\": expected Unicode code points, found 0x"),
                "{e}"
            );
        }
    }

    #[test]
    fn json_fields_and_meta() {
        let jf = field(DataType::Json, None);
        let docs = [r#"{"a": [1, 2]}"#, "3", r#""s""#, "null"];
        let got = decode(&npy("<U14", &[4], false, &utf32(&docs, 14, false)), &jf).unwrap();
        assert_eq!(got, ColumnData::Json(docs.map(String::from).to_vec()));
        let e = decode_err(&npy("|S5", &[2], false, b"{}\0\0\0{\"a\":"), &jf, 0..2);
        assert!(
            e.to_string()
                .starts_with("f.npy: row 1, field \"f\": expected a JSON object or a string holding JSON, found a string that is not JSON ("),
            "{e}"
        );
        assert!(decode(&npy("|S2", &[1], false, b"1x"), &jf).is_err());

        let file = npy(
            "|S9",
            &[3],
            false,
            b"{}\0\0\0\0\0\0\0{\"k\": 1}\0[1]\0\0\0\0\0\0",
        );
        let header = parse_header("$meta.npy", &file).unwrap();
        let plan = check_meta_column("$meta.npy", header, file.len() as u64).unwrap();
        let mut out = vec!["keep".to_string()];
        decode_meta_rows(&plan, slice(&file, &plan, 0..2), 0..2, &mut out).unwrap();
        assert_eq!(out, ["keep", "{}", "{\"k\": 1}"]);
        let e = decode_meta_rows(&plan, slice(&file, &plan, 1..3), 1..3, &mut out).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "$meta.npy: row 2, field \"$meta\": expected a JSON object or a string holding one, found a string holding a list: '[1]'"
            ),
            "{e}"
        );
        assert_eq!(out.len(), 3, "out must be left as it was");
        // decode_rows on a $meta plan checks objects too.
        let mut col = Column::empty_for(&jf, 0);
        assert!(decode_rows(&plan, slice(&file, &plan, 2..3), 2..3, &mut col).is_err());
    }
}
