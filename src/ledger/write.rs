//! [`LedgerWrite`]: one change of the ledger's files, planned in memory, written without the
//! ledger borrowed, then adopted.
//!
//! A change is planned while the in-memory ledger is borrowed ([`Batch::plan`],
//! [`Ledger::plan_alloc`], [`Ledger::plan_remove`], [`Ledger::plan_settle`]: memory only),
//! written by [`LedgerWrite::apply`], which needs nothing but the files' paths and the fault
//! hook it carries, and shown by [`Ledger::adopt`]. So a caller that shares the ledger behind
//! a lock holds that lock for the plan and the adopt, never across the I/O; it must let no
//! other change in between (the engine's writer lock), and adopts every write it applied,
//! also a failed one (what of it was written shows, nothing else).
//!
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
    pub settled: bool,
    pub counters: bool,
    pub records: bool,
    pub removed: bool,
}

/// One planned change of the ledger's files: the journal left by the last change copied into
/// its records' files first, then the counters, then the records in one write (the record's
/// own file for one, the journal for several), or one record's removal.
#[derive(Debug)]
#[must_use = "a planned ledger write changes nothing until it is applied and adopted"]
pub struct LedgerWrite {
    pub(super) disk: LedgerDisk,
    /// The ledger's generation it was planned at (adopted writes count up).
    pub(super) generation: u64,
    /// The records of a journal not yet settled, as it holds them.
    pub(super) settle: Vec<TaskRecord>,
    /// The counters as on disk, and as this change leaves them.
    pub(super) counters: Option<(Counters, Counters)>,
    /// Changed records, as this change leaves them.
    pub(super) records: Vec<TaskRecord>,
    /// For one changed record: the version its file holds (`None`: no file).
    pub(super) old: Option<TaskRecord>,
    /// A record to remove (retention).
    pub(super) remove: Option<TaskRecord>,
    pub(super) done: Done,
}

impl LedgerWrite {
    /// A write planned at `generation` that settles `settle` first and does nothing else yet.
    pub(super) fn new(disk: LedgerDisk, generation: u64, settle: Vec<TaskRecord>) -> Self {
        LedgerWrite {
            disk,
            generation,
            settle,
            counters: None,
            records: Vec::new(),
            old: None,
            remove: None,
            done: Done::default(),
        }
    }

    /// Whether it writes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.settle.is_empty()
            && self.counters.is_none()
            && self.records.is_empty()
            && self.remove.is_none()
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
        if !self.done.settled {
            for task in &self.settle {
                // The file may hold an older version; the journal holds this one either way.
                disk::write_task(tasks_dir, task, Some(task), hook)?;
            }
            if !self.settle.is_empty() {
                disk::remove_journal(tasks_dir)?;
            }
            self.done.settled = true;
        }
        if let Some((old, new)) = self.counters.filter(|_| !self.done.counters) {
            disk::write_counters(dir, new, Some(old), hook)?;
            self.done.counters = true;
        }
        if !self.done.records {
            match self.records.as_slice() {
                [] => {}
                [one] => disk::write_task(tasks_dir, one, self.old.as_ref(), hook)?,
                many => disk::write_journal(tasks_dir, many, hook)?,
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
