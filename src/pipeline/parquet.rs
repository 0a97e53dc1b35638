//! The parse stage's Parquet units, read a bounded batch at a time: a unit of any size holds
//! one batch of decoded rows, and the mapped pages the decoder has read past leave memory as
//! it goes.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::PipelineOptions;
use super::feed::ParquetWork;
use super::operators::{Shared, UnitError};
use super::plan::ParquetBody;
use crate::parse::Rejected;
use crate::parse::parquet::{ParquetFile, Release, UnitCursor};
use crate::record::RowBatch;

/// A Parquet unit being read.
pub(super) struct ParquetRead {
    cursor: UnitCursor,
    batch_rows: usize,
}

/// Decoded bytes a batch aims at: small enough that a batch's buffers stay in the CPU's
/// cache between decoding, checking and writing (1M x 128 floats from 17 row groups, 2
/// workers: 1.0 CPU s in batches of 512-1024 rows, against 1.4 s in batches of 8192).
const BATCH_TARGET_BYTES: u64 = 512 << 10;

/// Decoded bytes one batch of a unit may take: [`BATCH_TARGET_BYTES`], and at most an
/// eighth of the memory budget shared by the workers (each holds a batch decoded, the same
/// rows converted, and routed rows on their way to the writers).
pub(super) fn batch_bytes(opts: &PipelineOptions) -> u64 {
    (opts.memory_budget / 8 / opts.workers.max(1) as u64).min(BATCH_TARGET_BYTES)
}

impl ParquetRead {
    /// Starts reading the unit of `work`.
    pub fn start(
        shared: &Shared,
        file: &ParquetFile,
        body: &ParquetBody,
        work: &ParquetWork,
    ) -> Result<Self, UnitError> {
        let bytes = match (body, &work.chunks) {
            (ParquetBody::Mapped { bytes, .. }, _) => bytes.clone(),
            (ParquetBody::Ranged { footer, .. }, Some(chunks)) => {
                let mut bytes = footer.clone();
                for (offset, b) in chunks.iter() {
                    bytes.push(*offset, b.clone());
                }
                bytes
            }
            (ParquetBody::Ranged { .. }, None) => return Err(UnitError::Mismatch),
        };
        let batch_rows = file.batch_rows(work.unit.row_group, batch_bytes(&shared.opts));
        // A mapped file's pages the decoder has read past leave memory as it goes (those it
        // skips to reach a row range too).
        let release: Option<Release> = match body {
            ParquetBody::Mapped { map, .. } => {
                let map = map.clone();
                Some(Arc::new(move |r: Range<u64>| {
                    map.release(r.start as usize..r.end as usize)
                }))
            }
            ParquetBody::Ranged { .. } => None,
        };
        let cursor = file
            .cursor(&bytes, &work.unit, batch_rows, release)
            .map_err(UnitError::Parquet)?;
        Ok(ParquetRead { cursor, batch_rows })
    }

    /// Rows of the unit read so far.
    pub fn rows_done(&self) -> u64 {
        self.cursor.rows_done()
    }

    /// Whether every row of the unit is read.
    pub fn is_done(&self) -> bool {
        self.cursor.is_done()
    }

    /// The next batch of the unit's rows, checked.
    /// With `rejects` (skip), a refused row goes there and the batch goes on.
    pub fn next(
        &mut self,
        shared: &Shared,
        file: &ParquetFile,
        rejects: Option<&mut Vec<Rejected>>,
    ) -> Result<RowBatch, UnitError> {
        let left = self.cursor.unit().len() - self.cursor.rows_done();
        let rows = left.min(self.batch_rows as u64) as usize;
        let mut batch = RowBatch::empty(&shared.spec.schema, rows);
        let n = file
            .next_batch(&mut self.cursor, &mut batch, rejects)
            .map_err(UnitError::Parquet)?;
        if n == 0 && !self.cursor.is_done() {
            return Err(UnitError::Mismatch);
        }
        shared.control.done.fetch_add(n as u64, Ordering::Relaxed);
        Ok(batch)
    }
}

#[cfg(test)]
#[path = "parquet_tests.rs"]
mod tests;
