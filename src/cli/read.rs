//! The read-only commands (`count`, `query`, `search`, `state`, `tasks`, `collection
//! list`/`describe`, `partition list`): they read the committed state through
//! [`vecload::engine::Reader`], take no lock, run no recovery and create no data directory.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use vecload::Engine;
use vecload::ledger::TaskRecord;
use vecload::query::{self, Key};
use vecload::schema::DataType;

use super::args::{Cli, CollectionCmd, Command, PartitionCmd};
use super::{print_json, task_line};

/// Whether `command` only reads.
pub(super) fn is_read_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Collection(CollectionCmd::List | CollectionCmd::Describe { .. })
            | Command::Partition(PartitionCmd::List { .. })
            | Command::State { .. }
            | Command::Tasks { .. }
            | Command::Count { .. }
            | Command::Query { .. }
            | Command::Search { .. }
    )
}

/// Runs a read-only command.
pub(super) fn run(cli: &Cli) -> Result<()> {
    let reader = Engine::open_read_only(&cli.data_dir)?;
    match &cli.command {
        Command::Collection(CollectionCmd::List) => {
            let names: Vec<String> = reader
                .list_collections()
                .into_iter()
                .map(|c| c.schema.name)
                .collect();
            if cli.json {
                print_json(&json!(names))?;
            } else {
                names.iter().for_each(|n| println!("{n}"));
            }
        }
        Command::Collection(CollectionCmd::Describe { name }) => {
            let c = reader.describe_collection(name)?;
            let v = json!({
                "collection": c.schema.name,
                "schema": c.schema,
                "partitions": c.partitions.iter().map(|p| json!({"name": p.name, "rows": p.rows()})).collect::<Vec<_>>(),
                "rows": c.rows(None),
            });
            if cli.json {
                print_json(&v)?;
            } else {
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        }
        Command::Partition(PartitionCmd::List { collection }) => {
            let c = reader.describe_collection(collection)?;
            if cli.json {
                print_json(&json!(
                    c.partitions
                        .iter()
                        .map(|p| json!({"name": p.name, "rows": p.rows()}))
                        .collect::<Vec<_>>()
                ))?;
            } else {
                c.partitions
                    .iter()
                    .for_each(|p| println!("{}\t{}", p.name, p.rows()));
            }
        }
        Command::State { id } => {
            let rec = reader.get_bulk_insert_state(*id)?;
            if cli.json {
                print_json(&rec.to_json())?;
            } else {
                println!("{}", task_line(&rec));
            }
        }
        Command::Tasks { collection, limit } => {
            let tasks = reader.list_bulk_insert_tasks(collection.as_deref(), *limit)?;
            if cli.json {
                print_json(&Value::Array(
                    tasks.iter().map(TaskRecord::to_json).collect(),
                ))?;
            } else {
                tasks.iter().for_each(|t| println!("{}", task_line(t)));
            }
        }
        Command::Count {
            collection,
            partition,
        } => {
            let n = reader.count(collection, partition.as_deref())?;
            if cli.json {
                print_json(&json!({"count": n}))?;
            } else {
                println!("{n}");
            }
        }
        Command::Query {
            collection,
            ids,
            filter,
            output_fields,
            limit,
            offset,
            partitions,
        } => {
            let schema = reader.describe_collection(collection)?.schema;
            let select = match (ids, filter) {
                (Some(ids), None) => {
                    let int_pk = schema.primary().data_type == DataType::Int64;
                    query::Select::Ids(Key::parse_list(ids, int_pk)?)
                }
                (None, Some(expr)) => query::Select::Filter(query::Filter::parse(expr)?),
                _ => bail!("give exactly one of --ids or --filter"),
            };
            let req = query::QueryRequest {
                select,
                output: output_fields.clone(),
                limit: *limit,
                offset: *offset,
                partitions: (!partitions.is_empty()).then(|| partitions.clone()),
            };
            let rows = reader.query(collection, &req)?;
            let rows: Vec<Value> = rows.into_iter().map(Value::Object).collect();
            if cli.json {
                print_json(&Value::Array(rows))?;
            } else {
                rows.iter().for_each(|r| println!("{r}"));
            }
        }
        Command::Search {
            collection,
            vector,
            field,
            limit,
            metric,
            output_fields,
            filter,
            partitions,
        } => {
            let vector: Vec<f32> =
                serde_json::from_str(vector).context("--vector must be a JSON list of numbers")?;
            let metric = metric.as_deref().map(query::Metric::parse).transpose()?;
            let filter = filter.as_deref().map(query::Filter::parse).transpose()?;
            let req = query::SearchRequest {
                field: field.as_deref(),
                vector: &vector,
                metric,
                limit: *limit,
                output: output_fields.as_deref(),
                filter: filter.as_ref(),
                partitions: (!partitions.is_empty()).then_some(partitions.as_slice()),
                ..Default::default()
            };
            let hits = reader.search(collection, &req)?;
            let hits: Vec<Value> = hits
                .into_iter()
                .map(|h| {
                    let mut m = serde_json::Map::new();
                    m.insert("id".into(), h.id);
                    m.insert("distance".into(), json!(h.distance));
                    m.extend(h.fields);
                    Value::Object(m)
                })
                .collect();
            if cli.json {
                print_json(&Value::Array(hits))?;
            } else {
                hits.iter().for_each(|h| println!("{h}"));
            }
        }
        _ => bail!("not a read-only command"),
    }
    Ok(())
}
