//! Committing Persisted tasks: a task's (or a whole job's) segments made visible in one
//! catalog write, then Completed in one ledger write; two-phase jobs stop before it.

use super::Inner;
use super::events;
use super::failure::TaskFailure;
use super::writer::Writing;
use crate::catalog::VisibleSegment;
use crate::ledger::{LedgerError, TaskRecord, TaskState};

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
pub(super) fn job_of(ledger: &crate::ledger::Ledger, rec: &TaskRecord) -> Vec<TaskRecord> {
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
