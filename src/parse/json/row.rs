//! Parsing the rows of one work unit: each row's text goes straight to the schema's
//! converter, which reads it once into the batch's columns.

use super::framing::{JsonFormat, Unit, rows_in};
use crate::location::RowLocation;
use crate::record::RowBatch;
use crate::validate::{JsonRowConverter, RowError};

/// Per-worker scratch space, reused for every unit: the location rows are reported at.
#[derive(Default)]
pub struct RowScratch {
    loc: Option<RowLocation>,
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
    let loc = match &mut scratch.loc {
        Some(loc) if loc.file == file => loc,
        slot => slot.insert(RowLocation::row(file, 0)),
    };
    for span in rows_in(bytes, unit, format) {
        loc.row = span.row;
        loc.byte = Some(span.start as u64);
        loc.line = span.line;
        converter.push_row(&bytes[span.start..span.end], loc, batch)?;
    }
    Ok(())
}
