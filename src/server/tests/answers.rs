//! Issue 14, defect 11: small answers: a failed job's `importedRows`, the job's
//! `completeTime`, and 404/405/413 answered as Milvus JSON.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::{Fixture, assert_error};

#[tokio::test]
async fn a_failed_job_reports_no_imported_rows() {
    let f = Fixture::new();
    f.book().await;
    // The good unit runs first (one runner) and reaches Persisted with 5 rows before its
    // sibling fails the job.
    let files = json!([["data/book/book.json"], ["data/book/fail/wrong_dim.json"]]);
    let (_, job) = f
        .import(json!({"collectionName": "book", "files": files}))
        .await;
    assert_eq!(job["state"], "Failed", "{job}");
    assert_eq!(job["importedRows"], 0, "{job}");
    for d in job["details"].as_array().unwrap() {
        assert_eq!(d["importedRows"], 0, "{job}");
    }
    assert_eq!(f.engine.count("book", None).unwrap(), 0);
}

#[tokio::test]
async fn complete_time_is_when_the_job_ended() {
    let f = Fixture::new();
    f.book().await;
    let (id, job) = f
        .import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    let first = job["completeTime"].as_str().unwrap().to_string();
    assert_eq!(first.len(), "2026-11-24 04:00:00".len(), "{job}");
    // A poll a second later shows the same end time, not its own.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = f.post("jobs/import/describe", json!({"jobId": id})).await;
    assert_eq!(again["data"]["completeTime"], first, "{again}");
    assert_eq!(
        again["data"]["details"][0]["completeTime"], first,
        "{again}"
    );
    // A failed job ended too.
    let (_, failed) = f
        .import(json!({"collectionName": "book", "files": [["data/book/fail/wrong_dim.json"]]}))
        .await;
    assert_eq!(failed["state"], "Failed", "{failed}");
    assert!(
        !failed["completeTime"].as_str().unwrap().is_empty(),
        "{failed}"
    );
    // The task view names it as well.
    let t = f.get(&format!("/v1/tasks/{id}")).await;
    assert_eq!(t["complete_time"], first, "{t}");
}

#[tokio::test]
async fn not_found_method_and_too_large_are_milvus_json() {
    let f = Fixture::new();
    let (status, v) = f.call("POST", "/v2/vectordb/collections", "{}", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_error(&v, 1100, &["/v2/vectordb/collections"]);
    let (status, v) = f.call("GET", "/nowhere", "", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_error(&v, 1100, &["/nowhere"]);
    let (status, v) = f
        .call("GET", "/v2/vectordb/collections/list", "", &[])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{v}");
    assert_error(&v, 1100, &["GET", "/v2/vectordb/collections/list"]);
    let (status, v) = f.call("GET", "/v1/tasks/notanumber", "", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_error(&v, 1100, &["notanumber"]);
    // A body over 64 MiB.
    let big = format!("{{\"collectionName\": \"{}\"}}", "x".repeat((64 << 20) + 1));
    let (status, v) = f
        .call("POST", "/v2/vectordb/collections/describe", &big, &[])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_error(&v, 1100, &["64 MiB"]);
    // 64 MiB itself is served.
    let (status, v) = f
        .call(
            "POST",
            "/v2/vectordb/collections/describe",
            &format!("{{\"collectionName\": \"{}\"}}", "x".repeat(3 << 20)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

/// Issue 14, defect 9: a `/v1/tasks` request waiting for the engine must not hold an async
/// worker: on a one-thread runtime, a timer set beside it fires on time.
#[tokio::test(flavor = "current_thread")]
async fn a_tasks_request_waiting_for_the_engine_leaves_the_executor_free() {
    let f = Fixture::new();
    f.book().await;
    let (id, _) = f
        .import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    for uri in [format!("/v1/tasks/{id}"), "/v1/tasks?limit=5".to_string()] {
        let engine = f.engine.clone();
        let holder = std::thread::spawn(move || engine.hold_lock(Duration::from_millis(800)));
        std::thread::sleep(Duration::from_millis(50));
        let t = std::time::Instant::now();
        let timer = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            t.elapsed()
        };
        let (answer, waited) = tokio::join!(f.get(&uri), timer);
        holder.join().unwrap();
        assert!(answer.is_object() || answer.is_array(), "{answer}");
        assert!(
            waited < Duration::from_millis(400),
            "{uri}: a 50 ms timer fired after {waited:?}"
        );
    }
}
