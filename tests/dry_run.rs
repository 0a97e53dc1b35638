//! Dry runs (issue 18, INTERFACE 9): `--dry-run` / option `dryRun` reads, checks and routes
//! every row of the bench set (`vecload bench-import --rows 20000`) in every format, into a
//! plain and a partition-key collection (16 partitions), and writes nothing: no segment, no
//! catalog change, no count; then the real import commits exactly the rows per partition
//! the dry run reported. Under skip a dry run keeps the import's rejects records; under abort
//! it fails with the import's error.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use vecload::ledger::{TaskRecord, TaskState};
use vecload::source::LocalRoot;
use vecload::{Engine, EngineOptions, ImportRequest, OnError, TaskOptions};

use crate::util::{files_under, repo, vecload};

mod surfaces;

/// Rows of the bench set the tests read.
const ROWS: u64 = 20_000;

/// The bench set of [`ROWS`] x 128 (made once by `vecload bench-import`, which reuses it while
/// its manifest matches): `schema.json`, `bench.json`, `bench.jsonl`, `npy/`, `bench.parquet`,
/// `bench.csv`.
fn bench_set() -> &'static Path {
    static SET: OnceLock<PathBuf> = OnceLock::new();
    SET.get_or_init(|| {
        let root = repo().join("target/bench-data");
        let scratch = tempfile::tempdir().unwrap();
        let rows = ROWS.to_string();
        let args = [
            "bench-import",
            "--rows",
            &rows,
            "--formats",
            "npy",
            "--skip-peers",
            "--dir",
            root.to_str().unwrap(),
        ];
        let out = vecload(scratch.path(), &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        root.join(format!("r{ROWS}-d128"))
    })
}

/// The bench schema with `word_count` as its partition key over 16 partitions, named
/// `keyed` (as scripts/bench-partition-key.sh makes it).
fn keyed_schema(set: &Path) -> Vec<u8> {
    let mut s: Value =
        serde_json::from_slice(&std::fs::read(set.join("schema.json")).unwrap()).unwrap();
    s["collectionName"] = "keyed".into();
    for f in s["schema"]["fields"].as_array_mut().unwrap() {
        if f["fieldName"] == "word_count" {
            f["isPartitionKey"] = true.into();
        }
    }
    s["params"]["partitionsNum"] = 16.into();
    serde_json::to_vec(&s).unwrap()
}

/// An engine on `data` reading from `root`, two workers, with the collections `bench` and
/// `keyed` of the bench schema.
pub(crate) fn engine(data: &Path, root: &Path, set: &Path) -> Engine {
    let mut o = EngineOptions {
        storage: LocalRoot::confined(root).into(),
        ..EngineOptions::default()
    };
    o.import.workers = 2;
    let e = Engine::open(data, o).unwrap();
    if e.describe_collection("bench").is_err() {
        let plain = std::fs::read(set.join("schema.json")).unwrap();
        e.create_collection_from_json(&plain).unwrap();
        e.create_collection_from_json(&keyed_schema(set)).unwrap();
    }
    e
}

/// Runs an import of `files` into `collection` with `opts` to its end; the final record.
pub(crate) fn run(e: &Engine, collection: &str, files: &[&str], opts: TaskOptions) -> TaskRecord {
    let req = ImportRequest::new(collection, files.iter().map(|f| f.to_string())).options(opts);
    let id = e.import(req).unwrap();
    loop {
        let t = e.wait(id, Some(Duration::from_secs(120))).unwrap();
        if matches!(
            t.state,
            TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned
        ) {
            return t;
        }
    }
}

fn dry() -> TaskOptions {
    TaskOptions::default().dry_run(true)
}

/// What a dry run may not change in `data`: the catalog's bytes, the counters' next auto-id,
/// and every file but the task records and the rejects files.
#[derive(Debug, PartialEq)]
pub(crate) struct Untouched {
    catalog: Vec<u8>,
    next_auto_id: Value,
    files: Vec<String>,
}

impl Untouched {
    pub(crate) fn of(data: &Path) -> Untouched {
        // counters.json is written with the first task (its next task id).
        let counters: Value = std::fs::read(data.join("counters.json"))
            .map_or(Value::Null, |b| serde_json::from_slice(&b).unwrap());
        let next_auto_id = match &counters["next_auto_id"] {
            Value::Null => Value::from(1_u64 << 40),
            n => n.clone(),
        };
        Untouched {
            catalog: std::fs::read(data.join("catalog.json")).unwrap(),
            next_auto_id,
            files: (files_under(data).into_iter())
                .filter(|f| !f.starts_with("tasks/") && !f.starts_with("rejects/"))
                .filter(|f| f != "counters.json")
                .collect(),
        }
    }
}

