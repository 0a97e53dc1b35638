//! `vecload import`: one task, embedded (run here, Ctrl-C ends the process) or through a
//! server (`jobs/import/create`, then `jobs/import/describe` until it ends; `--detach` or
//! Ctrl-C leaves it running and prints its id). Progress on stderr, the final task on stdout.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};
use vecload::client::{Client, ImportBody};
use vecload::cluster::Hosts;
use vecload::engine::cluster::ClusterPlan;
use vecload::ledger::TaskState;
use vecload::{Engine, EngineOptions, ImportRequest, TaskOptions};

use super::args::{Cli, Command};
use super::backend::Backend;
use super::exit::{TaskFailed, Usage};
use super::interrupt::Interrupt;
use super::output::{print, task_line};
use super::progress::{Progress, Status};

/// Runs `import` on `b`.
pub(super) fn run(cli: &Cli, b: &Backend) -> Result<ExitCode> {
    let Command::Import {
        collection,
        partition,
        detach,
        dry_run,
        sep,
        null_key,
        idempotency_key,
        cluster,
        process: _,
        files,
    } = &cli.command
    else {
        unreachable!("import::run runs import")
    };
    let task = match b {
        Backend::Client(_) if cluster.is_some() => {
            return Err(
                Usage("--cluster runs the task on these processes: drop --server".into()).into(),
            );
        }
        Backend::Client(c) => {
            let mut options = serde_json::Map::new();
            if let Some(s) = sep {
                options.insert("sep".into(), json!(s));
            }
            if let Some(k) = null_key {
                options.insert("nullkey".into(), json!(k));
            }
            if *dry_run {
                options.insert("dryRun".into(), json!("true"));
            }
            // The bad-rows flags given here travel as the job's options; otherwise the
            // server's own `import.*` keys apply.
            for (s, text) in &cli.given {
                let key = match s.key() {
                    "import.on_error" => "onError",
                    "import.max_errors" => "maxErrors",
                    "import.max_error_ratio" => "maxErrorRatio",
                    _ => continue,
                };
                options.insert(key.into(), json!(text));
            }
            let body = ImportBody {
                collection: collection.clone(),
                partition: partition.clone(),
                files: files.clone(),
                options,
                idempotency_key: idempotency_key.clone(),
            };
            let id = c.import(&body)?;
            if *detach {
                print(cli.json, &json!({"task_id": id}), || vec![id.to_string()])?;
                return Ok(ExitCode::SUCCESS);
            }
            match follow_remote(c, id, cli.quiet)? {
                Some(task) => task,
                None => {
                    // Ctrl-C: the job goes on on the server.
                    note(&format!(
                        "detached: task {id} goes on on the server; follow it with `vecload --server {} state {id}`",
                        c.url()
                    ));
                    print(cli.json, &json!({"task_id": id}), || vec![id.to_string()])?;
                    return Ok(ExitCode::from(130));
                }
            }
        }
        Backend::Engine(engine) => {
            if *detach {
                return Err(Usage(
                    "--detach needs a running server (--server URL): the embedded engine stops when this command exits".into(),
                )
                .into());
            }
            // The directory's interrupted tasks first (INTERFACE 6): each is followed to its
            // end, which a line on stderr reports.
            for rid in engine.resumed() {
                if !cli.quiet {
                    note(&format!("resuming task {rid}"));
                }
                let t = follow_local(engine, rid, cli.quiet)?;
                if !cli.quiet {
                    let state = t["state"].as_str().unwrap_or_default();
                    let reason = t["failed_reason"].as_str().unwrap_or_default();
                    let rows = t["row_count"].as_u64().unwrap_or_default();
                    match reason {
                        "" => note(&format!("task {rid} {state}: {rows} rows")),
                        r => note(&format!("task {rid} {state}: {r}")),
                    }
                }
            }
            let mut options = TaskOptions::default();
            options.sep = sep.clone();
            options.null_key = null_key.clone();
            options.dry_run = *dry_run;
            let mut req = ImportRequest::new(collection, files.clone()).options(options);
            req.partition = partition.clone();
            req.idempotency_key = idempotency_key.clone();
            if let Some(hosts) = cluster {
                req = req.cluster(plan(hosts, 0)?);
            }
            let id = engine.import(req)?;
            if !cli.quiet && !cli.json {
                note(&format!("task {id} queued"));
            }
            follow_local(engine, id, cli.quiet)?
        }
        Backend::Reader(_) => unreachable!("import opens the engine"),
    };
    print(cli.json, &task, || vec![task_line(&task)])?;
    let state = task["state"].as_str().unwrap_or_default();
    let rejected = task["rejected_rows"].as_u64().unwrap_or_default();
    if task["dry_run"] == json!(true) && state == TaskState::Completed.name() && !cli.quiet {
        note(&dry_run_summary(&task));
    }
    if rejected > 0 {
        let id = task["task_id"].as_u64().unwrap_or_default();
        note(&format!("{rejected} rows rejected: vecload rejects {id}"));
    }
    if state != TaskState::Completed.name() {
        return Err(TaskFailed {
            id: task["task_id"].as_u64().unwrap_or_default(),
            state: state.to_string(),
            reason: task["failed_reason"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The hosts file's processes, with this one's index.
fn plan(hosts: &str, process: usize) -> Result<ClusterPlan> {
    let hosts = Hosts::read(hosts)?;
    hosts.check(process)?;
    quiet_lost_peers();
    Ok(ClusterPlan { hosts, process })
}

/// Once a peer is gone, timely's threads panic on the broken connection: the task's reason
/// already says which process was lost, so their panics go to the debug log, not stderr.
fn quiet_lost_peers() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or_default();
        if name.starts_with("timely:") || name.starts_with("vecload-cluster-") {
            tracing::debug!(thread = name, "{info}");
        } else {
            default(info);
        }
    }));
}

/// `import --cluster FILE --process I` with I > 0: joins the task process 0 runs (no lock, no
/// recovery), and prints how it ended; exit 0 only when the task completed.
pub(super) fn join(cli: &Cli, opts: &EngineOptions) -> Result<ExitCode> {
    let Command::Import {
        collection,
        detach,
        dry_run,
        cluster: Some(hosts),
        process: Some(process),
        files,
        ..
    } = &cli.command
    else {
        unreachable!("import::join runs import --cluster")
    };
    if *detach || *dry_run {
        return Err(Usage(
            "--cluster runs one import to its end: drop --detach and --dry-run".into(),
        )
        .into());
    }
    let plan = plan(hosts, *process)?;
    if !cli.quiet {
        note(&format!(
            "process {process} of {}: joining process 0 at {}",
            plan.hosts.len(),
            plan.hosts.addrs[0]
        ));
    }
    let outcome = vecload::engine::cluster::join(&cli.data_dir, opts, &plan, collection, files)?;
    let state = match outcome.completed {
        true => TaskState::Completed.name(),
        false => TaskState::Failed.name(),
    };
    let v = json!({
        "task_id": outcome.task,
        "process": process,
        "state": state,
        "row_count": outcome.rows,
        "failed_reason": outcome.reason,
    });
    print(cli.json, &v, || {
        vec![format!(
            "task {} {state} (process {process}): {} rows",
            outcome.task, outcome.rows
        )]
    })?;
    if !outcome.completed {
        return Err(TaskFailed {
            id: outcome.task,
            state: state.to_string(),
            reason: outcome.reason,
        }
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a completed dry run found, in words: `dry run: 20000 rows would be imported
/// (_default_0: 1250, ...); 0 rows rejected; 5242880 bytes read in 0.41 s; nothing written`.
fn dry_run_summary(task: &Value) -> String {
    let num = |key: &str| task[key].as_u64().unwrap_or_default();
    let partitions: Vec<String> = (task["partitions"].as_object().into_iter().flatten())
        .map(|(p, n)| format!("{p}: {}", n.as_u64().unwrap_or_default()))
        .collect();
    format!(
        "dry run: {} rows would be imported ({}); {} rows rejected; {} bytes read in {:.2} s; nothing written",
        num("row_count"),
        partitions.join(", "),
        num("rejected_rows"),
        num("file_size"),
        task["persist_cost"].as_f64().unwrap_or_default(),
    )
}

/// A line on stderr; a closed stderr is no reason to stop.
fn note(text: &str) {
    super::progress::suspend(|| {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{text}\n").as_bytes());
    });
}

/// Waits for an embedded task, showing its progress; its final JSON.
fn follow_local(engine: &Engine, id: u64, quiet: bool) -> Result<Value> {
    let mut progress = Progress::new(id, quiet);
    loop {
        let rec = engine.wait(id, Some(Duration::from_millis(250)))?;
        if matches!(
            rec.state,
            TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned
        ) {
            progress.finish();
            return Ok(rec.to_json());
        }
        let status = match engine.progress(id) {
            // Live counts from memory while this process runs it.
            Some(live) => Status {
                phase: live.phase.name().to_string(),
                percent: u64::from(rec.progress),
                rows: Some(live.rows),
                total_rows: None,
                bytes: Some((live.bytes_read, live.bytes_total)),
            },
            None => Status {
                phase: rec.state.name().to_string(),
                percent: u64::from(rec.progress),
                rows: None,
                total_rows: None,
                bytes: None,
            },
        };
        progress.update(&status);
    }
}

/// Waits for a server's job, showing its progress; the final JSON of its task, or `None`
/// when interrupted.
fn follow_remote(c: &Client, id: u64, quiet: bool) -> Result<Option<Value>> {
    let interrupt = Interrupt::listen()?;
    let mut progress = Progress::new(id, quiet);
    loop {
        let job = c.describe_job(id)?;
        let state = job["state"].as_str().unwrap_or_default();
        if matches!(state, "Completed" | "Failed") {
            progress.finish();
            return Ok(Some(c.task(id)?));
        }
        progress.update(&Status {
            phase: state.to_string(),
            percent: job["progress"].as_u64().unwrap_or_default(),
            rows: job["importedRows"].as_u64(),
            total_rows: job["totalRows"].as_u64(),
            bytes: None,
        });
        for _ in 0..5 {
            if interrupt.fired() {
                progress.finish();
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
