//! Tests of [`Batch`]: several changes, one write; nothing on a refused step; the journal
//! of a multi-record change replayed after a crash.

use std::fs;

use super::*;
use crate::ledger::disk::{self, TASKS_DIR};
use TaskState::*;

const NOW: u64 = 1_795_492_800;

fn open(dir: &tempfile::TempDir) -> Ledger {
    Ledger::open(dir.path()).unwrap()
}

fn records(l: &Ledger) -> Vec<TaskRecord> {
    l.list(None, None).into_iter().cloned().collect()
}

/// The journal of earlier releases (sequence 0), as a crash may have left it.
fn journal(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join(TASKS_DIR).join(disk::journal_file_name(0))
}

/// The journals in the task folder.
fn journals(dir: &tempfile::TempDir) -> Vec<String> {
    (fs::read_dir(dir.path().join(TASKS_DIR)).unwrap().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("batch"))
        .collect()
}

/// Creates a job of `n` tasks in one batch; returns their ids.
fn job(l: &mut Ledger, n: usize) -> Vec<u64> {
    let job = l.next_task_id();
    let mut b = l.batch();
    let ids = (0..n)
        .map(|i| {
            b.create("c", "_default", vec![format!("{i}.json")], Some(job), NOW)
                .unwrap()
        })
        .collect();
    b.commit().unwrap();
    ids
}

#[test]
fn a_transition_and_its_fields_are_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let id = l
        .create("c", "", vec!["a.json".into()], None, NOW)
        .unwrap()
        .id;
    let t = l
        .transition_with(id, Started, None, |r| r.start_time = Some(NOW + 1))
        .unwrap();
    assert_eq!((t.state, t.start_time), (Started, Some(NOW + 1)));
    assert_eq!(open(&dir).get(id), l.get(id));
    // A refused field leaves the state as it was too.
    let err = l
        .transition_with(id, Persisted, None, |r| r.progress = 101)
        .unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::BadUpdate {
                field: "progress",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(l.get(id).unwrap().state, Started);
    assert_eq!(open(&dir).get(id).unwrap().state, Started);
}

#[test]
fn a_job_is_created_and_moved_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let ids = job(&mut l, 3);
    assert_eq!(ids, [1, 2, 3]);
    assert!(ids.iter().all(|&id| l.get(id).unwrap().job_id == Some(1)));
    assert_eq!(
        journals(&dir),
        [] as [String; 0],
        "the journal outlived its change"
    );
    assert_eq!(records(&open(&dir)), records(&l));

    let mut b = l.batch();
    for &id in &ids {
        b.transition(id, Failed, Some("job failed"))
            .unwrap()
            .transition(id, FailedAndCleaned, None)
            .unwrap();
    }
    // The batch reads its own staged records.
    assert_eq!(b.get(2).unwrap().state, FailedAndCleaned);
    b.commit().unwrap();
    let reopened = open(&dir);
    for id in ids {
        let t = reopened.get(id).unwrap();
        assert_eq!(
            (t.state, t.failed_reason.as_str()),
            (FailedAndCleaned, "job failed")
        );
    }
    assert_eq!(journals(&dir), [] as [String; 0]);
}

#[test]
fn a_refused_step_or_a_dropped_batch_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let ids = job(&mut l, 2);
    let before = records(&l);
    let mut b = l.batch();
    b.transition(ids[0], Started, None).unwrap();
    let err = b.transition(ids[1], Completed, None).unwrap_err();
    assert!(matches!(
        err,
        LedgerError::BadTransition {
            from: Pending,
            to: Completed,
            ..
        }
    ));
    let err = b.update(ids[0], |r| r.state = Completed).unwrap_err();
    assert!(matches!(err, LedgerError::BadUpdate { field: "state", .. }));
    assert!(matches!(
        b.transition(99, Started, None),
        Err(LedgerError::NoSuchTask(99))
    ));
    drop(b);
    assert_eq!(records(&l), before);
    assert_eq!(records(&open(&dir)), before);
    // Ids a dropped batch staged are not spent.
    let mut b = l.batch();
    b.create("c", "", vec![], None, NOW).unwrap();
    drop(b);
    assert_eq!(l.next_task_id(), 3);
}

#[test]
fn a_journal_left_by_a_crash_is_applied_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let ids = job(&mut l, 2);
    let tasks_dir = dir.path().join(TASKS_DIR);
    // The crash came after the journal, before the records' own files.
    let moved: Vec<TaskRecord> = ids
        .iter()
        .map(|&id| {
            let mut t = l.get(id).unwrap().clone();
            t.state = Failed;
            t.failed_reason = "cancelled".into();
            t
        })
        .collect();
    disk::write_journal(&tasks_dir, 0, &moved, None).unwrap();
    drop(l);
    // A release that predates the journal reads the records without it.
    let old: Vec<_> = disk::read_tasks(&tasks_dir, false).unwrap();
    assert!(old.iter().all(|t| t.state == Pending), "{old:?}");

    let l = open(&dir);
    assert_eq!(records(&l), moved);
    assert!(!journal(&dir).exists(), "replay keeps the journal");
    let mut on_disk = disk::read_tasks(&tasks_dir, false).unwrap();
    on_disk.sort_by_key(|t| t.id);
    assert_eq!(
        on_disk, moved,
        "replay did not copy the journal into the records"
    );
}

#[test]
fn a_bad_journal_is_corrupt_and_a_torn_one_is_swept() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    job(&mut l, 2);
    let before = records(&l);
    drop(l);
    let torn = dir.path().join(TASKS_DIR).join(".batch.json.tmp");
    fs::write(&torn, b"{\"format\": \"vecload-ba").unwrap();
    assert_eq!(records(&open(&dir)), before);
    assert!(!torn.exists());

    fs::write(
        journal(&dir),
        br#"{"format": "vecload-task", "version": 1}"#,
    )
    .unwrap();
    let err = Ledger::open(dir.path()).unwrap_err();
    assert!(matches!(err, LedgerError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("batch.json"), "{err}");
}

#[test]
fn a_journal_naming_an_unknown_id_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let ids = job(&mut l, 2);
    let mut stray = l.get(ids[0]).unwrap().clone();
    stray.id = 500;
    disk::write_journal(&dir.path().join(TASKS_DIR), 0, &[stray], None).unwrap();
    drop(l);
    let err = Ledger::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("next_task_id"), "{err}");
}
