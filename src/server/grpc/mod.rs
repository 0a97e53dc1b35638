//! Milvus's gRPC `MilvusService` (docs/grpc.md, INTERFACE 4 and 8): the only module that
//! knows tonic and the SDK's generated protocol. A thin layer over the engine, like REST: each
//! method converts its request, calls the engine on the blocking pool and converts the answer;
//! every rule stays in the engine (schema checks, caps, filters, imports).
//!
//! Every failure is a `common.Status` in the reply with Milvus's `code` and the legacy
//! `error_code` set together (as Milvus 2.3.5 does); a method vecload does not serve answers
//! gRPC `UNIMPLEMENTED` naming it.
// Milvus marks `error_code`, `autoID` and `inMemory_percentages` deprecated, yet pymilvus
// 2.3.7 reads them: they are set on purpose.
#![allow(deprecated)]

mod columns;
mod data;
mod index;
mod schema;
mod service;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use milvus::proto::common::{ErrorCode, Status};
use milvus::proto::milvus::milvus_service_server::MilvusServiceServer;
use tonic::codegen::Service;
use tonic::metadata::MetadataMap;

use super::error::{ApiError, code};
use super::{AppState, MAX_BODY_BYTES};
use crate::engine::Engine;

/// The gRPC path prefix every method of the service has.
pub const SERVICE_PATH: &str = "/milvus.proto.milvus.MilvusService/{method}";

/// The service: the state every handler shares.
#[derive(Clone)]
pub struct Grpc {
    state: AppState,
}

/// Answers one gRPC call (an axum handler of [`SERVICE_PATH`]): the generated server decodes
/// the request and encodes the reply; a method vecload does not serve is `UNIMPLEMENTED`
/// naming it.
pub async fn call(
    State(state): State<AppState>,
    Path(method): Path<String>,
    req: Request,
) -> Response {
    let mut server = MilvusServiceServer::new(Grpc { state })
        .max_decoding_message_size(MAX_BODY_BYTES)
        .max_encoding_message_size(MAX_BODY_BYTES);
    let Ok(resp) = server.call(req).await;
    let mut resp = resp.map(Body::new);
    let unimplemented = (resp.headers().get("grpc-status")).is_some_and(|s| s == "12");
    if unimplemented {
        let message = format!(
            "vecload does not serve MilvusService/{method} (docs/grpc.md lists the methods it serves)"
        );
        if let Ok(v) = HeaderValue::from_str(&message) {
            resp.headers_mut().insert("grpc-message", v);
        }
    }
    resp
}

/// A reply message that carries a `common.Status`.
pub trait Reply: Sized {
    /// A reply with only `status` set.
    fn failed(status: Status) -> Self;
    /// Sets a success status when the reply has none.
    fn succeed(&mut self);
}

impl Reply for Status {
    fn failed(status: Status) -> Self {
        status
    }
    fn succeed(&mut self) {}
}

/// `Reply` for messages with a `status: Option<common.Status>` field.
macro_rules! replies {
    ($($t:path),* $(,)?) => {$(
        impl Reply for $t {
            fn failed(status: Status) -> Self {
                Self { status: Some(status), ..Default::default() }
            }
            fn succeed(&mut self) {
                self.status.get_or_insert_with(ok);
            }
        }
    )*};
}

use milvus::proto::milvus as pb;
replies!(
    pb::ConnectResponse,
    pb::GetVersionResponse,
    pb::CheckHealthResponse,
    pb::BoolResponse,
    pb::DescribeCollectionResponse,
    pb::ShowCollectionsResponse,
    pb::ShowPartitionsResponse,
    pb::GetCollectionStatisticsResponse,
    pb::GetPartitionStatisticsResponse,
    pb::ImportResponse,
    pb::GetImportStateResponse,
    pb::ListImportTasksResponse,
    pb::FlushResponse,
    pb::GetFlushStateResponse,
    pb::GetLoadStateResponse,
    pb::GetLoadingProgressResponse,
    pb::AllocTimestampResponse,
    pb::DescribeIndexResponse,
    pb::GetIndexStateResponse,
    pb::GetIndexBuildProgressResponse,
    pb::QueryResults,
    pb::SearchResults,
);

