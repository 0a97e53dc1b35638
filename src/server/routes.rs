//! The endpoints: one function per Milvus RESTful v2 action, each a thin call into the engine.

use serde_json::{Value, json};

use super::dto::Body;
use super::error::{ApiError, code};
use crate::engine::{Engine, ImportRequest, JobView};
use crate::ledger::{TaskState, format_utc};

type Answer = Result<Value, ApiError>;

fn engine_err(import: bool) -> impl Fn(crate::engine::EngineError) -> ApiError {
    move |e| ApiError::from_engine(e, import)
}

/// Runs `group/action` (e.g. `collections/create`, `jobs/import/describe`).
pub fn dispatch(engine: &Engine, route: &str, body: &[u8]) -> Answer {
    let b = Body::parse(body)?;
    let e = engine_err(false);
    match route {
        "collections/create" => {
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
            Ok(
                json!({"collectionName": s.name, "autoId": s.auto_id, "enableDynamicField": s.enable_dynamic_field,
                      "fields": fields, "functions": functions, "shardsNum": s.shards_num,
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
            let mut req = ImportRequest::job(collection, units).options(b.import_options()?);
            req.partition = b.opt_str("partitionName")?;
            let id = engine.import(req).map_err(engine_err(true))?;
            Ok(json!({"jobId": id.to_string()}))
        }
        "jobs/import/describe" | "jobs/import/get_progress" => {
            let job = engine.get_job(b.job_id()?).map_err(engine_err(true))?;
            Ok(describe_job(&job))
        }
        "jobs/import/list" => {
            let collection = b.opt_str("collectionName")?;
            let jobs = engine.list_jobs(collection.as_deref()).map_err(&e)?;
            let records: Vec<Value> = jobs
                .iter()
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
        "entities/query" => super::entities::query(engine, &b),
        "entities/search" => super::entities::search(engine, &b),
        _ => Err(ApiError::new(
            code::INVALID_PARAMETER,
            format!("unknown endpoint /v2/vectordb/{route}"),
        )),
    }
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
