//! The read-only commands (`count`, `query`, `search`, `state`, `tasks`, `collection
//! list`/`describe`, `partition list`): embedded, they read the committed state through
//! [`vecload::engine::Reader`], take no lock, run no recovery and create no data directory;
//! in client mode they ask the server. Both answer the same shapes, printed here.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::args::{Cli, CollectionCmd, Command, PartitionCmd};
use super::backend::{Backend, QueryArgs, SearchArgs};
use super::output::{print, task_line};

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

/// One JSON value per line.
fn lines(values: &[Value]) -> Vec<String> {
    values.iter().map(Value::to_string).collect()
}

/// Runs a read-only command.
pub(super) fn run(cli: &Cli, b: &Backend) -> Result<()> {
    match &cli.command {
        Command::Collection(CollectionCmd::List) => {
            let names = b.list_collections()?;
            print(cli.json, &json!(names), || names.clone())
        }
        Command::Collection(CollectionCmd::Describe { name }) => {
            let (schema, parts) = b.describe(name)?;
            // The schema file `collection create` takes back, with what it now holds.
            let mut v = schema.to_file_json();
            v["partitions"] = (parts.iter())
                .map(|(name, rows)| json!({"name": name, "rows": rows}))
                .collect();
            v["rows"] = json!(parts.iter().map(|(_, rows)| rows).sum::<u64>());
            print(cli.json, &v, || {
                vec![serde_json::to_string_pretty(&v).unwrap_or_default()]
            })
        }
        Command::Partition(PartitionCmd::List { collection }) => {
            let parts = b.partitions(collection)?;
            let v: Vec<Value> = (parts.iter())
                .map(|(name, rows)| json!({"name": name, "rows": rows}))
                .collect();
            print(cli.json, &json!(v), || {
                parts.iter().map(|(n, r)| format!("{n}\t{r}")).collect()
            })
        }
        Command::State { id } => {
            let t = b.task(*id)?;
            print(cli.json, &t, || vec![task_line(&t)])
        }
        Command::Tasks { collection, limit } => {
            let tasks = b.tasks(collection.as_deref(), *limit)?;
            print(cli.json, &json!(tasks), || {
                tasks.iter().map(task_line).collect()
            })
        }
        Command::Count {
            collection,
            partition,
        } => {
            let n = b.count(collection, partition.as_deref())?;
            print(cli.json, &json!({"count": n}), || vec![n.to_string()])
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
            let q = QueryArgs {
                ids: ids.as_deref(),
                filter: filter.as_deref(),
                output: output_fields.as_deref(),
                limit: *limit,
                offset: *offset,
                partitions: (!partitions.is_empty()).then_some(partitions.as_slice()),
            };
            let rows = b.query(collection, &q)?;
            print(cli.json, &Value::Array(rows.clone()), || lines(&rows))
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
            let s = SearchArgs {
                vector,
                field: field.as_deref(),
                limit: *limit,
                metric: metric.as_deref(),
                output: output_fields.as_deref(),
                filter: filter.as_deref(),
                partitions: (!partitions.is_empty()).then_some(partitions.as_slice()),
            };
            let hits = b.search(collection, &s)?;
            print(cli.json, &Value::Array(hits.clone()), || lines(&hits))
        }
        _ => bail!("not a read-only command"),
    }
}
