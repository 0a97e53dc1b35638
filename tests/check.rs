//! `vecload check [--repair]` on clean and damaged data directories (issue 14).

use std::fs::File;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vecload::ledger::{Ledger, TaskState};

use crate::util::{files_under, vecload};

/// A data directory with the book collection and book.json (5 rows) imported.
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["collection", "create", "data/book/schema.json"][..],
        &["import", "-c", "book", "data/book/book.json"],
    ] {
        let out = vecload(d, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

/// The segment files under `d`.
fn segments(d: &Path) -> Vec<PathBuf> {
    let segs: Vec<PathBuf> = files_under(d)
        .into_iter()
        .filter(|f| f.ends_with(".vseg"))
        .map(|f| d.join(f))
        .collect();
    assert!(!segs.is_empty());
    segs
}

/// `check --json` (plus `extra`): exit code and report.
fn check(d: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = vecload(d, &[&["--json", "check"], extra].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    (out.status.code(), v)
}

/// The kinds of the problems a report lists.
fn kinds(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_clean_directory_checks_ok() {
    let dir = imported();
    let (code, v) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"], Value::Array(vec![]));
    assert!(v["segments"].as_u64().unwrap() >= 1, "{v}");
    let out = vecload(dir.path(), &["check"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("is consistent"));
}

#[test]
fn a_flipped_byte_in_a_segment_is_found() {
    let dir = imported();
    let seg = segments(dir.path()).remove(0);
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[20] ^= 0x40; // inside the first block's payload
    std::fs::write(&seg, bytes).unwrap();
    let (code, v) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(kinds(&v), ["corrupt_segment"], "{v}");
    assert_eq!(v["problems"][0]["path"], seg.display().to_string());
}

#[test]
fn a_catalog_count_off_is_found() {
    let dir = imported();
    let path = dir.path().join("catalog.json");
    let mut cat: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let seg = &mut cat["collections"]["book"]["partitions"][0]["segments"][0];
    seg["rows"] = (seg["rows"].as_u64().unwrap() + 1).into();
    std::fs::write(&path, serde_json::to_vec_pretty(&cat).unwrap()).unwrap();
    let (code, v) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(kinds(&v), ["count_mismatch"], "{v}");
    let detail = v["problems"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("counts 6 rows") && detail.contains("hold 5"),
        "{detail}"
    );
}

#[test]
fn an_orphan_segment_and_a_stray_temp_file_are_found_and_repair_removes_them() {
    let dir = imported();
    let d = dir.path();
    let seg = segments(d).remove(0);
    let orphan = seg.with_file_name("t00000001-w9-p0-s0-0000.vseg");
    std::fs::copy(&seg, &orphan).unwrap();
    let temp = d.join(".catalog.json.tmp");
    std::fs::write(&temp, b"{").unwrap();
    let (code, v) = check(d, &[]);
    assert_eq!(code, Some(1), "{v}");
    let mut k = kinds(&v);
    k.sort();
    assert_eq!(k, ["orphan_file", "temp_file"], "{v}");
    assert!(orphan.exists() && temp.exists(), "check changed nothing");

    let (code, v) = check(d, &["--repair"]);
    assert_eq!(code, Some(0), "{v}");
    assert!(!orphan.exists() && !temp.exists(), "{v}");
    assert!(seg.exists());
    let removed = v["removed"].as_array().unwrap();
    assert!(
        removed.contains(&orphan.display().to_string().into()),
        "{v}"
    );
    assert_eq!(check(d, &[]).0, Some(0));
    let count = vecload(d, &["count", "book"]);
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "5");
}

#[test]
fn a_started_task_is_stuck_without_a_lock_holder_and_in_flight_with_one() {
    let dir = imported();
    let d = dir.path();
    let id = {
        let mut ledger = Ledger::open(d).unwrap();
        let now = vecload::ledger::now_unix();
        let t = ledger
            .create(
                "book",
                "_default",
                vec!["data/book/book.json".into()],
                None,
                now,
            )
            .unwrap();
        ledger.transition(t.id, TaskState::Started, None).unwrap();
        t.id
    };
    let (code, v) = check(d, &[]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(kinds(&v), ["stuck_task"], "{v}");

    // A live process holds the lock (as a server would): the task is in flight.
    let lock = File::options()
        .read(true)
        .write(true)
        .open(d.join("LOCK"))
        .unwrap();
    lock.try_lock().unwrap();
    let (code, v) = check(d, &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["in_flight"][0]["kind"], "task_in_flight", "{v}");
    assert_eq!(v["lock_holder"], std::process::id(), "{v}");
    // --repair needs the lock.
    let (code, _) = check(d, &["--repair"]);
    assert_eq!(code, Some(4));
    drop(lock);

    // Repair runs recovery: the stuck task is failed and cleaned.
    let (code, v) = check(d, &["--repair"]);
    assert_eq!(code, Some(0), "{v}");
    let state = Ledger::open(d).unwrap().get(id).unwrap().state;
    assert_eq!(state, TaskState::FailedAndCleaned);
}

#[test]
fn check_of_a_missing_directory_is_not_found_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none");
    for extra in [&[][..], &["--repair"]] {
        let (code, _) = check(&missing, extra);
        assert_eq!(code, Some(3));
        assert!(!missing.exists());
    }
}
