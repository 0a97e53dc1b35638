//! The data methods: `Import` (pymilvus's `do_bulk_insert`: the files are one unit, one
//! task), `GetImportState` / `ListImportTasks` (a task record as Milvus 2.3 shows it),
//! `Query` (expr, output fields, limit, offset, partitions, `count(*)`) and `Search`
//! (placeholder vectors, `anns_field`, topk, metric, expr, output fields).

use std::collections::BTreeMap;

use milvus::proto::common::{ImportState, KeyValuePair, PlaceholderGroup, PlaceholderType};
use milvus::proto::milvus as pb;
use milvus::proto::schema as ps;
use prost::Message;
use serde_json::{Map, Value};

use super::columns::columns;
use crate::engine::{Engine, EngineError, ImportRequest, TaskOptions};
use crate::ledger::{TaskRecord, TaskState};
use crate::query::{Filter, Metric, QueryRequest, SearchRequest, Select};
use crate::record::half_to_f32;
use crate::schema::limits::MAX_QUERY_WINDOW;
use crate::server::error::{ApiError, code};

type Answer<T> = Result<T, ApiError>;

fn engine_err(e: EngineError) -> ApiError {
    ApiError::from_engine(e, false)
}

fn invalid(what: String) -> ApiError {
    ApiError::new(code::INVALID_PARAMETER, what)
}

fn kv(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.to_string(),
    }
}

fn opt(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

/// `Import`: the request's files as one unit (Milvus 2.4+), its options read by the engine.
pub fn import(engine: &Engine, r: pb::ImportRequest) -> Answer<pb::ImportResponse> {
    let options: BTreeMap<String, String> = (r.options.iter())
        .map(|o| (o.key.clone(), o.value.clone()))
        .collect();
    let bucket = engine.options().storage.bucket();
    let options = TaskOptions::from_map(&options, bucket.as_deref())
        .map_err(|e| ApiError::from_engine(e, true))?;
    let mut req = ImportRequest::new(r.collection_name, r.files).options(options);
    req.partition = opt(&r.partition_name).map(str::to_string);
    let id = engine
        .import(req)
        .map_err(|e| ApiError::from_engine(e, true))?;
    Ok(pb::ImportResponse {
        status: None,
        tasks: vec![id as i64],
    })
}

/// A task record as `GetImportState` shows it.
pub fn import_state(engine: &Engine, t: &TaskRecord) -> pb::GetImportStateResponse {
    let state = match t.state {
        TaskState::Pending => ImportState::ImportPending,
        TaskState::Started => ImportState::ImportStarted,
        TaskState::Persisted => ImportState::ImportPersisted,
        TaskState::Completed => ImportState::ImportCompleted,
        TaskState::Failed => ImportState::ImportFailed,
        TaskState::FailedAndCleaned => ImportState::ImportFailedAndCleaned,
    };
    let collection_id = engine
        .describe_collection(&t.collection)
        .map_or(0, |c| c.id as i64);
    let mut infos = vec![
        kv("files", t.files.join(",")),
        kv("collection", &t.collection),
        kv("partition", &t.partition),
        kv("failed_reason", &t.failed_reason),
        kv("progress_percent", t.progress),
        kv("rejected_rows", t.rejected_rows),
    ];
    if t.dry_run {
        // A dry run's rows by partition, as a JSON object (Milvus has no such field).
        let partitions = serde_json::to_string(&t.partition_rows()).unwrap_or_default();
        infos.extend([kv("dry_run", true), kv("partitions", partitions)]);
    }
    pb::GetImportStateResponse {
        status: Some(super::ok()),
        state: state as i32,
        row_count: t.row_count as i64,
        id_list: t.id_ranges.iter().flatten().copied().collect(),
        infos,
        id: t.id as i64,
        collection_id,
        segment_ids: Vec::new(),
        create_ts: t.create_time as i64,
    }
}

/// `GetImportState`.
pub fn get_import_state(
    engine: &Engine,
    r: pb::GetImportStateRequest,
) -> Answer<pb::GetImportStateResponse> {
    let id = u64::try_from(r.task).map_err(|_| invalid(format!("invalid task id {}", r.task)))?;
    let t = engine.get_bulk_insert_state(id).map_err(engine_err)?;
    Ok(import_state(engine, &t))
}

/// `ListImportTasks`: the newest `limit` (every task when 0), oldest first.
pub fn list_import_tasks(
    engine: &Engine,
    r: pb::ListImportTasksRequest,
) -> Answer<pb::ListImportTasksResponse> {
    let limit = usize::try_from(r.limit).ok().filter(|&n| n > 0);
    let tasks =
        (engine.list_bulk_insert_tasks(opt(&r.collection_name), limit)).map_err(engine_err)?;
    Ok(pb::ListImportTasksResponse {
        status: None,
        tasks: tasks.iter().map(|t| import_state(engine, t)).collect(),
    })
}

fn param<'a>(params: &'a [KeyValuePair], key: &str) -> Option<&'a str> {
    (params.iter().find(|p| p.key == key)).map(|p| p.value.as_str())
}

