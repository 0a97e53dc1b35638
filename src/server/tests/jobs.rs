//! Import jobs (`/v2/vectordb/jobs/import/*`) and the task view (`/v1/tasks`).

use serde_json::{Value, json};

use super::{Fixture, assert_error};

const NPY_UNIT: [&str; 4] = [
    "data/book/npy/book_id.npy",
    "data/book/npy/word_count.npy",
    "data/book/npy/book_intro.npy",
    "data/book/npy/$meta.npy",
];

#[tokio::test]
async fn a_job_of_two_units_completes_and_is_described_and_listed() {
    let f = Fixture::new();
    f.book().await;
    f.post(
        "partitions/create",
        json!({"collectionName": "book", "partitionName": "2022"}),
    )
    .await;
    let files = json!([["data/book/book.json"], NPY_UNIT]);
    let (id, job) = f
        .import(json!({"collectionName": "book", "partitionName": "2022", "files": files}))
        .await;
    assert_eq!(id, "1", "a job is named by its first task's id");
    assert_eq!(
        (&job["jobId"], &job["collectionName"], &job["state"]),
        (&json!("1"), &json!("book"), &json!("Completed"))
    );
    assert_eq!(
        (&job["progress"], &job["importedRows"], &job["totalRows"]),
        (&json!(100), &json!(10), &json!(10))
    );
    assert!(!job["completeTime"].as_str().unwrap().is_empty(), "{job}");
    assert!(job.get("reason").is_none(), "{job}");
    // The fixture's root, the repository, as the tasks recorded it.
    assert_eq!(job["storageRoot"], env!("CARGO_MANIFEST_DIR"), "{job}");
    let details = job["details"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0]["fileName"], "[data/book/book.json]");
    assert_eq!(details[1]["fileName"], format!("[{}]", NPY_UNIT.join(" ")));
    for d in details {
        assert_eq!(
            (&d["state"], &d["progress"]),
            (&json!("Completed"), &json!(100))
        );
        assert_eq!(d["importedRows"], 5);
    }

    // get_progress is describe's alias; a numeric jobId is accepted too.
    let p = f
        .post("jobs/import/get_progress", json!({"jobId": 1}))
        .await;
    assert_eq!(p["data"], job);
    let list = f.post("jobs/import/list", json!({})).await;
    assert_eq!(
        list,
        json!({"code": 0, "data": {"records": [
            {"jobId": "1", "collectionName": "book", "state": "Completed", "progress": 100}]}})
    );
    let list = f
        .post("jobs/import/list", json!({"collectionName": "book"}))
        .await;
    assert_eq!(list["data"]["records"].as_array().unwrap().len(), 1);
    let v = f
        .post("collections/describe", json!({"collectionName": "book"}))
        .await;
    assert_eq!(v["data"]["rowCount"], 10);
    assert_eq!(f.engine.count("book", Some("2022")).unwrap(), 10);
}

#[tokio::test]
async fn a_bad_file_fails_its_job_naming_file_row_and_field() {
    let f = Fixture::new();
    f.book().await;
    let files = json!([["data/book/book.json"], ["data/book/fail/wrong_dim.json"]]);
    let (id, job) = f
        .import(json!({"collectionName": "book", "files": files}))
        .await;
    assert_eq!(
        (&job["state"], &job["progress"]),
        (&json!("Failed"), &json!(0))
    );
    let reason = job["reason"].as_str().unwrap();
    for part in [
        "data/book/fail/wrong_dim.json",
        "row 3",
        "field \"book_intro\"",
        "expected 2 floats",
        "found 3",
    ] {
        assert!(reason.contains(part), "reason lacks {part:?}: {reason}");
    }
    assert_eq!(job["details"][1]["state"], "Failed");
    assert_eq!(job["details"][1]["reason"], reason);
    // A job is all or nothing: the good unit's rows are not visible either.
    assert_eq!(f.engine.count("book", None).unwrap(), 0);
    let list = f.post("jobs/import/list", json!({})).await;
    let record = &list["data"]["records"][0];
    assert_eq!(
        (&record["jobId"], &record["state"]),
        (&json!(id), &json!("Failed"))
    );
    assert_eq!(record["reason"], reason);
    // The failing task as the task view shows it.
    let t = f.get("/v1/tasks/2").await;
    assert_eq!(
        (&t["state"], &t["state_code"]),
        (&json!("FailedAndCleaned"), &json!(7))
    );
    assert_eq!(t["failed_reason"], reason);
}

