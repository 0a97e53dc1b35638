//! Routing rows to (shard, partition) exactly as Milvus does (docs/formats.md, "Routing").

pub mod hash;

use crate::record::{ColumnData, RowBatch};
use crate::schema::CollectionSchema;

/// Where a row goes: a shard (Milvus vchannel) and a partition index.
///
/// For a partition-key collection the partition index is into `_default_0.._default_{N-1}`;
/// otherwise it is always 0 (the task's one target partition).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Destination {
    /// Shard index, `hash(pk) % shards_num`.
    pub shard: u32,
    /// Partition index.
    pub partition: u32,
}

/// Hash of a key column's row, as Milvus computes it. `None` for a column that cannot be a key.
pub fn key_hash(col: &ColumnData, row: usize) -> Option<u32> {
    match col {
        ColumnData::Int64(v) => Some(hash::hash_int64(v[row])),
        ColumnData::VarChar(v) => Some(hash::hash_varchar(&v[row])),
        _ => None,
    }
}

/// Computes the destination of every row of `batch`.
pub fn destinations(schema: &CollectionSchema, batch: &RowBatch) -> Vec<Destination> {
    let shards = schema.shards_num.max(1) as u32;
    let parts = schema.partitions_num.max(1) as u32;
    let pk = &batch.columns[schema.primary_index()].data;
    let key = schema.partition_key_index().map(|i| &batch.columns[i].data);
    (0..batch.len())
        .map(|row| Destination {
            shard: if shards == 1 {
                0
            } else {
                key_hash(pk, row).unwrap_or(0) % shards
            },
            partition: key.and_then(|k| key_hash(k, row)).map_or(0, |h| h % parts),
        })
        .collect()
}

/// Splits `batch` by destination, in order of first appearance; rows keep their order.
pub fn split(schema: &CollectionSchema, batch: RowBatch) -> Vec<(Destination, RowBatch)> {
    let dests = destinations(schema, &batch);
    if let Some(first) = dests.first()
        && dests.iter().all(|d| d == first)
    {
        return vec![(*first, batch)]; // the common case: no copy
    }
    // Each destination's slot, in order of first appearance; then one pass per column.
    let mut seen: Vec<Destination> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let slots: Vec<usize> = dests
        .iter()
        .map(|dest| match seen.iter().position(|d| d == dest) {
            Some(i) => {
                counts[i] += 1;
                i
            }
            None => {
                seen.push(*dest);
                counts.push(1);
                seen.len() - 1
            }
        })
        .collect();
    seen.into_iter()
        .zip(batch.scatter(&slots, &counts))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{DataType, FieldSchema};

    fn keyed_schema() -> CollectionSchema {
        let mut pk = FieldSchema::new("id", DataType::Int64);
        pk.is_primary = true;
        let mut key = FieldSchema::new("tenant", DataType::VarChar);
        key.is_partition_key = true;
        key.max_length = Some(16);
        let mut vec = FieldSchema::new("v", DataType::FloatVector);
        vec.dim = Some(1);
        CollectionSchema {
            name: "c".into(),
            auto_id: false,
            enable_dynamic_field: false,
            fields: vec![pk, key, vec],
            partitions_num: 16,
            shards_num: 2,
            functions: Vec::new(),
        }
    }

    #[test]
    fn rows_go_where_milvus_puts_them() {
        let schema = keyed_schema();
        let mut b = RowBatch::empty(&schema, 3);
        b.columns[0].data = ColumnData::Int64(vec![0, 1, i64::MAX]);
        b.columns[1].data =
            ColumnData::VarChar(vec!["a".into(), "hello".into(), "tenant_1".into()]);
        b.columns[2].data = ColumnData::FloatVector {
            dim: 1,
            values: vec![0.0; 3],
        };
        let d = destinations(&schema, &b);
        // docs/formats.md, "Routing": "a" -> 3, "hello" -> 6, "tenant_1" -> 11 (mod 16); pk 0 -> 0, 1 -> 0, MAX -> 1 (mod 2).
        let want = [(0, 3), (0, 6), (1, 11)];
        for (got, (s, p)) in d.iter().zip(want) {
            assert_eq!((got.shard, got.partition), (s, p));
        }
        let parts = split(&schema, b);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|(_, b)| b.len() == 1));
    }
}
