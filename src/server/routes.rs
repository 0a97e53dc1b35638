//! The endpoints: one function per Milvus RESTful v2 action, each a thin call into the engine.

use serde_json::{Value, json};

use super::dto::Body;
use super::error::{ApiError, code};
use crate::engine::{Engine, EngineError, ImportRequest};

type Answer = Result<Value, ApiError>;

fn engine_err(import: bool) -> impl Fn(crate::engine::EngineError) -> ApiError {
    move |e| ApiError::from_engine(e, import)
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
                if let Some(d) = &f.default_value {
                    v["defaultValue"] = d.clone();
                }
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
            Ok(super::jobs::describe(&job))
        }
        "jobs/import/abort" => {
            engine.abort_job(b.job_id()?).map_err(engine_err(true))?;
            Ok(json!({}))
        }
        "jobs/import/commit" => {
            // A job that is not Uncommitted: 1100 naming its state.
            engine.commit_job(b.job_id()?).map_err(|e| match e {
                EngineError::JobState { .. } => {
                    ApiError::new(code::INVALID_PARAMETER, e.to_string())
                }
                e => ApiError::from_engine(e, true),
            })?;
            Ok(json!({}))
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
                .map(super::jobs::record)
                .collect();
            Ok(json!({"records": records}))
        }
        "entities/query" => super::entities::query(engine, &b),
        "entities/search" => super::entities::search(engine, &b),
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
