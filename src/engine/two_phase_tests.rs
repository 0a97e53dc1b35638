//! Two-phase jobs (`auto_commit=false`, INTERFACE 6 rule (1)): the tasks stop at Persisted
//! with nothing visible, the job waits Uncommitted, across a restart, until its commit, its
//! abort or `import.uncommitted_ttl_s`.

use std::path::Path;
use std::time::{Duration, Instant};

use super::tests::{inner, record, rows_file};
use super::{
    Engine, EngineError, EngineOptions, ImportRequest, JobState, TaskOptions, UnitState, recovery,
    runner,
};
use crate::ledger::TaskState;

fn open(dir: &Path, tune: impl FnOnce(&mut EngineOptions)) -> Engine {
    let mut opts = EngineOptions::default();
    opts.import.workers = 1;
    tune(&mut opts);
    Engine::open(dir.join("data"), opts).unwrap()
}

/// A two-phase job of `files` in `book`.
fn two_phase(engine: &Engine, files: &[String]) -> u64 {
    let units = files.iter().map(|f| vec![f.clone()]).collect();
    let req = ImportRequest::job("book", units).options(TaskOptions::default().auto_commit(false));
    engine.import(req).unwrap()
}

/// Waits until job `job` is in `state`.
fn wait_state(engine: &Engine, job: u64, state: JobState) -> super::JobView {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = engine.get_job(job).unwrap();
        if v.state == state {
            return v;
        }
        assert!(Instant::now() < deadline, "job never {state:?}: {v:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn files_under(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        n += if p.is_dir() { files_under(&p) } else { 1 };
    }
    n
}

#[test]
fn a_two_phase_job_waits_uncommitted_across_a_restart_and_commits_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        rows_file(dir.path(), "a.jsonl", 5, None),
        rows_file(dir.path(), "b.jsonl", 3, None),
    ];
    let sizes: Vec<u64> = (files.iter())
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    let engine = open(dir.path(), |_| {});
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let job = two_phase(&engine, &files);
    // `wait` returns once the job is Uncommitted.
    let t = engine.wait(job, Some(Duration::from_secs(30))).unwrap();
    assert_eq!(t.state, TaskState::Persisted, "{}", t.failed_reason);
    let v = wait_state(&engine, job, JobState::Uncommitted);
    assert_eq!((v.progress, v.imported_rows, v.total_rows), (100, 8, 8));
    assert_eq!(v.file_size, sizes.iter().sum::<u64>());
    assert_eq!(v.complete_time, None);
    for (u, size) in v.units.iter().zip(&sizes) {
        assert_eq!(
            (u.state, u.progress, u.file_size),
            (UnitState::Completed, 100, *size)
        );
        assert!(u.complete_time.is_some());
    }
    assert!(v.tasks.iter().all(|t| t.state == TaskState::Persisted));
    assert_eq!(engine.count("book", None).unwrap(), 0, "nothing visible");
    // The monitor leaves it alone.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(engine.get_job(job).unwrap().state, JobState::Uncommitted);
    drop(engine);

    // `check` finds nothing wrong with an Uncommitted job's Persisted tasks.
    let report = super::check(&dir.path().join("data")).unwrap();
    assert!(report.ok(), "{:?}", report.problems);

    // After a restart: still Uncommitted, its segments kept, and commit works.
    let engine = open(dir.path(), |_| {});
    let v = engine.get_job(job).unwrap();
    assert_eq!(v.state, JobState::Uncommitted);
    assert!(v.tasks.iter().all(|t| t.state == TaskState::Persisted));
    assert_eq!(engine.count("book", None).unwrap(), 0);
    let segments = engine.data_dir().join("segments");
    assert!(files_under(&segments) >= 2, "segments removed");
    let v = engine.commit_job(job).unwrap();
    assert_eq!(v.state, JobState::Completed);
    assert!(v.tasks.iter().all(|t| t.state == TaskState::Completed));
    assert_eq!((v.imported_rows, v.progress), (8, 100));
    assert_eq!(engine.count("book", None).unwrap(), 8);
    // Commit again: refused naming the state; so is a job still running.
    let e = engine.commit_job(job).unwrap_err();
    assert!(matches!(e, EngineError::JobState { .. }), "{e}");
    assert!(e.to_string().contains("is Completed"), "{e}");
    assert!(matches!(
        engine.commit_job(999),
        Err(EngineError::JobNotFound(999))
    ));
}

