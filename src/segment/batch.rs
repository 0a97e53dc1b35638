//! Row-batch helpers for segments: column types, shape checks, a bulk append of a row range,
//! and the exact encoded size of rows, so the writer sizes blocks before encoding them.

use std::ops::Range;

use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::DataType;

use super::error::Inconsistency;

/// Bytes bincode (fixint) spends on a `Vec`/`String` length or a `usize`.
const LEN_BYTES: u64 = 8;
/// Bytes bincode (fixint) spends on an enum variant tag.
const TAG_BYTES: u64 = 4;
/// Bytes bincode spends on an `Option` tag.
const OPTION_BYTES: u64 = 1;

/// The data type a column holds. (When `ColumnData` gains a variant, this match stops
/// compiling: add the variant to `wire.rs` too, in the same position.)
pub(crate) fn column_type(data: &ColumnData) -> DataType {
    match data {
        ColumnData::Bool(_) => DataType::Bool,
        ColumnData::Int8(_) => DataType::Int8,
        ColumnData::Int16(_) => DataType::Int16,
        ColumnData::Int32(_) => DataType::Int32,
        ColumnData::Int64(_) => DataType::Int64,
        ColumnData::Float(_) => DataType::Float,
        ColumnData::Double(_) => DataType::Double,
        ColumnData::VarChar(_) => DataType::VarChar,
        ColumnData::Json(_) => DataType::Json,
        ColumnData::Array(_) => DataType::Array,
        ColumnData::FloatVector { .. } => DataType::FloatVector,
        ColumnData::BinaryVector { .. } => DataType::BinaryVector,
        ColumnData::Float16Vector { .. } => DataType::Float16Vector,
        ColumnData::BFloat16Vector { .. } => DataType::BFloat16Vector,
        ColumnData::SparseFloatVector(_) => DataType::SparseFloatVector,
        ColumnData::Int8Vector { .. } => DataType::Int8Vector,
        ColumnData::Geometry(_) => DataType::Geometry,
        ColumnData::Timestamptz(_) => DataType::Timestamptz,
        ColumnData::ArrayOfStruct(_) => DataType::ArrayOfStruct,
    }
}

/// `(dim, values per row, values held)` of a dense vector column.
fn dense(data: &ColumnData) -> Option<(usize, usize, usize)> {
    match data {
        ColumnData::FloatVector { dim, values } => Some((*dim, *dim, values.len())),
        ColumnData::BinaryVector { dim, bytes } => Some((*dim, *dim / 8, bytes.len())),
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            Some((*dim, *dim, bits.len()))
        }
        ColumnData::Int8Vector { dim, values } => Some((*dim, *dim, values.len())),
        _ => None,
    }
}

fn is_binary(data: &ColumnData) -> bool {
    matches!(data, ColumnData::BinaryVector { .. })
}

/// Rows in `batch`, after checking that every column, mask and `$meta` agrees on it and that
/// dense vectors have a usable dimension.
pub(crate) fn checked_rows(batch: &RowBatch) -> Result<usize, Inconsistency> {
    let rows = match batch.columns.first() {
        Some(_) => batch.len(),
        None => batch.meta.as_ref().map_or(0, Vec::len),
    };
    for (column, c) in batch.columns.iter().enumerate() {
        let (expected, found) = match dense(&c.data) {
            Some((dim, width, _)) if width == 0 || (is_binary(&c.data) && dim % 8 != 0) => {
                return Err(Inconsistency::VectorDim {
                    column,
                    expected: 0,
                    found: dim,
                });
            }
            Some((_, width, held)) => (rows.saturating_mul(width), held),
            None => (rows, c.data.len()),
        };
        if let ColumnData::Array(elements) = &c.data
            && let Some(row) = elements
                .iter()
                .position(|e| matches!(e, ColumnData::Array(_)))
        {
            return Err(Inconsistency::NestedArray { column, row });
        }
        let mask = c.validity.as_ref().map(|v| (rows, v.len()));
        for (expected, found) in std::iter::once((expected, found)).chain(mask) {
            if found != expected {
                return Err(Inconsistency::ColumnLength {
                    column: Some(column),
                    expected: expected as u64,
                    found: found as u64,
                });
            }
        }
    }
    match &batch.meta {
        Some(m) if m.len() != rows => Err(Inconsistency::ColumnLength {
            column: None,
            expected: rows as u64,
            found: m.len() as u64,
        }),
        _ => Ok(rows),
    }
}

