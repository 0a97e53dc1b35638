//! Decoding rows of a checked NPY column straight from the file's bytes into a [`Column`].
//!
//! Elements are read with `chunks_exact` and `from_le_bytes`/`from_be_bytes`; pushing into
//! the output `Vec` is the only copy. Transposed (2-D Fortran-order) files are gathered
//! element by element, so row `i`, element `j` is read at `(j * rows + i) * itemsize`.

use std::ops::Range;

use super::error::excerpt;
use super::{ByteOrder, ColumnPlan, Dtype, NpyError};
use crate::location::RowLocation;
use crate::record::{Column, ColumnData};
use crate::schema::{DataType, FieldSchema};
use crate::validate::Violation;

/// Reads elements with the right `from_*_bytes` for the byte order, through
/// `Src::$method` (with `$extra` arguments after the converter); `$body` sees `$x`.
macro_rules! by_order {
    ($src:ident.$method:ident($out:expr, $order:expr, $n:literal, |$x:ident: $t:ty| $body:expr $(, $extra:expr)*)) => {
        match $order {
            ByteOrder::Little => $src.$method::<$n, _>(
                $out,
                |b| {
                    let $x = <$t>::from_le_bytes(b);
                    $body
                }
                $(, $extra)*
            ),
            ByteOrder::Big => $src.$method::<$n, _>(
                $out,
                |b| {
                    let $x = <$t>::from_be_bytes(b);
                    $body
                }
                $(, $extra)*
            ),
        }
    };
}

mod numbers;
mod strings;

/// Decodes rows `rows` of the file `plan` describes into `out`, whose data must be the
/// field's variant (and, for vectors, dim). `bytes` must be `file[plan.byte_range(rows)]`.
///
/// Values are checked as they are read: floats must be finite (and fit float32 for vector
/// files of float64), bools 0 or 1, strings valid UTF-8 / code points within `max_length`
/// UTF-8 bytes, JSON valid. Errors name the absolute row index. On error `out` is unchanged.
pub fn decode_rows(
    plan: &ColumnPlan,
    bytes: &[u8],
    rows: Range<u64>,
    out: &mut Column,
) -> Result<(), NpyError> {
    let src = Src::new(plan, bytes, rows)?;
    let found = variant_name(&out.data);
    let dtype = plan.header.dtype;
    let result = match (plan.data_type, &mut out.data) {
        (DataType::Bool, ColumnData::Bool(v)) => guarded(v, |v| numbers::bools(&src, v)),
        (DataType::Int8, ColumnData::Int8(v)) if dtype == Dtype::I8 => {
            src.collect::<1, _>(v, i8::from_le_bytes);
            Ok(())
        }
        (DataType::Int16, ColumnData::Int16(v)) => match dtype {
            Dtype::I16(o) => {
                by_order!(src.collect(v, o, 2, |x: i16| x));
                Ok(())
            }
            _ => Err(src.bad_dtype()),
        },
        (DataType::Int32, ColumnData::Int32(v)) => match dtype {
            Dtype::I32(o) => {
                by_order!(src.collect(v, o, 4, |x: i32| x));
                Ok(())
            }
            _ => Err(src.bad_dtype()),
        },
        (DataType::Int64, ColumnData::Int64(v)) => match dtype {
            Dtype::I64(o) => {
                by_order!(src.collect(v, o, 8, |x: i64| x));
                Ok(())
            }
            _ => Err(src.bad_dtype()),
        },
        (DataType::Float, ColumnData::Float(v)) => guarded(v, |v| numbers::floats(&src, v)),
        (DataType::Double, ColumnData::Double(v)) => guarded(v, |v| numbers::doubles(&src, v)),
        (DataType::FloatVector, ColumnData::FloatVector { dim, values }) if *dim == plan.dim => {
            guarded(values, |v| numbers::floats(&src, v))
        }
        (DataType::BinaryVector, ColumnData::BinaryVector { dim, bytes })
            if *dim == plan.dim && dtype == Dtype::U8 =>
        {
            if src.transposed {
                src.collect::<1, _>(bytes, |[b]| b);
            } else {
                bytes.extend_from_slice(src.bytes);
            }
            Ok(())
        }
        (DataType::Float16Vector, ColumnData::Float16Vector { dim, bits })
            if *dim == plan.dim && dtype == Dtype::U8 =>
        {
            guarded(bits, |v| numbers::halves(&src, v, 0x7c00))
        }
        (DataType::BFloat16Vector, ColumnData::BFloat16Vector { dim, bits })
            if *dim == plan.dim && dtype == Dtype::U8 =>
        {
            guarded(bits, |v| numbers::halves(&src, v, 0x7f80))
        }
        (DataType::Int8Vector, ColumnData::Int8Vector { dim, values })
            if *dim == plan.dim && dtype == Dtype::I8 =>
        {
            // Every int8 is in -128..=127: the dtype is the element rule.
            src.collect::<1, _>(values, i8::from_le_bytes);
            Ok(())
        }
        (DataType::VarChar, ColumnData::VarChar(v))
        | (DataType::Json, ColumnData::Json(v))
        | (DataType::Geometry, ColumnData::Geometry(v)) => guarded(v, |v| strings::decode(&src, v)),
        (DataType::Timestamptz, ColumnData::Timestamptz(v)) => {
            guarded(v, |v| strings::decode_timestamps(&src, v))
        }
        _ => Err(NpyError::OutputMismatch {
            file: plan.file.clone(),
            field: plan.field_name.clone(),
            expected: if plan.dim > 0 {
                format!("{} of dim {} from {}", plan.data_type, plan.dim, dtype)
            } else {
                format!("{} from {}", plan.data_type, dtype)
            },
            found: found.to_string(),
        }),
    };
    if result.is_ok()
        && let Some(validity) = &mut out.validity
    {
        validity.resize(validity.len() + src.count, true);
    }
    result
}

