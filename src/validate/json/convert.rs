//! Per-type conversion of one JSON value, read straight from the row's text, into a column,
//! with Milvus's rules made strict.

use super::lex::{Fault, Lexer, rule, unescape};
use super::sparse::sparse;
use super::value::{canonical, check_json, count_elements, describe};
use crate::record::ColumnData;
use crate::schema::{DataType, FieldSchema};
use crate::validate::float::{Decimal, plain_f32};
use crate::validate::numbers::{f32_to_bf16, f32_to_f16};

/// How a list read by [`list`] went wrong.
enum ListFault {
    /// The value is not a list.
    NotList,
    /// The list holds more than the maximum; its length.
    TooLong(usize),
    /// An element was refused; the list's length when the list is valid.
    Element(Fault, Option<usize>),
}

/// Reads the list at the cursor, handing each element (cursor on it) to `each`, up to
/// `max` elements; returns the number of elements.
#[inline]
fn list<'a>(
    lx: &mut Lexer<'a>,
    max: usize,
    mut each: impl FnMut(&mut Lexer<'a>) -> Result<(), Fault>,
) -> Result<usize, ListFault> {
    let start = lx.pos;
    if lx.peek() != Some(b'[') {
        return Err(ListFault::NotList);
    }
    lx.pos += 1;
    let total = |lx: &Lexer<'a>| count_elements(lx.b, start);
    let mut n = 0;
    if lx.eat(b']') {
        return Ok(0);
    }
    loop {
        if n == max {
            return Err(match total(lx) {
                Some(t) => ListFault::TooLong(t),
                None => ListFault::Element(lx.syntax(lx.pos, "a valid list"), None),
            });
        }
        lx.peek();
        if let Err(f) = each(lx) {
            return Err(ListFault::Element(f, total(lx)));
        }
        n += 1;
        match lx.more(b']') {
            Ok(true) => {}
            Ok(false) => return Ok(n),
            Err(f) => return Err(ListFault::Element(f, None)),
        }
    }
}

/// Reads a vector of exactly `len` elements (a wrong length wins over a bad element).
#[inline]
fn vector<'a>(
    lx: &mut Lexer<'a>,
    field: &FieldSchema,
    len: usize,
    unit: &str,
    each: impl FnMut(&mut Lexer<'a>) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let start = lx.pos;
    let wrong_len = |n: usize| rule(&field.name, format!("{len} {unit}"), n.to_string());
    match list(lx, len, each) {
        Ok(n) if n == len => Ok(()),
        // Too short, too long (counted to the end), or a bad element in a list of the
        // wrong length: the length is what is wrong.
        Ok(n) | Err(ListFault::TooLong(n)) => Err(wrong_len(n)),
        Err(ListFault::Element(_, Some(n))) if n != len => Err(wrong_len(n)),
        Err(ListFault::Element(f, _)) => Err(f),
        Err(ListFault::NotList) => Err(rule(
            &field.name,
            format!("a list of {len} {unit}"),
            describe(lx.b, start),
        )),
    }
}

/// The common float vector, fast: a list of exactly `dim` plain decimals (see
/// [`plain_f32`]), appended to `values`. On anything else returns false with the cursor
/// and `values` as they were, for the general path to decide.
#[inline]
fn plain_floats(lx: &mut Lexer<'_>, dim: usize, values: &mut Vec<f32>) -> bool {
    let start = lx.pos;
    if lx.b.get(start) != Some(&b'[') {
        return false;
    }
    lx.pos += 1;
    let base = values.len();
    values.resize(base + dim, 0.0);
    let mut left = dim;
    for slot in &mut values[base..] {
        lx.peek();
        let Some((f, end)) = plain_f32(lx.b, lx.pos) else {
            break;
        };
        *slot = f;
        lx.pos = end;
        left -= 1;
        match lx.peek() {
            Some(b',') if left > 0 => lx.pos += 1,
            Some(b']') if left == 0 => {
                lx.pos += 1;
                return true;
            }
            _ => break,
        }
    }
    values.truncate(base);
    lx.pos = start;
    false
}

