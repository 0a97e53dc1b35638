//! The JSON of import jobs: `jobs/import/describe` (SPEC 10.2: live rows while a job runs,
//! `fileSize`, `details` per unit) and the records of `jobs/import/list`.

use serde_json::{Value, json};

use crate::engine::{JobView, UnitView};
use crate::ledger::format_utc;

/// `jobs/import/describe`'s `data`.
pub fn describe(job: &JobView) -> Value {
    let details: Vec<Value> = job.units.iter().map(detail).collect();
    let mut v = json!({"jobId": job.job_id.to_string(), "collectionName": job.collection,
                       "state": job.state.name(), "progress": job.progress,
                       "importedRows": job.imported_rows, "totalRows": job.total_rows,
                       "completeTime": job.complete_time.map(format_utc).unwrap_or_default(),
                       "rejectedRows": job.rejected_rows, "rejectsFile": job.rejects_file,
                       "fileSize": job.file_size, "dryRun": job.dry_run,
                       "partitions": job.partitions, "details": details});
    // The storage root its files are read from, as its tasks recorded it (none in older
    // records).
    if let Some(root) = job.tasks.first().and_then(|t| t.storage_root.as_ref()) {
        v["storageRoot"] = json!(root.root);
    }
    if !job.reason.is_empty() {
        v["reason"] = json!(job.reason);
    }
    v
}

/// One unit of `details`; `fileName` is its paths as Go formats a list (`[a.npy b.npy]`).
fn detail(u: &UnitView) -> Value {
    let mut d = json!({"fileName": format!("[{}]", u.files.join(" ")), "fileSize": u.file_size,
                       "progress": u.progress, "state": u.state.name(),
                       "importedRows": u.imported_rows, "totalRows": u.total_rows,
                       "rejectedRows": u.rejected_rows, "rejectsFile": u.rejects_file,
                       "partitions": u.partitions,
                       "completeTime": u.complete_time.map(format_utc).unwrap_or_default()});
    if !u.reason.is_empty() {
        d["reason"] = json!(u.reason);
    }
    d
}

/// A record of `jobs/import/list`.
pub fn record(job: &JobView) -> Value {
    let mut r = json!({"jobId": job.job_id.to_string(), "collectionName": job.collection,
                       "state": job.state.name(), "progress": job.progress});
    if !job.reason.is_empty() {
        r["reason"] = json!(job.reason);
    }
    r
}
