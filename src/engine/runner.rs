//! Running queued tasks: Started -> pipeline -> Persisted -> commit -> Completed, or
//! Failed (and FailedAndCleaned once its files are removed). Each state change is one
//! ledger write, whether it touches one task or every task of a job.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::Inner;
use super::commit::finish_commit_under;
use super::dry_run::{self, DryIds};
use super::events;
use super::failure::TaskFailure;
use super::stop::{fail, fail_under};
use crate::fault::{self, DurableWrite, FaultSite};
use crate::ledger::{LedgerError, OnError, SegmentRef, TaskState, now_unix};
use crate::parse::csv::CsvOptions;
use crate::pipeline::{
    self, AllocError, DurableSink, IdAllocator, PipelineError, PipelineOptions, RejectPolicy,
    Resume, TaskControl, TaskSpec,
};
use crate::segment::SegmentInfo;

/// A running task: the pipeline's control, when it started, and why it was stopped once
/// someone stops it.
#[derive(Debug)]
pub(crate) struct Running {
    /// Progress and the stop flag the pipeline reads.
    pub control: Arc<TaskControl>,
    /// When this process recorded it Started: expiration counts from here (a monotonic
    /// clock, never early; a resume starts a new count).
    pub(super) started: Instant,
    /// Set once its segments are written: it is being recorded Persisted and committed.
    pub(super) committing: AtomicBool,
    stop: Mutex<Option<TaskFailure>>,
}

impl Running {
    /// A task that has just been recorded Started.
    fn new() -> Running {
        Running {
            control: Arc::default(),
            started: Instant::now(),
            committing: AtomicBool::new(false),
            stop: Mutex::default(),
        }
    }

    /// Stops the task for `why`; the first reason given wins (then this returns true).
    pub fn stop(&self, why: TaskFailure) -> bool {
        let mut slot = self.stop.lock().unwrap_or_else(|p| p.into_inner());
        let first = slot.is_none() && !self.control.is_stopped();
        if slot.is_none() {
            *slot = Some(why);
        }
        self.control.request_stop();
        first
    }

