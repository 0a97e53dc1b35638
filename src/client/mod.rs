//! A typed blocking client of vecload's REST API (docs/http-api.md): what `vecload --server URL`
//! sends. Answers come back as the engine's shapes (task JSON, schemas, rows), so a front end
//! prints them as it prints the embedded engine's.

mod describe;

use std::time::Duration;

use serde_json::{Value, json};

pub use describe::schema_of_describe;

/// Milvus error codes the client reads (docs/http-api.md).
mod code {
    pub const COLLECTION_NOT_FOUND: i64 = 100;
    pub const PARTITION_NOT_FOUND: i64 = 200;
    pub const INVALID_PARAMETER: i64 = 1100;
    pub const UNAUTHENTICATED: i64 = 1800;
    pub const MALFORMED_JSON: i64 = 1801;
    pub const MISSING_PARAMETER: i64 = 1802;
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("cannot reach the vecload server at {url}: {detail}")]
    Unreachable {
        /// The server's URL.
        url: String,
        /// What failed.
        detail: String,
    },
    /// The URL is not `http://` or `https://`.
    #[error("invalid server URL \"{0}\": expected http://HOST:PORT or https://HOST:PORT")]
    BadUrl(String),
    /// The server says the thing asked for does not exist (codes 100 and 200, an unknown task).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what exists (a name taken, a task already ended).
    #[error("{0}")]
    Conflict(String),
    /// The server refused the request as invalid (codes 1100, 1801, 1802).
    #[error("{0}")]
    Invalid(String),
    /// The token is missing or wrong (code 1800).
    #[error("the server refused the token: {0}")]
    Unauthenticated(String),
    /// Another refusal, with the server's code.
    #[error("{message} (code {code})")]
    Failed {
        /// Milvus error code.
        code: i64,
        /// The server's message.
        message: String,
    },
    /// The answer is not what the API promises.
    #[error("unexpected answer from {path}: {detail}")]
    Protocol {
        /// The endpoint.
        path: String,
        /// What was wrong.
        detail: String,
    },
}

/// A refusal as the server coded it.
fn refusal(code: i64, message: String) -> ClientError {
    match code {
        code::COLLECTION_NOT_FOUND | code::PARTITION_NOT_FOUND => ClientError::NotFound(message),
        code::INVALID_PARAMETER | code::MALFORMED_JSON | code::MISSING_PARAMETER => {
            ClientError::Invalid(message)
        }
        code::UNAUTHENTICATED => ClientError::Unauthenticated(message),
        code => ClientError::Failed { code, message },
    }
}

/// A client of one server.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

/// What `import` sends (`jobs/import/create`): one unit of files, its partition and options.
#[derive(Debug, Clone, Default)]
pub struct ImportBody {
    /// Collection.
    pub collection: String,
    /// Partition, if named.
    pub partition: Option<String>,
    /// The files of the one unit, relative to the server's storage root.
    pub files: Vec<String>,
    /// `options` (strings: `sep`, `nullkey`, ...).
    pub options: serde_json::Map<String, Value>,
    /// Sent as the `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
}

/// A search (`entities/search`) of one vector.
#[derive(Debug, Clone, Default)]
pub struct SearchBody {
    /// Collection.
    pub collection: String,
    /// The query vector.
    pub vector: Vec<f32>,
    /// `annsField`.
    pub field: Option<String>,
    /// `searchParams.metricType`.
    pub metric: Option<String>,
    /// `limit`.
    pub limit: usize,
    /// `outputFields`.
    pub output: Option<Vec<String>>,
}

