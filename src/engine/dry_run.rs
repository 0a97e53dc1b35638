//! Dry runs (`--dry-run`, option `dryRun`): a task whose rows are read, checked and routed by
//! the import graph with counting sinks in the writers' place. It takes no auto-ids from the
//! ledger, creates no folder and writes no segment; it ends Completed with its rows by
//! partition in one ledger write and is never committed (the catalog never hears of it).

use std::ops::Range;
use std::sync::atomic::{AtomicI64, Ordering};

use super::Inner;
use super::events;
use super::failure::TaskFailure;
use super::runner::write_rejects;
use crate::ledger::{LedgerError, TaskState, now_unix};
use crate::pipeline::{AllocError, IdAllocator, TaskOutput};

/// Auto-ids of a dry run: counted here from 1, so that rows are filled as an import's would
/// be, but never reserved in the ledger (a dry run changes nothing).
#[derive(Debug)]
pub(super) struct DryIds(AtomicI64);

impl DryIds {
    /// Ids from 1.
    pub(super) fn new() -> DryIds {
        DryIds(AtomicI64::new(1))
    }
}

impl IdAllocator for DryIds {
    fn alloc(&self, n: u64) -> Result<Range<i64>, AllocError> {
        let n = i64::try_from(n).map_err(|_| format!("{n} auto-ids are too many"))?;
        let first = self.0.fetch_add(n, Ordering::Relaxed);
        let end = first.checked_add(n).ok_or("auto-ids ran out")?;
        Ok(first..end)
    }
}

/// Records dry run `id` Completed with what it found: rows (that would be committed) by
/// partition, rejected rows and their file (written as an import writes it), the seconds it
/// took. Started -> Persisted -> Completed in one ledger write: nothing is visible in
/// between, and there is nothing to commit.
pub(super) fn complete(
    inner: &Inner,
    id: u64,
    out: TaskOutput,
    cost: f64,
) -> Result<(), TaskFailure> {
    let w = inner.writer();
    let rejects_file = match out.rejected {
        0 => None,
        _ => Some(write_rejects(inner, id, &out.rejects).map_err(TaskFailure::Persist)?),
    };
    let now = now_unix();
    let rec = inner.change_ledger(&w, |b| {
        b.transition(id, TaskState::Persisted, None)?
            .update(id, |r| {
                r.row_count = out.rows;
                r.rejected_rows = out.rejected;
                r.rejects_file = rejects_file;
                r.partitions = out.partitions;
                r.persist_cost = Some(cost);
                r.persist_time = Some(now);
            })?
            .transition(id, TaskState::Completed, None)?
            .update(id, |r| r.progress = 100)?;
        Ok::<_, LedgerError>(b.get(id).cloned())
    })?;
    if let Some(rec) = rec {
        events::dry_run_completed(&rec);
    }
    inner.changed.notify_all();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_ids_count_from_one_without_gaps() {
        let ids = DryIds::new();
        assert_eq!(ids.alloc(3).unwrap(), 1..4);
        assert_eq!(ids.alloc(0).unwrap(), 4..4);
        assert_eq!(ids.alloc(2).unwrap(), 4..6);
        assert!(ids.alloc(u64::MAX).is_err());
    }
}
