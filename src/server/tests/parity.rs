//! Nothing silently ignored: body keys vecload does not implement are accepted only empty,
//! import `options` are read or refused by name, `jobs/import/list` pages, and Milvus's
//! quick-setup `collections/create` body records the index metric search then uses.

use serde_json::{Value, json};

use super::{Fixture, assert_error};

/// What pymilvus's `bulk_import`, `get_import_progress` and `list_import_jobs` send.
#[tokio::test]
async fn pymilvus_empty_keys_are_accepted_and_set_ones_refused_by_name() {
    let f = Fixture::new();
    f.book().await;
    let create = json!({"collectionName": "book", "dbName": "", "partitionName": "",
        "files": [["data/book/book.json"]], "objectUrl": "", "objectUrls": null, "clusterId": "",
        "accessKey": "", "secretKey": "", "token": "", "volumeName": "", "dataPaths": null,
        "options": {}});
    let (id, job) = f.import(create.clone()).await;
    assert_eq!(job["state"], "Completed", "{job}");
    let v = f
        .post(
            "jobs/import/describe",
            json!({"jobId": id, "clusterId": ""}),
        )
        .await;
    assert_eq!(v["code"], 0, "{v}");
    let v = f
        .post(
            "jobs/import/list",
            json!({"collectionName": "book", "clusterId": "", "pageSize": 10, "currentPage": 1}),
        )
        .await;
    assert_eq!(v["data"]["records"].as_array().unwrap().len(), 1, "{v}");
    // dbName "default" is the one database.
    let v = f
        .post(
            "collections/describe",
            json!({"collectionName": "book", "dbName": "default"}),
        )
        .await;
    assert_eq!(v["code"], 0, "{v}");

    for (key, value) in [
        ("clusterId", json!("in01-abc")),
        ("objectUrls", json!([["s3://b/a.json"]])),
        ("accessKey", json!("AK")),
        ("dataPaths", json!([["a.json"]])),
        ("dbName", json!("other")),
        ("bucket", json!("b")),
        ("consistencyLevel", json!("Strong")),
    ] {
        let mut body = create.clone();
        body[key] = value;
        let v = f.post("jobs/import/create", body).await;
        assert_error(&v, 1100, &[&format!("\"{key}\"")]);
    }
    // Every route but query and search (the `filter` work's) checks its keys.
    for (route, body) in [
        ("collections/list", json!({"limit": 3})),
        (
            "collections/describe",
            json!({"collectionName": "book", "x": 1}),
        ),
        (
            "collections/drop",
            json!({"collectionName": "book", "x": true}),
        ),
        (
            "collections/get_stats",
            json!({"collectionName": "book", "x": "y"}),
        ),
        (
            "partitions/create",
            json!({"collectionName": "book", "partitionName": "p", "x": [1]}),
        ),
        (
            "partitions/list",
            json!({"collectionName": "book", "x": {"a": 1}}),
        ),
        (
            "partitions/get_stats",
            json!({"collectionName": "book", "partitionName": "_default", "x": 1}),
        ),
        (
            "jobs/import/describe",
            json!({"jobId": id, "clusterId": "c"}),
        ),
        ("jobs/import/get_progress", json!({"jobId": id, "x": 1})),
        ("jobs/import/abort", json!({"jobId": id, "x": 1})),
        ("jobs/import/list", json!({"x": 1})),
        (
            "collections/create",
            json!({"collectionName": "q", "dimension": 2, "x": 1}),
        ),
        (
            "collections/create",
            json!({"collectionName": "q", "schema": {}, "dimension": 2}),
        ),
    ] {
        let v = f.post(route, body).await;
        assert_error(&v, 1100, &["invalid parameter \""]);
    }
    assert_eq!(f.engine.list_collections().len(), 1);
    assert!(f.engine.describe_collection("book").is_ok());
}

