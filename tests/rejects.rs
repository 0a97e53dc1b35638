//! Bad rows as data (issue 18, INTERFACE 9): `--on-error skip` keeps the good rows of every
//! format and writes each bad row to `rejects/<task>.jsonl`, record by record; abort fails
//! at the first; the limits fail the task and leave no rejects file. Inputs are written by
//! the real tools (numpy, pyarrow, pandas through the venv) with bad values planted.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use vecload::ledger::TaskState;
use vecload::source::LocalRoot;
use vecload::{Engine, EngineOptions, ImportRequest, OnError, TaskOptions};

use crate::server::python;
use crate::util::files_under;

mod surfaces;

pub(crate) const SCHEMA: &str = r#"{"collectionName": "c", "schema": {"autoId": false,
  "fields": [
    {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
    {"fieldName": "n", "dataType": "Int64"},
    {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#;

/// Five JSON rows; rows 1 (`n` a string) and 3 (`v` of 3 floats) are bad.
pub(crate) const ROWS: [&str; 5] = [
    r#"{"id": 0, "n": 10, "v": [0.5, 1.5]}"#,
    r#"{"id": 1, "n": "ten", "v": [0.5, 1.5]}"#,
    r#"{"id": 2, "n": 12, "v": [2.5, 3.5]}"#,
    r#"{"id": 3, "n": 13, "v": [1.0, 2.0, 3.0]}"#,
    r#"{"id": 4, "n": 14, "v": [4.5, 5.5]}"#,
];

/// Runs `code` (Python) in `dir` with the venv's numpy, pyarrow and pandas.
fn py(dir: &Path, code: &str) {
    let out = std::process::Command::new(python())
        .current_dir(dir)
        .args(["-c", code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn engine(data: &Path, root: &Path) -> Engine {
    engine_with(data, root, |_| {})
}

/// An engine on `data` reading from `root` with `tune` applied to its options; the
/// collection created unless it exists.
pub(crate) fn engine_with(
    data: &Path,
    root: &Path,
    tune: impl FnOnce(&mut EngineOptions),
) -> Engine {
    let mut o = EngineOptions {
        storage: LocalRoot::confined(root).into(),
        ..EngineOptions::default()
    };
    o.import.workers = 2;
    tune(&mut o);
    let e = Engine::open(data, o).unwrap();
    if e.describe_collection("c").is_err() {
        e.create_collection_from_json(SCHEMA.as_bytes()).unwrap();
    }
    e
}

/// Imports `files` with `opts`; the final record.
pub(crate) fn import(e: &Engine, files: &[&str], opts: TaskOptions) -> vecload::ledger::TaskRecord {
    let req = ImportRequest::new("c", files.iter().map(|f| f.to_string())).options(opts);
    let id = e.import(req).unwrap();
    loop {
        let t = e.wait(id, Some(Duration::from_secs(60))).unwrap();
        if matches!(
            t.state,
            TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned
        ) {
            return t;
        }
    }
}

pub(crate) fn skip() -> TaskOptions {
    TaskOptions::default().on_error(OnError::Skip)
}

/// The rejects file of task `id`, one JSON value a record.
fn records(e: &Engine, id: u64) -> Vec<Value> {
    let text = String::from_utf8(e.rejects(id).unwrap()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Ids committed, sorted.
fn ids(e: &Engine) -> Vec<i64> {
    let mut ids: Vec<i64> = crate::util::rows_of(e, "c")
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(r).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    ids.sort();
    ids
}

/// Checks `got` against `want`, key by key (every key of a record present).
fn assert_records(got: &[Value], want: &[Value]) {
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(want) {
        for key in [
            "file",
            "row",
            "byte",
            "line",
            "row_group",
            "field",
            "expected",
            "found",
            "raw",
        ] {
            assert_eq!(g[key], w[key], "key {key} of {g}");
        }
        let m = g["message"].as_str().unwrap();
        let loc = format!("{}: row {}", w["file"].as_str().unwrap(), w["row"]);
        assert!(m.starts_with(&loc), "{m}");
        assert!(m.contains(w["field"].as_str().unwrap()), "{m}");
    }
}

/// The two bad JSON rows' records, for a file named `file` whose rows start at `starts`.
fn json_records(file: &str, starts: [u64; 2], lines: [Option<u64>; 2]) -> Vec<Value> {
    vec![
        json!({"file": file, "row": 1, "byte": starts[0], "line": lines[0], "row_group": null,
               "field": "n", "expected": "an integer (Int64)", "found": "string \"ten\"", "raw": ROWS[1]}),
        json!({"file": file, "row": 3, "byte": starts[1], "line": lines[1], "row_group": null,
               "field": "v", "expected": "2 floats", "found": "3",
               "raw": ROWS[3]}),
    ]
}

#[test]
fn json_lines_skip_keeps_good_rows_and_records_each_bad_one() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    let e = engine(data.path(), root.path());
    let t = import(&e, &["a.jsonl"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (3, 2));
    assert_eq!(t.rejects_file.as_deref(), Some("rejects/1.jsonl"));
    assert_eq!(ids(&e), [0, 2, 4]);
    let start = |i: usize| ROWS[..i].iter().map(|r| r.len() as u64 + 1).sum::<u64>();
    let want = json_records("a.jsonl", [start(1), start(3)], [Some(2), Some(4)]);
    assert_records(&records(&e, t.id), &want);
    assert!(data.path().join("rejects/1.jsonl").exists());

    // Abort (the default): the first bad row fails the task; no rejects file.
    let t = import(&e, &["a.jsonl"], TaskOptions::default());
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("row 1") && t.failed_reason.contains("\"n\""),
        "{}",
        t.failed_reason
    );
    assert!(records(&e, t.id).is_empty());
}

#[test]
fn json_document_skip_rejects_elements_of_rows() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let text = format!("{{\"rows\": [\n{}\n]}}\n", ROWS.join(",\n"));
    std::fs::write(root.path().join("a.json"), &text).unwrap();
    let e = engine(data.path(), root.path());
    let t = import(&e, &["a.json"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (3, 2));
    let at = |i: usize| text.find(ROWS[i]).unwrap() as u64;
    assert_records(
        &records(&e, t.id),
        &json_records("a.json", [at(1), at(3)], [None, None]),
    );
}

#[test]
fn csv_skip_rejects_records() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    py(
        root.path(),
        r#"
import pandas as pd
pd.DataFrame({"id": [0, 1, 2, 3, 4], "n": ["10", "ten", "12", "13", "14"],
              "v": ["[0.5, 1.5]", "[0.5, 1.5]", "[2.5, 3.5]", "[1.0, 2.0, 3.0]", "[4.5, 5.5]"]}
             ).to_csv("a.csv", index=False)
"#,
    );
    let text = std::fs::read_to_string(root.path().join("a.csv")).unwrap();
    let e = engine(data.path(), root.path());
    let t = import(&e, &["a.csv"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (3, 2));
    assert_eq!(ids(&e), [0, 2, 4]);
    let lines: Vec<&str> = text.lines().collect();
    let at = |l: usize| lines[..l].iter().map(|x| x.len() as u64 + 1).sum::<u64>();
    let want = vec![
        json!({"file": "a.csv", "row": 1, "byte": at(2), "line": 3, "row_group": null,
               "field": "n", "expected": "an integer (Int64)", "found": "cell \"ten\"", "raw": lines[2]}),
        json!({"file": "a.csv", "row": 3, "byte": at(4), "line": 5, "row_group": null,
               "field": "v", "expected": "2 floats", "found": "3",
               "raw": lines[4]}),
    ];
    assert_records(&records(&e, t.id), &want);
}

#[test]
fn numpy_skip_rejects_the_row_of_a_bad_value() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    py(
        root.path(),
        r#"
import numpy as np
np.save("id.npy", np.arange(5, dtype=np.int64))
np.save("n.npy", np.array([10, 11, 12, 13, 14], dtype=np.int64))
v = np.array([[0.5, 1.5], [1.5, 2.5], [2.5, np.nan], [3.5, 4.5], [np.inf, 5.5]], dtype=np.float32)
np.save("v.npy", v)
"#,
    );
    let e = engine(data.path(), root.path());
    let t = import(&e, &["id.npy", "n.npy", "v.npy"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (3, 2));
    assert_eq!(ids(&e), [0, 1, 3]);
    let got = records(&e, t.id);
    let want = vec![
        json!({"file": "v.npy", "row": 2, "byte": null, "line": null, "row_group": null,
               "field": "v", "expected": got[0]["expected"], "found": got[0]["found"],
               "raw": json!({"id": 2, "n": 12, "v": got[0]["found"]}).to_string()}),
        json!({"file": "v.npy", "row": 4, "byte": null, "line": null, "row_group": null,
               "field": "v", "expected": got[1]["expected"], "found": got[1]["found"],
               "raw": json!({"id": 4, "n": 14, "v": got[1]["found"]}).to_string()}),
    ];
    assert_records(&got, &want);
    assert!(
        got[0]["found"].as_str().unwrap().contains("NaN"),
        "{}",
        got[0]
    );
}

#[test]
fn parquet_skip_rejects_rows_with_their_row_group() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    py(
        root.path(),
        r#"
import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({"id": pa.array([0, 1, 2, 3, 4], pa.int64()),
              "n": pa.array([10, 11, 12, 13, 14], pa.int64()),
              "v": pa.array([[0.5, 1.5], [1.5], [2.5, 3.5], [3.5, 4.5], [4.5, 5.5, 6.5]],
                            pa.list_(pa.float32()))})
pq.write_table(t, "a.parquet", row_group_size=3)
"#,
    );
    let e = engine(data.path(), root.path());
    let t = import(&e, &["a.parquet"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (3, 2));
    assert_eq!(ids(&e), [0, 2, 3]);
    let got = records(&e, t.id);
    let want = vec![
        json!({"file": "a.parquet", "row": 1, "byte": null, "line": null, "row_group": 0,
               "field": "v", "expected": got[0]["expected"], "found": got[0]["found"],
               "raw": json!({"id": 1, "n": 11, "v": got[0]["found"]}).to_string()}),
        json!({"file": "a.parquet", "row": 4, "byte": null, "line": null, "row_group": 1,
               "field": "v", "expected": got[1]["expected"], "found": got[1]["found"],
               "raw": json!({"id": 4, "n": 14, "v": got[1]["found"]}).to_string()}),
    ];
    assert_records(&got, &want);
}

#[test]
fn limits_fail_the_task_and_leave_no_rejects_file() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    let e = engine(data.path(), root.path());
    // Two bad rows: max_errors 1 fails, 2 passes.
    let t = import(&e, &["a.jsonl"], skip().max_errors(1));
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("max_errors = 1"),
        "{}",
        t.failed_reason
    );
    assert_eq!(t.rejected_rows, 0);
    let t = import(&e, &["a.jsonl"], skip().max_errors(2));
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    // 2 of 5 = 0.4: over 0.3 (checked at the end, under 1,000 rows), within 0.4.
    let t = import(&e, &["a.jsonl"], skip().max_error_ratio(0.3));
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("max_error_ratio = 0.3"),
        "{}",
        t.failed_reason
    );
    let t = import(&e, &["a.jsonl"], skip().max_error_ratio(0.4));
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    let rejects: Vec<String> = files_under(data.path())
        .into_iter()
        .filter(|f| f.starts_with("rejects"))
        .collect();
    assert_eq!(rejects, ["rejects/2.jsonl", "rejects/4.jsonl"]);

    // Past 1,000 rows read the ratio is checked as rows come: 1 bad row in 10 fails 0.05.
    std::fs::write(root.path().join("b.jsonl"), every_tenth_bad()).unwrap();
    let t = import(&e, &["b.jsonl"], skip().max_error_ratio(0.05));
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("rows rejected of"),
        "{}",
        t.failed_reason
    );
    let t = import(&e, &["b.jsonl"], skip().max_error_ratio(0.1));
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!((t.row_count, t.rejected_rows), (2700, 300));
}

/// 3000 JSON Lines rows, every tenth with a string for `n`.
fn every_tenth_bad() -> String {
    let mut text = String::new();
    for i in 0..3000 {
        let n = if i % 10 == 9 {
            "\"x\"".to_string()
        } else {
            i.to_string()
        };
        text.push_str(&format!("{{\"id\": {i}, \"n\": {n}, \"v\": [1, 2]}}\n"));
    }
    text
}

#[test]
fn many_units_over_two_workers_give_one_file_by_row() {
    let (root, text) = (tempfile::tempdir().unwrap(), every_tenth_bad());
    std::fs::write(root.path().join("b.jsonl"), &text).unwrap();
    py(
        root.path(),
        r#"
import numpy as np
np.save("id.npy", np.arange(3000, dtype=np.int64))
np.save("n.npy", np.arange(3000, dtype=np.int64))
v = np.ones((3000, 2), dtype=np.float32)
v[9::10, 1] = np.nan
np.save("v.npy", v)
"#,
    );
    // Small units: dozens of them, read by both workers; the exact reader and simd-json.
    for parser in ["exact", "simd-json"] {
        let data = tempfile::tempdir().unwrap();
        let e = engine_with(data.path(), root.path(), |o| {
            o.import.unit_bytes = 4096;
            o.set("import.json_parser", parser).unwrap();
        });
        for files in [&["b.jsonl"][..], &["id.npy", "n.npy", "v.npy"]] {
            let t = import(&e, files, skip());
            assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
            assert_eq!((t.row_count, t.rejected_rows), (2700, 300), "{files:?}");
            let rows: Vec<u64> = records(&e, t.id)
                .iter()
                .map(|r| r["row"].as_u64().unwrap())
                .collect();
            let want: Vec<u64> = (0..300).map(|k| k * 10 + 9).collect();
            assert_eq!(rows, want, "{parser} {files:?}");
        }
        let lines: Vec<&str> = text.lines().collect();
        let first = records(&e, 1);
        assert_eq!(first[7]["raw"], lines[79]);
        assert_eq!(first[7]["line"], 80);
    }
}

#[test]
fn file_level_errors_still_fail_under_skip() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    py(
        root.path(),
        r#"
import pandas as pd
pd.DataFrame({"id": [0, 1], "v": ["[0.5, 1.5]", "[1, 2]"]}).to_csv("missing.csv", index=False)
"#,
    );
    // A JSON document whose framing breaks (an unterminated string inside `rows`).
    std::fs::write(
        root.path().join("broken.json"),
        "{\"rows\": [{\"id\": 0, \"n\": 1, \"v\": [1, 2]}, {\"id\": \"1, \"n\": 2}",
    )
    .unwrap();
    let e = engine(data.path(), root.path());
    for file in ["missing.csv", "broken.json"] {
        let t = import(&e, &[file], skip());
        assert_eq!(t.state, TaskState::FailedAndCleaned, "{file}");
        assert!(t.failed_reason.contains(file), "{}", t.failed_reason);
        assert_eq!(t.rejected_rows, 0);
        assert!(records(&e, t.id).is_empty());
    }
    assert!(
        !files_under(data.path())
            .iter()
            .any(|f| f.starts_with("rejects"))
    );
}

#[test]
fn the_rejects_file_is_capped() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    // One record of these rows takes about 300 bytes: the second passes 500.
    let e = engine_with(data.path(), root.path(), |o| {
        o.import.max_rejects_bytes = 500
    });
    let t = import(&e, &["a.jsonl"], skip());
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    assert!(
        t.failed_reason.contains("max_rejects_bytes = 500"),
        "{}",
        t.failed_reason
    );
    assert!(!data.path().join("rejects").join("1.jsonl").exists());
    drop(e);
    let e = engine_with(data.path(), root.path(), |o| {
        o.import.max_rejects_bytes = 1000
    });
    let t = import(&e, &["a.jsonl"], skip());
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert!(e.rejects(t.id).unwrap().len() <= 1000);
}
