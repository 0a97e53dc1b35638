//! The HTTP service (docs/http-api.md): the only module that knows axum.
//!
//! Milvus RESTful v2 shapes: every endpoint is a `POST` with a JSON body, answered with
//! HTTP 200 and `{"code":0,"data":...}` or `{"code":N,"message":"..."}`; 401 when a token is
//! configured and missing. Engine calls run on the blocking pool, off the async executor.

mod conn;
mod dto;
mod entities;
mod error;
mod grpc;
mod jobs;
mod routes;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub use error::{ApiError, MilvusCode, code};

use crate::engine::Engine;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Bearer token required on every request, when set.
    pub token: Option<String>,
}

impl AppState {
    fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given == Some(token.as_str()) {
            Ok(())
        } else {
            Err(ApiError::unauthenticated())
        }
    }
}

/// The largest request body (INTERFACE 4): 64 MiB; a larger one is answered HTTP 413.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The router. Every answer is Milvus JSON, also an unknown path (404), a method a route
/// does not serve (405), a body over [`MAX_BODY_BYTES`] (413) and a bad path parameter (400).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v2/vectordb/{group}/{action}", post(v2))
        .route("/v2/vectordb/jobs/import/{action}", post(v2_import))
        .route("/v1/tasks/{id}", get(task))
        .route("/v1/tasks/{id}/rejects", get(rejects))
        .route("/v1/tasks", get(tasks))
        .route(grpc::SERVICE_PATH, post(grpc::call))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(as_milvus_json))
        .layer(axum::middleware::from_fn(log_request))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    let message = format!("no such endpoint: {}", uri.path());
    ApiError::new(code::INVALID_PARAMETER, message).with_status(StatusCode::NOT_FOUND)
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let message = format!(
        "method {method} is not served on {} (the /v2/vectordb endpoints take POST, /v1/tasks GET)",
        uri.path()
    );
    ApiError::new(code::INVALID_PARAMETER, message).with_status(StatusCode::METHOD_NOT_ALLOWED)
}

/// Logs each request as a `tracing` event (target `vecload::server`): method, path, HTTP
/// status, Milvus code (0 on success) and milliseconds; an answer with a non-zero code is a
/// warning.
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let status = resp.status().as_u16();
    let code = resp.extensions().get::<MilvusCode>().map_or(0, |c| c.0);
    if code == 0 && status < 400 {
        tracing::info!(%method, path, status, code, ms, "request");
    } else {
        tracing::warn!(%method, path, status, code, ms, "request");
    }
    resp
}

/// Turns the plain-text error answers of axum's extractors (a body over the limit, a path
/// parameter that does not parse) into Milvus JSON with the same status.
async fn as_milvus_json(resp: Response) -> Response {
    let status = resp.status();
    let json = (resp.headers().get(header::CONTENT_TYPE))
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.is_success() || json {
        return resp;
    }
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!("request body too large: the limit is 64 MiB ({MAX_BODY_BYTES} bytes)")
    } else {
        let text = axum::body::to_bytes(resp.into_body(), 64 << 10).await;
        String::from_utf8_lossy(&text.unwrap_or_default()).into_owned()
    };
    (ApiError::new(code::INVALID_PARAMETER, message).with_status(status)).into_response()
}

async fn answer(state: AppState, headers: HeaderMap, route: String, body: Bytes) -> Response {
    if let Err(e) = state.check(&headers) {
        return e.into_response();
    }
    let engine = state.engine.clone();
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() => Some(k.trim().to_string()),
        Some(_) => {
            let message =
                "invalid parameter \"Idempotency-Key\": the header must be visible ASCII text";
            return ApiError::new(code::INVALID_PARAMETER, message).into_response();
        }
    };
    blocking(
        move || match routes::dispatch(&engine, &route, &body, key.as_deref()) {
            Ok(data) => Json(json!({"code": 0, "data": data})).into_response(),
            Err(e) => e.into_response(),
        },
    )
    .await
}

async fn v2(
    State(st): State<AppState>,
    Path((group, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(st, headers, format!("{group}/{action}"), body).await
}

async fn v2_import(
    State(st): State<AppState>,
    Path(action): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(st, headers, format!("jobs/import/{action}"), body).await
}

/// Runs `f` on the blocking pool (engine calls wait for its lock and do I/O), never on an
/// async worker.
async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|join| {
        ApiError::new(code::IMPORT_FAILED, format!("internal error: {join}")).into_response()
    })
}

async fn task(State(st): State<AppState>, Path(id): Path<u64>, headers: HeaderMap) -> Response {
    if let Err(e) = st.check(&headers) {
        return e.into_response();
    }
    blocking(move || match st.engine.get_bulk_insert_state(id) {
        Ok(t) => Json(t.to_json()).into_response(),
        Err(e) => ApiError::from_engine(e, true).into_response(),
    })
    .await
}

/// A task's rejects file as JSON Lines (empty when it rejected nothing); an unknown task is
/// HTTP 404 with Milvus JSON.
async fn rejects(State(st): State<AppState>, Path(id): Path<u64>, headers: HeaderMap) -> Response {
    if let Err(e) = st.check(&headers) {
        return e.into_response();
    }
    blocking(move || match st.engine.rejects(id) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/x-ndjson")], bytes).into_response(),
        Err(e @ crate::engine::EngineError::TaskNotFound(_)) => (ApiError::from_engine(e, true))
            .with_status(StatusCode::NOT_FOUND)
            .into_response(),
        Err(e) => ApiError::from_engine(e, true).into_response(),
    })
    .await
}

#[derive(serde::Deserialize)]
struct TasksQuery {
    collection: Option<String>,
    limit: Option<usize>,
}

async fn tasks(
    State(st): State<AppState>,
    Query(q): Query<TasksQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = st.check(&headers) {
        return e.into_response();
    }
    blocking(
        move || match (st.engine).list_bulk_insert_tasks(q.collection.as_deref(), q.limit) {
            Ok(ts) => Json(Value::Array(ts.iter().map(|t| t.to_json()).collect())).into_response(),
            Err(e) => ApiError::from_engine(e, false).into_response(),
        },
    )
    .await
}

/// Serves `state` on `addr` until Ctrl-C or SIGTERM; `ready` gets the bound address.
/// HTTP/1.1 connections get the header, body and idle timeouts of the engine's
/// [`ServerOptions`](crate::engine::ServerOptions).
pub fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        (state.engine.announce_address(&bound.to_string())).map_err(std::io::Error::other)?;
        ready(bound);
        let o = &state.engine.options().server;
        let timeouts = conn::Timeouts {
            header: Duration::from_secs(o.header_timeout_s),
            body: Duration::from_secs(o.body_timeout_s),
            idle: Duration::from_secs(o.idle_timeout_s),
        };
        conn::run(listener, app(state), timeouts, shutdown()).await;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
