//! NPY column files: header decoding, dtype matching and column decoding.
//!
//! A NumPy import task is a *column set*: one `<field>.npy` file per field, plus an optional
//! `$meta.npy` for dynamic fields. The steps, none of which does I/O:
//!
//! ```text
//! check_names(schema, paths)                            (before any I/O)
//! header_len(first 12 bytes) -> parse_header(header bytes) -> NpyFile
//!     -> plan_set(schema, files): names, dtypes, shapes, sizes, row counts (before any row)
//!     -> decode_rows(plan, file[plan.byte_range(rows)], rows, column)   (any row ranges)
//! ```

mod column;
mod decode;
mod dtype;
mod error;
mod header;
mod pylit;
mod set;
#[cfg(test)]
mod tests;

pub use column::{ColumnPlan, check_column, check_meta_column};
pub use decode::{decode_meta_rows, decode_rows};
pub use dtype::{ByteOrder, Dtype, STRING_WIDTH_MAX};
pub use error::NpyError;
pub use header::{HEADER_LEN_MAX, MAGIC, NpyHeader, PREFIX_LEN_MAX, header_len, parse_header};
pub use set::{NpyFile, NpySetPlan, check_names, plan_set};
