//! Per-type conversion of one JSON value into a column, with Milvus's rules made strict.

use simd_json::{BorrowedValue as Value, StaticNode};

use super::{describe, literal_needed, to_serde};
use crate::location::RowLocation;
use crate::record::ColumnData;
use crate::schema::{DataType, FieldSchema};
use crate::validate::RowError;
use crate::validate::numbers::{f32_to_bf16, f32_to_f16};

fn err(
    loc: &RowLocation,
    field: &FieldSchema,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> RowError {
    RowError::new(loc, &field.name, expected, found)
}

fn integer(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::Static(StaticNode::I64(n)) => Some(i128::from(*n)),
        Value::Static(StaticNode::U64(n)) => Some(i128::from(*n)),
        _ => None,
    }
}

fn number(v: &Value<'_>) -> Option<f64> {
    match v {
        // simd-json reads non-negative integers as U64: I64(0) is the text `-0`, which a
        // float field keeps as -0.0 (as `str::parse` and the exact reader do).
        Value::Static(StaticNode::I64(0)) => Some(-0.0),
        Value::Static(StaticNode::I64(n)) => Some(*n as f64),
        Value::Static(StaticNode::U64(n)) => Some(*n as f64),
        Value::Static(StaticNode::F64(x)) => Some(*x),
        _ => None,
    }
}

fn int_in<T: TryFrom<i128>>(
    v: &Value<'_>,
    loc: &RowLocation,
    field: &FieldSchema,
    t: DataType,
    range: &str,
) -> Result<T, RowError> {
    let n = integer(v).ok_or_else(|| err(loc, field, format!("an integer ({t})"), describe(v)))?;
    T::try_from(n).map_err(|_| {
        err(
            loc,
            field,
            format!("an {t} in {range}"),
            format!("{n} (out of range)"),
        )
    })
}

fn float32(
    v: &Value<'_>,
    loc: &RowLocation,
    field: &FieldSchema,
    what: &str,
) -> Result<f32, RowError> {
    let x = number(v).ok_or_else(|| err(loc, field, format!("a number ({what})"), describe(v)))?;
    let f = x as f32;
    if at_f32_midpoint(x) {
        // simd-json rounded the text to f64 first; at an f32 midpoint that double rounding
        // may differ from rounding the text once, so the exact reader decides.
        return Err(err(
            loc,
            field,
            "a number rounded once",
            "an f32 rounding midpoint",
        ));
    }
    if !f.is_finite() {
        return Err(err(
            loc,
            field,
            format!("a finite 32-bit float ({what})"),
            format!("{x:?} (out of range)"),
        ));
    }
    Ok(f)
}

/// Whether `x` lies exactly halfway between two f32 values (or in the f32 subnormal range,
/// where the check would need more care): only then can f64-then-f32 rounding differ from
/// rounding the decimal text once.
fn at_f32_midpoint(x: f64) -> bool {
    let a = x.abs();
    if a != 0.0 && a < 2.0 * f64::from(f32::MIN_POSITIVE) {
        return true;
    }
    let bits = x.to_bits() & ((1u64 << 52) - 1);
    bits & ((1u64 << 29) - 1) == 1u64 << 28
}

fn vector<'a, 'v>(
    v: &'a Value<'v>,
    loc: &RowLocation,
    field: &FieldSchema,
    len: usize,
    unit: &str,
) -> Result<&'a [Value<'v>], RowError> {
    let Value::Array(items) = v else {
        return Err(err(
            loc,
            field,
            format!("a list of {len} {unit}"),
            describe(v),
        ));
    };
    if items.len() != len {
        return Err(err(
            loc,
            field,
            format!("{len} {unit}"),
            items.len().to_string(),
        ));
    }
    Ok(items)
}

fn string<'a>(
    v: &'a Value<'_>,
    loc: &RowLocation,
    field: &FieldSchema,
) -> Result<&'a str, RowError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(err(loc, field, "a string", describe(other))),
    }
}

fn checked_len(
    s: &str,
    max: Option<usize>,
    loc: &RowLocation,
    field: &FieldSchema,
) -> Result<(), RowError> {
    match max {
        Some(m) if s.len() > m => Err(err(
            loc,
            field,
            format!("at most {m} UTF-8 bytes (max_length)"),
            format!("{} bytes", s.len()),
        )),
        _ => Ok(()),
    }
}

