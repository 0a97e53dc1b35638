//! `ApiError`: every failure as Milvus's RESTful v2 body `{"code": N, "message": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::catalog::CatalogError;
use crate::engine::EngineError;

/// Milvus error codes the service uses.
pub mod code {
    /// Collection not found.
    pub const COLLECTION_NOT_FOUND: i32 = 100;
    /// Partition not found.
    pub const PARTITION_NOT_FOUND: i32 = 200;
    /// Index not found (gRPC `DescribeIndex` of a field without one).
    pub const INDEX_NOT_FOUND: i32 = 700;
    /// Invalid parameter.
    pub const INVALID_PARAMETER: i32 = 1100;
    /// Not authenticated.
    pub const UNAUTHENTICATED: i32 = 1800;
    /// Malformed JSON body.
    pub const MALFORMED_JSON: i32 = 1801;
    /// A required parameter is missing.
    pub const MISSING_PARAMETER: i32 = 1802;
    /// Import failed.
    pub const IMPORT_FAILED: i32 = 2100;
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status (200 for everything but authentication, unknown paths and methods and
    /// bodies over the limit).
    pub status: StatusCode,
    /// Milvus error code.
    pub code: i32,
    /// Message.
    pub message: String,
}

impl ApiError {
    /// An error with HTTP 200 and `code`.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::OK,
            code,
            message: message.into(),
        }
    }

    /// The same error answered with HTTP `status` (404, 405, 413).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// 401: a token is configured and the request lacks it.
    pub fn unauthenticated() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: code::UNAUTHENTICATED,
            message: "user hasn't authenticated".into(),
        }
    }

    /// Maps an engine error; `import` selects Milvus's import-failed code for request checks.
    pub fn from_engine(e: EngineError, import: bool) -> Self {
        let c = match &e {
            EngineError::Catalog(CatalogError::CollectionNotFound(_)) => code::COLLECTION_NOT_FOUND,
            EngineError::Catalog(CatalogError::PartitionNotFound { .. }) => {
                code::PARTITION_NOT_FOUND
            }
            e if e.limit().is_some() => code::INVALID_PARAMETER,
            EngineError::JobNotFound(_)
            | EngineError::JobState { .. }
            | EngineError::FileTooLarge { .. }
            | EngineError::QueueFull { .. } => code::IMPORT_FAILED,
            EngineError::InvalidRequest(_) | EngineError::Files(_) | EngineError::Source(_)
                if import =>
            {
                code::IMPORT_FAILED
            }
            EngineError::Query(q) if !q.is_invalid_argument() => code::IMPORT_FAILED,
            EngineError::Catalog(_)
            | EngineError::InvalidOption { .. }
            | EngineError::IdempotencyConflict { .. }
            | EngineError::Schema(_)
            | EngineError::InvalidRequest(_)
            | EngineError::Query(_)
            | EngineError::TaskNotFound(_)
            | EngineError::TaskState { .. }
            | EngineError::Source(_) => code::INVALID_PARAMETER,
            _ => code::IMPORT_FAILED,
        };
        ApiError::new(c, e.to_string())
    }
}

/// The Milvus code of an answer, kept beside it for the request log.
#[derive(Debug, Clone, Copy)]
pub struct MilvusCode(pub i32);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response();
        resp.extensions_mut().insert(MilvusCode(self.code));
        resp
    }
}
