//! Client mode (`--server URL`, issue 15): every command through a real `vecload serve` on
//! 127.0.0.1, printing what embedded mode prints; usage errors, exit 6.

use std::process::Command;

use serde_json::Value;

use crate::server::Server;
use crate::util::{repo, vecload};

/// `vecload --server http://ADDR ARGS...` from the repository root.
fn client(s: &Server, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--server")
        .arg(format!("http://{}", s.addr))
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap()
}

#[test]
fn commands_go_through_the_server_and_print_as_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    let s = Server::start(&d, &[]);
    assert_eq!(
        ok(&client(
            &s,
            &["collection", "create", "data/book/schema.json"]
        )),
        "created collection book\n"
    );
    let o = client(
        &s,
        &["--json", "collection", "create", "data/book/schema.json"],
    );
    assert_eq!(o.status.code(), Some(5), "{o:?}");
    assert_eq!(
        ok(&client(&s, &["partition", "create", "book", "2022"])),
        "created partition 2022 in book\n"
    );
    assert_eq!(
        client(&s, &["partition", "create", "book", "2022"])
            .status
            .code(),
        Some(5)
    );
    assert_eq!(
        json(&client(&s, &["--json", "collection", "list"])),
        serde_json::json!(["book"])
    );
    let task = json(&client(
        &s,
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
    assert_eq!(
        (task["state"].as_str(), task["row_count"].as_u64()),
        (Some("Completed"), Some(5)),
        "{task}"
    );
    let id = task["task_id"].as_u64().unwrap().to_string();
    // A failed import: exit 1, as embedded.
    let o = client(&s, &["import", "-c", "book", "data/book/fail/no_such.json"]);
    assert_ne!(o.status.code(), Some(0), "{o:?}");
    // --detach prints the id and returns.
    let detached = json(&client(
        &s,
        &[
            "--json",
            "import",
            "--detach",
            "-c",
            "book",
            "data/book/book.json",
        ],
    ));
    let detached = detached["task_id"].as_u64().unwrap();
    crate::server::wait_job(&s, &detached.to_string());
    drop(s);
    // The same commands embedded print the same as through the server.
    let s = Server::start(&d, &[]);
    for args in [
        vec!["state", id.as_str()],
        vec!["--json", "state", id.as_str()],
        vec!["tasks", "--limit", "1"],
        vec!["--json", "tasks", "-c", "book"],
        vec!["query", "book", "--ids", "101,103"],
        vec![
            "--json",
            "query",
            "book",
            "--filter",
            "word_count > 20",
            "--output-fields",
            "word_count",
        ],
        vec![
            "search",
            "book",
            "--vector",
            "[1, 1]",
            "--limit",
            "3",
            "--output-fields",
            "word_count",
        ],
        vec![
            "--json", "search", "book", "--vector", "[1, 1]", "--metric", "IP",
        ],
    ] {
        let remote = ok(&client(&s, &args));
        let local = ok(&vecload(&d, &args));
        assert_eq!(remote, local, "{args:?}");
        assert!(!remote.is_empty(), "{args:?}");
    }
    for (args, exit) in [
        (vec!["state", "999"], 3),
        (vec!["query", "nope", "--ids", "1"], 3),
        (
            vec!["query", "book", "--ids", "1", "--filter", "book_id > 0"],
            2,
        ),
        (vec!["--data-dir", "x", "count", "book"], 2),
        (vec!["--storage", "x", "count", "book"], 2),
        (vec!["serve"], 2),
        (vec!["check"], 2),
        (vec!["collection", "infer", "data/book/book.json"], 2),
        (vec!["inspect-segment", "x.seg"], 2),
        (vec!["bench-import"], 2),
    ] {
        let o = client(&s, &args);
        assert_eq!(o.status.code(), Some(exit), "{args:?}: {o:?}");
    }
}

#[test]
fn a_token_is_sent_and_a_server_gone_is_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    let s = Server::start(&d, &["--token", "sesame"]);
    let o = client(&s, &["collection", "list"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = client(&s, &["--token", "sesame", "collection", "list"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let o = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .env("VECLOAD_TOKEN", "sesame")
        .env("VECLOAD_SERVER", format!("http://{}", s.addr))
        .args(["collection", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let addr = s.addr.clone();
    drop(s);
    let o = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .args(["--json", "--server", &format!("http://{addr}"), "tasks"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6), "{o:?}");
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(e["error"]["kind"], "unreachable");
}

#[test]
fn count_cancel_and_rejects_go_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    let files = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("data/book/book.json"),
        files.path().join("book.json"),
    )
    .unwrap();
    crate::util::write_book_rows(files.path(), "big.json", 1000, 3000);
    let slow = [
        "--import-unit-bytes",
        "8192",
        "--import-throttle-unit-ms",
        "300",
        "--import-workers",
        "1",
    ];
    let s = Server::start_on(&d, files.path(), &slow);
    ok(&client(
        &s,
        &["collection", "create", "data/book/schema.json"],
    ));
    ok(&client(&s, &["-q", "import", "-c", "book", "book.json"]));
    assert_eq!(ok(&client(&s, &["count", "book"])), "5\n");
    let count = json(&client(&s, &["--json", "count", "book", "-p", "_default"]));
    assert_eq!(count, serde_json::json!({"count": 5}));
    assert_eq!(client(&s, &["count", "nope"]).status.code(), Some(3));
    assert_eq!(
        client(&s, &["count", "book", "-p", "nope"]).status.code(),
        Some(3)
    );
    for args in [
        vec!["partition", "list", "book"],
        vec!["--json", "collection", "describe", "book"],
    ] {
        assert_eq!(ok(&client(&s, &args)), ok(&vecload(&d, &args)), "{args:?}");
    }
    // Field defaults survive the server's describe.
    let schema = dir.path().join("defaults.json");
    std::fs::write(
        &schema,
        r#"{"collectionName": "defaults", "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "n", "dataType": "Int32", "defaultValue": 7},
            {"fieldName": "s", "dataType": "VarChar", "nullable": true, "defaultValue": "x",
             "elementTypeParams": {"max_length": 8}},
            {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#,
    )
    .unwrap();
    ok(&client(
        &s,
        &["collection", "create", schema.to_str().unwrap()],
    ));
    let args = ["--json", "collection", "describe", "defaults"];
    let described = json(&client(&s, &args));
    assert_eq!(described, json(&vecload(&d, &args)));
    assert_eq!(
        described["schema"]["fields"][1]["defaultValue"], 7,
        "{described}"
    );
    // Cancel a running job: it fails with nothing visible.
    let detached = json(&client(
        &s,
        &["--json", "import", "--detach", "-c", "book", "big.json"],
    ));
    let id = detached["task_id"].as_u64().unwrap().to_string();
    let t = json(&client(&s, &["--json", "cancel", &id]));
    assert!(t["state"].as_str().unwrap().starts_with("Failed"), "{t}");
    assert_eq!(ok(&client(&s, &["count", "book"])), "5\n");
    assert_eq!(client(&s, &["cancel", "999"]).status.code(), Some(3));
    assert_eq!(
        client(&s, &["--json", "cancel", "1"]).status.code(),
        Some(5)
    );
    // Rejects: none for a completed task; an unknown task is not found.
    let o = client(&s, &["rejects", "1"]);
    assert_eq!((o.status.code(), o.stdout.len()), (Some(0), 0), "{o:?}");
    assert_eq!(client(&s, &["rejects", "999"]).status.code(), Some(3));
}

#[test]
fn ctrl_c_detaches_a_client_import_and_the_job_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    let files = tempfile::tempdir().unwrap();
    crate::util::write_book_rows(files.path(), "slow.json", 0, 3000);
    let slow = [
        "--import-unit-bytes",
        "8192",
        "--import-throttle-unit-ms",
        "300",
        "--import-workers",
        "1",
    ];
    let s = Server::start_on(&d, files.path(), &slow);
    ok(&client(
        &s,
        &["collection", "create", "data/book/schema.json"],
    ));
    let child = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .args([
            "--server",
            &format!("http://{}", s.addr),
            "import",
            "-c",
            "book",
            "slow.json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{o:?}");
    let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("detached: task {id}")),
        "{o:?}"
    );
    let job = crate::server::wait_job(&s, &id);
    assert_eq!(job["state"], "Completed", "{job}");
    assert_eq!(ok(&vecload(&d, &["count", "book"])).trim(), "3000");
}
