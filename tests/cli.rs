//! The command line: exit codes and the task JSON of docs/cli.md.

use serde_json::Value;

use crate::util::{ok, vecload};

#[test]
fn import_state_tasks_and_count_print_the_interface_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    ok(&vecload(d, &["partition", "create", "book", "2022"]));
    let out = ok(&vecload(
        d,
        &[
            "--json",
            "import",
            "-c",
            "book",
            "-p",
            "2022",
            "data/book/book.json",
        ],
    ));
    let task: Value = serde_json::from_str(out.trim()).unwrap();
    let keys = [
        "task_id",
        "state",
        "state_code",
        "collection",
        "partition",
        "files",
        "row_count",
        "progress",
        "id_ranges",
        "failed_reason",
        "create_time",
    ];
    for k in keys {
        assert!(task.get(k).is_some(), "missing {k} in {task}");
    }
    assert_eq!(task["state"], "Completed");
    assert_eq!(task["state_code"], 6);
    assert_eq!(task["partition"], "2022");
    assert_eq!(task["row_count"], 5);
    assert_eq!(task["files"], serde_json::json!(["data/book/book.json"]));
    let id = task["task_id"].as_u64().unwrap().to_string();
    let state: Value =
        serde_json::from_str(ok(&vecload(d, &["--json", "state", &id])).trim()).unwrap();
    assert_eq!(state, task);
    let tasks: Value = serde_json::from_str(ok(&vecload(d, &["--json", "tasks"])).trim()).unwrap();
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    let count: Value =
        serde_json::from_str(ok(&vecload(d, &["--json", "count", "book"])).trim()).unwrap();
    assert_eq!(count, serde_json::json!({"count": 5}));

    let bad = vecload(
        d,
        &["import", "-c", "book", "data/book/fail/wrong_dim.json"],
    );
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("wrong_dim.json: row 3") && err.contains("book_intro"),
        "{err}"
    );
    assert_eq!(ok(&vecload(d, &["count", "book"])).trim(), "5");
}

#[test]
fn request_errors_exit_non_zero_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    for (args, needle) in [
        (
            vec!["import", "-c", "nope", "data/book/book.json"],
            "collection not found",
        ),
        (
            vec!["import", "-c", "book", "-p", "1999", "data/book/book.json"],
            "partition not found",
        ),
        (
            vec![
                "import",
                "-c",
                "book",
                "data/book/book.json",
                "data/book/book_props.json",
            ],
            "one file",
        ),
        (
            vec!["import", "-c", "book", "data/book/schema.txt"],
            "unsupported file type",
        ),
    ] {
        let out = vecload(d, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(ok(&vecload(d, &["--json", "tasks"])).trim(), "[]");
}

#[test]
fn config_file_keys_apply_flags_win_and_unknown_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("vecload.toml");
    std::fs::write(&config, "[import]\nmax_file_size = 10\n").unwrap();
    let config = config.to_str().unwrap();
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    let import = ["import", "-c", "book", "data/book/book.json"];
    let small = vecload(d, &[&["--config", config], &import[..]].concat());
    assert_eq!(small.status.code(), Some(1));
    let err = String::from_utf8_lossy(&small.stderr);
    assert!(err.contains("exceeds the maximum size: 10 bytes"), "{err}");
    let flag = ["--import-max-file-size", "100000"];
    ok(&vecload(
        d,
        &[&["--config", config], &import[..], &flag].concat(),
    ));
    assert_eq!(ok(&vecload(d, &["count", "book"])).trim(), "5");

    let typo = d.join("typo.toml");
    std::fs::write(&typo, "[import]\nmax_file_sise = 10\n").unwrap();
    let out = vecload(d, &["--config", typo.to_str().unwrap(), "count", "book"]);
    assert_eq!(out.status.code(), Some(2)); // a usage error (issue 15's exit codes)
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown config key `import.max_file_sise`"),
        "{err}"
    );
}

#[test]
fn an_expiration_of_zero_is_refused_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = vecload(
        d,
        &["--import-task-expiration-s", "0", "collection", "list"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--import-task-expiration-s"), "{err}");
    let config = d.join("vecload.toml");
    std::fs::write(&config, "[import]\ntask_expiration_s = 0\n").unwrap();
    let out = vecload(
        d,
        &["--config", config.to_str().unwrap(), "collection", "list"],
    );
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("import.task_expiration_s"), "{err}");
    // 1 is the least.
    ok(&vecload(
        d,
        &["--import-task-expiration-s", "1", "collection", "list"],
    ));
}

/// Issue 14: a schema file with five top-level vector fields is refused, exit 2, naming the
/// count and Milvus 2.5's limit of four; vectors inside an Array of Struct are not counted.
#[test]
fn a_schema_with_five_vector_fields_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vector = |name: &str| {
        serde_json::json!({"fieldName": name, "dataType": "Float16Vector",
            "elementTypeParams": {"dim": 2}})
    };
    let schema = |name: &str, n: usize| {
        let mut fields = vec![serde_json::json!(
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true})];
        fields.extend((0..n).map(|i| vector(&format!("v{i}"))));
        let structs = serde_json::json!([{"name": "chunks",
            "elementTypeParams": {"max_capacity": 4},
            "fields": [{"fieldName": "emb", "dataType": "FloatVector",
                "elementTypeParams": {"dim": 2}}]}]);
        let body = serde_json::json!({"collectionName": name,
            "schema": {"fields": fields, "structArrayFields": structs}});
        let path = d.join(format!("{name}.json"));
        std::fs::write(&path, body.to_string()).unwrap();
        path
    };
    let four = schema("four", 4);
    ok(&vecload(
        d,
        &["collection", "create", four.to_str().unwrap()],
    ));
    let five = schema("five", 5);
    let out = vecload(d, &["collection", "create", five.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("vector fields per collection must be at most 4, found 5"),
        "{err}"
    );
}
