//! [`TaskFailure`]: why a task failed, typed (the failing layer's own error) until the one
//! place that writes the task's reason to the ledger turns it into text.

use crate::catalog::CatalogError;
use crate::ledger::LedgerError;
use crate::pipeline::PipelineError;

/// Why a task failed or was stopped. Its text is the task's `failed_reason`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TaskFailure {
    /// A user cancelled it.
    #[error("cancelled")]
    Cancelled,
    /// Its job was aborted (REST `jobs/import/abort`).
    #[error("aborted")]
    Aborted,
    /// It ran past `import.task_expiration_s`.
    #[error("the import task timed out after {0} s")]
    TimedOut(u64),
    /// Its two-phase job waited Uncommitted longer than `import.uncommitted_ttl_s`.
    #[error("aborted: the job stayed Uncommitted longer than import.uncommitted_ttl_s ({0} s)")]
    UncommittedExpired(u64),
    /// Its job's `timeout` option (milliseconds) passed since the job was created.
    #[error("the import job timed out: its timeout option ({}s) passed since it was created", *.0 as f64 / 1000.0)]
    JobTimedOut(u64),
    /// The engine shut down while it ran.
    #[error("stopped: the engine shut down")]
    Shutdown,
    /// Another task of its job failed: a job is all or nothing.
    #[error("cancelled: task {task} of job {job} failed")]
    SiblingFailed {
        /// The task that failed first.
        task: u64,
        /// The job.
        job: u64,
    },
    /// The storage root it recorded at creation cannot be opened or reached (its text names
    /// the root, never credentials).
    #[error("the task's storage root {root} {reason}")]
    StorageRoot {
        /// The root's URL or directory.
        root: String,
        /// Why: "cannot be opened: ..." or "cannot be reached: ...".
        reason: String,
    },
    /// Its collection was dropped while it was queued.
    #[error("the collection was dropped before the task started")]
    CollectionDropped,
    /// Reading, checking or writing its rows failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A ledger write of its commit failed (its text names the cause, e.g. a full disk).
    #[error("{}{}", .0, cause(.0))]
    Ledger(#[from] LedgerError),
    /// The catalog write that makes it visible failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A durable write of its commit failed outside the ledger and the catalog (the fault
    /// hook's sites around the Persisted step).
    #[error("recording the task Persisted: {0}")]
    Persist(#[source] std::io::Error),
    /// A failure whose write failed, written again (its text is the first one's).
    #[error("{0}")]
    Unwritten(String),
    /// Recording it Started failed.
    #[error("recording the task Started: {}{}", .0, cause(.0))]
    Start(#[source] LedgerError),
    /// Its record is gone (a broken invariant: only retention removes records).
    #[error("the task record vanished")]
    RecordVanished,
    /// The process stopped while it ran.
    #[error("interrupted by restart")]
    Restarted,
    /// A task over several processes failed as a whole: a process could not connect, was
    /// lost, or failed its share (the text names the process and why).
    #[error("cluster: {0}")]
    Cluster(String),
    /// The process stopped after it was Persisted but before its segments were all durable.
    #[error("interrupted by restart before its segments were complete")]
    RestartedIncomplete,
    /// The process stopped after it was Persisted, and completing its commit failed.
    #[error("interrupted by restart; commit failed: {0}")]
    RestartedCommitFailed(Box<TaskFailure>),
}

/// `": <cause>"` for an error with a source (the ledger's I/O errors name only the file).
fn cause(e: &LedgerError) -> String {
    std::error::Error::source(e).map_or(String::new(), |s| format!(": {s}"))
}
