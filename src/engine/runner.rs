//! Running queued tasks: Started -> pipeline -> Persisted -> commit -> Completed, or
//! Failed (and FailedAndCleaned once its files are removed). Each state change is one
//! ledger write, whether it touches one task or every task of a job.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::events;
use super::failure::TaskFailure;
use super::writer::Writing;
use super::{EngineError, Inner};
use crate::catalog::VisibleSegment;
use crate::fault::{self, DurableWrite, FaultSite};
use crate::ledger::{LedgerError, SegmentRef, TaskRecord, TaskState, now_unix};
use crate::parse::csv::CsvOptions;
use crate::pipeline::{
    self, AllocError, IdAllocator, PipelineError, PipelineOptions, TaskControl, TaskSpec,
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

/// Runs task `id` if it is still Pending, to Completed (or Persisted, waiting for its job) or
/// to Failed.
pub(super) fn run_task(inner: &Arc<Inner>, id: u64) {
    let (spec, running) = {
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
        if rec.state != TaskState::Pending {
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
        let now = now_unix();
        let started = inner.change_ledger(&w, |b| {
            b.transition(id, TaskState::Started, None)?
                .update(id, |r| r.start_time = Some(now))?;
            Ok::<_, LedgerError>(())
        });
        if let Err(e) = started {
            // Still Pending but off the queue: fail it rather than leave it there.
            fail_under(inner, &w, id, TaskFailure::Start(e));
            return;
        }
        events::started(&rec);
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
            root: inner.opts.storage.clone(),
            out_dir,
            csv,
        };
        (spec, running)
    };
    inner.changed.notify_all();
    let collection = spec.schema.name.clone();
    let dir = spec.out_dir.clone();
    let opts = PipelineOptions {
        workers: inner.opts.import.workers.max(1),
        segment_max_size: inner.opts.segment_max_size,
        unit_bytes: inner.opts.import.unit_bytes.max(1),
        memory_budget: inner.opts.import.memory_budget,
        simd_json: inner.opts.import.json_parser == super::JsonParser::SimdJson,
        unit_delay: Duration::from_millis(inner.opts.import.throttle_unit_ms),
        fault_hook: inner.opts.fault_hook.clone(),
        ..PipelineOptions::default()
    };
    let started = Instant::now();
    let hook = inner.opts.fault_hook.as_ref();
    let dir_error = |source| PipelineError::OutputDir {
        path: dir.clone(),
        source,
    };
    let result = fault::at(hook, FaultSite::before(DurableWrite::Segments))
        .and_then(|()| {
            fault::guard(hook, DurableWrite::TaskDir, || {
                crate::fsutil::create_dir_durable(&dir)
            })
        })
        .map_err(dir_error)
        .and_then(|()| pipeline::run(spec, opts, &LedgerIds(inner), running.control.clone()))
        .and_then(|out| {
            fault::at(hook, FaultSite::after(DurableWrite::Segments)).map_err(dir_error)?;
            Ok(out)
        });
    let outcome = match result {
        Ok(out) => {
            running.committing.store(true, Ordering::Relaxed);
            commit(inner, id, &collection, out, started.elapsed().as_secs_f64())
        }
        // A stop from outside names its reason; the pipeline only saw the flag.
        Err(e) => Err(running.take_stop().unwrap_or(TaskFailure::Pipeline(e))),
    };
    // Failed before it leaves the running set: a Started task outside it is one whose
    // failure could not be written.
    if let Err(why) = outcome {
        fail(inner, id, why);
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
    inner.change_ledger(&w, |b| {
        b.transition(id, TaskState::Persisted, None)?
            .update(id, |r| {
                r.row_count = out.rows;
                r.id_ranges = out.id_ranges;
                r.segments = out.segments.iter().map(segment_ref).collect();
                r.persist_cost = Some(cost);
                r.persist_time = Some(now_unix());
                r.progress = 90;
            })?;
        Ok::<_, LedgerError>(())
    })?;
    events::persisted(id, rows, segments, cost);
    fault::at(hook, FaultSite::after(DurableWrite::Persisted)).map_err(TaskFailure::Persist)?;
    finish_commit_under(inner, &w, id, collection, false)
}

/// How the ledger lists a segment the pipeline wrote.
fn segment_ref(s: &SegmentInfo) -> SegmentRef {
    SegmentRef {
        file_name: s.file_name.clone(),
        rows: s.rows,
        bytes: s.bytes,
        partition: s.partition.clone(),
        shard: s.shard,
    }
}

/// Makes a Persisted task's segments visible and completes it (also used by recovery).
///
/// A task of a REST job waits for its siblings: the last one to reach Persisted commits
/// the whole job in one catalog write, then completes every task of it in one ledger
/// write, so a job is all or nothing like a task. A job with a failed task commits nothing.
/// A two-phase job (`auto_commit=false`) stops there, Uncommitted, until the user commits
/// it ([`Engine::commit_job`](super::Engine::commit_job)).
pub(super) fn finish_commit(inner: &Inner, id: u64, collection: &str) -> Result<(), TaskFailure> {
    finish_commit_under(inner, &inner.writer(), id, collection, false)
}

/// [`finish_commit`] by a holder of the writer lock; `by_user` for a two-phase job's commit.
pub(super) fn finish_commit_under(
    inner: &Inner,
    w: &Writing<'_>,
    id: u64,
    collection: &str,
    by_user: bool,
) -> Result<(), TaskFailure> {
    let (rec, group) = {
        let st = inner.lock();
        let rec = (st.ledger.get(id).cloned()).ok_or(TaskFailure::RecordVanished)?;
        let group = job_of(&st.ledger, &rec);
        (rec, group)
    };
    if let (Some(job), Some(failed)) = (rec.job_id, group.iter().find(|t| t.state.is_failed())) {
        return Err(TaskFailure::SiblingFailed {
            task: failed.id,
            job,
        });
    }
    if group
        .iter()
        .any(|t| t.state != TaskState::Persisted && t.state != TaskState::Completed)
    {
        // A sibling is still running; it commits the job when it persists.
        if let Some(job) = rec.job_id.filter(|_| rec.state == TaskState::Persisted) {
            events::waiting(id, job);
        }
        return Ok(());
    }
    // A two-phase job waits for its commit, unless the catalog already shows it (a user's
    // commit whose Completed write did not happen: it is finished here).
    if !by_user
        && rec.auto_commit == Some(false)
        && !inner.lock().catalog.is_committed(collection, id)
    {
        if let Some(job) = rec.job_id {
            events::uncommitted(id, job, group.iter().map(|t| t.row_count).sum());
        }
        return Ok(());
    }
    let tasks = group
        .iter()
        .filter(|t| t.state == TaskState::Persisted)
        .map(|t| (t.id, visible_segments(t)))
        .collect();
    let planned = inner.lock().catalog.plan_commit_tasks(collection, tasks)?;
    if let Some(write) = planned {
        inner.write_catalog(w, write)?;
    }
    let completed = inner.change_ledger(w, |batch| {
        let mut completed = Vec::new();
        for t in &group {
            // Another runner of the same job may have completed it meanwhile.
            if batch
                .get(t.id)
                .is_some_and(|r| r.state == TaskState::Persisted)
            {
                batch
                    .transition(t.id, TaskState::Completed, None)?
                    .update(t.id, |r| r.progress = 100)?;
                completed.push(t);
            }
        }
        Ok::<_, LedgerError>(completed)
    })?;
    completed.into_iter().for_each(events::completed);
    inner.changed.notify_all();
    Ok(())
}

/// The tasks of `rec`'s job (just `rec` when it has none), oldest first.
fn job_of(ledger: &crate::ledger::Ledger, rec: &TaskRecord) -> Vec<TaskRecord> {
    match rec.job_id {
        Some(job) => ledger
            .list(None, None)
            .into_iter()
            .filter(|t| t.job_id == Some(job))
            .cloned()
            .collect(),
        None => vec![rec.clone()],
    }
}

/// A Persisted task's segments as the catalog lists them, by partition.
fn visible_segments(t: &TaskRecord) -> Vec<(String, VisibleSegment)> {
    t.segments
        .iter()
        .map(|s| {
            let seg = VisibleSegment {
                task_id: t.id,
                file_name: s.file_name.clone(),
                rows: s.rows,
                bytes: s.bytes,
                shard: s.shard,
            };
            (s.partition.clone(), seg)
        })
        .collect()
}

/// Fails task `id` for `why`, with the tasks of its job that are Pending or Persisted (a
/// job is all or nothing); its Started siblings are stopped and fail when their pipeline
/// ends. Each failing task's folder is moved to the trash first (one rename: the settler
/// thread deletes it after, with no lock held), then one ledger write moves them all:
/// to FailedAndCleaned, or to Failed where removing the files failed (recovery cleans those).
/// A task whose segments the catalog already shows is left alone: the monitor (or recovery)
/// completes it. If the ledger write fails, the tasks stay as they were and their reasons
/// wait in [`Inner::unwritten`] for the monitor to write them again.
///
/// This is where a failure becomes the task's reason text.
pub(super) fn fail(inner: &Inner, id: u64, why: TaskFailure) {
    fail_under(inner, &inner.writer(), id, why);
}

/// [`fail`] by a holder of the writer lock: what it reads of the state stays so while it
/// removes folders (with no state lock) and writes the ledger.
pub(super) fn fail_under(inner: &Inner, w: &Writing<'_>, id: u64, why: TaskFailure) {
    let (rec, group, dir) = {
        let st = inner.lock();
        let Some(rec) = st.ledger.get(id).cloned() else {
            drop(st);
            inner.unwritten_failures().remove(&id);
            return;
        };
        let group = job_of(&st.ledger, &rec);
        // The collection's committed tasks and the folders of the job's tasks.
        let dir = (st.catalog.collection(&rec.collection).ok()).map(|c| {
            let folders: Vec<(u64, std::path::PathBuf)> = (group.iter())
                .map(|t| (t.id, st.catalog.task_dir(c.id, t.id)))
                .collect();
            (c.committed_tasks.clone(), folders)
        });
        (rec, group, dir)
    };
    let mut failing = vec![(id, why.to_string())];
    let mut stopping = Vec::new();
    if let Some(job) = rec.job_id {
        let sibling = sibling_failure(&why, id, job);
        for t in group.iter().filter(|t| t.id != id) {
            match t.state {
                TaskState::Pending | TaskState::Persisted => {
                    failing.push((t.id, sibling.to_string()));
                }
                TaskState::Started => stopping.push((t.id, job)),
                _ => {}
            }
        }
    }
    let mut removed = Vec::new();
    for (t, _) in &failing {
        let may_fail = (group.iter().find(|r| r.id == *t))
            .is_some_and(|r| crate::ledger::can_move(r.state, TaskState::Failed));
        let committed = dir.as_ref().is_some_and(|(done, _)| done.contains(t));
        if !may_fail || committed {
            continue;
        }
        let gone = match &dir {
            Some((_, folders)) => (folders.iter().find(|(f, _)| f == t))
                .is_none_or(|(_, folder)| super::settler::discard(inner, folder).is_ok()),
            None => true, // the collection and its files are gone
        };
        removed.push((*t, gone));
    }
    // A failed write leaves the tasks as they were; the monitor writes it again.
    let written = inner
        .change_ledger(w, |batch| {
            for (t, reason) in &failing {
                let Some(&(_, gone)) = removed.iter().find(|(r, _)| r == t) else {
                    continue;
                };
                if batch
                    .transition(*t, TaskState::Failed, Some(reason))
                    .is_ok()
                    && gone
                {
                    let _ = batch.transition(*t, TaskState::FailedAndCleaned, None);
                }
            }
            Ok::<_, LedgerError>(())
        })
        .is_ok();
    {
        let mut unwritten = inner.unwritten_failures();
        for (t, reason) in &failing {
            let Some(&(_, gone)) = removed.iter().find(|(r, _)| r == t) else {
                continue;
            };
            if written {
                unwritten.remove(t);
                events::failed(*t, rec.job_id, reason, gone);
            } else if !unwritten.contains_key(t) {
                events::failure_unwritten(*t, reason);
                unwritten.insert(*t, reason.clone());
            }
        }
    }
    for (t, job) in stopping {
        let sibling = sibling_failure(&why, id, job);
        let reason = sibling.to_string();
        if let Some(r) = inner.running_tasks().get(&t)
            && r.stop(sibling)
        {
            events::stopping(t, &reason);
        }
    }
    inner.changed.notify_all();
}

/// Why the other tasks of `job` fail when task `task` fails for `why`: an aborted job's
/// tasks are all "aborted" (an expired Uncommitted job's all name the TTL); otherwise they
/// name the task that failed.
fn sibling_failure(why: &TaskFailure, task: u64, job: u64) -> TaskFailure {
    match why {
        TaskFailure::Aborted => TaskFailure::Aborted,
        TaskFailure::UncommittedExpired(ttl) => TaskFailure::UncommittedExpired(*ttl),
        _ => TaskFailure::SiblingFailed { task, job },
    }
}

/// Cancels a Pending task at once, or asks a Started one to stop.
pub(super) fn cancel(inner: &Inner, id: u64) -> Result<(), EngineError> {
    let w = inner.writer();
    let state = inner.lock().ledger.get(id).map(|r| r.state);
    match state.ok_or(EngineError::TaskNotFound(id))? {
        TaskState::Pending => {
            fail_under(inner, &w, id, TaskFailure::Cancelled);
            Ok(())
        }
        TaskState::Started => {
            if let Some(r) = inner.running_tasks().get(&id)
                && r.stop(TaskFailure::Cancelled)
            {
                events::stopping(id, &TaskFailure::Cancelled.to_string());
            }
            Ok(())
        }
        s => Err(EngineError::TaskState {
            id,
            state: s.name(),
            what: "only Pending or Started tasks can be cancelled",
        }),
    }
}

/// Aborts tasks `ids` (one job's): a Started one is asked to stop, a Pending or Persisted one
/// fails at once (with the unfinished tasks of its job). Each fails with reason "aborted",
/// its files removed; finished tasks are left alone.
pub(super) fn abort(inner: &Inner, ids: &[u64]) {
    // The writer lock keeps each task's state as read until it is failed (a runner moves a
    // task to Started under it).
    let w = inner.writer();
    let mut now = Vec::new();
    {
        let st = inner.lock();
        let running = inner.running_tasks();
        for id in ids {
            match st.ledger.get(*id).map(|r| r.state) {
                Some(TaskState::Started) => {
                    if let Some(r) = running.get(id) {
                        r.stop(TaskFailure::Aborted);
                    }
                }
                Some(TaskState::Pending | TaskState::Persisted) => now.push(*id),
                _ => {}
            }
        }
    }
    for id in now {
        fail_under(inner, &w, id, TaskFailure::Aborted);
    }
}