fn count_param(params: &[KeyValuePair], key: &str) -> Answer<Option<usize>> {
    param(params, key)
        .map(|v| {
            (v.trim().parse::<usize>())
                .map_err(|_| invalid(format!("invalid parameter \"{key}\": not a count: {v}")))
        })
        .transpose()
}

fn parse_filter(expr: &str) -> Answer<Filter> {
    if expr.trim().is_empty() {
        return Ok(Filter::And(Vec::new())); // every row
    }
    Filter::parse(expr).map_err(|e| engine_err(e.into()))
}

/// `Query`: rows matching `expr`; `count(*)` as its only output counts them.
pub fn query(engine: &Engine, r: pb::QueryRequest) -> Answer<pb::QueryResults> {
    let c = engine
        .describe_collection(&r.collection_name)
        .map_err(engine_err)?;
    let partitions = Some(r.partition_names.clone()).filter(|p| !p.is_empty());
    let filter = parse_filter(&r.expr)?;
    if r.output_fields
        .iter()
        .any(|f| f.eq_ignore_ascii_case("count(*)"))
    {
        let n = if r.expr.trim().is_empty() {
            let parts = partitions.clone().unwrap_or_default();
            if parts.is_empty() {
                engine.count(&r.collection_name, None).map_err(engine_err)?
            } else {
                let mut n = 0;
                for p in &parts {
                    n += engine
                        .count(&r.collection_name, Some(p))
                        .map_err(engine_err)?;
                }
                n
            }
        } else {
            engine
                .count_matching(&r.collection_name, &filter, partitions.as_deref())
                .map_err(engine_err)?
        };
        let fd = ps::FieldData {
            r#type: ps::DataType::Int64 as i32,
            field_name: "count(*)".into(),
            field: Some(ps::field_data::Field::Scalars(ps::ScalarField {
                data: Some(ps::scalar_field::Data::LongData(ps::LongArray {
                    data: vec![n as i64],
                })),
                ..Default::default()
            })),
            ..Default::default()
        };
        return Ok(pb::QueryResults {
            fields_data: vec![fd],
            collection_name: r.collection_name,
            output_fields: vec!["count(*)".into()],
            ..Default::default()
        });
    }
    let offset = count_param(&r.query_params, "offset")?.unwrap_or(0);
    let limit = count_param(&r.query_params, "limit")?
        .unwrap_or_else(|| MAX_QUERY_WINDOW.saturating_sub(offset));
    let output = output_names(&r.output_fields);
    let req = QueryRequest {
        select: Select::Filter(filter),
        output: output.clone(),
        limit,
        offset,
        partitions,
    };
    let rows = engine.query(&r.collection_name, &req).map_err(engine_err)?;
    let fields_data = columns(&c.schema, &rows, output.as_deref(), true);
    Ok(pb::QueryResults {
        output_fields: fields_data.iter().map(|f| f.field_name.clone()).collect(),
        fields_data,
        collection_name: r.collection_name,
        primary_field_name: c.schema.primary().name.clone(),
        ..Default::default()
    })
}

/// The output fields asked for; `None` (every field) for none or `*`.
fn output_names(fields: &[String]) -> Option<Vec<String>> {
    let names: Vec<String> = (fields.iter())
        .filter(|f| !f.is_empty() && *f != "*" && *f != "%")
        .cloned()
        .collect();
    let star = fields.iter().any(|f| f == "*");
    (!names.is_empty() && !star).then_some(names)
}