/// A number at the cursor, or a refusal saying `expected`.
#[inline]
fn number<'a>(
    lx: &mut Lexer<'a>,
    field: &FieldSchema,
    expected: impl FnOnce() -> String,
) -> Result<(Decimal, &'a [u8]), Fault> {
    match lx.b.get(lx.pos) {
        Some(b'-' | b'0'..=b'9') => lx.number(),
        _ => Err(rule(&field.name, expected(), describe(lx.b, lx.pos))),
    }
}

fn text(t: &[u8]) -> String {
    String::from_utf8_lossy(t).into_owned()
}

/// An integer at the cursor, in `T`'s range.
fn int<T: TryFrom<i128>>(lx: &mut Lexer<'_>, field: &FieldSchema, t: DataType) -> Result<T, Fault> {
    let start = lx.pos;
    let (d, lit) = number(lx, field, || format!("an integer ({t})"))?;
    if !d.integer {
        return Err(rule(
            &field.name,
            format!("an integer ({t})"),
            describe(lx.b, start),
        ));
    }
    d.to_integer()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| {
            let range = match t {
                DataType::Int8 => "-128..=127",
                DataType::Int16 => "-32768..=32767",
                DataType::Int32 => "-2^31..2^31",
                _ => "-2^63..2^63",
            };
            rule(
                &field.name,
                format!("an {t} in {range}"),
                format!("{} (out of range)", text(lit)),
            )
        })
}

/// A finite 32-bit float at the cursor (integers accepted).
#[inline(always)]
pub(super) fn float32(lx: &mut Lexer<'_>, field: &FieldSchema, what: &str) -> Result<f32, Fault> {
    match plain_f32(lx.b, lx.pos) {
        Some((f, end)) => {
            lx.pos = end;
            Ok(f)
        }
        None => float32_any(lx, field, what),
    }
}

/// [`float32`] for every form of number, and the refusals.
#[inline(never)]
fn float32_any(lx: &mut Lexer<'_>, field: &FieldSchema, what: &str) -> Result<f32, Fault> {
    let (d, lit) = number(lx, field, || format!("a number ({what})"))?;
    let f = d.to_f32(lit);
    if f.is_infinite() {
        return Err(rule(
            &field.name,
            format!("a finite 32-bit float ({what})"),
            format!("{} (out of range)", text(lit)),
        ));
    }
    Ok(f)
}

/// A string at the cursor, checked against `max_length` (UTF-8 bytes), appended to `out`.
fn varchar(lx: &mut Lexer<'_>, field: &FieldSchema, out: &mut Vec<String>) -> Result<(), Fault> {
    if lx.b.get(lx.pos) != Some(&b'"') {
        return Err(rule(&field.name, "a string", describe(lx.b, lx.pos)));
    }
    let (raw, escaped) = lx.string()?;
    let s = if escaped {
        let mut s = String::with_capacity(raw.len());
        unescape(raw, &mut s);
        s
    } else {
        raw.to_string()
    };
    match field.max_length {
        Some(m) if s.len() > m => Err(rule(
            &field.name,
            format!("at most {m} UTF-8 bytes (max_length)"),
            format!("{} bytes", s.len()),
        )),
        _ => {
            out.push(s);
            Ok(())
        }
    }
}

fn json(lx: &mut Lexer<'_>, field: &FieldSchema, out: &mut Vec<String>) -> Result<(), Fault> {
    const WANT: &str = "a JSON object or a string holding JSON";
    match lx.b.get(lx.pos) {
        Some(b'{') => {
            let mut s = String::new();
            canonical(lx, &mut s, 1, &field.name)?;
            out.push(s);
        }
        Some(b'"') => {
            let (raw, escaped) = lx.string()?;
            let mut s = String::new();
            if escaped {
                unescape(raw, &mut s);
            } else {
                s.push_str(raw);
            }
            check_json(&s).map_err(|e| {
                rule(
                    &field.name,
                    WANT,
                    format!("a string that is not JSON ({e})"),
                )
            })?;
            out.push(s);
        }
        _ => return Err(rule(&field.name, WANT, describe(lx.b, lx.pos))),
    }
    Ok(())
}

