//! Every body key of `entities/query` and `entities/search` honoured or refused: filters
//! with type errors, `offset`, `partitionNames`, `searchParams`, unknown keys.

use serde_json::json;

use super::{Fixture, assert_error};

/// `book` with book.json's five rows in partition `2022` and nothing in `_default`.
async fn in_2022() -> Fixture {
    let f = Fixture::new();
    f.book().await;
    let v = f
        .post(
            "partitions/create",
            json!({"collectionName": "book", "partitionName": "2022"}),
        )
        .await;
    assert_eq!(v["code"], 0, "{v}");
    let (_, job) = f
        .import(json!({"collectionName": "book", "partitionName": "2022",
                       "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    f
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    assert_eq!(v["code"], 0, "{v}");
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["book_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn query_pages_partitions_and_typed_filters() {
    let f = in_2022().await;
    let q = |body: serde_json::Value| {
        let mut b = json!({"collectionName": "book", "filter": "book_id > 0"});
        b.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        b
    };
    let v = f
        .post("entities/query", q(json!({"limit": 2, "offset": 1})))
        .await;
    assert_eq!(ids(&v), [102, 103]);
    let v = f
        .post("entities/query", q(json!({"partitionNames": ["2022"]})))
        .await;
    assert_eq!(ids(&v), [101, 102, 103, 104, 105]);
    let v = f
        .post("entities/query", q(json!({"partitionNames": ["_default"]})))
        .await;
    assert_eq!(ids(&v), Vec::<i64>::new());
    let v = f
        .post("entities/query", q(json!({"partitionNames": ["nope"]})))
        .await;
    assert_error(&v, 200, &["nope"]);
    let v = f
        .post("entities/query", q(json!({"limit": 16000, "offset": 385})))
        .await;
    assert_error(
        &v,
        1100,
        &["limit + offset must be at most 16384, found 16385"],
    );
    let v = f
        .post("entities/query", q(json!({"filter": "book_id == \"x\""})))
        .await;
    assert_error(&v, 1100, &["field book_id is Int64", "\"x\" is a string"]);
    let v = f
        .post("entities/query", q(json!({"filter": "book_id in [1, 2"})))
        .await;
    assert_error(&v, 1100, &["at byte 16", "expected ',' or ']'"]);
    // `book` keeps dynamic fields: an unknown name is a dynamic field no row has.
    let v = f
        .post("entities/query", q(json!({"filter": "nope == 1"})))
        .await;
    assert_eq!(ids(&v), Vec::<i64>::new());
    // Keys vecload does not implement: fine at their empty or default value only.
    let v = f
        .post(
            "entities/query",
            q(
                json!({"dbName": "default", "clusterId": "", "pageSize": null, "ids": [],
                     "consistencyLevel": "Strong", "filter": "word_count > 20"}),
            ),
        )
        .await;
    assert_eq!(ids(&v), [102, 105]);
    let v = f
        .post("entities/query", q(json!({"dbName": "other"})))
        .await;
    assert_error(&v, 1100, &["\"dbName\"", "\"other\""]);
    let v = f
        .post("entities/query", q(json!({"groupingField": "word_count"})))
        .await;
    assert_error(&v, 1100, &["\"groupingField\" is not supported"]);
    let v = f.post("entities/query", q(json!({"filter": ""}))).await;
    assert_eq!(ids(&v).len(), 5, "an empty filter selects every row");
}

#[tokio::test]
async fn search_filters_pages_and_checks_its_params() {
    let f = in_2022().await;
    let s = |body: serde_json::Value| {
        let mut b = json!({"collectionName": "book", "data": [[5.0, 5.1]], "limit": 2});
        b.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        b
    };
    let v = f.post("entities/search", s(json!({}))).await;
    assert_eq!(ids(&v), [105, 104]);
    let v = f
        .post("entities/search", s(json!({"filter": "book_id < 104"})))
        .await;
    assert_eq!(ids(&v), [103, 102], "the filter is honoured, not ignored");
    let v = f.post("entities/search", s(json!({"offset": 1}))).await;
    assert_eq!(ids(&v), [104, 103]);
    let v = f
        .post(
            "entities/search",
            s(json!({"partitionNames": ["_default"]})),
        )
        .await;
    assert_eq!(ids(&v), Vec::<i64>::new());
    let v = f
        .post("entities/search", s(json!({"partitionNames": ["2021"]})))
        .await;
    assert_error(&v, 200, &["2021"]);
    let v = f
        .post(
            "entities/search",
            s(json!({"annsField": "book_intro", "consistencyLevel": "Bounded",
                     "searchParams": {"metric_type": "IP",
                                      "params": {"nprobe": 16, "ef": 64, "search_list": 100, "level": 1}}})),
        )
        .await;
    assert_eq!(ids(&v), [105, 104]);
    let v = f
        .post(
            "entities/search",
            s(json!({"searchParams": {"metricType": "L2", "params": {"radius": 1.0}}})),
        )
        .await;
    assert_error(&v, 1100, &["radius", "range search"]);
    let v = f
        .post(
            "entities/search",
            s(json!({"searchParams": {"params": {"range_filter": 1.0}}})),
        )
        .await;
    assert_error(&v, 1100, &["range_filter"]);
    let v = f
        .post(
            "entities/search",
            s(json!({"searchParams": {"params": {"drop_ratio_search": 0.2}}})),
        )
        .await;
    assert_error(&v, 1100, &["searchParams.params.\"drop_ratio_search\""]);
    let v = f
        .post("entities/search", s(json!({"groupingField": "word_count"})))
        .await;
    assert_error(&v, 1100, &["groupingField"]);
    let v = f
        .post(
            "entities/search",
            s(json!({"filter": "word_count like 'a'"})),
        )
        .await;
    assert_error(&v, 1100, &["field word_count is Int64"]);
}
