//! Typed columns and the columnar [`RowBatch`] that flows through the import graph.

mod scatter;
mod value;

use serde::{Deserialize, Serialize};

use crate::schema::{CollectionSchema, DataType, FieldSchema};

/// The values of one field for a run of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnData {
    /// Bool values.
    Bool(Vec<bool>),
    /// Int8 values.
    Int8(Vec<i8>),
    /// Int16 values.
    Int16(Vec<i16>),
    /// Int32 values.
    Int32(Vec<i32>),
    /// Int64 values.
    Int64(Vec<i64>),
    /// Float values.
    Float(Vec<f32>),
    /// Double values.
    Double(Vec<f64>),
    /// VarChar values.
    VarChar(Vec<String>),
    /// JSON documents as compact JSON text.
    Json(Vec<String>),
    /// One array per row, each of the field's element type.
    Array(Vec<ColumnData>),
    /// `dim` floats per row, row-major.
    FloatVector {
        /// Floats per row.
        dim: usize,
        /// `rows * dim` values.
        values: Vec<f32>,
    },
    /// `dim / 8` bytes per row.
    BinaryVector {
        /// Bits per row.
        dim: usize,
        /// `rows * dim / 8` bytes.
        bytes: Vec<u8>,
    },
    /// `dim` IEEE half floats per row, as raw bits.
    Float16Vector {
        /// Values per row.
        dim: usize,
        /// `rows * dim` raw half-float bits.
        bits: Vec<u16>,
    },
    /// `dim` bfloat16 values per row, as raw bits.
    BFloat16Vector {
        /// Values per row.
        dim: usize,
        /// `rows * dim` raw bfloat16 bits.
        bits: Vec<u16>,
    },
    /// Sparse vectors: sorted (index, value) pairs per row.
    SparseFloatVector(Vec<Vec<(u32, f32)>>),
    /// `dim` signed 8-bit integers per row, row-major.
    Int8Vector {
        /// Values per row.
        dim: usize,
        /// `rows * dim` values.
        values: Vec<i8>,
    },
    /// Geometries as canonical WKT text.
    Geometry(Vec<String>),
    /// Instants as microseconds since the Unix epoch, UTC.
    Timestamptz(Vec<i64>),
    /// One list of structs per row: a column per struct field, each as long as the list.
    ArrayOfStruct(Vec<Vec<ColumnData>>),
}

/// A column: values plus, for nullable fields, which rows hold a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The values (a null row holds a placeholder).
    pub data: ColumnData,
    /// `Some(v)`: `v[i]` is false when row `i` is null.
    pub validity: Option<Vec<bool>>,
}

impl ColumnData {
    /// An empty column for `field` (the element type for arrays, the dim for vectors).
    pub fn empty_for(field: &FieldSchema, capacity: usize) -> Self {
        Self::empty_of(field.data_type, field.dim_or_zero(), capacity)
    }

    /// An empty column of `data_type` with `dim` (ignored for non-vectors).
    pub fn empty_of(data_type: DataType, dim: usize, capacity: usize) -> Self {
        match data_type {
            DataType::Bool => ColumnData::Bool(Vec::with_capacity(capacity)),
            DataType::Int8 => ColumnData::Int8(Vec::with_capacity(capacity)),
            DataType::Int16 => ColumnData::Int16(Vec::with_capacity(capacity)),
            DataType::Int32 => ColumnData::Int32(Vec::with_capacity(capacity)),
            DataType::Int64 => ColumnData::Int64(Vec::with_capacity(capacity)),
            DataType::Float => ColumnData::Float(Vec::with_capacity(capacity)),
            DataType::Double => ColumnData::Double(Vec::with_capacity(capacity)),
            DataType::VarChar => ColumnData::VarChar(Vec::with_capacity(capacity)),
            DataType::Json => ColumnData::Json(Vec::with_capacity(capacity)),
            DataType::Array => ColumnData::Array(Vec::with_capacity(capacity)),
            DataType::FloatVector => ColumnData::FloatVector {
                dim,
                values: Vec::with_capacity(capacity * dim),
            },
            DataType::BinaryVector => ColumnData::BinaryVector {
                dim,
                bytes: Vec::with_capacity(capacity * dim / 8),
            },
            DataType::Float16Vector => ColumnData::Float16Vector {
                dim,
                bits: Vec::with_capacity(capacity * dim),
            },
            DataType::BFloat16Vector => ColumnData::BFloat16Vector {
                dim,
                bits: Vec::with_capacity(capacity * dim),
            },
            DataType::SparseFloatVector => {
                ColumnData::SparseFloatVector(Vec::with_capacity(capacity))
            }
            DataType::Int8Vector => ColumnData::Int8Vector {
                dim,
                values: Vec::with_capacity(capacity * dim),
            },
            DataType::Geometry => ColumnData::Geometry(Vec::with_capacity(capacity)),
            DataType::Timestamptz => ColumnData::Timestamptz(Vec::with_capacity(capacity)),
            DataType::ArrayOfStruct => ColumnData::ArrayOfStruct(Vec::with_capacity(capacity)),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Bool(v) => v.len(),
            ColumnData::Int8(v) => v.len(),
            ColumnData::Int16(v) => v.len(),
            ColumnData::Int32(v) => v.len(),
            ColumnData::Int64(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Double(v) => v.len(),
            ColumnData::VarChar(v) | ColumnData::Json(v) | ColumnData::Geometry(v) => v.len(),
            ColumnData::Array(v) => v.len(),
            ColumnData::Timestamptz(v) => v.len(),
            ColumnData::ArrayOfStruct(v) => v.len(),
            ColumnData::FloatVector { dim, values } => values.len() / (*dim).max(1),
            ColumnData::BinaryVector { dim, bytes } => bytes.len() / (*dim / 8).max(1),
            ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
                bits.len() / (*dim).max(1)
            }
            ColumnData::SparseFloatVector(v) => v.len(),
            ColumnData::Int8Vector { dim, values } => values.len() / (*dim).max(1),
        }
    }