    fn take_stop(&self) -> Option<TaskFailure> {
        self.stop.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// A runner thread: takes task ids from the queue until the engine shuts down.
pub(super) fn run_queue(inner: &Arc<Inner>, rx: &Receiver<u64>) {
    loop {
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(id) => run_task(inner, id),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

struct LedgerIds<'a>(&'a Inner);

impl IdAllocator for LedgerIds<'_> {
    fn alloc(&self, n: u64) -> Result<std::ops::Range<i64>, AllocError> {
        Ok(self.0.alloc_ids(n)?)
    }
}

/// Runs task `id` if it is still Pending (or Started and queued to resume), to Completed (or
/// Persisted, waiting for its job) or to Failed.
pub(super) fn run_task(inner: &Arc<Inner>, id: u64) {
    let start = super::resume::start_point(inner, id);
    let (spec, running, policy, dry_run, point, rec) = {
        let w = inner.writer();
        let (rec, c, out_dir) = {
            let st = inner.lock();
            let Some(rec) = st.ledger.get(id).cloned() else {
                return;
            };
            let c = st.catalog.collection(&rec.collection).ok().cloned();
            let out_dir = c.as_ref().map(|c| st.catalog.task_dir(c.id, id));
            (rec, c, out_dir)
        };
        let resuming = rec.state == TaskState::Started && inner.resuming().remove(&id);
        if rec.state != TaskState::Pending && !resuming {
            return; // cancelled while queued
        }
        let csv = match CsvOptions::new(rec.sep.as_deref(), rec.null_key.as_deref()) {
            Ok(csv) => csv,
            Err(e) => {
                fail_under(inner, &w, id, TaskFailure::Pipeline(e.into()));
                return;
            }
        };
        let (Some(c), Some(out_dir)) = (c, out_dir) else {
            fail_under(inner, &w, id, TaskFailure::CollectionDropped);
            return;
        };
        let start = match start {
            Ok(start) => start,
            Err(e) => {
                fail_under(inner, &w, id, TaskFailure::Pipeline(e.into()));
                return;
            }
        };
        // The root the task recorded at creation, not necessarily this process's.
        let root = match super::storage_root::open(inner, rec.storage_root.as_ref()) {
            Ok(root) => root,
            Err(why) => {
                fail_under(inner, &w, id, why);
                return;
            }
        };
        if resuming {
            // What the interrupted process was writing goes; the durable units stay.
            if let Err(e) = super::resume::clean_folder(&out_dir, rec.resume.as_ref()) {
                let e = PipelineError::OutputDir {
                    path: out_dir.clone(),
                    source: e,
                };
                fail_under(inner, &w, id, TaskFailure::Pipeline(e));
                return;
            }
            events::resumed(&rec);
        } else {
            let now = now_unix();
            let started = inner.change_ledger(&w, |b| {
                b.transition(id, TaskState::Started, None)?
                    .update(id, |r| {
                        r.start_time = Some(now);
                        r.resume = start.clone();
                    })?;
                Ok::<_, LedgerError>(())
            });
            if let Err(e) = started {
                // Still Pending but off the queue: fail it rather than leave it there.
                fail_under(inner, &w, id, TaskFailure::Start(e));
                return;
            }
            events::started(&rec);
        }
        let running = Arc::new(Running::new());
        inner.running_tasks().insert(id, running.clone());
        let partitions = if c.schema.partition_key_index().is_some() {
            c.schema.key_partition_names()
        } else {
            vec![rec.partition.clone()]
        };
        let spec = TaskSpec {
            task_id: id,
            schema: c.schema.clone(),
            partitions,
            files: rec.files.clone(),
            root,
            out_dir,
            csv,
        };
        let policy = (rec.on_error == Some(OnError::Skip)).then(|| RejectPolicy {
            max_errors: rec.max_errors.unwrap_or(0),
            max_error_ratio: rec.max_error_ratio.unwrap_or(0.0),
            max_bytes: inner.opts.import.max_rejects_bytes,
        });
        // A dry run keeps its counts in memory: it never resumes. A new task runs from the
        // point it just recorded (its files' versions, checked again as it opens them).
        let point = match resuming {
            true => rec.resume.clone().filter(|_| !rec.dry_run),
            false => start,
        };
        (spec, running, policy, rec.dry_run, point, rec)
    };
    let cluster = rec.cluster.is_some();
    inner.changed.notify_all();
    let collection = spec.schema.name.clone();
    let dir = spec.out_dir.clone();
    // A resumed task cuts its input as it did when it began.
    let (workers, unit_bytes) = match &point {
        Some(p) => (p.workers as usize, p.unit_bytes as usize),
        None => (inner.opts.import.workers, inner.opts.import.unit_bytes),
    };
    let resume = Resume {
        sink: (inner.opts.import.resume && !dry_run && !cluster).then(|| {
            let sink = super::resume::LedgerPoints {
                inner: inner.clone(),
                id,
            };
            Arc::new(sink) as Arc<dyn DurableSink>
        }),
        from: point.as_ref().map(super::resume::from_point),
        interval: Duration::from_millis(inner.opts.import.resume_interval_ms),
    };
    let opts = PipelineOptions {
        workers: workers.max(1),
        segment_max_size: inner.opts.segment_max_size,
        unit_bytes: unit_bytes.max(1),
        memory_budget: inner.opts.import.memory_budget,
        simd_json: inner.opts.import.json_parser == super::JsonParser::SimdJson,
        unit_delay: Duration::from_millis(inner.opts.import.throttle_unit_ms),
        fault_hook: inner.opts.fault_hook.clone(),
        rejects: policy,
        dry_run,
        ..PipelineOptions::default()
    };
    let started = Instant::now();
    let hook = inner.opts.fault_hook.as_ref();
    let dir_error = |source| PipelineError::OutputDir {
        path: dir.clone(),
        source,
    };
    let result = if dry_run {
        // Nothing to write: no folder, no auto-ids from the ledger.
        pipeline::run(spec, opts, &DryIds::new(), running.control.clone())
    } else {
        fault::at(hook, FaultSite::before(DurableWrite::Segments))
            .and_then(|()| {
                fault::guard(hook, DurableWrite::TaskDir, || {
                    crate::fsutil::create_dir_durable(&dir)
                })
            })
            .map_err(dir_error)
            .and_then(|()| match cluster {
                true => super::cluster::lead(inner, &rec, spec, opts, &running),
                false => {
                    let control = running.control.clone();
                    pipeline::run_resumable(spec, opts, &LedgerIds(inner), control, resume)
                }
            })
            .and_then(|out| {
                fault::at(hook, FaultSite::after(DurableWrite::Segments)).map_err(dir_error)?;
                Ok(out)
            })
    };
    let outcome = match result {
        Ok(out) => {
            running.committing.store(true, Ordering::Relaxed);
            let cost = started.elapsed().as_secs_f64();
            match dry_run {
                true => dry_run::complete(inner, id, out, cost),
                false => commit(inner, id, &collection, out, cost),
            }
        }
        // A stop from outside names its reason; the pipeline only saw the flag.
        Err(e) => Err(running.take_stop().unwrap_or(TaskFailure::Pipeline(e))),
    };
    if cluster {
        let told = match &outcome {
            Ok(()) => Ok(inner.lock().ledger.get(id).map_or(0, |r| r.row_count)),
            Err(why) => Err(why.to_string()),
        };
        super::cluster::finish(inner, id, told);
    }
    // Failed before it leaves the running set: a Started task outside it is one whose
    // failure could not be written.
    match outcome {
        // A process stopping normally leaves the task to resume, as a crash would: its
        // durable units stay, the next `serve` or `import` continues it.
        Err(TaskFailure::Shutdown) if inner.opts.import.resume && !dry_run && !cluster => {
            events::left_to_resume(id)
        }
        Err(why) => fail(inner, id, why),
        Ok(()) => {}
    }
    inner.running_tasks().remove(&id);
    inner.changed.notify_all();
}

/// Persisted with its segments listed (one write), then the commit.
fn commit(
    inner: &Inner,
    id: u64,
    collection: &str,
    out: pipeline::TaskOutput,
    cost: f64,
) -> Result<(), TaskFailure> {
    let hook = inner.opts.fault_hook.as_ref();
    fault::at(hook, FaultSite::before(DurableWrite::Persisted)).map_err(TaskFailure::Persist)?;
    let w = inner.writer();
    let (rows, segments) = (out.rows, out.segments.len());
    // The rejects file is durable before the task is Persisted; a task that fails from here
    // on has it removed with its segments.
    let rejects_file = match out.rejected {
        0 => None,
        _ => Some(write_rejects(inner, id, &out.rejects).map_err(TaskFailure::Persist)?),
    };
    inner.change_ledger(&w, |b| {
        b.transition(id, TaskState::Persisted, None)?
            .update(id, |r| {
                r.row_count = out.rows;
                r.rejected_rows = out.rejected;
                r.rejects_file = rejects_file;
                r.id_ranges = out.id_ranges;
                r.segments = out.segments.iter().map(segment_ref).collect();
                r.persist_cost = Some(cost);
                r.persist_time = Some(now_unix());
                r.progress = 90;
                r.resume = None;
            })?;
        Ok::<_, LedgerError>(())
    })?;
    super::resume::remove_reject_parts(&out.dir);
    events::persisted(id, rows, segments, cost);
    fault::at(hook, FaultSite::after(DurableWrite::Persisted)).map_err(TaskFailure::Persist)?;
    finish_commit_under(inner, &w, id, collection, false)
}

/// Writes task `id`'s rejects file (`rejects/<id>.jsonl` in the data directory) durably;
/// its path relative to the data directory.
pub(super) fn write_rejects(inner: &Inner, id: u64, text: &[u8]) -> std::io::Result<String> {
    let name = rejects_path(id);
    let path = inner.data_dir.join(&name);
    if let Some(dir) = path.parent() {
        crate::fsutil::create_dir_durable(dir)?;
    }
    crate::fsutil::write_atomic(&path, text)?;
    Ok(name)
}

/// Task `id`'s rejects file, relative to the data directory.
pub(super) fn rejects_path(id: u64) -> String {
    format!("rejects/{id}.jsonl")
}

/// Removes task `id`'s rejects file, if it has one (a failed task, or one retention drops).
pub(super) fn remove_rejects(inner: &Inner, id: u64) {
    let path = inner.data_dir.join(rejects_path(id));
    if std::fs::remove_file(&path).is_ok()
        && let Some(dir) = path.parent()
    {
        let _ = crate::fsutil::sync_dir(dir);
    }
}

/// How the ledger lists a segment the pipeline wrote.
pub(super) fn segment_ref(s: &SegmentInfo) -> SegmentRef {
    SegmentRef {
        file_name: s.file_name.clone(),
        rows: s.rows,
        bytes: s.bytes,
        partition: s.partition.clone(),
        shard: s.shard,
    }
}

/// The pipeline's view of a segment the ledger lists.
pub(super) fn segment_info(s: &SegmentRef) -> SegmentInfo {
    SegmentInfo {
        file_name: s.file_name.clone(),
        rows: s.rows,
        bytes: s.bytes,
        partition: s.partition.clone(),
        shard: s.shard,
    }
}
