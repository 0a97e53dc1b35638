//! One task's record, as stored and as users see it (docs/cli.md, "Task JSON").

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
    /// While Started: what of the task is durable, for a resume after a crash
    /// (`import.resume`); dropped when it leaves Started. Absent before its first durable
    /// unit (and from older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<super::ResumePoint>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
            resume: None,
        }
    }

    /// The JSON users see (docs/cli.md, "Task JSON"): the fixed keys in their documented order,
    /// then `start_time` (formatted like `create_time`, or null), `persist_cost` (or null) and
    /// `complete_time` (when it became Completed or Failed, formatted, or null), then
    /// `rejected_rows` and `rejects_file` (relative to the data directory, or null); a Started
    /// task with durable work units adds `"resumable": true`.
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
        });
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
mod tests {
    use super::*;

    fn sample() -> TaskRecord {
        let mut t = TaskRecord::new(
            7,
            "book",
            "2022",
            vec!["test.json".to_owned()],
            None,
            1_795_492_800,
        );
        t.state = TaskState::Completed;
        t.row_count = 5;
        t.progress = 100;
        t
    }

    #[test]
    fn new_record_is_pending_and_empty() {
        let t = TaskRecord::new(3, "c", "", vec![], Some(9), 10);
        assert_eq!(t.state, TaskState::Pending);
        assert_eq!((t.id, t.job_id, t.create_time), (3, Some(9), 10));
        assert_eq!((t.row_count, t.progress), (0, 0));
        assert!(t.id_ranges.is_empty() && t.segments.is_empty() && t.failed_reason.is_empty());
        assert_eq!((t.start_time, t.persist_cost), (None, None));
    }

    #[test]
    fn to_json_matches_the_interface_example() {
        // The keys of docs/cli.md ("Task JSON"), the last three added to Milvus's.
        let want: Value = serde_json::from_str(
            r#"{"task_id": 7, "state": "Completed", "state_code": 6, "collection": "book",
                "partition": "2022", "files": ["test.json"], "row_count": 5, "progress": 100,
                "id_ranges": [], "failed_reason": "", "create_time": "2026-11-24 04:00:00",
                "start_time": null, "persist_cost": null, "complete_time": null,
                "rejected_rows": 0, "rejects_file": null}"#,
        )
        .unwrap();
        let got = sample().to_json();
        assert_eq!(got, want);
        let keys: Vec<&str> = got
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "task_id",
                "state",
                "state_code",
                "collection",
                "partition",
                "files",
                "row_count",
                "progress",
                "id_ranges",
                "failed_reason",
                "create_time",
                "start_time",
                "persist_cost",
                "complete_time",
                "rejected_rows",
                "rejects_file"
            ]
        );
    }

    #[test]
    fn to_json_formats_optional_and_nested_values() {
        let mut t = sample();
        t.state = TaskState::FailedAndCleaned;
        t.id_ranges = vec![[1 << 40, (1 << 40) + 5], [7, 9]];
        t.failed_reason = "a; b".to_owned();
        t.start_time = Some(1_795_492_801);
        t.persist_cost = Some(1.5);
        t.job_id = Some(4);
        let j = t.to_json();
        assert_eq!(j["state"], "FailedAndCleaned");
        assert_eq!(j["state_code"], 7);
        assert_eq!(
            j["id_ranges"],
            json!([[1_099_511_627_776_i64, 1_099_511_627_781_i64], [7, 9]])
        );
        assert_eq!(j["failed_reason"], "a; b");
        assert_eq!(j["start_time"], "2026-11-24 04:00:01");
        assert_eq!(j["persist_cost"], 1.5);
        assert!(j.get("job_id").is_none() && j.get("segments").is_none());
    }

    #[test]
    fn record_round_trips_through_serde() {
        let mut t = sample();
        t.segments.push(SegmentRef {
            file_name: "seg-7-0.vseg".to_owned(),
            rows: 5,
            bytes: 1234,
            partition: "2022".to_owned(),
            shard: 1,
        });
        t.persist_cost = Some(0.25);
        let bytes = serde_json::to_vec(&t).unwrap();
        assert_eq!(serde_json::from_slice::<TaskRecord>(&bytes).unwrap(), t);
    }

    /// Records written before the request options existed still read; the options are kept.
    #[test]
    fn request_options_are_optional_in_records() {
        let mut t = sample();
        let old = serde_json::to_value(&t).unwrap();
        for key in [
            "timeout_ms",
            "auto_commit",
            "idempotency_key",
            "persist_time",
            "file_size",
            "on_error",
            "max_errors",
            "max_error_ratio",
            "rejected_rows",
            "rejects_file",
        ] {
            assert!(old.get(key).is_none(), "{key}");
        }
        assert_eq!(serde_json::from_value::<TaskRecord>(old).unwrap(), t);
        t.timeout_ms = Some(300_000);
        t.auto_commit = Some(false);
        t.idempotency_key = Some("k-1".into());
        t.persist_time = Some(1_795_492_900);
        t.file_size = Some(4096);
        t.on_error = Some(OnError::Skip);
        t.max_errors = Some(10);
        t.max_error_ratio = Some(0.25);
        t.rejected_rows = 3;
        t.rejects_file = Some("rejects/7.jsonl".into());
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains(r#""on_error":"skip""#), "{text}");
        let bytes = serde_json::to_vec(&t).unwrap();
        assert_eq!(serde_json::from_slice::<TaskRecord>(&bytes).unwrap(), t);
    }

    /// Records written before the CSV options existed still read; the options are kept.
    #[test]
    fn csv_options_are_optional_in_records() {
        let mut t = sample();
        let mut old = serde_json::to_value(&t).unwrap();
        assert!(old.get("sep").is_none() && old.get("null_key").is_none());
        old.as_object_mut().unwrap().remove("sep");
        assert_eq!(serde_json::from_value::<TaskRecord>(old).unwrap(), t);
        t.sep = Some(";".into());
        t.null_key = Some("NULL".into());
        let bytes = serde_json::to_vec(&t).unwrap();
        assert_eq!(serde_json::from_slice::<TaskRecord>(&bytes).unwrap(), t);
    }
}
