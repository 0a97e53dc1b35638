//! A process I > 0 of a cluster task: it takes no lock and runs no recovery; it reads the
//! catalog as read-only commands do, runs the share process 0's setup gives it into its own
//! folder of the task, reports it, and waits for the outcome. A lost process 0 (closed link,
//! or silent past the peer timeout) ends it at once, its folder removed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::wire::{Message, Setup, Share};
use super::{ClusterPlan, SequentialIds, max_frame, process_folder, timeouts};
use crate::cluster::{Control, Incoming};
use crate::engine::{Engine, EngineError, EngineOptions};
use crate::parse::csv::CsvOptions;
use crate::pipeline::{self, PipelineOptions, RejectPolicy, TaskControl, TaskOutput, TaskSpec};

/// How a cluster task ended, as process 0 told this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterOutcome {
    /// The task.
    pub task: u64,
    /// Completed (else Failed).
    pub completed: bool,
    /// Rows the task committed.
    pub rows: u64,
    /// Why it failed (empty when completed).
    pub reason: String,
}

/// Runs process `plan.process` (> 0) of the cluster task that process 0 runs for the same
/// `collection` and `files`, over `data_dir` (shared with process 0) with `opts.storage`.
/// Returns the task's outcome; an error when this process could not take part or lost
/// process 0 (then its files are removed).
pub fn join(
    data_dir: &Path,
    opts: &EngineOptions,
    plan: &ClusterPlan,
    collection: &str,
    files: &[String],
) -> Result<ClusterOutcome, EngineError> {
    let (connect, peer_timeout, beat) = timeouts(opts);
    let mesh = crate::cluster::connect(&plan.hosts, plan.process, connect, max_frame(opts))?;
    mesh.control.start_heartbeats(beat);
    let control = mesh.control;
    let failed = |task: u64, reason: String| EngineError::ClusterTask { task, reason };
    let setup = match wait(&control, peer_timeout, connect)? {
        Message::Setup(s) => s,
        // Process 0 failed the task before it could send the setup (a file it cannot open).
        Message::Outcome { reason, .. } => return Err(failed(0, reason)),
        other => {
            return Err(failed(
                0,
                format!("process 0 sent {other:?} before the setup"),
            ));
        }
    };
    let task = setup.task;
    let refuse = |reason: String| {
        let _ = control.send(
            0,
            &Message::Report {
                result: Err(reason.clone()),
            }
            .encode(),
        );
        failed(task, reason)
    };
    let mut mine = files.to_vec();
    super::super::import::expand_column_dir(&opts.storage, &mut mine)
        .map_err(|e| refuse(e.to_string()))?;
    if setup.collection != collection || setup.files != mine {
        return Err(refuse(format!(
            "process {} was started for collection {collection} with files {mine:?}; process 0 imports {:?} into {}",
            plan.process, setup.files, setup.collection
        )));
    }
    let own_root = super::super::storage_root::record(&opts.storage);
    if let Some(root) = setup.root.as_ref().filter(|r| **r != own_root) {
        return Err(refuse(format!(
            "process {} reads from {}, process 0's task from {}: start every process with the same --storage",
            plan.process, own_root.root, root.root
        )));
    }
    let (spec, popts) = share_of(data_dir, opts, plan, &setup).map_err(&refuse)?;
    let dir = spec.out_dir.clone();
    let run = || -> Result<ClusterOutcome, EngineError> {
        crate::fsutil::create_dir_durable(&dir)
            .map_err(|e| refuse(format!("creating {}: {e}", dir.display())))?;
        let pc = Arc::new(TaskControl::default());
        let ids = Arc::new(SequentialIds::new(setup.id_base..setup.id_end));
        let (tx, own_rx) = crossbeam_channel::bounded(1);
        let (pc2, data) = (pc.clone(), mesh.data);
        std::thread::Builder::new()
            .name(format!("vecload-cluster-{task}"))
            .spawn(move || {
                let _ = tx.send(pipeline::run_in_cluster(spec, popts, &*ids, pc2, data));
            })
            .map_err(|e| refuse(format!("starting the workers: {e}")))?;
        let mut reported = false;
        loop {
            if !reported && let Some(r) = own(&own_rx) {
                let result = r.as_ref().map_err(ToString::to_string).and_then(Share::of);
                control
                    .send(0, &Message::Report { result }.encode())
                    .map_err(|e| failed(task, e.to_string()))?;
                reported = true;
            }
            match control.recv(Duration::from_millis(50)) {
                Some((_, Incoming::Message(m))) => match Message::decode(&m) {
                    Ok(Message::Stop { .. }) => pc.request_stop(),
                    Ok(Message::Outcome {
                        completed,
                        rows,
                        reason,
                    }) => {
                        return Ok(ClusterOutcome {
                            task,
                            completed,
                            rows,
                            reason,
                        });
                    }
                    Ok(other) => return Err(failed(task, format!("process 0 sent {other:?}"))),
                    Err(e) => {
                        return Err(failed(
                            task,
                            format!("process 0 sent a message that is not understood: {e}"),
                        ));
                    }
                },
                Some((_, Incoming::Closed(why))) => {
                    pc.request_stop();
                    return Err(failed(task, format!("process 0 was lost: {why}")));
                }
                None => {}
            }
            if control.silent_for(0) > peer_timeout {
                pc.request_stop();
                return Err(failed(
                    task,
                    format!(
                        "process 0 sent nothing for {} s (cluster.peer_timeout_s)",
                        peer_timeout.as_secs()
                    ),
                ));
            }
        }
    };
    let outcome = run();
    if !matches!(&outcome, Ok(o) if o.completed) {
        // Process 0 removes the task's folder too; this one's share goes at once.
        let _ = std::fs::remove_dir_all(&dir);
    }
    control.close();
    outcome
}

