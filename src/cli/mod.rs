//! The command line: a thin layer over [`vecload::Engine`]. `anyhow` lives here and in main.

mod args;
mod bench;
mod check;
mod config;
mod fault;
mod read;
mod settings;
mod storage;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use vecload::ledger::{TaskRecord, TaskState, format_utc};
use vecload::query;
use vecload::{Engine, ImportRequest, TaskOptions};

use args::{Cli, CollectionCmd, Command, PartitionCmd};

/// Runs the command line; errors go to stderr as one line.
pub fn main() -> ExitCode {
    let cli = Cli::parse_args();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error (docs/cli.md): 2 usage, 3 a missing data directory, 4 the data
/// directory held by another process, otherwise 1.
fn exit_code(e: &anyhow::Error) -> u8 {
    let engine = e
        .chain()
        .find_map(|c| c.downcast_ref::<vecload::EngineError>());
    match engine {
        _ if is_usage(e) => 2,
        Some(vecload::EngineError::DataDirNotFound(_)) => 3,
        Some(vecload::EngineError::Locked { .. }) => 4,
        _ => 1,
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
    let mut opts = settings::resolve(&cli)?;
    if let Command::Check { repair } = cli.command {
        opts.run_pending = false;
        return check::run(&cli, repair, opts);
    }
    if read::is_read_only(&cli.command) {
        read::run(&cli)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Only `serve` and `import` run queued tasks (INTERFACE 6); other write commands leave
    // them Pending rather than start them with this process's storage root and stop them on
    // exit (issue 14 defect 10).
    opts.run_pending = matches!(cli.command, Command::Serve { .. } | Command::Import { .. });
    let engine = Engine::open(&cli.data_dir, opts)?;
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
        Command::Import {
            collection,
            partition,
            detach,
            sep,
            null_key,
            idempotency_key,
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
            req.idempotency_key = idempotency_key;
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
        Command::Cancel { id } => {
            let rec = engine.cancel(id)?;
            if cli.json {
                print_json(&rec.to_json())?;
            } else {
                println!("{}", task_line(&rec));
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
        Command::InspectSegment { .. } | Command::BenchImport(_) | Command::Check { .. } => {}
        _ => read::run(&cli)?,
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