/// Checks that `batch` has one column per field, of the field's type, and `$meta` iff `has_meta`.
pub(crate) fn check_fields(
    batch: &RowBatch,
    fields: &[(String, DataType)],
    has_meta: bool,
) -> Result<(), Inconsistency> {
    if batch.columns.len() != fields.len() {
        return Err(Inconsistency::ColumnCount {
            expected: fields.len(),
            found: batch.columns.len(),
        });
    }
    for (column, (c, (_, expected))) in batch.columns.iter().zip(fields).enumerate() {
        let found = column_type(&c.data);
        if found != *expected {
            return Err(Inconsistency::ColumnType {
                column,
                expected: *expected,
                found,
            });
        }
    }
    if batch.meta.is_some() != has_meta {
        return Err(Inconsistency::MetaColumn { expected: has_meta });
    }
    Ok(())
}

/// Checks that `batch` can be appended to `template`: same column types, vector dimensions,
/// validity masks and `$meta`.
pub(crate) fn check_same_shape(template: &RowBatch, batch: &RowBatch) -> Result<(), Inconsistency> {
    if batch.columns.len() != template.columns.len() {
        return Err(Inconsistency::ColumnCount {
            expected: template.columns.len(),
            found: batch.columns.len(),
        });
    }
    for (column, (t, b)) in template.columns.iter().zip(&batch.columns).enumerate() {
        let (expected, found) = (column_type(&t.data), column_type(&b.data));
        if expected != found {
            return Err(Inconsistency::ColumnType {
                column,
                expected,
                found,
            });
        }
        if let (Some((expected, ..)), Some((found, ..))) = (dense(&t.data), dense(&b.data))
            && expected != found
        {
            return Err(Inconsistency::VectorDim {
                column,
                expected,
                found,
            });
        }
        if t.validity.is_some() != b.validity.is_some() {
            return Err(Inconsistency::Validity {
                column,
                expected: t.validity.is_some(),
            });
        }
    }
    if template.meta.is_some() != batch.meta.is_some() {
        return Err(Inconsistency::MetaColumn {
            expected: template.meta.is_some(),
        });
    }
    Ok(())
}

/// An empty batch with the shape of `batch` (types, dimensions, masks, `$meta`).
pub(crate) fn empty_like(batch: &RowBatch) -> RowBatch {
    let columns = batch
        .columns
        .iter()
        .map(|c| {
            let dim = dense(&c.data).map_or(0, |(dim, ..)| dim);
            Column {
                data: ColumnData::empty_of(column_type(&c.data), dim, 0),
                validity: c.validity.as_ref().map(|_| Vec::new()),
            }
        })
        .collect();
    RowBatch {
        columns,
        meta: batch.meta.as_ref().map(|_| Vec::new()),
    }
}

/// Appends rows `rows` of `src` to `dst`, whole slices at a time. Both batches must have passed
/// [`checked_rows`] and [`check_same_shape`]; a variant mismatch is still reported, not a panic.
pub(crate) fn append_rows(
    dst: &mut RowBatch,
    src: &RowBatch,
    rows: Range<usize>,
) -> Result<(), Inconsistency> {
    for (column, (d, s)) in dst.columns.iter_mut().zip(&src.columns).enumerate() {
        if !append_data(&mut d.data, &s.data, rows.clone()) {
            return Err(Inconsistency::ColumnType {
                column,
                expected: column_type(&d.data),
                found: column_type(&s.data),
            });
        }
        if let (Some(d), Some(s)) = (&mut d.validity, &s.validity) {
            d.extend_from_slice(&s[rows.clone()]);
        }
    }
    if let (Some(d), Some(s)) = (&mut dst.meta, &src.meta) {
        d.extend_from_slice(&s[rows]);
    }
    Ok(())
}

