//! Two-phase jobs over REST (`options.auto_commit = "false"`, `jobs/import/commit`) and the
//! live progress of `jobs/import/describe`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::assert_error;
use super::lifecycle::{slow, walk};

/// Waits until job `id` is in `state`; returns describe's data.
async fn wait_state(f: &super::Fixture, id: &str, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = f.describe(id).await;
        if d["state"] == state {
            return d;
        }
        assert!(Instant::now() < deadline, "job {id} never {state}: {d}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn rows(f: &super::Fixture) -> Value {
    let v = f
        .post("collections/get_stats", json!({"collectionName": "book"}))
        .await;
    v["data"]["rowCount"].clone()
}

#[tokio::test]
async fn a_two_phase_job_waits_uncommitted_until_commit_or_abort() {
    let root = tempfile::tempdir().unwrap();
    let f = slow(&root);
    f.book().await;
    let one_size = std::fs::metadata(root.path().join("one.jsonl"))
        .unwrap()
        .len();
    let create = |files: Value| {
        let f = &f;
        async move {
            let v = f
                .post(
                    "jobs/import/create",
                    json!({"collectionName": "book", "files": files,
                           "options": {"auto_commit": "false"}}),
                )
                .await;
            assert_eq!(v["code"], 0, "{v}");
            v["data"]["jobId"].as_str().unwrap().to_string()
        }
    };
    // Runs to Persisted and stops: Uncommitted, nothing visible.
    let id = create(json!([["one.jsonl"]])).await;
    let d = wait_state(&f, &id, "Uncommitted").await;
    assert_eq!(
        (&d["progress"], &d["importedRows"], &d["totalRows"]),
        (&json!(100), &json!(1), &json!(1)),
        "{d}"
    );
    assert_eq!(
        (&d["fileSize"], &d["completeTime"]),
        (&json!(one_size), &json!(""))
    );
    let u = &d["details"][0];
    assert_eq!(
        (&u["state"], &u["progress"]),
        (&json!("Completed"), &json!(100))
    );
    assert_eq!(
        (&u["fileName"], &u["fileSize"]),
        (&json!("[one.jsonl]"), &json!(one_size))
    );
    assert!(!u["completeTime"].as_str().unwrap().is_empty(), "{u}");
    let list = f.post("jobs/import/list", json!({})).await;
    assert_eq!(list["data"]["records"][0]["state"], "Uncommitted", "{list}");
    let t = f.get(&format!("/v1/tasks/{id}")).await;
    assert_eq!(t["state"], "Persisted", "{t}");
    assert_eq!(rows(&f).await, 0);

    // A job still running or queued may not be committed early.
    let running = create(json!([["slow.jsonl"]])).await;
    f.wait_detail(&running, 0, "InProgress").await;
    let queued = create(json!([["one.jsonl"]])).await;
    for (job, state) in [(&running, "Importing"), (&queued, "Pending")] {
        let v = f.post("jobs/import/commit", json!({"jobId": job})).await;
        assert_error(&v, 1100, &[&format!("import job {job} is {state}")]);
    }
    for job in [&queued, &running] {
        let v = f.post("jobs/import/abort", json!({"jobId": job})).await;
        assert_eq!(v["code"], 0, "{v}");
    }

    // Commit: one answer, the rows visible, the tasks Completed.
    let v = f.post("jobs/import/commit", json!({"jobId": id})).await;
    assert_eq!(v, json!({"code": 0, "data": {}}));
    let d = f.describe(&id).await;
    assert_eq!(
        (&d["state"], &d["importedRows"]),
        (&json!("Completed"), &json!(1))
    );
    assert!(!d["completeTime"].as_str().unwrap().is_empty(), "{d}");
    assert_eq!(
        f.get(&format!("/v1/tasks/{id}")).await["state"],
        "Completed"
    );
    assert_eq!(rows(&f).await, 1);
    let v = f.post("jobs/import/commit", json!({"jobId": id})).await;
    assert_error(&v, 1100, &[&format!("import job {id} is Completed")]);

    // Abort of an Uncommitted job: Failed "aborted", its segments removed.
    let other = create(json!([["one.jsonl"]])).await;
    wait_state(&f, &other, "Uncommitted").await;
    let v = f.post("jobs/import/abort", json!({"jobId": other})).await;
    assert_eq!(v, json!({"code": 0, "data": {}}));
    let d = f.describe(&other).await;
    assert_eq!(
        (&d["state"], &d["reason"]),
        (&json!("Failed"), &json!("aborted"))
    );
    assert_eq!(rows(&f).await, 1);
    let v = f.post("jobs/import/commit", json!({"jobId": other})).await;
    assert_error(&v, 1100, &[&format!("import job {other} is Failed")]);
    let left = walk(&f.engine.data_dir().join("segments"))
        .into_iter()
        .filter(|p| p.is_file() && p.to_string_lossy().contains(&format!("/t{other}/")))
        .count();
    assert_eq!(left, 0, "an aborted job keeps files");
}

/// While a throttled job runs, describe shows the rows read so far growing (job and unit),
/// the files' size, and the unit InProgress; once it fails, 0 rows.
#[tokio::test]
async fn describe_shows_rows_growing_while_a_job_runs() {
    let root = tempfile::tempdir().unwrap();
    let f = slow(&root);
    f.book().await;
    let size = std::fs::metadata(root.path().join("slow.jsonl"))
        .unwrap()
        .len();
    let id = f.create(json!([["slow.jsonl"]])).await;
    let mut seen: Vec<u64> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.iter().filter(|&&n| n > 0).count() < 3 {
        assert!(Instant::now() < deadline, "rows never grew: {seen:?}");
        let d = f.describe(&id).await;
        assert_eq!(d["fileSize"], size, "{d}");
        let u = &d["details"][0];
        assert_eq!(u["fileSize"], size, "{d}");
        if d["state"] == "Importing" {
            let rows = d["importedRows"].as_u64().unwrap();
            assert_eq!(
                (&d["totalRows"], &u["importedRows"]),
                (&json!(rows), &json!(rows))
            );
            assert_eq!(u["state"], "InProgress", "{d}");
            assert!(u["progress"].as_u64().unwrap() < 90, "{d}");
            if seen.last() != Some(&rows) {
                seen.push(rows);
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "rows went down: {seen:?}"
    );
    assert!(*seen.last().unwrap() < 200, "{seen:?}");
    let v = f.post("jobs/import/abort", json!({"jobId": id})).await;
    assert_eq!(v["code"], 0, "{v}");
    let d = f.describe(&id).await;
    assert_eq!(
        (&d["state"], &d["importedRows"]),
        (&json!("Failed"), &json!(0))
    );
    assert_eq!(d["details"][0]["importedRows"], 0, "{d}");
}
