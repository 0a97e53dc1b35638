//! `ledger_replay`: `Ledger::open` on a ledger directory holding a fuzzed file.
//!
//! Input: a flags byte, then the file. Bit 0 clear: the file is task 7's record
//! (`tasks/000000000007.json`) next to a valid `counters.json` (none if bit 1 is set).
//! Bit 0 set: the file is `counters.json` next to a valid record of task 7 (none if bit 1
//! is set).
//!
//! Properties:
//! * nothing panics: a bad file is an error, never a crash;
//! * an accepted record is what `serde_json` reads from the file, and opening again
//!   replays the same tasks;
//! * what replay accepted can be written back: an update, a legal transition and a new task
//!   succeed and survive another replay unchanged (the ledger reads what it writes).

use std::fs;
use std::path::Path;

use vecload::ledger::{AUTO_ID_BASE, Ledger, TaskRecord, TaskState, can_move};

/// A task file's record, as `serde_json` reads it.
#[derive(serde::Deserialize)]
struct Stored {
    task: TaskRecord,
}

/// The task id of the fuzzed (or fixed) record.
pub const TASK_ID: u64 = 7;

/// A valid counters file (task ids below 100, auto-ids below `AUTO_ID_BASE + 1000`).
pub fn counters_file() -> String {
    format!(
        r#"{{"format": "vecload-counters", "version": 1, "next_task_id": 100, "next_auto_id": {}}}"#,
        AUTO_ID_BASE + 1000
    )
}

/// A valid record of task 7: Persisted, with a segment and an id range.
pub fn task_file() -> String {
    format!(
        r#"{{"format": "vecload-task", "version": 1, "task": {{"id": 7, "job_id": 3,
 "collection": "book", "partition": "2022", "files": ["a.json"], "state": "Persisted",
 "row_count": 5, "progress": 90, "id_ranges": [[{b}, {e}]], "failed_reason": "",
 "create_time": 1795492800, "start_time": 1795492801, "persist_cost": 0.25,
 "segments": [{{"file_name": "t00000007-w0-p0-s0-0000.vseg", "rows": 5, "bytes": 400,
 "partition": "2022", "shard": 0}}]}}}}"#,
        b = AUTO_ID_BASE,
        e = AUTO_ID_BASE + 5
    )
}

/// Replays a ledger holding the fuzzed file and checks every property.
pub fn check(data: &[u8]) {
    let Some((&flags, file)) = data.split_first() else {
        return;
    };
    let dir = super::scratch_dir();
    let root = dir.path();
    let tasks = root.join("tasks");
    fs::create_dir_all(&tasks).expect("tasks dir");
    let task_path = tasks.join(format!("{TASK_ID:012}.json"));
    let counters_path = root.join("counters.json");
    let fuzzed_task = flags & 1 == 0;
    let (fuzzed, fixed, fixed_text) = if fuzzed_task {
        (&task_path, &counters_path, counters_file())
    } else {
        (&counters_path, &task_path, task_file())
    };
    fs::write(fuzzed, file).expect("write the fuzzed file");
    if flags & 2 == 0 {
        fs::write(fixed, fixed_text).expect("write the fixed file");
    }

    let Ok(mut ledger) = Ledger::open(root) else {
        return;
    };
    let first = snapshot(&ledger);
    if fuzzed_task && let Some(task) = ledger.get(TASK_ID) {
        let want: Stored = serde_json::from_slice(file).expect("an accepted record reads");
        assert_eq!(task, &want.task, "replay changed the record");
    }
    assert_eq!(snapshot(&reopen(root)), first, "a second replay differs");

    if let Some(task) = ledger.get(TASK_ID).cloned() {
        let updated = ledger
            .update(TASK_ID, |t| t.row_count = t.row_count.wrapping_add(1))
            .unwrap_or_else(|e| panic!("update of a replayed record refused: {e}"))
            .clone();
        assert_eq!(
            reopen(root).get(TASK_ID),
            Some(&updated),
            "update not replayed"
        );
        if let Some(to) = TaskState::ALL
            .into_iter()
            .find(|&to| can_move(task.state, to))
        {
            let moved = ledger
                .transition(TASK_ID, to, Some("fuzz"))
                .unwrap_or_else(|e| panic!("legal transition refused: {e}"))
                .clone();
            assert_eq!(
                reopen(root).get(TASK_ID),
                Some(&moved),
                "transition not replayed"
            );
        }
    }
    let ids = ledger.alloc_ids(1).expect("alloc_ids");
    let new = ledger
        .create("c", "", vec!["x.json".to_owned()], None, 1)
        .expect("create after replay");
    let again = reopen(root);
    assert_eq!(again.get(new.id), Some(&new), "new task not replayed");
    let more = ledger_ids(root);
    assert!(more.start >= ids.end, "auto-ids handed out twice");
}

fn reopen(root: &Path) -> Ledger {
    Ledger::open(root).unwrap_or_else(|e| panic!("replaying what the ledger wrote failed: {e}"))
}

fn snapshot(ledger: &Ledger) -> Vec<TaskRecord> {
    ledger.list(None, None).into_iter().cloned().collect()
}

/// The next auto-id range of a fresh replay.
fn ledger_ids(root: &Path) -> std::ops::Range<i64> {
    reopen(root).alloc_ids(1).expect("alloc_ids after replay")
}
