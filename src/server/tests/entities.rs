//! Query and search (`/v2/vectordb/entities/*`) over an imported `book` collection.

use serde_json::json;

use super::{Fixture, assert_error};

async fn imported() -> Fixture {
    let f = Fixture::new();
    f.book().await;
    let (_, job) = f
        .import(json!({"collectionName": "book", "files": [["data/book/book.json"]]}))
        .await;
    assert_eq!(job["state"], "Completed", "{job}");
    f
}

#[tokio::test]
async fn query_by_filter() {
    let f = imported().await;
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "book", "filter": "book_id in [102, 104]"}),
        )
        .await;
    assert_eq!(
        v,
        json!({"code": 0, "data": [
            {"book_id": 102, "word_count": 25, "book_intro": [2.1, 2.2]},
            {"book_id": 104, "word_count": 12, "book_intro": [4.1, 4.2]}]})
    );
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "book", "filter": "word_count > 10",
                   "outputFields": ["word_count"], "limit": 2}),
        )
        .await;
    assert_eq!(
        v["data"],
        json!([{"book_id": 101, "word_count": 13}, {"book_id": 102, "word_count": 25}])
    );
}

#[tokio::test]
async fn query_errors() {
    let f = imported().await;
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "nope", "filter": "book_id > 0"}),
        )
        .await;
    assert_error(&v, 100, &["nope"]);
    let v = f
        .post("entities/query", json!({"collectionName": "book"}))
        .await;
    assert_error(&v, 1802, &["filter"]);
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "book", "filter": "book_id >"}),
        )
        .await;
    assert_error(&v, 1100, &["invalid query"]);
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "book", "filter": "book_id > 0", "limit": -1}),
        )
        .await;
    assert_error(&v, 1801, &["limit"]);
    let v = f
        .post(
            "entities/query",
            json!({"collectionName": "book", "filter": "book_id > 0", "outputFields": "word_count"}),
        )
        .await;
    assert_error(&v, 1801, &["outputFields"]);
}

#[tokio::test]
async fn search_nearest_first() {
    let f = imported().await;
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": [[5.0, 5.1]], "limit": 2,
                   "outputFields": ["word_count"]}),
        )
        .await;
    assert_eq!(v["code"], 0, "{v}");
    let hits = v["data"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (&hits[0]["book_id"], &hits[0]["word_count"]),
        (&json!(105), &json!(34))
    );
    assert_eq!(hits[1]["book_id"], 104);
    let (d0, d1) = (
        hits[0]["distance"].as_f64().unwrap(),
        hits[1]["distance"].as_f64().unwrap(),
    );
    assert!(
        (d0 - 0.02).abs() < 1e-5 && d0 < d1,
        "L2 (squared) by default: {v}"
    );
    // Two query vectors: their hits one after the other.
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": [[1.0, 1.0], [5.0, 5.0]], "limit": 1,
                   "annsField": "book_intro", "searchParams": {"metricType": "L2"}}),
        )
        .await;
    let ids: Vec<_> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["book_id"].clone())
        .collect();
    assert_eq!(ids, [json!(101), json!(105)], "{v}");
}

#[tokio::test]
async fn search_errors() {
    let f = imported().await;
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "nope", "data": [[1.0, 1.0]]}),
        )
        .await;
    assert_error(&v, 100, &["nope"]);
    let v = f
        .post("entities/search", json!({"collectionName": "book"}))
        .await;
    assert_error(&v, 1802, &["data"]);
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": ["x"]}),
        )
        .await;
    assert_error(&v, 1801, &["\"data\" must be a list of vectors"]);
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": [[1.0, 1.0]], "searchParams": {"metricType": "XX"}}),
        )
        .await;
    assert_error(&v, 1100, &["unknown metric \"XX\""]);
    let v = f
        .post(
            "entities/search",
            json!({"collectionName": "book", "data": [[1.0, 1.0, 1.0]]}),
        )
        .await;
    assert_error(&v, 1100, &["needs 2 values, got 3"]);
}
