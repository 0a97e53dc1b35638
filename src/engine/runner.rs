//! Running queued tasks: Started -> pipeline -> Persisted -> commit -> Completed, or
//! Failed -> cleaned -> FailedAndCleaned; plus the monitor (progress, expiry, retention).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::{EngineError, Inner};
use crate::catalog::VisibleSegment;
use crate::fault::{self, DurableWrite, FaultSite};
use crate::ledger::{SegmentRef, TaskState, now_unix};
use crate::pipeline::{self, IdAllocator, PipelineOptions, TaskControl, TaskSpec};
use crate::segment::SegmentInfo;

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
    fn alloc(&self, n: u64) -> Result<std::ops::Range<i64>, String> {
        self.0.lock().ledger.alloc_ids(n).map_err(|e| e.to_string())
    }
}

fn run_task(inner: &Arc<Inner>, id: u64) {
    let control = Arc::new(TaskControl::default());
    let spec = {
        let mut st = inner.lock();
        let Some(rec) = st.ledger.get(id).cloned() else {
            return;
        };
        if rec.state != TaskState::Pending {
            return; // cancelled while queued
        }
        let Ok(c) = st.catalog.collection(&rec.collection).cloned() else {
            drop(st);
            fail(
                inner,
                id,
                "the collection was dropped before the task started",
            );
            return;
        };
        if st.ledger.transition(id, TaskState::Started, None).is_err()
            || st
                .ledger
                .update(id, |r| r.start_time = Some(now_unix()))
                .is_err()
        {
            return;
        }
        inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, control.clone());
        let partitions = if c.schema.partition_key_index().is_some() {
            c.schema.key_partition_names()
        } else {
            vec![rec.partition.clone()]
        };
        TaskSpec {
            task_id: id,
            schema: c.schema.clone(),
            partitions,
            files: rec.files.clone(),
            root: inner.opts.storage.clone(),
            out_dir: st.catalog.task_dir(c.id, id),
        }
    };
    inner.changed.notify_all();
    let collection = spec.schema.name.clone();
    let dir = spec.out_dir.clone();
    let opts = PipelineOptions {
        workers: inner.opts.import.workers.max(1),
        segment_max_bytes: inner.opts.segment_max_size,
        unit_bytes: inner.opts.import.unit_bytes.max(1),
        memory_budget: inner.opts.import.memory_budget,
        simd_json: inner.opts.import.json_parser == super::JsonParser::SimdJson,
        unit_delay: Duration::from_millis(inner.opts.import.throttle_unit_ms),
        fault_hook: inner.opts.fault_hook.clone(),
        ..PipelineOptions::default()
    };
    let started = Instant::now();
    let hook = inner.opts.fault_hook.as_ref();
    let dir_error = |e| pipeline::PipelineError::Segment(format!("{}: {e}", dir.display()));
    let result = fault::at(hook, FaultSite::before(DurableWrite::Segments))
        .and_then(|()| {
            fault::guard(hook, DurableWrite::TaskDir, || {
                crate::fsutil::create_dir_durable(&dir)
            })
        })
        .map_err(dir_error)
        .and_then(|()| pipeline::run(spec, opts, &LedgerIds(inner), control.clone()))
        .and_then(|out| {
            fault::at(hook, FaultSite::after(DurableWrite::Segments)).map_err(dir_error)?;
            Ok(out)
        });
    let outcome = match result {
        Ok(out) => commit(inner, id, &collection, out, started.elapsed().as_secs_f64()),
        Err(e) => Err(control.stop_reason().unwrap_or_else(|| e.to_string())),
    };
    inner
        .running
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
    if let Err(reason) = outcome {
        fail(inner, id, &reason);
    }
    inner.changed.notify_all();
}

