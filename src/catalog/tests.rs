//! Catalog tests: reopening, partitions, and writes that fail.

use super::*;
use crate::schema::{DataType, FieldSchema};

fn schema(name: &str, key: bool) -> CollectionSchema {
    let mut pk = FieldSchema::new("id", DataType::Int64);
    pk.is_primary = true;
    let mut k = FieldSchema::new("k", DataType::Int64);
    k.is_partition_key = key;
    let mut v = FieldSchema::new("v", DataType::FloatVector);
    v.dim = Some(2);
    CollectionSchema {
        name: name.into(),
        auto_id: false,
        enable_dynamic_field: false,
        fields: vec![pk, k, v],
        partitions_num: 4,
        shards_num: 1,
        functions: Vec::new(),
    }
}

#[test]
fn survives_reopen_and_commits_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(dir.path()).unwrap();
    cat.create_collection(schema("book", false)).unwrap();
    cat.create_partition("book", "2022").unwrap();
    assert!(matches!(
        cat.create_partition("book", "2022"),
        Err(CatalogError::PartitionExists { .. })
    ));
    let seg = VisibleSegment {
        task_id: 7,
        file_name: "a.vseg".into(),
        rows: 5,
        bytes: 10,
        shard: 0,
    };
    cat.commit("book", 7, vec![("2022".into(), seg.clone())])
        .unwrap();
    cat.commit("book", 7, vec![("2022".into(), seg)]).unwrap();
    let cat = Catalog::open(dir.path()).unwrap();
    let c = cat.collection("book").unwrap();
    assert_eq!(c.rows(None), 5);
    assert_eq!(c.rows(Some("_default")), 0);
    assert!(cat.is_committed("book", 7));
}

#[test]
fn partition_key_collections_have_fixed_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(dir.path()).unwrap();
    let c = cat.create_collection(schema("keyed", true)).unwrap();
    let names: Vec<_> = c.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["_default_0", "_default_1", "_default_2", "_default_3"]
    );
    assert!(matches!(
        cat.create_partition("keyed", "x"),
        Err(CatalogError::PartitionKeyCollection(_))
    ));
    assert!(matches!(
        cat.create_collection(schema("keyed", true)),
        Err(CatalogError::CollectionExists(_))
    ));
}

#[test]
fn a_failed_write_changes_neither_memory_nor_file() {
    use crate::fault::{FaultHook, FaultSite};
    let seg = VisibleSegment {
        task_id: 7,
        file_name: "a.vseg".into(),
        rows: 5,
        bytes: 10,
        shard: 0,
    };
    for site in [
        FaultSite::before(DurableWrite::CatalogCommit),
        FaultSite::after(DurableWrite::CatalogCommit),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        cat.create_collection(schema("book", false)).unwrap();
        let before = std::fs::read(dir.path().join("catalog.json")).unwrap();
        let mut cat = cat.with_fault_hook(Some(FaultHook::fail_at(site)));
        let err = cat.commit("book", 7, vec![("_default".into(), seg.clone())]);
        assert!(
            matches!(err, Err(CatalogError::Io { .. })),
            "{site}: {err:?}"
        );
        assert!(!cat.is_committed("book", 7), "{site}");
        assert_eq!(cat.collection("book").unwrap().rows(None), 0, "{site}");
        let after = std::fs::read(dir.path().join("catalog.json")).unwrap();
        assert_eq!(after, before, "{site}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["catalog.json"], "{site}");
    }
}
