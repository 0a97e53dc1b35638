//! The endpoints: one function per Milvus RESTful v2 action, each a thin call into the engine.

use serde_json::{Value, json};

use super::dto::Body;
use super::error::{ApiError, code};
use crate::engine::{Engine, ImportRequest, JobView};
use crate::ledger::{TaskState, format_utc};
use crate::query::{Filter, Metric, QueryError, QueryRequest, SearchRequest, Select};

type Answer = Result<Value, ApiError>;

fn engine_err(import: bool) -> impl Fn(crate::engine::EngineError) -> ApiError {
    move |e| ApiError::from_engine(e, import)
}

fn query_err(e: QueryError) -> ApiError {
    ApiError::from_engine(e.into(), false)
}

/// Runs `group/action` (e.g. `collections/create`, `jobs/import/describe`);
/// `idempotency_key` is the request's `Idempotency-Key` header.
pub fn dispatch(
    engine: &Engine,
    route: &str,
    body: &[u8],
    idempotency_key: Option<&str>,
) -> Answer {
    let b = Body::parse(body)?;
    let bucket = engine.options().storage.bucket();
    if let Some(known) = known_keys(route) {
        b.check_keys(known, bucket.as_deref())?;
    }
    let e = engine_err(false);
    match route {
        "collections/create" => {
            let full = b.0.contains_key("schema");
            b.check_keys(
                if full { &CREATE_KEYS[..4] } else { CREATE_KEYS },
                bucket.as_deref(),
            )?;
            engine.create_collection_from_json(body).map_err(&e)?;
            Ok(json!({}))
        }
        "collections/list" => Ok(json!(
            engine
                .list_collections()
                .iter()
                .map(|c| c.schema.name.clone())
                .collect::<Vec<_>>()
        )),
        "collections/describe" => {
            let c = engine
                .describe_collection(&b.str("collectionName")?)
                .map_err(&e)?;
            let s = &c.schema;
            let field = |f: &crate::schema::FieldSchema| {
                let mut v = json!({"name": f.name, "type": f.data_type.name(), "primaryKey": f.is_primary,
                       "partitionKey": f.is_partition_key, "autoId": s.auto_id && f.is_primary,
                       "nullable": f.nullable, "params": {"dim": f.dim, "max_length": f.max_length,
                       "max_capacity": f.max_capacity, "element_type": f.element_type.map(|t| t.name())}});
                if let Some(function) = &f.function {
                    v["functionOutput"] = json!(function);
                }
                v
            };
            let fields: Vec<Value> = s
                .fields
                .iter()
                .map(|f| {
                    let mut v = field(f);
                    if !f.struct_fields.is_empty() {
                        v["structFields"] = f.struct_fields.iter().map(field).collect();
                    }
                    v
                })
                .collect();
            let functions: Vec<Value> = s
                .functions
                .iter()
                .map(|f| {
                    json!({"name": f.name, "type": f.kind, "inputFieldNames": f.input_fields,
                           "outputFieldNames": f.output_fields, "params": f.params})
                })
                .collect();
            let indexes: Vec<Value> = (s.fields.iter())
                .filter_map(|f| f.index.as_ref().map(|i| (f, i)))
                .map(|(f, i)| {
                    json!({"fieldName": f.name, "indexName": i.index_name.clone().unwrap_or_else(|| f.name.clone()),
                           "metricType": i.metric_type, "indexType": i.index_type, "params": i.params})
                })
                .collect();
            Ok(
                json!({"collectionName": s.name, "autoId": s.auto_id, "enableDynamicField": s.enable_dynamic_field,
                      "fields": fields, "functions": functions, "indexes": indexes, "shardsNum": s.shards_num,
                      "partitionsNum": c.partitions.len(), "rowCount": c.rows(None),
                      "partitions": c.partitions.iter().map(|p| p.name.clone()).collect::<Vec<_>>()}),
            )
        }
        "collections/drop" => {
            engine
                .drop_collection(&b.str("collectionName")?)
                .map_err(&e)?;
            Ok(json!({}))
        }
        "partitions/create" => {
            engine
                .create_partition(&b.str("collectionName")?, &b.str("partitionName")?)
                .map_err(&e)?;
            Ok(json!({}))
        }
        "partitions/list" => {
            let c = engine
                .describe_collection(&b.str("collectionName")?)
                .map_err(&e)?;
            Ok(json!(
                c.partitions
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
            ))
        }
        "jobs/import/create" => {
            let collection = b.str("collectionName")?;
            let units = b.units()?;
            let options = b.import_options(bucket.as_deref())?;
            let mut req = ImportRequest::job(collection, units).options(options);
            req.partition = b.opt_str("partitionName")?;
            req.idempotency_key = idempotency_key.map(str::to_string);
            let id = engine.import(req).map_err(engine_err(true))?;
            Ok(json!({"jobId": id.to_string()}))
        }
        "jobs/import/describe" | "jobs/import/get_progress" => {
            let job = engine.get_job(b.job_id()?).map_err(engine_err(true))?;
            Ok(describe_job(&job))
        }
        "jobs/import/abort" => {
            engine.abort_job(b.job_id()?).map_err(engine_err(true))?;
            Ok(json!({}))
        }
        "jobs/import/commit" => {
            // No job is ever Uncommitted yet (auto_commit=false is refused).
            let job = engine.get_job(b.job_id()?).map_err(engine_err(true))?;
            Err(ApiError::new(
                code::INVALID_PARAMETER,
                format!(
                    "import job {} is {}: only an Uncommitted job (auto_commit=false) can be committed",
                    job.job_id,
                    job.state.name()
                ),
            ))
        }
        "collections/get_stats" => {
            let c = engine
                .describe_collection(&b.str("collectionName")?)
                .map_err(&e)?;
            Ok(json!({"rowCount": c.rows(None)}))
        }
        "partitions/get_stats" => {
            let collection = b.str("collectionName")?;
            let partition = b.str("partitionName")?;
            let c = engine.describe_collection(&collection).map_err(&e)?;
            if c.partition(&partition).is_none() {
                let missing = crate::catalog::CatalogError::PartitionNotFound {
                    collection,
                    partition,
                };
                return Err(e(missing.into()));
            }
            Ok(json!({"rowCount": c.rows(Some(&partition))}))
        }
        "jobs/import/list" => {
            let collection = b.opt_str("collectionName")?;
            let mut jobs = engine.list_jobs(collection.as_deref()).map_err(&e)?;
            jobs.reverse(); // newest first
            let size = b.opt_usize("pageSize")?.filter(|&n| n > 0);
            let page = b.opt_usize("currentPage")?.unwrap_or(1).max(1);
            let (skip, take) = size.map_or((0, usize::MAX), |n| (n.saturating_mul(page - 1), n));
            let records: Vec<Value> = jobs
                .iter()
                .skip(skip)
                .take(take)
                .map(|j| {
                    let mut r = json!({"jobId": j.job_id.to_string(), "collectionName": j.collection, "state": j.state.name(), "progress": j.progress});
                    if !j.reason.is_empty() {
                        r["reason"] = json!(j.reason);
                    }
                    r
                })
                .collect();
            Ok(json!({"records": records}))
        }
        "entities/query" => {
            let collection = b.str("collectionName")?;
            engine.describe_collection(&collection).map_err(&e)?;
            let req = QueryRequest {
                select: Select::Filter(Filter::parse(&b.str("filter")?).map_err(query_err)?),
                output: b.opt_strings("outputFields")?,
                limit: b.opt_usize("limit")?.unwrap_or(100),
            };
            let rows = engine.query(&collection, &req).map_err(&e)?;
            Ok(Value::Array(rows.into_iter().map(Value::Object).collect()))
        }
        "entities/search" => search(engine, &b),
        _ => Err(ApiError::new(
            code::INVALID_PARAMETER,
            format!("unknown endpoint /v2/vectordb/{route}"),
        )),
    }
}

