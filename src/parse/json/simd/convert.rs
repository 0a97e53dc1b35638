//! Per-type conversion of one value parsed by simd-json into a column; every rule is the
//! rule book's. A value this path cannot convert exactly as the exact reader would (a
//! number at an f32 rounding midpoint, a non-integer number in a JSON value) is declined.

use simd_json::{BorrowedValue as Value, StaticNode};

use super::{describe, to_serde};
use crate::location::RowLocation;
use crate::record::ColumnData;
use crate::schema::{DataType, FieldSchema};
use crate::validate::{self, RowError, Violation};

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

fn int<T: TryFrom<i128>>(v: &Value<'_>, field: &FieldSchema) -> Result<T, Violation> {
    let n = integer(v).ok_or_else(|| validate::wrong_type(field, describe(v)))?;
    validate::integer(field, Some(n), || n.to_string())
}

/// A 32-bit float; `element`: of a vector or sparse vector, not a Float field.
fn float32(v: &Value<'_>, field: &FieldSchema, element: bool) -> Result<f32, Violation> {
    let Some(x) = number(v) else {
        return Err(if element {
            validate::wrong_element(field, describe(v))
        } else {
            validate::wrong_type(field, describe(v))
        });
    };
    if at_f32_midpoint(x) {
        // simd-json rounded the text to f64 first; at an f32 midpoint that double rounding
        // may differ from rounding the text once, so the exact reader decides.
        return Err(Violation::new(
            &field.name,
            "a number rounded once",
            "an f32 rounding midpoint",
        ));
    }
    let what = match (element, field.data_type) {
        (false, _) => "Float",
        (true, DataType::SparseFloatVector) => "sparse value",
        (true, _) => "vector element",
    };
    validate::finite_f32(field, x as f32, what, || format!("{x:?}"))
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

/// The elements of a vector of `len` elements.
fn vector<'a, 'v>(
    v: &'a Value<'v>,
    field: &FieldSchema,
    len: usize,
) -> Result<&'a [Value<'v>], Violation> {
    let Value::Array(items) = v else {
        return Err(validate::wrong_type(field, describe(v)));
    };
    validate::vector_len(field, len, items.len())?;
    Ok(items)
}

/// Converts `v` to `field`'s type and appends it to `out` (the field's column variant).
pub(super) fn convert(
    field: &FieldSchema,
    v: &Value<'_>,
    loc: &RowLocation,
    out: &mut ColumnData,
) -> Result<(), RowError> {
    convert_value(field, v, loc, out).map_err(|e| match e {
        Refusal::Rule(v) => v.at(loc),
        Refusal::Declined(e) => e,
    })
}

/// Why a value was not converted.
enum Refusal {
    /// A rule of the rule book.
    Rule(Violation),
    /// The row is left to the exact reader.
    Declined(RowError),
}

impl From<Violation> for Refusal {
    fn from(v: Violation) -> Self {
        Refusal::Rule(v)
    }
}

fn convert_value(
    field: &FieldSchema,
    v: &Value<'_>,
    loc: &RowLocation,
    out: &mut ColumnData,
) -> Result<(), Refusal> {
    match out {
        ColumnData::Bool(c) => match v {
            Value::Static(StaticNode::Bool(b)) => c.push(*b),
            other => return Err(validate::wrong_type(field, describe(other)).into()),
        },
        ColumnData::Int8(c) => c.push(int(v, field)?),
        ColumnData::Int16(c) => c.push(int(v, field)?),
        ColumnData::Int32(c) => c.push(int(v, field)?),
        ColumnData::Int64(c) => c.push(int(v, field)?),
        ColumnData::Float(c) => c.push(float32(v, field, false)?),
        ColumnData::Double(c) => {
            let x = number(v).ok_or_else(|| validate::wrong_type(field, describe(v)))?;
            c.push(validate::finite_f64(field, x, || format!("{x:?}"))?);
        }
        ColumnData::VarChar(c) => {
            let Value::String(s) = v else {
                return Err(validate::wrong_type(field, describe(v)).into());
            };
            validate::varchar(field, s)?;
            c.push(s.to_string());
        }
        ColumnData::Json(c) => match v {
            Value::Object(_) => {
                let value = to_serde(&field.name, v, 1, loc).map_err(Refusal::Declined)?;
                c.push(value.to_string());
            }
            Value::String(s) => {
                validate::json_text(&field.name, s)?;
                c.push(s.to_string());
            }
            other => return Err(validate::wrong_type(field, describe(other)).into()),
        },
        ColumnData::FloatVector { dim, values } => {
            for x in vector(v, field, *dim)? {
                values.push(float32(x, field, true)?);
            }
        }
        ColumnData::BinaryVector { dim, bytes } => {
            for x in vector(v, field, *dim / 8)? {
                bytes.push(validate::byte(field, integer(x), || describe(x))?);
            }
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            for x in vector(v, field, *dim)? {
                let f = float32(x, field, true)?;
                bits.push(validate::half(field, f, || f.to_string())?);
            }
        }
        ColumnData::Int8Vector { dim, values } => {
            for x in vector(v, field, *dim)? {
                values.push(validate::int8_element(field, integer(x), || describe(x))?);
            }
        }
        ColumnData::SparseFloatVector(c) => c.push(sparse(v, field)?),
        ColumnData::Array(c) => {
            let Value::Array(items) = v else {
                return Err(validate::wrong_type(field, describe(v)).into());
            };
            validate::array_capacity(field, items.len())?;
            let elem = validate::array_element(field);
            let mut elems = ColumnData::empty_of(elem.data_type, 0, items.len());
            for x in items.iter() {
                convert_value(&elem, x, loc, &mut elems).map_err(|e| match e {
                    Refusal::Rule(v) => Refusal::Rule(validate::array_element_error(v)),
                    declined => declined,
                })?;
            }
            c.push(elems);
        }
        ColumnData::Geometry(c) => {
            let Value::String(s) = v else {
                return Err(validate::wrong_type(field, describe(v)).into());
            };
            c.push(validate::geometry(field, s)?);
        }
        ColumnData::Timestamptz(c) => {
            let Value::String(s) = v else {
                return Err(validate::wrong_type(field, describe(v)).into());
            };
            c.push(validate::timestamptz(field, s)?);
        }
        // Lists of structs are rare: the exact reader takes the row.
        ColumnData::ArrayOfStruct(_) => {
            return Err(Refusal::Declined(RowError::new(
                loc,
                &field.name,
                "a value the fast path converts",
                "a list of structs (left to the exact reader)",
            )));
        }
    }
    Ok(())
}

fn sparse(v: &Value<'_>, field: &FieldSchema) -> Result<Vec<(u32, f32)>, Violation> {
    let Value::Object(obj) = v else {
        return Err(validate::wrong_type(field, describe(v)));
    };
    let value = |x: &Value<'_>| -> Result<f32, Violation> {
        validate::sparse_value(field, float32(x, field, true)?)
    };
    let mut pairs = Vec::with_capacity(obj.len());
    match (obj.get("indices"), obj.get("values")) {
        (Some(Value::Array(idx)), Some(Value::Array(vals))) if obj.len() == 2 => {
            validate::sparse_lengths(field, idx.len(), vals.len())?;
            for (i, x) in idx.iter().zip(vals.iter()) {
                let index = validate::sparse_index(field, integer(i), || describe(i))?;
                pairs.push((index, value(x)?));
            }
        }
        _ => {
            for (k, x) in obj.iter() {
                pairs.push((validate::sparse_key(field, k)?, value(x)?));
            }
        }
    }
    validate::sparse_pairs(field, &mut pairs)?;
    Ok(pairs)
}