    /// Whether the column holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every row, keeping the allocation.
    pub fn clear(&mut self) {
        match self {
            ColumnData::Bool(v) => v.clear(),
            ColumnData::Int8(v) => v.clear(),
            ColumnData::Int16(v) => v.clear(),
            ColumnData::Int32(v) => v.clear(),
            ColumnData::Int64(v) => v.clear(),
            ColumnData::Float(v) => v.clear(),
            ColumnData::Double(v) => v.clear(),
            ColumnData::VarChar(v) | ColumnData::Json(v) | ColumnData::Geometry(v) => v.clear(),
            ColumnData::Array(v) => v.clear(),
            ColumnData::Timestamptz(v) => v.clear(),
            ColumnData::ArrayOfStruct(v) => v.clear(),
            ColumnData::FloatVector { values, .. } => values.clear(),
            ColumnData::BinaryVector { bytes, .. } => bytes.clear(),
            ColumnData::Float16Vector { bits, .. } | ColumnData::BFloat16Vector { bits, .. } => {
                bits.clear()
            }
            ColumnData::SparseFloatVector(v) => v.clear(),
            ColumnData::Int8Vector { values, .. } => values.clear(),
        }
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        match self {
            ColumnData::Bool(v) => v.truncate(rows),
            ColumnData::Int8(v) => v.truncate(rows),
            ColumnData::Int16(v) => v.truncate(rows),
            ColumnData::Int32(v) => v.truncate(rows),
            ColumnData::Int64(v) => v.truncate(rows),
            ColumnData::Float(v) => v.truncate(rows),
            ColumnData::Double(v) => v.truncate(rows),
            ColumnData::VarChar(v) | ColumnData::Json(v) | ColumnData::Geometry(v) => {
                v.truncate(rows)
            }
            ColumnData::Array(v) => v.truncate(rows),
            ColumnData::Timestamptz(v) => v.truncate(rows),
            ColumnData::ArrayOfStruct(v) => v.truncate(rows),
            ColumnData::FloatVector { dim, values } => values.truncate(rows * *dim),
            ColumnData::BinaryVector { dim, bytes } => bytes.truncate(rows * *dim / 8),
            ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
                bits.truncate(rows * *dim)
            }
            ColumnData::SparseFloatVector(v) => v.truncate(rows),
            ColumnData::Int8Vector { dim, values } => values.truncate(rows * *dim),
        }
    }

    /// Appends a placeholder value (zero, empty) for a null row.
    pub fn push_placeholder(&mut self) {
        match self {
            ColumnData::Bool(v) => v.push(false),
            ColumnData::Int8(v) => v.push(0),
            ColumnData::Int16(v) => v.push(0),
            ColumnData::Int32(v) => v.push(0),
            ColumnData::Int64(v) => v.push(0),
            ColumnData::Float(v) => v.push(0.0),
            ColumnData::Double(v) => v.push(0.0),
            ColumnData::VarChar(v) => v.push(String::new()),
            ColumnData::Json(v) => v.push("null".to_string()),
            ColumnData::Array(v) => v.push(ColumnData::Bool(Vec::new())),
            ColumnData::FloatVector { dim, values } => values.resize(values.len() + *dim, 0.0),
            ColumnData::BinaryVector { dim, bytes } => bytes.resize(bytes.len() + *dim / 8, 0),
            ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
                bits.resize(bits.len() + *dim, 0)
            }
            ColumnData::SparseFloatVector(v) => v.push(Vec::new()),
            ColumnData::Int8Vector { dim, values } => values.resize(values.len() + *dim, 0),
            ColumnData::Geometry(v) => v.push(String::new()),
            ColumnData::Timestamptz(v) => v.push(0),
            ColumnData::ArrayOfStruct(v) => v.push(Vec::new()),
        }
    }

    /// Appends row `row` of `other` (which must be the same variant) to `self`.
    /// Returns false, appending nothing, when the variants differ.
    pub fn push_from(&mut self, other: &ColumnData, row: usize) -> bool {
        fn chunk<T: Clone>(dst: &mut Vec<T>, src: &[T], row: usize, width: usize) {
            dst.extend_from_slice(&src[row * width..(row + 1) * width]);
        }
        match (self, other) {
            (ColumnData::Bool(d), ColumnData::Bool(s)) => d.push(s[row]),
            (ColumnData::Int8(d), ColumnData::Int8(s)) => d.push(s[row]),
            (ColumnData::Int16(d), ColumnData::Int16(s)) => d.push(s[row]),
            (ColumnData::Int32(d), ColumnData::Int32(s)) => d.push(s[row]),
            (ColumnData::Int64(d), ColumnData::Int64(s)) => d.push(s[row]),
            (ColumnData::Float(d), ColumnData::Float(s)) => d.push(s[row]),
            (ColumnData::Double(d), ColumnData::Double(s)) => d.push(s[row]),
            (ColumnData::VarChar(d), ColumnData::VarChar(s))
            | (ColumnData::Json(d), ColumnData::Json(s))
            | (ColumnData::Geometry(d), ColumnData::Geometry(s)) => d.push(s[row].clone()),
            (ColumnData::Array(d), ColumnData::Array(s)) => d.push(s[row].clone()),
            (ColumnData::Timestamptz(d), ColumnData::Timestamptz(s)) => d.push(s[row]),
            (ColumnData::ArrayOfStruct(d), ColumnData::ArrayOfStruct(s)) => d.push(s[row].clone()),
            (
                ColumnData::FloatVector { dim, values: d },
                ColumnData::FloatVector { values: s, .. },
            ) => chunk(d, s, row, *dim),
            (
                ColumnData::BinaryVector { dim, bytes: d },
                ColumnData::BinaryVector { bytes: s, .. },
            ) => chunk(d, s, row, *dim / 8),
            (
                ColumnData::Float16Vector { dim, bits: d },
                ColumnData::Float16Vector { bits: s, .. },
            )
            | (
                ColumnData::BFloat16Vector { dim, bits: d },
                ColumnData::BFloat16Vector { bits: s, .. },
            ) => chunk(d, s, row, *dim),
            (
                ColumnData::Int8Vector { dim, values: d },
                ColumnData::Int8Vector { values: s, .. },
            ) => chunk(d, s, row, *dim),
            (ColumnData::SparseFloatVector(d), ColumnData::SparseFloatVector(s)) => {
                d.push(s[row].clone())
            }
            _ => return false,
        }
        true
    }
}

