//! The feeder: cuts the input into work units, in file order, and hands out auto-ids.
//!
//! A mapped file is cut in place: units are offsets into the map. A file read by ranges
//! (object storage, the buffered local mode) is streamed: the feeder reads it through a
//! bounded read-ahead and each unit carries its own bytes. For JSON the chunks go through
//! a [`StreamFramer`], which carries a row cut by a chunk boundary over to the next chunk;
//! for NPY each unit's rows are read per column (`ColumnPlan::byte_range`). Memory held is
//! bounded by the read-ahead, the channel's capacity and one unit per worker.

mod stream;
mod units;

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use crossbeam_channel::Sender;

use stream::{Pieces, pieces, stream_csv, stream_json};
pub(super) use units::{CsvWork, GroupChunks, JsonWork, NpyWork, ParquetWork, Piece};

use super::plan::{Inputs, ParquetBody};
use super::{IdAllocator, PipelineError, PipelineOptions, TaskControl};
use crate::parse::csv;
use crate::parse::json::framing::Framer;
use crate::parse::parquet::ParquetFile;
use crate::source::Opened;

/// Ids are reserved from the durable counter in blocks of at least this many.
const ID_BLOCK_ROWS: u64 = 1 << 20;

/// Longest JSON row a streamed file may hold: the window a row is carried in between
/// chunks is refused past this (a mapped file has no such limit).
pub const STREAM_ROW_BYTES_MAX: usize = 64 << 20;

/// One unit of work: a range of rows of the task's input.
#[derive(Debug, Clone)]
pub(super) struct WorkUnit {
    /// The rows.
    pub kind: UnitKind,
    /// First auto-id of the unit's rows (auto-id collections only).
    pub first_id: Option<i64>,
    /// The unit's file rows, `[begin, end)`: what names it across a resume.
    pub rows: [u64; 2],
    /// Units of progress it stands for.
    pub work: u64,
}

/// The rows of a unit.
#[derive(Debug, Clone)]
pub(super) enum UnitKind {
    /// Whole rows of a JSON file.
    Json(JsonWork),
    /// A row range of an NPY column set.
    Npy(NpyWork),
    /// Rows of a row group of a Parquet file.
    Parquet(ParquetWork),
    /// Whole records of a CSV file.
    Csv(CsvWork),
}

impl UnitKind {
    fn rows(&self) -> u64 {
        match self {
            UnitKind::Json(w) => w.unit.rows,
            UnitKind::Npy(w) => w.rows.end - w.rows.start,
            UnitKind::Parquet(w) => w.unit.len(),
            UnitKind::Csv(w) => w.unit.rows,
        }
    }

    /// The unit's file rows, `[begin, end)`.
    fn row_range(&self) -> [u64; 2] {
        match self {
            UnitKind::Json(w) => [w.unit.first_row, w.unit.first_row + w.unit.rows],
            UnitKind::Npy(w) => [w.rows.start, w.rows.end],
            UnitKind::Parquet(w) => [
                w.unit.group_start + w.unit.rows.start,
                w.unit.group_start + w.unit.rows.end,
            ],
            UnitKind::Csv(w) => [w.unit.first_row, w.unit.first_row + w.unit.rows],
        }
    }

    /// Units of progress the unit counts when read (as the parser counts them).
    fn work(&self) -> u64 {
        match self {
            UnitKind::Json(w) => w.len(),
            UnitKind::Npy(w) => w.rows.end - w.rows.start,
            UnitKind::Parquet(w) => w.unit.len(),
            UnitKind::Csv(w) => w.len(),
        }
    }
}

/// Hands out auto-ids in file order from blocks reserved in the ledger.
struct IdBlocks<'a> {
    alloc: &'a dyn IdAllocator,
    current: Range<i64>,
    used: Vec<[i64; 2]>,
}

