//! After import: count, get by id, filter and vector search read the same rows back.

use serde_json::json;
use vecload::query::{self, Filter, Metric, SearchRequest};

use crate::util::book_engine;

#[test]
fn search_and_filter_see_imported_rows() {
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine(dir.path());
    let id = engine
        .do_bulk_insert("book", None, &["data/book/book_props.json".to_string()])
        .unwrap();
    assert_eq!(engine.wait(id, None).unwrap().row_count, 5);
    let snap = engine.snapshot("book").unwrap();

    let out = vec!["word_count".to_string()];
    let req = SearchRequest {
        field: None,
        vector: &[3.0, 3.3],
        metric: None,
        limit: 3,
        output: Some(&out),
        ..Default::default()
    };
    let hits = query::search(&snap, &req).unwrap();
    let ids: Vec<_> = hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids, [json!(103), json!(104), json!(102)]);
    assert!(
        (hits[0].distance - 0.02).abs() < 1e-4,
        "{}",
        hits[0].distance
    );
    assert_eq!(hits[0].fields["word_count"], json!(7));

    let ip = SearchRequest {
        metric: Some(Metric::Ip),
        limit: 1,
        output: None,
        ..req.clone()
    };
    assert_eq!(query::search(&snap, &ip).unwrap()[0].id, json!(105));
    let bad = SearchRequest {
        vector: &[1.0],
        ..req
    };
    assert!(
        query::search(&snap, &bad)
            .unwrap_err()
            .to_string()
            .contains("dim 2")
    );

    let f = Filter::parse("book_props[\"year\"] >= 2017 and word_count < 30").unwrap();
    let rows = query::filter_rows(&snap, &f, None, 100).unwrap();
    let ids: Vec<_> = rows.iter().map(|r| r["book_id"].clone()).collect();
    assert_eq!(ids, [json!(103), json!(104)]);
}

#[test]
fn int8_vectors_are_searched_and_shown_as_integers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = vecload::Engine::open(dir.path(), crate::util::options()).unwrap();
    let case = crate::util::repo().join("data/json/pass/int8_vector");
    let schema = std::fs::read(case.join("schema.json")).unwrap();
    let collection = engine.create_collection_from_json(&schema).unwrap();
    let file = "data/json/pass/int8_vector/input.json".to_string();
    let id = engine.do_bulk_insert(&collection, None, &[file]).unwrap();
    assert_eq!(engine.wait(id, None).unwrap().row_count, 2);
    let snap = engine.snapshot(&collection).unwrap();

    let out = vec!["i8v".to_string()];
    let req = SearchRequest {
        field: Some("i8v"),
        vector: &[-128.0, 0.0, 127.0],
        metric: None,
        limit: 2,
        output: Some(&out),
        ..Default::default()
    };
    let hits = query::search(&snap, &req).unwrap();
    let ids: Vec<_> = hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids, [json!(1), json!(2)]);
    assert_eq!(hits[0].distance, 0.0);
    assert_eq!(hits[0].fields["i8v"], json!([-128, 0, 127]));
    // [5, -5, 1] against the query: 133^2 + 5^2 + 126^2.
    assert_eq!(hits[1].distance, 133.0 * 133.0 + 25.0 + 126.0 * 126.0);

    let ip = SearchRequest {
        metric: Some(Metric::Ip),
        vector: &[1.0, -1.0, 0.0],
        ..req.clone()
    };
    let hits = query::search(&snap, &ip).unwrap();
    assert_eq!((hits[0].id.clone(), hits[0].distance), (json!(2), 10.0));
    let cos = SearchRequest {
        metric: Some(Metric::Cosine),
        vector: &[5.0, -5.0, 1.0],
        ..req.clone()
    };
    let hits = query::search(&snap, &cos).unwrap();
    assert_eq!(hits[0].id, json!(2));
    assert!(
        (hits[0].distance - 1.0).abs() < 1e-6,
        "{}",
        hits[0].distance
    );
    let hamming = SearchRequest {
        metric: Some(Metric::Hamming),
        ..req
    };
    assert!(query::search(&snap, &hamming).is_err());
}

