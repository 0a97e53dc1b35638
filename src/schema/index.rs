//! Milvus's quick-setup `collections/create` body (`dimension`, `metricType`, `idType`...)
//! and the `indexParams` of a full one: vecload searches exactly, so an index is recorded
//! on its field only for what it says about search (the metric a search without one uses).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::file::{as_count, field_err, invalid};
use super::{DataType, FieldSchema, SchemaError};

/// An index declared on a field (`indexParams`, or quick setup's `metricType`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldIndex {
    /// The metric (`COSINE`, `L2`, `IP`, `HAMMING`, ...) upper-case; `None` for scalar indexes.
    pub metric_type: Option<String>,
    /// `indexType` / `params.index_type` as given (`AUTOINDEX`, `HNSW`...).
    pub index_type: Option<String>,
    /// `indexName` as given.
    pub index_name: Option<String>,
    /// `params` as given.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub params: Map<String, Value>,
}

/// The metric quick setup records when the body names none (Milvus: COSINE).
pub const QUICK_SETUP_METRIC: &str = "COSINE";

/// The full body that quick-setup `root` stands for: an `id` primary key (`idType` Int64 or
/// VarChar, `primaryFieldName`, `autoId`), a FloatVector `vector` of `dimension`
/// (`vectorFieldName`), dynamic fields on (`params.enableDynamicField`), and an index of
/// `metricType` (COSINE by default) on the vector unless the body gives `indexParams`.
pub(super) fn expand_quick_setup(root: &Map<String, Value>) -> Result<Value, SchemaError> {
    let text = |key: &str, default: &str| -> Result<String, SchemaError> {
        match root.get(key) {
            None | Some(Value::Null) => Ok(default.to_string()),
            Some(Value::String(s)) if s.is_empty() => Ok(default.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(invalid(format!(
                "\"{key}\" must be a string, found {other}"
            ))),
        }
    };
    let dim = (root.get("dimension").and_then(as_count))
        .filter(|d| *d > 0)
        .ok_or_else(|| invalid("quick setup: \"dimension\" must be a positive integer"))?;
    let pk = text("primaryFieldName", "id")?;
    let vector = text("vectorFieldName", "vector")?;
    let metric = text("metricType", QUICK_SETUP_METRIC)?;
    let id_type = text("idType", "Int64")?;
    let mut params = root
        .get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut pk_field = json!({"fieldName": pk, "isPrimary": true});
    if id_type.eq_ignore_ascii_case("Int64") {
        pk_field["dataType"] = json!("Int64");
    } else if id_type.eq_ignore_ascii_case("VarChar") {
        let max_length = params.remove("max_length").unwrap_or(json!(65535));
        pk_field["dataType"] = json!("VarChar");
        pk_field["elementTypeParams"] = json!({"max_length": max_length});
    } else {
        return Err(invalid(format!(
            "quick setup: \"idType\" must be Int64 or VarChar, found \"{id_type}\""
        )));
    }
    let dynamic = match params.remove("enableDynamicField") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        Some(other) => {
            return Err(invalid(format!(
                "params.enableDynamicField must be true or false, found {other}"
            )));
        }
    };
    let auto_id = root.get("autoId").cloned().unwrap_or(json!(false));
    let index = match root.get("indexParams") {
        None | Some(Value::Null) => json!([{"fieldName": vector, "metricType": metric}]),
        Some(given) => given.clone(),
    };
    Ok(json!({
        "collectionName": root.get("collectionName").cloned().unwrap_or(Value::Null),
        "schema": {"autoId": auto_id, "enableDynamicField": dynamic, "fields": [pk_field,
            {"fieldName": vector, "dataType": "FloatVector", "elementTypeParams": {"dim": dim}}]},
        "params": params,
        "indexParams": index,
    }))
}

