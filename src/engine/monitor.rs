//! The monitor thread: every half second it stops expired tasks, aborts Uncommitted jobs past
//! their TTL, keeps running tasks' progress, and writes again what a failed write left
//! unfinished; every minute it applies retention.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Inner;
use super::commit::finish_commit;
use super::failure::TaskFailure;
use super::runner::Running;
use super::stop::fail;
use crate::ledger::{LedgerError, TaskState};

/// Every half second: persist progress of running tasks and stop expired ones; every
/// minute: drop records past retention.
pub(super) fn monitor(inner: &Arc<Inner>) {
    let mut last_retention = Instant::now() - Duration::from_secs(3600);
    while !inner.shutdown.load(Ordering::SeqCst) {
        let running: Vec<(u64, Arc<Running>)> = inner
            .running_tasks()
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let expiration = inner.opts.import.task_expiration_s;
        for (id, running) in running {
            let progress = (inner.lock().ledger.get(id))
                .filter(|r| r.state == TaskState::Started)
                .map(|r| r.progress);
            let Some(progress) = progress else {
                continue;
            };
            if running.started.elapsed() >= Duration::from_secs(expiration) {
                let why = TaskFailure::TimedOut(expiration);
                let reason = why.to_string();
                if running.stop(why) {
                    super::events::stopping(id, &reason);
                }
            }
            let p = running.control.percent();
            // Progress is kept when no other change is being written (the next round
            // tries again); expiration above never waits for one.
            if p > progress
                && let Some(w) = inner.try_writer()
            {
                let _ = inner.change_ledger(&w, |b| {
                    if b.get(id)
                        .is_some_and(|r| r.state == TaskState::Started && r.progress < p)
                    {
                        b.update(id, |r| r.progress = p)?;
                    }
                    Ok::<_, LedgerError>(())
                });
            }
        }
        expire_timeouts(inner);
        super::jobs::expire_uncommitted(inner);
        settle_stuck(inner);
        if last_retention.elapsed() >= Duration::from_secs(60) {
            last_retention = Instant::now();
            super::recovery::apply_retention(inner);
        }
        let st = inner.lock();
        let _ = inner.changed.wait_timeout(st, Duration::from_millis(500));
    }
}

/// Fails the unfinished tasks whose request `timeout` has passed since their creation (a
/// wall-clock bound, kept across restarts; counted from the second after `create_time`, so
/// never early): a Started one is stopped, the others fail at once with their job. A
/// Persisted task of a two-phase job is left alone: its import is done, and how long its
/// job may wait for its commit is `import.uncommitted_ttl_s`.
fn expire_timeouts(inner: &Inner) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let due: Vec<(u64, TaskState, u64)> = {
        let st = inner.lock();
        (st.ledger.list(None, None).into_iter())
            .filter(|t| match t.state {
                TaskState::Pending | TaskState::Started => true,
                TaskState::Persisted => t.auto_commit != Some(false),
                _ => false,
            })
            .filter_map(|t| {
                let ms = t.timeout_ms?;
                let deadline = (t.create_time + 1).saturating_mul(1000).saturating_add(ms);
                (now_ms >= deadline).then_some((t.id, t.state, ms))
            })
            .collect()
    };
    for (id, state, ms) in due {
        if state == TaskState::Started {
            if let Some(r) = inner.running_tasks().get(&id) {
                r.stop(TaskFailure::JobTimedOut(ms));
            }
        } else {
            fail(inner, id, TaskFailure::JobTimedOut(ms));
        }
    }
}

/// Writes again what a failed write left unfinished: failures not yet written, and tasks
/// whose segments the catalog shows but whose Completed write failed (their runner is gone).
fn settle_stuck(inner: &Inner) {
    let unwritten: Vec<(u64, String)> = (inner.unwritten_failures().iter())
        .map(|(id, why)| (*id, why.clone()))
        .collect();
    for (id, why) in unwritten {
        fail(inner, id, TaskFailure::Unwritten(why));
    }
    let committed: Vec<(u64, String)> = {
        let st = inner.lock();
        let running = inner.running_tasks();
        (st.ledger.list(None, None).into_iter())
            .filter(|t| t.state == TaskState::Persisted && !running.contains_key(&t.id))
            .filter(|t| st.catalog.is_committed(&t.collection, t.id))
            .map(|t| (t.id, t.collection.clone()))
            .collect()
    };
    for (id, collection) in committed {
        if let Err(why) = finish_commit(inner, id, &collection) {
            fail(inner, id, why);
        }
    }
}