/// The keys of a `collections/create` body: a schema file's (the first four), or Milvus's
/// quick setup's (a body without `schema`).
const CREATE_KEYS: &[&str] = &[
    "collectionName",
    "schema",
    "params",
    "indexParams",
    "dimension",
    "metricType",
    "idType",
    "autoId",
    "primaryFieldName",
    "vectorFieldName",
];

/// The body keys each route reads (`dbName` is every route's); `None` for the routes that
/// check their own (`collections/create`: a schema file; query and search).
fn known_keys(route: &str) -> Option<&'static [&'static str]> {
    Some(match route {
        "collections/list" => &[],
        "collections/describe" | "collections/drop" | "collections/get_stats" => {
            &["collectionName"]
        }
        "partitions/create" | "partitions/get_stats" => &["collectionName", "partitionName"],
        "partitions/list" => &["collectionName"],
        "jobs/import/create" => &["collectionName", "partitionName", "files", "options"],
        "jobs/import/describe"
        | "jobs/import/get_progress"
        | "jobs/import/abort"
        | "jobs/import/commit" => &["jobId"],
        "jobs/import/list" => &["collectionName", "pageSize", "currentPage"],
        _ => return None,
    })
}

fn search(engine: &Engine, b: &Body) -> Answer {
    let e = engine_err(false);
    let collection = b.str("collectionName")?;
    let pk = engine
        .describe_collection(&collection)
        .map_err(&e)?
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
    let metric = match b
        .0
        .get("searchParams")
        .and_then(|p| p.get("metricType"))
        .and_then(Value::as_str)
    {
        Some(m) => Some(Metric::parse(m).map_err(query_err)?),
        None => None,
    };
    let output = b.opt_strings("outputFields")?;
    let field = b.opt_str("annsField")?;
    let limit = b.opt_usize("limit")?.unwrap_or(10);
    let mut out = Vec::new();
    for v in &vectors {
        let req = SearchRequest {
            field: field.as_deref(),
            vector: v,
            metric,
            limit,
            output: output.as_deref(),
        };
        for hit in engine.search(&collection, &req).map_err(&e)? {
            let mut m = hit.fields;
            m.insert(pk.clone(), hit.id);
            m.insert("distance".into(), json!(hit.distance));
            out.push(Value::Object(m));
        }
    }
    Ok(Value::Array(out))
}

