//! Arrow arrays into a field's [`Column`]: each value read into a typed value and checked
//! by the rule book; a null goes through [`validate::null`] and [`validate::fill`].
//!
//! A refused value is returned as `(index in the array, violation)`; the reader turns it
//! into a row error with the row's location.

mod lists;
mod nested;
mod nums;
mod strings;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType as Arrow;

pub(super) use lists::Lists;
pub(super) use nested::Timestamps;
pub(super) use nums::Nums;
pub(super) use strings::Strings;

use crate::record::{Column, ColumnData};
use crate::schema::FieldSchema;
use crate::validate::{self, Violation};

/// A refused value: its index in the array and the rule it broke.
pub(super) type Refusal = (usize, Violation);

/// What a field's values are read with: the field, its Array element schema and its
/// default value.
pub(super) struct Target<'a> {
    pub field: &'a FieldSchema,
    pub elem: Option<&'a FieldSchema>,
    pub default: Option<&'a Column>,
}

/// Appends every value of `array` to `out` (the field's column).
pub(super) fn append(t: &Target<'_>, array: &ArrayRef, out: &mut Column) -> Result<(), Refusal> {
    let field = t.field;
    // Vectors of floats without nulls, the bulk of most files: straight copies.
    if let ColumnData::FloatVector { dim, values } = &mut out.data
        && array.null_count() == 0
        && lists::float_vectors(field, *dim, array, values)?
    {
        return Ok(());
    }
    let has_default = t.default.is_some();
    let n = array.len();
    let values: Option<Values<'_>> = Values::of(field, array);
    let Some(values) = values else {
        // An all-null column (Arrow type `null`), or a type the file check let through.
        if *array.data_type() == Arrow::Null {
            for i in 0..n {
                let how = validate::null(field, has_default).map_err(|v| (i, v))?;
                validate::fill(out, how, t.default);
            }
            return Ok(());
        }
        return Err((
            0,
            validate::wrong_type(field, format!("Arrow type {}", array.data_type())),
        ));
    };
    for i in 0..n {
        if array.is_null(i) {
            let how = validate::null(field, has_default).map_err(|v| (i, v))?;
            validate::fill(out, how, t.default);
            continue;
        }
        values.push(t, i, &mut out.data).map_err(|v| (i, v))?;
        if let Some(v) = &mut out.validity {
            v.push(true);
        }
    }
    Ok(())
}

/// An array's values, viewed as the field reads them.
enum Values<'a> {
    Bool(&'a arrow_array::BooleanArray),
    Nums(Nums<'a>),
    Strings(Strings<'a>),
    Bytes(lists::Bytes<'a>),
    Lists(Lists<'a>),
    Timestamps(Timestamps<'a>),
    SparseStruct {
        indices: Lists<'a>,
        values: Lists<'a>,
    },
}

impl<'a> Values<'a> {
    fn of(field: &FieldSchema, array: &'a ArrayRef) -> Option<Self> {
        use crate::schema::DataType as T;
        let a = array.as_ref();
        Some(match field.data_type {
            T::Bool => Values::Bool(a.as_boolean_opt()?),
            T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::Float | T::Double => {
                Values::Nums(Nums::of(a)?)
            }
            T::VarChar | T::Json => Values::Strings(Strings::of(a)?),
            T::SparseFloatVector => match Strings::of(a) {
                Some(s) => Values::Strings(s),
                None => {
                    let st = a.as_struct_opt()?;
                    let (i, v) = super::types::sparse_struct(a.data_type())?;
                    Values::SparseStruct {
                        indices: Lists::of(st.column(i))?,
                        values: Lists::of(st.column(v))?,
                    }
                }
            },
            T::BinaryVector | T::Float16Vector | T::BFloat16Vector => match lists::Bytes::of(a) {
                Some(b) => Values::Bytes(b),
                None => Values::Lists(Lists::of(array)?),
            },
            T::FloatVector | T::Int8Vector | T::Array | T::ArrayOfStruct => {
                Values::Lists(Lists::of(array)?)
            }
            T::Geometry => Values::Strings(Strings::of(a)?),
            T::Timestamptz => match Strings::of(a) {
                Some(s) => Values::Strings(s),
                None => Values::Timestamps(Timestamps::of(a)?),
            },
        })
    }

    /// Appends value `i` (not null) to `out`.
    fn push(&self, t: &Target<'_>, i: usize, out: &mut ColumnData) -> Result<(), Violation> {
        let field = t.field;
        match (self, out) {
            (Values::Bool(a), ColumnData::Bool(c)) => c.push(a.value(i)),
            (Values::Nums(n), out) => n.push_scalar(field, i, out)?,
            (Values::Strings(s), ColumnData::VarChar(c)) => {
                let v = s.value(i);
                validate::varchar(field, v)?;
                c.push(v.to_string());
            }
            (Values::Strings(s), ColumnData::Json(c)) => {
                let v = s.value(i);
                validate::json_text(&field.name, v)?;
                c.push(v.to_string());
            }
            (Values::Strings(s), ColumnData::Geometry(c)) => {
                c.push(validate::geometry(field, s.value(i))?);
            }
            (Values::Strings(s), ColumnData::Timestamptz(c)) => {
                c.push(validate::timestamptz(field, s.value(i))?);
            }
            (Values::Timestamps(ts), ColumnData::Timestamptz(c)) => c.push(ts.micros(field, i)?),
            (Values::Strings(s), ColumnData::SparseFloatVector(c)) => {
                c.push(strings::sparse_json(field, s.value(i))?);
            }
            (Values::SparseStruct { indices, values }, ColumnData::SparseFloatVector(c)) => {
                c.push(lists::sparse_pairs(field, indices, values, i)?);
            }
            (Values::Bytes(b), out) => lists::bytes_vector(field, b.value(i), out)?,
            (Values::Lists(l), ColumnData::Array(c)) => c.push(lists::array(t, l, i)?),
            (Values::Lists(l), ColumnData::ArrayOfStruct(c)) => c.push(nested::structs(t, l, i)?),
            (Values::Lists(l), out) => lists::vector(field, l, i, out)?,
            (_, out) => {
                return Err(validate::wrong_type(
                    field,
                    format!("a value that cannot be read as {}", variant(out)),
                ));
            }
        }
        Ok(())
    }
}

fn variant(out: &ColumnData) -> &'static str {
    match out {
        ColumnData::Bool(_) => "Bool",
        ColumnData::Array(_) => "Array",
        ColumnData::VarChar(_) => "VarChar",
        ColumnData::Json(_) => "JSON",
        _ => "this type",
    }
}
