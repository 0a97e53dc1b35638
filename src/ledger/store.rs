//! [`Ledger`]: the durable table of import tasks and the auto-id counter.
//!
//! Every change is written to disk (atomic write, directory synced) before it shows in memory,
//! so what a caller reads has survived a crash, and each change is one durable write however
//! many fields or records it touches ([`Batch`]). [`Ledger::open`] replays the directory.
//!
//! Journals and their settle, with the invariant that makes replay right: `store/journal.rs`.

use std::collections::BTreeMap;
use std::ops::Range;

use super::batch::Batch;
use super::disk::Counters;
use super::error::LedgerError;
use super::state::TaskState;
use super::task::TaskRecord;
use super::write::{LedgerDisk, LedgerWrite};
use crate::fault::FaultHook;

/// The first auto-id handed out: 2^40 (about 1.1e12).
///
/// Milvus's auto-ids are large (timestamp-based, around 4.5e17), and clients should not read
/// meaning into small ones; 2^40 keeps them large. It also leaves 2^53 - 2^40 (about 9e15) ids
/// before passing JavaScript's exact-integer limit, so JSON clients read them without loss.
pub const AUTO_ID_BASE: i64 = 1 << 40;

/// Task ids start at 1.
const FIRST_TASK_ID: u64 = 1;

mod journal;
mod replay;

/// The durable task ledger of one data directory. One process writes it at a time (the data
/// directory's lock is the caller's business).
#[derive(Debug)]
pub struct Ledger {
    /// The files' paths and the fault hook around their writes.
    disk: LedgerDisk,
    tasks: BTreeMap<u64, TaskRecord>,
    counters: Counters,
    /// Journals not yet settled, by sequence, with the records as each holds them.
    journals: BTreeMap<u64, Vec<TaskRecord>>,
    /// For each record some journal holds, the sequence of the newest such journal.
    journaled: BTreeMap<u64, u64>,
    /// The sequence of the next journal written.
    next_journal: u64,
    /// Changes of records written since open, each one durable write.
    writes: u64,
    /// Writes adopted since open: a write planned at another generation is stale.
    generation: u64,
}

impl Ledger {
    /// Starts a change of one or more records, made durable in one write by
    /// [`Batch::commit`] (or planned by [`Batch::plan`]). Dropping the batch uncommitted
    /// changes nothing.
    pub fn batch(&mut self) -> Batch<'_> {
        Batch::new(self)
    }

    /// Runs `hook` around each write of a record, the journal or the counters.
    pub fn with_fault_hook(mut self, hook: Option<FaultHook>) -> Self {
        self.disk.fault_hook = hook;
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
        let mut batch = self.batch();
        let id = batch.create(collection, partition, files, job_id, now)?;
        batch.commit()?;
        self.get(id).cloned().ok_or(LedgerError::NoSuchTask(id))
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
        let mut batch = self.batch();
        batch.transition(id, to, reason)?;
        batch.commit()?;
        self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))
    }

    /// Moves task `id` to `to` (as [`transition`](Ledger::transition)) and changes its other
    /// fields through `f` (as [`update`](Ledger::update)), in one durable write: e.g. Persisted
    /// with the segment list, or Completed with progress 100.
    pub fn transition_with(
        &mut self,
        id: u64,
        to: TaskState,
        reason: Option<&str>,
        f: impl FnOnce(&mut TaskRecord),
    ) -> Result<&TaskRecord, LedgerError> {
        let mut batch = self.batch();
        batch.transition(id, to, reason)?.update(id, f)?;
        batch.commit()?;
        self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))
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
        let mut batch = self.batch();
        batch.update(id, f)?;
        batch.commit()?;
        self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))
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
        let write = self.plan_remove(id)?;
        self.commit(write)
    }

    /// Plans [`remove`](Ledger::remove) (see [`LedgerWrite`]).
    /// A record a journal still holds is refused ([`LedgerError::Unsettled`]): removing its
    /// file would not remove it from the journal.
    pub fn plan_remove(&self, id: u64) -> Result<LedgerWrite, LedgerError> {
        let task = self.tasks.get(&id).ok_or(LedgerError::NoSuchTask(id))?;
        if self.journaled.contains_key(&id) {
            return Err(LedgerError::Unsettled(id));
        }
        let mut write = self.plan();
        write.remove = Some(task.clone());
        Ok(write)
    }

    /// Hands out `n` fresh auto-ids as `[start, start + n)`. The counter is durable before
    /// this returns, so ranges never overlap, across tasks and restarts. Ids start at
    /// [`AUTO_ID_BASE`].
    pub fn alloc_ids(&mut self, n: u64) -> Result<Range<i64>, LedgerError> {
        let (ids, write) = self.plan_alloc(n)?;
        self.commit(write)?;
        Ok(ids)
    }

    /// Plans [`alloc_ids`](Ledger::alloc_ids): the ids it hands out once the write is
    /// adopted (see [`LedgerWrite`]).
    pub fn plan_alloc(&self, n: u64) -> Result<(Range<i64>, LedgerWrite), LedgerError> {
        let start = self.counters.next_auto_id;
        let end = i64::try_from(n)
            .ok()
            .and_then(|n| start.checked_add(n))
            .ok_or(LedgerError::AutoIdsExhausted {
                requested: n,
                next: start,
            })?;
        let mut write = self.plan();
        if n > 0 {
            let next = Counters {
                next_auto_id: end,
                ..self.counters
            };
            write.counters = Some((self.counters, next));
        }
        Ok((start..end, write))
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

    /// How many changes of records were written since open: each is one durable write,
    /// however many records it touched.
    pub fn record_writes(&self) -> u64 {
        self.writes
    }

    /// The counters as they are now (a batch starts from them).
    pub(super) fn counters(&self) -> Counters {
        self.counters
    }

    /// A write that does nothing yet.
    pub(super) fn plan(&self) -> LedgerWrite {
        LedgerWrite::new(self.disk.clone(), self.generation)
    }

    /// Shows in memory what of `write` is on disk (all of it, once [`LedgerWrite::apply`]
    /// succeeded). `write` must be the last one planned: no other change adopted since.
    pub fn adopt(&mut self, write: LedgerWrite) {
        debug_assert_eq!(
            write.generation, self.generation,
            "a ledger write was planned before another change was adopted"
        );
        self.generation += 1;
        let LedgerWrite {
            counters,
            records,
            journal,
            remove,
            done,
            ..
        } = write;
        if let Some((_, next)) = counters.filter(|_| done.counters) {
            self.counters = next;
        }
        if done.records && !records.is_empty() {
            if let Some(seq) = journal {
                for t in &records {
                    self.journaled.insert(t.id, seq);
                }
                self.journals.insert(seq, records.clone());
                self.next_journal = seq + 1;
            }
            self.writes += 1;
            self.tasks.extend(records.into_iter().map(|t| (t.id, t)));
        }
        if let Some(task) = remove.filter(|_| done.removed) {
            self.tasks.remove(&task.id);
        }
    }

    /// Applies `write` and adopts it, then settles the journal it left (a failure there is
    /// finished by the next commit, or the next replay).
    pub(super) fn commit(&mut self, mut write: LedgerWrite) -> Result<(), LedgerError> {
        let written = write.apply();
        self.adopt(write);
        written?;
        let _ = self.settle_all();
        Ok(())
    }
}

/// The value rules a stored record keeps: `Err((field, problem))` names the first broken one.
pub(super) fn check_record(
    task: &TaskRecord,
    next_auto_id: i64,
) -> Result<(), (&'static str, &'static str)> {
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

#[cfg(test)]
#[path = "settle_tests.rs"]
mod settle_tests;
