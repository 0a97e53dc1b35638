//! Work units of a Parquet file and reading one: the rows of a row group (all of them, or a
//! range selected with a `RowSelection` when the file has fewer row groups than workers),
//! decoded column by column into a [`RowBatch`], under `catch_unwind`.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow_array::ArrayRef;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReaderBuilder, RowSelection, RowSelector};

use super::convert::{self, Target};
use super::file::Source;
use super::{FileBytes, ParquetError, ParquetFile, json};
use crate::location::RowLocation;
use crate::record::RowBatch;
use crate::schema::DataType;
use crate::validate::{self, Violation};

/// Rows decoded at a time within a unit.
const BATCH_ROWS: usize = 8192;

/// One work unit: a range of rows of one row group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetUnit {
    /// The row group (0-based).
    pub row_group: usize,
    /// The rows, counted within the row group.
    pub rows: Range<u64>,
    /// The file row (0-based) of the row group's first row.
    pub group_start: u64,
}

impl ParquetUnit {
    /// Rows in the unit.
    pub fn len(&self) -> u64 {
        self.rows.end - self.rows.start
    }

    /// Whether the unit holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file row of the unit's first row.
    pub fn first_row(&self) -> u64 {
        self.group_start + self.rows.start
    }

    /// Whether the unit is its whole row group.
    pub fn is_whole_group(&self, group_rows: u64) -> bool {
        self.rows.start == 0 && self.rows.end == group_rows
    }
}

/// Keeps the refusal of the earliest row.
fn keep(slot: &mut Option<(usize, Violation)>, bad: (usize, Violation)) {
    if slot.as_ref().is_none_or(|(row, _)| bad.0 < *row) {
        *slot = Some(bad);
    }
}

/// The message of a caught panic.
pub(super) fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

impl ParquetFile {
    /// The file's work units, in file order: one per row group, each cut into row ranges
    /// when the file has fewer row groups than `workers` (so that every worker has work).
    pub fn units(&self, workers: usize) -> Vec<ParquetUnit> {
        let groups = self.meta.metadata().row_groups();
        let pieces = workers.max(1).div_ceil(groups.len().max(1)) as u64;
        let mut out = Vec::new();
        let mut start = 0u64;
        for (g, rg) in groups.iter().enumerate() {
            let rows = rg.num_rows().max(0) as u64;
            let per = rows.div_ceil(pieces).max(1);
            let mut at = 0;
            while at < rows {
                let end = (at + per).min(rows);
                out.push(ParquetUnit {
                    row_group: g,
                    rows: at..end,
                    group_start: start,
                });
                at = end;
            }
            start += rows;
        }
        out
    }

    /// Rows in row group `g`.
    pub fn group_rows(&self, g: usize) -> u64 {
        self.meta
            .metadata()
            .row_groups()
            .get(g)
            .map_or(0, |rg| rg.num_rows().max(0) as u64)
    }

    /// Reads the rows of `unit` from `bytes` (the mapped file, or the pieces holding the
    /// unit's column chunks) and appends them to `batch`. A panic inside the decoder is
    /// caught and returned as [`ParquetError::Panic`].
    pub fn read_unit(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        batch: &mut RowBatch,
    ) -> Result<(), ParquetError> {
        catch_unwind(AssertUnwindSafe(|| {
            self.read_unit_inner(bytes, unit, batch)
        }))
        .unwrap_or_else(|p| {
            Err(ParquetError::Panic {
                file: self.file.clone(),
                row_group: Some(unit.row_group as u64),
                message: panic_message(&p),
            })
        })
    }