/// The Milvus 2.6 types end to end through the CLI: a schema in Milvus's REST form (with
/// `structArrayFields` and a BM25 function), a JSON import, and `query` / `search` showing
/// Geometry as WKT, Timestamptz as ISO-8601 UTC and Array of Struct as objects, with the
/// function's output left out and not searchable.
#[test]
fn types_26_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = dir.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"collectionName": "docs", "schema": {"autoId": false, "fields": [
          {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
          {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": "2"}},
          {"fieldName": "g", "dataType": "Geometry", "nullable": true},
          {"fieldName": "ts", "dataType": "Timestamptz"},
          {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}},
          {"fieldName": "sparse", "dataType": "SparseFloatVector"}],
         "structArrayFields": [{"name": "chunks", "description": "parts",
          "elementTypeParams": {"max_capacity": 3}, "fields": [
            {"fieldName": "t", "dataType": "VarChar", "elementTypeParams": {"max_length": "16"}},
            {"fieldName": "e", "dataType": "FloatVector",
             "elementTypeParams": {"dim": "2", "mmap_enabled": "true"}}]}],
         "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"],
          "outputFieldNames": ["sparse"], "params": {}}]}}"#,
    )
    .unwrap();
    let rows = dir.path().join("rows.json");
    std::fs::write(
        &rows,
        r#"{"rows": [
          {"id": 1, "v": [1, 0], "g": "POINT (1 2)", "ts": "2025-01-31T08:30:00+08:00",
           "text": "a rose", "chunks": [{"t": "x", "e": [0.5, 1]}, {"e": [2, 3], "t": "y"}]},
          {"id": 2, "v": [0, 1], "g": null, "ts": "2025-02-01", "text": "is", "chunks": []}]}"#,
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = crate::util::vecload(&data, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["collection", "create", schema.to_str().unwrap()]);
    run(&["import", "-c", "docs", rows.to_str().unwrap()]);
    let got: serde_json::Value =
        serde_json::from_str(&run(&["--json", "query", "docs", "--ids", "1,2"])).unwrap();
    assert_eq!(
        got,
        json!([
            {"id": 1, "v": [1.0, 0.0], "g": "POINT(1 2)", "ts": "2025-01-31T00:30:00.000000Z",
             "text": "a rose",
             "chunks": [{"t": "x", "e": [0.5, 1.0]}, {"t": "y", "e": [2.0, 3.0]}]},
            {"id": 2, "v": [0.0, 1.0], "g": null, "ts": "2025-02-01T00:00:00.000000Z",
             "text": "is", "chunks": []}
        ])
    );
    let got: serde_json::Value = serde_json::from_str(&run(&[
        "--json",
        "query",
        "docs",
        "--filter",
        "ts >= \"2025-02-01T00:00:00.000000Z\"",
    ]))
    .unwrap();
    assert_eq!(got[0]["id"], 2, "{got}");
    assert_eq!(got.as_array().map(Vec::len), Some(1), "{got}");
    let hits: serde_json::Value = serde_json::from_str(&run(&[
        "--json",
        "search",
        "docs",
        "--vector",
        "[0, 1]",
        "--output-fields",
        "ts,g",
    ]))
    .unwrap();
    assert_eq!(hits[0]["id"], 2, "{hits}");
    assert_eq!(hits[0]["ts"], "2025-02-01T00:00:00.000000Z", "{hits}");
    // The function's output is not searchable, and given in a file it is refused.
    let out = crate::util::vecload(
        &data,
        &["search", "docs", "--field", "sparse", "--vector", "[1]"],
    );
    assert!(!out.status.success());
    std::fs::write(
        &rows,
        r#"[{"id": 3, "v": [1, 0], "g": null, "ts": "2025-01-01", "text": "t",
             "chunks": [], "sparse": {"1": 0.5}}]"#,
    )
    .unwrap();
    let out = crate::util::vecload(&data, &["import", "-c", "docs", rows.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("field \"sparse\"") && err.contains("output of function \"bm25\""),
        "{err}"
    );
}

