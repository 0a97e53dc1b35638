//! The ledger's error type.

use std::io;
use std::path::PathBuf;

use super::state::TaskState;

/// Everything that can go wrong in the ledger. Each variant carries what a caller branches on.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Reading, writing, syncing or removing a ledger file or directory failed.
    #[error("ledger I/O failed on {}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A ledger file is unreadable or disagrees with the rest of the ledger.
    #[error("corrupt ledger file {}: {reason}", path.display())]
    Corrupt {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No record with this id (never created, or dropped by retention).
    #[error("no import task with id {0}")]
    NoSuchTask(u64),
    /// The transition table refuses this move.
    #[error("import task {id} cannot move from {from} to {to}")]
    BadTransition {
        /// The task.
        id: u64,
        /// Its current state.
        from: TaskState,
        /// The refused target state.
        to: TaskState,
    },
    /// An update changed a field it may not change, or left a value out of range.
    #[error("update of import task {id} refused: {field} {problem}")]
    BadUpdate {
        /// The task.
        id: u64,
        /// The field at fault, e.g. `"state"`.
        field: &'static str,
        /// What is wrong, e.g. `"changes only through a transition"`.
        problem: &'static str,
    },
    /// Allocating `requested` more auto-ids would pass `i64::MAX`.
    #[error("auto-ids exhausted: {requested} requested, next free id is {next}")]
    AutoIdsExhausted {
        /// How many ids were asked for.
        requested: u64,
        /// The next free id.
        next: i64,
    },
    /// The record is still in a journal being settled: it cannot be removed yet.
    #[error("import task {0}'s record is not settled yet (try again)")]
    Unsettled(u64),
    /// The task id counter is at `u64::MAX`.
    #[error("import task ids exhausted")]
    TaskIdsExhausted,
}