/// Converts the value at the cursor to `field`'s type and appends it to `out` (the
/// field's column variant). `elem` is the element schema of an Array field.
pub(super) fn convert(
    field: &FieldSchema,
    elem: Option<&FieldSchema>,
    lx: &mut Lexer<'_>,
    out: &mut ColumnData,
) -> Result<(), Fault> {
    lx.peek();
    match out {
        ColumnData::Bool(c) => match lx.b.get(lx.pos) {
            Some(b't' | b'f') => c.push(lx.literal()? == "true"),
            _ => return Err(rule(&field.name, "true or false", describe(lx.b, lx.pos))),
        },
        ColumnData::Int8(c) => c.push(int(lx, field, DataType::Int8)?),
        ColumnData::Int16(c) => c.push(int(lx, field, DataType::Int16)?),
        ColumnData::Int32(c) => c.push(int(lx, field, DataType::Int32)?),
        ColumnData::Int64(c) => c.push(int(lx, field, DataType::Int64)?),
        ColumnData::Float(c) => c.push(float32(lx, field, "Float")?),
        ColumnData::Double(c) => {
            let (d, lit) = number(lx, field, || "a number (Double)".into())?;
            let x = d.to_f64(lit);
            if x.is_infinite() {
                return Err(rule(
                    &field.name,
                    "a finite 64-bit float (Double)",
                    format!("{} (out of range)", text(lit)),
                ));
            }
            c.push(x);
        }
        ColumnData::VarChar(c) => varchar(lx, field, c)?,
        ColumnData::Json(c) => json(lx, field, c)?,
        ColumnData::FloatVector { dim, values } => {
            if !plain_floats(lx, *dim, values) {
                vector(lx, field, *dim, "floats", |lx| {
                    values.push(float32(lx, field, "vector element")?);
                    Ok(())
                })?;
            }
        }
        ColumnData::BinaryVector { dim, bytes } => {
            vector(lx, field, *dim / 8, "uint8 values (dim/8 bytes)", |lx| {
                let start = lx.pos;
                let want = || "uint8 values 0..=255".to_string();
                let (d, _) = number(lx, field, want)?;
                let b = d.to_integer().and_then(|n| u8::try_from(n).ok());
                bytes.push(b.ok_or_else(|| rule(&field.name, want(), describe(lx.b, start)))?);
                Ok(())
            })?;
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            let bf16 = field.data_type == DataType::BFloat16Vector;
            vector(lx, field, *dim, "floats", |lx| {
                let start = lx.pos;
                let f = float32(lx, field, "vector element")?;
                let b = if bf16 { f32_to_bf16(f) } else { f32_to_f16(f) };
                let back = if bf16 {
                    f32::from_bits(u32::from(b) << 16)
                } else {
                    crate::record::half_to_f32(b)
                };
                if !back.is_finite() {
                    let lit = text(&lx.b[start..lx.pos]);
                    return Err(rule(
                        &field.name,
                        format!("a value that fits {}", field.data_type),
                        format!("{lit} (overflows)"),
                    ));
                }
                bits.push(b);
                Ok(())
            })?;
        }
        ColumnData::SparseFloatVector(c) => c.push(sparse(lx, field)?),
        ColumnData::Array(c) => c.push(array(field, elem, lx)?),
    }
    Ok(())
}

fn array(
    field: &FieldSchema,
    elem: Option<&FieldSchema>,
    lx: &mut Lexer<'_>,
) -> Result<ColumnData, Fault> {
    let start = lx.pos;
    let et = field.element_type.unwrap_or(DataType::Int64);
    let cap = field.max_capacity.unwrap_or(usize::MAX);
    let plain;
    let elem = match elem {
        Some(e) => e,
        None => {
            plain = FieldSchema::new(field.name.clone(), et);
            &plain
        }
    };
    let mut elems = ColumnData::empty_of(et, 0, 0);
    let too_long = |n: usize| {
        rule(
            &field.name,
            format!("at most {cap} elements (max_capacity)"),
            format!("{n} elements"),
        )
    };
    match list(lx, cap, |lx| convert(elem, None, lx, &mut elems)) {
        Ok(_) => Ok(elems),
        Err(ListFault::NotList) => Err(rule(&field.name, "a list", describe(lx.b, start))),
        Err(ListFault::TooLong(n)) => Err(too_long(n)),
        Err(ListFault::Element(_, Some(n))) if n > cap => Err(too_long(n)),
        Err(ListFault::Element(Fault::Rule(mut r), _)) => {
            r[1] = format!("array elements that are {}", r[1]);
            Err(Fault::Rule(r))
        }
        Err(ListFault::Element(f, _)) => Err(f),
    }
}
