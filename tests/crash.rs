//! Crash safety: a process killed at any point of an import loses no committed data, and
//! after restart the killed task is all or nothing with no stray files.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::util::{files_under, ok, vecload, vecload_env, write_book_rows};

fn count(d: &std::path::Path) -> u64 {
    ok(&vecload(d, &["count", "book"])).trim().parse().unwrap()
}

/// Opens the directory for writing, as the next server or import would: recovery runs
/// (read-only commands run none). `check --repair` then finds the directory clean.
fn restart(d: &std::path::Path) {
    restart_with(d, &[]);
}

/// [`restart`] with more flags.
fn restart_with(d: &std::path::Path, flags: &[&str]) {
    let mut args = flags.to_vec();
    args.extend(["--json", "check", "--repair"]);
    let v: Value = serde_json::from_str(ok(&vecload(d, &args)).trim()).unwrap();
    assert_eq!(
        v["removed"],
        Value::Array(vec![]),
        "recovery left files: {v}"
    );
}

fn tasks(d: &std::path::Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(ok(&vecload(d, &["--json", "tasks"])).trim()).unwrap();
    v.as_array().unwrap().clone()
}

fn setup(d: &std::path::Path) {
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    ok(&vecload(d, &["partition", "create", "book", "2022"]));
    ok(&vecload(
        d,
        &["import", "-c", "book", "-p", "2022", "data/book/book.json"],
    ));
    assert_eq!(count(d), 5);
}

/// (fault point, whether the killed task must be visible after recovery)
const POINTS: [(&str, bool); 4] = [
    ("mid_write", false),
    ("after_segments", false),
    ("after_persisted", true),
    ("after_commit", true),
];

#[test]
fn a_crash_at_each_point_recovers_all_or_nothing() {
    for (point, visible) in POINTS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        setup(&d);
        let input = write_book_rows(dir.path(), "big.json", 1000, 3000);
        let out = vecload_env(
            &d,
            &[("VECLOAD_FAULT", point)],
            &[
                "--segment-max-size",
                "65536",
                "import",
                "-c",
                "book",
                input.to_str().unwrap(),
            ],
        );
        assert_eq!(
            out.status.signal(),
            Some(6),
            "{point}: the import should have aborted: {out:?}"
        );
        // Restart: recovery runs on open for writing. Without resume (tests/resume.rs has
        // it; with it the killed task, which recorded a resume point as it started, would
        // wait Started for the next `import`): the killed task fails and is cleaned.
        restart_with(&d, &["--import-resume", "false"]);
        let want = if visible { 3005 } else { 5 };
        assert_eq!(count(&d), want, "{point}");
        let t = tasks(&d);
        assert_eq!(t.len(), 2, "{point}");
        assert_eq!(t[0]["state"], "Completed");
        if visible {
            assert_eq!(t[1]["state"], "Completed", "{point}: {}", t[1]);
            assert_eq!(t[1]["row_count"], 3000);
        } else {
            assert_eq!(t[1]["state"], "FailedAndCleaned", "{point}: {}", t[1]);
            assert!(
                t[1]["failed_reason"].as_str().unwrap().contains("restart"),
                "{}",
                t[1]
            );
        }
        // Only files of visible tasks remain.
        let files = files_under(&d.join("segments"));
        assert!(
            files
                .iter()
                .all(|f| f.contains("t00000001") || (visible && f.contains("t00000002"))),
            "{point}: {files:?}"
        );
        assert!(
            files.iter().any(|f| f.contains("t00000001")),
            "{point}: the first task's files are gone"
        );
        // A second open changes nothing.
        restart(&d);
        assert_eq!(count(&d), want);
    }
}

#[test]
fn sigkill_while_parsing_leaves_earlier_data_intact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    setup(&d);
    let input = write_book_rows(dir.path(), "big.json", 1000, 20000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(crate::util::repo())
        .arg("--data-dir")
        .arg(&d)
        .args([
            "--import-throttle-unit-ms",
            "30",
            "--import-unit-bytes",
            "20000",
            "--segment-max-size",
            "65536",
            "import",
            "-c",
            "book",
        ])
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the task has started and written something, then kill -9.
    let seg_root = d.join("segments");
    for _ in 0..200 {
        if files_under(&seg_root)
            .iter()
            .any(|f| f.contains("t00000002"))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9));
    // Without resume (tests/resume.rs has it): the killed task fails and is cleaned.
    restart_with(&d, &["--import-resume", "false"]);
    assert_eq!(count(&d), 5);
    let t = tasks(&d);
    assert_eq!(t[1]["state"], "FailedAndCleaned", "{}", t[1]);
    assert!(
        files_under(&seg_root)
            .iter()
            .all(|f| f.contains("t00000001"))
    );
}