/// Issue 14 defect 1 on the CLI: `query --filter` nested 5,000 parentheses deep aborted the
/// process (stack overflow). It is a usage error (exit 2) naming the limit and the depth.
#[test]
fn a_deeply_nested_filter_is_a_usage_error_on_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = crate::util::repo().join("data/book/schema.json");
    let out = crate::util::vecload(&data, &["collection", "create", schema.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let deep = format!("{}book_id == 101{}", "(".repeat(5000), ")".repeat(5000));
    let out = crate::util::vecload(&data, &["query", "book", "--filter", &deep]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for w in ["nesting", "128", "5000"] {
        assert!(stderr.contains(w), "{w:?} not in {stderr}");
    }
    // The engine's caps are usage errors too.
    let out = crate::util::vecload(
        &data,
        &[
            "query",
            "book",
            "--filter",
            "book_id > 0",
            "--limit",
            "16385",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("limit + offset must be at most 16384, found 16385"),
        "{stderr}"
    );
}

/// Issue 15 through the CLI: book.json into partition 2022, then book_props.json (ids 101..105
/// again, with `book_props`) into `_default`: each key once, the newer row; `--offset`, `-p`,
/// `search --filter`, and a typed filter error with the field and both types.
#[test]
fn filters_pages_partitions_and_the_newest_row_on_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let repo = crate::util::repo();
    let run = |args: &[&str]| {
        let out = crate::util::vecload(&data, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stdout, stderr)
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let (code, out, err) = run(&a);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    let schema = repo.join("data/book/schema.json");
    assert_eq!(
        run(&["collection", "create", schema.to_str().unwrap()]).0,
        Some(0)
    );
    assert_eq!(run(&["partition", "create", "book", "2022"]).0, Some(0));
    let book = repo.join("data/book/book.json");
    let props = repo.join("data/book/book_props.json");
    assert_eq!(
        run(&["import", "-c", "book", "-p", "2022", book.to_str().unwrap()]).0,
        Some(0)
    );
    assert_eq!(
        run(&["import", "-c", "book", props.to_str().unwrap()]).0,
        Some(0)
    );

    let ids = |v: &serde_json::Value, key: &str| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_i64().unwrap())
            .collect()
    };
    let all = json(&["query", "book", "--filter", "book_id > 0"]);
    assert_eq!(
        ids(&all, "book_id"),
        [101, 102, 103, 104, 105],
        "each key once"
    );
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|r| r["book_props"].is_object()),
        "{all}"
    );
    let by_id = json(&["query", "book", "--ids", "103"]);
    assert_eq!(by_id.as_array().unwrap().len(), 1, "{by_id}");
    let page = json(&[
        "query",
        "book",
        "--filter",
        "book_id > 0",
        "--limit",
        "2",
        "--offset",
        "2",
    ]);
    assert_eq!(ids(&page, "book_id"), [103, 104]);
    // The newer rows in _default hide the 2022 ones.
    let old = json(&["query", "book", "--filter", "book_id > 0", "-p", "2022"]);
    assert_eq!(ids(&old, "book_id"), Vec::<i64>::new());
    let both = json(&[
        "query",
        "book",
        "--filter",
        "book_id > 0",
        "-p",
        "2022",
        "-p",
        "_default",
    ]);
    assert_eq!(both.as_array().unwrap().len(), 5);
    let both = json(&[
        "query",
        "book",
        "--filter",
        "book_props[\"year\"] > 2017",
        "-p",
        "2022,_default",
    ]);
    assert!(!both.as_array().unwrap().is_empty(), "{both}");
    let (code, _, err) = run(&["query", "book", "--filter", "book_id > 0", "-p", "nope"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("nope"), "{err}");

    let hits = json(&["search", "book", "--vector", "[5.0, 5.1]", "--limit", "2"]);
    assert_eq!(ids(&hits, "id"), [105, 104]);
    let hits = json(&[
        "search",
        "book",
        "--vector",
        "[5.0, 5.1]",
        "--limit",
        "2",
        "--filter",
        "word_count < 30",
    ]);
    assert!(ids(&hits, "id").iter().all(|id| *id != 105), "{hits}");
    // Exit codes are the CLI's (docs/cli.md): here only that the command fails.
    let (code, _, err) = run(&["query", "book", "--filter", "book_id == \"x\""]);
    assert_ne!(code, Some(0), "{err}");
    assert!(
        err.contains("field book_id is Int64, the value \"x\" is a string"),
        "{err}"
    );
    let (code, _, err) = run(&["query", "book", "--filter", "book_id in (1)"]);
    assert_ne!(code, Some(0), "{err}");
    assert!(
        err.contains("at byte 11: expected '['") && !err.contains("Some("),
        "{err}"
    );
}