#[tokio::test]
async fn a_missing_file_fails_its_job() {
    let f = Fixture::new();
    f.book().await;
    let (_, job) = f
        .import(json!({"collectionName": "book", "files": [["data/book/missing.json"]]}))
        .await;
    assert_eq!(job["state"], "Failed");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("file not found") && reason.contains("data/book/missing.json"),
        "{reason}"
    );
}

#[tokio::test]
async fn import_create_errors_carry_milvus_codes() {
    let f = Fixture::new();
    f.book().await;
    let book = json!([["data/book/book.json"]]);
    let cases = [
        (
            json!({"collectionName": "nope", "files": book}),
            100,
            vec!["nope"],
        ),
        (
            json!({"collectionName": "book", "partitionName": "x", "files": book}),
            200,
            vec!["partition not found", "\"x\""],
        ),
        (json!({"files": book}), 1802, vec!["collectionName"]),
        (json!({"collectionName": "book"}), 1802, vec!["files"]),
        (
            json!({"collectionName": "book", "files": "a.json"}),
            1801,
            vec!["files"],
        ),
        (
            json!({"collectionName": "book", "files": [[1]]}),
            1801,
            vec!["files"],
        ),
        (
            json!({"collectionName": "book", "files": []}),
            2100,
            vec!["no files given"],
        ),
        (
            json!({"collectionName": "book", "files": [[]]}),
            2100,
            vec!["no files given"],
        ),
        (
            json!({"collectionName": "book", "files": [["data/book/schema.txt"]]}),
            2100,
            vec!["unsupported file type", "schema.txt"],
        ),
        (
            json!({"collectionName": "book", "files": [["data/book/book.json", "data/book/book_props.json"]]}),
            2100,
            vec!["one file per task"],
        ),
        (
            json!({"collectionName": "book", "files": [["data/book/book.json", "data/book/npy/book_id.npy"]]}),
            2100,
            vec!["cannot be mixed"],
        ),
        (
            json!({"collectionName": "book", "files": [["../outside.json"]]}),
            2100,
            vec!["\"../outside.json\" escapes the storage root"],
        ),
    ];
    for (body, code, words) in cases {
        let v = f.post("jobs/import/create", body.clone()).await;
        assert_error(&v, code, &words);
    }
    // Nothing was queued by a refused request.
    assert_eq!(f.get("/v1/tasks").await, json!([]));
}

#[tokio::test]
async fn import_limits_refuse_the_request() {
    let f = Fixture::with(None, |o| o.import.max_file_size = 10);
    f.book().await;
    let v = f
        .post(
            "jobs/import/create",
            json!({"collectionName": "book", "files": [["data/book/book.json"]]}),
        )
        .await;
    assert_error(
        &v,
        2100,
        &["data/book/book.json", "exceeds the maximum size: 10 bytes"],
    );
    let f = Fixture::with(None, |o| o.import.max_pending_tasks = 1);
    f.book().await;
    let two = json!([["data/book/book.json"], ["data/book/book.json"]]);
    let v = f
        .post(
            "jobs/import/create",
            json!({"collectionName": "book", "files": two}),
        )
        .await;
    assert_error(&v, 2100, &["import task queue max size is 1"]);
}

