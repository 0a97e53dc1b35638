//! The engine on a failing disk: a fault hook fails one durable write, the engine reports the
//! error, and what it shows afterwards is what a reopened engine reads from disk.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::tests::options;
use super::{Engine, EngineError};
use crate::catalog::Collection;
use crate::fault::{DurableWrite, FaultHook, FaultSite, injected};
use crate::ledger::{TaskRecord, TaskState};

const SCHEMA: &str = "data/book/schema.json";
const ROWS: &str = "data/book/book.json";

fn create_book(engine: &Engine) -> Result<(), EngineError> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read(root.join(SCHEMA)).expect("the book schema");
    engine.create_collection_from_json(&schema)?;
    engine.create_partition("book", "2022")
}

/// Imports the five book rows into partition 2022 and waits for the task's end (or `wait`).
fn import_within(engine: &Engine, wait: Duration) -> Result<TaskRecord, EngineError> {
    let id = engine.do_bulk_insert("book", Some("2022"), &[ROWS.to_string()])?;
    engine.wait(id, Some(wait))
}

fn import(engine: &Engine) -> Result<TaskRecord, EngineError> {
    import_within(engine, Duration::from_secs(30))
}

/// The error and its sources, joined.
fn chain(e: &EngineError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

/// What an engine shows: its collections and its tasks.
#[derive(Debug, PartialEq)]
struct View {
    collections: Vec<Collection>,
    tasks: Vec<TaskRecord>,
}

fn view(engine: &Engine) -> View {
    View {
        collections: engine.list_collections(),
        tasks: engine.list_bulk_insert_tasks(None, None).expect("list"),
    }
}

/// Drops `engine` and reopens its directory without a hook: what differs between the two
/// views, or a visible segment file that is gone.
fn disagreement(dir: &Path, engine: Engine) -> Option<String> {
    let memory = view(&engine);
    drop(engine);
    let reopened = Engine::open(dir, options(None)).expect("reopen");
    let disk = view(&reopened);
    if memory != disk {
        return Some(format!("views differ: memory {memory:?}, disk {disk:?}"));
    }
    for c in reopened.list_collections() {
        let snap = reopened.snapshot(&c.schema.name).expect("snapshot");
        if let Some((p, path)) = snap.segments.iter().find(|(_, path)| !path.exists()) {
            return Some(format!("file gone: {p} lists {}", path.display()));
        }
    }
    None
}

fn assert_disk_agrees(dir: &Path, engine: Engine, what: &str) {
    if let Some(d) = disagreement(dir, engine) {
        panic!("{what}: {d}");
    }
}

/// A task that failed at `site`: its reason names the fault, its rows are invisible.
fn assert_failed_at(engine: &Engine, task: &TaskRecord, site: FaultSite) {
    assert_eq!(task.state, TaskState::FailedAndCleaned, "{site}: {task:?}");
    let want = injected(site).to_string();
    assert!(task.failed_reason.contains(&want), "{site}: {task:?}");
    assert_eq!(engine.count("book", None).expect("count"), 0, "{site}");
}

#[test]
fn a_failing_counters_or_record_write_refuses_the_import() {
    for site in [
        FaultSite::before(DurableWrite::LedgerCounters),
        FaultSite::after(DurableWrite::LedgerCounters),
        FaultSite::before(DurableWrite::LedgerTask),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(dir.path(), options(Some(FaultHook::fail_at(site)))).unwrap();
        create_book(&engine).unwrap();
        let err = chain(&import(&engine).unwrap_err());
        assert!(err.contains(&injected(site).to_string()), "{site}: {err}");
        assert!(view(&engine).tasks.is_empty(), "{site}");
        assert_disk_agrees(dir.path(), engine, &site.to_string());
    }
}

#[test]
fn a_failing_segment_write_fails_the_task_and_leaves_no_file() {
    let sites = [
        DurableWrite::Segments,
        DurableWrite::TaskDir,
        DurableWrite::SegmentBlock,
        DurableWrite::SegmentFile,
        DurableWrite::SegmentDir,
        DurableWrite::Persisted,
    ]
    .into_iter()
    .flat_map(|w| [FaultSite::before(w), FaultSite::after(w)]);
    for site in sites {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(dir.path(), options(Some(FaultHook::fail_at(site)))).unwrap();
        create_book(&engine).unwrap();
        let task = import(&engine).unwrap();
        assert_failed_at(&engine, &task, site);
        let task_dir = dir
            .path()
            .join("segments/c1")
            .join(format!("t{:08}", task.id));
        assert!(!task_dir.exists(), "{site}: {} remains", task_dir.display());
        assert_disk_agrees(dir.path(), engine, &site.to_string());
    }
}

#[test]
fn a_failing_catalog_write_refuses_create_and_drop() {
    for site in [
        FaultSite::before(DurableWrite::CatalogCreateCollection),
        FaultSite::before(DurableWrite::CatalogCreatePartition),
        FaultSite::before(DurableWrite::CatalogDropCollection),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(dir.path(), options(Some(FaultHook::fail_at(site)))).unwrap();
        let err = match create_book(&engine) {
            Err(e) => chain(&e),
            Ok(()) => chain(&engine.drop_collection("book").unwrap_err()),
        };
        assert!(err.contains(&injected(site).to_string()), "{site}: {err}");
        assert_disk_agrees(dir.path(), engine, &site.to_string());
    }
}

#[test]
fn a_failing_catalog_commit_fails_the_task_and_shows_nothing() {
    for site in [
        FaultSite::before(DurableWrite::CatalogCommit),
        FaultSite::after(DurableWrite::CatalogCommit),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(dir.path(), options(Some(FaultHook::fail_at(site)))).unwrap();
        create_book(&engine).unwrap();
        let task = import(&engine).unwrap();
        assert_failed_at(&engine, &task, site);
        assert_disk_agrees(dir.path(), engine, &site.to_string());
    }
}

/// Fails the `n`-th call at `site` (counting from 0), and no other.
fn fail_nth(site: FaultSite, n: usize) -> FaultHook {
    let seen = AtomicUsize::new(0);
    FaultHook::new(move |s| {
        if s == site && seen.fetch_add(1, Ordering::SeqCst) == n {
            return Err(injected(s));
        }
        Ok(())
    })
}

/// Opens, creates the book collection and imports once; stops at the first refused call.
fn run_all(dir: &Path, hook: FaultHook) -> Engine {
    let engine = Engine::open(dir, options(Some(hook))).expect("open");
    if create_book(&engine).is_ok() {
        // A task a failed write leaves unfinished does not finish later.
        let _ = import_within(&engine, Duration::from_secs(3));
    }
    engine
}

#[test]
fn every_durable_write_failing_in_turn_leaves_memory_and_disk_in_step() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        FaultHook::new(move |s| {
            seen.lock().unwrap_or_else(|p| p.into_inner()).push(s);
            Ok(())
        })
    };
    let dir = tempfile::tempdir().expect("tempdir");
    drop(run_all(dir.path(), record));
    let sites = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut bad = Vec::new();
    for (i, &site) in sites.iter().enumerate() {
        let n = sites[..i].iter().filter(|&&s| s == site).count();
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = run_all(dir.path(), fail_nth(site, n));
        if let Some(d) = disagreement(dir.path(), engine) {
            let kind = d.split(':').next().unwrap_or_default();
            bad.push(format!("{site} (call {n}): {kind}"));
        }
    }
    assert!(bad.is_empty(), "memory and disk disagree after: {bad:#?}");
}

