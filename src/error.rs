//! The top-level error: one variant per layer that can fail a library call.

pub use crate::engine::EngineError as Error;
