//! The `tracing` events of a task's life and of recovery, in one place so that their names
//! and fields stay the same wherever they are raised. The library installs no subscriber: the
//! binary does (`log.level`, `log.format`).
//!
//! Every event has `task` (its id) and, for a task of a REST job, `job`; the message says
//! what happened: `task queued`, `task started`, `task persisted`, `task completed`,
//! `task failed` (with `reason`), and `recovery: ...` at open.

use tracing::{info, warn};

use crate::ledger::TaskRecord;

/// Rows per second over `secs` (0 when no time passed).
fn rate(rows: u64, secs: f64) -> f64 {
    if secs > 0.0 { rows as f64 / secs } else { 0.0 }
}

/// Tasks `ids` queued by one request.
pub(super) fn queued(ids: &[u64], job: Option<u64>, collection: &str, partition: &str) {
    for &task in ids {
        info!(task, job, collection, partition, "task queued");
    }
}

/// A task recorded Started.
pub(super) fn started(rec: &TaskRecord) {
    let files = rec.files.join(", ");
    let collection = rec.collection.as_str();
    info!(
        task = rec.id,
        job = rec.job_id,
        collection,
        files,
        "task started"
    );
}

/// A Started task interrupted by a crash is resumed from its last durable work unit.
pub(super) fn resumed(rec: &TaskRecord) {
    let (rows, units) = rec
        .resume
        .as_ref()
        .map_or((0, 0), |p| (p.rows, p.rows_done.len()));
    info!(
        task = rec.id,
        collection = %rec.collection,
        durable_rows = rows,
        durable_ranges = units,
        "task resumed"
    );
}

/// The engine shut down while task `task` ran: it stays Started, to resume (`import.resume`).
pub(super) fn left_to_resume(task: u64) {
    info!(
        task,
        "task stopped by shutdown: left Started, the next serve or import resumes it"
    );
}

/// A task's segments written and recorded: Persisted after `secs` of reading and writing.
pub(super) fn persisted(task: u64, rows: u64, segments: usize, secs: f64) {
    let rows_per_s = rate(rows, secs).round();
    info!(task, rows, segments, secs, rows_per_s, "task persisted");
}

/// A Persisted task waits for the other tasks of its job to commit together.
pub(super) fn waiting(task: u64, job: u64) {
    info!(
        task,
        job, "task persisted; its job commits once every task is"
    );
}

/// A two-phase job's tasks all Persisted: it waits Uncommitted for its commit or abort.
pub(super) fn uncommitted(task: u64, job: u64, rows: u64) {
    info!(
        task,
        job, rows, "job uncommitted: every task persisted; it waits for commit or abort"
    );
}

/// An Uncommitted job waited past `import.uncommitted_ttl_s`: it is aborted.
pub(super) fn uncommitted_expired(task: u64, ttl_s: u64) {
    warn!(
        task,
        ttl_s, "job uncommitted past import.uncommitted_ttl_s: aborting it"
    );
}

/// A task's rows made visible: Completed.
pub(super) fn completed(rec: &TaskRecord) {
    let secs = rec.persist_cost.unwrap_or(0.0);
    let rows_per_s = rate(rec.row_count, secs).round();
    let rows = rec.row_count;
    info!(
        task = rec.id,
        job = rec.job_id,
        rows,
        rows_per_s,
        "task completed"
    );
}

/// A dry run ended: Completed, its rows counted by partition and nothing written.
pub(super) fn dry_run_completed(rec: &TaskRecord) {
    let secs = rec.persist_cost.unwrap_or(0.0);
    let rows_per_s = rate(rec.row_count, secs).round();
    let (rows, rejected, bytes) = (rec.row_count, rec.rejected_rows, rec.file_size);
    let partitions = rec.partitions.len();
    info!(
        task = rec.id,
        job = rec.job_id,
        rows,
        rejected,
        partitions,
        bytes,
        secs,
        rows_per_s,
        "dry run completed: nothing written"
    );
}

/// A task failed for `reason` (`cleaned`: its files are removed).
pub(super) fn failed(task: u64, job: Option<u64>, reason: &str, cleaned: bool) {
    warn!(task, job, reason, cleaned, "task failed");
}

/// A task's failure could not be written: it is written again every half second.
pub(super) fn failure_unwritten(task: u64, reason: &str) {
    warn!(
        task,
        reason, "task failed, but writing its failure failed; retrying every half second"
    );
}

/// A running task was asked to stop (`reason`: why).
pub(super) fn stopping(task: u64, reason: &str) {
    info!(task, reason, "task stopping");
}

/// Recovery at open did `action` to task `task`, left in `state` by the last process.
pub(super) fn recovered(task: u64, state: &str, action: &str) {
    info!(task, state, action, "recovery: task settled");
}

/// Recovery at open removed a folder no task owns.
pub(super) fn stray_removed(path: &std::path::Path) {
    info!(path = %path.display(), "recovery: removed a folder no task owns");
}

/// Recovery at open ended: `tasks` records, `pending` of them queued again.
pub(super) fn recovery_done(tasks: usize, pending: usize) {
    info!(tasks, pending, "recovery: done");
}

/// Retention dropped finished task `task`'s record.
pub(super) fn retained_out(task: u64) {
    info!(task, "task record dropped (retention)");
}

/// A failed task's folder in the trash could not be deleted (the next open removes it).
pub(super) fn trash_left(folder: &std::path::Path, error: &std::io::Error) {
    let folder = folder.display().to_string();
    warn!(folder, %error, "trash not deleted; the next open removes it");
}

/// Recovery deleted a failed task's folder left in the trash by the last process.
pub(super) fn trash_removed(folder: &std::path::Path) {
    let folder = folder.display().to_string();
    info!(folder, "recovery: trash removed");
}
