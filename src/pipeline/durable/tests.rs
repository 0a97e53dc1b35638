//! Durable points over a whole task: how many are taken with and without a resume interval,
//! and the rows they cover.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::pipeline::{IdAllocator, PipelineOptions, TaskControl, run_resumable};
use crate::schema::CollectionSchema;
use crate::source::LocalRoot;

const SCHEMA: &str = r#"{"collectionName": "c", "schema": {"autoId": true, "fields": [
    {"fieldName": "pk", "dataType": "Int64", "isPrimary": true},
    {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#;
const ROWS: u64 = 4000;

/// The points recorded, in order.
#[derive(Default)]
struct Points(Mutex<Vec<Durable>>);

impl DurableSink for Points {
    fn record(&self, d: &Durable) -> Result<(), AllocError> {
        self.0.lock().unwrap().push(d.clone());
        Ok(())
    }
}

struct Ids(AtomicI64);

impl IdAllocator for Ids {
    fn alloc(&self, n: u64) -> Result<Range<i64>, AllocError> {
        let first = self.0.fetch_add(n as i64, Ordering::Relaxed);
        Ok(first..first + n as i64)
    }
}

/// Imports `ROWS` JSON Lines rows in units of about 10 rows on 2 workers, with `interval`
/// between points; the points recorded and how long the task took.
fn import(dir: &Path, interval: Duration, throttle: Duration) -> (Vec<Durable>, Duration) {
    let text: String = (0..ROWS)
        .map(|i| format!("{{\"vec\": [{i}, 1]}}\n"))
        .collect();
    std::fs::write(dir.join("rows.jsonl"), text).unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let spec = TaskSpec {
        task_id: 1,
        schema: CollectionSchema::from_json(SCHEMA.as_bytes(), 16).unwrap(),
        partitions: vec!["_default".into()],
        files: vec!["rows.jsonl".into()],
        root: LocalRoot::open(dir).into(),
        out_dir,
        csv: Default::default(),
    };
    let opts = PipelineOptions {
        workers: 2,
        unit_bytes: 200,
        unit_delay: throttle,
        ..Default::default()
    };
    let points = Arc::new(Points::default());
    let resume = Resume {
        sink: Some(points.clone()),
        from: None,
        interval,
    };
    let started = Instant::now();
    let control = Arc::new(TaskControl::default());
    let out = run_resumable(spec, opts, &Ids(AtomicI64::new(1)), control, resume).unwrap();
    let took = started.elapsed();
    assert_eq!(out.rows, ROWS);
    let points = std::mem::take(&mut *points.0.lock().unwrap());
    for p in &points {
        let rows: u64 = p.segments.iter().map(|s| s.rows).sum();
        let done: u64 = p.rows_done.iter().map(|r| r[1] - r[0]).sum();
        assert_eq!(
            (p.rows, done),
            (rows, rows),
            "a point covers its segments' rows"
        );
    }
    (points, took)
}

#[test]
fn with_no_interval_a_point_comes_every_16_units_of_each_worker() {
    let dir = tempfile::tempdir().unwrap();
    let (points, _) = import(dir.path(), Duration::ZERO, Duration::ZERO);
    // About 400 units (78 KB) over 2 workers: a point per 32 units.
    assert!((9..=13).contains(&points.len()), "{} points", points.len());
    let rows: Vec<u64> = points.iter().map(|p| p.rows).collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
}

#[test]
fn an_interval_spaces_the_points_and_a_long_one_takes_none() {
    let dir = tempfile::tempdir().unwrap();
    let (points, _) = import(dir.path(), Duration::from_secs(3600), Duration::ZERO);
    assert!(points.is_empty(), "{} points", points.len());
    // A unit every 5 ms or so per worker: about a second in all, a point at most every 150 ms.
    let dir = tempfile::tempdir().unwrap();
    let interval = Duration::from_millis(150);
    let (points, took) = import(dir.path(), interval, Duration::from_millis(5));
    let most = (took.as_millis() / interval.as_millis()) as usize;
    assert!(
        (1..=most).contains(&points.len()),
        "{} points in {took:?}",
        points.len()
    );
}

#[test]
fn ranges_merge_and_cover() {
    let mut v = Vec::new();
    add_range(&mut v, [10, 20]);
    add_range(&mut v, [0, 5]);
    add_range(&mut v, [5, 10]);
    add_range(&mut v, [30, 40]);
    assert_eq!(v, vec![[0, 20], [30, 40]]);
    assert_eq!(covered(&v, [3, 12]), Some(true));
    assert_eq!(covered(&v, [20, 30]), Some(false));
    assert_eq!(covered(&v, [15, 25]), None);
    assert_eq!(covered(&v, [7, 7]), Some(false));
}

#[test]
fn a_changed_file_is_named_with_what_changed() {
    let stamp = |size, t| FileStamp {
        size,
        modified_ns: Some(t),
        etag: None,
    };
    let then = vec![("a.jsonl".to_string(), stamp(10, 1))];
    assert!(check_unchanged(&then, &then).is_ok());
    let e = check_unchanged(&then, &[("a.jsonl".into(), stamp(11, 1))]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("a.jsonl") && text.contains("size 10 -> 11"),
        "{text}"
    );
    let e = check_unchanged(&then, &[("a.jsonl".into(), stamp(10, 2))]).unwrap_err();
    assert!(e.to_string().contains("modification time"), "{e}");
}

#[test]
fn new_files_are_numbered_past_the_kept_ones() {
    let seg = |name: &str| SegmentInfo {
        file_name: name.into(),
        rows: 1,
        bytes: 1,
        partition: "_default".into(),
        shard: 0,
    };
    assert_eq!(first_seq(&[]), 0);
    let kept = [
        seg("t00000007-w0-p0-s0-0003.vseg"),
        seg("t00000007-w1-p0-s0-0011.vseg"),
    ];
    assert_eq!(first_seq(&kept), 12);
}