/// Converts `v` to `field`'s type and appends it to `out` (the field's column variant).
pub(super) fn convert(
    field: &FieldSchema,
    v: &Value<'_>,
    loc: &RowLocation,
    out: &mut ColumnData,
) -> Result<(), RowError> {
    match out {
        ColumnData::Bool(c) => match v {
            Value::Static(StaticNode::Bool(b)) => c.push(*b),
            other => return Err(err(loc, field, "true or false", describe(other))),
        },
        ColumnData::Int8(c) => c.push(int_in(v, loc, field, DataType::Int8, "-128..=127")?),
        ColumnData::Int16(c) => c.push(int_in(v, loc, field, DataType::Int16, "-32768..=32767")?),
        ColumnData::Int32(c) => c.push(int_in(v, loc, field, DataType::Int32, "-2^31..2^31")?),
        ColumnData::Int64(c) => c.push(int_in(v, loc, field, DataType::Int64, "-2^63..2^63")?),
        ColumnData::Float(c) => c.push(float32(v, loc, field, "Float")?),
        ColumnData::Double(c) => {
            let x = number(v).ok_or_else(|| err(loc, field, "a number (Double)", describe(v)))?;
            c.push(x);
        }
        ColumnData::VarChar(c) => {
            let s = string(v, loc, field)?;
            checked_len(s, field.max_length, loc, field)?;
            c.push(s.to_string());
        }
        ColumnData::Json(c) => match v {
            Value::Object(_) => {
                let value = to_serde(v).ok_or_else(|| literal_needed(loc, &field.name))?;
                c.push(value.to_string());
            }
            Value::String(s) => {
                // A full parse, not `IgnoredAny`: it refuses numbers beyond f64, as the
                // exact reader does.
                if let Err(e) = serde_json::from_str::<serde_json::Value>(s) {
                    return Err(err(
                        loc,
                        field,
                        "a JSON object or a string holding JSON",
                        format!("a string that is not JSON ({e})"),
                    ));
                }
                c.push(s.to_string());
            }
            other => {
                return Err(err(
                    loc,
                    field,
                    "a JSON object or a string holding JSON",
                    describe(other),
                ));
            }
        },
        ColumnData::FloatVector { dim, values } => {
            for x in vector(v, loc, field, *dim, "floats")? {
                values.push(float32(x, loc, field, "vector element")?);
            }
        }
        ColumnData::BinaryVector { dim, bytes } => {
            for x in vector(v, loc, field, *dim / 8, "uint8 values (dim/8 bytes)")? {
                let b = integer(x)
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| err(loc, field, "uint8 values 0..=255", describe(x)))?;
                bytes.push(b);
            }
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            let bf16 = field.data_type == DataType::BFloat16Vector;
            for x in vector(v, loc, field, *dim, "floats")? {
                let f = float32(x, loc, field, "vector element")?;
                let b = if bf16 { f32_to_bf16(f) } else { f32_to_f16(f) };
                let back = if bf16 {
                    f32::from_bits(u32::from(b) << 16)
                } else {
                    crate::record::half_to_f32(b)
                };
                if !back.is_finite() {
                    return Err(err(
                        loc,
                        field,
                        format!("a value that fits {}", field.data_type),
                        format!("{f} (overflows)"),
                    ));
                }
                bits.push(b);
            }
        }
        ColumnData::SparseFloatVector(c) => c.push(sparse(v, loc, field)?),
        ColumnData::Array(c) => {
            let Value::Array(items) = v else {
                return Err(err(loc, field, "a list", describe(v)));
            };
            let cap = field.max_capacity.unwrap_or(usize::MAX);
            if items.len() > cap {
                return Err(err(
                    loc,
                    field,
                    format!("at most {cap} elements (max_capacity)"),
                    format!("{} elements", items.len()),
                ));
            }
            let et = field.element_type.unwrap_or(DataType::Int64);
            let mut elem_field = FieldSchema::new(field.name.clone(), et);
            elem_field.max_length = field.max_length;
            let mut elems = ColumnData::empty_of(et, 0, items.len());
            for x in items.iter() {
                convert(&elem_field, x, loc, &mut elems).map_err(|mut e| {
                    e.expected = format!("array elements that are {}", e.expected);
                    e
                })?;
            }
            c.push(elems);
        }
    }
    Ok(())
}

fn sparse(
    v: &Value<'_>,
    loc: &RowLocation,
    field: &FieldSchema,
) -> Result<Vec<(u32, f32)>, RowError> {
    const WANT: &str =
        "a sparse vector: {\"indices\": [...], \"values\": [...]} or {\"<index>\": value}";
    let Value::Object(obj) = v else {
        return Err(err(loc, field, WANT, describe(v)));
    };
    let index = |x: &Value<'_>| -> Result<u32, RowError> {
        integer(x)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n != u32::MAX)
            .ok_or_else(|| err(loc, field, "sparse indices in 0..2^32-1", describe(x)))
    };
    let value = |x: &Value<'_>| -> Result<f32, RowError> {
        let f = float32(x, loc, field, "sparse value")?;
        if f < 0.0 {
            return Err(err(loc, field, "non-negative sparse values", f.to_string()));
        }
        Ok(f)
    };
    let mut pairs = Vec::with_capacity(obj.len());
    match (obj.get("indices"), obj.get("values")) {
        (Some(Value::Array(idx)), Some(Value::Array(vals))) if obj.len() == 2 => {
            if idx.len() != vals.len() {
                return Err(err(
                    loc,
                    field,
                    "as many values as indices",
                    format!("{} indices, {} values", idx.len(), vals.len()),
                ));
            }
            for (i, x) in idx.iter().zip(vals.iter()) {
                pairs.push((index(i)?, value(x)?));
            }
        }
        _ => {
            for (k, x) in obj.iter() {
                // ASCII digits only, as the exact reader: `str::parse` also takes a `+`.
                let i: u32 = Some(k)
                    .filter(|k| !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit()))
                    .and_then(|k| k.parse().ok())
                    .filter(|n| *n != u32::MAX)
                    .ok_or_else(|| err(loc, field, WANT, format!("key \"{k}\"")))?;
                pairs.push((i, value(x)?));
            }
        }
    }
    pairs.sort_by_key(|p| p.0);
    if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(err(
            loc,
            field,
            "distinct sparse indices",
            "a repeated index",
        ));
    }
    Ok(pairs)
}