#[tokio::test]
async fn describe_and_list_errors() {
    let f = Fixture::new();
    for route in ["jobs/import/describe", "jobs/import/get_progress"] {
        let v = f.post(route, json!({"jobId": "999"})).await;
        assert_error(&v, 2100, &["import job does not exist, jobID=999"]);
        let v = f.post(route, json!({"jobId": "abc"})).await;
        assert_error(&v, 2100, &["jobID=abc"]);
        let v = f.post(route, json!({})).await;
        assert_error(&v, 1802, &["jobId"]);
        let v = f.post(route, json!({"jobId": true})).await;
        assert_error(&v, 1801, &["jobId"]);
    }
    let v = f
        .post("jobs/import/list", json!({"collectionName": "nope"}))
        .await;
    assert_error(&v, 100, &["nope"]);
    let v = f.post("jobs/import/list", json!({})).await;
    assert_eq!(v, json!({"code": 0, "data": {"records": []}}));
}

#[tokio::test]
async fn the_task_view() {
    let f = Fixture::new();
    f.book().await;
    let files = json!([["data/book/book.json"], NPY_UNIT]);
    f.import(json!({"collectionName": "book", "files": files}))
        .await;
    let t = f.get("/v1/tasks/1").await;
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
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
            "start_time",
            "persist_cost",
            "complete_time",
            "rejected_rows",
            "rejects_file",
            "dry_run",
            "partitions",
            "file_size",
            "storage_root"
        ]
    );
    assert_eq!(t["storage_root"], env!("CARGO_MANIFEST_DIR"), "{t}");
    assert_eq!(
        (
            &t["task_id"],
            &t["state"],
            &t["state_code"],
            &t["partition"]
        ),
        (
            &json!(1),
            &json!("Completed"),
            &json!(6),
            &json!("_default")
        )
    );
    assert_eq!(
        (
            &t["files"],
            &t["row_count"],
            &t["progress"],
            &t["failed_reason"]
        ),
        (
            &json!(["data/book/book.json"]),
            &json!(5),
            &json!(100),
            &json!("")
        )
    );
    let all = f.get("/v1/tasks").await;
    let ids: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["task_id"])
        .collect();
    assert_eq!(ids, [&json!(1), &json!(2)], "oldest first");
    let newest = f.get("/v1/tasks?collection=book&limit=1").await;
    assert_eq!(newest.as_array().unwrap().len(), 1);
    assert_eq!(newest[0]["task_id"], 2, "limit keeps the newest");

    let v = f.get("/v1/tasks/999").await;
    assert_error(&v, 1100, &["import task 999 does not exist"]);
    let v = f.get("/v1/tasks?collection=nope").await;
    assert_error(&v, 100, &["nope"]);
    let (status, _) = f.call("GET", "/v1/tasks/abc", "", &[]).await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
}

/// A CSV job reads the request's `options`: `sep` and `nullkey` (strings), checked when
/// the job is created.
#[tokio::test]
async fn csv_jobs_take_sep_and_nullkey_options() {
    let f = Fixture::new();
    let dir = "data/csv/pass/pandas_sep_semicolon";
    let schema = std::fs::read_to_string(super::repo_file(&format!("{dir}/schema.json"))).unwrap();
    assert_eq!(f.post_raw("collections/create", &schema).await["code"], 0);
    let files = json!([[format!("{dir}/input.csv")]]);
    let (_, job) = f
        .import(json!({"collectionName": "c", "files": files,
                       "options": {"sep": ";", "nullkey": "NULL", "timeout": "300s"}}))
        .await;
    assert_eq!(
        (&job["state"], &job["importedRows"]),
        (&json!("Completed"), &json!(1)),
        "{job}"
    );
    // Without the separator, the header is one unknown column.
    let (_, job) = f
        .import(json!({"collectionName": "c", "files": files}))
        .await;
    assert_eq!(job["state"], "Failed", "{job}");
    assert!(
        job["reason"].as_str().unwrap().contains("header (line 1)"),
        "{job}"
    );
    let bad = [
        (
            json!({"sep": ";;"}),
            2100,
            "unsupported CSV separator \";;\"",
        ),
        (json!({"sep": 59}), 1801, "\"options.sep\" must be a string"),
        (json!(["sep"]), 1801, "\"options\" must be a map of strings"),
    ];
    for (options, code, words) in bad {
        let body = json!({"collectionName": "c", "files": files, "options": options});
        let v = f.post("jobs/import/create", body).await;
        assert_error(&v, code, &[words]);
    }
}
