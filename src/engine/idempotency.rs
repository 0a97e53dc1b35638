//! Idempotent imports (INTERFACE 6): a request's key is stored with its tasks; the same key
//! with the same request (collection, partition, files in order, options) returns the first
//! job in whatever state it is, also after a restart; with another request it is refused.

use std::time::Duration;

use super::{EngineError, ImportRequest, TaskOptions};
use crate::catalog::DEFAULT_PARTITION;
use crate::ledger::{Ledger, OnError, TaskRecord};

/// The options a task recorded, as a request gives them.
pub(super) fn recorded_options(t: &TaskRecord) -> TaskOptions {
    TaskOptions {
        sep: t.sep.clone(),
        null_key: t.null_key.clone(),
        timeout: t.timeout_ms.map(Duration::from_millis),
        auto_commit: t.auto_commit.unwrap_or(true),
        on_error: Some(t.on_error.unwrap_or_default()),
        max_errors: Some(t.max_errors.unwrap_or(0)),
        max_error_ratio: Some(t.max_error_ratio.unwrap_or(0.0)),
        dry_run: t.dry_run,
    }
}

/// Writes `o` into a new task's record.
pub(super) fn record_options(r: &mut TaskRecord, o: &TaskOptions, key: Option<&str>) {
    r.sep.clone_from(&o.sep);
    r.null_key.clone_from(&o.null_key);
    r.timeout_ms = (o.timeout).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    r.auto_commit = (!o.auto_commit).then_some(false);
    r.idempotency_key = key.map(str::to_string);
    r.on_error = o.on_error.filter(|e| *e == OnError::Skip);
    r.max_errors = o.max_errors.filter(|n| *n > 0);
    r.dry_run = o.dry_run;
    r.max_error_ratio = o.max_error_ratio.filter(|x| *x > 0.0);
}

/// The id of the import `req`'s key already made, if any; a key made by another request is
/// refused.
pub(super) fn repeated(ledger: &Ledger, req: &ImportRequest) -> Result<Option<u64>, EngineError> {
    let Some(key) = req.idempotency_key.as_deref() else {
        return Ok(None);
    };
    let tasks: Vec<&TaskRecord> = (ledger.list(None, None).into_iter())
        .filter(|t| t.idempotency_key.as_deref() == Some(key))
        .collect();
    let Some(first) = tasks.first() else {
        return Ok(None);
    };
    let id = first.job_id.unwrap_or(first.id);
    let partition = |p: &str| {
        if p == DEFAULT_PARTITION {
            String::new()
        } else {
            p.to_string()
        }
    };
    let asked = partition(req.partition.as_deref().unwrap_or(""));
    // Timeouts are compared in the milliseconds a record keeps.
    let mut options = req.options.clone();
    options.timeout = (options.timeout).map(|d| Duration::from_millis(d.as_millis() as u64));
    let same = first.collection == req.collection
        && partition(&first.partition) == asked
        && first.job_id.is_some() == req.job
        && tasks.len() == req.units.len()
        && tasks.iter().zip(&req.units).all(|(t, u)| &t.files == u)
        && tasks.iter().all(|t| recorded_options(t) == options);
    if same {
        Ok(Some(id))
    } else {
        Err(EngineError::IdempotencyConflict {
            key: key.to_string(),
            id,
        })
    }
}
