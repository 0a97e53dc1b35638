//! Segment tests: round trips, block and file budgets, and refusal of damaged files.

mod compat;
mod corrupt;
pub(crate) mod fixtures;
mod round_trip;
