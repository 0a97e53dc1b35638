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
