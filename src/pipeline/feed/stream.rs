//! Units of files read by ranges (object storage, the buffered local mode): JSON and CSV
//! framed chunk by chunk as they arrive, NPY columns read ahead per unit.

use std::ops::Range;

use bytes::Bytes;

use super::units::{CsvWork, JsonWork, Piece};
use super::{STREAM_ROW_BYTES_MAX, SendUnit, UnitKind};
use crate::parse::csv::{self, StreamStep};
use crate::parse::json::framing::{JsonFormat, Step, StreamFramer};
use crate::parse::numpy::ColumnPlan;
use crate::pipeline::PipelineError;
use crate::source::{Opened, RangedFile};

/// Streams a JSON file read by ranges: chunks in order, framed as they arrive.
pub(super) fn stream_json(
    file: &str,
    r: &RangedFile,
    format: JsonFormat,
    unit_bytes: usize,
    send: &mut SendUnit<'_>,
) -> Result<(), PipelineError> {
    let framing = |source| PipelineError::Framing {
        file: file.to_string(),
        source,
    };
    let mut framer = StreamFramer::new(format);
    let mut chunks = r.chunks();
    let window_max = STREAM_ROW_BYTES_MAX.saturating_add(r.tuning().chunk_bytes);
    loop {
        match framer.next_unit(unit_bytes).map_err(framing)? {
            Step::Unit(owned) => {
                let work = JsonWork {
                    unit: owned.unit,
                    piece: Piece::Owned(Bytes::from(owned.bytes)),
                    base: owned.base,
                };
                if !send(UnitKind::Json(work))? {
                    return Ok(());
                }
            }
            Step::NeedMore => match chunks.next() {
                Some(chunk) => {
                    framer.push(&chunk?);
                    if framer.buffered() > window_max {
                        return Err(PipelineError::RowTooLong {
                            file: file.to_string(),
                            byte: framer.window_start() as u64,
                            max: STREAM_ROW_BYTES_MAX,
                        });
                    }
                }
                None => framer.finish(),
            },
            Step::Done => return Ok(()),
        }
    }
}

/// The pieces of one NPY file for each unit, in unit order.
pub(super) type Pieces<'a> = Box<dyn Iterator<Item = Result<Piece, PipelineError>> + 'a>;

/// Pieces of `col` for each row range of `units`: ranges of the map, or bytes read ahead.
pub(super) fn pieces<'a>(
    col: &'a ColumnPlan,
    body: &'a Opened,
    units: impl Iterator<Item = Range<u64>> + 'a,
) -> Result<Pieces<'a>, PipelineError> {
    let to_usize = |r: Range<u64>| r.start as usize..r.end as usize;
    Ok(match body {
        Opened::Mapped(_) => {
            Box::new(units.map(move |rows| Ok(Piece::Mapped(to_usize(col.byte_range(rows))))))
        }
        // A column-major file needs its whole data section for any row: read it once.
        Opened::Ranged(file) if col.is_transposed() => {
            let all = file.read(col.byte_range(0..col.rows))?;
            Box::new(units.map(move |_| Ok(Piece::Owned(all.clone()))))
        }
        Opened::Ranged(file) => Box::new(
            file.read_ahead(units.map(move |rows| col.byte_range(rows)))
                .map(|b| b.map(Piece::Owned).map_err(PipelineError::from)),
        ),
    })
}

/// Streams a CSV file read by ranges: chunks in order, framed as they arrive.
pub(super) fn stream_csv(
    file: &str,
    r: &RangedFile,
    sep: u8,
    unit_bytes: usize,
    send: &mut SendUnit<'_>,
) -> Result<(), PipelineError> {
    let mut framer = csv::StreamFramer::new(sep);
    let mut chunks = r.chunks();
    let window_max = STREAM_ROW_BYTES_MAX.saturating_add(r.tuning().chunk_bytes);
    loop {
        match framer.next(file, unit_bytes)? {
            StreamStep::Header(..) => {}
            StreamStep::Unit(unit, bytes) => {
                let piece = Piece::Owned(Bytes::from(bytes));
                if !send(UnitKind::Csv(CsvWork { unit, piece }))? {
                    return Ok(());
                }
            }
            StreamStep::NeedMore => match chunks.next() {
                Some(chunk) => {
                    framer.push(&chunk?);
                    if framer.buffered() > window_max {
                        return Err(csv::CsvError::RecordTooLong {
                            file: file.to_string(),
                            byte: framer.window_start(),
                            max: STREAM_ROW_BYTES_MAX,
                        }
                        .into());
                    }
                }
                None => framer.finish(),
            },
            StreamStep::Done => return Ok(()),
        }
    }
}