#[test]
fn a_dry_run_of_the_bench_set_writes_nothing_and_counts_what_the_import_commits() {
    let set = bench_set();
    for (format, file) in [
        ("json", "bench.json"),
        ("jsonl", "bench.jsonl"),
        ("npy", "npy"),
        ("parquet", "bench.parquet"),
        ("csv", "bench.csv"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let e = engine(data.path(), set, set);
        let before = Untouched::of(data.path());
        let mut dry_runs = Vec::new();
        for collection in ["bench", "keyed"] {
            let t = run(&e, collection, &[file], dry());
            assert_eq!(t.state, TaskState::Completed, "{format}: {t:?}");
            assert!(t.dry_run && t.segments.is_empty(), "{format}: {t:?}");
            assert_eq!(t.row_count, ROWS, "{format}");
            assert!(t.id_ranges.is_empty() && t.rejected_rows == 0, "{format}");
            assert_eq!(t.partitions.values().sum::<u64>(), ROWS, "{format}");
            let j = t.to_json();
            assert_eq!(j["dry_run"], true);
            assert_eq!(
                j["partitions"],
                serde_json::to_value(&t.partitions).unwrap()
            );
            assert!(j["file_size"].as_u64().unwrap() > 0, "{j}");
            assert!(j["persist_cost"].as_f64().unwrap() > 0.0, "{j}");
            dry_runs.push(t);
        }
        assert_eq!(
            dry_runs[0].partitions.keys().collect::<Vec<_>>(),
            ["_default"]
        );
        assert_eq!(dry_runs[1].partitions.len(), 16, "{format}");
        // Nothing written, nothing visible.
        assert_eq!(Untouched::of(data.path()), before, "{format}");
        assert!(!data.path().join("segments").exists() || segments(data.path()).is_empty());
        for collection in ["bench", "keyed"] {
            assert_eq!(e.count(collection, None).unwrap(), 0, "{format}");
        }
        // The real imports commit what the dry runs reported, partition by partition.
        for (collection, d) in ["bench", "keyed"].into_iter().zip(&dry_runs) {
            let t = run(&e, collection, &[file], TaskOptions::default());
            assert_eq!(t.state, TaskState::Completed, "{format}: {t:?}");
            assert!(!t.dry_run);
            assert_eq!(
                t.to_json()["partitions"],
                d.to_json()["partitions"],
                "{format}"
            );
            assert_eq!(e.count(collection, None).unwrap(), ROWS);
            for (p, n) in &d.partitions {
                assert_eq!(e.count(collection, Some(p)).unwrap(), *n, "{format} {p}");
            }
        }
        assert!(!segments(data.path()).is_empty());
    }
}

/// The segment files under `data`.
pub(crate) fn segments(data: &Path) -> Vec<String> {
    (files_under(data).into_iter())
        .filter(|f| f.starts_with("segments/"))
        .collect()
}

/// The bench set's JSON Lines file with three bad rows: row 5's `word_count` a string, row
/// 700's `vec` one float short, row 19999's `title` longer than its max_length (64).
fn bad_jsonl(set: &Path) -> String {
    let text = std::fs::read_to_string(set.join("bench.jsonl")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut row: Value = serde_json::from_str(line).unwrap();
        match i {
            5 => row["word_count"] = "five".into(),
            700 => {
                row["vec"].as_array_mut().unwrap().pop();
            }
            19_999 => row["title"] = "t".repeat(100).into(),
            _ => {
                out.push_str(line);
                out.push('\n');
                continue;
            }
        }
        out.push_str(&row.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn a_skip_dry_run_keeps_the_imports_rejects_and_an_abort_dry_run_fails_as_the_import() {
    let set = bench_set();
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("bad.jsonl"), bad_jsonl(set)).unwrap();
    let e = engine(data.path(), root.path(), set);
    let before = Untouched::of(data.path());
    let skip = || TaskOptions::default().on_error(OnError::Skip);

    // Abort (the default): the dry run fails with the import's reason, leaving nothing.
    let d = run(&e, "keyed", &["bad.jsonl"], dry());
    assert_eq!(d.state, TaskState::FailedAndCleaned, "{d:?}");
    assert!(d.failed_reason.contains("row 5"), "{}", d.failed_reason);
    assert!(
        d.failed_reason.contains("word_count"),
        "{}",
        d.failed_reason
    );
    assert_eq!(d.rejects_file, None);
    assert_eq!(Untouched::of(data.path()), before);
    assert!(
        files_under(data.path())
            .iter()
            .all(|f| !f.starts_with("rejects/"))
    );
    let i = run(&e, "keyed", &["bad.jsonl"], TaskOptions::default());
    assert_eq!(i.state, TaskState::FailedAndCleaned);
    assert_eq!(d.failed_reason, i.failed_reason);

    // Skip: the same rejects records, the same rows per partition.
    let d = run(&e, "keyed", &["bad.jsonl"], skip().dry_run(true));
    assert_eq!(d.state, TaskState::Completed, "{d:?}");
    assert_eq!((d.row_count, d.rejected_rows), (ROWS - 3, 3));
    let d_file = d.rejects_file.clone().unwrap();
    assert_eq!(d_file, format!("rejects/{}.jsonl", d.id));
    let d_rejects = std::fs::read_to_string(data.path().join(&d_file)).unwrap();
    assert_eq!(Untouched::of(data.path()), before);
    assert_eq!(e.count("keyed", None).unwrap(), 0);
    let i = run(&e, "keyed", &["bad.jsonl"], skip());
    assert_eq!(i.state, TaskState::Completed, "{i:?}");
    let i_rejects =
        std::fs::read_to_string(data.path().join(i.rejects_file.as_ref().unwrap())).unwrap();
    assert_eq!(d_rejects, i_rejects);
    let rows: Vec<u64> = (d_rejects.lines())
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["row"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(rows, [5, 700, 19_999]);
    assert_eq!(i.to_json()["partitions"], d.to_json()["partitions"]);
    assert_eq!(e.count("keyed", None).unwrap(), ROWS - 3);
    // A dry run's rejects file is listed and printed like an import's.
    assert_eq!(e.rejects(d.id).unwrap(), d_rejects.as_bytes());
}

#[test]
fn a_dry_run_takes_no_auto_ids_refuses_two_phase_and_keeps_its_own_idempotency_key() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let rows: String = (0..50)
        .map(|i| format!("{{\"n\": {i}, \"v\": [0.5, {i}.5]}}\n"))
        .collect();
    std::fs::write(root.path().join("a.jsonl"), rows).unwrap();
    let mut o = EngineOptions {
        storage: LocalRoot::confined(root.path()).into(),
        ..EngineOptions::default()
    };
    o.import.workers = 2;
    let e = Engine::open(data.path(), o).unwrap();
    e.create_collection_from_json(
        br#"{"collectionName": "a", "schema": {"autoId": true, "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "n", "dataType": "Int64"},
            {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#,
    )
    .unwrap();
    let before = Untouched::of(data.path());
    let d = run(&e, "a", &["a.jsonl"], dry());
    assert_eq!((d.state, d.row_count), (TaskState::Completed, 50));
    assert!(d.id_ranges.is_empty());
    assert_eq!(Untouched::of(data.path()), before, "no auto-id reserved");
    let i = run(&e, "a", &["a.jsonl"], TaskOptions::default());
    assert_eq!(i.id_ranges.iter().map(|[a, b]| b - a).sum::<i64>(), 50);
    // A dry run's idempotency key is its own: the same key for the import is refused.
    let keyed = |opts: TaskOptions| {
        let req = ImportRequest::new("a", ["a.jsonl"]).options(opts);
        e.import(req.idempotency_key("k"))
    };
    let first = keyed(dry()).unwrap();
    assert_eq!(keyed(dry()).unwrap(), first);
    let err = keyed(TaskOptions::default()).unwrap_err().to_string();
    assert!(err.contains("idempotency key \"k\""), "{err}");
    e.wait(first, Some(Duration::from_secs(60))).unwrap();
    // Two-phase needs a commit; a dry run has nothing to commit.
    let req =
        ImportRequest::job("a", vec![vec!["a.jsonl".into()]]).options(dry().auto_commit(false));
    let err = e.import(req).unwrap_err().to_string();
    assert!(
        err.contains("auto_commit") && err.contains("dry run"),
        "{err}"
    );
}
