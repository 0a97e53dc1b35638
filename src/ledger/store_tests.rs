//! Tests of [`Ledger`]: transitions, durability across reopen, ids, listing, replay checks.

use std::fs;
use std::path::PathBuf;

use super::*;
use crate::ledger::disk::{self, COUNTERS_FILE, TASKS_DIR};
use crate::ledger::{SegmentRef, can_move};
use TaskState::*;

const NOW: u64 = 1_795_492_800;

fn open(dir: &tempfile::TempDir) -> Ledger {
    Ledger::open(dir.path()).unwrap()
}

fn create(l: &mut Ledger, collection: &str) -> u64 {
    l.create(collection, "_default", vec!["a.json".to_owned()], None, NOW)
        .unwrap()
        .id
}

/// The moves that bring a fresh Pending task to `state`.
fn path_to(state: TaskState) -> &'static [TaskState] {
    match state {
        Pending => &[],
        Started => &[Started],
        Persisted => &[Started, Persisted],
        Completed => &[Started, Persisted, Completed],
        Failed => &[Failed],
        FailedAndCleaned => &[Failed, FailedAndCleaned],
    }
}

fn task_path(dir: &tempfile::TempDir, id: u64) -> PathBuf {
    dir.path().join(TASKS_DIR).join(disk::task_file_name(id))
}

#[test]
fn create_persists_a_pending_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let t = l
        .create("book", "", vec!["x.json".to_owned()], Some(3), NOW)
        .unwrap();
    assert_eq!((t.id, t.state, t.job_id), (1, Pending, Some(3)));
    assert_eq!(l.get(1), Some(&t));
    assert!(task_path(&dir, 1).is_file());
    assert!(dir.path().join(COUNTERS_FILE).is_file());
    assert_eq!(open(&dir).get(1), Some(&t));
}

#[test]
fn every_move_follows_the_table_in_memory_and_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let mut expected = Vec::new();
    for from in TaskState::ALL {
        for to in TaskState::ALL {
            let id = create(&mut l, "c");
            for &step in path_to(from) {
                l.transition(id, step, None).unwrap();
            }
            assert_eq!(l.get(id).unwrap().state, from);
            match l.transition(id, to, None) {
                Ok(t) => {
                    assert!(can_move(from, to), "{from} -> {to} was allowed");
                    assert_eq!(t.state, to);
                    expected.push((id, to));
                }
                Err(LedgerError::BadTransition {
                    id: e_id,
                    from: f,
                    to: t,
                }) => {
                    assert!(!can_move(from, to), "{from} -> {to} was refused");
                    assert_eq!((e_id, f, t), (id, from, to));
                    expected.push((id, from));
                }
                Err(e) => panic!("{from} -> {to}: unexpected {e}"),
            }
        }
    }
    let reopened = open(&dir);
    for (id, state) in expected {
        assert_eq!(reopened.get(id).unwrap().state, state, "task {id}");
    }
}

#[test]
fn failed_reasons_are_joined() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let a = create(&mut l, "c");
    l.transition(a, Started, Some("ignored")).unwrap();
    assert_eq!(l.get(a).unwrap().failed_reason, "");
    l.update(a, |t| t.failed_reason = "row 3: bad dim".to_owned())
        .unwrap();
    let t = l
        .transition(a, Failed, Some("task marked failed as service restarted"))
        .unwrap();
    assert_eq!(
        t.failed_reason,
        "row 3: bad dim; task marked failed as service restarted"
    );
    let b = create(&mut l, "c");
    assert_eq!(
        l.transition(b, Failed, Some("cancelled"))
            .unwrap()
            .failed_reason,
        "cancelled"
    );
    let c = create(&mut l, "c");
    assert_eq!(l.transition(c, Failed, None).unwrap().failed_reason, "");
}

#[test]
fn records_and_counters_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let a = create(&mut l, "c");
    let b = create(&mut l, "d");
    let ids = l.alloc_ids(10).unwrap();
    l.transition(a, Started, None).unwrap();
    l.update(a, |t| {
        t.start_time = Some(NOW + 1);
        t.row_count = 10;
        t.progress = 90;
        t.id_ranges = vec![[ids.start, ids.end]];
        t.persist_cost = Some(0.5);
        t.segments.push(SegmentRef {
            file_name: "s0".to_owned(),
            rows: 10,
            bytes: 99,
            partition: "_default".to_owned(),
            shard: 1,
        });
    })
    .unwrap();
    l.transition(a, Persisted, None).unwrap();
    l.transition(b, Failed, Some("bad file")).unwrap();
    let before: Vec<TaskRecord> = l.list(None, None).into_iter().cloned().collect();
    drop(l);

    let mut l = open(&dir);
    let after: Vec<TaskRecord> = l.list(None, None).into_iter().cloned().collect();
    assert_eq!(after, before);
    assert_eq!(create(&mut l, "c"), b + 1);
    assert_eq!(l.alloc_ids(1).unwrap().start, ids.end);
}

