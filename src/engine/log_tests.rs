//! Issue 15, the engine's side: a task's life as `tracing` events (queued, started,
//! persisted, completed or failed with its reason, recovery at open), and live progress
//! read from memory while a task runs.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, span};

use super::tests::{create, inner, record, rows_file};
use super::{Engine, EngineOptions, ImportRequest, TaskPhase, recovery, runner};
use crate::ledger::TaskState;

thread_local! {
    /// The events raised on this thread while a test captures them.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// The process's subscriber in these tests: it keeps each event, as `LEVEL field=value ...`,
/// on the thread that raised it if that thread captures. (A global one: a scoped subscriber
/// misses the events of a callsite another test's thread registered at the same time.)
struct Router;

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for Router {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        CAPTURED.with_borrow_mut(|captured| {
            if let Some(events) = captured {
                let mut f = Fields(event.metadata().level().to_string());
                event.record(&mut f);
                events.push(f.0);
            }
        });
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

/// Runs `f`, keeping the events it raises on this thread.
fn capture<T>(f: impl FnOnce() -> T) -> (T, Captured) {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(Router).expect("no other global subscriber");
    });
    CAPTURED.set(Some(Vec::new()));
    let out = f();
    (out, Captured(CAPTURED.take().unwrap_or_default()))
}

struct Captured(Vec<String>);

impl Captured {
    /// The one event whose text holds every one of `parts`.
    fn find(&self, parts: &[&str]) -> String {
        let found: Vec<&String> = (self.0.iter())
            .filter(|e| parts.iter().all(|p| e.contains(p)))
            .collect();
        assert_eq!(found.len(), 1, "{parts:?} in {:#?}", self.0);
        found[0].clone()
    }
}

#[test]
fn a_task_life_is_logged_with_rows_and_rate() {
    let dir = tempfile::tempdir().unwrap();
    let inner = inner(dir.path(), |_| {});
    let good = rows_file(dir.path(), "good.jsonl", 7, None);
    let bad = rows_file(dir.path(), "bad.jsonl", 4, Some(2));
    let ids = create(&inner, &[&good, &bad], false);
    let ((), log) = capture(|| {
        runner::run_task(&inner, ids[0]);
        runner::run_task(&inner, ids[1]);
    });
    log.find(&[
        "INFO",
        "task started",
        "task=1",
        "collection=\"book\"",
        "good.jsonl",
    ]);
    let persisted = log.find(&["INFO", "task persisted", "task=1", "rows=7", "rows_per_s="]);
    assert!(persisted.contains("segments=") && persisted.contains("secs="));
    log.find(&["INFO", "task completed", "task=1", "rows=7", "rows_per_s="]);
    let failed = log.find(&["WARN", "task failed", "task=2", "cleaned=true"]);
    assert!(failed.contains("row 2"), "{failed}");
    assert_eq!(record(&inner, ids[1]).state, TaskState::FailedAndCleaned);
}

#[test]
fn recovery_logs_what_it_did_to_each_task() {
    let dir = tempfile::tempdir().unwrap();
    // Without resume: the killed task is failed (tests/resume.rs resumes one).
    let inner = inner(dir.path(), |o| o.import.resume = false);
    let good = rows_file(dir.path(), "good.jsonl", 3, None);
    let ids = create(&inner, &[&good, &good], false);
    // Task 1 as a killed process leaves it: Started, a folder of partial segments.
    inner
        .lock()
        .ledger
        .transition(ids[0], TaskState::Started, None)
        .unwrap();
    let (pending, log) = capture(|| recovery::recover(&inner));
    assert_eq!(pending.unwrap(), vec![ids[1]]);
    log.find(&[
        "INFO",
        "recovery: task settled",
        "task=1",
        "state=\"Started\"",
    ]);
    log.find(&["WARN", "task failed", "task=1", "interrupted by restart"]);
    log.find(&["INFO", "recovery: done", "tasks=2", "pending=1"]);
}

/// `rows` rows of the book collection as an NPY column set of three files in `dir`.
fn npy_set(dir: &Path, rows: u64) -> Vec<String> {
    let npy = |name: &str, descr: &str, shape: &str, data: Vec<u8>| {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        let path = dir.join(name);
        std::fs::write(&path, out).unwrap();
        path.display().to_string()
    };
    let ints: Vec<u8> = (0..rows as i64).flat_map(i64::to_le_bytes).collect();
    let floats: Vec<u8> = (0..rows * 2)
        .flat_map(|i| (i as f32).to_le_bytes())
        .collect();
    vec![
        npy("book_id.npy", "<i8", &format!("({rows},)"), ints.clone()),
        npy("word_count.npy", "<i8", &format!("({rows},)"), ints),
        npy("book_intro.npy", "<f4", &format!("({rows}, 2)"), floats),
    ]
}

#[test]
fn live_progress_shows_rows_bytes_and_phase_per_file_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let files = npy_set(dir.path(), 2000);
    let sizes: Vec<u64> = (files.iter())
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    let mut opts = EngineOptions::default();
    opts.import.workers = 1;
    opts.import.max_parallel_tasks = 1;
    opts.import.unit_bytes = 1024;
    opts.import.throttle_unit_ms = 20;
    let engine = Engine::open(dir.path().join("data"), opts).unwrap();
    let schema = std::fs::read("data/book/schema.json").unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    assert!(engine.progress(1).is_none());
    let (id, log) = capture(|| engine.import(ImportRequest::new("book", files.clone())));
    let id = id.unwrap();
    log.find(&[
        "INFO",
        "task queued",
        "task=1",
        "collection=\"book\"",
        "_default",
    ]);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !engine
        .get_bulk_insert_state(id)
        .unwrap()
        .state
        .is_terminal()
        && Instant::now() < deadline
    {
        let asked = Instant::now();
        if let Some(p) = engine.progress(id) {
            assert!(asked.elapsed() < Duration::from_millis(50));
            seen.push(p);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let t = engine.wait(id, Some(Duration::from_secs(30))).unwrap();
    assert_eq!(
        (t.state, t.row_count),
        (TaskState::Completed, 2000),
        "{}",
        t.failed_reason
    );
    assert!(
        engine.progress(id).is_none(),
        "progress of a task no longer running"
    );
    let reading: Vec<_> = (seen.iter())
        .filter(|p| p.phase == TaskPhase::Reading && p.rows > 0 && p.rows < 2000)
        .collect();
    assert!(reading.len() >= 3, "{seen:#?}");
    for p in &seen {
        assert_eq!(p.task_id, id);
        assert!(p.rows <= 2000 && p.bytes_read <= p.bytes_total);
        if !p.files.is_empty() {
            let named: Vec<(&str, u64)> = (p.files.iter())
                .map(|f| (f.file.as_str(), f.bytes_total))
                .collect();
            let want: Vec<(&str, u64)> = files
                .iter()
                .map(String::as_str)
                .zip(sizes.iter().copied())
                .collect();
            assert_eq!(named, want);
            assert_eq!(p.bytes_total, sizes.iter().sum::<u64>());
            assert!(p.files.iter().all(|f| f.bytes_read <= f.bytes_total));
        }
    }
    for pair in seen.windows(2) {
        assert!(pair[0].rows <= pair[1].rows && pair[0].bytes_read <= pair[1].bytes_read);
    }
    let mid = reading[reading.len() / 2];
    assert!(
        mid.bytes_read > 0 && mid.bytes_read < mid.bytes_total,
        "{mid:?}"
    );
    assert!(mid.rows_per_s() > 0.0);
}
