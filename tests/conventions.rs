//! Command-line conventions (issue 15): exit codes, `--json` errors, a closed stdout,
//! `VECLOAD_*` variables, help layout, completions, the describe round trip.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{repo, vecload, vecload_env, write_book_rows};

pub(crate) fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
    c.current_dir(repo());
    c
}

pub(crate) fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap()
}

fn json_error(o: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&o.stderr);
    let last = text.trim().lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {text}"));
    v["error"].clone()
}

pub(crate) fn book_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = vecload(
        &dir.path().join("d"),
        &["collection", "create", "data/book/schema.json"],
    );
    assert_eq!(code(&o), 0, "{o:?}");
    dir
}

#[test]
fn exit_codes_follow_the_interface_and_json_errors_say_the_kind() {
    let dir = book_dir();
    let d = dir.path().join("d");
    for (args, exit, kind) in [
        (vec!["count", "nope"], 3, "not_found"),
        (vec!["state", "99"], 3, "not_found"),
        (
            vec!["collection", "create", "data/book/schema.json"],
            5,
            "conflict",
        ),
        (
            vec!["collection", "create", "no/such/schema.json"],
            3,
            "not_found",
        ),
        (
            vec!["query", "book", "--ids", "1", "--filter", "book_id > 0"],
            2,
            "usage",
        ),
        (
            vec!["query", "book", "--limit", "20000", "--ids", "1"],
            2,
            "usage",
        ),
        (
            vec!["import", "-c", "book", "--detach", "data/book/book.json"],
            2,
            "usage",
        ),
        (
            vec!["partition", "create", "book", "_default"],
            5,
            "conflict",
        ),
    ] {
        let text = vecload(&d, &args);
        assert_eq!(code(&text), exit, "{args:?}: {text:?}");
        let stderr = String::from_utf8_lossy(&text.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        let json = vecload(&d, &[&["--json"][..], &args].concat());
        assert_eq!(code(&json), exit, "{args:?}");
        let e = json_error(&json);
        assert_eq!(
            (e["exit_code"].as_i64(), e["kind"].as_str()),
            (Some(exit.into()), Some(kind)),
            "{args:?}: {e}"
        );
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    // A usage error clap finds, as JSON too.
    let o = vecload(&d, &["--json", "count"]);
    assert_eq!(code(&o), 2);
    assert_eq!(json_error(&o)["kind"], "usage");
    // A failed task: exit 1, its JSON on stdout, the error on stderr.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"rows": [{"book_id": "x", "word_count": 1, "book_intro": [1, 2]}]}"#,
    )
    .unwrap();
    let o = vecload(
        &d,
        &["--json", "import", "-c", "book", bad.to_str().unwrap()],
    );
    assert_eq!(code(&o), 1, "{o:?}");
    let task: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(task["state"], "FailedAndCleaned");
    assert_eq!(json_error(&o)["kind"], "failed");
    // A data directory held by a server: 4.
    let server = crate::server::Server::start(&d, &[]);
    let o = vecload(&d, &["--json", "partition", "create", "book", "p1"]);
    assert_eq!(
        (code(&o), json_error(&o)["kind"].clone()),
        (4, "locked".into()),
        "{o:?}"
    );
    drop(server);
}

#[test]
fn json_is_honoured_by_every_command() {
    let dir = book_dir();
    let d = dir.path().join("d");
    for args in [
        vec!["partition", "create", "book", "p1"],
        vec!["partition", "list", "book"],
        vec!["collection", "list"],
        vec!["count", "book"],
        vec!["tasks"],
        vec!["collection", "drop", "book"],
    ] {
        let o = vecload(&d, &[&["--json"][..], &args].concat());
        assert_eq!(code(&o), 0, "{args:?}: {o:?}");
        let v: Result<Value, _> = serde_json::from_slice(&o.stdout);
        assert!(
            v.is_ok(),
            "{args:?} printed {:?}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_0() {
    let dir = book_dir();
    let d = dir.path().join("d");
    let file = write_book_rows(dir.path(), "many.json", 0, 20_000);
    let o = vecload(&d, &["import", "-c", "book", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{o:?}");
    for args in [
        vec![
            "query",
            "book",
            "--filter",
            "book_id >= 0",
            "--limit",
            "16384",
        ],
        vec![
            "--json",
            "query",
            "book",
            "--filter",
            "book_id >= 0",
            "--limit",
            "16384",
        ],
    ] {
        // `vecload ... | head -1` through a real pipe.
        let mut child = bin()
            .arg("--data-dir")
            .arg(&d)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("book_id"), "{first}");
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            code(&o),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn global_flags_read_vecload_variables() {
    let dir = book_dir();
    let d = dir.path().join("d");
    let env = [
        ("VECLOAD_DATA_DIR", d.to_str().unwrap()),
        ("VECLOAD_JSON", "true"),
    ];
    // `vecload_env` passes --data-dir itself: run the binary bare.
    let o = bin().envs(env).args(["count", "book"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        r#"{"count":0}"#,
        "{o:?}"
    );
    let o = vecload_env(&d, &[("VECLOAD_IMPORT_WORKERS", "x")], &["count", "book"]);
    assert_eq!(code(&o), 2, "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--import-workers"),
        "{o:?}"
    );
    let o = bin()
        .env("VECLOAD_SERVER", "http://127.0.0.1:1")
        .args(["count", "book"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 6, "{o:?}");
}

#[test]
fn help_shows_own_flags_first_and_points_to_no_missing_file() {
    let help = |args: &[&str]| {
        let o = bin().args(args).arg("--help").output().unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let count = help(&["count"]);
    let own = count.find("--partition").unwrap();
    let global = count.find("Global options:").unwrap();
    let tuning = count.find("Tuning:").unwrap();
    let s3 = count.find("S3:").unwrap();
    assert!(own < global && global < tuning && tuning < s3, "{count}");
    assert!(
        count.find("--data-dir").unwrap() > global && count.contains("[env: VECLOAD_DATA_DIR=")
    );
    let mut all = help(&[]);
    for cmd in [
        "collection",
        "partition",
        "import",
        "state",
        "tasks",
        "rejects",
        "cancel",
        "count",
        "query",
        "search",
        "serve",
        "check",
        "inspect-segment",
        "bench-import",
        "completions",
    ] {
        all.push_str(&help(&[cmd]));
    }
    for bad in ["../", "shared/", "docs/", ".md"] {
        assert!(!all.contains(bad), "help mentions {bad}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, needle) in [
        ("bash", "_vecload()"),
        ("zsh", "#compdef vecload"),
        ("fish", "complete -c vecload"),
    ] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(code(&o), 0);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(
            text.contains(needle) && text.contains("import-workers"),
            "{shell}"
        );
    }
    let o = bin()
        .args(["--server", "http://127.0.0.1:1", "completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
}

#[test]
fn describe_json_is_a_schema_file_create_takes_back() {
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in [
        "array_of_struct",
        "geometry_wkt",
        "timestamptz_iso",
        "function_output_absent",
        "int8_vector",
        "default_values",
        "bfloat16_vector",
        "sparse_vector_both_forms",
        "binary_vector_bytes",
        "nullable_missing_or_null",
    ]
    .iter()
    .enumerate()
    {
        let schema = format!("data/json/pass/{case}/schema.json");
        let schema = schema.as_str();
        let d = dir.path().join(format!("d{i}"));
        let o = vecload(&d, &["--json", "collection", "create", schema]);
        assert_eq!(code(&o), 0, "{o:?}");
        let name = serde_json::from_slice::<Value>(&o.stdout).unwrap()["collection"]
            .as_str()
            .unwrap()
            .to_string();
        let o = vecload(&d, &["--json", "collection", "describe", &name]);
        let mut file: Value = serde_json::from_slice(&o.stdout).unwrap();
        file["collectionName"] = format!("{name}_copy").into();
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, file.to_string()).unwrap();
        let o = vecload(&d, &["collection", "create", path.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{o:?}");
        let o = vecload(
            &d,
            &["--json", "collection", "describe", &format!("{name}_copy")],
        );
        let mut copy: Value = serde_json::from_slice(&o.stdout).unwrap();
        copy["collectionName"] = name.clone().into();
        file["collectionName"] = name.clone().into();
        assert_eq!(copy["schema"], file["schema"], "{schema}");
        assert_eq!(copy["params"], file["params"], "{schema}");
    }
}
