//! The walking skeleton: the seed's "book" examples, end to end on the embedded engine.

use vecload::ledger::TaskState;
use vecload::query::{self, Key};

use crate::util::{book_engine, files_under, repo};

fn import(
    engine: &vecload::Engine,
    partition: Option<&str>,
    files: &[&str],
) -> vecload::ledger::TaskRecord {
    let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    let id = engine.do_bulk_insert("book", partition, &files).unwrap();
    engine.wait(id, None).unwrap()
}

#[test]
fn json_imports_into_a_named_partition_and_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    let t = import(&engine, Some("2022"), &["data/book/book.json"]);
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.progress), (5, 100));
    assert_eq!(engine.count("book", Some("2022")).unwrap(), 5);
    assert_eq!(engine.count("book", Some("_default")).unwrap(), 0);
    let t = import(&engine, None, &["data/book/book_props.json"]);
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!(engine.count("book", None).unwrap(), 10);
    assert_eq!(engine.count("book", Some("_default")).unwrap(), 5);

    let snap = engine.snapshot("book").unwrap();
    // Key 104 is in both files: the later task's row wins, as Milvus's upsert.
    let rows = query::get_by_ids(&snap, &[Key::Int(104)], None, 10).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let with_props = &rows[0];
    assert_eq!(
        with_props["book_props"],
        serde_json::json!({"year": 2018, "price": 15.29})
    );
    assert_eq!(with_props["book_intro"], serde_json::json!([4.1, 4.2]));
    assert_eq!(with_props["word_count"], serde_json::json!(12));
}

#[test]
fn numpy_column_set_imports_into_a_named_partition_and_the_default() {
    let npy = repo().join("data/book/npy");
    assert!(npy.join("book_id.npy").exists(), "data/book/npy is missing");
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    let files = [
        "data/book/npy/book_id.npy",
        "data/book/npy/word_count.npy",
        "data/book/npy/book_intro.npy",
        "data/book/npy/$meta.npy",
    ];
    for partition in [Some("2022"), None] {
        let t = import(&engine, partition, &files);
        assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
        assert_eq!(t.row_count, 5);
    }
    assert_eq!(engine.count("book", Some("2022")).unwrap(), 5);
    assert_eq!(engine.count("book", Some("_default")).unwrap(), 5);
    let snap = engine.snapshot("book").unwrap();
    let rows = query::get_by_ids(&snap, &[Key::Int(103)], None, 10).unwrap();
    assert_eq!(rows.len(), 1, "each key once: {rows:?}");
    for r in rows {
        assert_eq!(r["book_intro"], serde_json::json!([3.1, 3.2]));
        assert_eq!(r["word_count"], serde_json::json!(7));
        assert_eq!(
            r["book_props"],
            serde_json::json!({"year": 2017, "price": 35.61})
        );
    }
}

/// A directory is a NumPy column set (pymilvus's BulkWriter writes each batch as
/// `<uuid>/<n>/`); a directory without `.npy` files is refused before any task exists.
#[test]
fn a_directory_imports_as_a_numpy_column_set() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    for path in ["data/book/npy", "data/book/npy/"] {
        let t = import(&engine, None, &[path]);
        assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
        assert_eq!(t.row_count, 5);
        assert_eq!(t.files.len(), 4, "{:?}", t.files);
        assert!(
            t.files
                .iter()
                .all(|f| f.starts_with("data/book/npy/") && f.ends_with(".npy"))
        );
    }
    assert_eq!(engine.count("book", None).unwrap(), 10);
    let err = engine
        .do_bulk_insert("book", None, &["data/book".to_string()])
        .unwrap_err();
    assert!(
        err.to_string().contains("'data/book' holds no .npy files"),
        "{err}"
    );
}

#[test]
fn a_bad_file_fails_its_task_names_the_row_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    assert_eq!(
        import(&engine, Some("2022"), &["data/book/book.json"]).state,
        TaskState::Completed
    );
    let before = files_under(&dir.path().join("segments"));
    let fail_dir = repo().join("data/book/fail");
    let mut cases: Vec<_> = std::fs::read_dir(&fail_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut seen = 0;
    for case in cases
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e != "error"))
    {
        let rel = case.strip_prefix(repo()).unwrap().display().to_string();
        let want = std::fs::read_to_string(case.with_extension("error")).unwrap();
        let t = import(&engine, Some("2022"), &[&rel]);
        assert_eq!(t.state, TaskState::FailedAndCleaned, "{rel} should fail");
        for needle in want.lines().filter(|l| !l.is_empty()) {
            assert!(
                t.failed_reason.contains(needle),
                "{rel}: reason {:?} lacks {needle:?}",
                t.failed_reason
            );
        }
        assert_eq!(
            engine.count("book", None).unwrap(),
            5,
            "{rel} changed the count"
        );
        assert_eq!(
            files_under(&dir.path().join("segments")),
            before,
            "{rel} left files"
        );
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} fail cases");
}

#[test]
fn data_survives_reopening_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = book_engine(dir.path());
        assert_eq!(
            import(&engine, Some("2022"), &["data/book/book.json"]).state,
            TaskState::Completed
        );
    }
    let engine = vecload::Engine::open(dir.path(), crate::util::options()).unwrap();
    assert_eq!(engine.count("book", Some("2022")).unwrap(), 5);
    let tasks = engine.list_bulk_insert_tasks(Some("book"), None).unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].state, TaskState::Completed);
}

#[test]
fn a_second_process_cannot_open_a_locked_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _engine = book_engine(dir.path());
    // A write command; read-only ones take no lock (tests/readonly.rs).
    let out = crate::util::vecload(dir.path(), &["partition", "create", "book", "x"]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("in use by process") && err.contains(&std::process::id().to_string()),
        "{err}"
    );
}
