//! The task ledger: states, task records, durable storage.
//!
//! The ledger knows no pipeline stage: it stores [`TaskRecord`]s, moves them only along the
//! [`TRANSITIONS`] table, and hands out auto-ids. Each change is on disk before it is visible,
//! and each is one durable write, however many fields and records it touches ([`Batch`]).

mod batch;
mod disk;
mod error;
mod resume;
mod state;
mod store;
mod task;
mod time;
mod write;

pub use batch::Batch;
pub use error::LedgerError;
pub use resume::{FileVersion, ResumePoint};
pub use state::{TRANSITIONS, TaskState, can_move};
pub use store::{AUTO_ID_BASE, Ledger};
pub use task::{OnError, SegmentRef, StorageRoot, TaskRecord};
pub use time::{format_utc, now_unix};
pub use write::{LedgerWrite, Settle};

/// An import task's id: ids grow with creation time and are never reused.
pub type TaskId = u64;
