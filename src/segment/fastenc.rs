//! A hand-written encoder for [`RowBatch`] that produces exactly bincode's bytes (fixed-width
//! little-endian integers, serde's derived layout) but copies numeric columns in bulk instead
//! of serializing them value by value. The reader still decodes with bincode, and a test
//! proves both encodings equal for every column type.

use crate::record::{Column, ColumnData, RowBatch};

fn len(buf: &mut Vec<u8>, n: usize) {
    buf.extend_from_slice(&(n as u64).to_le_bytes());
}

fn variant(buf: &mut Vec<u8>, index: u32) {
    buf.extend_from_slice(&index.to_le_bytes());
}

/// Appends a slice of plain numbers as bincode writes a `Vec` of them: length, then each
/// value's little-endian bytes.
fn numbers<T: bytemuck::Pod>(buf: &mut Vec<u8>, v: &[T], to_le: impl Fn(&T, &mut Vec<u8>)) {
    len(buf, v.len());
    if cfg!(target_endian = "little") {
        buf.extend_from_slice(bytemuck::cast_slice(v));
    } else {
        v.iter().for_each(|x| to_le(x, buf));
    }
}

fn bools(buf: &mut Vec<u8>, v: &[bool]) {
    len(buf, v.len());
    buf.extend(v.iter().map(|b| u8::from(*b)));
}

fn strings(buf: &mut Vec<u8>, v: &[String]) {
    len(buf, v.len());
    for s in v {
        len(buf, s.len());
        buf.extend_from_slice(s.as_bytes());
    }
}

fn column_data(buf: &mut Vec<u8>, d: &ColumnData) {
    match d {
        ColumnData::Bool(v) => {
            variant(buf, 0);
            bools(buf, v);
        }
        ColumnData::Int8(v) => {
            variant(buf, 1);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Int16(v) => {
            variant(buf, 2);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Int32(v) => {
            variant(buf, 3);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Int64(v) => {
            variant(buf, 4);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Float(v) => {
            variant(buf, 5);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Double(v) => {
            variant(buf, 6);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::VarChar(v) => {
            variant(buf, 7);
            strings(buf, v);
        }
        ColumnData::Json(v) => {
            variant(buf, 8);
            strings(buf, v);
        }
        ColumnData::Array(v) => {
            variant(buf, 9);
            len(buf, v.len());
            v.iter().for_each(|a| column_data(buf, a));
        }
        ColumnData::FloatVector { dim, values } => {
            variant(buf, 10);
            len(buf, *dim);
            numbers(buf, values, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::BinaryVector { dim, bytes } => {
            variant(buf, 11);
            len(buf, *dim);
            numbers(buf, bytes, |x, b| b.push(*x));
        }
        ColumnData::Float16Vector { dim, bits } => {
            variant(buf, 12);
            len(buf, *dim);
            numbers(buf, bits, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::BFloat16Vector { dim, bits } => {
            variant(buf, 13);
            len(buf, *dim);
            numbers(buf, bits, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::SparseFloatVector(v) => {
            variant(buf, 14);
            len(buf, v.len());
            for row in v {
                len(buf, row.len());
                for (i, x) in row {
                    buf.extend_from_slice(&i.to_le_bytes());
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        ColumnData::Int8Vector { dim, values } => {
            variant(buf, 15);
            len(buf, *dim);
            numbers(buf, values, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::Geometry(v) => {
            variant(buf, 16);
            strings(buf, v);
        }
        ColumnData::Timestamptz(v) => {
            variant(buf, 17);
            numbers(buf, v, |x, b| b.extend_from_slice(&x.to_le_bytes()));
        }
        ColumnData::ArrayOfStruct(v) => {
            variant(buf, 18);
            len(buf, v.len());
            for row in v {
                len(buf, row.len());
                row.iter().for_each(|m| column_data(buf, m));
            }
        }
    }
}

fn column(buf: &mut Vec<u8>, c: &Column) {
    column_data(buf, &c.data);
    match &c.validity {
        None => buf.push(0),
        Some(v) => {
            buf.push(1);
            bools(buf, v);
        }
    }
}

/// Appends bincode's encoding of `batch` to `buf`.
pub(super) fn encode_batch(buf: &mut Vec<u8>, batch: &RowBatch) {
    len(buf, batch.columns.len());
    batch.columns.iter().for_each(|c| column(buf, c));
    match &batch.meta {
        None => buf.push(0),
        Some(m) => {
            buf.push(1);
            strings(buf, m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::tests::fixtures;

    #[test]
    fn equals_bincode_for_every_column_type() {
        for rows in [0, 1, 7, 40] {
            let batch = fixtures::all_types(3, rows);
            let mut fast = Vec::new();
            encode_batch(&mut fast, &batch);
            let mut slow = Vec::new();
            super::super::codec::encode_into(&mut slow, &batch).unwrap();
            assert_eq!(fast, slow, "{rows} rows");
        }
    }
}