/// Whether every task of job `job` ended within `wait`; the tasks as they stand.
fn job_ends(engine: &Engine, job: u64, wait: Duration) -> (bool, Vec<TaskRecord>) {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let tasks = engine.get_job(job).expect("job").tasks;
        let ended = (tasks.iter()).all(|t| t.state.is_failed() || t.state == TaskState::Completed);
        if ended || std::time::Instant::now() > deadline {
            return (ended, tasks);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Issue 14 defect 4: jobs of a good and a bad unit, run by two runners at once (the bad unit
/// a row error or a missing file; durable writes slowed by a few milliseconds in turn to vary
/// the interleaving). Every task ends, no segment directory is left, nothing is visible, the
/// collection drops, and a reopened directory agrees.
#[test]
fn jobs_with_a_good_and_a_bad_unit_all_end_and_leave_nothing() {
    for (bad, slow) in [
        ("data/book/fail/wrong_dim.json", false),
        ("data/book/fail/wrong_dim.json", true),
        ("data/book/missing.json", true),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let calls = AtomicUsize::new(0);
        let jitter = FaultHook::new(move |_| {
            let k = calls.fetch_add(1, Ordering::SeqCst) as u64;
            std::thread::sleep(Duration::from_micros(k * 7919 % 3000));
            Ok(())
        });
        let mut o = options(slow.then_some(jitter));
        o.import.max_parallel_tasks = 2;
        o.import.workers = 2;
        let engine = Engine::open(dir.path(), o).expect("open");
        create_book(&engine).expect("book");
        let units = [vec![ROWS.to_string()], vec![bad.to_string()]];
        let jobs: Vec<u64> = (0..30)
            .map(|_| {
                engine
                    .create_job("book", Some("2022"), &units)
                    .expect("job")
            })
            .collect();
        let stuck: Vec<_> = (jobs.into_iter())
            .map(|job| job_ends(&engine, job, Duration::from_secs(20)))
            .filter(|(ended, _)| !ended)
            .map(|(_, tasks)| {
                tasks
                    .into_iter()
                    .map(|t| (t.id, t.state))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(stuck.is_empty(), "{bad}: tasks that never end: {stuck:?}");
        // Failed tasks' folders leave at once (to the trash, which the settler empties).
        let listing = || {
            std::fs::read_dir(dir.path().join("segments/c1"))
                .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        let task_folders = listing()
            .into_iter()
            .filter(|n| n.to_string_lossy().starts_with('t'));
        assert_eq!(task_folders.count(), 0, "{bad}: {:?}", listing());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !listing().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let left = listing();
        assert!(left.is_empty(), "{bad}: segment directories left: {left:?}");
        assert_eq!(engine.count("book", None).expect("count"), 0, "{bad}");
        let engine = {
            assert_disk_agrees(dir.path(), engine, bad);
            Engine::open(dir.path(), options(None)).expect("reopen")
        };
        engine.drop_collection("book").expect("drop");
    }
}

/// A full disk at the ledger: the running task's Persisted write and the next task's Started
/// write fail, and so do their failures' writes. Once writes succeed again both tasks fail
/// (neither stays Started or Pending, none is dropped), and the next import completes.
#[test]
fn a_full_disk_at_the_ledger_fails_tasks_once_it_has_room() {
    let full = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = AtomicUsize::new(0);
    let hook = {
        let full = full.clone();
        FaultHook::new(move |s| {
            if s.write != DurableWrite::LedgerTask {
                return Ok(());
            }
            if full.load(Ordering::SeqCst) {
                return Err(injected(s));
            }
            // Calls: two creations, then the first task's Started.
            if s.phase == crate::fault::Phase::After && calls.fetch_add(1, Ordering::SeqCst) == 2 {
                full.store(true, Ordering::SeqCst);
            }
            Ok(())
        })
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(dir.path(), options(Some(hook))).expect("open");
    create_book(&engine).expect("book");
    let ids: Vec<u64> = (0..2)
        .map(|_| {
            engine
                .do_bulk_insert("book", Some("2022"), &[ROWS.to_string()])
                .expect("queue")
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(full.load(Ordering::SeqCst));
    for &id in &ids {
        let t = engine.get_bulk_insert_state(id).expect("task");
        assert!(
            matches!(t.state, TaskState::Started | TaskState::Pending),
            "{t:?}"
        );
    }
    full.store(false, Ordering::SeqCst);
    for id in ids {
        let t = engine
            .wait(id, Some(Duration::from_secs(10)))
            .expect("task");
        assert_eq!(t.state, TaskState::FailedAndCleaned, "{t:?}");
        assert!(
            t.failed_reason
                .contains("injected fault at before_ledger_task"),
            "{t:?}"
        );
    }
    let t = import(&engine).expect("import");
    assert_eq!(t.state, TaskState::Completed, "{t:?}");
    assert_eq!(engine.count("book", None).expect("count"), 5);
    assert_disk_agrees(dir.path(), engine, "full ledger");
}
