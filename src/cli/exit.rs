//! Exit codes and error output (docs/cli.md "Exit codes"): each error's kind comes from the
//! typed errors of the library (engine, catalog, client), never from its message. `--json`
//! writes errors as one JSON object on stderr. A closed stdout (`| head`) ends quietly.

use std::process::ExitCode;

use serde_json::{Map, Value, json};
use vecload::EngineError;
use vecload::catalog::CatalogError;
use vecload::client::ClientError;
use vecload::source::SourceError;

/// What went wrong, as the exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1: a task failed (or another failure).
    Failed,
    /// 1: the disk or a file could not be used.
    Io,
    /// 2: the command line or a request was wrong.
    Usage,
    /// 3: a collection, partition, task or file does not exist.
    NotFound,
    /// 4: another process holds the data directory.
    Locked,
    /// 5: it exists already, or its state forbids the call.
    Conflict,
    /// 6: the server did not answer.
    Unreachable,
}

impl Kind {
    /// The process's exit code.
    pub fn code(self) -> u8 {
        match self {
            Kind::Failed | Kind::Io => 1,
            Kind::Usage => 2,
            Kind::NotFound => 3,
            Kind::Locked => 4,
            Kind::Conflict => 5,
            Kind::Unreachable => 6,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Failed => "failed",
            Kind::Io => "io",
            Kind::Usage => "usage",
            Kind::NotFound => "not_found",
            Kind::Locked => "locked",
            Kind::Conflict => "conflict",
            Kind::Unreachable => "unreachable",
        }
    }
}

/// A usage error the command line itself finds (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// A task that ended without completing (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("import task {id} {state}: {reason}")]
pub struct TaskFailed {
    /// Task id.
    pub id: u64,
    /// Its final state.
    pub state: String,
    /// Why.
    pub reason: String,
}

/// Whether `e` is a write to a closed stdout.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn engine_kind(e: &EngineError) -> Kind {
    match e {
        _ if e.limit().is_some() => Kind::Usage,
        EngineError::Catalog(c) => catalog_kind(c),
        EngineError::TaskNotFound(_)
        | EngineError::JobNotFound(_)
        | EngineError::DataDirNotFound(_) => Kind::NotFound,
        EngineError::Source(s) => match s {
            SourceError::NotFound { .. } | SourceError::ObjectNotFound { .. } => Kind::NotFound,
            SourceError::Escapes { .. } => Kind::Usage,
            // Not a regular file, changed, access denied, unreadable.
            _ => Kind::Io,
        },
        EngineError::Locked { .. } => Kind::Locked,
        EngineError::TaskState { .. } | EngineError::JobState { .. } => Kind::Conflict,
        EngineError::InvalidOption { .. } | EngineError::IdempotencyConflict { .. } => Kind::Usage,
        EngineError::Schema(_)
        | EngineError::Query(_)
        | EngineError::InvalidRequest(_)
        | EngineError::Files(_)
        | EngineError::Csv(_)
        | EngineError::Limit(_) => Kind::Usage,
        // The request was well formed; the files or the queue cannot take it.
        EngineError::FileTooLarge { .. } | EngineError::QueueFull { .. } => Kind::Failed,
        EngineError::Io { .. } | EngineError::Ledger(_) | EngineError::Segment(_) => Kind::Io,
        EngineError::CommitFailed { .. } => Kind::Failed,
        // INTERFACE 10: a process of a cluster task that did not complete exits 1.
        EngineError::Cluster(_) | EngineError::ClusterTask { .. } => Kind::Failed,
        // `collection infer`: a file import would refuse, or a column no rule types.
        EngineError::Infer(_) => Kind::Failed,
    }
}

fn catalog_kind(e: &CatalogError) -> Kind {
    match e {
        CatalogError::CollectionNotFound(_) | CatalogError::PartitionNotFound { .. } => {
            Kind::NotFound
        }
        CatalogError::CollectionExists(_) | CatalogError::PartitionExists { .. } => Kind::Conflict,
        CatalogError::PartitionKeyCollection(_) | CatalogError::InvalidName { .. } => Kind::Usage,
        CatalogError::Io { .. } | CatalogError::Corrupt { .. } => Kind::Io,
    }
}

fn client_kind(e: &ClientError) -> Kind {
    match e {
        ClientError::Unreachable { .. } => Kind::Unreachable,
        ClientError::BadUrl(_) | ClientError::Invalid(_) | ClientError::Unauthenticated(_) => {
            Kind::Usage
        }
        ClientError::NotFound(_) => Kind::NotFound,
        ClientError::Conflict(_) => Kind::Conflict,
        ClientError::Failed { .. } | ClientError::Protocol { .. } => Kind::Failed,
    }
}

/// The kind of an error: the first typed error of its chain that says one.
pub fn kind(e: &anyhow::Error) -> Kind {
    for c in e.chain() {
        if let Some(e) = c.downcast_ref::<EngineError>() {
            return engine_kind(e);
        }
        if let Some(e) = c.downcast_ref::<ClientError>() {
            return client_kind(e);
        }
        if let Some(e) = c.downcast_ref::<CatalogError>() {
            return catalog_kind(e);
        }
        if c.is::<Usage>()
            || c.is::<vecload::query::QueryError>()
            || c.is::<vecload::schema::SchemaError>()
            || c.is::<vecload::engine::SettingError>()
            || c.is::<serde_json::Error>()
            || c.is::<toml::de::Error>()
        {
            return Kind::Usage;
        }
        if c.is::<TaskFailed>() {
            return Kind::Failed;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::NotFound => Kind::NotFound,
                _ => Kind::Io,
            };
        }
    }
    Kind::Failed
}

/// The file an error names, when a typed error holds one.
fn file_of(e: &anyhow::Error) -> Option<String> {
    e.chain()
        .find_map(|c| match c.downcast_ref::<SourceError>() {
            Some(SourceError::NotFound { path, .. }) => Some(path.to_string()),
            _ => match c.downcast_ref::<EngineError>() {
                Some(EngineError::Source(SourceError::NotFound { path, .. })) => {
                    Some(path.to_string())
                }
                Some(EngineError::FileTooLarge { path, .. }) => Some(path.clone()),
                Some(EngineError::Infer(e)) => e.file().map(str::to_string),
                _ => None,
            },
        })
}

/// Writes `e` to stderr (one line, or JSON with `json`) and returns its exit code; a closed
/// stdout is no error (exit 0, nothing written).
pub fn report(e: &anyhow::Error, json: bool) -> ExitCode {
    if broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    let kind = kind(e);
    let message = format!("{e:#}");
    let line = if json {
        let mut m = Map::new();
        m.insert("exit_code".into(), json!(kind.code()));
        m.insert("kind".into(), json!(kind.name()));
        m.insert("message".into(), json!(message));
        if let Some(f) = file_of(e) {
            m.insert("file".into(), json!(f));
        }
        json!({"error": Value::Object(m)}).to_string()
    } else {
        format!("error: {message}")
    };
    // stderr may be closed too: nothing more to say then.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{line}\n").as_bytes());
    ExitCode::from(kind.code())
}
