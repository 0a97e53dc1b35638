//! The resume point of a Started task: which of its rows are durable in synced segments,
//! and the versions of its files they were read from (`import.resume`).

use serde::{Deserialize, Serialize};

use super::task::SegmentRef;

/// A task file's version when the task first recorded a resume point: its size and
/// modification time (local files) or ETag (objects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    /// The file, as the task names it.
    pub file: String,
    /// Bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (local files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_ns: Option<u64>,
    /// ETag (object storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// What of a Started task is durable: written, synced, and recorded here before it counts.
/// A resumed task keeps these segments and reads only the rows outside `rows_done`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResumePoint {
    /// File rows (0-based, `[begin, end)`) whose every row is in `segments` or rejected.
    pub rows_done: Vec<[u64; 2]>,
    /// The task's files as they were read.
    pub files: Vec<FileVersion>,
    /// How the input was cut into work units (`import.unit_bytes`): a resumed task cuts it
    /// the same way.
    pub unit_bytes: u64,
    /// Workers the task ran with (they cut a Parquet file).
    pub workers: u64,
    /// Segment files complete and synced in the task's folder.
    pub segments: Vec<SegmentRef>,
    /// Rows in `segments`.
    pub rows: u64,
    /// Rows rejected among `rows_done` (`--on-error skip`).
    #[serde(default)]
    pub rejected: u64,
    /// Bytes of their rejects records.
    #[serde(default)]
    pub reject_bytes: u64,
    /// Files in the task's folder holding those records, one JSON object a line.
    #[serde(default)]
    pub reject_parts: Vec<String>,
    /// Auto-ids of the rows in `segments`, as `[begin, end)` pairs.
    #[serde(default)]
    pub id_ranges: Vec<[i64; 2]>,
    /// Units of progress those rows stand for (bytes for JSON and CSV, rows otherwise).
    #[serde(default)]
    pub work_done: u64,
}
