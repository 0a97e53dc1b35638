//! Issue 14: readers never wait for a durable write. A write stalled in I/O (the fault hook
//! sleeps in it) leaves counts, task lists, jobs and collections answering at once, and so
//! does a 1024-unit job while it is created, run and committed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::tests::{options, schema};
use super::{Engine, ImportRequest};
use crate::fault::{DurableWrite, FaultHook, FaultSite};
use crate::ledger::TaskState;

const ROWS: &str = "data/book/book.json";
const STALL: Duration = Duration::from_secs(3);
const QUICK: Duration = Duration::from_millis(200);

/// A hook that, once armed, sleeps [`STALL`] in the first write at `site` and reports when
/// that began.
fn stalling(site: FaultSite) -> (FaultHook, Arc<AtomicBool>, mpsc::Receiver<Instant>) {
    let armed = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let flag = armed.clone();
    let hook = FaultHook::new(move |s| {
        if s == site && flag.swap(false, Ordering::SeqCst) {
            let _ = tx.send(Instant::now());
            std::thread::sleep(STALL);
        }
        Ok(())
    });
    (hook, armed, rx)
}

/// How long each reader took.
fn readers(engine: &Engine, task: u64, job: u64) -> Vec<(&'static str, Duration)> {
    let timed = |name, f: &dyn Fn()| {
        let t = Instant::now();
        f();
        (name, t.elapsed())
    };
    vec![
        timed("get_bulk_insert_state", &|| {
            engine.get_bulk_insert_state(task).unwrap();
        }),
        timed("list_bulk_insert_tasks", &|| {
            engine.list_bulk_insert_tasks(None, None).unwrap();
        }),
        timed("get_job", &|| {
            engine.get_job(job).unwrap();
        }),
        timed("count", &|| {
            engine.count("book", None).unwrap();
        }),
        timed("list_collections", &|| {
            engine.list_collections();
        }),
    ]
}

/// Stalls the first write at `site` after `act` starts (on its own thread), and reads
/// meanwhile: every reader answers within [`QUICK`], while the write is still stalled.
fn readers_pass_a_stalled(site: FaultSite, act: impl FnOnce(&Engine) + Send) {
    let dir = tempfile::tempdir().unwrap();
    let (hook, armed, stalled) = stalling(site);
    let engine = Engine::open(dir.path(), options(Some(hook))).unwrap();
    engine.create_collection(schema("book")).unwrap();
    engine.create_collection(schema("other")).unwrap();
    let task = engine.do_bulk_insert("book", None, &[ROWS.into()]).unwrap();
    let job = (engine.import(ImportRequest::job("book", vec![vec![ROWS.into()]; 2]))).unwrap();
    for id in [task, job, job + 1] {
        let t = engine.wait(id, Some(Duration::from_secs(30))).unwrap();
        assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    }
    std::thread::sleep(Duration::from_millis(300)); // a journal's settle ends
    armed.store(true, Ordering::SeqCst);
    std::thread::scope(|s| {
        s.spawn(|| act(&engine));
        let began = stalled.recv_timeout(Duration::from_secs(30)).unwrap();
        let took = readers(&engine, task, job);
        let within = began.elapsed();
        eprintln!("{site}: readers took {took:?} ({within:?} into the stall)");
        for (name, d) in took {
            assert!(d < QUICK, "{site}: {name} waited {d:?} for a stalled write");
        }
        assert!(
            within < STALL,
            "{site}: the write ended before the readers did"
        );
    });
}

#[test]
fn readers_pass_a_stalled_ledger_write() {
    readers_pass_a_stalled(FaultSite::before(DurableWrite::LedgerTask), |e| {
        e.do_bulk_insert("book", None, &[ROWS.into()]).unwrap();
    });
}

#[test]
fn readers_pass_a_stalled_catalog_commit() {
    readers_pass_a_stalled(FaultSite::before(DurableWrite::CatalogCommit), |e| {
        let id = e.do_bulk_insert("book", None, &[ROWS.into()]).unwrap();
        e.wait(id, Some(Duration::from_secs(30))).unwrap();
    });
}

#[test]
fn readers_pass_a_stalled_collection_drop() {
    readers_pass_a_stalled(FaultSite::before(DurableWrite::RemoveDir), |e| {
        e.drop_collection("other").unwrap();
    });
}

#[test]
fn task_lists_answer_while_a_1024_unit_job_is_created_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(None);
    opts.import.max_parallel_tasks = 2;
    let engine = Engine::open(dir.path(), opts).unwrap();
    engine.create_collection(schema("book")).unwrap();
    let done = AtomicBool::new(false);
    let mut slowest = (Duration::ZERO, "");
    let mut polls = 0;
    std::thread::scope(|s| {
        let submit = s.spawn(|| {
            let units = vec![vec![ROWS.to_string()]; 1024];
            let job = engine.import(ImportRequest::job("book", units)).unwrap();
            let last = engine.wait(job + 1023, Some(Duration::from_secs(600)));
            done.store(true, Ordering::SeqCst);
            (job, last.unwrap())
        });
        while !done.load(Ordering::SeqCst) {
            let readers: [(&str, &dyn Fn()); 2] = [
                ("list_bulk_insert_tasks", &|| {
                    engine.list_bulk_insert_tasks(None, None).unwrap();
                }),
                ("list_jobs", &|| {
                    engine.list_jobs(None).unwrap();
                }),
            ];
            for (name, f) in readers {
                let t = Instant::now();
                f();
                slowest = slowest.max((t.elapsed(), name));
            }
            polls += 1;
            std::thread::sleep(Duration::from_millis(10));
        }
        let (job, last) = submit.join().unwrap();
        assert_eq!(last.state, TaskState::Completed, "{}", last.failed_reason);
        assert_eq!(engine.get_job(job).unwrap().imported_rows, 5 * 1024);
    });
    eprintln!("1024-unit job: slowest of {polls} polls: {slowest:?}");
    assert!(slowest.0 < QUICK, "{} waited {:?}", slowest.1, slowest.0);
}
