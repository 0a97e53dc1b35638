//! Parsing the rows of one work unit with simd-json and checking them against the schema.

use simd_json::Buffers;

use super::framing::{JsonFormat, RowSpan, Unit, rows_in};
use crate::location::RowLocation;
use crate::record::RowBatch;
use crate::validate::{JsonRowConverter, RowError};

/// Per-worker scratch space, reused for every row (simd-json parses in place).
#[derive(Default)]
pub struct RowScratch {
    text: Vec<u8>,
    buffers: Option<Buffers>,
}

/// Parses every row of `unit` (a range of `bytes`, the whole file) into `batch`.
///
/// Stops at the first bad row and returns its error; `batch` then holds the rows before it.
pub fn parse_unit(
    file: &str,
    bytes: &[u8],
    format: JsonFormat,
    unit: &Unit,
    converter: &mut JsonRowConverter,
    scratch: &mut RowScratch,
    batch: &mut RowBatch,
) -> Result<(), RowError> {
    for span in rows_in(bytes, unit, format) {
        parse_row(file, bytes, &span, converter, scratch, batch)?;
    }
    Ok(())
}

fn parse_row(
    file: &str,
    bytes: &[u8],
    span: &RowSpan,
    converter: &mut JsonRowConverter,
    scratch: &mut RowScratch,
    batch: &mut RowBatch,
) -> Result<(), RowError> {
    let loc = RowLocation {
        file: file.to_string(),
        row: span.row,
        byte: Some(span.start as u64),
        line: span.line,
    };
    scratch.text.clear();
    scratch.text.extend_from_slice(&bytes[span.start..span.end]);
    let buffers = scratch
        .buffers
        .get_or_insert_with(|| Buffers::new(scratch.text.len()));
    let value = simd_json::to_borrowed_value_with_buffers(&mut scratch.text, buffers)
        .map_err(|e| RowError::new(&loc, "", "a valid JSON row", format!("invalid JSON: {e}")))?;
    converter.push_row(&value, &loc, batch)
}