impl Client {
    /// A client of the server at `url` (`http://HOST:PORT` or `https://...`), sending `token`
    /// as `Authorization: Bearer` when given.
    pub fn new(url: &str, token: Option<String>) -> Result<Client, ClientError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ClientError::BadUrl(url.to_string()));
        }
        // reqwest's rustls needs one process-wide crypto provider, also for http URLs; a
        // second install is refused and the first stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: url.to_string(),
                detail: e.to_string(),
            })?;
        Ok(Client {
            base: url.trim_end_matches('/').to_string(),
            token: token.filter(|t| !t.is_empty()),
            http,
        })
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn send(
        &self,
        req: reqwest::blocking::RequestBuilder,
        path: &str,
    ) -> Result<Value, ClientError> {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })?;
        let status = resp.status();
        let bytes = resp.bytes().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })?;
        let protocol = |detail: String| ClientError::Protocol {
            path: path.to_string(),
            detail,
        };
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            protocol(format!("HTTP {status}, not JSON ({e}): {text}"))
        })?;
        match v.get("code").and_then(Value::as_i64) {
            // `/v1/tasks` answers the task JSON itself.
            None if status.is_success() => Ok(v),
            Some(0) => Ok(v.get("data").cloned().unwrap_or(Value::Null)),
            Some(code) => {
                let message = (v.get("message").and_then(Value::as_str)).unwrap_or_default();
                Err(refusal(code, message.to_string()))
            }
            None => Err(protocol(format!("HTTP {status}: {v}"))),
        }
    }

    /// `POST /v2/vectordb/{route}` with `body`; the answer's `data`.
    pub fn post(&self, route: &str, body: &Value) -> Result<Value, ClientError> {
        let path = format!("/v2/vectordb/{route}");
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .json_body(body);
        self.send(req, &path)
    }

    /// `GET path` (the `/v1` task view).
    pub fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.send(self.http.get(format!("{}{path}", self.base)), path)
    }

    /// Creates a collection from a schema file's bytes; its name. A name already taken is a
    /// [`ClientError::Conflict`].
    pub fn create_collection(&self, schema: &[u8]) -> Result<String, ClientError> {
        let body: Value = serde_json::from_slice(schema)
            .map_err(|e| ClientError::Invalid(format!("schema file is not valid JSON: {e}")))?;
        let name = (body.get("collectionName").and_then(Value::as_str))
            .ok_or_else(|| {
                ClientError::Invalid("schema: \"collectionName\" (a string) is required".into())
            })?
            .to_string();
        if self.list_collections()?.contains(&name) {
            return Err(ClientError::Conflict(format!(
                "collection \"{name}\" already exists"
            )));
        }
        self.post("collections/create", &body)?;
        Ok(name)
    }

    /// Collection names.
    pub fn list_collections(&self) -> Result<Vec<String>, ClientError> {
        let v = self.post("collections/list", &json!({}))?;
        strings(&v, "collections/list")
    }

    /// `collections/describe`, as Milvus shapes it.
    pub fn describe_collection(&self, name: &str) -> Result<Value, ClientError> {
        self.post("collections/describe", &json!({"collectionName": name}))
    }

    /// Drops a collection.
    pub fn drop_collection(&self, name: &str) -> Result<(), ClientError> {
        self.describe_collection(name)?;
        self.post("collections/drop", &json!({"collectionName": name}))?;
        Ok(())
    }

    /// Creates a partition; a name already taken is a [`ClientError::Conflict`].
    pub fn create_partition(&self, collection: &str, partition: &str) -> Result<(), ClientError> {
        if self
            .list_partitions(collection)?
            .iter()
            .any(|p| p == partition)
        {
            return Err(ClientError::Conflict(format!(
                "partition \"{partition}\" already exists in collection \"{collection}\""
            )));
        }
        let body = json!({"collectionName": collection, "partitionName": partition});
        self.post("partitions/create", &body)?;
        Ok(())
    }

    /// Partition names.
    pub fn list_partitions(&self, collection: &str) -> Result<Vec<String>, ClientError> {
        let v = self.post("partitions/list", &json!({"collectionName": collection}))?;
        strings(&v, "partitions/list")
    }

    /// Visible rows of a collection, or of one of its partitions (`*/get_stats`).
    pub fn count(&self, collection: &str, partition: Option<&str>) -> Result<u64, ClientError> {
        let (route, body) = match partition {
            Some(p) => (
                "partitions/get_stats",
                json!({"collectionName": collection, "partitionName": p}),
            ),
            None => (
                "collections/get_stats",
                json!({"collectionName": collection}),
            ),
        };
        let v = self.post(route, &body)?;
        let n = v.get("rowCount").and_then(|n| match n {
            Value::String(s) => s.parse().ok(),
            n => n.as_u64(),
        });
        n.ok_or_else(|| ClientError::Protocol {
            path: route.into(),
            detail: format!("no rowCount in {v}"),
        })
    }

    /// Starts an import job of one unit; the job's id (its first task's id).
    pub fn import(&self, req: &ImportBody) -> Result<u64, ClientError> {
        let mut body = json!({"collectionName": req.collection, "files": [req.files]});
        if let Some(p) = &req.partition {
            body["partitionName"] = json!(p);
        }
        if !req.options.is_empty() {
            body["options"] = Value::Object(req.options.clone());
        }
        let path = "/v2/vectordb/jobs/import/create";
        let mut http = self
            .http
            .post(format!("{}{path}", self.base))
            .json_body(&body);
        if let Some(key) = &req.idempotency_key {
            http = http.header("Idempotency-Key", key);
        }
        let v = self.send(http, path)?;
        let id = v.get("jobId").and_then(|id| match id {
            Value::String(s) => s.parse().ok(),
            id => id.as_u64(),
        });
        id.ok_or_else(|| ClientError::Protocol {
            path: "jobs/import/create".into(),
            detail: format!("no jobId in {v}"),
        })
    }

    /// `jobs/import/describe`: state, progress, `importedRows`, `totalRows`, `details`.
    pub fn describe_job(&self, id: u64) -> Result<Value, ClientError> {
        self.post("jobs/import/describe", &json!({"jobId": id.to_string()}))
    }

    /// One task's JSON (`GET /v1/tasks/{id}`), as `vecload state --json` prints it.
    pub fn task(&self, id: u64) -> Result<Value, ClientError> {
        // The id is the only parameter: a refusal here means no such task.
        match self.get(&format!("/v1/tasks/{id}")) {
            Err(ClientError::Invalid(m) | ClientError::Failed { message: m, .. }) => {
                Err(ClientError::NotFound(m))
            }
            r => r,
        }
    }

    /// Tasks oldest first, the newest `limit` (`GET /v1/tasks`).
    pub fn tasks(
        &self,
        collection: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<Value>, ClientError> {
        let mut query = Vec::new();
        if let Some(c) = collection {
            query.push(format!("collection={c}"));
        }
        if let Some(n) = limit {
            query.push(format!("limit={n}"));
        }
        let path = format!("/v1/tasks?{}", query.join("&"));
        match self.get(&path)? {
            Value::Array(tasks) => Ok(tasks),
            v => Err(ClientError::Protocol {
                path,
                detail: format!("expected a list, found {v}"),
            }),
        }
    }

    /// Aborts the job holding task `id` (`jobs/import/abort`); the task afterwards. A task
    /// that already ended is a [`ClientError::Conflict`].
    pub fn cancel(&self, id: u64) -> Result<Value, ClientError> {
        self.task(id)?;
        match self.post("jobs/import/abort", &json!({"jobId": id.to_string()})) {
            Err(ClientError::Failed { message, .. }) => Err(ClientError::Conflict(message)),
            r => r,
        }?;
        self.task(id)
    }

    /// A task's rejected rows, JSON Lines (`GET /v1/tasks/{id}/rejects`).
    pub fn rejects(&self, id: u64) -> Result<String, ClientError> {
        let path = format!("/v1/tasks/{id}/rejects");
        let req = self.http.get(format!("{}{path}", self.base));
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })?;
        let json = (resp.headers().get(reqwest::header::CONTENT_TYPE))
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let text = resp.text().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })?;
        let refused = (json
            .then(|| serde_json::from_str::<Value>(&text).ok())
            .flatten())
        .filter(|v| {
            v.get("code")
                .and_then(Value::as_i64)
                .is_some_and(|c| c != 0)
        });
        if let Some(v) = refused {
            let code = v["code"].as_i64().unwrap_or_default();
            let message = v["message"].as_str().unwrap_or_default().to_string();
            return Err(match refusal(code, message) {
                ClientError::Invalid(m) => ClientError::NotFound(m),
                e => e,
            });
        }
        Ok(text)
    }

    /// Rows matching `filter` (`entities/query`).
    pub fn query(
        &self,
        collection: &str,
        filter: &str,
        output: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Value>, ClientError> {
        let mut body = json!({"collectionName": collection, "filter": filter, "limit": limit});
        if let Some(o) = output {
            body["outputFields"] = json!(o);
        }
        let v = self.post("entities/query", &body)?;
        rows(v, "entities/query")
    }

    /// Hits of one vector, best first, each `{"id", "distance", <fields>}` as the CLI prints
    /// them. `pk` is the collection's primary-key field (the server names the id by it).
    pub fn search(&self, req: &SearchBody, pk: &str) -> Result<Vec<Value>, ClientError> {
        let mut body =
            json!({"collectionName": req.collection, "data": [req.vector], "limit": req.limit});
        if let Some(f) = &req.field {
            body["annsField"] = json!(f);
        }
        if let Some(m) = &req.metric {
            body["searchParams"] = json!({"metricType": m});
        }
        if let Some(o) = &req.output {
            body["outputFields"] = json!(o);
        }
        let hits = rows(self.post("entities/search", &body)?, "entities/search")?;
        let wanted = |f: &str| {
            req.output
                .as_ref()
                .is_some_and(|o| o.iter().any(|x| x == f))
        };
        Ok(hits
            .into_iter()
            .map(|mut h| {
                let mut out = serde_json::Map::new();
                if let Some(m) = h.as_object_mut() {
                    let id = if wanted(pk) {
                        m.get(pk).cloned()
                    } else {
                        m.remove(pk)
                    };
                    out.insert("id".into(), id.unwrap_or(Value::Null));
                    out.insert(
                        "distance".into(),
                        m.remove("distance").unwrap_or(Value::Null),
                    );
                    out.extend(std::mem::take(m));
                }
                Value::Object(out)
            })
            .collect())
    }
}

/// `reqwest`'s error with its causes (the connection error is in a source).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(&format!(": {c}"));
        cur = c.source();
    }
    s
}

fn strings(v: &Value, path: &str) -> Result<Vec<String>, ClientError> {
    serde_json::from_value(v.clone()).map_err(|e| ClientError::Protocol {
        path: path.into(),
        detail: format!("expected a list of names: {e}"),
    })
}

fn rows(v: Value, path: &str) -> Result<Vec<Value>, ClientError> {
    match v {
        Value::Array(rows) => Ok(rows),
        v => Err(ClientError::Protocol {
            path: path.into(),
            detail: format!("expected a list of rows, found {v}"),
        }),
    }
}

/// A JSON body without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::blocking::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
    }
}
