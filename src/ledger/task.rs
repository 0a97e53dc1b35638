//! One task's record, as stored and as users see it (docs/cli.md, "Task JSON").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::state::TaskState;
use super::time::format_utc;

/// A segment file a task wrote, as listed in its record once the task is Persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRef {
    /// The segment's file name inside the data directory's segment folder.
    pub file_name: String,
    /// Rows in the segment.
    pub rows: u64,
    /// Size of the segment file in bytes.
    pub bytes: u64,
    /// The partition the segment belongs to.
    pub partition: String,
    /// The shard (vchannel index) the segment belongs to.
    pub shard: u32,
}

/// What a task does with a row that breaks the schema's rules (`--on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// The first bad row fails the task (Milvus's behaviour, the default).
    #[default]
    Abort,
    /// Bad rows go to the task's rejects file; the good rows commit.
    Skip,
}

impl OnError {
    /// The word the flag, the config key and REST `options` use.
    pub fn name(self) -> &'static str {
        match self {
            OnError::Abort => "abort",
            OnError::Skip => "skip",
        }
    }

    /// `abort` or `skip`.
    pub fn parse(text: &str) -> Option<OnError> {
        match text {
            "abort" => Some(OnError::Abort),
            "skip" => Some(OnError::Skip),
            _ => None,
        }
    }
}

/// The storage root a task reads its files from, as it recorded it at creation (INTERFACE 6):
/// where the root is and how to reach it, never credentials. The task's files are relative to
/// it; queued runs, resume and recovery open this root, not the running process's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageRoot {
    /// `s3://bucket[/prefix]`, or an absolute directory.
    pub root: String,
    /// The default root (no `storage.root`): the working directory, and absolute paths read
    /// as given. A directory given as the root confines paths to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub absolute_paths: bool,
    /// S3 endpoint URL of an `s3://` root (`None`: AWS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_endpoint: Option<String>,
    /// S3 region of an `s3://` root (`None`: us-east-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_region: Option<String>,
    /// A plain `http://` S3 endpoint is allowed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub s3_allow_http: bool,
}

impl StorageRoot {
    /// A directory root: `dir` (absolute), confining paths unless `absolute_paths`.
    pub fn dir(dir: impl Into<String>, absolute_paths: bool) -> StorageRoot {
        StorageRoot {
            root: dir.into(),
            absolute_paths,
            s3_endpoint: None,
            s3_region: None,
            s3_allow_http: false,
        }
    }

    /// Whether the root is an `s3://` URL.
    pub fn is_s3(&self) -> bool {
        self.root.starts_with("s3://")
    }
}

