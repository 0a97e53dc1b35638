//! Parsers: bytes in, typed rows out. Parsers do no I/O. [`format`](mod@format) says which parser a
//! file needs.

pub mod csv;
pub mod format;
pub mod infer;
pub mod json;
pub mod numpy;
pub mod parquet;
pub mod reject;

pub use format::{FileKind, FilesError, TaskFiles, classify};
pub use reject::{REJECT_RAW_MAX, RejectSink, Rejected, raw_text};
