//! Tests of `disk.rs`.

use super::*;

#[test]
fn task_file_names_are_canonical() {
    assert_eq!(task_file_name(7), "000000000007.json");
    assert_eq!(task_id_of("000000000007.json"), Some(7));
    assert_eq!(task_id_of(&task_file_name(u64::MAX)), Some(u64::MAX));
    for other in [
        "7.json",
        "0000000000007.json",
        "000000000007.json.bak",
        ".000000000007.json.tmp",
        "+00000000007.json",
        ".json",
        "counters.json",
    ] {
        assert_eq!(task_id_of(other), None, "{other}");
    }
    assert!(is_temp(".000000000007.json.tmp") && is_temp(".counters.json.tmp"));
    for seq in [0, 1, 3, u64::MAX] {
        assert_eq!(journal_seq_of(&journal_file_name(seq)), Some(seq));
        assert_eq!(task_id_of(&journal_file_name(seq)), None);
    }
    for other in [
        "batch-3.json",
        "batch-000000000000.json",
        "batch-.json",
        "batch.json.tmp",
    ] {
        assert_eq!(journal_seq_of(other), None, "{other}");
    }
    assert!(!is_temp("000000000007.json"));
}

#[test]
fn wrong_format_or_version_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(COUNTERS_FILE);
    for (text, needle) in [
        (r#"{"format":"vecload-task","version":1}"#, "expected"),
        (
            r#"{"format":"vecload-counters","version":2}"#,
            "version is 2",
        ),
        (r#"{"next_task_id":1}"#, "bad header"),
        (
            r#"{"format":"vecload-counters","version":1,"next_task_id":-1}"#,
            "bad counters",
        ),
    ] {
        fs::write(&path, text).unwrap();
        let err = read_counters(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LedgerError::Corrupt { .. }), "{msg}");
        assert!(msg.contains(needle) && msg.contains(COUNTERS_FILE), "{msg}");
    }
}
