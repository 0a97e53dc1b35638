//! Per-type conversion of one JSON value, read straight from the row's text, into a column,
//! with Milvus's rules made strict.

use std::borrow::Cow;

use super::lex::{Fault, Lexer, unescape};
use super::sparse::sparse;
use super::structs::structs;
use super::value::{canonical, count_elements, describe};
use crate::parse::json::float::{Decimal, plain_f32};
use crate::record::ColumnData;
use crate::schema::FieldSchema;
use crate::validate;

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
    each: impl FnMut(&mut Lexer<'a>) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let start = lx.pos;
    let wrong_len = |n: usize| validate::vector_len(field, len, n).map_err(Fault::from);
    match list(lx, len, each) {
        // Too short, too long (counted to the end), or a bad element in a list of the
        // wrong length: the length is what is wrong.
        Ok(n) | Err(ListFault::TooLong(n)) => wrong_len(n),
        Err(ListFault::Element(_, Some(n))) if n != len => wrong_len(n),
        Err(ListFault::Element(f, _)) => Err(f),
        Err(ListFault::NotList) => Err(validate::wrong_type(field, describe(lx.b, start)).into()),
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

/// A number at the cursor; anything else is refused by `wrong` (the type's or the
/// element's error).
#[inline]
fn number<'a>(
    lx: &mut Lexer<'a>,
    field: &FieldSchema,
    wrong: fn(&FieldSchema, String) -> validate::Violation,
) -> Result<(Decimal, &'a [u8]), Fault> {
    match lx.b.get(lx.pos) {
        Some(b'-' | b'0'..=b'9') => lx.number(),
        _ => Err(wrong(field, describe(lx.b, lx.pos)).into()),
    }
}

fn text(t: &[u8]) -> String {
    String::from_utf8_lossy(t).into_owned()
}

fn wrong_type(field: &FieldSchema, found: String) -> validate::Violation {
    validate::wrong_type(field, found)
}

fn wrong_element(field: &FieldSchema, found: String) -> validate::Violation {
    validate::wrong_element(field, found)
}

/// An integer at the cursor, in `T`'s range.
fn int<T: TryFrom<i128>>(lx: &mut Lexer<'_>, field: &FieldSchema) -> Result<T, Fault> {
    let start = lx.pos;
    let (d, lit) = number(lx, field, wrong_type)?;
    if !d.integer {
        return Err(validate::wrong_type(field, describe(lx.b, start)).into());
    }
    Ok(validate::integer(field, d.to_integer(), || text(lit))?)
}

/// A finite 32-bit float at the cursor (integers accepted); `element`: of a vector (or
/// sparse vector), not a Float field.
#[inline(always)]
pub(super) fn float32(
    lx: &mut Lexer<'_>,
    field: &FieldSchema,
    element: bool,
) -> Result<f32, Fault> {
    // Plain decimals (see `plain_f32`) are always finite: the rule holds without a check.
    match plain_f32(lx.b, lx.pos) {
        Some((f, end)) => {
            lx.pos = end;
            Ok(f)
        }
        None => float32_any(lx, field, element),
    }
}

/// [`float32`] for every form of number, and the refusals.
#[inline(never)]
fn float32_any(lx: &mut Lexer<'_>, field: &FieldSchema, element: bool) -> Result<f32, Fault> {
    let wrong = if element { wrong_element } else { wrong_type };
    let (d, lit) = number(lx, field, wrong)?;
    let what = match (element, field.data_type) {
        (false, _) => "Float",
        (true, crate::schema::DataType::SparseFloatVector) => "sparse value",
        (true, _) => "vector element",
    };
    Ok(validate::finite_f32(field, d.to_f32(lit), what, || {
        text(lit)
    })?)
}

/// A string at the cursor (anything else is the type's error), unescaped.
fn string(lx: &mut Lexer<'_>, field: &FieldSchema) -> Result<String, Fault> {
    if lx.b.get(lx.pos) != Some(&b'"') {
        return Err(validate::wrong_type(field, describe(lx.b, lx.pos)).into());
    }
    let (raw, escaped) = lx.string()?;
    Ok(if escaped {
        let mut s = String::with_capacity(raw.len());
        unescape(raw, &mut s);
        s
    } else {
        raw.to_string()
    })
}

/// A string at the cursor, checked against `max_length` (UTF-8 bytes), appended to `out`.
fn varchar(lx: &mut Lexer<'_>, field: &FieldSchema, out: &mut Vec<String>) -> Result<(), Fault> {
    let s = string(lx, field)?;
    validate::varchar(field, &s)?;
    out.push(s);
    Ok(())
}

fn json(lx: &mut Lexer<'_>, field: &FieldSchema, out: &mut Vec<String>) -> Result<(), Fault> {
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
            validate::json_text(&field.name, &s)?;
            out.push(s);
        }
        _ => return Err(validate::wrong_type(field, describe(lx.b, lx.pos)).into()),
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
            _ => return Err(validate::wrong_type(field, describe(lx.b, lx.pos)).into()),
        },
        ColumnData::Int8(c) => c.push(int(lx, field)?),
        ColumnData::Int16(c) => c.push(int(lx, field)?),
        ColumnData::Int32(c) => c.push(int(lx, field)?),
        ColumnData::Int64(c) => c.push(int(lx, field)?),
        ColumnData::Float(c) => c.push(float32(lx, field, false)?),
        ColumnData::Double(c) => {
            let (d, lit) = number(lx, field, wrong_type)?;
            c.push(validate::finite_f64(field, d.to_f64(lit), || text(lit))?);
        }
        ColumnData::VarChar(c) => varchar(lx, field, c)?,
        ColumnData::Json(c) => json(lx, field, c)?,
        ColumnData::FloatVector { dim, values } => {
            if !plain_floats(lx, *dim, values) {
                vector(lx, field, *dim, |lx| {
                    values.push(float32(lx, field, true)?);
                    Ok(())
                })?;
            }
        }
        ColumnData::BinaryVector { dim, bytes } => {
            vector(lx, field, *dim / 8, |lx| {
                let start = lx.pos;
                let (d, _) = number(lx, field, wrong_element)?;
                bytes.push(validate::byte(field, d.to_integer(), || {
                    describe(lx.b, start)
                })?);
                Ok(())
            })?;
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            vector(lx, field, *dim, |lx| {
                let start = lx.pos;
                let f = float32(lx, field, true)?;
                bits.push(validate::half(field, f, || text(&lx.b[start..lx.pos]))?);
                Ok(())
            })?;
        }
        ColumnData::Int8Vector { dim, values } => {
            vector(lx, field, *dim, |lx| {
                let start = lx.pos;
                let (d, _) = number(lx, field, wrong_element)?;
                values.push(validate::int8_element(field, d.to_integer(), || {
                    describe(lx.b, start)
                })?);
                Ok(())
            })?;
        }
        ColumnData::SparseFloatVector(c) => c.push(sparse(lx, field)?),
        ColumnData::Array(c) => c.push(array(field, elem, lx)?),
        ColumnData::Geometry(c) => {
            let s = string(lx, field)?;
            c.push(validate::geometry(field, &s)?);
        }
        ColumnData::Timestamptz(c) => {
            let s = string(lx, field)?;
            c.push(validate::timestamptz(field, &s)?);
        }
        ColumnData::ArrayOfStruct(c) => {
            let elem = elem.map_or_else(
                || Cow::Owned(validate::struct_element(field)),
                Cow::Borrowed,
            );
            c.push(structs(&elem, lx)?);
        }
    }
    Ok(())
}

fn array(
    field: &FieldSchema,
    elem: Option<&FieldSchema>,
    lx: &mut Lexer<'_>,
) -> Result<ColumnData, Fault> {
    let start = lx.pos;
    let elem = elem.map_or_else(|| Cow::Owned(validate::array_element(field)), Cow::Borrowed);
    let mut elems = ColumnData::empty_of(elem.data_type, 0, 0);
    // Every element is read: a list over `max_capacity` is refused for its length even
    // when one of its elements is bad too.
    let fault = match list(lx, usize::MAX, |lx| convert(&elem, None, lx, &mut elems)) {
        Ok(n) => {
            validate::array_capacity(field, n)?;
            return Ok(elems);
        }
        Err(ListFault::NotList) => {
            return Err(validate::wrong_type(field, describe(lx.b, start)).into());
        }
        Err(ListFault::TooLong(n)) => {
            validate::array_capacity(field, n)?;
            return Ok(elems);
        }
        Err(ListFault::Element(f, n)) => {
            validate::array_capacity(field, n.unwrap_or(0))?;
            f
        }
    };
    Err(match fault {
        Fault::Rule(v) => validate::array_element_error(*v).into(),
        syntax => syntax,
    })
}
