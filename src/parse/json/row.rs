//! Parsing the rows of one work unit. By default the exact reader ([`JsonRowConverter`])
//! reads each row's text once, straight into the columns; in a document it also finds where
//! each row ends, so the unit is scanned once. With simd-json chosen, simd-json parses each
//! row (into a reused buffer, as it parses in place) and [`SimdRowConverter`] appends it; a
//! row that path declines goes, as text, to the exact reader, which accepts it or names the
//! precise error. Both leave the batch unchanged when they refuse a row.

use simd_json::Buffers;

use super::framing::{JsonFormat, Unit, rows_in};
use super::{JsonRowConverter, SimdRowConverter};
use crate::location::RowLocation;
use crate::parse::{RejectSink, Rejected, raw_text};
use crate::record::RowBatch;
use crate::validate::RowError;

/// Per-worker scratch space, reused for every unit.
#[derive(Default)]
pub struct RowScratch {
    loc: Option<RowLocation>,
    fast: Option<SimdRowConverter>,
    text: Vec<u8>,
    buffers: Option<Buffers>,
    /// Rows taken by the fast path and by the exact reader (for tests and tuning).
    pub counts: [u64; 2],
    /// With `Some`, a bad row is kept here and parsing goes on (`--on-error skip`);
    /// with `None` (the default) the first bad row ends the unit.
    pub rejects: RejectSink,
    simd_json: bool,
}

impl RowScratch {
    /// Scratch space; `simd_json` puts simd-json in front of the exact reader.
    pub fn new(simd_json: bool) -> Self {
        RowScratch {
            simd_json,
            ..RowScratch::default()
        }
    }
}

/// Parses every row of `unit` (a range of `bytes`, the whole file) into `batch`.
///
/// Stops at the first bad row and returns its error (`batch` then holds the rows before
/// it), unless `scratch.rejects` collects bad rows: then each goes there, with its text, and
/// the rows after it are read.
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
    if scratch.fast.is_none() && scratch.simd_json {
        scratch.fast = SimdRowConverter::new(converter.schema()).ok();
    }
    let mut spans = rows_in(bytes, unit, format);
    if scratch.fast.is_none() {
        // The exact reader finds each document row's end itself: one pass over the row.
        while let Some((start, row)) = spans.next_row_start() {
            loc.row = row;
            loc.byte = Some(start as u64);
            loc.line = None;
            let text = spans.bytes().get(start..).unwrap_or_default();
            scratch.counts[1] += 1;
            match converter.push_row_prefix(text, loc, batch) {
                Ok(len) => spans.resume_at(start + len),
                // Cut the row out to name its fault exactly (or accept it: the framer
                // checked the row's extent, so this is the row either way).
                Err(hint) => match spans.next() {
                    Some(span) => {
                        let row = &bytes[span.start..span.end];
                        if let Err(e) = converter.push_row(row, loc, batch) {
                            reject(&mut scratch.rejects, e, row)?;
                        }
                    }
                    None => return Err(hint),
                },
            }
        }
    }
    for span in spans {
        loc.row = span.row;
        loc.byte = Some(span.start as u64);
        loc.line = span.line;
        let row = &bytes[span.start..span.end];
        if let Some(fast) = &mut scratch.fast {
            scratch.text.clear();
            scratch.text.extend_from_slice(row);
            let buffers = scratch
                .buffers
                .get_or_insert_with(|| Buffers::new(row.len()));
            if let Ok(value) = simd_json::to_borrowed_value_with_buffers(&mut scratch.text, buffers)
                && fast.push_row(&value, loc, batch).is_ok()
            {
                scratch.counts[0] += 1;
                continue;
            }
        }
        scratch.counts[1] += 1;
        if let Err(e) = converter.push_row(row, loc, batch) {
            reject(&mut scratch.rejects, e, row)?;
        }
    }
    Ok(())
}

/// Keeps a refused row in `sink` (skip), or returns its error (abort).
fn reject(sink: &mut RejectSink, error: RowError, row: &[u8]) -> Result<(), RowError> {
    match sink {
        Some(rejects) => {
            rejects.push(Rejected {
                error,
                raw: raw_text(row),
            });
            Ok(())
        }
        None => Err(error),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests;
