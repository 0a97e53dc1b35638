//! The decode-side mirror of [`RowBatch`]: the same bincode layout, except that an array's
//! elements, and the members of an array of structs, cannot themselves be arrays.
//!
//! `ColumnData::Array` holds `ColumnData`, so decoding it directly recurses once per nesting
//! level, and a few megabytes of crafted block (with a correct CRC) overflow the stack and
//! abort the process. Schemas never nest arrays, so blocks are decoded through these types,
//! which refuse a nested array at the second level, then moved (not copied) into a
//! [`RowBatch`]. Variant order must match `ColumnData`'s; the round-trip tests of every
//! variant hold both in step.

use serde::{Deserialize, Deserializer};

use crate::record::{Column, ColumnData, RowBatch};

/// [`RowBatch`] as encoded.
#[derive(Deserialize)]
pub(crate) struct WireBatch {
    columns: Vec<WireColumn>,
    meta: Option<Vec<String>>,
}

/// Column data that holds no arrays.
type Flat = Wire<NoNesting, NoNesting>;

/// [`Column`] as encoded, with array elements and struct members that cannot nest.
#[derive(Deserialize)]
struct WireColumn {
    data: Wire<Vec<Flat>, Vec<Vec<Flat>>>,
    validity: Option<Vec<bool>>,
}

/// [`ColumnData`] as encoded, with `A` in place of the array variant's elements and `S` in
/// place of the array-of-struct variant's rows.
#[derive(Deserialize)]
enum Wire<A, S> {
    Bool(Vec<bool>),
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    VarChar(Vec<String>),
    Json(Vec<String>),
    Array(A),
    FloatVector { dim: usize, values: Vec<f32> },
    BinaryVector { dim: usize, bytes: Vec<u8> },
    Float16Vector { dim: usize, bits: Vec<u16> },
    BFloat16Vector { dim: usize, bits: Vec<u16> },
    SparseFloatVector(Vec<Vec<(u32, f32)>>),
    Int8Vector { dim: usize, values: Vec<i8> },
    Geometry(Vec<String>),
    Timestamptz(Vec<i64>),
    ArrayOfStruct(S),
}

/// The elements of an array nested in an array: never decodes.
enum NoNesting {}

impl<'de> Deserialize<'de> for NoNesting {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("array elements cannot be arrays"))
    }
}

impl<A, S> Wire<A, S> {
    /// The column data, with `array` converting the array variant's elements and `structs`
    /// the array-of-struct variant's rows.
    fn into_data(
        self,
        array: impl FnOnce(A) -> Vec<ColumnData>,
        structs: impl FnOnce(S) -> Vec<Vec<ColumnData>>,
    ) -> ColumnData {
        match self {
            Wire::Bool(v) => ColumnData::Bool(v),
            Wire::Int8(v) => ColumnData::Int8(v),
            Wire::Int16(v) => ColumnData::Int16(v),
            Wire::Int32(v) => ColumnData::Int32(v),
            Wire::Int64(v) => ColumnData::Int64(v),
            Wire::Float(v) => ColumnData::Float(v),
            Wire::Double(v) => ColumnData::Double(v),
            Wire::VarChar(v) => ColumnData::VarChar(v),
            Wire::Json(v) => ColumnData::Json(v),
            Wire::Array(a) => ColumnData::Array(array(a)),
            Wire::FloatVector { dim, values } => ColumnData::FloatVector { dim, values },
            Wire::BinaryVector { dim, bytes } => ColumnData::BinaryVector { dim, bytes },
            Wire::Float16Vector { dim, bits } => ColumnData::Float16Vector { dim, bits },
            Wire::BFloat16Vector { dim, bits } => ColumnData::BFloat16Vector { dim, bits },
            Wire::SparseFloatVector(v) => ColumnData::SparseFloatVector(v),
            Wire::Int8Vector { dim, values } => ColumnData::Int8Vector { dim, values },
            Wire::Geometry(v) => ColumnData::Geometry(v),
            Wire::Timestamptz(v) => ColumnData::Timestamptz(v),
            Wire::ArrayOfStruct(rows) => ColumnData::ArrayOfStruct(structs(rows)),
        }
    }
}

impl From<WireBatch> for RowBatch {
    fn from(w: WireBatch) -> Self {
        let flat = |e: Flat| e.into_data(|never| match never {}, |never| match never {});
        let columns = w.columns.into_iter().map(|c| Column {
            data: c.data.into_data(
                |elements| elements.into_iter().map(flat).collect(),
                |rows| {
                    rows.into_iter()
                        .map(|members| members.into_iter().map(flat).collect())
                        .collect()
                },
            ),
            validity: c.validity,
        });
        RowBatch {
            columns: columns.collect(),
            meta: w.meta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::codec;

    #[test]
    fn deeply_nested_arrays_are_refused_not_a_stack_overflow() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&1u64.to_le_bytes()); // one column
        for _ in 0..200_000 {
            bytes.extend_from_slice(&9u32.to_le_bytes()); // Array
            bytes.extend_from_slice(&1u64.to_le_bytes()); // of one element
        }
        bytes.extend_from_slice(&[0; 4 + 8 + 1 + 1]); // Bool(empty), no validity, no meta
        let err = codec::decode::<WireBatch>(&bytes)
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("array elements cannot be arrays"));
    }

    #[test]
    fn one_level_of_arrays_decodes() {
        let batch = RowBatch {
            columns: vec![Column {
                data: ColumnData::Array(vec![
                    ColumnData::VarChar(vec!["a".into()]),
                    ColumnData::Int64(vec![]),
                ]),
                validity: Some(vec![true, false]),
            }],
            meta: None,
        };
        let mut bytes = Vec::new();
        codec::encode_into(&mut bytes, &batch).unwrap();
        let back: WireBatch = codec::decode(&bytes).unwrap();
        assert_eq!(RowBatch::from(back), batch);
    }
}
