//! Milvus-compatible routing through the whole pipeline, auto-ids, and worker-count
//! independence (issue 5).

use std::collections::BTreeMap;

use vecload::ledger::TaskState;
use vecload::record::ColumnData;
use vecload::route::hash::{hash_int64, hash_varchar};
use vecload::{Engine, EngineOptions};

use crate::util::{options, repo};

const KEYED: &str = r#"{"collectionName": "keyed",
 "schema": {"autoId": true, "enableDynamicField": false,
   "fields": [
     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "tenant", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": 16}},
     {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]},
 "params": {"partitionsNum": 8, "shardsNum": 2}}"#;

fn input(rows: usize) -> String {
    let dir = repo().join("target/test-inputs");
    std::fs::create_dir_all(&dir).unwrap();
    let name = format!("keyed-{}-{rows}.jsonl", std::process::id());
    let mut s = String::new();
    for i in 0..rows {
        s.push_str(&format!(
            "{{\"tenant\": \"t{}\", \"v\": [{i}, 0.5]}}\n",
            (i * 7) % 50
        ));
    }
    std::fs::write(dir.join(&name), s).unwrap();
    format!("target/test-inputs/{name}")
}

fn engine(dir: &std::path::Path, workers: usize) -> Engine {
    let o = EngineOptions {
        import: vecload::ImportOptions {
            workers,
            unit_bytes: 4096,
            ..options().import
        },
        ..options()
    };
    let e = Engine::open(dir, o).unwrap();
    if e.describe_collection("keyed").is_err() {
        e.create_collection_from_json(KEYED.as_bytes()).unwrap();
    }
    e
}

/// Rows per (partition, shard), checking every row sits where Milvus would put it.
fn placement(e: &Engine) -> BTreeMap<(String, u32), u64> {
    let snap = e.snapshot("keyed").unwrap();
    let mut out = BTreeMap::new();
    for (partition, path) in &snap.segments {
        let summary = vecload::segment::read_meta(path).unwrap();
        let batch = vecload::segment::read_all(path).unwrap();
        let (ColumnData::Int64(ids), ColumnData::VarChar(tenants)) =
            (&batch.columns[0].data, &batch.columns[1].data)
        else {
            panic!("unexpected columns");
        };
        for (id, tenant) in ids.iter().zip(tenants) {
            assert_eq!(
                format!("_default_{}", hash_varchar(tenant) % 8),
                *partition,
                "tenant {tenant}"
            );
            assert_eq!(hash_int64(*id) % 2, summary.meta.shard, "id {id}");
        }
        *out.entry((partition.clone(), summary.meta.shard))
            .or_insert(0) += ids.len() as u64;
    }
    out
}

#[test]
fn one_and_two_workers_route_rows_identically_and_as_milvus() {
    let file = vec![input(3000)];
    let mut results = Vec::new();
    for workers in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path(), workers);
        let id = e.do_bulk_insert("keyed", None, &file).unwrap();
        let t = e.wait(id, None).unwrap();
        assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
        assert_eq!(t.row_count, 3000);
        assert_eq!(t.partition, "");
        let p = placement(&e);
        assert_eq!(p.values().sum::<u64>(), 3000);
        assert!(
            p.len() > 8,
            "rows should spread over partitions and shards: {p:?}"
        );
        results.push(p);
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn auto_ids_are_unique_across_tasks_and_restarts_and_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = vec![input(1000)];
    let mut ranges: Vec<[i64; 2]> = Vec::new();
    for round in 0..3 {
        let e = engine(dir.path(), 2);
        let id = e.do_bulk_insert("keyed", None, &file).unwrap();
        let t = e.wait(id, None).unwrap();
        assert_eq!(
            t.state,
            TaskState::Completed,
            "round {round}: {}",
            t.failed_reason
        );
        let covered: i64 = t.id_ranges.iter().map(|r| r[1] - r[0]).sum();
        assert_eq!(covered, 1000, "{:?}", t.id_ranges);
        ranges.extend(t.id_ranges.iter().copied());
    }
    let e = engine(dir.path(), 2);
    let mut ids = Vec::new();
    for (_, path) in &e.snapshot("keyed").unwrap().segments {
        if let ColumnData::Int64(v) = &vecload::segment::read_all(path).unwrap().columns[0].data {
            ids.extend(v.iter().copied());
        }
    }
    assert_eq!(ids.len(), 3000);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3000, "duplicate auto-ids");
    assert!(
        ids.iter()
            .all(|id| ranges.iter().any(|r| r[0] <= *id && *id < r[1]))
    );
}

#[test]
fn a_partition_key_import_that_names_a_partition_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), 1);
    let err = e
        .do_bulk_insert("keyed", Some("_default_1"), &[input(10)])
        .unwrap_err();
    assert!(err.to_string().contains("partition key"), "{err}");
}

/// With a partition key (16 partitions, 1 shard) and 2 workers, both workers write: rows per
/// worker within 10% of each other (issue 17: the exchange key sent every row to worker 0).
#[test]
fn a_partition_key_import_is_written_by_every_worker() {
    const SIXTEEN: &str = r#"{"collectionName": "sixteen",
     "schema": {"autoId": true, "enableDynamicField": false,
       "fields": [
         {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
         {"fieldName": "tenant", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": 16}},
         {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]},
     "params": {"partitionsNum": 16, "shardsNum": 1}}"#;
    let dir = repo().join("target/test-inputs");
    std::fs::create_dir_all(&dir).unwrap();
    let name = format!("sixteen-{}.jsonl", std::process::id());
    let rows: String = (0..8000)
        .map(|i| format!("{{\"tenant\": \"t{i}\", \"v\": [{i}, 0.5]}}\n"))
        .collect();
    std::fs::write(dir.join(&name), rows).unwrap();
    let data = tempfile::tempdir().unwrap();
    let e = engine(data.path(), 2);
    e.create_collection_from_json(SIXTEEN.as_bytes()).unwrap();
    let id = e
        .do_bulk_insert("sixteen", None, &[format!("target/test-inputs/{name}")])
        .unwrap();
    let t = e.wait(id, None).unwrap();
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    let mut per_worker = [0u64; 2];
    for s in &t.segments {
        let name = vecload::segment::SegmentName::parse(&s.file_name).unwrap();
        per_worker[name.worker] += s.rows;
    }
    std::fs::remove_file(dir.join(&name)).unwrap();
    assert_eq!(per_worker.iter().sum::<u64>(), 8000);
    let (lo, hi) = (
        per_worker[0].min(per_worker[1]),
        per_worker[0].max(per_worker[1]),
    );
    assert!(
        (hi - lo) * 10 <= hi,
        "rows per worker should be within 10%: {per_worker:?}"
    );
}
