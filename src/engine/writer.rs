//! The engine's two locks. `writer` serialises every change of the catalog, the ledger and
//! the task folders, and is held across their I/O; `state` guards memory only and is held for
//! one memory operation at a time, so readers (task states and lists, jobs, counts,
//! snapshots, collections, `wait`) take only `state` and never wait for a disk.
//!
//! A change: take `writer` ([`Inner::writer`]); under a brief `state` lock read what it needs
//! and plan it (a [`LedgerWrite`] or [`CatalogWrite`]: memory only); write it with no `state`
//! lock; take `state` briefly and adopt it. Since every change holds `writer`, nothing changes
//! between the plan and the adopt, and memory changes only after the write succeeded. Lock
//! order: `writer` before `state`, never the other way.
//!
//! A ledger change written as a journal is copied into its records' own files later, by the
//! settler thread ([`super::settler`]), which takes no `writer`.

use std::ops::Range;
use std::sync::MutexGuard;

use super::Inner;
use crate::catalog::{CatalogError, CatalogWrite};
use crate::ledger::{Batch, LedgerError, LedgerWrite};

/// Proof that the holder has the writer lock: every change takes one.
pub(crate) struct Writing<'a>(#[allow(dead_code)] MutexGuard<'a, ()>);

impl Inner {
    /// Takes the writer lock (waiting for the change in progress).
    pub fn writer(&self) -> Writing<'_> {
        Writing(self.writer.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The writer lock if no change is in progress.
    pub fn try_writer(&self) -> Option<Writing<'_>> {
        match self.writer.try_lock() {
            Ok(g) => Some(Writing(g)),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(Writing(p.into_inner())),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// Writes a planned ledger change without the state lock and adopts what of it was
    /// written; a journal it left is the settler's to copy into the records' files.
    pub fn write_ledger(
        &self,
        _w: &Writing<'_>,
        mut write: LedgerWrite,
    ) -> Result<(), LedgerError> {
        if write.is_empty() {
            return Ok(());
        }
        let written = write.apply();
        let journals = {
            let mut st = self.lock();
            st.ledger.adopt(write);
            st.ledger.unsettled_journals()
        };
        if journals > 0 {
            self.wake_settler();
        }
        written
    }

    /// One ledger change staged by `stage` on a batch (under a brief state lock), then
    /// written and adopted as [`write_ledger`](Inner::write_ledger) does.
    pub fn change_ledger<T, E: From<LedgerError>>(
        &self,
        w: &Writing<'_>,
        stage: impl FnOnce(&mut Batch<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let (out, write) = {
            let mut st = self.lock();
            let mut batch = st.ledger.batch();
            let out = stage(&mut batch)?;
            (out, batch.plan())
        };
        self.write_ledger(w, write)?;
        Ok(out)
    }

    /// Writes a planned catalog change without the state lock, then adopts it.
    pub fn write_catalog(&self, _w: &Writing<'_>, write: CatalogWrite) -> Result<(), CatalogError> {
        write.apply()?;
        self.lock().catalog.adopt(write);
        Ok(())
    }

    /// Hands out `n` fresh auto-ids, durable before this returns.
    pub fn alloc_ids(&self, n: u64) -> Result<Range<i64>, LedgerError> {
        let w = self.writer();
        let (ids, write) = self.lock().ledger.plan_alloc(n)?;
        self.write_ledger(&w, write)?;
        Ok(ids)
    }
}
