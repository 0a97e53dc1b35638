//! The jobs' lifecycle over REST: `jobs/import/abort`, and the reads client mode uses
//! (`collections/get_stats`, `partitions/get_stats`, `GET /v1/tasks/{id}/rejects`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Fixture, assert_error};
use crate::source::LocalRoot;

/// A fixture whose storage root is `root` (a temp directory holding `slow.jsonl`, 200 rows
/// read 64 bytes at a time with 100 ms between units, and `one.jsonl`, one row), so that a
/// job runs for seconds.
fn slow(root: &tempfile::TempDir) -> Fixture {
    let rows: String = (0..200)
        .map(|i| format!("{{\"book_id\": {i}, \"word_count\": 1, \"book_intro\": [1, 2]}}\n"))
        .collect();
    std::fs::write(root.path().join("slow.jsonl"), rows).unwrap();
    let one = "{\"book_id\": 1000, \"word_count\": 1, \"book_intro\": [1, 2]}\n";
    std::fs::write(root.path().join("one.jsonl"), one).unwrap();
    Fixture::with(None, |o| {
        o.storage = LocalRoot::confined(root.path()).into();
        o.import.throttle_unit_ms = 100;
        o.import.unit_bytes = 64;
    })
}

impl Fixture {
    /// Creates a job of `units` in `book`; returns its id.
    async fn create(&self, units: Value) -> String {
        let v = self
            .post(
                "jobs/import/create",
                json!({"collectionName": "book", "files": units}),
            )
            .await;
        assert_eq!(v["code"], 0, "{v}");
        v["data"]["jobId"].as_str().unwrap().to_string()
    }

    async fn describe(&self, id: &str) -> Value {
        let d = self
            .post("jobs/import/describe", json!({"jobId": id}))
            .await;
        assert_eq!(d["code"], 0, "{d}");
        d["data"].clone()
    }

