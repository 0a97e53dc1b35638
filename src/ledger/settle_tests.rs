//! Tests of settling journals while other changes are written ([`Ledger::plan_settle`]): a
//! crash (every write failing from some point on) at any point replays to the newest state,
//! also when a record of the journal being settled changed after the settle was planned.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::fault::{FaultHook, injected};
use TaskState::*;

const NOW: u64 = 1_795_492_800;

/// A hook under which every write from the `n`-th on fails (a process killed there), with
/// the count of writes it saw.
fn killed_at(n: usize) -> (FaultHook, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let hook = FaultHook::new(move |s| {
        if count.fetch_add(1, Ordering::SeqCst) >= n {
            return Err(injected(s));
        }
        Ok(())
    });
    (hook, seen)
}

/// One change as the engine writes it: planned, applied, adopted (no settle).
fn change(
    l: &mut Ledger,
    stage: impl FnOnce(&mut Batch<'_>) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let mut batch = l.batch();
    stage(&mut batch)?;
    let mut write = batch.plan();
    let written = write.apply();
    l.adopt(write);
    written
}

fn records(l: &Ledger) -> Vec<TaskRecord> {
    l.list(None, None).into_iter().cloned().collect()
}

/// A job of three tasks (journal 1); task 1 alone (journal 2, since journal 1 holds it); the
/// settle of journal 1 planned, then task 2 changed before the settle is applied (journal 3);
/// then the rest settled. Stops at the first failure.
fn scenario(l: &mut Ledger) -> Result<(), LedgerError> {
    change(l, |b| {
        for i in 0..3 {
            b.create("c", "_default", vec![format!("{i}.json")], Some(1), NOW)?;
        }
        Ok(())
    })?;
    change(l, |b| b.transition(1, Started, None).map(|_| ()))?;
    let mut settle = l.plan_settle().expect("journal 1");
    assert_eq!(settle.len(), 2, "task 1 is journal 2's to settle");
    change(l, |b| b.transition(2, Failed, Some("x")).map(|_| ()))?;
    let settled = settle.apply();
    l.adopt_settle(settle);
    settled?;
    change(l, |b| b.transition(3, Started, None).map(|_| ()))?;
    l.settle_all()
}

#[test]
fn a_crash_at_any_point_of_settling_replays_to_the_newest_state() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, seen) = killed_at(usize::MAX);
    let mut l = Ledger::open(dir.path())
        .unwrap()
        .with_fault_hook(Some(hook));
    scenario(&mut l).unwrap();
    let total = seen.load(Ordering::SeqCst);
    assert_eq!(l.unsettled_journals(), 0);
    let states: Vec<_> = records(&l).iter().map(|t| t.state).collect();
    assert_eq!(states, [Started, Failed, Started]);
    assert_eq!(records(&Ledger::open(dir.path()).unwrap()), records(&l));
    for n in 0..total {
        let dir = tempfile::tempdir().unwrap();
        let (hook, _) = killed_at(n);
        let mut l = Ledger::open(dir.path())
            .unwrap()
            .with_fault_hook(Some(hook));
        assert!(scenario(&mut l).is_err(), "write {n} of {total}");
        let memory = records(&l);
        // As the files are (the journals applied in memory), and as the next open settles.
        let read = Ledger::open_read_only(dir.path()).unwrap();
        assert_eq!(records(&read), memory, "killed at write {n} of {total}");
        let reopened = Ledger::open(dir.path()).unwrap();
        assert_eq!(records(&reopened), memory, "killed at write {n} of {total}");
        assert_eq!(reopened.unsettled_journals(), 0);
        let left: Vec<_> = (fs::read_dir(dir.path().join("tasks")).unwrap().flatten())
            .map(|e| e.file_name())
            .filter(|n| {
                !n.to_string_lossy().ends_with(".json") || n.to_string_lossy().starts_with("batch")
            })
            .collect();
        assert!(left.is_empty(), "killed at write {n}: {left:?}");
    }
}

#[test]
fn a_journaled_record_waits_for_its_settle_to_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(dir.path()).unwrap();
    change(&mut l, |b| {
        for _ in 0..2 {
            b.create("c", "_default", vec![], None, NOW)?;
        }
        Ok(())
    })
    .unwrap();
    change(&mut l, |b| {
        b.transition(1, Failed, None)?;
        b.transition(1, FailedAndCleaned, None).map(|_| ())
    })
    .unwrap();
    assert!(matches!(l.remove(1), Err(LedgerError::Unsettled(1))));
    l.settle_all().unwrap();
    l.remove(1).unwrap();
    assert_eq!(records(&Ledger::open(dir.path()).unwrap()), records(&l));
    assert!(l.get(1).is_none());
}
