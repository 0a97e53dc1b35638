//! Parsers: bytes in, typed rows out. Parsers do no I/O. [`format`](mod@format) says which parser a
//! file needs.

pub mod csv;
pub mod format;
pub mod infer;
pub mod json;
pub mod numpy;
pub mod parquet;

pub use format::{FileKind, FilesError, TaskFiles, classify};
