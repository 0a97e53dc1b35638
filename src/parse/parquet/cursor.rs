//! Reading one work unit in bounded batches: every column read goes through one decoder, a
//! batch of rows at a time, and each batch is converted (and checked) before the next is
//! decoded, so a unit of any size holds one batch's decoded rows. The cursor also tells
//! which bytes of the file the decoder has read past, for a mapped file to let them go.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder, RowSelection, RowSelector,
};
use parquet::errors::ParquetError as DecodeError;
use parquet::file::reader::{ChunkReader, Length};

use super::convert::{self, Target};
use super::file::Source;
use super::read::{keep, panic_message};
use super::track::{Marks, Release, Tracked};
use super::{FileBytes, ParquetError, ParquetFile, ParquetUnit, json};
use crate::location::RowLocation;
use crate::parse::Rejected;
use crate::record::RowBatch;
use crate::validate::{self, Violation};

/// Rows decoded at a time, at most (fewer when rows are wide).
pub const BATCH_ROWS_MAX: usize = 8192;

/// A unit being read: the decoder over its rows, and how far it has got.
pub struct UnitCursor {
    unit: ParquetUnit,
    /// `None` once every row is read (or the decoder failed).
    reader: Option<ParquetRecordBatchReader>,
    /// The unit's bytes, to find the damaged column when the decoder fails.
    bytes: FileBytes,
    /// The columns read, in file order (their order in each decoded batch).
    cols: Vec<usize>,
    marks: Arc<Marks>,
    /// Rows of the unit read so far.
    done: u64,
    /// Whether the unit ends with its row group's last row.
    to_group_end: bool,
    batch_rows: usize,
}

impl std::fmt::Debug for UnitCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitCursor")
            .field("unit", &self.unit)
            .field("done", &self.done)
            .finish()
    }
}

impl ParquetFile {
    /// Rows to decode at a time in row group `row_group` so that a batch's decoded values
    /// take at most about `max_bytes`: [`BATCH_ROWS_MAX`], fewer for wide rows, at least 1.
    pub fn batch_rows(&self, row_group: usize, max_bytes: u64) -> usize {
        let rows = max_bytes / self.row_bytes(row_group);
        usize::try_from(rows).map_or(BATCH_ROWS_MAX, |r| r.clamp(1, BATCH_ROWS_MAX))
    }

    /// Starts reading `unit` from `bytes` (the mapped file, or the pieces holding the unit's
    /// column chunks), `batch_rows` rows at a time (see [`ParquetFile::batch_rows`]).
    /// `release`, when given, is told of the bytes the decoder has read past, as it goes
    /// (rows skipped to reach a row range included), and at the end of a unit that ends its
    /// row group, of the rest of the group's column chunks: a map lets their pages go.
    pub fn cursor(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        batch_rows: usize,
        release: Option<Release>,
    ) -> Result<UnitCursor, ParquetError> {
        let chunks = self.chunk_ranges(unit.row_group, bytes.len());
        let marks = Arc::new(Marks::new(&chunks, release));
        let cols = self.projection();
        let tracked = Tracked {
            bytes: bytes.clone(),
            marks: marks.clone(),
        };
        // No column read (every field filled): the rows are counted, not decoded.
        let reader = if cols.is_empty() {
            None
        } else {
            let built = catch_unwind(AssertUnwindSafe(|| {
                self.decoder(tracked, unit, &cols, batch_rows)
            }))
            .map_err(|p| self.panicked(unit, &p))?;
            Some(built.map_err(|e| self.diagnose(bytes, unit, &cols, e))?)
        };
        Ok(UnitCursor {
            unit: unit.clone(),
            reader,
            batch_rows: batch_rows.max(1),
            bytes: bytes.clone(),
            marks,
            cols,
            done: 0,
            to_group_end: unit.rows.end == self.group_rows(unit.row_group),
        })
    }

    /// Reads the next batch of the unit's rows into `batch` (appended); returns how many
    /// rows it held, 0 once the unit is read. A refused row fails the read with the row's
    /// location; a panic inside the decoder is caught and returned as
    /// [`ParquetError::Panic`].
    ///
    /// With `rejects` given (`--on-error skip`), a refused row goes there instead, with its
    /// values, and the batch goes on; a damaged file still fails the read.
    pub fn next_batch(
        &self,
        cursor: &mut UnitCursor,
        batch: &mut RowBatch,
        rejects: Option<&mut Vec<Rejected>>,
    ) -> Result<usize, ParquetError> {
        let r = catch_unwind(AssertUnwindSafe(|| {
            self.next_batch_inner(cursor, batch, rejects)
        }))
        .unwrap_or_else(|p| Err(self.panicked(&cursor.unit, &p)));
        if r.is_err() {
            cursor.reader = None;
        }
        r
    }

