//! A schema written back as the schema file that makes it (the body of Milvus's
//! `collections/create`): what `vecload collection describe --json` prints, which
//! [`CollectionSchema::from_json`] reads back to the same schema.

use serde_json::{Map, Value, json};

use super::{CollectionSchema, DataType, FieldSchema};

impl CollectionSchema {
    /// The schema file of this schema: `{"collectionName", "schema": {...}, "params": {...}}`
    /// (`params.partitionsNum` only for a partition-key collection).
    pub fn to_file_json(&self) -> Value {
        let fields: Vec<Value> = self.fields.iter().map(|f| field(self, f)).collect();
        let mut schema = json!({
            "autoId": self.auto_id,
            "enableDynamicField": self.enable_dynamic_field,
            "fields": fields,
        });
        if !self.functions.is_empty() {
            schema["functions"] = (self.functions.iter())
                .map(|f| {
                    json!({"name": f.name, "type": f.kind, "inputFieldNames": f.input_fields,
                           "outputFieldNames": f.output_fields, "params": f.params})
                })
                .collect();
        }
        // `partitionsNum` means something only with a partition key.
        let mut params = json!({"shardsNum": self.shards_num});
        if self.partition_key_index().is_some() {
            params["partitionsNum"] = json!(self.partitions_num);
        }
        json!({"collectionName": self.name, "schema": schema, "params": params})
    }
}

/// One field as the schema file writes it.
fn field(schema: &CollectionSchema, f: &FieldSchema) -> Value {
    let mut m = Map::new();
    m.insert("fieldName".into(), json!(f.name));
    m.insert("dataType".into(), json!(f.data_type.name()));
    let mut flag = |key: &str, on: bool| {
        if on {
            m.insert(key.into(), json!(true));
        }
    };
    flag("isPrimary", f.is_primary);
    flag("autoId", f.is_primary && schema.auto_id);
    flag("isPartitionKey", f.is_partition_key);
    flag("nullable", f.nullable);
    if let Some(et) = f.element_type {
        m.insert("elementDataType".into(), json!(et.name()));
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
        m.insert("elementTypeParams".into(), Value::Object(params));
    }
    if let Some(d) = &f.default_value {
        m.insert("defaultValue".into(), d.clone());
    }
    if f.data_type == DataType::ArrayOfStruct {
        let members = f.struct_fields.iter().map(|s| field(schema, s)).collect();
        m.insert("structFields".into(), Value::Array(members));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(file: Value) -> CollectionSchema {
        let schema = CollectionSchema::from_json(file.to_string().as_bytes(), 16).unwrap();
        let written = schema.to_file_json();
        let back = CollectionSchema::from_json(written.to_string().as_bytes(), 16).unwrap();
        assert_eq!(back, schema, "{written:#}");
        schema
    }

    /// Every type (2.6's too), every parameter, nullable fields, defaults, a partition key,
    /// an Array of Struct and a function: the file written reads back to the same schema.
    #[test]
    fn every_type_round_trips_through_its_file() {
        let a = round_trip(
            json!({"collectionName": "all_types", "schema": {"autoId": true, "enableDynamicField": true, "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "b", "dataType": "Bool", "nullable": true},
            {"fieldName": "i8", "dataType": "Int8", "defaultValue": 3},
            {"fieldName": "i16", "dataType": "Int16"},
            {"fieldName": "i32", "dataType": "Int32"},
            {"fieldName": "key", "dataType": "Int64", "isPartitionKey": true},
            {"fieldName": "f", "dataType": "Float"},
            {"fieldName": "d", "dataType": "Double", "nullable": true, "defaultValue": 1.5},
            {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}, "defaultValue": "x"},
            {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 1000}},
            {"fieldName": "j", "dataType": "JSON", "nullable": true},
            {"fieldName": "a", "dataType": "Array", "elementDataType": "VarChar", "elementTypeParams": {"max_capacity": 4, "max_length": 8}},
            {"fieldName": "fv", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}},
            {"fieldName": "bv", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}},
            {"fieldName": "sparse", "dataType": "SparseFloatVector"},
            {"fieldName": "geo", "dataType": "Geometry", "nullable": true},
            {"fieldName": "ts", "dataType": "Timestamptz"}],
            "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"], "outputFieldNames": ["sparse"], "params": {}}]},
            "params": {"partitionsNum": 8, "shardsNum": 2}}),
        );
        let b = round_trip(
            json!({"collectionName": "more_types", "schema": {"fields": [
            {"fieldName": "pk", "dataType": "VarChar", "isPrimary": true, "elementTypeParams": {"max_length": 16}},
            {"fieldName": "f16", "dataType": "Float16Vector", "elementTypeParams": {"dim": 2}},
            {"fieldName": "bf16", "dataType": "BFloat16Vector", "elementTypeParams": {"dim": 2}},
            {"fieldName": "i8v", "dataType": "Int8Vector", "elementTypeParams": {"dim": 2}},
            {"fieldName": "clips", "dataType": "ArrayOfStruct", "elementTypeParams": {"max_capacity": 5}, "structFields": [
                {"fieldName": "frame", "dataType": "Int32"},
                {"fieldName": "label", "dataType": "VarChar", "elementTypeParams": {"max_length": 8}}]}]}}),
        );
        let seen: std::collections::BTreeSet<&str> = (a.fields.iter().chain(&b.fields))
            .map(|f| f.data_type.name())
            .collect();
        let missing: Vec<_> = (DataType::ALL.iter())
            .filter(|t| !seen.contains(t.name()))
            .collect();
        assert!(missing.is_empty(), "types not round-tripped: {missing:?}");
    }
}
