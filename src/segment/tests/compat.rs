//! Segments written by an older format version stay readable: `data/compat/` holds a
//! version-1 segment written by the last build of that version (schema and rows beside it).

use std::path::PathBuf;

use crate::record::ColumnData;
use crate::schema::DataType;
use crate::segment::format::FORMAT_VERSION;
use crate::segment::{read_all, verify};

fn v1_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/compat/t00000001-w1-p0-s0-0000.vseg")
}

#[test]
fn a_version_1_segment_is_read_by_this_build() {
    let summary = verify(&v1_file()).unwrap();
    assert_eq!(summary.format_version, 1);
    // The fixture must stay older than what this build writes.
    assert!(summary.format_version < FORMAT_VERSION);
    assert_eq!(summary.row_count, 3);
    let types: Vec<DataType> = summary.meta.fields.iter().map(|(_, t)| *t).collect();
    assert_eq!(
        types,
        [
            DataType::Int64,
            DataType::VarChar,
            DataType::Array,
            DataType::FloatVector,
            DataType::BinaryVector,
            DataType::Float16Vector,
        ]
    );
    let batch = read_all(&v1_file()).unwrap();
    assert_eq!(batch.columns[0].data, ColumnData::Int64(vec![1, 2, 3]));
    assert_eq!(batch.columns[1].validity, Some(vec![true, false, true]));
    assert_eq!(
        batch.columns[3].data,
        ColumnData::FloatVector {
            dim: 2,
            values: vec![0.5, 1.5, -1.0, 2.0, 3.0, 4.0]
        }
    );
    assert_eq!(
        batch.columns[4].data,
        ColumnData::BinaryVector {
            dim: 8,
            bytes: vec![255, 1, 128]
        }
    );
    assert_eq!(
        batch.columns[5].data,
        ColumnData::Float16Vector {
            dim: 2,
            bits: vec![0x3c00, 0xc000, 0x3800, 0x3400, 0x4400, 0x4800]
        }
    );
    let meta = batch.meta.unwrap_or_default();
    assert_eq!(meta[0], r#"{"color":"red"}"#);
}

#[test]
fn a_version_2_segment_is_read_by_this_build() {
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/compat/t00000002-w0-p0-s0-0000.vseg");
    let summary = verify(&file).unwrap();
    assert_eq!(summary.format_version, 2);
    assert!(summary.format_version < FORMAT_VERSION);
    assert_eq!(summary.row_count, 2);
    let batch = read_all(&file).unwrap();
    assert_eq!(batch.columns[0].data, ColumnData::Int64(vec![1, 2]));
    assert_eq!(
        batch.columns[1].data,
        ColumnData::Int8Vector {
            dim: 3,
            values: vec![1, -2, 3, -128, 0, 127]
        }
    );
    assert_eq!(
        batch.columns[2].data,
        ColumnData::SparseFloatVector(vec![vec![(4, 0.5)], vec![(1, 2.0), (9, 1.5)]])
    );
    assert_eq!(batch.columns[3].validity, Some(vec![true, false]));
}
