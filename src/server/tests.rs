//! `oneshot` tests of [`app`]: every route's success shape and error shapes, driven through
//! the router in process (no socket), over an engine on a temp data directory that reads
//! import files from the repository (`data/book`). The routes are listed in
//! `docs/http-api.md`.

mod answers;
mod entities;
mod jobs;
mod lifecycle;
mod parity;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{AppState, app};
use crate::engine::{Engine, EngineOptions, ImportOptions};
use crate::source::LocalRoot;

/// A router over a fresh engine; the temp directory lives as long as the fixture.
struct Fixture {
    app: Router,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with(None, |_| {})
    }

    /// With a required token and changed options.
    fn with(token: Option<&str>, tune: impl FnOnce(&mut EngineOptions)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = EngineOptions {
            storage: LocalRoot::confined(env!("CARGO_MANIFEST_DIR")).into(),
            import: ImportOptions {
                workers: 1,
                max_parallel_tasks: 1,
                ..ImportOptions::default()
            },
            ..EngineOptions::default()
        };
        tune(&mut opts);
        let engine = Arc::new(Engine::open(dir.path().join("data"), opts).unwrap());
        let app = app(AppState {
            engine: engine.clone(),
            token: token.map(str::to_string),
        });
        Fixture {
            app,
            engine,
            _dir: dir,
        }
    }

    /// Sends one request; returns the status and the body as JSON (`Value::String` of the
    /// raw text when it is not JSON).
    async fn call(
        &self,
        method: &str,
        uri: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Body::from(body.to_string())).unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// POSTs `body` to `/v2/vectordb/{route}`; the answer must be HTTP 200.
    async fn post(&self, route: &str, body: Value) -> Value {
        self.post_raw(route, &body.to_string()).await
    }

    async fn post_raw(&self, route: &str, body: &str) -> Value {
        let (status, v) = self
            .call("POST", &format!("/v2/vectordb/{route}"), body, &[])
            .await;
        assert_eq!(status, StatusCode::OK, "{route}: {v}");
        v
    }

    /// GET of a `/v1/tasks` route; the answer must be HTTP 200.
    async fn get(&self, uri: &str) -> Value {
        let (status, v) = self.call("GET", uri, "", &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
        v
    }

    /// Creates the `book` collection of `data/book/schema.json`.
    async fn book(&self) {
        let schema = std::fs::read_to_string(repo_file("data/book/schema.json")).unwrap();
        let v = self.post_raw("collections/create", &schema).await;
        assert_eq!(v, json!({"code": 0, "data": {}}));
    }

    /// Creates an import job and waits until it is Completed or Failed; returns
    /// `(jobId, describe's data)`.
    async fn import(&self, body: Value) -> (String, Value) {
        let v = self.post("jobs/import/create", body).await;
        assert_eq!(v["code"], 0, "{v}");
        let id = v["data"]["jobId"].as_str().unwrap().to_string();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let d = self
                .post("jobs/import/describe", json!({"jobId": id}))
                .await;
            assert_eq!(d["code"], 0, "{d}");
            let state = d["data"]["state"].as_str().unwrap().to_string();
            if state == "Completed" || state == "Failed" {
                return (id, d["data"].clone());
            }
            assert!(Instant::now() < deadline, "job {id} stuck: {d}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn repo_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Asserts a Milvus error body: `code` and a message containing each of `words`.
#[track_caller]
fn assert_error(v: &Value, code: i32, words: &[&str]) {
    assert_eq!(v["code"], code, "{v}");
    let message = v["message"].as_str().unwrap_or_default();
    for w in words {
        assert!(message.contains(w), "message lacks {w:?}: {v}");
    }
    assert!(v.get("data").is_none(), "an error has no data: {v}");
}

#[tokio::test]
async fn collections_create_list_describe_drop() {
    let f = Fixture::new();
    assert_eq!(
        f.post("collections/list", json!({})).await,
        json!({"code": 0, "data": []})
    );
    f.book().await;
    assert_eq!(
        f.post("collections/list", json!({})).await,
        json!({"code": 0, "data": ["book"]})
    );
    let d = f
        .post("collections/describe", json!({"collectionName": "book"}))
        .await;
    assert_eq!(d["code"], 0, "{d}");
    let d = &d["data"];
    assert_eq!(
        (&d["collectionName"], &d["autoId"], &d["enableDynamicField"]),
        (&json!("book"), &json!(false), &json!(true))
    );
    assert_eq!(
        (&d["shardsNum"], &d["rowCount"], &d["partitions"]),
        (&json!(1), &json!(0), &json!(["_default"]))
    );
    let names: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["book_id", "word_count", "book_intro"]);
    assert_eq!(d["fields"][0]["primaryKey"], true);
    assert_eq!(d["fields"][0]["type"], "Int64");
    assert_eq!(d["fields"][2]["type"], "FloatVector");
    assert_eq!(d["fields"][2]["params"]["dim"], 2);
    assert_eq!(
        f.post("collections/drop", json!({"collectionName": "book"}))
            .await,
        json!({"code": 0, "data": {}})
    );
    assert_eq!(
        f.post("collections/list", json!({})).await["data"],
        json!([])
    );
}

#[tokio::test]
async fn collection_errors_carry_milvus_codes() {
    let f = Fixture::new();
    f.book().await;
    let schema = std::fs::read_to_string(repo_file("data/book/schema.json")).unwrap();
    let again = f.post_raw("collections/create", &schema).await;
    assert_error(&again, 1100, &["book", "already exists"]);
    let no_pk = json!({"collectionName": "c", "schema": {"fields": [
        {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}});
    let v = f.post("collections/create", no_pk).await;
    assert_error(&v, 1100, &["isPrimary"]);
    let bad_type = json!({"collectionName": "c", "schema": {"fields": [
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "v", "dataType": "Vector", "elementTypeParams": {"dim": 2}}]}});
    let v = f.post("collections/create", bad_type).await;
    assert_error(&v, 1100, &["\"v\"", "unknown dataType \"Vector\""]);
    for route in ["collections/describe", "collections/drop"] {
        let v = f.post(route, json!({"collectionName": "nope"})).await;
        assert_error(&v, 100, &["collection not found", "nope"]);
        let v = f.post(route, json!({})).await;
        assert_error(&v, 1802, &["collectionName"]);
        let v = f.post(route, json!({"collectionName": 5})).await;
        assert_error(&v, 1801, &["collectionName", "a string"]);
    }
    let v = f.post_raw("collections/list", "{not json").await;
    assert_error(&v, 1801, &["can only accept json format request"]);
    let v = f.post_raw("collections/describe", "[1, 2]").await;
    assert_error(&v, 1801, &["expected an object"]);
}

#[tokio::test]
async fn partitions_create_and_list() {
    let f = Fixture::new();
    f.book().await;
    let v = f
        .post(
            "partitions/create",
            json!({"collectionName": "book", "partitionName": "2022"}),
        )
        .await;
    assert_eq!(v, json!({"code": 0, "data": {}}));
    let v = f
        .post("partitions/list", json!({"collectionName": "book"}))
        .await;
    assert_eq!(v, json!({"code": 0, "data": ["_default", "2022"]}));

    let again = json!({"collectionName": "book", "partitionName": "2022"});
    let v = f.post("partitions/create", again).await;
    assert_error(&v, 1100, &["2022", "already exists"]);
    let v = f
        .post(
            "partitions/create",
            json!({"collectionName": "nope", "partitionName": "p"}),
        )
        .await;
    assert_error(&v, 100, &["nope"]);
    let v = f
        .post("partitions/create", json!({"collectionName": "book"}))
        .await;
    assert_error(&v, 1802, &["partitionName"]);
    let v = f
        .post("partitions/list", json!({"collectionName": "nope"}))
        .await;
    assert_error(&v, 100, &["nope"]);
}

#[tokio::test]
async fn a_configured_token_is_required_on_every_route() {
    let f = Fixture::with(Some("root:Milvus"), |_| {});
    let routes = [
        ("POST", "/v2/vectordb/collections/list"),
        ("POST", "/v2/vectordb/jobs/import/list"),
        ("GET", "/v1/tasks"),
        ("GET", "/v1/tasks/1"),
    ];
    for (method, uri) in routes {
        for bad in [None, Some("Bearer wrong"), Some("root:Milvus")] {
            let headers: Vec<(&str, &str)> =
                bad.map(|b| ("authorization", b)).into_iter().collect();
            let (status, v) = f.call(method, uri, "{}", &headers).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri} {bad:?}");
            assert_eq!(
                v,
                json!({"code": 1800, "message": "user hasn't authenticated"})
            );
        }
    }
    let ok = [("authorization", "Bearer root:Milvus")];
    let (status, v) = f
        .call("POST", "/v2/vectordb/collections/list", "{}", &ok)
        .await;
    assert_eq!(
        (status, v),
        (StatusCode::OK, json!({"code": 0, "data": []}))
    );
    let (status, v) = f.call("GET", "/v1/tasks", "", &ok).await;
    assert_eq!((status, v), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn without_a_token_any_credentials_are_accepted() {
    let f = Fixture::new();
    let (status, v) = f
        .call(
            "POST",
            "/v2/vectordb/collections/list",
            "",
            &[("authorization", "Bearer anything")],
        )
        .await;
    assert_eq!(
        (status, v),
        (StatusCode::OK, json!({"code": 0, "data": []}))
    );
}

#[tokio::test]
async fn unknown_actions_and_routes() {
    let f = Fixture::new();
    let v = f.post("collections/rename", json!({})).await;
    assert_error(
        &v,
        1100,
        &["unknown endpoint /v2/vectordb/collections/rename"],
    );
    let v = f.post("jobs/import/frobnicate", json!({})).await;
    assert_error(
        &v,
        1100,
        &["unknown endpoint /v2/vectordb/jobs/import/frobnicate"],
    );
    // Paths the router does not know, and a method it does not serve.
    let (status, _) = f.call("POST", "/v2/vectordb/collections", "{}", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = f
        .call("GET", "/v2/vectordb/collections/list", "", &[])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}
