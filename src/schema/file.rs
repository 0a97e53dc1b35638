//! Loading a collection schema from the JSON body of Milvus's RESTful v2 `collections/create`
//! (a full body; a quick-setup one is expanded to a full one by [`super::index`]).

use serde_json::{Map, Value};

use super::check::check_field;
use super::nested;
use super::{CollectionSchema, DataType, FieldSchema, META_FIELD};

/// Why a schema file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SchemaError {
    /// The file is not JSON.
    #[error("schema file is not valid JSON: {0}")]
    Json(String),
    /// A required key is missing or has the wrong JSON type.
    #[error("schema: {what}")]
    Invalid {
        /// What is wrong, naming the key.
        what: String,
    },
    /// A count or size past Milvus's cap (`partitionsNum`, fields, vector fields, dim).
    #[error("schema: {0}")]
    Limit(super::limits::LimitExceeded),
    /// A field-level problem.
    #[error("schema: field \"{field}\": {what}")]
    Field {
        /// The field's name (or its index when it has none).
        field: String,
        /// What is wrong.
        what: String,
    },
}

pub(super) fn invalid(what: impl Into<String>) -> SchemaError {
    SchemaError::Invalid { what: what.into() }
}

pub(super) fn field_err(field: &str, what: impl Into<String>) -> SchemaError {
    SchemaError::Field {
        field: field.to_string(),
        what: what.into(),
    }
}

/// Reads a non-negative integer given as a number or a numeric string (Milvus accepts both).
pub(super) fn as_count(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn get_bool(
    obj: &Map<String, Value>,
    key: &str,
    ctx: &str,
) -> Result<bool, SchemaError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(invalid(format!(
            "{ctx}\"{key}\" must be true or false, found {other}"
        ))),
    }
}

impl CollectionSchema {
    /// Parses and checks a schema file. `default_partitions` is used for a partition-key
    /// collection whose file gives no `params.partitionsNum`.
    pub fn from_json(bytes: &[u8], default_partitions: usize) -> Result<Self, SchemaError> {
        let root: Value =
            serde_json::from_slice(bytes).map_err(|e| SchemaError::Json(e.to_string()))?;
        let root = root
            .as_object()
            .ok_or_else(|| invalid("the file must hold a JSON object"))?;
        if root.get("schema").is_none() && root.contains_key("dimension") {
            let full = super::index::expand_quick_setup(root)?;
            return Self::from_json(full.to_string().as_bytes(), default_partitions);
        }
        let name = root
            .get("collectionName")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("\"collectionName\" (a string) is required"))?;
        check_name(name).map_err(|w| invalid(format!("collectionName \"{name}\": {w}")))?;
        let schema = root
            .get("schema")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("\"schema\" (an object) is required"))?;
        let auto_id = get_bool(schema, "autoId", "schema.")?;
        let enable_dynamic_field = get_bool(schema, "enableDynamicField", "schema.")?;
        let raw_fields = schema
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("\"schema.fields\" (a list) is required"))?;
        let mut fields = Vec::with_capacity(raw_fields.len());
        let mut any_field_auto_id = false;
        for (i, raw) in raw_fields.iter().enumerate() {
            let (field, field_auto_id) = parse_field(i, raw)?;
            any_field_auto_id |= field_auto_id;
            fields.push(field);
        }
        fields.extend(nested::struct_array_fields(schema)?);
        let functions = nested::functions(schema, &mut fields)?;
        super::index::apply_index_params(&mut fields, root.get("indexParams"))?;
        let params = root.get("params").and_then(Value::as_object);
        let param = |key: &str| -> Result<Option<usize>, SchemaError> {
            match params.and_then(|p| p.get(key)) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => as_count(v)
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| invalid(format!("params.{key} must be a positive integer"))),
            }
        };
        let shards_num = param("shardsNum")?.unwrap_or(1);
        let partitions_num = param("partitionsNum")?.unwrap_or(default_partitions);
        let schema = CollectionSchema {
            name: name.to_string(),
            auto_id: auto_id || any_field_auto_id,
            enable_dynamic_field,
            fields,
            partitions_num,
            shards_num,
            functions,
        };
        schema.check()?;
        Ok(schema)
    }

    /// Checks the rules every schema must satisfy.
    pub fn check(&self) -> Result<(), SchemaError> {
        if self.fields.is_empty() {
            return Err(invalid("a collection needs at least one field"));
        }
        self.check_limits()?;
        let mut seen = std::collections::BTreeSet::new();
        for f in &self.fields {
            if !seen.insert(f.name.as_str()) {
                return Err(field_err(&f.name, "duplicate field name"));
            }
        }
        let pks: Vec<_> = self.fields.iter().filter(|f| f.is_primary).collect();
        match pks.as_slice() {
            [] => return Err(invalid("exactly one field must have \"isPrimary\": true")),
            [pk] => {
                if !matches!(pk.data_type, DataType::Int64 | DataType::VarChar) {
                    return Err(field_err(
                        &pk.name,
                        format!(
                            "a primary key must be Int64 or VarChar, not {}",
                            pk.data_type
                        ),
                    ));
                }
                if pk.nullable || pk.default_value.is_some() {
                    return Err(field_err(
                        &pk.name,
                        "a primary key cannot be nullable or have a default",
                    ));
                }
            }
            _ => return Err(invalid("only one field may have \"isPrimary\": true")),
        }
        let keys: Vec<_> = self.fields.iter().filter(|f| f.is_partition_key).collect();
        if keys.len() > 1 {
            return Err(invalid("only one field may be the partition key"));
        }
        if let Some(key) = keys.first() {
            if key.is_primary {
                return Err(field_err(
                    &key.name,
                    "the primary key cannot be the partition key",
                ));
            }
            if !matches!(key.data_type, DataType::Int64 | DataType::VarChar) {
                return Err(field_err(
                    &key.name,
                    format!(
                        "a partition key must be Int64 or VarChar, not {}",
                        key.data_type
                    ),
                ));
            }
            if key.nullable {
                return Err(field_err(&key.name, "a partition key cannot be nullable"));
            }
        }
        if !self.fields.iter().any(|f| f.data_type.is_vector()) {
            return Err(invalid("a collection needs at least one vector field"));
        }
        Ok(())
    }
}

