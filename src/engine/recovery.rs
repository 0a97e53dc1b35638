//! Opening a data directory: the lock, then recovery of interrupted tasks, expiration,
//! retention and removal of files no task owns.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::failure::TaskFailure;
use super::{EngineError, Inner, commit, events, stop};
use crate::fault::DurableWrite;
use crate::ledger::{LedgerError, TaskState, now_unix};

/// Takes the data directory's lock and writes our PID into it.
pub(super) fn lock_dir(dir: &Path) -> Result<File, EngineError> {
    let path = dir.join("LOCK");
    let io = |source| EngineError::Io {
        path: path.clone(),
        source,
    };
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    // A lock that names this very process is one we have just let go of (an engine dropped
    // before this open) and that a child forked meanwhile still holds until its exec closes
    // it: wait for that, briefly, rather than refuse.
    let deadline = Instant::now() + HOLDER_WAIT;
    loop {
        match f.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline && names_us(&path) => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => return Err(holder(dir, &path)),
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    write_owner(&f, None).map_err(io)?;
    Ok(f)
}

/// Whether the lock file's holder line names this process.
fn names_us(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let pid = text.split_whitespace().next().unwrap_or("");
    pid == std::process::id().to_string()
}

/// Writes the lock file's one line, `PID [ADDRESS]`: over the old text from its start, then
/// cut to length, so a reader never finds it empty, and its first line is either the
/// previous holder's (a dead process) or ours, whole.
pub(super) fn write_owner(mut f: &File, address: Option<&str>) -> std::io::Result<()> {
    let mut line = std::process::id().to_string();
    if let Some(a) = address {
        line.push(' ');
        line.push_str(a);
    }
    line.push('\n');
    f.rewind()?;
    f.write_all(line.as_bytes())?;
    f.set_len(line.len() as u64)
}

/// How long a second process waits for the holder to write its PID.
const HOLDER_WAIT: Duration = Duration::from_secs(2);

/// The lock error, naming the holder as the lock file says: its PID and, for a server, its
/// address. A holder that has just taken the lock may not have written its line yet (the
/// file is empty or still names the previous, dead holder): we read again for a while.
fn holder(dir: &Path, path: &Path) -> EngineError {
    let deadline = Instant::now() + HOLDER_WAIT;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut words = text.lines().next().unwrap_or("").split_whitespace();
        let pid = words.next().filter(|p| p.parse::<u32>().is_ok());
        if let Some(pid) = pid.filter(|p| alive(p)) {
            return EngineError::Locked {
                dir: dir.to_path_buf(),
                pid: pid.to_string(),
                address: words.next().map(str::to_string),
            };
        }
        if Instant::now() >= deadline {
            return EngineError::Locked {
                dir: dir.to_path_buf(),
                pid: pid.map_or_else(
                    || "unknown (the lock file names none)".into(),
                    str::to_string,
                ),
                address: None,
            };
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` lives (always true where `/proc` is missing).
fn alive(pid: &str) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid).exists()
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
    let mut resumed = Vec::new();
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
            // Rule (3): resumed by a process that runs tasks (from its first row when
            // nothing of it is durable yet); others leave it Started when it has durable
            // units, and fail it otherwise (nothing of it is lost).
            // Rule (3) does not hold for a task over several processes: it is never resumed.
            TaskState::Started if t.cluster.is_some() => {
                let action = "failing it: a cluster task is not resumed";
                events::recovered(t.id, "Started", action);
                stop::fail(inner, t.id, TaskFailure::Restarted);
            }
            TaskState::Started if inner.opts.import.resume && inner.opts.run_pending => {
                let action = "resuming it from its last durable work unit";
                events::recovered(t.id, "Started", action);
                resumed.push(t.id);
            }
            TaskState::Started if inner.opts.import.resume && t.resume.is_some() => {
                let action = "leaving it Started: the next `import` or `serve` resumes it";
                events::recovered(t.id, "Started", action);
            }
            TaskState::Started => {
                events::recovered(
                    t.id,
                    "Started",
                    "failing it: the process ended while it ran",
                );
                stop::fail(inner, t.id, TaskFailure::Restarted);
            }
            TaskState::Persisted => {
                // A crash right after Persisted may leave the parts its rejects file was
                // made of (import.resume): the folder keeps only its segments.
                if let Some(d) = &dir {
                    super::resume::remove_reject_parts(d);
                }
                let complete = dir.as_ref().is_some_and(|d| {
                    t.segments.iter().all(|s| {
                        crate::segment::read_meta(&d.join(&s.file_name))
                            .is_ok_and(|m| m.row_count == s.rows)
                    })
                });
                let done = inner.lock().catalog.is_committed(&t.collection, t.id);
                if complete && !done && t.auto_commit == Some(false) {
                    // Rule (1): a two-phase job's task waits for its commit or abort.
                    let action = "keeping it Persisted: its job waits for commit or abort";
                    events::recovered(t.id, "Persisted", action);
                } else if done || complete {
                    let action = "completing its commit: its segments are complete";
                    events::recovered(t.id, "Persisted", action);
                    if let Err(why) = commit::finish_commit(inner, t.id, &t.collection) {
                        let why = TaskFailure::RestartedCommitFailed(Box::new(why));
                        stop::fail(inner, t.id, why);
                    }
                } else {
                    let action = "failing it: its segments are incomplete";
                    events::recovered(t.id, "Persisted", action);
                    stop::fail(inner, t.id, TaskFailure::RestartedIncomplete);
                }
            }
            TaskState::Failed => {
                events::recovered(t.id, "Failed", "removing its files");
                let w = inner.writer();
                let cleaned = dir.as_deref().is_none_or(|d| remove_dir(inner, d).is_ok());
                if cleaned {
                    let _ = inner.change_ledger(&w, |b| {
                        b.transition(t.id, TaskState::FailedAndCleaned, None)?;
                        Ok::<_, LedgerError>(())
                    });
                }
            }
        }
    }
    super::jobs::expire_uncommitted(inner);
    remove_strays(inner)?;
    apply_retention(inner);
    let st = inner.lock();
    let pending = st.ledger.in_states(&[TaskState::Pending]);
    events::recovery_done(st.ledger.list(None, None).len(), pending.len());
    // Resumed tasks first: they are older than any task still Pending behind them.
    resumed.retain(|id| {
        st.ledger
            .get(*id)
            .is_some_and(|t| t.state == TaskState::Started)
    });
    inner.resuming().extend(resumed.iter().copied());
    // What an embedded `import` follows before its own task: the interrupted tasks, and with
    // `import.resume` also those a killed process had queued but not yet started (else this
    // process would start them and leave them Started again when it exits).
    let mut follow = resumed.clone();
    if inner.opts.import.resume {
        follow.extend(pending.iter().copied());
    }
    *inner.resumed.lock().unwrap_or_else(|p| p.into_inner()) = follow;
    resumed.extend(pending);
    Ok(resumed)
}

/// Removes segment directories that no committed or pending task owns (a crash between
/// writing files and recording them, or a dropped collection), and the trash (failed tasks'
/// folders, `.trash-t<task>`, that the last process did not delete).
fn remove_strays(inner: &Inner) -> Result<(), EngineError> {
    let _w = inner.writer();
    // What owns a folder, read once: nothing changes while the writer lock is held.
    let (collections, unfinished) = {
        let st = inner.lock();
        let collections: Vec<(u64, BTreeSet<u64>)> = (st.catalog.collections())
            .map(|c| (c.id, c.committed_tasks.clone()))
            .collect();
        let unfinished: BTreeSet<u64> =
            (st.ledger
                .in_states(&[TaskState::Pending, TaskState::Started, TaskState::Persisted]))
            .into_iter()
            .collect();
        (collections, unfinished)
    };
    remove_stray_rejects(inner);
    let root = inner.data_dir.join("segments");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let cid = name.strip_prefix('c').and_then(|n| n.parse::<u64>().ok());
        let Some((_, committed)) = cid.and_then(|id| collections.iter().find(|c| c.0 == id)) else {
            if remove_dir(inner, &e.path()).is_ok() {
                events::stray_removed(&e.path());
            }
            continue;
        };
        let Ok(tasks) = std::fs::read_dir(e.path()) else {
            continue;
        };
        for t in tasks.flatten() {
            let tname = t.file_name().to_string_lossy().to_string();
            if tname.starts_with(super::settler::TRASH_PREFIX) {
                // A failed task's folder the last process had no time to delete.
                if crate::fsutil::remove_dir_durable(&t.path()).is_ok() {
                    events::trash_removed(&t.path());
                }
                continue;
            }
            let tid = tname.strip_prefix('t').and_then(|n| n.parse::<u64>().ok());
            let keep = tid.is_some_and(|id| committed.contains(&id) || unfinished.contains(&id));
            if !keep && remove_dir(inner, &t.path()).is_ok() {
                events::stray_removed(&t.path());
            }
        }
    }
    Ok(())
}

/// Removes rejects files whose task is gone or failed (a crash between writing one and
/// recording the task's end).
fn remove_stray_rejects(inner: &Inner) {
    let Ok(entries) = std::fs::read_dir(inner.data_dir.join("rejects")) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let id = name
            .strip_suffix(".jsonl")
            .and_then(|n| n.parse::<u64>().ok());
        let keep = id.is_some_and(|id| {
            (inner.lock().ledger.get(id)).is_some_and(|t| {
                !matches!(t.state, TaskState::Failed | TaskState::FailedAndCleaned)
            })
        });
        if !keep && std::fs::remove_file(e.path()).is_ok() {
            events::stray_removed(&e.path());
        }
    }
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
    let w = inner.writer();
    let old: Vec<u64> = (inner.lock().ledger.list(None, None).into_iter())
        .filter(|t| matches!(t.state, TaskState::Completed | TaskState::FailedAndCleaned))
        .filter(|t| now.saturating_sub(t.create_time) > keep)
        .map(|t| t.id)
        .collect();
    for id in old {
        let planned = inner.lock().ledger.plan_remove(id);
        if let Ok(write) = planned
            && inner.write_ledger(&w, write).is_ok()
        {
            super::runner::remove_rejects(inner, id);
            events::retained_out(id);
        }
    }
}
