//! `schema_file`: `CollectionSchema::from_json` on any bytes.
//!
//! Properties:
//! * nothing panics;
//! * an accepted schema passes `check()`, survives a serde round trip unchanged, and
//!   written back as a schema file (the Milvus RESTful `collections/create` body) loads
//!   again as the same schema;
//! * an accepted schema keeps the per-field rules (dims, lengths, capacities, key types),
//!   and its default values fit their fields: JSON rows can be imported into it
//!   (`JsonRowConverter::new` accepts it).

use serde_json::{Map, Value, json};
use vecload::parse::json::JsonRowConverter;
use vecload::schema::{CollectionSchema, DataType, FieldSchema};

/// Partitions of a partition-key collection whose file gives none.
pub const DEFAULT_PARTITIONS: usize = 16;

/// Loads `data` as a schema file and checks every property.
pub fn check(data: &[u8]) {
    let Ok(schema) = CollectionSchema::from_json(data, DEFAULT_PARTITIONS) else {
        return;
    };
    schema.check().expect("an accepted schema passes check()");
    let text = serde_json::to_vec(&schema).expect("a schema serializes");
    let back: CollectionSchema = serde_json::from_slice(&text).expect("and deserializes");
    assert_eq!(back, schema, "serde round trip");
    back.check()
        .expect("the round-tripped schema passes check()");

    let file = serde_json::to_vec(&to_file(&schema)).expect("a schema file serializes");
    let again = CollectionSchema::from_json(&file, DEFAULT_PARTITIONS).unwrap_or_else(|e| {
        panic!(
            "an accepted schema, written back as a file, is refused: {e}\n{}",
            String::from_utf8_lossy(&file)
        )
    });
    assert_eq!(again, schema, "schema file round trip");
    for f in &schema.fields {
        field_rules(f);
    }
    if let Err(e) = JsonRowConverter::new(&schema) {
        panic!("an accepted schema cannot take JSON rows: {e}");
    }
}

/// `schema` as a schema file.
pub fn to_file(schema: &CollectionSchema) -> Value {
    let fields: Vec<Value> = schema.fields.iter().map(field_json).collect();
    json!({
        "collectionName": schema.name,
        "schema": {
            "autoId": schema.auto_id,
            "enableDynamicField": schema.enable_dynamic_field,
            "fields": fields,
        },
        "params": {
            "partitionsNum": schema.partitions_num,
            "shardsNum": schema.shards_num,
        },
    })
}

fn field_json(f: &FieldSchema) -> Value {
    let mut o = Map::new();
    o.insert("fieldName".into(), json!(f.name));
    o.insert("dataType".into(), json!(f.data_type.name()));
    o.insert("isPrimary".into(), json!(f.is_primary));
    o.insert("isPartitionKey".into(), json!(f.is_partition_key));
    o.insert("nullable".into(), json!(f.nullable));
    if let Some(t) = f.element_type {
        o.insert("elementDataType".into(), json!(t.name()));
    }
    if let Some(v) = &f.default_value {
        o.insert("defaultValue".into(), v.clone());
    }
    let mut params = Map::new();
    for (key, value) in [
        ("dim", f.dim),
        ("max_length", f.max_length),
        ("max_capacity", f.max_capacity),
    ] {
        if let Some(n) = value {
            params.insert(key.into(), json!(n));
        }
    }
    if !params.is_empty() {
        o.insert("elementTypeParams".into(), Value::Object(params));
    }
    Value::Object(o)
}

/// The rules `from_json` enforces on each field.
fn field_rules(f: &FieldSchema) {
    let t = f.data_type;
    if t.is_dense_vector() {
        let dim = f.dim.expect("a dense vector has a dim");
        assert!((1..=32768).contains(&dim), "dim {dim}");
        assert!(t != DataType::BinaryVector || dim.is_multiple_of(8));
    }
    if t.is_vector() {
        assert!(!f.nullable && f.default_value.is_none());
    }
    if t == DataType::VarChar || (t == DataType::Array && f.element_type == Some(DataType::VarChar))
    {
        assert!(f.max_length.is_some_and(|n| (1..=65535).contains(&n)));
    }
    if t == DataType::Array {
        assert!(f.element_type.is_some_and(DataType::is_array_element));
        assert!(f.max_capacity.is_some_and(|n| (1..=4096).contains(&n)));
    }
    assert!(f.default_value.as_ref().is_none_or(|v| !v.is_null()));
}