/// The success status.
pub fn ok() -> Status {
    Status {
        error_code: ErrorCode::Success as i32,
        code: 0,
        ..Default::default()
    }
}

/// A failure as `common.Status`: Milvus's `code` and the legacy `error_code` that Milvus
/// 2.3.5's `oldCode` gives it (pymilvus 2.3.7's `has_collection` reads the latter).
pub fn status_of(e: &ApiError) -> Status {
    let legacy = match e.code {
        code::COLLECTION_NOT_FOUND => ErrorCode::CollectionNotExists,
        code::PARTITION_NOT_FOUND => ErrorCode::MetaFailed,
        code::INDEX_NOT_FOUND => ErrorCode::IndexNotExist,
        code::INVALID_PARAMETER | code::MALFORMED_JSON | code::MISSING_PARAMETER => {
            ErrorCode::IllegalArgument
        }
        // The protocol has no AuthenticationFailed: PermissionDenied is its nearest.
        code::UNAUTHENTICATED => ErrorCode::PermissionDenied,
        _ => ErrorCode::UnexpectedError,
    };
    Status {
        error_code: legacy as i32,
        reason: e.message.clone(),
        code: e.code,
        ..Default::default()
    }
}

impl Grpc {
    /// The token rule (INTERFACE 4): with a token configured, metadata `authorization` must be
    /// its base64 (pymilvus sends `base64(token)`, or of `user:password`).
    fn check(&self, metadata: &MetadataMap) -> Result<(), ApiError> {
        let Some(token) = &self.state.token else {
            return Ok(());
        };
        let given = metadata.get("authorization").and_then(|v| v.to_str().ok());
        if given.is_some_and(|g| g.trim() == base64(token.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::new(
                code::UNAUTHENTICATED,
                "user hasn't authenticated: metadata \"authorization\" must be base64 of the server's token",
            ))
        }
    }

    /// Runs `f` (the engine call of one method) on the blocking pool after the token check;
    /// a failure becomes the reply's status.
    async fn run<Q, R>(
        &self,
        req: tonic::Request<Q>,
        f: impl FnOnce(&Engine, Q) -> Result<R, ApiError> + Send + 'static,
    ) -> Result<tonic::Response<R>, tonic::Status>
    where
        Q: Send + 'static,
        R: Reply + Send + 'static,
    {
        if let Err(e) = self.check(req.metadata()) {
            return Ok(tonic::Response::new(R::failed(status_of(&e))));
        }
        let engine = self.state.engine.clone();
        let q = req.into_inner();
        let out = tokio::task::spawn_blocking(move || f(&engine, q))
            .await
            .map_err(|e| tonic::Status::internal(format!("internal error: {e}")))?;
        Ok(tonic::Response::new(match out {
            Ok(mut r) => {
                r.succeed();
                r
            }
            Err(e) => R::failed(status_of(&e)),
        }))
    }
}

/// Standard base64 with padding (RFC 4648), as pymilvus encodes the token.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("root:Milvus", "cm9vdDpNaWx2dXM="),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn statuses_set_code_and_legacy_error_code() {
        let s = status_of(&ApiError::new(code::COLLECTION_NOT_FOUND, "nope"));
        assert_eq!(
            (s.code, s.error_code),
            (100, ErrorCode::CollectionNotExists as i32)
        );
        let s = status_of(&ApiError::new(code::INVALID_PARAMETER, "bad"));
        assert_eq!(
            (s.code, s.error_code),
            (1100, ErrorCode::IllegalArgument as i32)
        );
        assert_eq!((ok().code, ok().error_code), (0, 0));
    }
}