#[test]
fn ids_keep_increasing_after_removal_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    for want in 1..=3 {
        assert_eq!(create(&mut l, "c"), want);
    }
    l.remove(3).unwrap();
    assert!(!task_path(&dir, 3).exists());
    assert!(l.get(3).is_none());
    assert!(matches!(l.remove(3), Err(LedgerError::NoSuchTask(3))));
    drop(l);
    let mut l = open(&dir);
    assert_eq!(create(&mut l, "c"), 4);
    for id in [1, 2, 4] {
        l.remove(id).unwrap();
    }
    drop(l);
    let mut l = open(&dir);
    assert!(l.list(None, None).is_empty());
    assert_eq!(create(&mut l, "c"), 5);
}

#[test]
fn auto_id_ranges_never_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let mut ranges = vec![l.alloc_ids(5).unwrap()];
    assert_eq!(ranges[0], AUTO_ID_BASE..AUTO_ID_BASE + 5);
    let empty = l.alloc_ids(0).unwrap();
    assert!(empty.is_empty() && empty.start == AUTO_ID_BASE + 5);
    ranges.push(l.alloc_ids(1000).unwrap());
    drop(l);
    let mut l = open(&dir);
    ranges.push(l.alloc_ids(7).unwrap());
    drop(l);
    ranges.push(open(&dir).alloc_ids(1).unwrap());
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "{ranges:?}");
    }
}

#[test]
fn auto_id_overflow_is_refused_and_spends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let err = l.alloc_ids(u64::MAX).unwrap_err();
    assert!(matches!(
        err,
        LedgerError::AutoIdsExhausted {
            requested: u64::MAX,
            next: AUTO_ID_BASE
        }
    ));
    let room = (i64::MAX - AUTO_ID_BASE) as u64;
    assert!(l.alloc_ids(room + 1).is_err());
    assert_eq!(l.alloc_ids(room).unwrap().end, i64::MAX);
    assert!(l.alloc_ids(1).is_err());
    assert!(l.alloc_ids(0).unwrap().is_empty());
}

#[test]
fn list_orders_by_id_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    for c in ["a", "b", "a", "a", "b"] {
        create(&mut l, c);
    }
    let ids = |v: Vec<&TaskRecord>| v.iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(l.list(None, None)), [1, 2, 3, 4, 5]);
    assert_eq!(ids(l.list(None, Some(0))), [1, 2, 3, 4, 5]);
    assert_eq!(ids(l.list(None, Some(2))), [4, 5]);
    assert_eq!(ids(l.list(None, Some(5))), [1, 2, 3, 4, 5]);
    assert_eq!(ids(l.list(None, Some(9))), [1, 2, 3, 4, 5]);
    assert_eq!(ids(l.list(Some("a"), None)), [1, 3, 4]);
    assert_eq!(ids(l.list(Some("a"), Some(1))), [4]);
    assert_eq!(ids(l.list(Some("b"), Some(1))), [5]);
    assert!(l.list(Some("zzz"), Some(3)).is_empty());
}

#[test]
fn update_changes_fields_but_never_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    let id = create(&mut l, "c");
    let ids = l.alloc_ids(3).unwrap();
    assert_eq!(l.update(id, |t| t.progress = 42).unwrap().progress, 42);
    type Edit = Box<dyn FnOnce(&mut TaskRecord)>;
    let refused: [(&str, Edit); 6] = [
        ("state", Box::new(|t| t.state = Completed)),
        ("id", Box::new(|t| t.id += 1)),
        ("progress", Box::new(|t| t.progress = 101)),
        (
            "persist_cost",
            Box::new(|t| t.persist_cost = Some(f64::NAN)),
        ),
        (
            "id_ranges",
            Box::new(move |t| t.id_ranges = vec![[ids.start, ids.end + 1]]),
        ),
        ("id_ranges", Box::new(|t| t.id_ranges = vec![[5, 6]])),
    ];
    let before = l.get(id).unwrap().clone();
    for (want, f) in refused {
        match l.update(id, |t| {
            t.row_count = 99;
            f(t);
        }) {
            Err(LedgerError::BadUpdate {
                id: e_id, field, ..
            }) => {
                assert_eq!((e_id, field), (id, want));
            }
            other => panic!("{want}: {other:?}"),
        }
        assert_eq!(l.get(id), Some(&before));
    }
    assert_eq!(open(&dir).get(id), Some(&before));
    assert!(matches!(
        l.update(99, |_| {}),
        Err(LedgerError::NoSuchTask(99))
    ));
    assert!(matches!(
        l.transition(99, Failed, None),
        Err(LedgerError::NoSuchTask(99))
    ));
}

