//! Opening a data directory: the lock, then recovery of interrupted tasks, expiration,
//! retention and removal of files no task owns.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::failure::TaskFailure;
use super::{EngineError, Inner, runner};
use crate::fault::DurableWrite;
use crate::ledger::{TaskState, now_unix};

/// Takes the data directory's lock and writes our PID into it.
pub(super) fn lock_dir(dir: &Path) -> Result<File, EngineError> {
    let path = dir.join("LOCK");
    let io = |source| EngineError::Io {
        path: path.clone(),
        source,
    };
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            return Err(EngineError::Locked {
                dir: dir.to_path_buf(),
                pid: pid.trim().to_string(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    f.set_len(0).map_err(io)?;
    f.rewind().map_err(io)?;
    write!(f, "{}", std::process::id()).map_err(io)?;
    Ok(f)
}

/// Settles every task left by an earlier process; returns the Pending ones, oldest first,
/// to queue again.
pub(super) fn recover(inner: &Inner) -> Result<Vec<u64>, EngineError> {
    let ids: Vec<u64> = inner
        .lock()
        .ledger
        .list(None, None)
        .iter()
        .map(|t| t.id)
        .collect();
    for id in ids {
        // Re-read: settling one task of a job may have settled its siblings.
        let Some(t) = inner.lock().ledger.get(id).cloned() else {
            continue;
        };
        let dir = {
            let st = inner.lock();
            st.catalog
                .collection(&t.collection)
                .ok()
                .map(|c| st.catalog.task_dir(c.id, t.id))
        };
        match t.state {
            TaskState::Pending | TaskState::Completed | TaskState::FailedAndCleaned => {}
            TaskState::Started => runner::fail(inner, t.id, TaskFailure::Restarted),
            TaskState::Persisted => {
                let complete = dir.as_ref().is_some_and(|d| {
                    t.segments.iter().all(|s| {
                        crate::segment::read_meta(&d.join(&s.file_name))
                            .is_ok_and(|m| m.row_count == s.rows)
                    })
                });
                let done = inner.lock().catalog.is_committed(&t.collection, t.id);
                if done || complete {
                    if let Err(why) = runner::finish_commit(inner, t.id, &t.collection) {
                        let why = TaskFailure::RestartedCommitFailed(Box::new(why));
                        runner::fail(inner, t.id, why);
                    }
                } else {
                    runner::fail(inner, t.id, TaskFailure::RestartedIncomplete);
                }
            }
            TaskState::Failed => {
                let mut st = inner.lock();
                let cleaned = dir.as_deref().is_none_or(|d| remove_dir(inner, d).is_ok());
                if cleaned {
                    let _ = st
                        .ledger
                        .transition(t.id, TaskState::FailedAndCleaned, None);
                }
            }
        }
    }
    remove_strays(inner)?;
    apply_retention(inner);
    let st = inner.lock();
    Ok(st
        .ledger
        .list(None, None)
        .iter()
        .filter(|t| t.state == TaskState::Pending)
        .map(|t| t.id)
        .collect())
}

/// Removes segment directories that no committed or pending task owns (a crash between
/// writing files and recording them, or a dropped collection).
fn remove_strays(inner: &Inner) -> Result<(), EngineError> {
    let st = inner.lock();
    let root = inner.data_dir.join("segments");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(());
    };
    let live: BTreeSet<u64> = st.catalog.collections().map(|c| c.id).collect();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let cid = name.strip_prefix('c').and_then(|n| n.parse::<u64>().ok());
        let Some(c) = cid.and_then(|id| st.catalog.collections().find(|c| c.id == id)) else {
            if cid.is_none_or(|id| !live.contains(&id)) {
                let _ = remove_dir(inner, &e.path());
            }
            continue;
        };
        let Ok(tasks) = std::fs::read_dir(e.path()) else {
            continue;
        };
        for t in tasks.flatten() {
            let tname = t.file_name().to_string_lossy().to_string();
            let tid = tname.strip_prefix('t').and_then(|n| n.parse::<u64>().ok());
            let keep = tid.is_some_and(|id| {
                c.committed_tasks.contains(&id)
                    || st.ledger.get(id).is_some_and(|r| {
                        matches!(
                            r.state,
                            TaskState::Pending | TaskState::Started | TaskState::Persisted
                        )
                    })
            });
            if !keep {
                let _ = remove_dir(inner, &t.path());
            }
        }
    }
    Ok(())
}

/// Removes a directory of segments durably, between the fault hook's calls.
pub(super) fn remove_dir(inner: &Inner, dir: &Path) -> std::io::Result<()> {
    let hook = inner.opts.fault_hook.as_ref();
    crate::fault::guard(hook, DurableWrite::RemoveDir, || {
        crate::fsutil::remove_dir_durable(dir)
    })
}

/// Drops finished task records older than `import.task_retention_s`.
pub(super) fn apply_retention(inner: &Inner) {
    let now = now_unix();
    let keep = inner.opts.import.task_retention_s;
    let mut st = inner.lock();
    let old: Vec<u64> = st
        .ledger
        .list(None, None)
        .into_iter()
        .filter(|t| matches!(t.state, TaskState::Completed | TaskState::FailedAndCleaned))
        .filter(|t| now.saturating_sub(t.create_time) > keep)
        .map(|t| t.id)
        .collect();
    for id in old {
        let _ = st.ledger.remove(id);
    }
}
