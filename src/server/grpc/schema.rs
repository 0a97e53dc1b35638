//! Schemas over gRPC: a `schema.CollectionSchema` becomes the RESTful v2 `collections/create`
//! body the engine parses and checks (so every schema rule stays in src/schema), and a
//! collection's schema becomes the `schema.CollectionSchema` that `DescribeCollection` shows.

use milvus::proto::common::KeyValuePair;
use milvus::proto::milvus::CreateCollectionRequest;
use milvus::proto::schema as ps;
use milvus::proto::schema::value_field::Data as Default_;
use prost::Message;
use serde_json::{Map, Value, json};

use crate::schema::{CollectionSchema, DataType, FieldSchema};
use crate::server::error::{ApiError, code};

fn invalid(what: String) -> ApiError {
    ApiError::new(code::INVALID_PARAMETER, what)
}

/// The name of a proto data type (`Int64`, `FloatVector`, `JSON`...), which is vecload's
/// name for the types it has; the schema parser refuses the others by name.
fn type_name(t: i32) -> Result<&'static str, ApiError> {
    ps::DataType::try_from(t)
        .map(|t| t.as_str_name())
        .map_err(|_| invalid(format!("unknown data type {t}")))
}

fn kv_object(kvs: &[KeyValuePair]) -> Map<String, Value> {
    (kvs.iter())
        .map(|kv| (kv.key.clone(), Value::String(kv.value.clone())))
        .collect()
}

