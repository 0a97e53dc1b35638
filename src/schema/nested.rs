//! The parts of a schema file beyond plain fields: Array of Struct fields (Milvus 2.6.4,
//! given as `schema.structArrayFields` or as a field with `structFields`) and functions
//! (`schema.functions`, whose output fields are never read from files).

use serde_json::{Map, Value};

use super::file::{as_count, field_err, invalid, parse_field};
use super::{DataType, FieldSchema, FunctionSchema, SchemaError};

/// The members of an `ArrayOfStruct` field named `name`, from its `structFields` (or
/// `fields`) list.
pub(super) fn members(name: &str, raw: Option<&Value>) -> Result<Vec<FieldSchema>, SchemaError> {
    let list = raw
        .and_then(Value::as_array)
        .ok_or_else(|| field_err(name, "ArrayOfStruct needs \"structFields\" (a list)"))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let (member, auto_id) = parse_field(i, raw).map_err(|e| match e {
            SchemaError::Field { field, what } => field_err(&format!("{name}[{field}]"), what),
            SchemaError::Invalid { what } => field_err(name, what),
            other => other,
        })?;
        if auto_id {
            return Err(field_err(
                &format!("{name}[{}]", member.name),
                "a struct field cannot be autoId",
            ));
        }
        out.push(member);
    }
    Ok(out)
}

/// The fields of Milvus's `schema.structArrayFields`: `{"name", "fields": [...],
/// "elementTypeParams": {"max_capacity": N}}` each.
pub(super) fn struct_array_fields(
    schema: &Map<String, Value>,
) -> Result<Vec<FieldSchema>, SchemaError> {
    let Some(raw) = schema.get("structArrayFields").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let list = raw
        .as_array()
        .ok_or_else(|| invalid("\"schema.structArrayFields\" must be a list"))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let obj = raw
            .as_object()
            .ok_or_else(|| invalid(format!("schema.structArrayFields[{i}] must be an object")))?;
        let name = obj
            .get("name")
            .or_else(|| obj.get("fieldName"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                invalid(format!(
                    "schema.structArrayFields[{i}] needs \"name\" (a string)"
                ))
            })?;
        super::file::check_name(name).map_err(|w| field_err(name, w))?;
        let mut field = FieldSchema::new(name, DataType::ArrayOfStruct);
        let capacity = obj
            .get("elementTypeParams")
            .and_then(|p| p.get("max_capacity"))
            .or_else(|| obj.get("maxCapacity"));
        if let Some(v) = capacity {
            field.max_capacity = Some(as_count(v).ok_or_else(|| {
                field_err(
                    name,
                    format!(
                        "elementTypeParams.max_capacity must be a non-negative integer, found {v}"
                    ),
                )
            })?);
        }
        let list = obj.get("fields").or_else(|| obj.get("structFields"));
        field.struct_fields = members(name, list)?;
        super::check::check_field(&field)?;
        out.push(field);
    }
    Ok(out)
}

fn names(obj: &Map<String, Value>, key: &str, ctx: &str) -> Result<Vec<String>, SchemaError> {
    obj.get(key)
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid(format!("{ctx} needs \"{key}\" (a list of field names)")))
}

/// The functions of `schema.functions` (`{"name", "type", "inputFieldNames",
/// "outputFieldNames", "params"}`), each output field marked in `fields`.
pub(super) fn functions(
    schema: &Map<String, Value>,
    fields: &mut [FieldSchema],
) -> Result<Vec<FunctionSchema>, SchemaError> {
    let Some(raw) = schema.get("functions").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let list = raw
        .as_array()
        .ok_or_else(|| invalid("\"schema.functions\" must be a list"))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let ctx = format!("schema.functions[{i}]");
        let obj = raw
            .as_object()
            .ok_or_else(|| invalid(format!("{ctx} must be an object")))?;
        let text = |key: &str| {
            obj.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| invalid(format!("{ctx} needs \"{key}\" (a string)")))
        };
        let f = FunctionSchema {
            name: text("name")?,
            kind: text("type")?,
            input_fields: names(obj, "inputFieldNames", &ctx)?,
            output_fields: names(obj, "outputFieldNames", &ctx)?,
            params: obj.get("params").cloned().unwrap_or(Value::Null),
        };
        check_function(&f, fields)?;
        for out_name in &f.output_fields {
            if let Some(field) = fields.iter_mut().find(|x| &x.name == out_name) {
                field.function = Some(f.name.clone());
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// A function reads fields that exist and writes vector fields that exist, are no key and
/// no other function's output; BM25 reads one VarChar and writes one SparseFloatVector.
fn check_function(f: &FunctionSchema, fields: &[FieldSchema]) -> Result<(), SchemaError> {
    let ctx = format!("function \"{}\"", f.name);
    let find = |n: &str| {
        fields
            .iter()
            .find(|x| x.name == n)
            .ok_or_else(|| invalid(format!("{ctx} names the unknown field \"{n}\"")))
    };
    for n in &f.input_fields {
        find(n)?;
    }
    for n in &f.output_fields {
        let field = find(n)?;
        if !field.data_type.is_vector() || field.is_primary || field.is_partition_key {
            return Err(field_err(
                n,
                format!(
                    "{ctx} can only write a vector field, not {}",
                    field.data_type
                ),
            ));
        }
        if let Some(other) = &field.function {
            return Err(field_err(
                n,
                format!("already the output of function \"{other}\""),
            ));
        }
        if f.input_fields.contains(n) {
            return Err(field_err(n, format!("{ctx} reads and writes it")));
        }
    }
    if f.kind.eq_ignore_ascii_case("BM25") {
        let input_ok =
            f.input_fields.len() == 1 && find(&f.input_fields[0])?.data_type == DataType::VarChar;
        let output_ok = f.output_fields.len() == 1
            && find(&f.output_fields[0])?.data_type == DataType::SparseFloatVector;
        if !(input_ok && output_ok) {
            return Err(invalid(format!(
                "{ctx}: BM25 reads one VarChar field and writes one SparseFloatVector field"
            )));
        }
    }
    Ok(())
}