/// Collection, partition and field names: a letter or `_`, then letters, digits or `_`.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("must not be empty"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return Err("must start with a letter or '_'");
        }
        _ => {}
    }
    if name.len() > 255 {
        return Err("must be at most 255 characters");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("may hold only letters, digits and '_'");
    }
    Ok(())
}

/// Partition names: letters, digits, `_` and `-`, up to 255 (the seed's partitions are years).
pub(crate) fn check_partition_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("must not be empty");
    }
    if name.len() > 255 {
        return Err("must be at most 255 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("may hold only letters, digits, '_' and '-'");
    }
    Ok(())
}

pub(super) fn parse_field(index: usize, raw: &Value) -> Result<(FieldSchema, bool), SchemaError> {
    let obj = raw
        .as_object()
        .ok_or_else(|| invalid(format!("schema.fields[{index}] must be an object")))?;
    let name = obj
        .get("fieldName")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            invalid(format!(
                "schema.fields[{index}] needs \"fieldName\" (a string)"
            ))
        })?;
    if name == META_FIELD {
        return Err(field_err(
            name,
            "the name $meta is reserved for dynamic fields",
        ));
    }
    check_name(name).map_err(|w| field_err(name, w))?;
    let ctx = format!("field \"{name}\": ");
    let type_name = obj
        .get("dataType")
        .and_then(Value::as_str)
        .ok_or_else(|| field_err(name, "\"dataType\" (a string) is required"))?;
    let element_name = obj.get("elementDataType").and_then(Value::as_str);
    let data_type: DataType = match (type_name.parse(), element_name) {
        // Milvus's SDKs say Array of Struct as an Array with element type Struct.
        (Ok(DataType::Array), Some(et)) if et.eq_ignore_ascii_case("Struct") => {
            DataType::ArrayOfStruct
        }
        (Ok(t), _) => t,
        (Err(()), _) => {
            return Err(field_err(name, format!("unknown dataType \"{type_name}\"")));
        }
    };
    let mut field = FieldSchema::new(name, data_type);
    field.is_primary = get_bool(obj, "isPrimary", &ctx)?;
    field.is_partition_key = get_bool(obj, "isPartitionKey", &ctx)?;
    field.nullable = get_bool(obj, "nullable", &ctx)?;
    let auto_id = get_bool(obj, "autoId", &ctx)?;
    if auto_id && !field.is_primary {
        return Err(field_err(name, "only the primary key can be autoId"));
    }
    field.default_value = obj.get("defaultValue").filter(|v| !v.is_null()).cloned();
    if let Some(params) = obj.get("elementTypeParams") {
        let params = params
            .as_object()
            .ok_or_else(|| field_err(name, "\"elementTypeParams\" must be an object"))?;
        for (key, value) in params {
            // Milvus ignores other keys (index hints, `mmap_enabled`...); so do we.
            let slot = match key.as_str() {
                "dim" => &mut field.dim,
                "max_length" => &mut field.max_length,
                "max_capacity" => &mut field.max_capacity,
                _ => continue,
            };
            let n = as_count(value).ok_or_else(|| {
                field_err(
                    name,
                    format!(
                        "elementTypeParams.{key} must be a non-negative integer, found {value}"
                    ),
                )
            })?;
            *slot = Some(n);
        }
    }
    if data_type == DataType::ArrayOfStruct {
        field.struct_fields = nested::members(name, obj.get("structFields"))?;
    } else if let Some(et) = element_name {
        let et: DataType = et
            .parse()
            .map_err(|()| field_err(name, format!("unknown elementDataType \"{et}\"")))?;
        field.element_type = Some(et);
    }
    check_field(&field)?;
    Ok((field, auto_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"{"collectionName": "book",
 "schema": {"autoId": false, "enableDynamicField": true,
   "fields": [
     {"fieldName": "book_id", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "word_count", "dataType": "Int64"},
     {"fieldName": "book_intro", "dataType": "FloatVector", "elementTypeParams": {"dim": "2"}}]},
 "params": {"partitionsNum": 16, "shardsNum": 1}}"#;

    #[test]
    fn parses_the_book_schema() {
        let s = CollectionSchema::from_json(BOOK.as_bytes(), 16).unwrap();
        assert_eq!(s.name, "book");
        assert!(s.enable_dynamic_field && !s.auto_id);
        assert_eq!(s.fields.len(), 3);
        assert_eq!(s.fields[2].dim, Some(2));
        assert_eq!(s.primary().name, "book_id");
        assert_eq!(s.partition_key_index(), None);
    }

    #[test]
    fn refusals_name_the_field() {
        let bad = BOOK.replace("\"FloatVector\"", "\"FloatVec\"");
        let err = CollectionSchema::from_json(bad.as_bytes(), 16).unwrap_err();
        assert!(
            err.to_string().contains("book_intro") && err.to_string().contains("FloatVec"),
            "{err}"
        );
        let no_dim = BOOK.replace(", \"elementTypeParams\": {\"dim\": \"2\"}", "");
        let err = CollectionSchema::from_json(no_dim.as_bytes(), 16).unwrap_err();
        assert!(err.to_string().contains("dim"), "{err}");
        let bad_default = BOOK.replace(
            "{\"fieldName\": \"word_count\", \"dataType\": \"Int64\"}",
            "{\"fieldName\": \"word_count\", \"dataType\": \"Int8\", \"defaultValue\": 300}",
        );
        let err = CollectionSchema::from_json(bad_default.as_bytes(), 16).unwrap_err();
        assert!(err.to_string().contains("default value 300"), "{err}");
        let two_pk = BOOK.replace(
            "\"word_count\", \"dataType\": \"Int64\"",
            "\"word_count\", \"dataType\": \"Int64\", \"isPrimary\": true",
        );
        assert!(CollectionSchema::from_json(two_pk.as_bytes(), 16).is_err());
    }
}
