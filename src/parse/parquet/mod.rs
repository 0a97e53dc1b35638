//! Parquet files: arrow arrays in, record batches out. The reader does no I/O: it reads
//! from [`FileBytes`], the mapped file or the pieces `source/` fetched by ranged reads.
//!
//! ```text
//! footer_len(last 8 bytes)                          (ranged reads: how much footer to fetch)
//! ParquetFile::open(file, schema, bytes)            footer decoded; columns matched to fields
//!     by name, Arrow types checked (types.rs), missing nullable/default fields filled
//!   .units(workers) -> [ParquetUnit]                row groups, or row ranges inside them
//!   .chunk_ranges(row group)                        byte ranges a unit needs (ranged reads)
//!   .cursor(bytes, unit, batch_rows, release)      one decoder over the columns read;
//!                                                   `release` told of bytes read past
//!   .next_batch(cursor, batch, rejects)             the next rows (a bounded batch), every
//!                                                   value checked by the rule book (convert/),
//!                                                   under catch_unwind
//!   .read_unit(bytes, unit, batch)                  every batch of a unit
//! ```
//!
//! Errors name the file, the row (0-based in the file), its row group, the field, what was
//! expected and what was found (`docs/formats.md`, "Parquet").

mod bytes;
mod convert;
mod cursor;
mod error;
mod file;
pub mod infer;
mod json;
mod read;
mod skip;
#[cfg(test)]
mod tests;
mod track;
mod types;

pub use bytes::FileBytes;
pub use cursor::{BATCH_ROWS_MAX, UnitCursor};
pub use error::ParquetError;
pub use file::{MAGIC, ParquetFile, footer_len};
pub use read::ParquetUnit;
pub use track::Release;
