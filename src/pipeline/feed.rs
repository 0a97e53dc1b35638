//! The feeder: cuts the input into work units, in file order, and hands out auto-ids.

use std::ops::Range;
use std::sync::atomic::Ordering;

use crossbeam_channel::Sender;

use super::plan::Inputs;
use super::{IdAllocator, PipelineError, TaskControl};
use crate::parse::json::framing::{Framer, Unit};

/// Ids are reserved from the durable counter in blocks of at least this many.
const ID_BLOCK_ROWS: u64 = 1 << 20;

/// One unit of work: a range of rows of the task's input.
#[derive(Debug, Clone)]
pub(super) struct WorkUnit {
    /// The rows.
    pub kind: UnitKind,
    /// First auto-id of the unit's rows (auto-id collections only).
    pub first_id: Option<i64>,
}

/// The rows of a unit.
#[derive(Debug, Clone)]
pub(super) enum UnitKind {
    /// A byte range of whole rows of a JSON file.
    Json(Unit),
    /// A row range of an NPY column set.
    Npy(Range<u64>),
}

impl UnitKind {
    fn rows(&self) -> u64 {
        match self {
            UnitKind::Json(u) => u.rows,
            UnitKind::Npy(r) => r.end - r.start,
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
        let n_i = i64::try_from(n).map_err(|_| PipelineError::Request("too many rows".into()))?;
        if self.current.end - self.current.start < n_i {
            self.current = self
                .alloc
                .alloc(n.max(ID_BLOCK_ROWS))
                .map_err(|e| PipelineError::Request(format!("allocating auto-ids: {e}")))?;
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

/// Feeds every unit of `inputs` to `tx`; returns the auto-id ranges handed out.
///
/// Stops early (without error) when the task is stopped or the receivers are gone.
pub(super) fn feed(
    inputs: &Inputs,
    auto_id: bool,
    unit_bytes: usize,
    ids: &dyn IdAllocator,
    tx: Sender<WorkUnit>,
    control: &TaskControl,
) -> Result<Vec<[i64; 2]>, PipelineError> {
    let mut blocks = IdBlocks {
        alloc: ids,
        current: 0..0,
        used: Vec::new(),
    };
    let mut send = |kind: UnitKind| -> Result<bool, PipelineError> {
        if control.stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let first_id = if auto_id && kind.rows() > 0 {
            Some(blocks.take(kind.rows())?)
        } else {
            None
        };
        let unit = WorkUnit { kind, first_id };
        Ok(tx.send(unit).is_ok())
    };
    match inputs {
        Inputs::Json { file, map, format } => {
            let framing = |source| PipelineError::Framing {
                file: file.clone(),
                source,
            };
            let mut framer = Framer::new(map.bytes(), *format).map_err(framing)?;
            while let Some(unit) = framer.next_unit(unit_bytes) {
                if !send(UnitKind::Json(unit.map_err(framing)?))? {
                    break;
                }
            }
        }
        Inputs::Npy {
            plan,
            maps,
            meta_map,
        } => {
            let bytes: u64 = maps
                .iter()
                .chain(meta_map.iter())
                .map(|m| m.bytes().len() as u64)
                .sum();
            let row_bytes = (bytes / plan.rows.max(1)).max(1);
            let per_unit = (unit_bytes as u64 / row_bytes).max(1);
            let mut start = 0;
            while start < plan.rows {
                let end = (start + per_unit).min(plan.rows);
                if !send(UnitKind::Npy(start..end))? {
                    break;
                }
                start = end;
            }
        }
    }
    Ok(blocks.used)
}
