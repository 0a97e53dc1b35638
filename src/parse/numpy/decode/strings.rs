//! `S<n>` and `U<n>` columns: VarChar, JSON and `$meta` values (SPEC 3.5).

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Src, arr, shown};
use crate::parse::numpy::{ByteOrder, Dtype, NpyError};
use crate::schema::DataType;

/// What each string must be.
#[derive(Clone, Copy)]
enum Rule {
    /// VarChar: at most this many UTF-8 bytes, when set.
    VarChar(Option<usize>),
    /// Any JSON value.
    Json,
    /// A JSON object (`$meta`).
    Object,
}

/// Decodes a VarChar or JSON column (a `$meta` plan decodes as objects).
pub(super) fn decode(src: &Src, out: &mut Vec<String>) -> Result<(), NpyError> {
    let rule = match src.plan.data_type {
        _ if src.plan.is_meta => Rule::Object,
        DataType::VarChar => Rule::VarChar(src.plan.max_length),
        _ => Rule::Json,
    };
    each(src, out, rule)
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

fn check(src: &Src, r: usize, text: String, rule: Rule) -> Result<String, NpyError> {
    let json_err = |expected, e: serde_json::Error| NpyError::BadJson {
        loc: src.loc(r),
        field: src.field(),
        expected,
        text: shown(&text),
        error: e.to_string(),
    };
    match rule {
        Rule::VarChar(Some(max)) if text.len() > max => Err(NpyError::TooLong {
            loc: src.loc(r),
            field: src.field(),
            max,
            len: text.len(),
        }),
        Rule::VarChar(_) => Ok(text),
        Rule::Json => match serde_json::from_str::<IgnoredAny>(&text) {
            Ok(_) => Ok(text),
            Err(e) => Err(json_err("valid JSON", e)),
        },
        Rule::Object => match serde_json::from_str::<JsonObject>(&text) {
            Ok(_) => Ok(text),
            Err(e) => Err(json_err("a JSON object", e)),
        },
    }
}

/// Deserializes only from a JSON object, skipping its contents (nothing is built).
struct JsonObject;

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = JsonObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(JsonObject)
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}
