//! Work units of a Parquet file: the rows of a row group (all of them, or a range selected
//! with a `RowSelection` when the file has fewer row groups than workers); reading one
//! whole (the cursor in `cursor.rs` reads it batch by batch).

use std::ops::Range;

use super::cursor::BATCH_ROWS_MAX;
use super::{FileBytes, ParquetError, ParquetFile};
use crate::record::RowBatch;
use crate::validate::Violation;

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
pub(super) fn keep(slot: &mut Option<(usize, Violation)>, bad: (usize, Violation)) {
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

    /// Reads every row of `unit` from `bytes` (the mapped file, or the pieces holding the
    /// unit's column chunks) into `batch`, batch by batch (see [`ParquetFile::cursor`]).
    pub fn read_unit(
        &self,
        bytes: &FileBytes,
        unit: &ParquetUnit,
        batch: &mut RowBatch,
    ) -> Result<(), ParquetError> {
        let mut cursor = self.cursor(bytes, unit, BATCH_ROWS_MAX, None)?;
        while self.next_batch(&mut cursor, batch, None)? > 0 {}
        Ok(())
    }
}
