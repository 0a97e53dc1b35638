//! Tests of the runner: a task's way through its states (success, a bad row, a cancel), one
//! ledger write per state change, and a job that commits all or nothing. Tasks are run on
//! the test's thread, without the engine's runner threads.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{EngineOptions, Inner, State, recovery, runner, stop};
use crate::catalog::Catalog;
use crate::fault::FaultHook;
use crate::ledger::{Ledger, TaskRecord, TaskState};
use crate::schema::CollectionSchema;
use crate::source::LocalRoot;

/// Engine options for tests of a running engine: the repository as the confined storage
/// root, one worker, one task at a time, and `hook` around the durable writes.
pub(super) fn options(hook: Option<FaultHook>) -> EngineOptions {
    let mut o = EngineOptions {
        storage: LocalRoot::confined(env!("CARGO_MANIFEST_DIR")).into(),
        fault_hook: hook,
        ..EngineOptions::default()
    };
    o.import.workers = 1;
    o.import.max_parallel_tasks = 1;
    o
}

/// The book collection's schema (data/book/schema.json) under another name.
pub(super) fn schema(name: &str) -> CollectionSchema {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("data/book/schema.json")).unwrap();
    let mut s = CollectionSchema::from_json(&bytes, 16).unwrap();
    s.name = name.into();
    s
}

/// An engine's state over `dir` with the book collection, and no threads.
pub(super) fn inner(dir: &Path, tune: impl FnOnce(&mut EngineOptions)) -> Arc<Inner> {
    let mut opts = EngineOptions::default();
    opts.import.workers = 1;
    tune(&mut opts);
    let mut catalog = Catalog::open(dir).unwrap();
    let schema = std::fs::read("data/book/schema.json").unwrap();
    catalog
        .create_collection(CollectionSchema::from_json(&schema, 16).unwrap())
        .unwrap();
    let state = State {
        catalog,
        ledger: Ledger::open(dir).unwrap(),
    };
    Arc::new(Inner::new(dir.to_path_buf(), opts, state))
}

/// Writes `rows` book rows as JSON Lines (row `bad`, if any, with a 3-float vector).
pub(super) fn rows_file(dir: &Path, name: &str, rows: u64, bad: Option<u64>) -> String {
    let text: String = (0..rows)
        .map(|i| {
            let vec = if Some(i) == bad {
                "[1, 2, 3]"
            } else {
                "[1, 2]"
            };
            format!("{{\"book_id\": {i}, \"word_count\": 1, \"book_intro\": {vec}}}\n")
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Creates tasks for `units`, as one job when `job`; returns their ids.
pub(super) fn create(inner: &Inner, units: &[&str], job: bool) -> Vec<u64> {
    let mut st = inner.lock();
    let job_id = job.then(|| st.ledger.next_task_id());
    let now = crate::ledger::now_unix();
    let mut batch = st.ledger.batch();
    let ids = units
        .iter()
        .map(|f| {
            batch
                .create("book", "_default", vec![f.to_string()], job_id, now)
                .unwrap()
        })
        .collect();
    batch.commit().unwrap();
    ids
}

pub(super) fn record(inner: &Inner, id: u64) -> TaskRecord {
    inner.lock().ledger.get(id).unwrap().clone()
}

fn writes(inner: &Inner) -> u64 {
    inner.lock().ledger.record_writes()
}

fn visible_rows(inner: &Inner) -> u64 {
    inner.lock().catalog.collection("book").unwrap().rows(None)
}

fn task_dir(inner: &Inner, id: u64) -> std::path::PathBuf {
    let st = inner.lock();
    let c = st.catalog.collection("book").unwrap();
    st.catalog.task_dir(c.id, id)
}

/// The record as a fresh replay of the data directory reads it.
fn on_disk(inner: &Inner, id: u64) -> TaskRecord {
    Ledger::open(&inner.data_dir)
        .unwrap()
        .get(id)
        .unwrap()
        .clone()
}

#[test]
fn a_good_task_goes_started_persisted_completed_one_write_each() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let [id] = create(&inner, &[&rows_file(dir.path(), "a.jsonl", 7, None)], false)[..] else {
        panic!()
    };
    let before = writes(&inner);
    runner::run_task(&inner, id);
    let t = record(&inner, id);
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.progress), (7, 100));
    assert!(t.start_time.is_some() && t.persist_cost.is_some());
    assert!(!t.segments.is_empty());
    assert_eq!(writes(&inner) - before, 3, "Started, Persisted, Completed");
    assert_eq!(on_disk(&inner, id), t);
    assert_eq!(visible_rows(&inner), 7);
}

