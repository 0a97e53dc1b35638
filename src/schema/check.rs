//! The rules one field must satisfy: dims, lengths, capacities, element and struct member
//! types, and default values that fit their field.

use serde_json::Value;

use super::file::field_err;
use super::{DataType, FieldSchema, SchemaError};

/// Checks `f` (and the members of an `ArrayOfStruct` field).
pub(super) fn check_field(f: &FieldSchema) -> Result<(), SchemaError> {
    let name = f.name.as_str();
    if f.data_type.is_dense_vector() {
        let dim = f.dim.ok_or_else(|| {
            field_err(name, format!("{} needs elementTypeParams.dim", f.data_type))
        })?;
        if dim == 0 {
            return Err(field_err(name, "dim must be in 1..=32768, found 0"));
        }
        super::limits::check(
            format!("dim of field \"{name}\""),
            dim,
            super::limits::MAX_DIM,
        )?;
        if f.data_type == DataType::BinaryVector && dim % 8 != 0 {
            return Err(field_err(
                name,
                format!("a BinaryVector dim must be a multiple of 8, found {dim}"),
            ));
        }
    }
    if f.data_type.is_vector() && (f.nullable || f.default_value.is_some()) {
        return Err(field_err(
            name,
            "a vector field cannot be nullable or have a default",
        ));
    }
    if matches!(
        f.data_type,
        DataType::Geometry | DataType::Timestamptz | DataType::ArrayOfStruct
    ) && f.default_value.is_some()
    {
        return Err(field_err(
            name,
            format!("a {} field cannot have a default value", f.data_type),
        ));
    }
    if let Some(v) = &f.default_value
        && !default_fits(f.data_type, f.element_type, f.max_length, f.max_capacity, v)
    {
        return Err(field_err(
            name,
            format!("default value {v} does not fit {}", f.data_type),
        ));
    }
    let needs_length = f.data_type == DataType::VarChar
        || (f.data_type == DataType::Array && f.element_type == Some(DataType::VarChar));
    if needs_length {
        match f.max_length {
            Some(n) if (1..=65535).contains(&n) => {}
            Some(n) => {
                return Err(field_err(
                    name,
                    format!("max_length must be in 1..=65535, found {n}"),
                ));
            }
            None => {
                return Err(field_err(
                    name,
                    "VarChar needs elementTypeParams.max_length",
                ));
            }
        }
    }
    if f.data_type == DataType::Array {
        let et = f
            .element_type
            .ok_or_else(|| field_err(name, "Array needs \"elementDataType\""))?;
        if !et.is_array_element() {
            return Err(field_err(name, format!("{et} cannot be an array element")));
        }
        check_capacity(f, "Array")?;
    }
    if f.data_type == DataType::ArrayOfStruct {
        check_struct_array(f)?;
    } else if !f.struct_fields.is_empty() {
        return Err(field_err(
            name,
            format!(
                "only an ArrayOfStruct field has struct fields, not {}",
                f.data_type
            ),
        ));
    }
    Ok(())
}

fn default_fits(
    t: DataType,
    et: Option<DataType>,
    max_length: Option<usize>,
    cap: Option<usize>,
    v: &Value,
) -> bool {
    let int = |lo: i64, hi: i64| v.as_i64().is_some_and(|n| lo <= n && n <= hi);
    match t {
        DataType::Bool => v.is_boolean(),
        DataType::Int8 => int(i8::MIN.into(), i8::MAX.into()),
        DataType::Int16 => int(i16::MIN.into(), i16::MAX.into()),
        DataType::Int32 => int(i32::MIN.into(), i32::MAX.into()),
        DataType::Int64 => v.as_i64().is_some(),
        DataType::Float => v.as_f64().is_some_and(|x| (x as f32).is_finite()),
        DataType::Double => v.is_number(),
        DataType::VarChar => v
            .as_str()
            .is_some_and(|s| s.len() <= max_length.unwrap_or(usize::MAX)),
        DataType::Json => {
            v.is_object()
                || v.as_str()
                    .is_some_and(|s| serde_json::from_str::<Value>(s).is_ok())
        }
        DataType::Array => v.as_array().is_some_and(|a| {
            a.len() <= cap.unwrap_or(usize::MAX)
                && a.iter().all(|x| {
                    et.is_some_and(|et| {
                        et != DataType::Array && default_fits(et, None, max_length, None, x)
                    })
                })
        }),
        _ => false,
    }
}

/// An `ArrayOfStruct` field (Milvus 2.6.4): never nullable, a `max_capacity`, and members
/// that are scalars or FloatVectors, neither nullable nor with defaults, uniquely named.
fn check_struct_array(f: &FieldSchema) -> Result<(), SchemaError> {
    let name = f.name.as_str();
    if f.nullable {
        return Err(field_err(name, "an ArrayOfStruct field cannot be nullable"));
    }
    if f.is_primary || f.is_partition_key {
        return Err(field_err(
            name,
            "an ArrayOfStruct field cannot be the primary or partition key",
        ));
    }
    check_capacity(f, "ArrayOfStruct")?;
    if f.struct_fields.is_empty() {
        return Err(field_err(
            name,
            "an ArrayOfStruct field needs struct fields",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in &f.struct_fields {
        let label = format!("{name}[{}]", m.name);
        if !seen.insert(m.name.as_str()) {
            return Err(field_err(&label, "duplicate struct field name"));
        }
        if !m.data_type.is_struct_member() {
            return Err(field_err(
                &label,
                format!(
                    "a struct field is a scalar (Bool, Int8..Int64, Float, Double, VarChar) \
                     or a FloatVector, not {}",
                    m.data_type
                ),
            ));
        }
        if m.nullable || m.default_value.is_some() || m.is_primary || m.is_partition_key {
            return Err(field_err(
                &label,
                "a struct field cannot be nullable, have a default, or be a key",
            ));
        }
        check_field(m).map_err(|e| match e {
            SchemaError::Field { what, .. } => field_err(&label, what),
            other => other,
        })?;
    }
    Ok(())
}

/// `max_capacity` of an Array or ArrayOfStruct field: required, in 1..=4096.
fn check_capacity(f: &FieldSchema, what: &str) -> Result<(), SchemaError> {
    match f.max_capacity {
        Some(n) if (1..=4096).contains(&n) => Ok(()),
        Some(n) => Err(field_err(
            &f.name,
            format!("max_capacity must be in 1..=4096, found {n}"),
        )),
        None => Err(field_err(
            &f.name,
            format!("{what} needs elementTypeParams.max_capacity"),
        )),
    }
}
