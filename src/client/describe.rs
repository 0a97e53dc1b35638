//! A collection's schema from the server's `collections/describe` answer, so that client mode
//! prints the schema file embedded mode prints.

use serde_json::{Map, Value, json};

use crate::schema::{CollectionSchema, SchemaError};

/// The schema a `collections/describe` answer describes (vecload's shape: `params` as an
/// object), read through the schema-file reader so the same rules hold.
pub fn schema_of_describe(d: &Value) -> Result<CollectionSchema, SchemaError> {
    let empty = Vec::new();
    let list = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .clone()
    };
    let fields: Vec<Value> = list(d, "fields").iter().map(field).collect();
    let mut schema = json!({
        "autoId": d.get("autoId").cloned().unwrap_or(json!(false)),
        "enableDynamicField": d.get("enableDynamicField").cloned().unwrap_or(json!(false)),
        "fields": fields,
    });
    let functions = list(d, "functions");
    if !functions.is_empty() {
        schema["functions"] = Value::Array(functions);
    }
    let mut params = json!({"shardsNum": d.get("shardsNum").cloned().unwrap_or(json!(1))});
    if let Some(n) = d.get("partitionsNum") {
        params["partitionsNum"] = n.clone();
    }
    let file =
        json!({"collectionName": d.get("collectionName"), "schema": schema, "params": params});
    // A collection without a partition key ignores `partitionsNum`: the engine's default.
    CollectionSchema::from_json(file.to_string().as_bytes(), 16).map(|mut s| {
        if s.partition_key_index().is_none() {
            s.partitions_num = 16;
        }
        s
    })
}

/// One field of the describe answer as a schema file writes it.
fn field(f: &Value) -> Value {
    let mut m = Map::new();
    let copy = |m: &mut Map<String, Value>, from: &str, to: &str| {
        if let Some(v) = f.get(from).filter(|v| !v.is_null() && **v != json!(false)) {
            m.insert(to.into(), v.clone());
        }
    };
    copy(&mut m, "name", "fieldName");
    copy(&mut m, "type", "dataType");
    copy(&mut m, "primaryKey", "isPrimary");
    copy(&mut m, "partitionKey", "isPartitionKey");
    copy(&mut m, "autoId", "autoId");
    copy(&mut m, "nullable", "nullable");
    copy(&mut m, "defaultValue", "defaultValue");
    let params = f.get("params").and_then(Value::as_object);
    let mut type_params = Map::new();
    for (key, value) in params.into_iter().flatten() {
        match key.as_str() {
            "element_type" if !value.is_null() => {
                m.insert("elementDataType".into(), value.clone());
            }
            "dim" | "max_length" | "max_capacity" if !value.is_null() => {
                type_params.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    if !type_params.is_empty() {
        m.insert("elementTypeParams".into(), Value::Object(type_params));
    }
    if let Some(members) = f.get("structFields").and_then(Value::as_array) {
        m.insert("structFields".into(), members.iter().map(field).collect());
    }
    Value::Object(m)
}
