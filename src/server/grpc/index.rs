//! The index methods: `CreateIndex` records the index on its field in the catalog (the
//! `indexParams` rules of `collections/create`); the others report it built, since vecload
//! searches exactly.

use milvus::proto::common::{IndexState, KeyValuePair, Status};
use milvus::proto::milvus as pb;
use serde_json::{Map, Value, json};

use super::schema;
use crate::catalog::Collection;
use crate::engine::Engine;
use crate::server::error::{ApiError, code};

fn kv(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.to_string(),
    }
}

fn collection(engine: &Engine, name: &str) -> Result<Collection, ApiError> {
    engine
        .describe_collection(name)
        .map_err(|e| ApiError::from_engine(e, false))
}

/// The indexes of a collection that `field` / `index` (empty: any) select, as `DescribeIndex`
/// shows them: built (vecload searches exactly).
fn indexes(c: &Collection, field: &str, index: &str) -> Vec<pb::IndexDescription> {
    let rows = c.rows(None) as i64;
    (c.schema.fields.iter().enumerate())
        .filter_map(|(i, f)| f.index.as_ref().map(|x| (i, f, x)))
        .filter(|(_, f, _)| field.is_empty() || f.name == field)
        .map(|(i, f, x)| {
            let name = x.index_name.clone().unwrap_or_else(|| f.name.clone());
            let mut params = vec![kv("params", Value::Object(x.params.clone()))];
            params.extend(x.index_type.as_ref().map(|t| kv("index_type", t)));
            params.extend(x.metric_type.as_ref().map(|m| kv("metric_type", m)));
            pb::IndexDescription {
                index_name: name,
                index_id: schema::field_id(i),
                params,
                field_name: f.name.clone(),
                indexed_rows: rows,
                total_rows: rows,
                state: IndexState::Finished as i32,
                ..Default::default()
            }
        })
        .filter(|d| index.is_empty() || d.index_name == index)
        .collect()
}

fn index_of(
    engine: &Engine,
    c: &str,
    field: &str,
    index: &str,
) -> Result<pb::IndexDescription, ApiError> {
    let found = indexes(&collection(engine, c)?, field, index)
        .into_iter()
        .next();
    found.ok_or_else(|| {
        ApiError::new(
            code::INDEX_NOT_FOUND,
            format!("index not found[collection={c}]"),
        )
    })
}

/// The `indexParams` entry of a `CreateIndex` request: `params` (JSON text) merged with the
/// other extra parameters (`index_type`, `metric_type`, ...).
fn index_entry(r: &pb::CreateIndexRequest) -> Result<Value, ApiError> {
    let mut params = Map::new();
    for p in &r.extra_params {
        if p.key == "params" {
            let inner: Value = serde_json::from_str(&p.value).map_err(|e| {
                ApiError::new(
                    code::INVALID_PARAMETER,
                    format!("invalid index params {}: {e}", p.value),
                )
            })?;
            params.extend(inner.as_object().cloned().unwrap_or_default());
        } else {
            params.insert(p.key.clone(), Value::String(p.value.clone()));
        }
    }
    let mut entry = json!({"fieldName": r.field_name, "params": params});
    if !r.index_name.is_empty() {
        entry["indexName"] = json!(r.index_name);
    }
    Ok(entry)
}

/// `CreateIndex`.
pub fn create(e: &Engine, r: pb::CreateIndexRequest) -> Result<Status, ApiError> {
    e.set_index(&r.collection_name, &index_entry(&r)?)
        .map_err(|e| ApiError::from_engine(e, false))?;
    Ok(super::ok())
}

/// `DescribeIndex`: code 700 when the field has none.
pub fn describe(
    e: &Engine,
    r: pb::DescribeIndexRequest,
) -> Result<pb::DescribeIndexResponse, ApiError> {
    let found = indexes(
        &collection(e, &r.collection_name)?,
        &r.field_name,
        &r.index_name,
    );
    if found.is_empty() {
        let message = format!("index not found[collection={}]", r.collection_name);
        return Err(ApiError::new(code::INDEX_NOT_FOUND, message));
    }
    Ok(pb::DescribeIndexResponse {
        status: None,
        index_descriptions: found,
    })
}

/// `GetIndexState`: Finished.
pub fn state(
    e: &Engine,
    r: pb::GetIndexStateRequest,
) -> Result<pb::GetIndexStateResponse, ApiError> {
    let d = index_of(e, &r.collection_name, &r.field_name, &r.index_name)?;
    Ok(pb::GetIndexStateResponse {
        status: None,
        state: d.state,
        fail_reason: String::new(),
    })
}

/// `GetIndexBuildProgress`: every row indexed.
pub fn build_progress(
    e: &Engine,
    r: pb::GetIndexBuildProgressRequest,
) -> Result<pb::GetIndexBuildProgressResponse, ApiError> {
    let d = index_of(e, &r.collection_name, &r.field_name, &r.index_name)?;
    Ok(pb::GetIndexBuildProgressResponse {
        status: None,
        indexed_rows: d.indexed_rows,
        total_rows: d.total_rows,
    })
}