/// Decodes rows `rows` of `$meta.npy` (`S<n>` or `U<n>` strings) into `out`. Each value
/// must be a JSON object (Milvus 2.3 does not check; 2.4+ does) and is kept as written.
/// `bytes` must be `file[plan.byte_range(rows)]`. On error `out` is unchanged.
pub fn decode_meta_rows(
    plan: &ColumnPlan,
    bytes: &[u8],
    rows: Range<u64>,
    out: &mut Vec<String>,
) -> Result<(), NpyError> {
    let src = Src::new(plan, bytes, rows)?;
    guarded(out, |v| strings::decode_objects(&src, v))
}

/// Runs `f` on `v`, truncating `v` back to its length on error.
fn guarded<T>(
    v: &mut Vec<T>,
    f: impl FnOnce(&mut Vec<T>) -> Result<(), NpyError>,
) -> Result<(), NpyError> {
    let len = v.len();
    let result = f(v);
    if result.is_err() {
        v.truncate(len);
    }
    result
}

fn variant_name(data: &ColumnData) -> &'static str {
    match data {
        ColumnData::Bool(_) => "Bool",
        ColumnData::Int8(_) => "Int8",
        ColumnData::Int16(_) => "Int16",
        ColumnData::Int32(_) => "Int32",
        ColumnData::Int64(_) => "Int64",
        ColumnData::Float(_) => "Float",
        ColumnData::Double(_) => "Double",
        ColumnData::VarChar(_) => "VarChar",
        ColumnData::Json(_) => "JSON",
        ColumnData::Array(_) => "Array",
        ColumnData::FloatVector { .. } => "FloatVector",
        ColumnData::BinaryVector { .. } => "BinaryVector",
        ColumnData::Float16Vector { .. } => "Float16Vector",
        ColumnData::BFloat16Vector { .. } => "BFloat16Vector",
        ColumnData::SparseFloatVector(_) => "SparseFloatVector",
        ColumnData::Int8Vector { .. } => "Int8Vector",
        ColumnData::Geometry(_) => "Geometry",
        ColumnData::Timestamptz(_) => "Timestamptz",
        ColumnData::ArrayOfStruct(_) => "ArrayOfStruct",
    }
}

/// An element slice of `N` bytes as an array (`c.len()` is `N`, from `chunks_exact`).
#[inline(always)]
fn arr<const N: usize>(c: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(c);
    a
}

/// Values decoded between two checks of their validity (NaN, ...): small enough to stay
/// in L1 cache, large enough for the check to vectorize.
const CHECK_BLOCK: usize = 2048;

/// The bytes of a row range and how to walk them.
pub(super) struct Src<'a> {
    plan: &'a ColumnPlan,
    /// The field the rule book checks values against.
    schema: FieldSchema,
    bytes: &'a [u8],
    /// Absolute index of the first row.
    first: u64,
    /// Rows to decode.
    count: usize,
    /// Elements per row.
    width: usize,
    /// Rows in the whole file (the column stride of a transposed file).
    total: usize,
    transposed: bool,
}