/// Persisted (segments listed), then one catalog write makes them visible, then Completed.
fn commit(
    inner: &Inner,
    id: u64,
    collection: &str,
    out: pipeline::TaskOutput,
    cost: f64,
) -> Result<(), String> {
    let hook = inner.opts.fault_hook.as_ref();
    let hook_error = |e: std::io::Error| format!("recording the task Persisted: {e}");
    fault::at(hook, FaultSite::before(DurableWrite::Persisted)).map_err(hook_error)?;
    let mut st = inner.lock();
    let segments = out.segments.iter().map(segment_ref).collect();
    st.ledger
        .update(id, |r| {
            r.row_count = out.rows;
            r.id_ranges = out.id_ranges.clone();
            r.segments = segments;
            r.persist_cost = Some(cost);
        })
        .map_err(|e| e.to_string())?;
    st.ledger
        .transition(id, TaskState::Persisted, None)
        .map_err(|e| e.to_string())?;
    st.ledger
        .update(id, |r| r.progress = 90)
        .map_err(|e| e.to_string())?;
    drop(st);
    fault::at(hook, FaultSite::after(DurableWrite::Persisted)).map_err(hook_error)?;
    finish_commit(inner, id, collection)
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
/// the whole job in one catalog write, so a job is all or nothing like a task.
pub(super) fn finish_commit(inner: &Inner, id: u64, collection: &str) -> Result<(), String> {
    let mut st = inner.lock();
    let rec = st
        .ledger
        .get(id)
        .cloned()
        .ok_or("the task record vanished")?;
    let group: Vec<_> = match rec.job_id {
        Some(job) => st
            .ledger
            .list(None, None)
            .into_iter()
            .filter(|t| t.job_id == Some(job))
            .cloned()
            .collect(),
        None => vec![rec],
    };
    if group
        .iter()
        .any(|t| t.state != TaskState::Persisted && t.state != TaskState::Completed)
    {
        return Ok(()); // a sibling is still running; it commits the job when it persists
    }
    let tasks = group
        .iter()
        .filter(|t| t.state == TaskState::Persisted)
        .map(|t| {
            let segs = t
                .segments
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
                .collect();
            (t.id, segs)
        })
        .collect();
    st.catalog
        .commit_tasks(collection, tasks)
        .map_err(|e| e.to_string())?;
    drop(st);
    let mut st = inner.lock();
    for t in group.iter().filter(|t| t.state == TaskState::Persisted) {
        st.ledger
            .transition(t.id, TaskState::Completed, None)
            .map_err(|e| e.to_string())?;
        st.ledger
            .update(t.id, |r| r.progress = 100)
            .map_err(|e| e.to_string())?;
    }
    drop(st);
    inner.changed.notify_all();
    Ok(())
}

/// Failed with `reason`, its files removed, then FailedAndCleaned. The other tasks of its
/// job fail with it (a job is all or nothing).
pub(super) fn fail(inner: &Inner, id: u64, reason: &str) {
    let job = fail_one(inner, id, reason);
    if let Some(job) = job {
        let siblings: Vec<(u64, TaskState)> = inner
            .lock()
            .ledger
            .list(None, None)
            .into_iter()
            .filter(|t| t.job_id == Some(job) && t.id != id)
            .map(|t| (t.id, t.state))
            .collect();
        let why = format!("cancelled: task {id} of job {job} failed");
        for (sib, state) in siblings {
            match state {
                TaskState::Pending | TaskState::Persisted => {
                    fail_one(inner, sib, &why);
                }
                TaskState::Started => {
                    if let Some(c) = inner
                        .running
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get(&sib)
                    {
                        c.request_stop(&why);
                    }
                }
                _ => {}
            }
        }
    }
    inner.changed.notify_all();
}

/// Fails one task and removes its files; returns its job.
fn fail_one(inner: &Inner, id: u64, reason: &str) -> Option<u64> {
    let mut st = inner.lock();
    let rec = st.ledger.get(id)?.clone();
    if st
        .ledger
        .transition(id, TaskState::Failed, Some(reason))
        .is_err()
    {
        return None;
    }
    let dir = st
        .catalog
        .collection(&rec.collection)
        .ok()
        .map(|c| st.catalog.task_dir(c.id, id));
    let cleaned = dir.is_none_or(|d| super::recovery::remove_dir(inner, &d).is_ok());
    if cleaned {
        let _ = st.ledger.transition(id, TaskState::FailedAndCleaned, None);
    }
    rec.job_id
}

/// Cancels a Pending task at once, or asks a Started one to stop.
pub(super) fn cancel(inner: &Inner, id: u64, reason: &str) -> Result<(), EngineError> {
    let st = inner.lock();
    let rec = st.ledger.get(id).ok_or(EngineError::TaskNotFound(id))?;
    match rec.state {
        TaskState::Pending => {
            drop(st);
            fail(inner, id, reason);
            Ok(())
        }
        TaskState::Started => {
            if let Some(c) = inner
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&id)
            {
                c.request_stop(reason);
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

/// Every half second: persist progress of running tasks and stop expired ones; every
/// minute: drop records past retention.
pub(super) fn monitor(inner: &Arc<Inner>) {
    let mut last_retention = Instant::now() - Duration::from_secs(3600);
    while !inner.shutdown.load(Ordering::SeqCst) {
        let running: Vec<(u64, Arc<TaskControl>)> = inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let now = now_unix();
        let expiration = inner.opts.import.task_expiration_s;
        for (id, control) in running {
            let mut st = inner.lock();
            let Some(rec) = st.ledger.get(id) else {
                continue;
            };
            if rec.state == TaskState::Started {
                if rec
                    .start_time
                    .is_some_and(|t| now.saturating_sub(t) >= expiration)
                {
                    control
                        .request_stop(&format!("the import task timed out after {expiration} s"));
                }
                let p = control.percent();
                if p > rec.progress {
                    let _ = st.ledger.update(id, |r| r.progress = p);
                }
            }
        }
        if last_retention.elapsed() >= Duration::from_secs(60) {
            last_retention = Instant::now();
            super::recovery::apply_retention(inner);
        }
        let st = inner.lock();
        let _ = inner.changed.wait_timeout(st, Duration::from_millis(500));
    }
}
