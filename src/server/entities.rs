//! `entities/query` and `entities/search`: every body key honoured (`filter`,
//! `outputFields`, `limit`, `offset`, `partitionNames`, `annsField`, `searchParams`,
//! `consistencyLevel`) or accepted only at its empty or default value, else refused with
//! code 1100 naming it (docs/http-api.md).

use serde_json::{Map, Value, json};

use super::dto::Body;
use super::error::{ApiError, code};
use crate::engine::Engine;
use crate::query::{Filter, Metric, QueryError, QueryRequest, SearchRequest, Select};

type Answer = Result<Value, ApiError>;

fn query_err(e: QueryError) -> ApiError {
    ApiError::from_engine(e.into(), false)
}

fn engine_err(e: crate::engine::EngineError) -> ApiError {
    ApiError::from_engine(e, false)
}

fn invalid(msg: String) -> ApiError {
    ApiError::new(code::INVALID_PARAMETER, msg)
}

/// Whether `v` is the empty or default value of a key vecload does not implement.
fn is_default(key: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty() || (key == "dbName" && s == "default"),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Refuses a key outside `known` whose value is not empty or default.
fn check_keys(map: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), ApiError> {
    for (k, v) in map {
        if !known.contains(&k.as_str()) && !is_default(k, v) {
            return Err(invalid(format!(
                "invalid parameter: {what}\"{k}\" is not supported (only its empty or default value is accepted), found {v}"
            )));
        }
    }
    Ok(())
}

const COMMON: [&str; 7] = [
    "collectionName",
    "filter",
    "outputFields",
    "limit",
    "offset",
    "partitionNames",
    "consistencyLevel",
];

fn partitions(b: &Body) -> Result<Option<Vec<String>>, ApiError> {
    Ok(b.opt_strings("partitionNames")?.filter(|p| !p.is_empty()))
}

fn filter(b: &Body) -> Result<Option<Filter>, ApiError> {
    b.opt_str("filter")?
        .filter(|f| !f.trim().is_empty())
        .map(|f| Filter::parse(&f).map_err(query_err))
        .transpose()
}

/// `entities/query`: rows matching `filter` (every row when it is empty).
pub fn query(engine: &Engine, b: &Body) -> Answer {
    check_keys(&b.0, &COMMON, "")?;
    let collection = b.str("collectionName")?;
    if b.0.get("filter").is_none_or(Value::is_null) {
        return Err(ApiError::new(
            code::MISSING_PARAMETER,
            "missing required parameters, error: \"filter\" is required (\"\" selects every row)",
        ));
    }
    // An empty filter: every row (an empty `and` holds).
    let select = Select::Filter(filter(b)?.unwrap_or(Filter::And(Vec::new())));
    let req = QueryRequest {
        select,
        output: b.opt_strings("outputFields")?.filter(|o| !o.is_empty()),
        limit: b.opt_usize("limit")?.unwrap_or(100),
        offset: b.opt_usize("offset")?.unwrap_or(0),
        partitions: partitions(b)?,
    };
    let rows = engine.query(&collection, &req).map_err(engine_err)?;
    Ok(Value::Array(rows.into_iter().map(Value::Object).collect()))
}

/// The metric of `searchParams` (`metricType` or `metric_type`); index-tuning `params`
/// accepted, range search refused.
fn search_params(b: &Body) -> Result<Option<Metric>, ApiError> {
    let params = match b.0.get("searchParams") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(p)) => p,
        Some(_) => {
            return Err(ApiError::new(
                code::MALFORMED_JSON,
                "can only accept json format request, error: \"searchParams\" must be an object",
            ));
        }
    };
    check_keys(
        params,
        &["metricType", "metric_type", "params"],
        "searchParams.",
    )?;
    if let Some(Value::Object(tuning)) = params.get("params") {
        for key in ["radius", "range_filter"] {
            if tuning.contains_key(key) {
                return Err(invalid(format!(
                    "invalid parameter: searchParams.params.{key}: range search is not supported yet"
                )));
            }
        }
        check_keys(
            tuning,
            &["nprobe", "ef", "search_list", "level"],
            "searchParams.params.",
        )?;
    }
    match params
        .get("metricType")
        .or_else(|| params.get("metric_type"))
    {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(m)) if m.is_empty() => Ok(None),
        Some(Value::String(m)) => Metric::parse(m).map(Some).map_err(query_err),
        Some(other) => Err(invalid(format!(
            "invalid parameter: searchParams.metricType must be a string, found {other}"
        ))),
    }
}

/// `entities/search`: the `limit` nearest rows to each vector of `data`, after `offset`.
pub fn search(engine: &Engine, b: &Body) -> Answer {
    let mut known = COMMON.to_vec();
    known.extend(["data", "annsField", "searchParams"]);
    check_keys(&b.0, &known, "")?;
    let collection = b.str("collectionName")?;
    let pk = engine
        .describe_collection(&collection)
        .map_err(engine_err)?
        .schema
        .primary()
        .name
        .clone();
    let data = b.0.get("data").ok_or_else(|| {
        ApiError::new(
            code::MISSING_PARAMETER,
            "missing required parameters, error: \"data\" is required",
        )
    })?;
    let vectors: Vec<Vec<f32>> = serde_json::from_value(data.clone())
        .map_err(|err| ApiError::new(code::MALFORMED_JSON, format!("can only accept json format request, error: \"data\" must be a list of vectors: {err}")))?;
    crate::query::check_nq(vectors.len()).map_err(query_err)?;
    let metric = search_params(b)?;
    let output = b.opt_strings("outputFields")?.filter(|o| !o.is_empty());
    let field = b.opt_str("annsField")?;
    let filter = filter(b)?;
    let partitions = partitions(b)?;
    let mut out = Vec::new();
    for v in &vectors {
        let req = SearchRequest {
            field: field.as_deref(),
            vector: v,
            metric,
            limit: b.opt_usize("limit")?.unwrap_or(10),
            offset: b.opt_usize("offset")?.unwrap_or(0),
            output: output.as_deref(),
            filter: filter.as_ref(),
            partitions: partitions.as_deref(),
        };
        for hit in engine.search(&collection, &req).map_err(engine_err)? {
            let mut m = hit.fields;
            m.insert(pk.clone(), hit.id);
            m.insert("distance".into(), json!(hit.distance));
            out.push(Value::Object(m));
        }
    }
    Ok(Value::Array(out))
}