impl<'a> Src<'a> {
    fn new(plan: &'a ColumnPlan, bytes: &'a [u8], rows: Range<u64>) -> Result<Self, NpyError> {
        let range_err = || NpyError::RowRange {
            file: plan.file.clone(),
            start: rows.start,
            end: rows.end,
            rows: plan.rows,
        };
        if rows.start > rows.end || rows.end > plan.rows {
            return Err(range_err());
        }
        let want = plan.byte_range(rows.clone());
        if bytes.len() as u64 != want.end - want.start {
            return Err(NpyError::SliceLength {
                file: plan.file.clone(),
                expected: want.end - want.start,
                found: bytes.len() as u64,
            });
        }
        let to_usize = |n: u64| usize::try_from(n).map_err(|_| range_err());
        let mut schema = FieldSchema::new(plan.field_name.clone(), plan.data_type);
        schema.max_length = plan.max_length;
        schema.dim = (plan.dim > 0).then_some(plan.dim);
        Ok(Src {
            plan,
            schema,
            bytes,
            first: rows.start,
            count: to_usize(rows.end - rows.start)?,
            width: to_usize(plan.width)?,
            total: to_usize(plan.rows)?,
            transposed: plan.is_transposed(),
        })
    }

    /// Location of the `r`-th decoded row.
    fn loc(&self, r: usize) -> Box<RowLocation> {
        Box::new(RowLocation::row(
            self.plan.file.clone(),
            self.first + r as u64,
        ))
    }

    fn field(&self) -> String {
        self.plan.field_name.clone()
    }

    /// The error of a rule broken by the `r`-th decoded row.
    #[cold]
    fn broken(&self, r: usize, v: Violation) -> NpyError {
        NpyError::Rule(Box::new(v.at(&self.loc(r))))
    }

    fn bad_dtype(&self) -> NpyError {
        NpyError::DtypeMismatch {
            file: self.plan.file.clone(),
            field: self.field(),
            data_type: self.plan.data_type,
            expected: format!("a dtype for {}", self.plan.data_type),
            found: self.plan.found(),
        }
    }

    /// Byte offset in `bytes` of decoded element `idx` (row-major over the rows asked).
    fn offset<const N: usize>(&self, idx: usize) -> usize {
        if self.transposed {
            let (i, j) = (self.first as usize + idx / self.width, idx % self.width);
            (j * self.total + i) * N
        } else {
            idx * N
        }
    }

    /// Element `idx` (as counted by [`Src::collect`]).
    fn elem<const N: usize>(&self, idx: usize) -> [u8; N] {
        let at = self.offset::<N>(idx);
        arr(&self.bytes[at..at + N])
    }

    /// Appends every element, row by row, converted by `conv`.
    fn collect<const N: usize, T>(&self, out: &mut Vec<T>, mut conv: impl FnMut([u8; N]) -> T) {
        if !self.transposed {
            out.extend(self.bytes.chunks_exact(N).map(|c| conv(arr(c))));
            return;
        }
        out.reserve(self.count * self.width);
        let first = self.first as usize;
        for i in first..first + self.count {
            for j in 0..self.width {
                let at = (j * self.total + i) * N;
                out.push(conv(arr(&self.bytes[at..at + N])));
            }
        }
    }

    /// Like [`Src::collect`], checking each block of converted values with `ok` while the
    /// block is in cache. Stops at the first block that fails and returns false.
    fn collect_checked<const N: usize, T>(
        &self,
        out: &mut Vec<T>,
        mut conv: impl FnMut([u8; N]) -> T,
        ok: impl Fn(&[T]) -> bool,
    ) -> bool {
        let start = out.len();
        if self.transposed {
            self.collect(out, conv);
            return ok(&out[start..]);
        }
        out.reserve(self.bytes.len() / N);
        for block in self.bytes.chunks(N * CHECK_BLOCK) {
            let from = out.len();
            out.extend(block.chunks_exact(N).map(|c| conv(arr(c))));
            if !ok(&out[from..]) {
                return false;
            }
        }
        true
    }
}

/// An excerpt of a value for an error message.
fn shown(text: &str) -> String {
    excerpt(text, 120)
}

#[cfg(test)]
mod tests;
