//! The command line: a thin layer over [`vecload::Engine`]. `anyhow` lives here and in main.

mod args;
mod bench;
mod config;
mod fault;
mod settings;
mod storage;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use vecload::ledger::{TaskRecord, TaskState, format_utc};
use vecload::query::{self, Key};
use vecload::schema::DataType;
use vecload::{Engine, ImportRequest, TaskOptions};

use args::{Cli, CollectionCmd, Command, PartitionCmd};

/// Runs the command line; errors go to stderr as one line.
pub fn main() -> ExitCode {
    let cli = Cli::parse_args();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if is_usage(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether `e` is a usage error (exit 2): a request past one of Milvus's caps.
fn is_usage(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<vecload::EngineError>()
            .is_some_and(|e| e.limit().is_some())
            || matches!(
                c.downcast_ref::<query::QueryError>(),
                Some(query::QueryError::Limit(_))
            )
            || matches!(
                c.downcast_ref::<vecload::schema::SchemaError>(),
                Some(vecload::schema::SchemaError::Limit(_))
            )
    })
}

fn print_json(v: &Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn task_line(t: &TaskRecord) -> String {
    let mut s = format!(
        "task {} {} ({}) collection={} partition={} rows={} progress={}% created={}",
        t.id,
        t.state.name(),
        t.state.code(),
        t.collection,
        if t.partition.is_empty() {
            "-"
        } else {
            &t.partition
        },
        t.row_count,
        t.progress,
        format_utc(t.create_time)
    );
    if !t.failed_reason.is_empty() {
        s.push_str(&format!(" reason: {}", t.failed_reason));
    }
    s
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::InspectSegment { file } = &cli.command {
        let summary = vecload::segment::read_meta(file)
            .with_context(|| format!("inspecting {}", file.display()))?;
        println!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::BenchImport(args) = &cli.command {
        return bench::run(&cli, args);
    }
    let engine = Engine::open(&cli.data_dir, settings::resolve(&cli)?)?;
    match cli.command {
        Command::Collection(CollectionCmd::Create { schema }) => {
            let bytes = std::fs::read(&schema)
                .with_context(|| format!("reading schema file {}", schema.display()))?;
            let name = engine.create_collection_from_json(&bytes)?;
            if cli.json {
                print_json(&json!({"collection": name}))?;
            } else {
                println!("created collection {name}");
            }
        }
        Command::Collection(CollectionCmd::List) => {
            let names: Vec<String> = engine
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
            let c = engine.describe_collection(&name)?;
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
        Command::Collection(CollectionCmd::Drop { name }) => {
            engine.drop_collection(&name)?;
            if !cli.json {
                println!("dropped collection {name}");
            }
        }
        Command::Partition(PartitionCmd::Create {
            collection,
            partition,
        }) => {
            engine.create_partition(&collection, &partition)?;
            if !cli.json {
                println!("created partition {partition} in {collection}");
            }
        }
        Command::Partition(PartitionCmd::List { collection }) => {
            let c = engine.describe_collection(&collection)?;
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
        Command::Import {
            collection,
            partition,
            detach,
            sep,
            null_key,
            files,
        } => {
            if detach {
                bail!(
                    "--detach needs a running server (--server URL): the embedded engine stops when this command exits"
                );
            }
            let mut options = TaskOptions::default();
            options.sep = sep;
            options.null_key = null_key;
            let mut req = ImportRequest::new(&collection, files).options(options);
            req.partition = partition;
            let id = engine.import(req)?;
            eprintln!("task {id} queued");
            let rec = wait_with_progress(&engine, id)?;
            if cli.json {
                print_json(&rec.to_json())?;
            } else {
                println!("{}", task_line(&rec));
            }
            if rec.state != TaskState::Completed {
                eprintln!(
                    "error: import task {id} {}: {}",
                    rec.state.name(),
                    rec.failed_reason
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::State { id } => {
            let rec = engine.get_bulk_insert_state(id)?;
            if cli.json {
                print_json(&rec.to_json())?;
            } else {
                println!("{}", task_line(&rec));
            }
        }
        Command::Tasks { collection, limit } => {
            let tasks = engine.list_bulk_insert_tasks(collection.as_deref(), limit)?;
            if cli.json {
                print_json(&Value::Array(
                    tasks.iter().map(TaskRecord::to_json).collect(),
                ))?;
            } else {
                tasks.iter().for_each(|t| println!("{}", task_line(t)));
            }
        }
        Command::Cancel { id } => {
            let rec = engine.cancel(id)?;
            if cli.json {
                print_json(&rec.to_json())?;
            } else {
                println!("{}", task_line(&rec));
            }
        }
        Command::Count {
            collection,
            partition,
        } => {
            let n = engine.count(&collection, partition.as_deref())?;
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
        } => {
            let schema = engine.describe_collection(&collection)?.schema;
            let select = match (ids, filter) {
                (Some(ids), None) => {
                    let int_pk = schema.primary().data_type == DataType::Int64;
                    query::Select::Ids(Key::parse_list(&ids, int_pk)?)
                }
                (None, Some(expr)) => query::Select::Filter(query::Filter::parse(&expr)?),
                _ => bail!("give exactly one of --ids or --filter"),
            };
            let req = query::QueryRequest {
                select,
                output: output_fields,
                limit,
            };
            let rows = engine.query(&collection, &req)?;
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
        } => {
            let vector: Vec<f32> =
                serde_json::from_str(&vector).context("--vector must be a JSON list of numbers")?;
            let metric = metric.as_deref().map(query::Metric::parse).transpose()?;
            let req = query::SearchRequest {
                field: field.as_deref(),
                vector: &vector,
                metric,
                limit,
                output: output_fields.as_deref(),
            };
            let hits = engine.search(&collection, &req)?;
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
        Command::Serve { listen } => {
            // `--token`, `VECLOAD_TOKEN` or `server.token`; an empty one is none.
            let token = (engine.options().server.token.clone()).filter(|t| !t.is_empty());
            let state = vecload::server::AppState {
                engine: std::sync::Arc::new(engine),
                token,
            };
            vecload::server::serve(state, listen, |addr| {
                eprintln!("vecload: serving on http://{addr}")
            })
            .with_context(|| format!("serving on {listen}"))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::InspectSegment { .. } | Command::BenchImport(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits for a task, drawing its progress on stderr when stderr is a terminal.
fn wait_with_progress(engine: &Engine, id: u64) -> Result<TaskRecord> {
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    loop {
        let rec = engine.wait(id, Some(Duration::from_millis(500)))?;
        if matches!(
            rec.state,
            TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned
        ) {
            if tty {
                eprintln!();
            }
            return Ok(rec);
        }
        if tty {
            let live = engine.get_bulk_insert_state(id)?;
            eprint!("\rtask {id} {} {:>3}%", live.state.name(), live.progress);
        }
    }
}
