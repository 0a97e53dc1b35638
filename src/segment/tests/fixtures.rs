//! Hand-built batches covering every column type, and a writer helper.

use std::path::{Path, PathBuf};

use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::DataType;
use crate::segment::{SegmentInfo, SegmentMeta, SegmentWriter, WriterOptions};

/// Meta for [`all_types`] batches.
pub(super) fn all_types_meta() -> SegmentMeta {
    let fields = [
        ("id", DataType::Int64),
        ("flag", DataType::Bool),
        ("i8", DataType::Int8),
        ("i16", DataType::Int16),
        ("i32", DataType::Int32),
        ("f32", DataType::Float),
        ("f64", DataType::Double),
        ("title", DataType::VarChar),
        ("doc", DataType::Json),
        ("tags", DataType::Array),
        ("vec", DataType::FloatVector),
        ("bits", DataType::BinaryVector),
        ("half", DataType::Float16Vector),
        ("brain", DataType::BFloat16Vector),
        ("sparse", DataType::SparseFloatVector),
        ("int8s", DataType::Int8Vector),
        ("shape", DataType::Geometry),
        ("when", DataType::Timestamptz),
        ("chunks", DataType::ArrayOfStruct),
    ];
    SegmentMeta {
        collection: "docs".into(),
        partition: "_default_1".into(),
        shard: 2,
        task_id: 42,
        fields: fields.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
        has_meta: true,
    }
}

fn column(data: ColumnData, validity: Option<Vec<bool>>) -> Column {
    Column { data, validity }
}

/// `rows` rows of every type, ids from `first`; `i32`, `f64` and `title` are nullable,
/// strings, arrays and sparse vectors vary in length.
pub(crate) fn all_types(first: usize, rows: usize) -> RowBatch {
    let ids: Vec<usize> = (first..first + rows).collect();
    let mask = |k: usize| Some(ids.iter().map(|i| i % k != 0).collect());
    let per = |f: &dyn Fn(usize) -> usize| -> Vec<usize> { ids.iter().map(|&i| f(i)).collect() };
    let columns = vec![
        column(
            ColumnData::Int64(ids.iter().map(|&i| i as i64).collect()),
            None,
        ),
        column(
            ColumnData::Bool(ids.iter().map(|i| i % 2 == 0).collect()),
            None,
        ),
        column(
            ColumnData::Int8(ids.iter().map(|&i| i as i8).collect()),
            None,
        ),
        column(
            ColumnData::Int16(ids.iter().map(|&i| -(i as i16)).collect()),
            None,
        ),
        column(
            ColumnData::Int32(ids.iter().map(|&i| i as i32 * 7).collect()),
            mask(3),
        ),
        column(
            ColumnData::Float(ids.iter().map(|&i| i as f32 / 4.0).collect()),
            None,
        ),
        column(
            ColumnData::Double(ids.iter().map(|&i| i as f64 * 1.5).collect()),
            mask(4),
        ),
        column(
            ColumnData::VarChar(per(&|i| i % 13).iter().map(|n| "é".repeat(*n)).collect()),
            mask(5),
        ),
        column(
            ColumnData::Json(ids.iter().map(|i| format!(r#"{{"n":{i}}}"#)).collect()),
            None,
        ),
        column(
            ColumnData::Array(
                per(&|i| i % 4)
                    .iter()
                    .map(|&n| ColumnData::Int32((0..n as i32).collect()))
                    .collect(),
            ),
            None,
        ),
        column(
            ColumnData::FloatVector {
                dim: 4,
                values: (0..rows * 4).map(|v| (first * 4 + v) as f32).collect(),
            },
            None,
        ),
        column(
            ColumnData::BinaryVector {
                dim: 16,
                bytes: (0..rows * 2).map(|v| (first * 2 + v) as u8).collect(),
            },
            None,
        ),
        column(
            ColumnData::Float16Vector {
                dim: 3,
                bits: (0..rows * 3).map(|v| (first * 3 + v) as u16).collect(),
            },
            None,
        ),
        column(
            ColumnData::BFloat16Vector {
                dim: 2,
                bits: (0..rows * 2)
                    .map(|v| (first * 2 + v) as u16 ^ 0x8000)
                    .collect(),
            },
            None,
        ),
        column(
            ColumnData::SparseFloatVector(
                per(&|i| i % 5)
                    .iter()
                    .map(|&n| (0..n as u32).map(|k| (k * 3, k as f32)).collect())
                    .collect(),
            ),
            None,
        ),
        column(
            ColumnData::Int8Vector {
                dim: 3,
                values: (0..rows * 3).map(|v| (first * 3 + v) as i8).collect(),
            },
            None,
        ),
        column(
            ColumnData::Geometry(ids.iter().map(|i| format!("POINT({i} 1)")).collect()),
            Some(ids.iter().map(|i| i % 4 != 1).collect()),
        ),
        column(
            ColumnData::Timestamptz(ids.iter().map(|&i| i as i64 * 1_000_001 - 7).collect()),
            None,
        ),
        column(
            ColumnData::ArrayOfStruct(
                ids.iter()
                    .map(|i| {
                        let n = *i % 3;
                        vec![
                            ColumnData::VarChar((0..n).map(|k| format!("c{i}.{k}")).collect()),
                            ColumnData::FloatVector {
                                dim: 2,
                                values: (0..n * 2).map(|k| k as f32 + 0.5).collect(),
                            },
                        ]
                    })
                    .collect(),
            ),
            None,
        ),
    ];
    let meta = ids.iter().map(|i| format!(r#"{{"extra":{i}}}"#)).collect();
    RowBatch {
        columns,
        meta: Some(meta),
    }
}

/// Writes `batches` with `opts` into `dir` (task 42, worker 1, partition index 1).
pub(crate) fn write(dir: &Path, opts: WriterOptions, batches: &[RowBatch]) -> Vec<SegmentInfo> {
    let mut w = SegmentWriter::new(dir, 42, 1, 1, all_types_meta(), opts);
    for b in batches {
        w.add_batch(b).unwrap();
    }
    w.finish().unwrap()
}

/// A small segment of several blocks, its bytes and its path.
pub(super) fn small_segment(dir: &Path) -> (PathBuf, Vec<u8>) {
    let opts = WriterOptions {
        segment_max_size: 1 << 20,
        block_bytes: 600,
    };
    let infos = write(dir, opts, &[all_types(0, 10), all_types(10, 7)]);
    assert_eq!(infos.len(), 1);
    let path = dir.join(&infos[0].file_name);
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}
