//! [`Ledger`]: the durable table of import tasks and the auto-id counter.
//!
//! Every change is written to disk (atomic write, directory synced) before it shows in memory,
//! so what a caller reads has survived a crash. [`Ledger::open`] replays the directory.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::disk::{self, COUNTERS_FILE, Counters, TASKS_DIR};
use super::error::LedgerError;
use super::state::{TaskState, can_move};
use super::task::TaskRecord;
use crate::fault::FaultHook;
use crate::fsutil::create_dir_durable;

/// The first auto-id handed out: 2^40 (about 1.1e12).
///
/// Milvus's auto-ids are large (timestamp-based, around 4.5e17), and clients should not read
/// meaning into small ones; 2^40 keeps them large. It also leaves 2^53 - 2^40 (about 9e15) ids
/// before passing JavaScript's exact-integer limit, so JSON clients read them without loss.
pub const AUTO_ID_BASE: i64 = 1 << 40;

/// Task ids start at 1.
const FIRST_TASK_ID: u64 = 1;

/// The durable task ledger of one data directory. One process writes it at a time (the data
/// directory's lock is the caller's business).
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    tasks_dir: PathBuf,
    tasks: BTreeMap<u64, TaskRecord>,
    counters: Counters,
    fault_hook: Option<FaultHook>,
}

impl Ledger {
    /// Opens the ledger in `dir`, creating it if needed, and replays every task record.
    ///
    /// Temp files left by a crash are removed. A record or counters file that fails its checks
    /// (format, version, content, agreement with the counters) is a [`LedgerError::Corrupt`]
    /// naming the file.
    pub fn open(dir: &Path) -> Result<Ledger, LedgerError> {
        let tasks_dir = dir.join(TASKS_DIR);
        for d in [dir, tasks_dir.as_path()] {
            create_dir_durable(d).map_err(|source| LedgerError::Io {
                path: d.to_owned(),
                source,
            })?;
        }
        let counters_path = dir.join(COUNTERS_FILE);
        let records = disk::read_tasks(&tasks_dir)?;
        let counters = match disk::read_counters(dir)? {
            Some(c) => c,
            None if records.is_empty() => Counters {
                next_task_id: FIRST_TASK_ID,
                next_auto_id: AUTO_ID_BASE,
            },
            None => {
                return Err(LedgerError::Corrupt {
                    path: counters_path,
                    reason: "missing, but task records exist".to_owned(),
                });
            }
        };
        if counters.next_auto_id < AUTO_ID_BASE || counters.next_task_id < FIRST_TASK_ID {
            return Err(LedgerError::Corrupt {
                path: counters_path,
                reason: format!("counters below their bases: {counters:?}"),
            });
        }
        let mut tasks = BTreeMap::new();
        for task in records {
            let path = tasks_dir.join(disk::task_file_name(task.id));
            if task.id >= counters.next_task_id {
                return Err(LedgerError::Corrupt {
                    path,
                    reason: format!(
                        "task id is not below next_task_id {}",
                        counters.next_task_id
                    ),
                });
            }
            if let Err((field, problem)) = check_record(&task, counters.next_auto_id) {
                return Err(LedgerError::Corrupt {
                    path,
                    reason: format!("{field} {problem}"),
                });
            }
            tasks.insert(task.id, task);
        }
        Ok(Ledger {
            dir: dir.to_owned(),
            tasks_dir,
            tasks,
            counters,
            fault_hook: None,
        })
    }

    /// Runs `hook` around each write of a record or of the counters.
    pub fn with_fault_hook(mut self, hook: Option<FaultHook>) -> Self {
        self.fault_hook = hook;
        self
    }

    /// Creates a Pending task with the next id, durable before this returns. Ids strictly
    /// increase, across restarts and after records are removed.
    pub fn create(
        &mut self,
        collection: &str,
        partition: &str,
        files: Vec<String>,
        job_id: Option<u64>,
        now: u64,
    ) -> Result<TaskRecord, LedgerError> {
        let id = self.counters.next_task_id;
        let next_task_id = id.checked_add(1).ok_or(LedgerError::TaskIdsExhausted)?;
        // The id is spent before the record exists: a crash in between skips an id, never
        // reuses one.
        self.save_counters(Counters {
            next_task_id,
            ..self.counters
        })?;
        let task = TaskRecord::new(id, collection, partition, files, job_id, now);
        disk::write_task(&self.tasks_dir, &task, self.fault_hook.as_ref())?;
        self.tasks.insert(id, task.clone());
        Ok(task)
    }

    /// The record of task `id`, if the ledger holds it.
    pub fn get(&self, id: u64) -> Option<&TaskRecord> {
        self.tasks.get(&id)
    }

