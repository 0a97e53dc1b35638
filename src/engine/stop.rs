//! Failing, cancelling and aborting tasks: a failed task's folder to the trash and one
//! ledger write for it and the unfinished tasks of its job.

use super::commit::job_of;
use super::events;
use super::failure::TaskFailure;
use super::writer::Writing;
use super::{EngineError, Inner};
use crate::ledger::{LedgerError, TaskState};

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
                s if inner.idle_started(t.id, s) => failing.push((t.id, sibling.to_string())),
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
        super::runner::remove_rejects(inner, *t);
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
        s if s == TaskState::Pending || inner.idle_started(id, s) => {
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
                Some(TaskState::Started) if !running.contains_key(id) => now.push(*id),
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