    fn next_batch_inner(
        &self,
        cursor: &mut UnitCursor,
        batch: &mut RowBatch,
        rejects: Option<&mut Vec<Rejected>>,
    ) -> Result<usize, ParquetError> {
        let left = cursor.unit.len() - cursor.done;
        let decoded: Option<RecordBatch> = match cursor.reader.as_mut() {
            // No column is read (every field filled): the rows are counted, not decoded.
            None if cursor.cols.is_empty() && left > 0 => None,
            None => return Ok(0),
            Some(reader) => match reader.next() {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => {
                    let e = DecodeError::from(e);
                    return Err(self.diagnose(&cursor.bytes, &cursor.unit, &cursor.cols, e));
                }
                None if left == 0 => {
                    cursor.reader = None;
                    return Ok(0);
                }
                None => {
                    return Err(ParquetError::damaged(
                        &self.file,
                        Some(cursor.unit.row_group as u64),
                        None,
                        format!(
                            "{} rows decoded where the metadata promises {}",
                            cursor.done,
                            cursor.unit.len()
                        ),
                    ));
                }
            },
        };
        let n = decoded.as_ref().map_or(
            left.min(cursor.batch_rows as u64) as usize,
            RecordBatch::num_rows,
        );
        if n as u64 > left {
            return Err(ParquetError::damaged(
                &self.file,
                Some(cursor.unit.row_group as u64),
                None,
                format!(
                    "more rows decoded than the {} the metadata promises",
                    cursor.unit.len()
                ),
            ));
        }
        let arrays: &[ArrayRef] = decoded.as_ref().map_or(&[], |b| b.columns());
        let at = |c: usize| cursor.cols.iter().position(|&x| x == c).unwrap_or(0);
        let first = cursor.unit.first_row() + cursor.done;
        let group = cursor.unit.row_group as u64;
        let loc =
            |row: usize| RowLocation::in_row_group(self.file.clone(), first + row as u64, group);
        match rejects {
            None => {
                if let Err((row, v)) = self.convert(arrays, n, &at, batch) {
                    return Err(v.at(&loc(row)).into());
                }
            }
            Some(rejects) => self.convert_skipping(arrays, n, &at, batch, &loc, rejects),
        }
        cursor.done += n as u64;
        if cursor.is_done() && cursor.to_group_end {
            cursor.marks.release_all();
        }
        Ok(n)
    }

    /// Converts one decoded batch of `n` rows (`arrays` in file order; `at` gives a
    /// column's position) into `batch`; the earliest refused row of the batch.
    pub(super) fn convert(
        &self,
        arrays: &[ArrayRef],
        n: usize,
        at: &dyn Fn(usize) -> usize,
        batch: &mut RowBatch,
    ) -> Result<(), (usize, Violation)> {
        let mut first_bad: Option<(usize, Violation)> = None;
        for (i, (source, col)) in self.sources.iter().zip(&mut batch.columns).enumerate() {
            let field = &self.schema.fields[i];
            let default = self.defaults[i].as_ref();
            match source {
                Source::Fill(how) => (0..n).for_each(|_| validate::fill(col, *how, default)),
                Source::Column(c) => {
                    let target = Target {
                        field,
                        elem: self.nested[i].as_ref(),
                        default,
                    };
                    if let Err(bad) = convert::append(&target, &arrays[at(*c)], col) {
                        keep(&mut first_bad, bad);
                    }
                }
            }
        }
        if let Some(bad) = first_bad {
            return Err(bad);
        }
        let Some(meta) = &mut batch.meta else {
            return Ok(());
        };
        if self.meta_column.is_none() && self.dynamic.is_empty() {
            meta.extend((0..n).map(|_| "{}".to_string()));
            return Ok(());
        }
        let m = self.meta_column.map(|c| &arrays[at(c)]);
        let dynamic: Vec<(&str, &ArrayRef)> = self
            .dynamic
            .iter()
            .map(|(c, name)| (name.as_str(), &arrays[at(*c)]))
            .collect();
        json::meta_rows(n, m, &dynamic, meta)
    }

    /// The decoder of columns `cols` over the rows of `unit`.
    fn decoder<T: ChunkReader + 'static>(
        &self,
        input: T,
        unit: &ParquetUnit,
        cols: &[usize],
        batch_rows: usize,
    ) -> Result<ParquetRecordBatchReader, DecodeError> {
        let schema = self.meta.metadata().file_metadata().schema_descr();
        let mask = ProjectionMask::roots(schema, cols.iter().copied());
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(input, self.meta.clone())
                .with_row_groups(vec![unit.row_group])
                .with_projection(mask)
                .with_batch_size(batch_rows.max(1));
        if !unit.is_whole_group(self.group_rows(unit.row_group)) {
            builder = builder.with_row_selection(RowSelection::from(vec![
                RowSelector::skip(unit.rows.start as usize),
                RowSelector::select(unit.len() as usize),
            ]));
        }
        builder.build()
    }

    /// A decoder failure as a damaged-file error naming the column: each column read is
    /// decoded alone until one fails (only on this error path).
    fn diagnose(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        cols: &[usize],
        e: DecodeError,
    ) -> ParquetError {
        let g = Some(unit.row_group as u64);
        let names = self.meta.schema().fields();
        for &c in cols.iter().filter(|_| cols.len() > 1) {
            let alone = catch_unwind(AssertUnwindSafe(|| {
                let reader = self.decoder(bytes.clone(), unit, &[c], BATCH_ROWS_MAX)?;
                for b in reader {
                    b?;
                }
                Ok::<(), DecodeError>(())
            }));
            if let Ok(Err(e)) = alone {
                return ParquetError::damaged(&self.file, g, Some(names[c].name()), e);
            }
        }
        let column = (cols.len() == 1).then(|| names[cols[0]].name().as_str());
        ParquetError::damaged(&self.file, g, column, e)
    }

    fn panicked(&self, unit: &ParquetUnit, p: &Box<dyn std::any::Any + Send>) -> ParquetError {
        ParquetError::Panic {
            file: self.file.clone(),
            row_group: Some(unit.row_group as u64),
            message: panic_message(p),
        }
    }
}

impl UnitCursor {
    /// The unit read.
    pub fn unit(&self) -> &ParquetUnit {
        &self.unit
    }

    /// Rows of the unit read so far.
    pub fn rows_done(&self) -> u64 {
        self.done
    }

    /// Whether every row of the unit is read.
    pub fn is_done(&self) -> bool {
        self.done == self.unit.len()
    }
}