#[test]
fn a_bad_row_fails_the_task_cleaned_in_one_write_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let file = rows_file(dir.path(), "bad.jsonl", 6, Some(4));
    let [id] = create(&inner, &[&file], false)[..] else {
        panic!()
    };
    let before = writes(&inner);
    runner::run_task(&inner, id);
    let t = record(&inner, id);
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    for needle in ["bad.jsonl", "row 4", "book_intro"] {
        assert!(
            t.failed_reason.contains(needle),
            "{needle}: {}",
            t.failed_reason
        );
    }
    assert_eq!(
        writes(&inner) - before,
        2,
        "Started, then Failed and cleaned"
    );
    assert_eq!(on_disk(&inner, id), t);
    assert!(!task_dir(&inner, id).exists());
    assert_eq!(visible_rows(&inner), 0);
}

/// A file gone before its task runs: the versions the task records as it starts cannot be
/// read, and it fails there, in one write, naming the file (never Started).
#[test]
fn a_task_whose_file_is_gone_fails_before_it_starts_in_one_write() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let file = rows_file(dir.path(), "gone.jsonl", 3, None);
    let [id] = create(&inner, &[&file], false)[..] else {
        panic!()
    };
    std::fs::remove_file(&file).unwrap();
    let before = writes(&inner);
    runner::run_task(&inner, id);
    let t = record(&inner, id);
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("gone.jsonl"),
        "{}",
        t.failed_reason
    );
    assert_eq!((t.start_time, t.resume), (None, None));
    assert_eq!(writes(&inner) - before, 1, "Failed and cleaned");
}

/// A reader that panics fails its task with the panic's message; the engine goes on.
#[test]
fn a_panic_while_reading_fails_only_its_task() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let bad = rows_file(dir.path(), crate::pipeline::PANIC_TEST_FILE, 6, None);
    let good = rows_file(dir.path(), "good.jsonl", 6, None);
    let ids = create(&inner, &[&bad, &good], false);
    for id in &ids {
        runner::run_task(&inner, *id);
    }
    let t = record(&inner, ids[0]);
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    for needle in [
        crate::pipeline::PANIC_TEST_FILE,
        "failed unexpectedly",
        "a reader's bug",
    ] {
        assert!(
            t.failed_reason.contains(needle),
            "{needle}: {}",
            t.failed_reason
        );
    }
    assert!(!task_dir(&inner, ids[0]).exists());
    assert_eq!(record(&inner, ids[1]).state, TaskState::Completed);
    assert_eq!(visible_rows(&inner), 6);
}

#[test]
fn a_cancelled_pending_task_never_starts() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let [id] = create(&inner, &[&rows_file(dir.path(), "a.jsonl", 3, None)], false)[..] else {
        panic!()
    };
    stop::cancel(&inner, id).unwrap();
    let t = record(&inner, id);
    assert_eq!(
        (t.state, t.failed_reason.as_str()),
        (TaskState::FailedAndCleaned, "cancelled")
    );
    assert!(t.start_time.is_none());
    runner::run_task(&inner, id);
    assert_eq!(record(&inner, id), t, "a cancelled task ran");
    assert!(
        stop::cancel(&inner, id).is_err(),
        "a finished task was cancelled"
    );
}

