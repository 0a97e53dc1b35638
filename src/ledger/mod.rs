//! The task ledger: states, task records, durable storage.
//!
//! The ledger knows no pipeline stage: it stores task records, moves them only along the
//! [`TRANSITIONS`] table, and hands out auto-ids. Each change is on disk before it is visible.

mod state;
mod time;

pub use state::{TRANSITIONS, TaskState, can_move};
pub use time::{format_utc, now_unix};