impl IdBlocks<'_> {
    fn take(&mut self, n: u64) -> Result<i64, PipelineError> {
        let n_i = i64::try_from(n).map_err(|_| PipelineError::TooManyRows(n))?;
        if self.current.end - self.current.start < n_i {
            self.current = self
                .alloc
                .alloc(n.max(ID_BLOCK_ROWS))
                .map_err(PipelineError::AutoIds)?;
        }
        let first = self.current.start;
        self.current.start += n_i;
        match self.used.last_mut() {
            Some(last) if last[1] == first => last[1] = first + n_i,
            _ => self.used.push([first, first + n_i]),
        }
        Ok(first)
    }
}

/// Sends one unit; `Ok(false)` once the task is stopped or the receivers are gone.
pub(super) type SendUnit<'a> = dyn FnMut(UnitKind) -> Result<bool, PipelineError> + 'a;

/// Feeds every unit of `inputs` to `tx`; returns the auto-id ranges handed out. Units are
/// about `pipe.unit_bytes` of input; `pipe.workers` share them (a Parquet file with fewer
/// row groups is cut finer); `pipe.memory_budget` bounds what a Parquet file read by ranges
/// may fetch ahead.
///
/// Stops early (without error) when the task is stopped or the receivers are gone. Units
/// whose rows are all in `done` (durable before a resume) are counted as read, not sent.
pub(super) fn feed(
    inputs: &Inputs,
    auto_id: bool,
    pipe: &PipelineOptions,
    ids: &dyn IdAllocator,
    tx: Sender<WorkUnit>,
    control: &TaskControl,
    done: &[[u64; 2]],
) -> Result<Vec<[i64; 2]>, PipelineError> {
    let unit_bytes = pipe.unit_bytes;
    let mut blocks = IdBlocks {
        alloc: ids,
        current: 0..0,
        used: Vec::new(),
    };
    let mut seq = 0u64;
    let mut send = |kind: UnitKind| -> Result<bool, PipelineError> {
        if control.stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let (rows, work) = (kind.row_range(), kind.work());
        match super::durable::covered(done, rows) {
            Some(true) => {
                control.done.fetch_add(work, Ordering::Relaxed);
                return Ok(true);
            }
            Some(false) => {}
            None => {
                return Err(PipelineError::ResumeMismatch {
                    file: inputs.name().to_string(),
                    begin: rows[0],
                    end: rows[1],
                });
            }
        }
        let first_id = if auto_id && kind.rows() > 0 {
            Some(blocks.take(kind.rows())?)
        } else {
            None
        };
        // Another process's unit: its ids are taken all the same, so that every process
        // hands out the same ids to the same rows; its progress counts as it is passed.
        seq += 1;
        if !pipe.share.owns(seq - 1) {
            control.done.fetch_add(work, Ordering::Relaxed);
            return Ok(true);
        }
        let unit = WorkUnit {
            kind,
            first_id,
            rows,
            work,
        };
        Ok(tx.send(unit).is_ok())
    };
    match inputs {
        Inputs::Json { file, body, format } => {
            let framing = |source| PipelineError::Framing {
                file: file.clone(),
                source,
            };
            match body {
                Opened::Mapped(map) => {
                    let mut framer = Framer::new(map.bytes(), *format).map_err(framing)?;
                    while let Some(unit) = framer.next_unit(unit_bytes) {
                        let work = JsonWork {
                            unit: unit.map_err(framing)?,
                            piece: Piece::Mapped(0..map.bytes().len()),
                            base: 0,
                        };
                        if !send(UnitKind::Json(work))? {
                            break;
                        }
                    }
                }
                Opened::Ranged(r) => stream_json(file, r, *format, unit_bytes, &mut send)?,
            }
        }
        Inputs::Csv {
            file, body, opts, ..
        } => match body {
            Opened::Mapped(map) => {
                let mut framer = csv::Framer::new(opts.sep);
                loop {
                    match framer.next(file, map.bytes(), 0, true, unit_bytes)? {
                        // The header was read when the task opened; units follow it.
                        csv::Step::Header { .. } => {}
                        csv::Step::Unit(unit) => {
                            let piece = Piece::Mapped(unit.start as usize..unit.end as usize);
                            if !send(UnitKind::Csv(CsvWork { unit, piece }))? {
                                break;
                            }
                        }
                        csv::Step::NeedMore | csv::Step::Done => break,
                    }
                }
            }
            Opened::Ranged(r) => stream_csv(file, r, opts.sep, unit_bytes, &mut send)?,
        },
        Inputs::Npy { plan, cols, meta } => {
            let bytes: u64 = cols.iter().chain(meta.iter()).map(Opened::len).sum();
            let row_bytes = (bytes / plan.rows.max(1)).max(1);
            let per_unit = (unit_bytes as u64 / row_bytes).max(1);
            let total = plan.rows;
            let units = move || {
                (0..total.div_ceil(per_unit))
                    .map(move |i| i * per_unit..((i + 1) * per_unit).min(total))
            };
            let mut col_pieces = Vec::with_capacity(cols.len());
            for ((_, col), body) in plan.columns.iter().zip(cols) {
                col_pieces.push(pieces(col, body, units())?);
            }
            let mut meta_pieces = match (&plan.meta, meta) {
                (Some(col), Some(body)) => Some(pieces(col, body, units())?),
                _ => None,
            };
            let next = |it: &mut Pieces<'_>| {
                it.next().unwrap_or(Err(PipelineError::Internal(
                    "an NPY column has fewer pieces than units",
                )))
            };
            for rows in units() {
                let cols = col_pieces.iter_mut().map(next).collect::<Result<_, _>>()?;
                let meta = meta_pieces.as_mut().map(next).transpose()?;
                if !send(UnitKind::Npy(NpyWork { rows, cols, meta }))? {
                    break;
                }
            }
        }
        Inputs::Parquet { file, body } => {
            // Every process cuts the file alike: by the workers of all of them.
            let workers = pipe.workers.max(1) * pipe.share.processes.max(1);
            feed_parquet(file, body, workers, pipe.memory_budget, control, &mut send)?
        }
    }
    Ok(blocks.used)
}