/// Appends rows `r` of `src` to `dst`; false when the variants differ.
fn append_data(dst: &mut ColumnData, src: &ColumnData, r: Range<usize>) -> bool {
    fn wide<T: Clone>(d: &mut Vec<T>, s: &[T], r: &Range<usize>, width: usize) {
        d.extend_from_slice(&s[r.start * width..r.end * width]);
    }
    use ColumnData as C;
    match (dst, src) {
        (C::Bool(d), C::Bool(s)) => d.extend_from_slice(&s[r]),
        (C::Int8(d), C::Int8(s)) => d.extend_from_slice(&s[r]),
        (C::Int16(d), C::Int16(s)) => d.extend_from_slice(&s[r]),
        (C::Int32(d), C::Int32(s)) => d.extend_from_slice(&s[r]),
        (C::Int64(d), C::Int64(s)) => d.extend_from_slice(&s[r]),
        (C::Float(d), C::Float(s)) => d.extend_from_slice(&s[r]),
        (C::Double(d), C::Double(s)) => d.extend_from_slice(&s[r]),
        (C::VarChar(d), C::VarChar(s))
        | (C::Json(d), C::Json(s))
        | (C::Geometry(d), C::Geometry(s)) => d.extend_from_slice(&s[r]),
        (C::Timestamptz(d), C::Timestamptz(s)) => d.extend_from_slice(&s[r]),
        (C::ArrayOfStruct(d), C::ArrayOfStruct(s)) => d.extend_from_slice(&s[r]),
        (C::Array(d), C::Array(s)) => d.extend_from_slice(&s[r]),
        (C::FloatVector { dim, values: d }, C::FloatVector { values: s, .. }) => {
            wide(d, s, &r, *dim)
        }
        (C::BinaryVector { dim, bytes: d }, C::BinaryVector { bytes: s, .. }) => {
            wide(d, s, &r, *dim / 8)
        }
        (C::Float16Vector { dim, bits: d }, C::Float16Vector { bits: s, .. })
        | (C::BFloat16Vector { dim, bits: d }, C::BFloat16Vector { bits: s, .. }) => {
            wide(d, s, &r, *dim)
        }
        (C::SparseFloatVector(d), C::SparseFloatVector(s)) => d.extend_from_slice(&s[r]),
        (C::Int8Vector { dim, values: d }, C::Int8Vector { values: s, .. }) => wide(d, s, &r, *dim),
        _ => return false,
    }
    true
}

/// The exact bincode (fixint) length of `batch`; equals `codec::encoded_len(batch)`.
pub(crate) fn encoded_len(batch: &RowBatch) -> u64 {
    let columns: u64 = batch
        .columns
        .iter()
        .map(|c| {
            let validity = c
                .validity
                .as_ref()
                .map_or(0, |v| LEN_BYTES + v.len() as u64);
            TAG_BYTES + data_len(&c.data) + OPTION_BYTES + validity
        })
        .sum();
    let meta = batch
        .meta
        .as_ref()
        .map_or(0, |m| LEN_BYTES + strings_len(m));
    LEN_BYTES + columns + OPTION_BYTES + meta
}

fn strings_len(v: &[String]) -> u64 {
    v.iter().map(|s| LEN_BYTES + s.len() as u64).sum()
}

