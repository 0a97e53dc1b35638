//! Issue 14, defect 11: the lock error always names the holder's PID, and expiration
//! never fires early.

use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Engine, EngineError, EngineOptions, ImportRequest};
use crate::ledger::TaskState;

#[test]
fn the_lock_error_names_the_pid_also_while_the_holder_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    // A holder that has taken the lock (flock, as Engine::open) but not yet written its PID:
    // the window between the two of a starting process.
    let mut holder = std::fs::File::create(dir.path().join("LOCK")).unwrap();
    holder.try_lock().unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        writeln!(holder, "{}", std::process::id()).unwrap();
        holder
    });
    let err = Engine::open(dir.path(), EngineOptions::default())
        .err()
        .expect("a locked data directory was opened");
    let _holder = writer.join().unwrap();
    let pid = std::process::id().to_string();
    assert!(
        matches!(&err, EngineError::Locked { pid: p, .. } if *p == pid),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("process {pid} ")),
        "{err}"
    );
}

/// A lock that names this process and is let go of soon (an engine just dropped, its lock
/// still held by a child forked meanwhile, until the child's exec) is waited for.
#[test]
fn a_lock_this_process_just_let_go_of_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut holder = std::fs::File::create(dir.path().join("LOCK")).unwrap();
    holder.try_lock().unwrap();
    writeln!(holder, "{}", std::process::id()).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(holder);
    });
    let opened = Engine::open(dir.path(), EngineOptions::default());
    release.join().unwrap();
    assert!(opened.is_ok(), "{:?}", opened.err());
}

/// Waits until the wall clock is `frac` seconds past a whole second.
fn align_to(frac: f64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let past = now.subsec_nanos() as f64 / 1e9;
    let wait = if past <= frac {
        frac - past
    } else {
        1.0 - past + frac
    };
    std::thread::sleep(Duration::from_secs_f64(wait));
}

#[test]
fn expiration_never_fires_early() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = EngineOptions::default();
    opts.import.workers = 1;
    opts.import.max_parallel_tasks = 1;
    opts.import.throttle_unit_ms = 100;
    opts.import.unit_bytes = 64;
    opts.import.task_expiration_s = 1;
    let engine = Engine::open(dir.path().join("data"), opts).unwrap();
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let rows: String = (0..400)
        .map(|i| format!("{{\"book_id\": {i}, \"word_count\": 1, \"book_intro\": [1, 2]}}\n"))
        .collect();
    let file = dir.path().join("slow.jsonl");
    std::fs::write(&file, rows).unwrap();
    for _ in 0..2 {
        // Started 0.6 s into a second: a count in whole seconds fires 0.4 s later.
        align_to(0.6);
        let asked = Instant::now();
        let id = engine
            .import(ImportRequest::new("book", [file.display().to_string()]))
            .unwrap();
        let t = engine.wait(id, Some(Duration::from_secs(30))).unwrap();
        let took = asked.elapsed();
        assert_eq!(t.state, TaskState::FailedAndCleaned, "{}", t.failed_reason);
        assert!(t.failed_reason.contains("timed out"), "{}", t.failed_reason);
        assert!(took >= Duration::from_secs(1), "expired after {took:?}");
        assert!(took < Duration::from_secs(3), "expired after {took:?}");
    }
}