#[tokio::test]
async fn import_options_are_read_or_refused_by_name() {
    let f = Fixture::new();
    f.book().await;
    let files = json!([["data/book/book.json"]]);
    let body =
        |options: Value| json!({"collectionName": "book", "files": files, "options": options});
    let (_, job) = f
        .import(body(
            json!({"timeout": "1h45m", "auto_commit": "true", "sep": ",", "nullkey": ""}),
        ))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    for (options, words) in [
        (
            json!({"onError": "continue"}),
            vec!["\"onError\"", "not abort or skip"],
        ),
        (
            json!({"max_errors": "ten"}),
            vec!["\"max_errors\"", "not a non-negative integer"],
        ),
        (
            json!({"maxErrorRatio": "2"}),
            vec!["\"maxErrorRatio\"", "not a number from 0 to 1"],
        ),
        (
            json!({"dryRun": "maybe"}),
            vec!["\"dryRun\"", "not true or false"],
        ),
        (
            json!({"dry_run": "true", "auto_commit": "false"}),
            vec!["\"auto_commit\"", "nothing to commit in a dry run"],
        ),
        (json!({"backup": "true"}), vec!["\"backup\"", "binlog"]),
        (json!({"start_ts": "1"}), vec!["\"start_ts\"", "binlog"]),
        (json!({"end_ts": "1"}), vec!["\"end_ts\"", "binlog"]),
        (
            json!({"l0_import": "true"}),
            vec!["\"l0_import\"", "binlog"],
        ),
        (
            json!({"skip_disk_quota_check": "true"}),
            vec!["\"skip_disk_quota_check\""],
        ),
        (
            json!({"colour": "red"}),
            vec!["\"colour\"", "unknown option"],
        ),
        (
            json!({"timeout": "soon"}),
            vec!["\"timeout\"", "\"soon\" is not a duration"],
        ),
        (json!({"auto_commit": "maybe"}), vec!["\"auto_commit\""]),
        (
            json!({"bucket": "a-bucket"}),
            vec!["\"bucket\"", "storage root's bucket"],
        ),
    ] {
        let v = f.post("jobs/import/create", body(options)).await;
        assert_error(&v, 1100, &words);
    }
    assert_eq!(
        f.get("/v1/tasks").await.as_array().unwrap().len(),
        1,
        "nothing queued"
    );
}

#[tokio::test]
async fn list_pages_newest_first() {
    let f = Fixture::new();
    f.book().await;
    for _ in 0..3 {
        f.import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
            .await;
    }
    let ids = |v: &Value| -> Vec<String> {
        (v["data"]["records"].as_array().unwrap().iter())
            .map(|r| r["jobId"].as_str().unwrap().to_string())
            .collect()
    };
    let all = f.post("jobs/import/list", json!({})).await;
    assert_eq!(ids(&all), ["3", "2", "1"], "newest first");
    for (size, page, want) in [
        (2, 1, vec!["3", "2"]),
        (2, 2, vec!["1"]),
        (2, 3, vec![]),
        (10, 1, vec!["3", "2", "1"]),
        (1, 3, vec!["1"]),
    ] {
        let v = f
            .post(
                "jobs/import/list",
                json!({"pageSize": size, "currentPage": page}),
            )
            .await;
        assert_eq!(ids(&v), want, "pageSize {size} currentPage {page}");
    }
    let v = f.post("jobs/import/list", json!({"pageSize": -1})).await;
    assert_error(&v, 1801, &["pageSize"]);
}

/// Milvus's quick setup: an `id`-like key, a FloatVector, dynamic fields, and an index whose
/// metric (COSINE unless `metricType` says otherwise) search uses when it is given none.
#[tokio::test]
async fn quick_setup_records_the_metric_search_uses_by_default() {
    let f = Fixture::new();
    let v = f
        .post(
            "collections/create",
            json!({"collectionName": "book", "dimension": 2, "primaryFieldName": "book_id",
                   "vectorFieldName": "book_intro"}),
        )
        .await;
    assert_eq!(v, json!({"code": 0, "data": {}}));
    let d = f
        .post("collections/describe", json!({"collectionName": "book"}))
        .await["data"]
        .clone();
    assert_eq!(d["enableDynamicField"], true);
    assert_eq!(d["autoId"], false);
    let fields: Vec<(&Value, &Value)> = (d["fields"].as_array().unwrap().iter())
        .map(|f| (&f["name"], &f["type"]))
        .collect();
    assert_eq!(
        fields,
        [
            (&json!("book_id"), &json!("Int64")),
            (&json!("book_intro"), &json!("FloatVector"))
        ]
    );
    assert_eq!(d["fields"][1]["params"]["dim"], 2);
    assert_eq!(d["indexes"][0]["fieldName"], "book_intro");
    assert_eq!(d["indexes"][0]["metricType"], "COSINE");

    let (_, job) = f
        .import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    let top = |metric: Option<&str>| {
        let mut body = json!({"collectionName": "book", "data": [[1.0, 0.0]], "limit": 1});
        if let Some(m) = metric {
            body["searchParams"] = json!({"metricType": m});
        }
        f.post("entities/search", body)
    };
    // COSINE: [5.1, 5.2] (book 105) is nearest in angle, 5.1 / |(5.1, 5.2)|.
    let v = top(None).await;
    assert_eq!(v["data"][0]["book_id"], 105, "{v}");
    let cos = 5.1 / (5.1f64 * 5.1 + 5.2 * 5.2).sqrt();
    assert!(
        (v["data"][0]["distance"].as_f64().unwrap() - cos).abs() < 1e-5,
        "{v}"
    );
    // L2 asked for: [1.1, 1.2] (book 101) is nearest.
    let v = top(Some("L2")).await;
    assert_eq!(v["data"][0]["book_id"], 101, "{v}");

    // VarChar ids, another metric; a bad idType or dimension is refused.
    let v = f
        .post(
            "collections/create",
            json!({"collectionName": "q2", "dimension": 8, "idType": "VarChar", "metricType": "IP",
                   "autoId": false, "params": {"max_length": 64}}),
        )
        .await;
    assert_eq!(v["code"], 0, "{v}");
    let c = f.engine.describe_collection("q2").unwrap();
    assert_eq!(c.schema.fields[0].name, "id");
    assert_eq!(c.schema.fields[0].max_length, Some(64));
    assert_eq!(c.schema.fields[1].name, "vector");
    assert_eq!(c.schema.fields[1].index_metric(), Some("IP"));
    for (body, words) in [
        (json!({"collectionName": "q3", "dimension": 0}), "dimension"),
        (
            json!({"collectionName": "q3", "dimension": 4, "idType": "Float"}),
            "idType",
        ),
        (
            json!({"collectionName": "q3", "dimension": 4, "metricType": "HAMMING"}),
            "metricType",
        ),
    ] {
        let v = f.post("collections/create", body).await;
        assert_error(&v, 1100, &[words]);
    }
}

