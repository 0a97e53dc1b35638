//! Presence rules: a field left out or given as null (default, null, generated id, or an
//! error), a value given for an auto-generated key, a key the schema does not know, and the
//! type a value must have; a CSV record as wide as its header.

use super::Violation;
use super::vector::SPARSE_WANT;
use crate::record::Column;
use crate::schema::{CollectionSchema, DataType, FieldSchema};

/// What a field left out of a row (or given as null) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// An auto-generated primary key, filled in after parsing.
    Generated,
    /// The field's default value.
    Default,
    /// Null (the field is nullable).
    Null,
}

/// The field at `index` is missing from a row: a generated id, its default (when
/// `has_default`), null when nullable, and otherwise an error.
pub fn missing(
    schema: &CollectionSchema,
    index: usize,
    has_default: bool,
) -> Result<Fill, Violation> {
    let field = &schema.fields[index];
    if schema.is_generated(index) {
        Ok(Fill::Generated)
    } else if has_default {
        Ok(Fill::Default)
    } else if field.nullable {
        Ok(Fill::Null)
    } else {
        let label = type_label(field);
        let a = if label.starts_with(['A', 'I']) {
            "an"
        } else {
            "a"
        };
        Err(Violation::new(
            &field.name,
            format!("{a} {label} value"),
            "no value (the field is missing)",
        ))
    }
}

/// Appends to `col` what [`missing`] or [`null`] chose; `default` is the field's default
/// value as a one-row column, when it has one.
pub fn fill(col: &mut Column, how: Fill, default: Option<&Column>) {
    match (how, default) {
        (Fill::Default, Some(d)) => _ = col.push_from(d, 0),
        (Fill::Generated, _) => {
            col.data.push_placeholder(); // the generated ids replace it after parsing
            if let Some(v) = &mut col.validity {
                v.push(true);
            }
        }
        _ => {
            col.data.push_placeholder();
            if let Some(v) = &mut col.validity {
                v.push(false);
            }
        }
    }
}

/// A field given as null: its default (when `has_default`), null when nullable, and
/// otherwise the type's error.
#[inline]
pub fn null(field: &FieldSchema, has_default: bool) -> Result<Fill, Violation> {
    if has_default {
        Ok(Fill::Default)
    } else if field.nullable {
        Ok(Fill::Null)
    } else {
        Err(wrong_type(field, "null"))
    }
}

/// A value given for a field files never hold: the auto-generated primary key, or a
/// function's output (see [`super::function_output_given`]); `found` describes it.
pub fn auto_id_given(field: &FieldSchema, found: impl Into<String>) -> Violation {
    if field.function.is_some() {
        return super::function_output_given(field, found);
    }
    Violation::new(
        &field.name,
        "no value (the primary key is auto-generated)",
        found,
    )
}

/// A key that names no field, in a collection without dynamic fields.
pub fn unknown_key(key: &str) -> Violation {
    Violation::new(
        key,
        "only fields of the schema (the collection has no dynamic field)",
        format!("unknown field \"{key}\""),
    )
}

/// A CSV record with `found` cells where the header has `header` columns.
pub fn cell_count(header: usize, found: usize) -> Violation {
    Violation::new(
        "",
        format!("{header} cells, one per header column"),
        format!("{found} cells"),
    )
}

/// A value of the wrong kind for `field` (an element's field, for Array elements);
/// `found` describes it (`string "abc"`, `null`, `a list of 3 values`).
#[cold]
pub fn wrong_type(field: &FieldSchema, found: impl Into<String>) -> Violation {
    let t = field.data_type;
    let dim = field.dim.unwrap_or(0);
    let expected = match t {
        DataType::Bool => "true or false".to_string(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            format!("an integer ({t})")
        }
        DataType::Float | DataType::Double => format!("a number ({t})"),
        DataType::VarChar => "a string".into(),
        DataType::Json => "a JSON object or a string holding JSON".into(),
        DataType::BinaryVector => format!("a list of {} uint8 values (dim/8 bytes)", dim / 8),
        DataType::Int8Vector => format!("a list of {dim} integers in -128..=127"),
        DataType::SparseFloatVector => SPARSE_WANT.into(),
        DataType::Array => "a list".into(),
        DataType::Geometry => super::GEOMETRY_WANT.into(),
        DataType::Timestamptz => super::TIMESTAMPTZ_WANT.into(),
        DataType::ArrayOfStruct => "a list of objects (structs)".into(),
        _ => format!("a list of {dim} floats"),
    };
    Violation::new(&field.name, expected, found)
}

/// An element of a vector of the wrong kind: a number for dense and sparse vectors, a byte
/// for binary vectors.
#[cold]
pub fn wrong_element(field: &FieldSchema, found: impl Into<String>) -> Violation {
    let expected = match field.data_type {
        DataType::BinaryVector => "uint8 values 0..=255",
        DataType::Int8Vector => super::INT8_ELEMENT_WANT,
        DataType::SparseFloatVector => "a number (sparse value)",
        _ => "a number (vector element)",
    };
    Violation::new(&field.name, expected, found)
}

/// The type of `field` as messages name it: `FloatVector(128)`, `Array<Int64>`, `VarChar`.
pub fn type_label(field: &FieldSchema) -> String {
    match (field.data_type, field.dim, field.element_type) {
        (t, Some(dim), _) if t.is_dense_vector() => format!("{t}({dim})"),
        (DataType::Array, _, Some(et)) => format!("Array<{et}>"),
        (t, _, _) => t.to_string(),
    }
}
