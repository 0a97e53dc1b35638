//! A change of several records is written as one journal, `tasks/batch-<seq>.json`, with a
//! sequence number above every earlier journal's; a change of one record goes to its own file,
//! unless a journal not yet settled holds that record: then it goes to a new journal too.
//! Settling copies a journal's records into their own files and removes it, oldest journal
//! first, off any lock that other writes take (the engine's settler thread). Replay reads the
//! record files, then applies the journals in sequence order, each over what came before.
//!
//! The invariant that makes replay return the newest state: for every record, the newest
//! journal holding it holds its newest version, or, if no journal holds it, its own file does.
//! It holds because
//! - a change of a record some journal holds is written to a newer journal, never to the
//!   record's file (so while a journal exists, only its settle writes its records' files);
//! - a settle writes the journal's version of each of its records that no newer journal holds
//!   (that version is the newest: a later change would be in a newer journal), and writes
//!   nothing for the others, whose newer journal wins at replay anyway;
//! - a journal is removed only once all its writes succeeded, and journals are settled oldest
//!   first, so no older journal is left to apply an older version over a settled file;
//! - a record a journal holds is not removed (retention waits for the settle).
//!
//! A crash at any point of a settle leaves the journal, which replay applies again.

use super::super::error::LedgerError;
use super::super::write::Settle;
use super::Ledger;

impl Ledger {
    /// Whether a write of record `id` must go to a journal: a journal not yet settled holds it.
    pub(in crate::ledger) fn is_journaled(&self, id: u64) -> bool {
        self.journaled.contains_key(&id)
    }

    /// The sequence the next journal gets.
    pub(in crate::ledger) fn next_journal(&self) -> u64 {
        self.next_journal
    }

    /// How many journals are not yet settled.
    pub fn unsettled_journals(&self) -> usize {
        self.journals.len()
    }

    /// Plans settling the oldest journal: its records that no newer journal holds, as it
    /// holds them; `None` when every journal is settled. Memory only: apply it with no lock
    /// ([`Settle::apply`]), also while other changes are written, then adopt it
    /// ([`adopt_settle`](Ledger::adopt_settle)). One settle at a time.
    pub fn plan_settle(&self) -> Option<Settle> {
        let (&seq, tasks) = self.journals.iter().next()?;
        let records = (tasks.iter())
            .filter(|t| self.journaled.get(&t.id) == Some(&seq))
            .cloned()
            .collect();
        Some(Settle {
            disk: self.disk.clone(),
            seq,
            records,
            done: false,
        })
    }

    /// Shows a settle in memory: once applied, its journal is gone and its records are in
    /// their own files (a failed one changes nothing: the journal stays). Other writes may
    /// have been adopted since it was planned.
    pub fn adopt_settle(&mut self, settle: Settle) {
        if !settle.done {
            return;
        }
        for t in self.journals.remove(&settle.seq).unwrap_or_default() {
            if self.journaled.get(&t.id) == Some(&settle.seq) {
                self.journaled.remove(&t.id);
            }
        }
    }

    /// Settles every journal, oldest first, here and now (for a ledger no other thread writes).
    pub fn settle_all(&mut self) -> Result<(), LedgerError> {
        while let Some(mut settle) = self.plan_settle() {
            let settled = settle.apply();
            self.adopt_settle(settle);
            settled?;
        }
        Ok(())
    }
}
