//! The surfaces of a dry run: the CLI (`--dry-run`, its stderr summary, `state`, `tasks`),
//! client mode, REST `options` `dryRun` and `describe` (`dryRun`, `partitions`), and raw gRPC
//! `Import` options with `GetImportState` (pymilvus cannot send them: the SDK's client).

use std::path::Path;

use serde_json::{Value, json};

use super::segments;
use crate::grpc::import_until_completed;
use crate::rejects::{ROWS, SCHEMA};
use crate::server::{Server, wait_job};
use crate::util::vecload;

/// A storage root with `a.jsonl` (five rows, two bad) and the schema of collection `c`.
fn root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("a.jsonl"), ROWS.join("\n") + "\n").unwrap();
    std::fs::write(root.path().join("schema.json"), SCHEMA).unwrap();
    root
}

/// The count of collection `c` as the read-only `count` command gives it.
fn count(data: &Path) -> String {
    let o = vecload(data, &["count", "c"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn the_cli_runs_a_dry_run_and_state_and_tasks_show_it() {
    let (data, root) = (tempfile::tempdir().unwrap(), root());
    let storage = root.path().to_str().unwrap();
    let schema = format!("{storage}/schema.json");
    let o = vecload(
        data.path(),
        &["--storage", storage, "collection", "create", &schema],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = ["--storage", storage, "--on-error", "skip", "import"];
    let o = vecload(
        data.path(),
        &[&args[..], &["--dry-run", "-c", "c", "a.jsonl"]].concat(),
    );
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("dry run: 3 rows would be imported (_default: 3); 2 rows rejected;"),
        "{err}"
    );
    assert!(
        err.contains("bytes read in") && err.contains("nothing written"),
        "{err}"
    );
    assert!(err.contains("2 rows rejected: vecload rejects 1"), "{err}");
    assert!(out.contains("dry_run partitions=_default:3"), "{out}");
    let o = vecload(data.path(), &["--json", "state", "1"]);
    let t: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            &t["state"],
            &t["dry_run"],
            &t["partitions"],
            &t["row_count"]
        ),
        (
            &json!("Completed"),
            &json!(true),
            &json!({"_default": 3}),
            &json!(3)
        )
    );
    assert_eq!(t["rejects_file"], "rejects/1.jsonl");
    let o = vecload(data.path(), &["--json", "tasks"]);
    let tasks: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(tasks[0]["dry_run"], true, "{tasks}");
    let o = vecload(data.path(), &["rejects", "1"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    assert_eq!(count(data.path()), "0");
    assert!(segments(data.path()).is_empty());
    // `check` finds nothing to say about a completed dry run.
    let o = vecload(data.path(), &["--json", "check"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(o.status.success(), "{report}");
    // Abort: the dry run fails as the import would, exit 1.
    let o = vecload(
        data.path(),
        &[
            "--storage",
            storage,
            "import",
            "--dry-run",
            "-c",
            "c",
            "a.jsonl",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("row 1") && err.contains("\"n\""), "{err}");
}

#[test]
fn rest_options_dry_run_and_describe_show_it() {
    let (data, root) = (tempfile::tempdir().unwrap(), root());
    let s = Server::start_on(data.path(), root.path(), &[]);
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    s.post("/v2/vectordb/collections/create", schema);
    for (n, options) in [
        json!({"dryRun": "true", "onError": "skip"}),
        json!({"dry_run": "true", "on_error": "skip"}),
    ]
    .into_iter()
    .enumerate()
    {
        let v = s.post(
            "/v2/vectordb/jobs/import/create",
            json!({"collectionName": "c", "files": [["a.jsonl"], ["a.jsonl"]], "options": options}),
        );
        let job = v["data"]["jobId"].as_str().unwrap().to_string();
        let d = wait_job(&s, &job);
        assert_eq!(d["state"], "Completed", "{n}: {d}");
        assert_eq!(d["dryRun"], true, "{d}");
        assert_eq!(d["partitions"], json!({"_default": 6}), "{d}");
        assert_eq!(
            (d["importedRows"].as_u64(), d["totalRows"].as_u64()),
            (Some(6), Some(10))
        );
        assert_eq!(d["rejectedRows"], 4);
        for u in d["details"].as_array().unwrap() {
            assert_eq!(u["partitions"], json!({"_default": 3}), "{u}");
        }
    }
    assert_eq!(count(data.path()), "0");
    assert!(segments(data.path()).is_empty());
    // A real import's describe: dryRun false, its partitions from its segments.
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "c", "files": [["a.jsonl"]], "options": {"onError": "skip"}}),
    );
    let d = wait_job(&s, v["data"]["jobId"].as_str().unwrap());
    assert_eq!(
        (&d["dryRun"], &d["partitions"]),
        (&json!(false), &json!({"_default": 3}))
    );
    assert_eq!(count(data.path()), "3");
}

#[test]
fn client_mode_and_raw_grpc_import_run_dry_runs() {
    use milvus::proto::common::KeyValuePair;
    use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
    use milvus::proto::milvus::{self as pb};

    let (data, root) = (tempfile::tempdir().unwrap(), root());
    let s = Server::start_on(data.path(), root.path(), &[]);
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    s.post("/v2/vectordb/collections/create", schema);
    let url = format!("http://{}", s.addr);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vecload"))
        .args(["--server", &url, "--on-error", "skip"])
        .args(["import", "--dry-run", "-c", "c", "a.jsonl"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("dry run: 3 rows would be imported"), "{err}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(url.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut c = MilvusServiceClient::new(channel);
        let kv = |k: &str, v: &str| KeyValuePair {
            key: k.into(),
            value: v.into(),
        };
        let options = [("dryRun", "true"), ("onError", "skip")];
        let st = import_until_completed(&mut c, "c", &["a.jsonl"], &options).await;
        assert_eq!(st.row_count, 3);
        let info = |k: &str| (st.infos.iter().find(|i| i.key == k)).map(|i| i.value.clone());
        assert_eq!(info("dry_run").as_deref(), Some("true"), "{st:?}");
        assert_eq!(info("partitions").as_deref(), Some(r#"{"_default":3}"#));
        assert_eq!(info("rejected_rows").as_deref(), Some("2"));
        assert!(st.id_list.is_empty());
        // A bad value is refused naming the option.
        let r = c
            .import(pb::ImportRequest {
                collection_name: "c".into(),
                files: vec!["a.jsonl".into()],
                options: vec![kv("dryRun", "perhaps")],
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let reason = r.status.map(|s| s.reason).unwrap_or_default();
        assert!(reason.contains("dryRun"), "{reason}");
    });
    assert_eq!(count(data.path()), "0");
    assert!(segments(data.path()).is_empty());
}