/// Records each entry of `indexParams` on its field: `fieldName` (required, a declared
/// field), `metricType` (checked against the field's type), `indexName`, `indexType` (or
/// `params.index_type`), `params`.
pub(super) fn apply_index_params(
    fields: &mut [FieldSchema],
    index_params: Option<&Value>,
) -> Result<(), SchemaError> {
    let entries = match index_params {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(invalid(format!(
                "\"indexParams\" must be a list, found {other}"
            )));
        }
    };
    for (i, entry) in entries.iter().enumerate() {
        let obj = entry
            .as_object()
            .ok_or_else(|| invalid(format!("indexParams[{i}] must be an object")))?;
        let s = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
        let name = s("fieldName")
            .ok_or_else(|| invalid(format!("indexParams[{i}] needs \"fieldName\" (a string)")))?;
        let field = (fields.iter_mut().find(|f| f.name == name)).ok_or_else(|| {
            invalid(format!(
                "indexParams[{i}]: no field \"{name}\" in the schema"
            ))
        })?;
        let params = obj
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let metric = s("metricType")
            .or_else(|| {
                params
                    .get("metric_type")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .map(|m| m.to_ascii_uppercase());
        if let Some(m) = &metric {
            check_metric(field, m)?;
        }
        let index_type = s("indexType").or_else(|| {
            params
                .get("index_type")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        if field.index.is_some() {
            return Err(field_err(&name, "more than one index in indexParams"));
        }
        field.index = Some(FieldIndex {
            metric_type: metric,
            index_type,
            index_name: s("indexName"),
            params,
        });
    }
    Ok(())
}

impl super::CollectionSchema {
    /// The schema with `entry` (one `indexParams` entry: `fieldName`, `indexName`,
    /// `metricType`, `indexType`, `params`) recorded on its field in place of the index the
    /// field had: gRPC `CreateIndex`, checked as `collections/create` checks `indexParams`.
    pub fn with_index(&self, entry: &Value) -> Result<super::CollectionSchema, SchemaError> {
        let mut next = self.clone();
        let name = entry.get("fieldName").and_then(Value::as_str);
        if let Some(f) = next
            .fields
            .iter_mut()
            .find(|f| Some(f.name.as_str()) == name)
        {
            f.index = None;
        }
        apply_index_params(&mut next.fields, Some(&Value::Array(vec![entry.clone()])))?;
        Ok(next)
    }
}

/// The metrics Milvus allows on each vector type.
fn check_metric(field: &FieldSchema, metric: &str) -> Result<(), SchemaError> {
    let allowed: &[&str] = match field.data_type {
        DataType::BinaryVector => &["HAMMING", "JACCARD"],
        DataType::SparseFloatVector => &["IP", "BM25"],
        t if t.is_vector() => &["L2", "IP", "COSINE"],
        _ => {
            return Err(field_err(
                &field.name,
                format!("metricType {metric} on a field that is not a vector"),
            ));
        }
    };
    if allowed.contains(&metric) {
        Ok(())
    } else {
        Err(field_err(
            &field.name,
            format!(
                "metricType must be one of {} for {}, found \"{metric}\"",
                allowed.join(", "),
                field.data_type
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::schema::CollectionSchema;

    fn book() -> CollectionSchema {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/book/schema.json"
        ));
        CollectionSchema::from_json(&text.unwrap_or_default(), 16).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn with_index_replaces_the_fields_index_and_checks_it() {
        let s = book();
        let entry = json!({"fieldName": "book_intro", "params": {"metric_type": "ip", "index_type": "HNSW", "M": 8}});
        let s = s.with_index(&entry).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.fields[2].index_metric(), Some("IP"));
        let l2 = json!({"fieldName": "book_intro", "metricType": "L2"});
        let s = s.with_index(&l2).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.fields[2].index_metric(), Some("L2"));
        let bad = json!({"fieldName": "book_intro", "metricType": "HAMMING"});
        let err = s.with_index(&bad).map(|_| ()).unwrap_err().to_string();
        assert!(
            err.contains("metricType must be one of L2, IP, COSINE"),
            "{err}"
        );
        let missing = json!({"fieldName": "nope", "metricType": "L2"});
        let err = s.with_index(&missing).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("no field \"nope\""), "{err}");
    }
}