    fn read_unit_inner(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        batch: &mut RowBatch,
    ) -> Result<(), ParquetError> {
        let n = unit.len() as usize;
        let mut first_bad: Option<(usize, Violation)> = None;
        for (i, (source, col)) in self.sources.iter().zip(&mut batch.columns).enumerate() {
            let field = &self.schema.fields[i];
            let default = self.defaults[i].as_ref();
            match source {
                Source::Fill(how) => (0..n).for_each(|_| validate::fill(col, *how, default)),
                Source::Column(c) => {
                    let elem = (field.data_type == DataType::Array)
                        .then(|| validate::array_element(field));
                    let target = Target {
                        field,
                        elem: elem.as_ref(),
                        default,
                    };
                    let mut at = 0;
                    let r = self.each_batch(bytes, unit, &[*c], |cols| {
                        let a = &cols[0];
                        let r = convert::append(&target, a, col).map_err(|(j, v)| (at + j, v));
                        at += a.len();
                        r
                    })?;
                    if let Err(bad) = r {
                        keep(&mut first_bad, bad);
                    }
                }
            }
        }
        if first_bad.is_none()
            && let Some(meta) = &mut batch.meta
        {
            let mut cols: Vec<usize> = self.meta_column.into_iter().collect();
            cols.extend(self.dynamic.iter().map(|d| d.0));
            cols.sort_unstable();
            let pos = |c: usize| cols.iter().position(|&x| x == c).unwrap_or(0);
            let meta_at = self.meta_column.map(pos);
            let dynamic_at: Vec<(&str, usize)> = self
                .dynamic
                .iter()
                .map(|(c, name)| (name.as_str(), pos(*c)))
                .collect();
            if cols.is_empty() {
                meta.extend((0..n).map(|_| "{}".to_string()));
            } else {
                let mut at = 0;
                let r = self.each_batch(bytes, unit, &cols, |arrays| {
                    let m = meta_at.map(|p| &arrays[p]);
                    let dynamic: Vec<(&str, &ArrayRef)> = dynamic_at
                        .iter()
                        .map(|(name, p)| (*name, &arrays[*p]))
                        .collect();
                    let rows = arrays.first().map_or(0, |a| a.len());
                    let r = json::meta_rows(rows, m, &dynamic, meta).map_err(|(j, v)| (at + j, v));
                    at += rows;
                    r
                })?;
                if let Err(bad) = r {
                    keep(&mut first_bad, bad);
                }
            }
        }
        match first_bad {
            None => Ok(()),
            Some((row, v)) => {
                let loc = RowLocation::in_row_group(
                    self.file.clone(),
                    unit.first_row() + row as u64,
                    unit.row_group as u64,
                );
                Err(v.at(&loc).into())
            }
        }
    }

    /// Decodes columns `cols` (in the order given, which must follow the file's column
    /// order) of `unit`, batch by batch, handing each batch's arrays to `f` until it
    /// refuses one; returns `f`'s refusal, or a damaged-file error.
    fn each_batch<E>(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        cols: &[usize],
        mut f: impl FnMut(&[ArrayRef]) -> Result<(), E>,
    ) -> Result<Result<(), E>, ParquetError> {
        let names: Vec<&str> = {
            let fields = self.meta.schema().fields();
            cols.iter().map(|c| fields[*c].name().as_str()).collect()
        };
        let damaged = |e: &dyn std::fmt::Display| {
            let column = (names.len() == 1).then(|| names[0]);
            ParquetError::damaged(&self.file, Some(unit.row_group as u64), column, e)
        };
        let schema = self.meta.metadata().file_metadata().schema_descr();
        let mask = ProjectionMask::roots(schema, cols.iter().copied());
        let group_rows = self.group_rows(unit.row_group);
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), self.meta.clone())
                .with_row_groups(vec![unit.row_group])
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS);
        if !unit.is_whole_group(group_rows) {
            let skip = unit.rows.start as usize;
            let take = unit.len() as usize;
            builder = builder.with_row_selection(RowSelection::from(vec![
                RowSelector::skip(skip),
                RowSelector::select(take),
            ]));
        }
        let reader = builder.build().map_err(|e| damaged(&e))?;
        let mut rows = 0u64;
        for b in reader {
            let b = b.map_err(|e| damaged(&e))?;
            rows += b.num_rows() as u64;
            // Columns come back in file order; `cols` is sorted the same way.
            if let Err(e) = f(b.columns()) {
                return Ok(Err(e));
            }
        }
        if rows != unit.len() {
            return Err(damaged(&format!(
                "{rows} rows decoded where the metadata promises {}",
                unit.len()
            )));
        }
        Ok(Ok(()))
    }
}