/// The `collections/create` body of a `CreateCollection` request (its `schema` is the
/// serialized `schema.CollectionSchema`).
pub fn create_body(req: &CreateCollectionRequest) -> Result<Vec<u8>, ApiError> {
    let s = ps::CollectionSchema::decode(req.schema.as_slice()).map_err(|e| {
        invalid(format!(
            "invalid parameter \"schema\": not a CollectionSchema: {e}"
        ))
    })?;
    let name = if req.collection_name.is_empty() {
        &s.name
    } else {
        &req.collection_name
    };
    let mut fields = Vec::new();
    for f in s.fields.iter().filter(|f| !f.is_dynamic) {
        fields.push(field_json(f, false)?);
    }
    let mut structs = Vec::new();
    for sf in &s.struct_array_fields {
        let members = (sf.fields.iter())
            .map(|f| field_json(f, true))
            .collect::<Result<Vec<_>, _>>()?;
        structs.push(json!({"name": sf.name, "fields": members,
                            "elementTypeParams": kv_object(&sf.type_params)}));
    }
    let functions: Vec<Value> = (s.functions.iter())
        .map(|f| {
            let kind = ps::FunctionType::try_from(f.r#type)
                .map_or_else(|_| f.r#type.to_string(), |t| t.as_str_name().to_string());
            json!({"name": f.name, "type": kind, "inputFieldNames": f.input_field_names,
                   "outputFieldNames": f.output_field_names, "params": kv_object(&f.params)})
        })
        .collect();
    let mut schema = json!({"autoId": s.auto_id, "enableDynamicField": s.enable_dynamic_field,
                            "fields": fields});
    if !structs.is_empty() {
        schema["structArrayFields"] = Value::Array(structs);
    }
    if !functions.is_empty() {
        schema["functions"] = Value::Array(functions);
    }
    let mut params = Map::new();
    if req.shards_num > 0 {
        params.insert("shardsNum".into(), json!(req.shards_num));
    }
    if req.num_partitions > 0 {
        params.insert("partitionsNum".into(), json!(req.num_partitions));
    }
    let body = json!({"collectionName": name, "schema": schema, "params": params});
    Ok(body.to_string().into_bytes())
}

/// One field as the schema file says it. A member of a struct is an `Array` (or
/// `ArrayOfVector`) of its element type in the protocol, a plain field of that type in the file.
fn field_json(f: &ps::FieldSchema, member: bool) -> Result<Value, ApiError> {
    let array_like = f.data_type == ps::DataType::Array as i32
        || f.data_type == ps::DataType::ArrayOfVector as i32;
    let mut v = json!({"fieldName": f.name});
    if member && array_like {
        v["dataType"] = json!(type_name(f.element_type)?);
    } else {
        v["dataType"] = json!(type_name(f.data_type)?);
        if f.data_type == ps::DataType::Array as i32 {
            v["elementDataType"] = json!(type_name(f.element_type)?);
        }
    }
    for (key, on) in [
        ("isPrimary", f.is_primary_key),
        ("autoId", f.auto_id),
        ("nullable", f.nullable),
        ("isPartitionKey", f.is_partition_key),
    ] {
        if on {
            v[key] = json!(true);
        }
    }
    let params = kv_object(&f.type_params);
    if !params.is_empty() {
        v["elementTypeParams"] = Value::Object(params);
    }
    if let Some(d) = f.default_value.as_ref().and_then(|d| d.data.as_ref()) {
        v["defaultValue"] = match d {
            Default_::BoolData(b) => json!(b),
            Default_::IntData(n) => json!(n),
            Default_::LongData(n) => json!(n),
            Default_::FloatData(x) => json!(x),
            Default_::DoubleData(x) => json!(x),
            Default_::StringData(s) => json!(s),
            other => {
                return Err(invalid(format!(
                    "field \"{}\": a default value of this kind is not supported: {other:?}",
                    f.name
                )));
            }
        };
    }
    Ok(v)
}

/// The protocol's type of a vecload type.
pub fn proto_type(t: DataType) -> ps::DataType {
    ps::DataType::from_str_name(t.name()).unwrap_or(ps::DataType::None)
}

fn kv(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.to_string(),
    }
}

/// A field id as Milvus numbers them: user fields from 100 on, in schema order.
pub fn field_id(index: usize) -> i64 {
    100 + index as i64
}

fn field_proto(f: &FieldSchema, id: i64, auto_id: bool) -> ps::FieldSchema {
    let mut type_params = Vec::new();
    for (key, value) in [
        ("dim", f.dim),
        ("max_length", f.max_length),
        ("max_capacity", f.max_capacity),
    ] {
        if let Some(n) = value {
            type_params.push(kv(key, n));
        }
    }
    let default_value = f.default_value.as_ref().and_then(|d| {
        let data = match (f.data_type, d) {
            (DataType::Bool, Value::Bool(b)) => Default_::BoolData(*b),
            (DataType::Int8 | DataType::Int16 | DataType::Int32, v) => {
                Default_::IntData(v.as_i64()? as i32)
            }
            (DataType::Int64, v) => Default_::LongData(v.as_i64()?),
            (DataType::Float, v) => Default_::FloatData(v.as_f64()? as f32),
            (DataType::Double, v) => Default_::DoubleData(v.as_f64()?),
            (_, Value::String(s)) => Default_::StringData(s.clone()),
            _ => return None,
        };
        Some(ps::ValueField { data: Some(data) })
    });
    let index_params = (f.index.as_ref())
        .map(|i| {
            let mut kvs: Vec<KeyValuePair> = (i.params.iter())
                .map(|(k, v)| kv(k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            kvs.extend(i.metric_type.as_ref().map(|m| kv("metric_type", m)));
            kvs.extend(i.index_type.as_ref().map(|t| kv("index_type", t)));
            kvs
        })
        .unwrap_or_default();
    ps::FieldSchema {
        field_id: id,
        name: f.name.clone(),
        is_primary_key: f.is_primary,
        data_type: proto_type(f.data_type) as i32,
        type_params,
        index_params,
        auto_id: auto_id && f.is_primary,
        element_type: f.element_type.map_or(0, |t| proto_type(t) as i32),
        default_value,
        is_partition_key: f.is_partition_key,
        nullable: f.nullable,
        is_function_output: f.function.is_some(),
        ..Default::default()
    }
}

/// The `schema.CollectionSchema` of a collection; an `ArrayOfStruct` field is listed in
/// `struct_array_fields`, its members as arrays of their type (as Milvus shows them).
pub fn collection_proto(s: &CollectionSchema) -> ps::CollectionSchema {
    let mut fields = Vec::new();
    let mut structs = Vec::new();
    let mut next_member = 100 + s.fields.len() as i64 * 100;
    for (i, f) in s.fields.iter().enumerate() {
        if f.data_type != DataType::ArrayOfStruct {
            fields.push(field_proto(f, field_id(i), s.auto_id));
            continue;
        }
        let members = (f.struct_fields.iter())
            .map(|m| {
                next_member += 1;
                let mut p = field_proto(m, next_member, false);
                p.element_type = p.data_type;
                p.data_type = if m.data_type.is_vector() {
                    ps::DataType::ArrayOfVector as i32
                } else {
                    ps::DataType::Array as i32
                };
                if let Some(c) = f.max_capacity {
                    p.type_params.push(kv("max_capacity", c));
                }
                p
            })
            .collect();
        structs.push(ps::StructArrayFieldSchema {
            field_id: field_id(i),
            name: f.name.clone(),
            fields: members,
            type_params: f
                .max_capacity
                .map(|c| kv("max_capacity", c))
                .into_iter()
                .collect(),
            ..Default::default()
        });
    }
    let functions = (s.functions.iter())
        .map(|f| ps::FunctionSchema {
            name: f.name.clone(),
            r#type: ps::FunctionType::from_str_name(&f.kind).map_or(0, |t| t as i32),
            input_field_names: f.input_fields.clone(),
            output_field_names: f.output_fields.clone(),
            params: (f.params.as_object().into_iter().flatten())
                .map(|(k, v)| kv(k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect(),
            ..Default::default()
        })
        .collect();
    ps::CollectionSchema {
        name: s.name.clone(),
        auto_id: s.auto_id,
        fields,
        enable_dynamic_field: s.enable_dynamic_field,
        functions,
        struct_array_fields: structs,
        ..Default::default()
    }
}
