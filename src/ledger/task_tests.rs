//! Tests of task records: their JSON, their partitions, and old records read back.

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
            "rejected_rows": 0, "rejects_file": null, "dry_run": false,
            "partitions": {}, "file_size": null, "storage_root": null}"#,
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
            "rejects_file",
            "dry_run",
            "partitions",
            "file_size",
            "storage_root"
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
        "dry_run",
        "partitions",
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
    t.dry_run = true;
    t.partitions = BTreeMap::from([("_default_0".to_string(), 5)]);
    let text = serde_json::to_string(&t).unwrap();
    assert!(text.contains(r#""on_error":"skip""#), "{text}");
    let bytes = serde_json::to_vec(&t).unwrap();
    assert_eq!(serde_json::from_slice::<TaskRecord>(&bytes).unwrap(), t);
}

/// An import's partitions come from its segments, a dry run's from its record.
#[test]
fn partitions_of_an_import_and_of_a_dry_run() {
    let mut t = sample();
    let seg = |partition: &str, rows| SegmentRef {
        file_name: format!("seg-{partition}-{rows}.vseg"),
        rows,
        bytes: 10,
        partition: partition.to_owned(),
        shard: 0,
    };
    t.segments = vec![seg("a", 2), seg("b", 1), seg("a", 3)];
    assert_eq!(t.to_json()["partitions"], json!({"a": 5, "b": 1}));
    assert_eq!(t.to_json()["dry_run"], false);
    t.segments.clear();
    t.dry_run = true;
    t.partitions = BTreeMap::from([("c".to_string(), 4)]);
    t.file_size = Some(99);
    let j = t.to_json();
    assert_eq!(
        (&j["partitions"], &j["dry_run"], &j["file_size"]),
        (&json!({"c": 4}), &json!(true), &json!(99))
    );
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

/// A record keeps its storage root without credentials; older records (no root) still read,
/// and the task JSON shows the root's URL or directory.
#[test]
fn the_storage_root_is_recorded_and_optional() {
    let mut t = sample();
    let old = serde_json::to_value(&t).unwrap();
    assert!(old.get("storage_root").is_none());
    assert_eq!(serde_json::from_value::<TaskRecord>(old).unwrap(), t);
    t.storage_root = Some(StorageRoot {
        root: "s3://bucket/imports".into(),
        absolute_paths: false,
        s3_endpoint: Some("http://127.0.0.1:9000".into()),
        s3_region: Some("eu-west-1".into()),
        s3_allow_http: true,
    });
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(
        v["storage_root"],
        json!({"root": "s3://bucket/imports", "s3_endpoint": "http://127.0.0.1:9000",
               "s3_region": "eu-west-1", "s3_allow_http": true})
    );
    assert_eq!(serde_json::from_value::<TaskRecord>(v).unwrap(), t);
    assert_eq!(t.to_json()["storage_root"], "s3://bucket/imports");
    t.storage_root = Some(StorageRoot::dir("/srv/in", true));
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(
        v["storage_root"],
        json!({"root": "/srv/in", "absolute_paths": true})
    );
    assert_eq!(serde_json::from_value::<TaskRecord>(v).unwrap(), t);
    assert!(!t.storage_root.as_ref().unwrap().is_s3());
}
