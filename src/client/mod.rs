//! A typed blocking client of vecload's REST API (docs/http-api.md): what `vecload --server URL`
//! sends. Answers come back as the engine's shapes (task JSON, schemas, rows), so a front end
//! prints them as it prints the embedded engine's.

mod api;
mod describe;

use std::time::Duration;

use serde_json::Value;

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
    /// `filter`.
    pub filter: Option<String>,
    /// `partitionNames`.
    pub partitions: Option<Vec<String>>,
}

/// The body of an `entities/query` request.
#[derive(Debug, Clone)]
pub struct QueryBody {
    /// Collection.
    pub collection: String,
    /// `filter`.
    pub filter: String,
    /// `outputFields`.
    pub output: Option<Vec<String>>,
    /// `limit`.
    pub limit: usize,
    /// `offset`.
    pub offset: usize,
    /// `partitionNames`.
    pub partitions: Option<Vec<String>>,
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

    /// Sends `req` with the token; an unreachable server is [`ClientError::Unreachable`].
    fn transmit(
        &self,
        req: reqwest::blocking::RequestBuilder,
    ) -> Result<reqwest::blocking::Response, ClientError> {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        req.send().map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            detail: error_chain(&e),
        })
    }

    fn send(
        &self,
        req: reqwest::blocking::RequestBuilder,
        path: &str,
    ) -> Result<Value, ClientError> {
        let resp = self.transmit(req)?;
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