/// The query vectors of a placeholder group, as floats (bytes 0..=255 for binary vectors).
fn vectors(group: &[u8]) -> Answer<Vec<Vec<f32>>> {
    let g = PlaceholderGroup::decode(group)
        .map_err(|e| invalid(format!("invalid parameter \"placeholder_group\": {e}")))?;
    let Some(p) = g.placeholders.first() else {
        return Err(invalid(
            "invalid parameter \"placeholder_group\": no vectors".into(),
        ));
    };
    let t = PlaceholderType::try_from(p.r#type).unwrap_or(PlaceholderType::None);
    let two = |b: &[u8]| u16::from_le_bytes([b[0], b.get(1).copied().unwrap_or(0)]);
    (p.values.iter())
        .map(|v| match t {
            PlaceholderType::FloatVector => Ok((v.chunks_exact(4))
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            PlaceholderType::BinaryVector => Ok(v.iter().map(|&b| f32::from(b)).collect()),
            PlaceholderType::Int8Vector => Ok(v.iter().map(|&b| f32::from(b as i8)).collect()),
            PlaceholderType::Float16Vector => {
                Ok(v.chunks_exact(2).map(|b| half_to_f32(two(b))).collect())
            }
            PlaceholderType::BFloat16Vector => Ok((v.chunks_exact(2))
                .map(|b| f32::from_bits(u32::from(two(b)) << 16))
                .collect()),
            other => Err(invalid(format!(
                "invalid parameter \"placeholder_group\": vecload searches dense vectors, not {}",
                other.as_str_name()
            ))),
        })
        .collect()
}

/// `Search`: for each query vector the `topk` nearest rows (after `offset`) matching `dsl`.
pub fn search(engine: &Engine, r: pb::SearchRequest) -> Answer<pb::SearchResults> {
    use pb::search_request::SearchInput;
    let c = engine
        .describe_collection(&r.collection_name)
        .map_err(engine_err)?;
    let Some(SearchInput::PlaceholderGroup(group)) = &r.search_input else {
        return Err(invalid(
            "invalid parameter: search by primary keys is not supported".into(),
        ));
    };
    let queries = vectors(group)?;
    crate::query::check_nq(queries.len()).map_err(|e| engine_err(e.into()))?;
    let sp = &r.search_params;
    let tuning: Map<String, Value> = param(sp, "params")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let metric = (param(sp, "metric_type").and_then(opt))
        .or_else(|| tuning.get("metric_type").and_then(Value::as_str))
        .map(Metric::parse)
        .transpose()
        .map_err(|e| engine_err(e.into()))?;
    let topk = count_param(sp, "topk")?.unwrap_or(10);
    let offset = count_param(sp, "offset")?.unwrap_or(0);
    let filter = opt(r.dsl.trim()).map(parse_filter).transpose()?;
    let output = output_names(&r.output_fields);
    let partitions = Some(r.partition_names.clone()).filter(|p| !p.is_empty());
    let pk = c.schema.primary().name.clone();
    let (mut rows, mut scores, mut topks) = (Vec::new(), Vec::new(), Vec::new());
    let mut ids: Vec<Value> = Vec::new();
    for v in &queries {
        let req = SearchRequest {
            field: param(sp, "anns_field").and_then(opt),
            vector: v,
            metric,
            limit: topk,
            offset,
            output: output.as_deref(),
            filter: filter.as_ref(),
            partitions: partitions.as_deref(),
        };
        let hits = engine
            .search(&r.collection_name, &req)
            .map_err(engine_err)?;
        topks.push(hits.len() as i64);
        for h in hits {
            scores.push(h.distance);
            ids.push(h.id);
            rows.push(h.fields);
        }
    }
    let id_field = if ids.iter().all(Value::is_i64) {
        ps::i_ds::IdField::IntId(ps::LongArray {
            data: ids.iter().filter_map(Value::as_i64).collect(),
        })
    } else {
        ps::i_ds::IdField::StrId(ps::StringArray {
            data: (ids.iter())
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
        })
    };
    let fields_data = columns(
        &c.schema,
        &rows,
        Some(output.as_deref().unwrap_or(&[])),
        false,
    );
    let results = ps::SearchResultData {
        num_queries: queries.len() as i64,
        top_k: topk as i64,
        output_fields: fields_data.iter().map(|f| f.field_name.clone()).collect(),
        fields_data,
        scores,
        ids: Some(ps::IDs {
            id_field: Some(id_field),
        }),
        topks,
        primary_field_name: pk,
        ..Default::default()
    };
    Ok(pb::SearchResults {
        status: None,
        results: Some(results),
        collection_name: r.collection_name,
        ..Default::default()
    })
}