#[test]
fn a_cancelled_started_task_stops_and_is_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |o| {
        o.import.throttle_unit_ms = 100;
        o.import.unit_bytes = 64;
    });
    let [id] = create(
        &inner,
        &[&rows_file(dir.path(), "slow.jsonl", 200, None)],
        false,
    )[..] else {
        panic!()
    };
    let run = {
        let inner = inner.clone();
        std::thread::spawn(move || runner::run_task(&inner, id))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while record(&inner, id).state != TaskState::Started {
        assert!(Instant::now() < deadline, "the task never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    stop::cancel(&inner, id).unwrap();
    run.join().unwrap();
    let t = record(&inner, id);
    assert_eq!(
        (t.state, t.failed_reason.as_str()),
        (TaskState::FailedAndCleaned, "cancelled")
    );
    assert!(!task_dir(&inner, id).exists());
    assert_eq!(visible_rows(&inner), 0);
}

#[test]
fn a_job_with_a_good_and_a_bad_unit_leaves_nothing_visible() {
    for bad_first in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let inner = inner(dir.path(), |_| {});
        let good = rows_file(dir.path(), "good.jsonl", 5, None);
        let bad = rows_file(dir.path(), "bad.jsonl", 5, Some(2));
        let ids = create(&inner, &[&good, &bad], true);
        let (g, b) = (ids[0], ids[1]);
        let order = if bad_first { [b, g] } else { [g, b] };
        runner::run_task(&inner, order[0]);
        if !bad_first {
            // The good unit waits, Persisted and invisible, for its sibling.
            assert_eq!(record(&inner, g).state, TaskState::Persisted);
            assert_eq!(visible_rows(&inner), 0);
        }
        let before = writes(&inner);
        runner::run_task(&inner, order[1]);
        let writes = writes(&inner) - before;
        // The bad task's run: Started, then one write failing the whole job. Run second,
        // the good task finds itself failed already and does nothing.
        assert_eq!(
            writes,
            if bad_first { 0 } else { 2 },
            "bad first: {bad_first}"
        );
        for id in [g, b] {
            let t = record(&inner, id);
            assert_eq!(t.state, TaskState::FailedAndCleaned, "task {id}");
            assert!(!task_dir(&inner, id).exists(), "task {id} kept its files");
            assert_eq!(on_disk(&inner, id), t);
        }
        assert!(record(&inner, b).failed_reason.contains("row 2"));
        assert_eq!(
            record(&inner, g).failed_reason,
            format!("cancelled: task {b} of job {g} failed")
        );
        assert_eq!(visible_rows(&inner), 0);
    }
}

#[test]
fn recovery_fails_a_persisted_task_whose_job_failed() {
    // A ledger of an earlier release could hold this: one task of a job failed, its sibling
    // left Persisted.
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let good = rows_file(dir.path(), "good.jsonl", 5, None);
    let ids = create(&inner, &[&good, &good], true);
    runner::run_task(&inner, ids[0]);
    {
        let mut st = inner.lock();
        st.ledger
            .transition(ids[1], TaskState::Failed, Some("earlier"))
            .unwrap();
        st.ledger
            .transition(ids[1], TaskState::FailedAndCleaned, None)
            .unwrap();
    }
    assert_eq!(record(&inner, ids[0]).state, TaskState::Persisted);
    let pending = recovery::recover(&inner).unwrap();
    assert!(pending.is_empty());
    let t = record(&inner, ids[0]);
    assert_eq!(t.state, TaskState::FailedAndCleaned, "{}", t.failed_reason);
    assert!(
        t.failed_reason.contains(&format!("task {} of job", ids[1])),
        "{}",
        t.failed_reason
    );
    assert!(!task_dir(&inner, ids[0]).exists());
    assert_eq!(visible_rows(&inner), 0);
}