/// Everything the ledger keeps about one import task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Task id; ids grow with creation time and are never reused.
    pub id: u64,
    /// The REST job this task belongs to, if any.
    pub job_id: Option<u64>,
    /// Target collection name.
    pub collection: String,
    /// Target partition name; `""` for partition-key collections.
    pub partition: String,
    /// Import files, relative to the storage root.
    pub files: Vec<String>,
    /// Current state; changed only by [`Ledger::transition`](super::Ledger::transition).
    pub state: TaskState,
    /// Rows imported so far.
    pub row_count: u64,
    /// Percent done, 0..=100 (90 at Persisted, 100 at Completed, as Milvus).
    pub progress: u8,
    /// Generated auto-ids, as `[begin, end)` pairs.
    pub id_ranges: Vec<[i64; 2]>,
    /// Why the task failed; reasons are joined with `"; "`. Empty unless failed.
    pub failed_reason: String,
    /// Creation time, unix seconds.
    pub create_time: u64,
    /// When the task was started, unix seconds.
    pub start_time: Option<u64>,
    /// Seconds spent writing and syncing segments.
    pub persist_cost: Option<f64>,
    /// When the task became Completed or Failed, unix seconds. Absent from older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_time: Option<u64>,
    /// Segments written, listed when the task becomes Persisted.
    pub segments: Vec<SegmentRef>,
    /// The CSV separator the request gave (`None`: `,`). Absent from older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sep: Option<String>,
    /// The CSV null key the request gave (`None`: the empty string). Absent from older
    /// records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null_key: Option<String>,
    /// The request's `timeout` option in milliseconds: the job fails once this much time has
    /// passed since `create_time`. Absent when none was given (and from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// `Some(false)` for a two-phase job (`auto_commit=false`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_commit: Option<bool>,
    /// The request's idempotency key (REST `Idempotency-Key`), kept as long as the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// When the task became Persisted, unix seconds (a two-phase job is Uncommitted from its
    /// last task's). Absent before then (and from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist_time: Option<u64>,
    /// Bytes of its files when the request was made (`stat` or an object HEAD; a missing
    /// file counts 0). Absent from older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// `Some(Skip)` when bad rows are skipped (`--on-error skip`); absent for abort (and
    /// from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_error: Option<OnError>,
    /// With skip: the task fails once more rows than this are rejected. Absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_errors: Option<u64>,
    /// With skip: the task fails once rejected / read rows passes this (checked from 1,000
    /// rows read, and at the end). Absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_error_ratio: Option<f64>,
    /// Rows rejected (skip), set when the task becomes Persisted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rejected_rows: u64,
    /// The rejects file, relative to the data directory (`rejects/<id>.jsonl`), when the task
    /// rejected rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejects_file: Option<String>,
    /// A dry run (`--dry-run`): rows are read, checked and routed, never written; Completed
    /// means nothing more than "these rows would import". Absent for an import.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
    /// A dry run's rows by partition, set when it completes (an import's come from its
    /// segments). Absent otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partitions: BTreeMap<String, u64>,
    /// While Started: what of the task is durable, for a resume after a crash
    /// (`import.resume`); dropped when it leaves Started. Absent before its first durable
    /// unit (and from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<super::ResumePoint>,
    /// A task over several processes (`import --cluster`): how many. Never resumed: a
    /// restart fails it. Absent for a task of one process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<u32>,
    /// The storage root its files are read from, recorded at creation. Absent from older
    /// records: those read from the running process's root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_root: Option<StorageRoot>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl TaskRecord {
    /// A fresh Pending record with no progress.
    pub fn new(
        id: u64,
        collection: &str,
        partition: &str,
        files: Vec<String>,
        job_id: Option<u64>,
        create_time: u64,
    ) -> TaskRecord {
        TaskRecord {
            id,
            job_id,
            collection: collection.to_owned(),
            partition: partition.to_owned(),
            files,
            state: TaskState::Pending,
            row_count: 0,
            progress: 0,
            id_ranges: Vec::new(),
            failed_reason: String::new(),
            create_time,
            start_time: None,
            persist_cost: None,
            complete_time: None,
            segments: Vec::new(),
            sep: None,
            null_key: None,
            timeout_ms: None,
            auto_commit: None,
            idempotency_key: None,
            persist_time: None,
            file_size: None,
            on_error: None,
            max_errors: None,
            max_error_ratio: None,
            rejected_rows: 0,
            rejects_file: None,
            dry_run: false,
            partitions: BTreeMap::new(),
            resume: None,
            cluster: None,
            storage_root: None,
        }
    }

    /// Rows by partition: a dry run's as it recorded them, an import's from its segments
    /// (empty until it is Persisted).
    pub fn partition_rows(&self) -> BTreeMap<String, u64> {
        if self.dry_run {
            return self.partitions.clone();
        }
        let mut rows = BTreeMap::<String, u64>::new();
        for s in &self.segments {
            *rows.entry(s.partition.clone()).or_default() += s.rows;
        }
        rows
    }

    /// The JSON users see (docs/cli.md, "Task JSON"): the fixed keys in their documented order,
    /// then `start_time` (formatted like `create_time`, or null), `persist_cost` (or null) and
    /// `complete_time` (when it became Completed or Failed, formatted, or null), then
    /// `rejected_rows` and `rejects_file` (relative to the data directory, or null), then
    /// `dry_run`, `partitions` (partition -> rows) and `file_size` (bytes of its files as
    /// recorded at creation, or null), `storage_root` (the root its files are read from, a
    /// directory or `s3://bucket/prefix`, or null in older records); a Started task with
    /// a resume point (its files' versions, and any durable work units) adds
    /// `"resumable": true`.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "task_id": self.id,
            "state": self.state.name(),
            "state_code": self.state.code(),
            "collection": self.collection,
            "partition": self.partition,
            "files": self.files,
            "row_count": self.row_count,
            "progress": self.progress,
            "id_ranges": self.id_ranges,
            "failed_reason": self.failed_reason,
            "create_time": format_utc(self.create_time),
            "start_time": self.start_time.map(format_utc),
            "persist_cost": self.persist_cost,
            "complete_time": self.complete_time.map(format_utc),
            "rejected_rows": self.rejected_rows,
            "rejects_file": self.rejects_file,
            "dry_run": self.dry_run,
            "partitions": self.partition_rows(),
            "file_size": self.file_size,
            "storage_root": self.storage_root.as_ref().map(|r| r.root.as_str()),
        });
        if let (Some(n), Some(map)) = (self.cluster, v.as_object_mut()) {
            map.insert("cluster_processes".into(), Value::from(n));
        }
        if self.state == TaskState::Started
            && self.resume.is_some()
            && let Some(map) = v.as_object_mut()
        {
            map.insert("resumable".into(), Value::Bool(true));
        }
        v
    }
}

#[cfg(test)]
#[path = "task_tests.rs"]
mod tests;