fn describe_job(job: &JobView) -> Value {
    let details: Vec<Value> = job
        .tasks
        .iter()
        .map(|t| {
            let state = match t.state {
                TaskState::Pending => "Pending",
                TaskState::Started | TaskState::Persisted => "InProgress",
                TaskState::Completed => "Completed",
                TaskState::Failed | TaskState::FailedAndCleaned => "Failed",
            };
            // A failed task's rows are not visible: it imported none.
            let rows = if t.state.is_failed() { 0 } else { t.row_count };
            let mut d = json!({"fileName": format!("[{}]", t.files.join(" ")), "fileSize": 0, "progress": t.progress,
                               "state": state, "importedRows": rows, "totalRows": t.row_count,
                               "completeTime": t.complete_time.map(format_utc).unwrap_or_default()});
            if !t.failed_reason.is_empty() {
                d["reason"] = json!(t.failed_reason);
            }
            d
        })
        .collect();
    let mut v = json!({"jobId": job.job_id.to_string(), "collectionName": job.collection, "state": job.state.name(),
                       "progress": job.progress, "importedRows": job.imported_rows, "totalRows": job.tasks.iter().map(|t| t.row_count).sum::<u64>(),
                       "completeTime": job.complete_time.map(format_utc).unwrap_or_default(),
                       "fileSize": 0, "details": details});
    if !job.reason.is_empty() {
        v["reason"] = json!(job.reason);
    }
    v
}
