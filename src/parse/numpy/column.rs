//! Matching one NPY file to one field (`docs/formats.md`, "Column-based NumPy"): dtype, shape, data size.

use std::ops::Range;

use super::{Dtype, NpyError, NpyHeader};
use crate::schema::{DataType, FieldSchema, META_FIELD};

/// A file checked against its field: everything needed to decode any range of its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    /// File path, as given.
    pub file: String,
    /// Field name (`$meta` for the dynamic field).
    pub field_name: String,
    /// The file's header.
    pub header: NpyHeader,
    /// Number of rows (`shape[0]`).
    pub rows: u64,
    /// The type the rows decode into (`JSON` for `$meta`).
    pub data_type: DataType,
    /// The field's vector dim (0 for scalars).
    pub dim: usize,
    /// Elements of the file's dtype per row (1 for 1-D files, `shape[1]` for 2-D).
    pub width: u64,
    /// The field's `max_length` in UTF-8 bytes (VarChar only).
    pub max_length: Option<usize>,
    /// Whether this is `$meta.npy`, whose values must be JSON objects.
    pub is_meta: bool,
}

impl ColumnPlan {
    /// Bytes per row in the file.
    pub fn row_bytes(&self) -> u64 {
        self.width * self.header.dtype.itemsize()
    }

    /// Length of the data section in bytes.
    pub fn data_len(&self) -> u64 {
        self.header.data_len()
    }

    /// Whether rows are stored column-major (a 2-D Fortran-order file), so that one row's
    /// elements are spread over the whole data section.
    pub fn is_transposed(&self) -> bool {
        self.header.fortran_order && self.header.shape.len() == 2
    }

    /// Absolute file offsets of the bytes [`super::decode_rows`] needs for `rows`: the
    /// contiguous slice of those rows, or the whole data section for a transposed file.
    /// Rows past the end are clamped to the file's rows (decoding them is refused).
    pub fn byte_range(&self, rows: Range<u64>) -> Range<u64> {
        let start = self.header.data_offset;
        if self.is_transposed() {
            return start..start + self.data_len();
        }
        let end_row = rows.end.min(self.rows);
        let first_row = rows.start.min(end_row);
        let row_bytes = self.row_bytes();
        start + first_row * row_bytes..start + end_row * row_bytes
    }

    /// The shape-and-dtype text of the file for messages, e.g. `(5, 3) <f4`.
    pub(crate) fn found(&self) -> String {
        found(&self.header)
    }
}

fn found(header: &NpyHeader) -> String {
    format!("{} {}", header.shape_text(), header.descr)
}

/// The dtype name strings are described by in messages.
const STRINGS: &str = "S<n>/U<n> strings";

/// What a field needs of a file: a dtype test, ndim, row width and the dtype's name.
struct Need {
    dtype_ok: bool,
    ndim: usize,
    width: u64,
    dtype_name: &'static str,
}

impl Need {
    fn expected(&self) -> String {
        if self.ndim == 1 {
            format!("shape (rows,) of {}", self.dtype_name)
        } else {
            format!("shape (rows, {}) of {}", self.width, self.dtype_name)
        }
    }
}

fn need(data_type: DataType, dim: u64, dtype: Dtype) -> Option<Need> {
    let scalar = |dtype_ok, dtype_name| Need {
        dtype_ok,
        ndim: 1,
        width: 1,
        dtype_name,
    };
    let vector = |dtype_ok, width, dtype_name| Need {
        dtype_ok,
        ndim: 2,
        width,
        dtype_name,
    };
    Some(match data_type {
        DataType::Bool => scalar(dtype == Dtype::Bool, "bool"),
        DataType::Int8 => scalar(dtype == Dtype::I8, "int8"),
        DataType::Int16 => scalar(matches!(dtype, Dtype::I16(_)), "int16"),
        DataType::Int32 => scalar(matches!(dtype, Dtype::I32(_)), "int32"),
        DataType::Int64 => scalar(matches!(dtype, Dtype::I64(_)), "int64"),
        DataType::Float => scalar(matches!(dtype, Dtype::F32(_)), "float32"),
        DataType::Double => scalar(matches!(dtype, Dtype::F64(_)), "float64"),
        DataType::VarChar | DataType::Json | DataType::Geometry | DataType::Timestamptz => scalar(
            matches!(dtype, Dtype::Bytes(_) | Dtype::Unicode(..)),
            STRINGS,
        ),
        DataType::FloatVector => vector(
            matches!(dtype, Dtype::F32(_) | Dtype::F64(_)),
            dim,
            "float32/float64",
        ),
        DataType::BinaryVector => vector(dtype == Dtype::U8, dim / 8, "uint8"),
        DataType::Float16Vector | DataType::BFloat16Vector => {
            vector(dtype == Dtype::U8, dim * 2, "uint8")
        }
        DataType::Int8Vector => vector(dtype == Dtype::I8, dim, "int8"),
        DataType::Array | DataType::SparseFloatVector | DataType::ArrayOfStruct => return None,
    })
}

