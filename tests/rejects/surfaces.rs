//! The surfaces of bad rows: the CLI (`--on-error`, the stderr note, `state`, `rejects`),
//! client mode, REST `options` and `describe`, raw gRPC `Import` options and
//! `GetImportState`, and the rejects file's life (open, retention).

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::{ROWS, SCHEMA, engine, engine_with, import, skip};
use crate::grpc::import_until_completed;
use crate::server::{Server, wait_job};
use crate::util::{files_under, vecload};

#[test]
fn the_cli_reports_rejects_and_prints_the_file() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    std::fs::write(root.path().join("schema.json"), SCHEMA).unwrap();
    let storage = root.path().to_str().unwrap();
    let o = vecload(
        data.path(),
        &[
            "--storage",
            storage,
            "collection",
            "create",
            &format!("{storage}/schema.json"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = vecload(
        data.path(),
        &[
            "--storage",
            storage,
            "--on-error",
            "skip",
            "import",
            "-c",
            "c",
            "a.jsonl",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("2 rows rejected: vecload rejects 1"), "{err}");
    let o = vecload(data.path(), &["--json", "state", "1"]);
    let t: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (t["row_count"].as_u64(), t["rejected_rows"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(t["rejects_file"], "rejects/1.jsonl");
    let o = vecload(data.path(), &["state", "1"]);
    let line = String::from_utf8_lossy(&o.stdout);
    assert!(
        line.contains("rejected_rows=2 rejects_file=rejects/1.jsonl"),
        "{line}"
    );
    let o = vecload(data.path(), &["rejects", "1"]);
    assert!(o.status.success());
    assert_eq!(
        o.stdout,
        std::fs::read(data.path().join("rejects/1.jsonl")).unwrap()
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}

#[test]
fn rest_options_and_describe_carry_the_rejects() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    let s = Server::start_on(data.path(), root.path(), &[]);
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    s.post("/v2/vectordb/collections/create", schema);
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "c", "files": [["a.jsonl"]],
               "options": {"onError": "skip", "maxErrors": "5"}}),
    );
    let job = v["data"]["jobId"].as_str().unwrap().to_string();
    let d = wait_job(&s, &job);
    assert_eq!(d["state"], "Completed", "{d}");
    assert_eq!(
        (d["importedRows"].as_u64(), d["totalRows"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(
        (d["rejectedRows"].as_u64(), d["rejectsFile"].as_str()),
        (Some(2), Some("rejects/1.jsonl"))
    );
    let u = &d["details"][0];
    assert_eq!(
        (u["importedRows"].as_u64(), u["totalRows"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(
        (u["rejectedRows"].as_u64(), u["rejectsFile"].as_str()),
        (Some(2), Some("rejects/1.jsonl"))
    );
    let (status, _) = s.call("GET", "/v1/tasks/1/rejects", "", &[]);
    assert_eq!(status, 200);
    // A bad value of an option is refused naming it.
    let (_, v) = s.call(
        "POST",
        "/v2/vectordb/jobs/import/create",
        &json!({"collectionName": "c", "files": [["a.jsonl"]], "options": {"onError": "maybe"}})
            .to_string(),
        &[],
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("onError"),
        "{v}"
    );
}

#[test]
fn retention_and_open_remove_rejects_files() {
    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    let e = engine(data.path(), root.path());
    let t = import(&e, &["a.jsonl"], skip());
    assert_eq!(t.rejected_rows, 2);
    drop(e);
    // A rejects file of no task (a crash between writing it and the task's end) goes on open.
    std::fs::write(data.path().join("rejects/99.jsonl"), "{}\n").unwrap();
    let e = engine(data.path(), root.path());
    let rejects = |d: &Path| -> Vec<String> {
        files_under(d)
            .into_iter()
            .filter(|f| f.starts_with("rejects"))
            .collect()
    };
    assert_eq!(rejects(data.path()), ["rejects/1.jsonl"]);
    drop(e);
    // Retention drops the record and its rejects file together.
    std::thread::sleep(Duration::from_millis(2100));
    let e = engine_with(data.path(), root.path(), |o| o.import.task_retention_s = 1);
    assert!(e.get_bulk_insert_state(1).is_err());
    assert!(rejects(data.path()).is_empty());
}

#[test]
fn client_mode_sends_the_flags_and_grpc_import_takes_the_options() {
    use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;

    let (data, root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    let s = Server::start_on(data.path(), root.path(), &[]);
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    s.post("/v2/vectordb/collections/create", schema);
    let url = format!("http://{}", s.addr);
    let client = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vecload"))
            .args(["--server", &url])
            .args(args)
            .output()
            .unwrap()
    };
    let o = client(&[
        "--on-error",
        "skip",
        "--max-errors",
        "2",
        "import",
        "-c",
        "c",
        "a.jsonl",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("2 rows rejected: vecload rejects 1"), "{err}");
    let o = client(&["rejects", "1"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    // Without the flag the server's default (abort) applies.
    let o = client(&["import", "-c", "c", "a.jsonl"]);
    assert_eq!(o.status.code(), Some(1));

    // gRPC `Import` with the options; `GetImportState` counts the rejects.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(url.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut c = MilvusServiceClient::new(channel);
        let st = import_until_completed(&mut c, "c", &["a.jsonl"], &[("onError", "skip")]).await;
        assert_eq!(st.row_count, 3);
        let rejected = st.infos.iter().find(|i| i.key == "rejected_rows");
        assert_eq!(rejected.map(|i| i.value.as_str()), Some("2"), "{st:?}");
    });
}