#[test]
fn counts_and_state_queries() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    for _ in 0..4 {
        create(&mut l, "c");
    }
    l.transition(2, Started, None).unwrap();
    l.transition(3, Failed, None).unwrap();
    assert_eq!(l.pending_count(), 2);
    assert_eq!(l.in_states(&[Pending]), [1, 4]);
    assert_eq!(l.in_states(&[Started, Failed]), [2, 3]);
    assert!(l.in_states(&[]).is_empty());
}

#[test]
fn leftover_temp_files_are_removed_and_strangers_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = open(&dir);
    create(&mut l, "c");
    drop(l);
    let tasks = dir.path().join(TASKS_DIR);
    fs::write(tasks.join(".000000000002.json.tmp"), "{half").unwrap();
    fs::write(dir.path().join(".counters.json.tmp"), "{half").unwrap();
    fs::write(tasks.join("notes.txt"), "not a task").unwrap();
    fs::write(dir.path().join(".catalog.json.tmp"), "not ours").unwrap();
    let mut l = open(&dir);
    assert_eq!(l.list(None, None).len(), 1);
    assert!(!tasks.join(".000000000002.json.tmp").exists());
    assert!(!dir.path().join(".counters.json.tmp").exists());
    assert!(tasks.join("notes.txt").exists());
    assert!(dir.path().join(".catalog.json.tmp").exists());
    assert_eq!(create(&mut l, "c"), 2);
}

#[test]
fn corrupt_files_are_errors_naming_the_file() {
    let check = |setup: &dyn Fn(&tempfile::TempDir), file: &str, needle: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut l = open(&dir);
        create(&mut l, "c");
        create(&mut l, "c");
        drop(l);
        setup(&dir);
        let err = Ledger::open(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LedgerError::Corrupt { .. }), "{msg}");
        assert!(msg.contains(file) && msg.contains(needle), "{msg}");
    };
    let t1 = "000000000001.json";
    check(
        &|d| fs::write(task_path(d, 1), "{not json").unwrap(),
        t1,
        "bad header",
    );
    check(
        &|d| fs::write(task_path(d, 1), r#"{"format":"vecload-task","version":1}"#).unwrap(),
        t1,
        "bad record",
    );
    check(
        &|d| {
            fs::copy(task_path(d, 2), task_path(d, 1))
                .map(drop)
                .unwrap()
        },
        t1,
        "holds task 2",
    );
    check(
        &|d| fs::remove_file(d.path().join(COUNTERS_FILE)).unwrap(),
        COUNTERS_FILE,
        "missing",
    );
    let id_7 = |d: &tempfile::TempDir| {
        let text = fs::read_to_string(task_path(d, 2)).unwrap();
        assert!(text.contains("\"id\": 2,"), "{text}");
        fs::write(task_path(d, 7), text.replace("\"id\": 2,", "\"id\": 7,")).unwrap();
    };
    check(&id_7, "000000000007.json", "next_task_id");
}

/// What a reopened ledger reads: every record.
fn replayed(dir: &tempfile::TempDir) -> Vec<TaskRecord> {
    open(dir).list(None, None).into_iter().cloned().collect()
}

#[test]
fn a_write_failing_before_or_after_its_rename_changes_nothing() {
    use crate::fault::{DurableWrite, FaultHook, FaultSite};
    for site in [
        FaultSite::before(DurableWrite::LedgerTask),
        FaultSite::after(DurableWrite::LedgerTask),
        FaultSite::after(DurableWrite::LedgerRemove),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut l = open(&dir);
        let a = create(&mut l, "c");
        let b = create(&mut l, "c");
        l.transition(a, Failed, Some("x")).unwrap();
        l.transition(a, FailedAndCleaned, None).unwrap();
        let mut l = l.with_fault_hook(Some(FaultHook::fail_at(site)));
        let memory = |l: &Ledger| l.list(None, None).into_iter().cloned().collect::<Vec<_>>();
        let before = memory(&l);
        // One record, several (the journal), a removal.
        assert!(
            l.transition(b, Started, None).is_err() || site.write == DurableWrite::LedgerRemove
        );
        let mut batch = l.batch();
        batch.transition(b, Failed, Some("y")).unwrap();
        batch.create("c", "_default", vec![], None, NOW).unwrap();
        let journal = batch.commit();
        assert!(
            journal.is_err() || site.write == DurableWrite::LedgerRemove,
            "{site}"
        );
        if site.write == DurableWrite::LedgerRemove {
            assert!(l.remove(a).is_err(), "{site}");
            assert_eq!(memory(&l), replayed(&dir), "{site}");
            continue;
        }
        assert_eq!(memory(&l), before, "{site}");
        assert_eq!(replayed(&dir), before, "{site}");
        let tmp: Vec<_> = fs::read_dir(dir.path().join("tasks"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| {
                n.to_string_lossy().starts_with('.') || n.to_string_lossy().starts_with("batch")
            })
            .collect();
        assert!(tmp.is_empty(), "{site}: {tmp:?}");
    }
}
