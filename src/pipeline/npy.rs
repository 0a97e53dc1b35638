//! The parse stage's NumPy units: every column file decoded over the unit's rows; under
//! `--on-error skip`, a value the rules refuse rejects its row (with the row's values as a
//! JSON object) and the rows around it are decoded again without it.

use std::ops::Range;

use serde_json::{Map, Value};

use super::feed::NpyWork;
use super::operators::{Shared, UnitError};
use crate::parse::Rejected;
use crate::parse::numpy::{self, ColumnPlan, NpyError, NpySetPlan};
use crate::record::{RowBatch, field_cell_to_json};
use crate::source::Opened;
use crate::validate::RowError;

/// Decodes the rows of `work` into `batch`; with `rejects`, a row a column's value breaks
/// a rule of goes there instead of failing the unit.
pub(super) fn decode_npy(
    shared: &Shared,
    plan: &NpySetPlan,
    cols: &[Opened],
    meta_body: Option<&Opened>,
    work: &NpyWork,
    batch: &mut RowBatch,
    rejects: Option<&mut Vec<Rejected>>,
) -> Result<(), UnitError> {
    let set = Set {
        shared,
        plan,
        cols,
        meta_body,
        work,
    };
    let Some(rejects) = rejects else {
        // Each file's pages leave memory once decoded.
        return (set.decode(work.rows.clone(), batch, true)).map_err(UnitError::Npy);
    };
    let mut start = work.rows.start;
    while start < work.rows.end {
        // Rows from `start` to the earliest refused one decode; that one is rejected.
        let mut end = work.rows.end;
        loop {
            let before = batch.len();
            let Err(e) = set.decode(start..end, batch, false) else {
                start = end;
                break;
            };
            batch.truncate(before);
            let Some(error) = row_error(&e) else {
                return Err(UnitError::Npy(e));
            };
            let bad = error.location.row;
            if bad > start && bad < end {
                end = bad;
                continue;
            }
            if bad != start {
                return Err(UnitError::Npy(e));
            }
            rejects.push(Rejected {
                raw: set.row_values(bad),
                error,
            });
            start += 1;
            break;
        }
    }
    for (body, piece) in cols.iter().zip(&work.cols) {
        piece.release(body);
    }
    if let (Some(body), Some(piece)) = (meta_body, &work.meta) {
        piece.release(body);
    }
    Ok(())
}

/// The row-level error an NPY error is, if it is one (a value; not the file).
fn row_error(e: &NpyError) -> Option<RowError> {
    match e {
        NpyError::Rule(e) => Some((**e).clone()),
        NpyError::BadValue {
            loc,
            field,
            expected,
            found,
        } => Some(RowError::new(loc, field, *expected, found.clone())),
        _ => None,
    }
}

/// One unit of a column set, its files and their bytes.
struct Set<'a> {
    shared: &'a Shared,
    plan: &'a NpySetPlan,
    cols: &'a [Opened],
    meta_body: Option<&'a Opened>,
    work: &'a NpyWork,
}

impl Set<'_> {
    /// The bytes of `plan`'s file for `rows`, within the unit's `piece` of it.
    fn slice<'b>(&self, plan: &ColumnPlan, unit: &'b [u8], rows: Range<u64>) -> Option<&'b [u8]> {
        let all = plan.byte_range(self.work.rows.clone());
        let want = plan.byte_range(rows);
        let from = usize::try_from(want.start.checked_sub(all.start)?).ok()?;
        let to = usize::try_from(want.end.checked_sub(all.start)?).ok()?;
        unit.get(from..to)
    }

    fn mismatch(plan: &ColumnPlan, rows: &Range<u64>) -> NpyError {
        NpyError::RowRange {
            file: plan.file.clone(),
            start: rows.start,
            end: rows.end,
            rows: plan.rows,
        }
    }

    /// Decodes `rows` (within the unit's) of every column into `batch`; `release` lets each
    /// file's pages go once decoded (a unit read once).
    fn decode(
        &self,
        rows: Range<u64>,
        batch: &mut RowBatch,
        release: bool,
    ) -> Result<(), NpyError> {
        let schema = &self.shared.spec.schema;
        let n = (rows.end - rows.start) as usize;
        for (i, col) in batch.columns.iter_mut().enumerate() {
            if schema.is_generated(i) {
                (0..n).for_each(|_| col.data.push_placeholder());
            }
        }
        let columns = self.plan.columns.iter().zip(self.cols).zip(&self.work.cols);
        for (((field, col_plan), body), piece) in columns {
            let bytes = (self.slice(col_plan, piece.bytes(body), rows.clone()))
                .ok_or_else(|| Self::mismatch(col_plan, &rows))?;
            numpy::decode_rows(col_plan, bytes, rows.clone(), &mut batch.columns[*field])?;
            if release {
                piece.release(body);
            }
        }
        if let Some(meta) = &mut batch.meta {
            match (&self.plan.meta, self.meta_body, &self.work.meta) {
                (Some(meta_plan), Some(body), Some(piece)) => {
                    let bytes = (self.slice(meta_plan, piece.bytes(body), rows.clone()))
                        .ok_or_else(|| Self::mismatch(meta_plan, &rows))?;
                    numpy::decode_meta_rows(meta_plan, bytes, rows, meta)?;
                    if release {
                        piece.release(body);
                    }
                }
                _ => meta.extend((0..n).map(|_| "{}".to_string())),
            }
        }
        Ok(())
    }

    /// Row `row` as a JSON object: each field's value, a value the rules refuse as the
    /// text its error gives, then the keys of `$meta`.
    fn row_values(&self, row: u64) -> String {
        let schema = &self.shared.spec.schema;
        let mut scratch = RowBatch::empty(schema, 1);
        let mut out = Map::new();
        let columns = self.plan.columns.iter().zip(self.cols).zip(&self.work.cols);
        for (((i, col_plan), body), piece) in columns {
            let (field, col) = (&schema.fields[*i], &mut scratch.columns[*i]);
            let Some(bytes) = self.slice(col_plan, piece.bytes(body), row..row + 1) else {
                continue;
            };
            let value = match numpy::decode_rows(col_plan, bytes, row..row + 1, col) {
                Ok(()) if col.is_valid(0) => field_cell_to_json(field, &col.data, 0),
                Ok(()) => Value::Null,
                Err(e) => Value::String(row_error(&e).map_or_else(|| e.to_string(), |e| e.found)),
            };
            out.insert(field.name.clone(), value);
        }
        if let (Some(meta_plan), Some(body), Some(piece)) =
            (&self.plan.meta, self.meta_body, &self.work.meta)
            && let Some(bytes) = self.slice(meta_plan, piece.bytes(body), row..row + 1)
        {
            let mut meta = Vec::new();
            if numpy::decode_meta_rows(meta_plan, bytes, row..row + 1, &mut meta).is_ok()
                && let Some(Ok(Value::Object(m))) =
                    meta.first().map(|m| serde_json::from_str::<Value>(m))
            {
                for (k, v) in m {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Value::Object(out).to_string()
    }
}