    /// Waits until job `id`'s task `task` (0-based) is in `state` (a `details` state).
    async fn wait_detail(&self, id: &str, task: usize, state: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let d = self.describe(id).await;
            if d["details"][task]["state"] == state {
                return;
            }
            assert!(Instant::now() < deadline, "task {task} never {state}: {d}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Abort ends a running job, a job whose first unit waits Persisted, and a queued job:
/// each shows Failed with reason "aborted", nothing of it visible and its files removed.
#[tokio::test]
async fn abort_ends_any_unfinished_job_and_nothing_of_it_is_visible() {
    let root = tempfile::tempdir().unwrap();
    let f = slow(&root);
    f.book().await;
    // One runner: the first job's `one.jsonl` reaches Persisted and waits for `slow.jsonl`,
    // which runs; the second job waits in the queue.
    let running = f.create(json!([["one.jsonl"], ["slow.jsonl"]])).await;
    let queued = f.create(json!([["one.jsonl"]])).await;
    f.wait_detail(&running, 1, "InProgress").await;
    assert_eq!(f.describe(&queued).await["state"], "Pending");
    let t = f.get("/v1/tasks/1").await;
    assert_eq!(t["state"], "Persisted", "{t}");

    for id in [&queued, &running] {
        let started = Instant::now();
        let v = f.post("jobs/import/abort", json!({"jobId": id})).await;
        assert_eq!(v, json!({"code": 0, "data": {}}));
        assert!(started.elapsed() < Duration::from_secs(10));
        let job = f.describe(id).await;
        assert_eq!(
            (&job["state"], &job["reason"], &job["importedRows"]),
            (&json!("Failed"), &json!("aborted"), &json!(0)),
            "{job}"
        );
        for d in job["details"].as_array().unwrap() {
            assert_eq!(
                (&d["state"], &d["reason"]),
                (&json!("Failed"), &json!("aborted"))
            );
        }
    }
    for id in 1..=3 {
        let t = f.get(&format!("/v1/tasks/{id}")).await;
        assert_eq!(
            (&t["state"], &t["failed_reason"]),
            (&json!("FailedAndCleaned"), &json!("aborted")),
            "{t}"
        );
    }
    assert_eq!(f.engine.count("book", None).unwrap(), 0);
    let segments = f.engine.data_dir().join("segments");
    let left: Vec<_> = walk(&segments)
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    assert!(left.is_empty(), "aborted tasks keep files: {left:?}");

    // A Failed job: code 0, no change.
    let before = f.describe(&running).await;
    let v = f.post("jobs/import/abort", json!({"jobId": running})).await;
    assert_eq!(v["code"], 0, "{v}");
    assert_eq!(f.describe(&running).await, before);

    // A Completed job: 2100 naming its state; it stays Completed and visible.
    let done = f.create(json!([["one.jsonl"]])).await;
    f.wait_detail(&done, 0, "Completed").await;
    let v = f.post("jobs/import/abort", json!({"jobId": done})).await;
    assert_error(&v, 2100, &[&format!("import job {done} is Completed")]);
    assert_eq!(f.describe(&done).await["state"], "Completed");
    assert_eq!(f.engine.count("book", None).unwrap(), 1);

    // Commit of a job that is not Uncommitted: 1100 naming its state.
    let v = f.post("jobs/import/commit", json!({"jobId": done})).await;
    assert_error(&v, 1100, &[&format!("import job {done} is Completed")]);
    let v = f.post("jobs/import/commit", json!({"jobId": "999"})).await;
    assert_error(&v, 2100, &["jobID=999"]);

    // Unknown and missing ids.
    let v = f.post("jobs/import/abort", json!({"jobId": "999"})).await;
    assert_error(&v, 2100, &["import job does not exist, jobID=999"]);
    let v = f.post("jobs/import/abort", json!({})).await;
    assert_error(&v, 1802, &["jobId"]);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[tokio::test]
async fn get_stats_give_row_counts_of_a_collection_and_a_partition() {
    let f = Fixture::new();
    f.book().await;
    f.post(
        "partitions/create",
        json!({"collectionName": "book", "partitionName": "2022"}),
    )
    .await;
    let stats = |c: &str, p: Option<&str>| {
        let mut body = json!({"collectionName": c});
        let route = match p {
            Some(p) => {
                body["partitionName"] = json!(p);
                "partitions/get_stats"
            }
            None => "collections/get_stats",
        };
        f.post(route, body)
    };
    assert_eq!(
        stats("book", None).await,
        json!({"code": 0, "data": {"rowCount": 0}})
    );
    f.import(json!({"collectionName": "book", "partitionName": "2022",
                    "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(
        stats("book", None).await,
        json!({"code": 0, "data": {"rowCount": 5}})
    );
    let v = stats("book", Some("2022")).await;
    assert_eq!(v, json!({"code": 0, "data": {"rowCount": 5}}));
    let v = stats("book", Some("_default")).await;
    assert_eq!(v, json!({"code": 0, "data": {"rowCount": 0}}));

    assert_error(&stats("nope", None).await, 100, &["nope"]);
    assert_error(&stats("nope", Some("2022")).await, 100, &["nope"]);
    assert_error(&stats("book", Some("x")).await, 200, &["\"x\""]);
    let v = f.post("collections/get_stats", json!({})).await;
    assert_error(&v, 1802, &["collectionName"]);
    let v = f
        .post("partitions/get_stats", json!({"collectionName": "book"}))
        .await;
    assert_error(&v, 1802, &["partitionName"]);
}

/// `GET /v1/tasks/{id}/rejects`: the task's `rejects/<id>.jsonl` as JSON Lines; a task
/// without one answers an empty body; an unknown task HTTP 404 with Milvus JSON.
#[tokio::test]
async fn a_tasks_rejects_file_as_json_lines() {
    let f = Fixture::new();
    f.book().await;
    f.import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    let (status, v) = f.call("GET", "/v1/tasks/1/rejects", "", &[]).await;
    assert_eq!((status.as_u16(), v), (200, json!("")));

    // The file the bad-rows work writes, as it will lie in the data directory.
    let dir = f.engine.data_dir().join("rejects");
    std::fs::create_dir_all(&dir).unwrap();
    let lines = "{\"file\":\"a.jsonl\",\"row\":3,\"field\":\"book_intro\"}\n{\"file\":\"a.jsonl\",\"row\":7}\n";
    std::fs::write(dir.join("1.jsonl"), lines).unwrap();
    let req = axum::http::Request::get("/v1/tasks/1/rejects")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(f.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, lines.as_bytes());

    let (status, v) = f.call("GET", "/v1/tasks/999/rejects", "", &[]).await;
    assert_eq!(status.as_u16(), 404);
    assert_error(&v, 1100, &["import task 999 does not exist"]);
    let (status, _) = f.call("POST", "/v1/tasks/1/rejects", "", &[]).await;
    assert_eq!(status.as_u16(), 405);
}

/// `Idempotency-Key`: the same key with the same request returns the first job (whatever
/// its state), with another request code 1100; the key is kept in the task records.
#[tokio::test]
async fn an_idempotency_key_returns_the_first_job_or_refuses_another_request() {
    let f = Fixture::new();
    f.book().await;
    let body = json!({"collectionName": "book", "files": [["data/book/book.json"]],
                      "options": {"timeout": "300s"}});
    let create = |body: Value, key: &'static str| {
        let f = &f;
        async move {
            let (status, v) = f
                .call(
                    "POST",
                    "/v2/vectordb/jobs/import/create",
                    &body.to_string(),
                    &[("Idempotency-Key", key)],
                )
                .await;
            assert_eq!(status.as_u16(), 200);
            v
        }
    };
    let first = create(body.clone(), "k-1").await;
    let id = first["data"]["jobId"].as_str().unwrap().to_string();
    f.wait_detail(&id, 0, "Completed").await;
    // The same request again: the same job, nothing imported twice. dbName "" = "default".
    let mut again = body.clone();
    again["dbName"] = json!("default");
    assert_eq!(create(again, "k-1").await, first);
    assert_eq!(f.engine.count("book", None).unwrap(), 5);
    // Another request with the key: refused, naming it.
    for other in [
        json!({"collectionName": "book", "files": [["data/book/book_props.json"]],
               "options": {"timeout": "300s"}}),
        json!({"collectionName": "book", "files": [["data/book/book.json"]]}),
        json!({"collectionName": "book", "files": [["data/book/book.json"]],
               "options": {"timeout": "301s"}}),
    ] {
        let v = create(other, "k-1").await;
        assert_error(
            &v,
            1100,
            &["idempotency key \"k-1\"", &format!("import {id}")],
        );
    }
    // A new key: a new job.
    let v = create(body.clone(), "k-2").await;
    assert_ne!(v["data"]["jobId"], first["data"]["jobId"]);
    let t = f.engine.get_bulk_insert_state(1).unwrap();
    assert_eq!(
        (t.idempotency_key.as_deref(), t.timeout_ms),
        (Some("k-1"), Some(300_000))
    );
}

/// The `timeout` option bounds the whole job from its creation: a job still running when it
/// passes fails with a reason naming it, nothing of it visible.
#[tokio::test]
async fn a_job_past_its_timeout_fails_naming_it() {
    let root = tempfile::tempdir().unwrap();
    let f = slow(&root);
    f.book().await;
    let started = Instant::now();
    let v = f
        .post(
            "jobs/import/create",
            json!({"collectionName": "book", "files": [["one.jsonl"], ["slow.jsonl"]],
                   "options": {"timeout": "1s"}}),
        )
        .await;
    let id = v["data"]["jobId"].as_str().unwrap().to_string();
    f.wait_detail(&id, 1, "Failed").await;
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1), "failed after {took:?}");
    assert!(took < Duration::from_secs(5), "failed after {took:?}");
    let job = f.describe(&id).await;
    assert_eq!(job["state"], "Failed");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("timed out") && reason.contains("timeout option (1s)"),
        "{reason}"
    );
    assert_eq!(f.engine.count("book", None).unwrap(), 0);
}