/// Checks `header` (of a file `file_len` bytes long) against `field`: the field must be
/// importable from NPY, the dtype must match exactly, the shape must be `(rows,)` for
/// scalars and strings or `(rows, width)` for vectors, and the file must hold exactly the
/// data the header declares.
pub fn check_column(
    file: &str,
    header: NpyHeader,
    file_len: u64,
    field: &FieldSchema,
) -> Result<ColumnPlan, NpyError> {
    let unsupported = |reason| NpyError::UnsupportedField {
        file: file.to_string(),
        field: field.name.clone(),
        data_type: field.data_type,
        reason,
    };
    if field.nullable {
        return Err(unsupported(
            "the field is nullable and NumPy files cannot mark nulls (use JSON, Parquet or CSV)",
        ));
    }
    let dim = field.dim_or_zero();
    let bad_dim = dim == 0 || (field.data_type == DataType::BinaryVector && !dim.is_multiple_of(8));
    if field.data_type.is_dense_vector() && bad_dim {
        return Err(unsupported(
            "its dim is missing, 0, or (BinaryVector) not a multiple of 8",
        ));
    }
    let need = need(field.data_type, dim as u64, header.dtype)
        .ok_or_else(|| unsupported("NumPy files hold only scalars, strings and dense vectors"))?;
    plan(file, header, file_len, &field.name, field.data_type, need).map(|mut p| {
        p.dim = dim;
        p.max_length = field
            .max_length
            .filter(|_| field.data_type == DataType::VarChar);
        p
    })
}

/// Checks `$meta.npy`: a 1-D array of `S<n>` or `U<n>` strings (each must be a JSON object;
/// that is checked row by row when decoding).
pub fn check_meta_column(
    file: &str,
    header: NpyHeader,
    file_len: u64,
) -> Result<ColumnPlan, NpyError> {
    let need = Need {
        dtype_ok: matches!(header.dtype, Dtype::Bytes(_) | Dtype::Unicode(..)),
        ndim: 1,
        width: 1,
        dtype_name: STRINGS,
    };
    plan(file, header, file_len, META_FIELD, DataType::Json, need).map(|mut p| {
        p.is_meta = true;
        p
    })
}

fn plan(
    file: &str,
    header: NpyHeader,
    file_len: u64,
    field_name: &str,
    data_type: DataType,
    need: Need,
) -> Result<ColumnPlan, NpyError> {
    if !need.dtype_ok {
        return Err(NpyError::DtypeMismatch {
            file: file.to_string(),
            field: field_name.to_string(),
            data_type,
            expected: need.expected(),
            found: found(&header),
        });
    }
    let shape_ok =
        header.shape.len() == need.ndim && (need.ndim == 1 || header.shape[1] == need.width);
    if !shape_ok {
        return Err(NpyError::ShapeMismatch {
            file: file.to_string(),
            field: field_name.to_string(),
            data_type,
            expected: need.expected(),
            found: found(&header),
        });
    }
    // parse_header guarantees data_offset + data_len fits in u64.
    let data_end = header.data_offset.saturating_add(header.data_len());
    if file_len < data_end {
        return Err(NpyError::Truncated {
            file: file.to_string(),
            what: "data",
            expected: data_end,
            found: file_len,
        });
    }
    if file_len > data_end {
        return Err(NpyError::TrailingData {
            file: file.to_string(),
            data_end,
            file_len,
        });
    }
    Ok(ColumnPlan {
        file: file.to_string(),
        field_name: field_name.to_string(),
        rows: header.shape[0],
        header,
        data_type,
        dim: 0,
        width: need.width,
        max_length: None,
        is_meta: false,
    })
}

#[cfg(test)]
mod tests;