/// Encoded length of a column's values, without the variant tag.
fn data_len(data: &ColumnData) -> u64 {
    let n = |len: usize, size: u64| LEN_BYTES + len as u64 * size;
    use ColumnData as C;
    match data {
        C::Bool(v) => n(v.len(), 1),
        C::Int8(v) => n(v.len(), 1),
        C::Int16(v) => n(v.len(), 2),
        C::Int32(v) => n(v.len(), 4),
        C::Int64(v) => n(v.len(), 8),
        C::Float(v) => n(v.len(), 4),
        C::Double(v) => n(v.len(), 8),
        C::VarChar(v) | C::Json(v) | C::Geometry(v) => LEN_BYTES + strings_len(v),
        C::Timestamptz(v) => n(v.len(), 8),
        C::ArrayOfStruct(v) => LEN_BYTES + v.iter().map(|r| struct_row_len(r)).sum::<u64>(),
        C::Array(v) => LEN_BYTES + v.iter().map(|e| TAG_BYTES + data_len(e)).sum::<u64>(),
        C::FloatVector { values, .. } => LEN_BYTES + n(values.len(), 4),
        C::BinaryVector { bytes, .. } => LEN_BYTES + n(bytes.len(), 1),
        C::Float16Vector { bits, .. } | C::BFloat16Vector { bits, .. } => {
            LEN_BYTES + n(bits.len(), 2)
        }
        C::SparseFloatVector(v) => LEN_BYTES + v.iter().map(|p| n(p.len(), 8)).sum::<u64>(),
        C::Int8Vector { values, .. } => LEN_BYTES + n(values.len(), 1),
    }
}

/// Encoded length of one row of an `ArrayOfStruct` column: its member columns.
fn struct_row_len(row: &[ColumnData]) -> u64 {
    LEN_BYTES + row.iter().map(|e| TAG_BYTES + data_len(e)).sum::<u64>()
}

/// Encoded bytes one row adds to a batch of a given shape: a constant for fixed-width
/// columns, plus a per-row look at variable-width ones.
#[derive(Debug, Clone)]
pub(crate) struct RowSizer {
    fixed: u64,
    variable: Vec<usize>,
    meta: bool,
}

impl RowSizer {
    /// The sizer for batches shaped like `template`.
    pub(crate) fn new(template: &RowBatch) -> Self {
        let mut fixed = 0;
        let mut variable = Vec::new();
        for (i, c) in template.columns.iter().enumerate() {
            fixed += u64::from(c.validity.is_some());
            use ColumnData as C;
            fixed += match &c.data {
                C::Bool(_) | C::Int8(_) => 1,
                C::Int16(_) => 2,
                C::Int32(_) | C::Float(_) => 4,
                C::Int64(_) | C::Double(_) | C::Timestamptz(_) => 8,
                C::FloatVector { dim, .. } => 4 * *dim as u64,
                C::BinaryVector { dim, .. } => (*dim / 8) as u64,
                C::Int8Vector { dim, .. } => *dim as u64,
                C::Float16Vector { dim, .. } | C::BFloat16Vector { dim, .. } => 2 * *dim as u64,
                C::VarChar(_)
                | C::Json(_)
                | C::Geometry(_)
                | C::Array(_)
                | C::ArrayOfStruct(_)
                | C::SparseFloatVector(_) => {
                    variable.push(i);
                    0
                }
            };
        }
        let meta = template.meta.is_some();
        RowSizer {
            fixed,
            variable,
            meta,
        }
    }

    /// Encoded bytes row `row` of `batch` (shaped like the template) adds.
    pub(crate) fn row_bytes(&self, batch: &RowBatch, row: usize) -> u64 {
        let mut bytes = self.fixed;
        for &i in &self.variable {
            use ColumnData as C;
            bytes += match batch.columns.get(i).map(|c| &c.data) {
                Some(C::VarChar(v) | C::Json(v) | C::Geometry(v)) => {
                    LEN_BYTES + v[row].len() as u64
                }
                Some(C::ArrayOfStruct(v)) => struct_row_len(&v[row]),
                Some(C::Array(v)) => TAG_BYTES + data_len(&v[row]),
                Some(C::SparseFloatVector(v)) => LEN_BYTES + 8 * v[row].len() as u64,
                _ => 0,
            };
        }
        if self.meta
            && let Some(m) = &batch.meta
        {
            bytes += LEN_BYTES + m[row].len() as u64;
        }
        bytes
    }
}
