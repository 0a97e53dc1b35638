//! Read-only commands (INTERFACE 1, issue 14 defect 10): no lock, no recovery, no tasks run,
//! no data directory created; they read the committed state, also while a writer holds it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use vecload::ledger::{Ledger, TaskState};

use crate::util::{self, ok, vecload};

/// A data directory with the book collection and one Pending task, as a server that stopped
/// before running it leaves it.
fn with_pending_task(d: &Path) -> u64 {
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    let mut ledger = Ledger::open(d).unwrap();
    let t = ledger
        .create(
            "book",
            "_default",
            vec!["data/book/book.json".into()],
            None,
            1,
        )
        .unwrap();
    t.id
}

fn state_of(d: &Path, id: u64) -> TaskState {
    Ledger::open(d).unwrap().get(id).unwrap().state
}

#[test]
fn read_only_commands_leave_pending_tasks_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let id = with_pending_task(&d);
    // The command runs elsewhere: its current directory is not the server's storage root.
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vecload"))
            .current_dir(elsewhere.path())
            .arg("--data-dir")
            .arg(&d)
            .args(args)
            .output()
            .unwrap()
    };
    let tasks: Value = serde_json::from_str(&ok(&run(&["--json", "tasks"]))).unwrap();
    assert_eq!(tasks[0]["state"], "Pending", "{tasks}");
    assert_eq!(state_of(&d, id), TaskState::Pending, "after tasks");
    for args in [
        &["state", "1"][..],
        &["count", "book"],
        &["collection", "list"],
        &["collection", "describe", "book"],
        &["partition", "list", "book"],
        &["query", "book", "--ids", "1"],
        &["search", "book", "--vector", "[0.1, 0.2]"],
    ] {
        ok(&run(args));
        assert_eq!(state_of(&d, id), TaskState::Pending, "after {args:?}");
    }
    // A write command other than `serve` and `import` leaves queued tasks queued too.
    ok(&run(&["partition", "create", "book", "p1"]));
    assert_eq!(
        state_of(&d, id),
        TaskState::Pending,
        "after partition create"
    );
}

#[test]
fn read_only_commands_work_while_a_writer_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let engine = util::book_engine(d);
    let id = engine
        .import(vecload::ImportRequest::new("book", ["data/book/book.json"]))
        .unwrap();
    assert_eq!(
        engine.wait(id, None).unwrap().state,
        TaskState::Completed,
        "{:?}",
        engine.get_bulk_insert_state(id)
    );
    // The engine (this process) holds the lock while the commands run.
    let count: Value =
        serde_json::from_str(&ok(&vecload(d, &["--json", "count", "book"]))).unwrap();
    assert_eq!(count["count"], 5);
    let state: Value =
        serde_json::from_str(&ok(&vecload(d, &["--json", "state", &id.to_string()]))).unwrap();
    assert_eq!(state["state"], "Completed");
    let rows: Value = serde_json::from_str(&ok(&vecload(
        d,
        &["--json", "query", "book", "--ids", "103"],
    )))
    .unwrap();
    assert_eq!(rows[0]["book_id"], 103, "{rows}");
    let parts = ok(&vecload(d, &["partition", "list", "book"]));
    assert!(parts.contains("2022"), "{parts}");
    drop(engine);
}

#[test]
fn read_only_commands_do_not_create_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    for args in [
        &["count", "book"][..],
        &["tasks"],
        &["state", "1"],
        &["collection", "list"],
    ] {
        let out = vecload(&missing, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("data directory") && err.contains("not found"),
            "{err}"
        );
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
}