/// `indexParams` of a full body: recorded per field in the catalog, shown by describe, and
/// its metric is search's default.
#[tokio::test]
async fn index_params_of_a_full_body_are_recorded() {
    let f = Fixture::new();
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(super::repo_file("data/book/schema.json")).unwrap(),
    )
    .unwrap();
    schema["indexParams"] = json!([{"fieldName": "book_intro", "metricType": "ip",
        "indexName": "intro_idx", "params": {"index_type": "HNSW", "M": 16}}]);
    let v = f.post("collections/create", schema.clone()).await;
    assert_eq!(v["code"], 0, "{v}");
    let d = f
        .post("collections/describe", json!({"collectionName": "book"}))
        .await;
    assert_eq!(
        d["data"]["indexes"],
        json!([{"fieldName": "book_intro", "indexName": "intro_idx", "metricType": "IP",
                "indexType": "HNSW", "params": {"index_type": "HNSW", "M": 16}}])
    );
    let (_, job) = f
        .import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    // IP with [1, 0]: the largest first coordinate, book 105 (5.1).
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": [[1.0, 0.0]], "limit": 1}),
        )
        .await;
    assert_eq!(v["data"][0]["book_id"], 105, "{v}");
    assert!(
        (v["data"][0]["distance"].as_f64().unwrap() - 5.1).abs() < 1e-5,
        "{v}"
    );

    schema["collectionName"] = json!("other");
    for (index, words) in [
        (
            json!([{"fieldName": "nope", "metricType": "L2"}]),
            "no field \"nope\"",
        ),
        (
            json!([{"fieldName": "book_intro", "metricType": "HAMMING"}]),
            "metricType must be one of",
        ),
        (json!([{"metricType": "L2"}]), "fieldName"),
        (json!({"fieldName": "book_intro"}), "must be a list"),
    ] {
        schema["indexParams"] = index;
        let v = f.post("collections/create", schema.clone()).await;
        assert_error(&v, 1100, &[words]);
    }
}

/// Each request is one `tracing` event naming method, path, status, Milvus code and ms.
#[cfg(feature = "cli")]
#[tokio::test]
async fn requests_are_logged() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let f = Fixture::new();
    // Other tests' threads race to register tracing's callsites (their interest is cached
    // per process): a first event may be lost to that, not to the server; ask twice.
    for _ in 0..2 {
        f.post("collections/list", json!({})).await;
        f.post("collections/describe", json!({"collectionName": "nope"}))
            .await;
    }
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let event = |path: &str| -> Value {
        (text.lines())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|e| e["fields"]["message"] == "request" && e["fields"]["path"] == path)
            .unwrap_or_else(|| panic!("no request event for {path}: {text}"))
    };
    let describe = event("/v2/vectordb/collections/describe");
    let e = &describe["fields"];
    assert_eq!(
        (&e["method"], &e["status"], &e["code"], &describe["level"]),
        (&json!("POST"), &json!(200), &json!(100), &json!("WARN")),
        "{text}"
    );
    assert!(e["ms"].as_f64().unwrap() >= 0.0);
    let list = event("/v2/vectordb/collections/list");
    assert_eq!(
        (&list["fields"]["code"], &list["level"]),
        (&json!(0), &json!("INFO"))
    );
}