    /// Moves task `id` to `to` if the transition table allows it, durably.
    ///
    /// Moving to Failed appends `reason` to `failed_reason` (joined with `"; "` to an earlier
    /// one); for other targets `reason` is ignored.
    pub fn transition(
        &mut self,
        id: u64,
        to: TaskState,
        reason: Option<&str>,
    ) -> Result<&TaskRecord, LedgerError> {
        let current = self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))?;
        if !can_move(current.state, to) {
            return Err(LedgerError::BadTransition {
                id,
                from: current.state,
                to,
            });
        }
        let mut next = current.clone();
        next.state = to;
        if to == TaskState::Failed
            && let Some(reason) = reason.filter(|r| !r.is_empty())
        {
            if !next.failed_reason.is_empty() {
                next.failed_reason.push_str("; ");
            }
            next.failed_reason.push_str(reason);
        }
        self.save_task(next)
    }

    /// Changes task `id`'s other fields (progress, row_count, segments, id_ranges, start_time,
    /// persist_cost, ...) through `f`, durably.
    ///
    /// Refused with [`LedgerError::BadUpdate`], leaving the record as it was, if `f` changes
    /// the id or the state, sets progress above 100, a persist_cost that is not a finite
    /// non-negative number, or an id range not handed out by [`alloc_ids`](Ledger::alloc_ids).
    pub fn update(
        &mut self,
        id: u64,
        f: impl FnOnce(&mut TaskRecord),
    ) -> Result<&TaskRecord, LedgerError> {
        let current = self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))?;
        let mut next = current.clone();
        f(&mut next);
        let bad = |field, problem| LedgerError::BadUpdate { id, field, problem };
        if next.id != id {
            return Err(bad("id", "may not change"));
        }
        if next.state != current.state {
            return Err(bad("state", "changes only through a transition"));
        }
        check_record(&next, self.counters.next_auto_id).map_err(|(f, p)| bad(f, p))?;
        if next == *current {
            return self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id));
        }
        self.save_task(next)
    }

    /// Tasks ordered by id (oldest first), optionally of one collection. With `limit` `n`,
    /// `0 < n < count`, only the newest `n` are kept, as Milvus's `list_bulk_insert_tasks`.
    pub fn list(&self, collection: Option<&str>, limit: Option<usize>) -> Vec<&TaskRecord> {
        let mut tasks: Vec<&TaskRecord> = self
            .tasks
            .values()
            .filter(|t| collection.is_none_or(|c| t.collection == c))
            .collect();
        if let Some(n) = limit
            && 0 < n
            && n < tasks.len()
        {
            tasks.drain(..tasks.len() - n);
        }
        tasks
    }

    /// Drops task `id`'s record (retention), durably. Its id is never handed out again.
    pub fn remove(&mut self, id: u64) -> Result<(), LedgerError> {
        if !self.tasks.contains_key(&id) {
            return Err(LedgerError::NoSuchTask(id));
        }
        disk::remove_task(&self.tasks_dir, id, self.fault_hook.as_ref())?;
        self.tasks.remove(&id);
        Ok(())
    }

    /// Hands out `n` fresh auto-ids as `[start, start + n)`. The counter is durable before
    /// this returns, so ranges never overlap, across tasks and restarts. Ids start at
    /// [`AUTO_ID_BASE`].
    pub fn alloc_ids(&mut self, n: u64) -> Result<Range<i64>, LedgerError> {
        let start = self.counters.next_auto_id;
        let end = i64::try_from(n)
            .ok()
            .and_then(|n| start.checked_add(n))
            .ok_or(LedgerError::AutoIdsExhausted {
                requested: n,
                next: start,
            })?;
        if n > 0 {
            self.save_counters(Counters {
                next_auto_id: end,
                ..self.counters
            })?;
        }
        Ok(start..end)
    }

    /// The id the next created task will get.
    pub fn next_task_id(&self) -> u64 {
        self.counters.next_task_id
    }

    /// How many tasks are Pending.
    pub fn pending_count(&self) -> usize {
        self.tasks
            .values()
            .filter(|t| t.state == TaskState::Pending)
            .count()
    }

    /// Ids of the tasks in any of `states`, ascending.
    pub fn in_states(&self, states: &[TaskState]) -> Vec<u64> {
        self.tasks
            .values()
            .filter(|t| states.contains(&t.state))
            .map(|t| t.id)
            .collect()
    }

    /// Writes `task` and then replaces the in-memory record with it.
    fn save_task(&mut self, task: TaskRecord) -> Result<&TaskRecord, LedgerError> {
        let slot = self
            .tasks
            .get_mut(&task.id)
            .ok_or(LedgerError::NoSuchTask(task.id))?;
        disk::write_task(&self.tasks_dir, &task, self.fault_hook.as_ref())?;
        *slot = task;
        Ok(slot)
    }

    /// Writes `counters` and then adopts them.
    fn save_counters(&mut self, counters: Counters) -> Result<(), LedgerError> {
        disk::write_counters(&self.dir, counters, self.fault_hook.as_ref())?;
        self.counters = counters;
        Ok(())
    }
}

/// The value rules a stored record keeps: `Err((field, problem))` names the first broken one.
fn check_record(task: &TaskRecord, next_auto_id: i64) -> Result<(), (&'static str, &'static str)> {
    if task.progress > 100 {
        return Err(("progress", "is above 100"));
    }
    if let Some(cost) = task.persist_cost
        && !(cost.is_finite() && cost >= 0.0)
    {
        return Err((
            "persist_cost",
            "is not a finite, non-negative number of seconds",
        ));
    }
    let allocated =
        |&[begin, end]: &[i64; 2]| AUTO_ID_BASE <= begin && begin <= end && end <= next_auto_id;
    if !task.id_ranges.iter().all(allocated) {
        return Err(("id_ranges", "holds a range not handed out by alloc_ids"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
