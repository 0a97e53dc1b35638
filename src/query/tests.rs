//! Queries and searches over real segment files: each primary key once (the newest row),
//! `offset`, partitions, filters on search.

use super::*;
use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::{DataType, FieldSchema};
use crate::segment::{SegmentMeta, SegmentWriter, WriterOptions};
use serde_json::json;

fn schema() -> CollectionSchema {
    let mut id = FieldSchema::new("id", DataType::Int64);
    id.is_primary = true;
    let mut v = FieldSchema::new("v", DataType::FloatVector);
    v.dim = Some(2);
    CollectionSchema {
        name: "c".into(),
        auto_id: false,
        enable_dynamic_field: false,
        fields: vec![id, FieldSchema::new("n", DataType::Int64), v],
        partitions_num: 0,
        shards_num: 1,
        functions: Vec::new(),
    }
}

/// One segment of `(id, n)` rows (vector `[n, 0]`) written by `task` into `partition`,
/// one block per row when `tiny_blocks`.
fn segment(
    dir: &std::path::Path,
    task: u64,
    partition: &str,
    rows: &[(i64, i64)],
    tiny_blocks: bool,
) -> (String, PathBuf) {
    let s = schema();
    let meta = SegmentMeta {
        collection: s.name.clone(),
        partition: partition.into(),
        shard: 0,
        task_id: task,
        fields: s
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.data_type))
            .collect(),
        has_meta: false,
    };
    let opts = WriterOptions {
        block_bytes: if tiny_blocks { 1 } else { 1 << 20 },
        ..Default::default()
    };
    let mut w = SegmentWriter::new(dir, task, 0, 0, meta, opts);
    for (id, n) in rows {
        let col = |data| Column {
            data,
            validity: None,
        };
        let batch = RowBatch {
            columns: vec![
                col(ColumnData::Int64(vec![*id])),
                col(ColumnData::Int64(vec![*n])),
                col(ColumnData::FloatVector {
                    dim: 2,
                    values: vec![*n as f32, 0.0],
                }),
            ],
            meta: None,
        };
        w.add_batch(&batch).unwrap();
    }
    let files = w.finish().unwrap();
    assert_eq!(files.len(), 1);
    (partition.to_string(), dir.join(&files[0].file_name))
}

/// Task 1 wrote `a`: ids 1, 2, 3, 2 again (one block each); task 2 wrote `b`: 3 again, 4.
fn snapshot(dir: &std::path::Path) -> Snapshot {
    let a = dir.join("t1");
    let b = dir.join("t2");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    Snapshot {
        schema: schema(),
        segments: vec![
            segment(&a, 1, "a", &[(1, 10), (2, 20), (3, 30), (2, 21)], true),
            segment(&b, 2, "b", &[(3, 31), (4, 40)], false),
        ],
    }
}

fn ns(rows: &[Map<String, Value>]) -> Vec<i64> {
    rows.iter().map(|r| r["n"].as_i64().unwrap()).collect()
}

fn run(snap: &Snapshot, select: Select, f: impl FnOnce(&mut QueryRequest)) -> Vec<i64> {
    let mut req = QueryRequest::new(select, 100);
    f(&mut req);
    ns(&query(snap, &req).unwrap())
}

fn filter(text: &str) -> Select {
    Select::Filter(Filter::parse(text).unwrap())
}

#[test]
fn each_key_once_the_newest_row_wins() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path());
    // Newest block first: task 2's segment, then task 1's blocks from the last.
    assert_eq!(run(&snap, filter("id > 0"), |_| {}), [31, 40, 21, 10]);
    assert_eq!(
        run(&snap, Select::Ids(vec![Key::Int(2), Key::Int(3)]), |_| {}),
        [31, 21]
    );
    // An old row that matches does not come back once a newer row of its key does not.
    assert_eq!(
        run(&snap, filter("n == 20 or n == 30"), |_| {}),
        Vec::<i64>::new()
    );
    assert_eq!(run(&snap, filter("n < 25"), |_| {}), [21, 10]);
}

#[test]
fn offset_pages_and_the_window_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path());
    let page = |offset, limit| {
        run(&snap, filter("id > 0"), |r| {
            r.offset = offset;
            r.limit = limit;
        })
    };
    assert_eq!(page(0, 2), [31, 40]);
    assert_eq!(page(2, 2), [21, 10]);
    assert_eq!(page(3, 5), [10]);
    assert_eq!(page(9, 5), Vec::<i64>::new());
    let mut req = QueryRequest::new(filter("id > 0"), 16384);
    req.offset = 1;
    let err = query(&snap, &req).unwrap_err().to_string();
    assert!(
        err.contains("limit + offset must be at most 16384, found 16385"),
        "{err}"
    );
}

#[test]
fn partitions_select_rows_but_newer_rows_elsewhere_still_hide_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path());
    let parts = |p: &[&str]| {
        run(&snap, filter("id > 0"), |r| {
            r.partitions = Some(p.iter().map(|s| s.to_string()).collect())
        })
    };
    assert_eq!(parts(&["a"]), [21, 10]);
    assert_eq!(parts(&["b"]), [31, 40]);
    assert_eq!(parts(&["a", "b"]), [31, 40, 21, 10]);
    assert_eq!(parts(&["c"]), Vec::<i64>::new());
}

#[test]
fn search_sees_each_key_once_and_honours_filter_and_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path());
    let f = Filter::parse("n < 35").unwrap();
    let a = ["a".to_string()];
    let hits = |req: SearchRequest<'_>| -> Vec<Value> {
        search(&snap, &req)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    let base = SearchRequest {
        vector: &[0.0, 0.0],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(hits(base.clone()), [json!(1), json!(2), json!(3), json!(4)]);
    let filtered = SearchRequest {
        filter: Some(&f),
        ..base.clone()
    };
    assert_eq!(hits(filtered), [json!(1), json!(2), json!(3)]);
    let in_a = SearchRequest {
        partitions: Some(&a),
        ..base.clone()
    };
    assert_eq!(hits(in_a), [json!(1), json!(2)]);
    let paged = SearchRequest {
        offset: 1,
        limit: 2,
        ..base.clone()
    };
    assert_eq!(hits(paged), [json!(2), json!(3)]);
    let bad = Filter::parse("n == 'x'").unwrap();
    let err = search(
        &snap,
        &SearchRequest {
            filter: Some(&bad),
            ..base
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("field n is Int64, the value \"x\" is a string"),
        "{err}"
    );
}

#[test]
fn count_counts_every_stored_row_that_matches_duplicates_included() {
    let dir = tempfile::tempdir().unwrap();
    let snap = snapshot(dir.path());
    let f = |t: &str| Filter::parse(t).unwrap();
    // Rows: a: (1,10) (2,20) (3,30) (2,21); b: (3,31) (4,40).
    assert_eq!(count(&snap, &f("id > 0"), None).unwrap(), 6);
    assert_eq!(count(&snap, &f("id == 2"), None).unwrap(), 2);
    assert_eq!(count(&snap, &f("n >= 30"), None).unwrap(), 3);
    let b = ["b".to_string()];
    assert_eq!(count(&snap, &f("id >= 3"), Some(&b)).unwrap(), 2);
    assert!(count(&snap, &f("nope > 1"), None).is_err());
}
