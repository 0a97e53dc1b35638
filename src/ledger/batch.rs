//! [`Batch`]: the changes of one state change, checked as they are staged and made durable
//! by one write.
//!
//! A transition often changes more than the state (Started records its start time,
//! Persisted lists the segments), and some change several tasks at once (the tasks of a job
//! are created, committed and failed together). A batch stages each change with the checks of
//! [`Ledger::transition`] and [`Ledger::update`], reading its own staged records, and
//! [`commit`](Batch::commit) writes them once, or [`plan`](Batch::plan) hands that write to a
//! caller that writes it without the ledger borrowed ([`LedgerWrite`]).

use std::collections::BTreeMap;

use super::disk::Counters;
use super::error::LedgerError;
use super::state::{TaskState, can_move};
use super::store::{Ledger, check_record};
use super::task::TaskRecord;
use super::write::LedgerWrite;

/// Staged changes to a [`Ledger`], written by [`commit`](Batch::commit) in one durable
/// write. Dropping a batch without committing it changes nothing.
#[derive(Debug)]
pub struct Batch<'a> {
    ledger: &'a mut Ledger,
    counters: Counters,
    staged: BTreeMap<u64, TaskRecord>,
}

impl<'a> Batch<'a> {
    pub(super) fn new(ledger: &'a mut Ledger) -> Batch<'a> {
        Batch {
            counters: ledger.counters(),
            ledger,
            staged: BTreeMap::new(),
        }
    }

    /// Task `id` as the batch would leave it.
    pub fn get(&self, id: u64) -> Option<&TaskRecord> {
        self.staged.get(&id).or_else(|| self.ledger.get(id))
    }

    /// The id the next task this batch creates gets.
    pub fn next_task_id(&self) -> u64 {
        self.counters.next_task_id
    }

    /// Stages a new Pending task with the next id and returns the id.
    pub fn create(
        &mut self,
        collection: &str,
        partition: &str,
        files: Vec<String>,
        job_id: Option<u64>,
        now: u64,
    ) -> Result<u64, LedgerError> {
        let id = self.counters.next_task_id;
        self.counters.next_task_id = id.checked_add(1).ok_or(LedgerError::TaskIdsExhausted)?;
        let task = TaskRecord::new(id, collection, partition, files, job_id, now);
        self.staged.insert(id, task);
        Ok(id)
    }

    /// Stages a move of task `id` to `to`, if the transition table allows it from the state
    /// the batch has left it in (so `Failed` then `FailedAndCleaned` is one batch).
    ///
    /// Moving to Failed appends `reason` to `failed_reason` (joined with `"; "` to an earlier
    /// one); for other targets `reason` is ignored.
    pub fn transition(
        &mut self,
        id: u64,
        to: TaskState,
        reason: Option<&str>,
    ) -> Result<&mut Self, LedgerError> {
        let mut next = self.get(id).ok_or(LedgerError::NoSuchTask(id))?.clone();
        if !can_move(next.state, to) {
            return Err(LedgerError::BadTransition {
                id,
                from: next.state,
                to,
            });
        }
        next.state = to;
        if matches!(to, TaskState::Completed | TaskState::Failed) {
            next.complete_time.get_or_insert_with(super::time::now_unix);
        }
        if to == TaskState::Failed
            && let Some(reason) = reason.filter(|r| !r.is_empty())
        {
            if !next.failed_reason.is_empty() {
                next.failed_reason.push_str("; ");
            }
            next.failed_reason.push_str(reason);
        }
        self.staged.insert(id, next);
        Ok(self)
    }

    /// Stages a change of task `id`'s other fields through `f`.
    ///
    /// Refused with [`LedgerError::BadUpdate`], staging nothing, if `f` changes the id or the
    /// state, sets progress above 100, a persist_cost that is not a finite non-negative
    /// number, or an id range not handed out by [`Ledger::alloc_ids`].
    pub fn update(
        &mut self,
        id: u64,
        f: impl FnOnce(&mut TaskRecord),
    ) -> Result<&mut Self, LedgerError> {
        let current = self.get(id).ok_or(LedgerError::NoSuchTask(id))?;
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
        self.staged.insert(id, next);
        Ok(self)
    }

    /// Writes the staged changes in one durable write, then shows them in memory. Records
    /// left as they were are not written; on error nothing changes.
    pub fn commit(self) -> Result<(), LedgerError> {
        let (ledger, write) = self.into_write();
        ledger.commit(write)
    }

    /// The write [`commit`](Batch::commit) would make, to apply without the ledger borrowed
    /// and then adopt ([`LedgerWrite`]). Records left as they were are not written.
    pub fn plan(self) -> LedgerWrite {
        self.into_write().1
    }

    fn into_write(self) -> (&'a mut Ledger, LedgerWrite) {
        let Batch {
            ledger,
            counters,
            staged,
        } = self;
        let mut write = ledger.plan();
        let before = ledger.counters();
        if counters != before {
            write.counters = Some((before, counters));
        }
        write.records = staged
            .into_values()
            .filter(|t| ledger.get(t.id) != Some(t))
            .collect();
        match write.records.as_slice() {
            [one] if !ledger.is_journaled(one.id) => write.old = ledger.get(one.id).cloned(),
            [] => {}
            _ => write.journal = Some(ledger.next_journal()),
        }
        (ledger, write)
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
