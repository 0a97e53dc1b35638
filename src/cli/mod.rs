//! The command line: a thin layer over [`vecload::Engine`], or over a server's REST API
//! through [`vecload::client::Client`] with `--server URL` (client mode). `anyhow` lives here
//! and in main.

mod args;
mod backend;
mod bench;
mod check;
mod config;
mod exit;
mod fault;
mod import;
mod infer;
mod interrupt;
mod logs;
mod output;
mod progress;
mod read;
mod settings;
mod storage;

use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;
use vecload::Engine;
use vecload::client::Client;

use args::{Cli, CollectionCmd, Command, PartitionCmd};
use backend::Backend;
use exit::Usage;
use output::{print, print_json, task_line};

/// Runs the command line; errors go to stderr as one line (JSON with `--json`).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match run(cli.json, cli) {
        Ok(code) => code,
        Err((e, json)) => exit::report(&e, json),
    }
}

/// A wrong command line: clap's message (exit 2), or JSON with `--json`; help and version
/// go to stdout (exit 0).
fn usage_error(e: clap::Error) -> ExitCode {
    let json = std::env::args().any(|a| a == "--json")
        || std::env::var("VECLOAD_JSON").is_ok_and(|v| v == "true" || v == "1");
    if !e.use_stderr() || !json {
        e.exit();
    }
    let message = e.render().to_string();
    exit::report(&Usage(message.trim_end().to_string()).into(), true)
}

fn run(json: bool, cli: Cli) -> Result<ExitCode, (anyhow::Error, bool)> {
    run_command(cli).map_err(|e| (e, json))
}

/// Commands that never go through a server.
fn local_only(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::Serve { .. } => "serve",
        Command::Check { .. } => "check",
        Command::InspectSegment { .. } => "inspect-segment",
        Command::BenchImport(_) => "bench-import",
        Command::Completions { .. } => "completions",
        Command::Collection(CollectionCmd::Infer { .. }) => "collection infer",
        _ => return None,
    })
}

fn run_command(cli: Cli) -> Result<ExitCode> {
    let mut opts = settings::resolve(&cli)?;
    let serving = matches!(cli.command, Command::Serve { .. });
    let given = settings::log_level_given(&cli)?;
    let level = logs::level(cli.quiet, cli.verbose, &opts.log, given, serving);
    logs::init(level, opts.log.format);
    if let Some(url) = &cli.server {
        if let Some(name) = local_only(&cli.command) {
            return Err(Usage(format!("`{name}` runs on this machine only: drop --server")).into());
        }
        if cli.data_dir_given || cli.given.iter().any(|(s, _)| s.key() == "storage.root") {
            return Err(Usage(
                "--data-dir and --storage name this machine's directories: with --server the server's own are used".into(),
            )
            .into());
        }
        let token = opts.server.token.clone();
        let backend = Backend::Client(Client::new(url, token)?);
        return dispatch(&cli, &backend);
    }
    if let Command::Completions { shell } = cli.command {
        let mut cmd = settings::command();
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd, "vecload", &mut out);
        std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::InspectSegment { file } = &cli.command {
        let summary = vecload::segment::read_meta(file)
            .with_context(|| format!("inspecting {}", file.display()))?;
        print(cli.json, &json!({"summary": summary.to_string()}), || {
            vec![summary.to_string()]
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Collection(CollectionCmd::Infer { .. }) = &cli.command {
        return infer::run(&cli, &opts);
    }
    if let Command::BenchImport(args) = &cli.command {
        return bench::run(&cli, args);
    }
    if let Command::Check { repair } = cli.command {
        opts.run_pending = false;
        return check::run(&cli, repair, opts);
    }
    if let Command::Import {
        process: Some(p), ..
    } = &cli.command
        && *p > 0
    {
        // A process joining a cluster task takes no lock (INTERFACE 10).
        return import::join(&cli, &opts);
    }
    if read::is_read_only(&cli.command) {
        let reader = Engine::open_read_only(&cli.data_dir)?;
        return dispatch(&cli, &Backend::Reader(reader));
    }
    // Only `serve` and `import` run queued tasks (INTERFACE 6); other write commands leave
    // them Pending rather than start them with this process's storage root and stop them on
    // exit (issue 14 defect 10).
    opts.run_pending = matches!(cli.command, Command::Serve { .. } | Command::Import { .. });
    let engine = Engine::open(&cli.data_dir, opts)?;
    if let Command::Serve { listen } = cli.command {
        return serve(&cli, engine, listen);
    }
    dispatch(&cli, &Backend::Engine(engine))
}

/// Runs a command on `b` (the engine, its reader or a server).
fn dispatch(cli: &Cli, b: &Backend) -> Result<ExitCode> {
    if read::is_read_only(&cli.command) {
        read::run(cli, b)?;
        return Ok(ExitCode::SUCCESS);
    }
    match &cli.command {
        Command::Collection(CollectionCmd::Create { schema }) => {
            let bytes = std::fs::read(schema)
                .with_context(|| format!("reading schema file {}", schema.display()))?;
            let name = b.create_collection(&bytes)?;
            print(cli.json, &json!({"collection": name}), || {
                vec![format!("created collection {name}")]
            })?;
        }
        Command::Collection(CollectionCmd::Drop { name }) => {
            b.drop_collection(name)?;
            print(cli.json, &json!({"dropped": name}), || {
                vec![format!("dropped collection {name}")]
            })?;
        }
        Command::Partition(PartitionCmd::Create {
            collection,
            partition,
        }) => {
            b.create_partition(collection, partition)?;
            let v = json!({"collection": collection, "partition": partition});
            print(cli.json, &v, || {
                vec![format!("created partition {partition} in {collection}")]
            })?;
        }
        Command::Import { .. } => return import::run(cli, b),
        Command::Cancel { id } => {
            let t = b.cancel(*id)?;
            print(cli.json, &t, || vec![task_line(&t)])?;
        }
        Command::Rejects { id } => match b {
            Backend::Client(c) => {
                let text = c.rejects(*id)?;
                std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
            }
            Backend::Engine(e) => {
                std::io::Write::write_all(&mut std::io::stdout().lock(), &e.rejects(*id)?)?;
            }
            Backend::Reader(r) => {
                std::io::Write::write_all(&mut std::io::stdout().lock(), &r.rejects(*id)?)?;
            }
        },
        _ => unreachable!("local-only and read-only commands are run before"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `vecload serve`: the first stderr line names the address (scripts read it), then log
/// events follow.
fn serve(cli: &Cli, engine: Engine, listen: std::net::SocketAddr) -> Result<ExitCode> {
    // `--token`, `VECLOAD_TOKEN` or `server.token`; an empty one is none.
    let token = (engine.options().server.token.clone()).filter(|t| !t.is_empty());
    let data_dir = cli.data_dir.display().to_string();
    let storage = engine.options().storage.describe();
    let state = vecload::server::AppState {
        engine: std::sync::Arc::new(engine),
        token,
    };
    vecload::server::serve(state, listen, |addr| {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("vecload: serving on http://{addr}\n").as_bytes(),
        );
        tracing::info!(address = %addr, data_dir, storage, "serving");
    })
    .with_context(|| format!("serving on {listen}"))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
