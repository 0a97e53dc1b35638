//! Object store errors as [`SourceError`]s that name the store, the bucket and the key.

use std::error::Error as StdError;

use object_store::client::{HttpError, HttpErrorKind};

use crate::source::SourceError;

/// What kind of failure an `object_store` error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoreError {
    /// No such object (or bucket).
    NotFound,
    /// 401 or 403.
    Denied,
    /// No connection could be made.
    Unreachable,
    /// Anything else (a broken body, a 5xx, a timeout).
    Other,
}

impl StoreError {
    pub(super) fn of(e: &object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => StoreError::NotFound,
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => StoreError::Denied,
            _ if chain(e).any(is_connect) => StoreError::Unreachable,
            _ => StoreError::Other,
        }
    }
}

fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&e| e.source())
}

fn is_connect(e: &(dyn StdError + 'static)) -> bool {
    e.downcast_ref::<HttpError>()
        .is_some_and(|h| h.kind() == HttpErrorKind::Connect)
        || e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
}

/// The error's message and, when it adds something, its innermost cause
/// ("connection refused" under "error sending request").
pub(super) fn describe(e: &(dyn StdError + 'static)) -> String {
    let top = e.to_string();
    match chain(e).last().map(|root| root.to_string()) {
        Some(root) if !top.contains(&root) => format!("{top} ({root})"),
        _ => top,
    }
}

/// Turns errors about one object into [`SourceError`]s.
pub(super) struct Failure<'a> {
    /// `s3://bucket/key`.
    pub url: &'a str,
    /// The endpoint, for "unreachable".
    pub endpoint: &'a str,
}

impl Failure<'_> {
    pub(super) fn error(&self, e: &object_store::Error) -> SourceError {
        let url = self.url.to_string();
        let detail = describe(e);
        match StoreError::of(e) {
            StoreError::NotFound => SourceError::ObjectNotFound { url },
            StoreError::Denied => SourceError::AccessDenied { url, detail },
            StoreError::Unreachable => SourceError::Unreachable {
                endpoint: self.endpoint.to_string(),
                url,
                detail,
            },
            StoreError::Other => SourceError::Store { url, detail },
        }
    }
}
