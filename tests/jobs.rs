//! REST-style jobs: one task per unit, state derived from the tasks, all or nothing.

use std::time::{Duration, Instant};

use vecload::JobState;
use vecload::ledger::TaskState;

use crate::util::{book_engine, files_under};

fn wait_job(engine: &vecload::Engine, id: u64) -> vecload::JobView {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let j = engine.get_job(id).unwrap();
        if matches!(j.state, JobState::Completed | JobState::Failed)
            && j.tasks.iter().all(|t| t.state.is_terminal())
        {
            return j;
        }
        assert!(Instant::now() < deadline, "job {id} stuck: {j:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn npy_unit() -> Vec<String> {
    ["book_id", "word_count", "book_intro", "$meta"]
        .iter()
        .map(|f| format!("data/book/npy/{f}.npy"))
        .collect()
}

#[test]
fn a_job_of_two_units_completes_together() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    let units = vec![vec!["data/book/book.json".to_string()], npy_unit()];
    let id = engine.create_job("book", Some("2022"), &units).unwrap();
    let job = wait_job(&engine, id);
    assert_eq!(job.state, JobState::Completed, "{}", job.reason);
    assert_eq!(
        (job.tasks.len(), job.imported_rows, job.progress),
        (2, 10, 100)
    );
    assert_eq!(engine.count("book", Some("2022")).unwrap(), 10);
    let jobs = engine.list_jobs(Some("book")).unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(engine.get_job(id + 100).is_err());
}

#[test]
fn one_failing_unit_fails_the_job_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    let units = vec![
        vec!["data/book/book.json".to_string()],
        npy_unit(),
        vec!["data/book/fail/wrong_dim.json".to_string()],
    ];
    let id = engine.create_job("book", None, &units).unwrap();
    let job = wait_job(&engine, id);
    assert_eq!(job.state, JobState::Failed);
    assert!(
        job.reason.contains("wrong_dim.json: row 3"),
        "{}",
        job.reason
    );
    assert!(
        job.tasks
            .iter()
            .all(|t| t.state == TaskState::FailedAndCleaned),
        "{:?}",
        job.tasks
    );
    assert_eq!(engine.count("book", None).unwrap(), 0);
    assert!(files_under(&dir.path().join("segments")).is_empty());
}