/// The units of a Parquet file in file order. A file read by ranges has the column chunks
/// of each row group fetched (once for the units that share a row group) while the chunks
/// of the row groups still being read take at most a quarter of the memory budget: a row
/// group larger than that is refused, naming its size.
fn feed_parquet(
    file: &ParquetFile,
    body: &ParquetBody,
    workers: usize,
    budget: u64,
    control: &TaskControl,
    send: &mut SendUnit<'_>,
) -> Result<(), PipelineError> {
    let units = file.units(workers);
    let r = match body {
        ParquetBody::Mapped { .. } => {
            for unit in units {
                if !send(UnitKind::Parquet(ParquetWork { unit, chunks: None }))? {
                    break;
                }
            }
            return Ok(());
        }
        ParquetBody::Ranged { file: r, .. } => r,
    };
    // Row groups fetched and still held by a unit, with their sizes.
    let mut held: Vec<(Weak<GroupChunks>, u64)> = Vec::new();
    let mut current: Option<(usize, Arc<GroupChunks>)> = None;
    for unit in units {
        let g = unit.row_group;
        if current.as_ref().is_none_or(|(at, _)| *at != g) {
            drop(current.take());
            let bytes = file.fetch_bytes(g, r.len(), budget)?;
            let limit = budget / 4;
            loop {
                held.retain(|(w, _)| w.strong_count() > 0);
                let in_use: u64 = held.iter().map(|(_, b)| b).sum();
                if in_use + bytes <= limit || held.is_empty() {
                    break;
                }
                if control.stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let ranges = file.chunk_ranges(g, r.len());
            let mut chunks = Vec::with_capacity(ranges.len());
            for (range, b) in ranges.iter().zip(r.read_ahead(ranges.clone())) {
                chunks.push((range.start, b?));
            }
            let chunks = Arc::new(chunks);
            held.push((Arc::downgrade(&chunks), bytes));
            current = Some((g, chunks));
        }
        let chunks = current.as_ref().map(|(_, c)| c.clone());
        if !send(UnitKind::Parquet(ParquetWork { unit, chunks }))? {
            break;
        }
    }
    Ok(())
}
