//! The rows a query or a search may see: each primary key once, its newest row (the
//! segment of the later task; within a segment the later row), as Milvus's upserts leave
//! it. Blocks are visited newest first, so a row is the newest of its key exactly when no
//! row visited before had that key; rows of unselected partitions are read only as far as
//! they can hide older rows of selected ones.

use std::collections::HashSet;

use super::{QueryError, Snapshot};
use crate::record::{ColumnData, RowBatch};
use crate::segment::SegmentReader;

/// Primary keys seen so far.
#[derive(Default)]
struct Seen {
    ints: HashSet<i64>,
    strs: HashSet<String>,
}

impl Seen {
    /// For each row of `pk`, whether it is its key's newest row; marks the keys seen.
    fn newest(&mut self, pk: &ColumnData) -> Vec<bool> {
        let mut out = vec![false; pk.len()];
        match pk {
            ColumnData::Int64(v) => {
                for (row, k) in v.iter().enumerate().rev() {
                    out[row] = self.ints.insert(*k);
                }
            }
            ColumnData::VarChar(v) => {
                for (row, k) in v.iter().enumerate().rev() {
                    out[row] = !self.strs.contains(k) && self.strs.insert(k.clone());
                }
            }
            _ => out.iter_mut().for_each(|b| *b = true),
        }
        out
    }
}

/// Calls `visit(block, newest)` for every block of the selected partitions (all when
/// `partitions` is `None`), newest block first; `newest[row]` says whether the row is its
/// key's newest. `visit` returns `false` to stop. The snapshot lists segments oldest first.
pub(super) fn scan(
    snap: &Snapshot,
    partitions: Option<&[String]>,
    mut visit: impl FnMut(&RowBatch, &[bool]) -> Result<bool, QueryError>,
) -> Result<(), QueryError> {
    let selected = |p: &str| partitions.is_none_or(|ps| ps.iter().any(|x| x == p));
    // Segments older than the oldest selected one can hide nothing that is returned.
    let Some(oldest) = snap.segments.iter().position(|(p, _)| selected(p)) else {
        return Ok(());
    };
    let pk = snap.schema.primary_index();
    let mut seen = Seen::default();
    for (partition, path) in snap.segments[oldest..].iter().rev() {
        let mut reader = SegmentReader::open(path)?;
        for block in (0..reader.summary().blocks.len()).rev() {
            let Some(batch) = reader.read_block(block).transpose()? else {
                continue;
            };
            let newest = seen.newest(&batch.columns[pk].data);
            if selected(partition) && !visit(&batch, &newest)? {
                return Ok(());
            }
        }
    }
    Ok(())
}