impl Column {
    /// An empty column for `field`, with a validity mask when the field is nullable.
    pub fn empty_for(field: &FieldSchema, capacity: usize) -> Self {
        Column {
            data: ColumnData::empty_for(field, capacity),
            validity: field.nullable.then(|| Vec::with_capacity(capacity)),
        }
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        self.data.truncate(rows);
        if let Some(v) = &mut self.validity {
            v.truncate(rows);
        }
    }

    /// Whether row `row` holds a value.
    pub fn is_valid(&self, row: usize) -> bool {
        self.validity.as_ref().is_none_or(|v| v[row])
    }

    /// Appends row `row` of `other`; see [`ColumnData::push_from`].
    pub fn push_from(&mut self, other: &Column, row: usize) -> bool {
        if let Some(v) = &mut self.validity {
            v.push(other.is_valid(row));
        }
        self.data.push_from(&other.data, row)
    }
}

/// Rows of one collection in columnar form: one column per schema field, in schema order,
/// then `$meta` (compact JSON objects) when the collection has dynamic fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowBatch {
    /// One column per schema field.
    pub columns: Vec<Column>,
    /// `$meta` JSON object per row, when the collection keeps dynamic fields.
    pub meta: Option<Vec<String>>,
}

impl RowBatch {
    /// An empty batch shaped for `schema`.
    pub fn empty(schema: &CollectionSchema, capacity: usize) -> Self {
        RowBatch {
            columns: schema
                .fields
                .iter()
                .map(|f| Column::empty_for(f, capacity))
                .collect(),
            meta: schema
                .enable_dynamic_field
                .then(|| Vec::with_capacity(capacity)),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// Whether the batch holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every row, keeping the allocations.
    pub fn clear(&mut self) {
        for c in &mut self.columns {
            c.data.clear();
            if let Some(v) = &mut c.validity {
                v.clear();
            }
        }
        if let Some(m) = &mut self.meta {
            m.clear();
        }
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        for c in &mut self.columns {
            c.truncate(rows);
        }
        if let Some(m) = &mut self.meta {
            m.truncate(rows);
        }
    }

    /// Appends row `row` of `other`, a batch of the same shape.
    pub fn push_row_from(&mut self, other: &RowBatch, row: usize) -> bool {
        let mut ok = true;
        for (d, s) in self.columns.iter_mut().zip(&other.columns) {
            ok &= d.push_from(s, row);
        }
        if let (Some(d), Some(s)) = (&mut self.meta, &other.meta) {
            d.push(s[row].clone());
        }
        ok
    }
}

pub use value::{cell_to_json, field_cell_to_json, half_to_f32, row_to_json, timestamptz_text};