/// The share's result once its workers are done (a thread that ended without one failed).
fn own(
    rx: &crossbeam_channel::Receiver<Result<TaskOutput, pipeline::PipelineError>>,
) -> Option<Result<TaskOutput, pipeline::PipelineError>> {
    match rx.try_recv() {
        Ok(r) => Some(r),
        Err(crossbeam_channel::TryRecvError::Empty) => None,
        Err(crossbeam_channel::TryRecvError::Disconnected) => Some(Err(
            pipeline::PipelineError::Worker("the workers' thread ended".into()),
        )),
    }
}

/// The first message from process 0, waiting while it is heard from (heartbeats) and at
/// most `limit` in all.
fn wait(
    control: &Control,
    peer_timeout: Duration,
    limit: Duration,
) -> Result<Message, EngineError> {
    let failed = |reason: String| EngineError::ClusterTask { task: 0, reason };
    let until = Instant::now() + limit.max(peer_timeout);
    while Instant::now() < until {
        match control.recv(Duration::from_millis(50)) {
            Some((_, Incoming::Message(m))) => {
                return Message::decode(&m).map_err(|e| {
                    failed(format!(
                        "process 0 sent a message that is not understood: {e}"
                    ))
                });
            }
            Some((_, Incoming::Closed(why))) => {
                return Err(failed(format!("process 0 was lost: {why}")));
            }
            None if control.silent_for(0) > peer_timeout => {
                return Err(failed("process 0 went silent before the setup".into()));
            }
            None => {}
        }
    }
    Err(failed("process 0 sent no setup in time".into()))
}

/// This process's task spec and pipeline options from process 0's setup and the catalog.
fn share_of(
    data_dir: &Path,
    opts: &EngineOptions,
    plan: &ClusterPlan,
    setup: &Setup,
) -> Result<(TaskSpec, PipelineOptions), String> {
    let reader = Engine::open_read_only(data_dir).map_err(|e| e.to_string())?;
    let c = reader
        .catalog()
        .collection(&setup.collection)
        .map_err(|e| e.to_string())?;
    if c.id != setup.collection_id {
        return Err(format!(
            "collection {} has id {} here, {} in process 0: the data directory is not shared",
            setup.collection, c.id, setup.collection_id
        ));
    }
    let partitions = match c.schema.partition_key_index() {
        Some(_) => c.schema.key_partition_names(),
        None => vec![setup.partition.clone()],
    };
    let csv = CsvOptions::new(setup.sep.as_deref(), setup.null_key.as_deref())
        .map_err(|e| e.to_string())?;
    let out_dir = (reader.catalog().task_dir(c.id, setup.task)).join(process_folder(plan.process));
    let spec = TaskSpec {
        task_id: setup.task,
        schema: c.schema.clone(),
        partitions,
        files: setup.files.clone(),
        root: opts.storage.clone(),
        out_dir,
        csv,
    };
    let popts = PipelineOptions {
        workers: setup.workers.max(1),
        segment_max_size: setup.segment_max_size,
        unit_bytes: setup.unit_bytes.max(1),
        memory_budget: setup.memory_budget,
        simd_json: setup.simd_json,
        unit_delay: Duration::from_millis(setup.throttle_unit_ms),
        rejects: setup.skip.as_ref().map(|s| RejectPolicy {
            max_errors: s.max_errors,
            max_error_ratio: s.max_error_ratio,
            max_bytes: s.max_bytes,
        }),
        share: pipeline::Share {
            process: plan.process,
            processes: setup.processes,
        },
        ..PipelineOptions::default()
    };
    Ok((spec, popts))
}