#[test]
fn a_lone_task_cannot_be_two_phase() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), |_| {});
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let file = rows_file(dir.path(), "a.jsonl", 5, None);
    let req = ImportRequest::new("book", [file]).options(TaskOptions::default().auto_commit(false));
    let e = engine.import(req).unwrap_err().to_string();
    assert!(e.contains("auto_commit") && e.contains("jobs"), "{e}");
}

#[test]
fn abort_of_an_uncommitted_job_fails_it_and_removes_its_segments() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), |_| {});
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let job = two_phase(&engine, &[rows_file(dir.path(), "a.jsonl", 5, None)]);
    wait_state(&engine, job, JobState::Uncommitted);
    let v = engine.abort_job(job).unwrap();
    assert_eq!((v.state, v.reason.as_str()), (JobState::Failed, "aborted"));
    assert_eq!(v.tasks[0].state, TaskState::FailedAndCleaned);
    assert_eq!(engine.count("book", None).unwrap(), 0);
    // The failed task's folder went to the trash as it failed; the settler empties it soon.
    let segments = engine.data_dir().join("segments");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while files_under(&segments) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(files_under(&segments), 0);
    let e = engine.commit_job(job).unwrap_err().to_string();
    assert!(e.contains("is Failed"), "{e}");
}

/// The monitor aborts a job Uncommitted for `import.uncommitted_ttl_s`, not before.
#[test]
fn the_monitor_aborts_a_job_uncommitted_past_its_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), |o| o.import.uncommitted_ttl_s = 2);
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let job = two_phase(&engine, &[rows_file(dir.path(), "a.jsonl", 5, None)]);
    wait_state(&engine, job, JobState::Uncommitted);
    let since = Instant::now();
    let v = wait_state(&engine, job, JobState::Failed);
    let took = since.elapsed();
    // Whole seconds from the Persisted second: between 1 and 3 s after we saw it.
    assert!(took >= Duration::from_millis(900), "aborted after {took:?}");
    assert!(took < Duration::from_secs(4), "aborted after {took:?}");
    assert!(
        v.reason.contains("import.uncommitted_ttl_s (2 s)"),
        "{}",
        v.reason
    );
    assert_eq!(v.tasks[0].state, TaskState::FailedAndCleaned);
    assert_eq!(files_under(&engine.data_dir().join("segments")), 0);
}

/// Recovery on open: rule (1) keeps an Uncommitted job's tasks Persisted; past its TTL the
/// job is aborted (run without the engine's threads, so recovery alone acts).
#[test]
fn recovery_keeps_an_uncommitted_job_or_aborts_it_past_its_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let first = inner(dir.path(), |_| {});
    let file = rows_file(dir.path(), "a.jsonl", 5, None);
    let ids = super::tests::create(&first, &[&file, &file], true);
    {
        let mut st = first.lock();
        let mut batch = st.ledger.batch();
        for id in &ids {
            batch.update(*id, |r| r.auto_commit = Some(false)).unwrap();
        }
        batch.commit().unwrap();
    }
    for id in &ids {
        runner::run_task(&first, *id);
    }
    let persisted = |inner: &super::Inner| {
        ids.iter()
            .all(|id| record(inner, *id).state == TaskState::Persisted)
    };
    assert!(persisted(&first));
    drop(first);

    let again = reopen(dir.path(), 86_400);
    recovery::recover(&again).unwrap();
    assert!(persisted(&again), "{:?}", record(&again, ids[0]));
    drop(again);

    std::thread::sleep(Duration::from_millis(2100));
    let late = reopen(dir.path(), 1);
    recovery::recover(&late).unwrap();
    for id in &ids {
        let t = record(&late, *id);
        assert_eq!(t.state, TaskState::FailedAndCleaned);
        assert!(
            t.failed_reason.contains("uncommitted_ttl_s (1 s)"),
            "{}",
            t.failed_reason
        );
    }
    let rows = late.lock().catalog.collection("book").unwrap().rows(None);
    assert_eq!(rows, 0);
}

/// The engine's state over an existing data directory, as [`inner`] opens it, without
/// creating the collection again.
fn reopen(dir: &Path, ttl: u64) -> std::sync::Arc<super::Inner> {
    let mut opts = EngineOptions::default();
    opts.import.uncommitted_ttl_s = ttl;
    let state = super::State {
        catalog: crate::catalog::Catalog::open(dir).unwrap(),
        ledger: crate::ledger::Ledger::open(dir).unwrap(),
    };
    std::sync::Arc::new(super::Inner::new(dir.to_path_buf(), opts, state))
}
