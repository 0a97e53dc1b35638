//! Errors of the engine facade.

use std::path::PathBuf;

use crate::catalog::CatalogError;
use crate::ledger::LedgerError;
use crate::parse::FilesError;
use crate::parse::csv::CsvError;
use crate::parse::infer::InferError;
use crate::query::QueryError;
use crate::schema::SchemaError;
use crate::schema::limits::LimitExceeded;
use crate::segment::SegmentError;
use crate::source::SourceError;

/// Why an engine call was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Collections and partitions.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The task ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A schema file.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// Reading an import file before the task exists (size checks).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Reading segments back.
    #[error(transparent)]
    Segment(#[from] SegmentError),
    /// The processes of a cluster task could not work together.
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    /// This process's share of a cluster task failed, or the task failed elsewhere.
    #[error("cluster task {task} failed: {reason}")]
    ClusterTask {
        /// The task (0 before process 0 named it).
        task: u64,
        /// Why.
        reason: String,
    },
    /// The import request breaks a rule; nothing was queued.
    #[error("invalid import request: {0}")]
    InvalidRequest(String),
    /// An import option is refused (unknown, not supported yet, or a bad value); nothing was
    /// queued.
    #[error("invalid import option \"{key}\": {why}")]
    InvalidOption {
        /// The option.
        key: String,
        /// Why.
        why: String,
    },
    /// An idempotency key reused with a different request.
    #[error(
        "idempotency key \"{key}\" was used by import {id} with a different request (collection, partition, files or options); use a new key"
    )]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// The job (or task) it made.
        id: u64,
    },
    /// A file is over `import.max_file_size`.
    #[error("the file '{path}' size {size} bytes exceeds the maximum size: {max} bytes")]
    FileTooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The pending queue cannot take the whole request.
    #[error(
        "import task queue max size is {max}, currently there are {pending} tasks pending; not able to execute this request with {requested} tasks"
    )]
    QueueFull {
        /// Limit.
        max: usize,
        /// Tasks pending now.
        pending: usize,
        /// Tasks requested.
        requested: usize,
    },
    /// A request sizes something past Milvus's cap (units per request, partitions,
    /// collections); nothing changed.
    #[error("invalid request: {0}")]
    Limit(LimitExceeded),
    /// No job with that id.
    #[error("import job does not exist, jobID={0}")]
    JobNotFound(u64),
    /// No task with that id.
    #[error("import task {0} does not exist")]
    TaskNotFound(u64),
    /// The task is not in a state that allows the call.
    #[error("task {id} is {state}: {what}")]
    TaskState {
        /// Task id.
        id: u64,
        /// Its state name.
        state: &'static str,
        /// What was refused.
        what: &'static str,
    },
    /// The job is not in a state that allows the call (abort of a Completed job).
    #[error("import job {job} is {state}: {what}")]
    JobState {
        /// Job id.
        job: u64,
        /// Its state name.
        state: &'static str,
        /// What was refused.
        what: &'static str,
    },
    /// Committing an Uncommitted job failed (a write of the commit); nothing of it became
    /// visible and it stays Uncommitted.
    #[error("import job {job}: commit failed: {reason}")]
    CommitFailed {
        /// Job id.
        job: u64,
        /// Why.
        reason: String,
    },
    /// A read-only command was given a data directory that does not exist.
    #[error("data directory {0} not found")]
    DataDirNotFound(PathBuf),
    /// Another process holds the data directory.
    #[error("data directory {dir} is in use by process {pid} {}(lock file {dir}/LOCK)",
        address.as_ref().map_or(String::new(), |a| format!("(a vecload server on http://{a}) ")))]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// The holder's PID as written in the lock file.
        pid: String,
        /// The address a server holding it serves on.
        address: Option<String>,
    },
    /// The data directory could not be used.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A query or a search was refused or failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The files of an import unit do not make a task (unknown type, mixed, several).
    /// (Not a `#[source]`: the message already holds it, and a chain would say it twice.)
    #[error("invalid import request: {0}")]
    Files(FilesError),
    /// The request's CSV options are refused (a separator that is not one plain character).
    /// Not a `source`: the message already holds it, and error chains would repeat it.
    #[error("invalid import request: {0}")]
    Csv(CsvError),
    /// `collection infer` could not read a file (import's own error) or type a column.
    #[error(transparent)]
    Infer(#[from] InferError),
}

impl EngineError {
    /// The cap this error reports, whichever layer checked it (schema, query or engine):
    /// front ends answer it as an invalid parameter (REST code 1100, CLI exit 2).
    pub fn limit(&self) -> Option<&LimitExceeded> {
        match self {
            EngineError::Limit(l)
            | EngineError::Query(QueryError::Limit(l))
            | EngineError::Schema(SchemaError::Limit(l)) => Some(l),
            _ => None,
        }
    }
}

impl From<LimitExceeded> for EngineError {
    fn from(l: LimitExceeded) -> Self {
        EngineError::Limit(l)
    }
}

impl From<CsvError> for EngineError {
    fn from(e: CsvError) -> Self {
        EngineError::Csv(e)
    }
}

impl From<FilesError> for EngineError {
    fn from(e: FilesError) -> Self {
        EngineError::Files(e)
    }
}
