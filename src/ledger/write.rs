//! [`LedgerWrite`]: one change of the ledger's files, planned in memory, written without the
//! ledger borrowed, then adopted.
//!
//! A change is planned while the in-memory ledger is borrowed ([`Batch::plan`],
//! [`Ledger::plan_alloc`], [`Ledger::plan_remove`]: memory only),
//! written by [`LedgerWrite::apply`], which needs nothing but the files' paths and the fault
//! hook it carries, and shown by [`Ledger::adopt`]. So a caller that shares the ledger behind
//! a lock holds that lock for the plan and the adopt, never across the I/O; it must let no
//! other change in between (the engine's writer lock), and adopts every write it applied,
//! also a failed one (what of it was written shows, nothing else).
//!
//! [`Settle`] copies a journal into its records' own files the same way ([`Ledger::plan_settle`],
//! [`Settle::apply`], [`Ledger::adopt_settle`]), but needs no writer lock: the files it writes
//! are of records no other write touches while the journal exists (see [`Ledger`]).
//!
//! [`Ledger`]: super::Ledger
//! [`Ledger::adopt_settle`]: super::Ledger::adopt_settle
//! [`Batch::plan`]: super::Batch::plan
//! [`Ledger::plan_alloc`]: super::Ledger::plan_alloc
//! [`Ledger::plan_remove`]: super::Ledger::plan_remove
//! [`Ledger::plan_settle`]: super::Ledger::plan_settle
//! [`Ledger::adopt`]: super::Ledger::adopt

use std::path::PathBuf;

use super::disk::{self, Counters};
use super::error::LedgerError;
use super::task::TaskRecord;
use crate::fault::FaultHook;

/// Where the ledger's files are, and the hook around their writes: all a write needs.
#[derive(Debug, Clone)]
pub(super) struct LedgerDisk {
    pub dir: PathBuf,
    pub tasks_dir: PathBuf,
    pub fault_hook: Option<FaultHook>,
}

/// Which steps of a [`LedgerWrite`] are on disk.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Done {
    pub counters: bool,
    pub records: bool,
    pub removed: bool,
}

/// One planned change of the ledger's files: the counters, then the records in one write (the
/// record's own file for one that no journal holds, else a new journal), or one record's
/// removal.
#[derive(Debug)]
#[must_use = "a planned ledger write changes nothing until it is applied and adopted"]
pub struct LedgerWrite {
    pub(super) disk: LedgerDisk,
    /// The ledger's generation it was planned at (adopted writes count up).
    pub(super) generation: u64,
    /// The counters as on disk, and as this change leaves them.
    pub(super) counters: Option<(Counters, Counters)>,
    /// Changed records, as this change leaves them.
    pub(super) records: Vec<TaskRecord>,
    /// The sequence of the journal the records go to (`None`: one record, to its own file).
    pub(super) journal: Option<u64>,
    /// For one changed record: the version its file holds (`None`: no file).
    pub(super) old: Option<TaskRecord>,
    /// A record to remove (retention).
    pub(super) remove: Option<TaskRecord>,
    pub(super) done: Done,
}

impl LedgerWrite {
    /// A write planned at `generation` that does nothing yet.
    pub(super) fn new(disk: LedgerDisk, generation: u64) -> Self {
        LedgerWrite {
            disk,
            generation,
            counters: None,
            records: Vec::new(),
            journal: None,
            old: None,
            remove: None,
            done: Done::default(),
        }
    }

    /// Whether it writes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.counters.is_none() && self.records.is_empty() && self.remove.is_none()
    }

    /// Writes the change durably, step by step; a step that fails leaves its files as they
    /// were and ends the write there (the steps before it stay written: adopt it anyway).
    pub fn apply(&mut self) -> Result<(), LedgerError> {
        let LedgerDisk {
            dir,
            tasks_dir,
            fault_hook,
        } = &self.disk;
        let hook = fault_hook.as_ref();
        if let Some((old, new)) = self.counters.filter(|_| !self.done.counters) {
            disk::write_counters(dir, new, Some(old), hook)?;
            self.done.counters = true;
        }
        if !self.done.records {
            debug_assert!(self.journal.is_some() || self.records.len() <= 1);
            match (self.journal, self.records.as_slice()) {
                (Some(seq), records) => disk::write_journal(tasks_dir, seq, records, hook)?,
                (None, [one]) => disk::write_task(tasks_dir, one, self.old.as_ref(), hook)?,
                (None, _) => {}
            }
            self.done.records = true;
        }
        if let Some(task) = self.remove.as_ref().filter(|_| !self.done.removed) {
            disk::remove_task(tasks_dir, task, hook)?;
            self.done.removed = true;
        }
        Ok(())
    }
}

/// Copying one journal into its records' own files, then removing it: planned by
/// [`Ledger::plan_settle`](super::Ledger::plan_settle), written by [`apply`](Settle::apply)
/// with no lock, shown by [`Ledger::adopt_settle`](super::Ledger::adopt_settle).
#[derive(Debug)]
#[must_use = "a planned settle changes nothing until it is applied and adopted"]
pub struct Settle {
    pub(super) disk: LedgerDisk,
    /// The journal's sequence.
    pub(super) seq: u64,
    /// Its records that no newer journal holds, as it holds them.
    pub(super) records: Vec<TaskRecord>,
    /// Whether the journal is removed.
    pub(super) done: bool,
}

impl Settle {
    /// Writes each record into its own file, then removes the journal, durably. A failure
    /// leaves the journal (the next settle, or replay, writes its records again).
    pub fn apply(&mut self) -> Result<(), LedgerError> {
        let hook = self.disk.fault_hook.as_ref();
        for task in &self.records {
            // The file may hold an older version; the journal holds this one either way.
            disk::write_task(&self.disk.tasks_dir, task, Some(task), hook)?;
        }
        disk::remove_journal(&self.disk.tasks_dir, self.seq)?;
        self.done = true;
        Ok(())
    }

    /// How many records it writes.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it writes no record (only removes the journal).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}
