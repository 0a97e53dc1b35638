//! The parse stage the timely operator wraps: a unit read, checked and routed, in steps.
//!
//! Each is a plain function over per-worker state, so it is tested without timely.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;

use super::feed::{UnitKind, WorkUnit};
use super::npy::decode_npy;
use super::parquet::ParquetRead;
use super::plan::{Inputs, TaskSpec};
use super::{PipelineError, PipelineOptions, TaskControl};
use crate::parse::Rejected;
use crate::parse::csv::CsvRowConverter;
use crate::parse::json::JsonRowConverter;
use crate::parse::json::row::{RowScratch, parse_unit};
use crate::parse::numpy::NpyError;
use crate::parse::parquet::ParquetError;
use crate::record::{ColumnData, RowBatch};
use crate::route::{self, Destination};
use crate::validate::RowError;

/// Everything the workers of one task share (read-only).
pub(super) struct Shared {
    pub spec: TaskSpec,
    pub inputs: Inputs,
    pub opts: PipelineOptions,
    pub control: std::sync::Arc<TaskControl>,
    /// Whether rows move between workers by (shard, partition).
    pub exchange: bool,
    /// Collects durable points (`import.resume`); `None`: none are taken.
    pub durable: Option<super::durable::Coordinator>,
    /// The first sequence number of the writers' files (past a resumed task's kept ones).
    pub first_seq: u32,
}

/// A batch on its way to the writer of its (shard, partition).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Routed {
    /// Exchange key: picks the worker that writes this batch.
    pub key: u64,
    /// Where the rows go.
    pub dest: Destination,
    /// The rows.
    pub batch: RowBatch,
}

/// Why a unit was refused, as it travels on the dataflow's error stream (which needs
/// `Clone`); it becomes a [`PipelineError`] where the worker keeps the first one.
#[derive(Debug, Clone)]
pub(super) enum UnitError {
    /// A row broke a rule of the schema.
    Row(RowError),
    /// An NPY column could not be decoded.
    Npy(NpyError),
    /// A Parquet unit could not be read, or one of its rows was refused.
    Parquet(ParquetError),
    /// The unit does not match the task's input (a broken invariant).
    Mismatch,
    /// Not an error: a row refused under `--on-error skip`, on its way to the rejects.
    Skipped(Box<Rejected>),
    /// Reading the unit panicked (a bug, ours or a dependency's): the task fails, the
    /// process goes on.
    Panic {
        /// The input the unit belongs to.
        file: String,
        /// The panic's message.
        message: String,
    },
}

impl From<UnitError> for PipelineError {
    fn from(e: UnitError) -> Self {
        match e {
            UnitError::Row(e) => PipelineError::Row(e),
            UnitError::Npy(e) => PipelineError::Npy(e),
            UnitError::Parquet(e) => PipelineError::Parquet(e),
            UnitError::Mismatch => {
                PipelineError::Internal("a work unit does not match the task's input")
            }
            UnitError::Panic { file, message } => PipelineError::Panic { file, message },
            UnitError::Skipped(r) => PipelineError::Row(r.error),
        }
    }
}

/// Per-worker parsing state.
pub(super) struct Parser {
    worker: usize,
    converter: Option<JsonRowConverter>,
    csv: Option<CsvRowConverter>,
    scratch: RowScratch,
    /// The unit being read, between steps.
    current: Option<Current>,
    /// Whether bad rows are skipped (`--on-error skip`).
    skip: bool,
    /// Rows refused by the step being read (skip).
    rejected: Vec<Rejected>,
}

/// A unit taken by [`Parser::begin`], read by [`Parser::step`].
struct Current {
    unit: WorkUnit,
    /// A Parquet unit's reader, once it has started.
    parquet: Option<ParquetRead>,
}

impl Parser {
    /// A parser for worker `worker`.
    pub fn new(shared: &Shared, worker: usize) -> Result<Self, PipelineError> {
        let schema = &shared.spec.schema;
        let skip = shared.opts.rejects.is_some();
        let (converter, mut csv) = match &shared.inputs {
            Inputs::Json { .. } => (Some(JsonRowConverter::new(schema)?), None),
            Inputs::Csv { header, opts, .. } => (
                None,
                Some(CsvRowConverter::new(schema, header.clone(), opts.clone())?),
            ),
            Inputs::Npy { .. } | Inputs::Parquet { .. } => (None, None),
        };
        let mut scratch = RowScratch::new(shared.opts.simd_json);
        if skip {
            scratch.rejects = Some(Vec::new());
            if let Some(csv) = &mut csv {
                csv.rejects = Some(Vec::new());
            }
        }
        Ok(Parser {
            worker,
            converter,
            csv,
            scratch,
            current: None,
            skip,
            rejected: Vec::new(),
        })
    }

    /// Takes `unit` to read with [`Parser::step`] (after the one being read, if any: the
    /// caller waits for [`Parser::busy`] to turn false).
    pub fn begin(&mut self, unit: WorkUnit) {
        self.current = Some(Current {
            unit,
            parquet: None,
        });
    }

    /// Whether a unit is being read (more steps to come).
    pub fn busy(&self) -> bool {
        self.current.is_some()
    }

    /// Reads, checks and routes the next batch of the unit taken: all of a JSON, CSV or NPY
    /// unit, one bounded batch of a Parquet unit (so that a unit's rows are written as they
    /// are read, and a worker holds one batch of them at a time).
    pub fn step(&mut self, shared: &Shared) -> Vec<Result<Routed, UnitError>> {
        let Some(mut current) = self.current.take() else {
            return Vec::new();
        };
        if shared.control.stop.load(Ordering::Relaxed) {
            return Vec::new();
        }
        if current.parquet.is_none() && !shared.opts.unit_delay.is_zero() {
            std::thread::sleep(shared.opts.unit_delay);
        }
        let schema = &shared.spec.schema;
        // A panic while reading fails the task with its message and never unwinds through
        // timely: the worker, the other tasks and the server go on.
        let read =
            std::panic::catch_unwind(AssertUnwindSafe(|| self.read_step(shared, &mut current)))
                .unwrap_or_else(|panic| {
                    Err(UnitError::Panic {
                        file: shared.inputs.name().to_string(),
                        message: panic_message(panic.as_ref()),
                    })
                });
        let (mut batch, offset, more) = match read {
            Ok(r) => r,
            Err(e) => {
                shared.control.stop.store(true, Ordering::Relaxed);
                return vec![Err(e)];
            }
        };
        (shared.control.rows).fetch_add(batch.len() as u64, Ordering::Relaxed);
        if let Some(first) = current.unit.first_id {
            // Auto-ids follow the rows' order within the unit.
            fill_auto_ids(schema, &mut batch, first.saturating_add(offset as i64));
        }
        if more {
            self.current = Some(current);
        }
        let shards = schema.shards_num.max(1) as u64;
        let worker = self.worker as u64;
        let routed = route::split(schema, batch)
            .into_iter()
            .map(|(dest, batch)| {
                let key = if shared.exchange {
                    exchange_key(dest.partition, dest.shard, shards)
                } else {
                    worker
                };
                Ok(Routed { key, dest, batch })
            });
        if !self.skip {
            return routed.collect();
        }
        let skipped = self.take_rejected().into_iter();
        routed
            .chain(skipped.map(|r| Err(UnitError::Skipped(Box::new(r)))))
            .collect()
    }

    /// The rows the last step refused (skip), from whichever reader refused them.
    fn take_rejected(&mut self) -> Vec<Rejected> {
        let mut out = std::mem::take(&mut self.rejected);
        for sink in [
            self.scratch.rejects.as_mut(),
            self.csv.as_mut().and_then(|c| c.rejects.as_mut()),
        ]
        .into_iter()
        .flatten()
        {
            out.append(sink);
        }
        out
    }

    /// The next rows of `current`: the batch, the offset of its first row within the unit,
    /// and whether rows remain.
    fn read_step(
        &mut self,
        shared: &Shared,
        current: &mut Current,
    ) -> Result<(RowBatch, u64, bool), UnitError> {
        if let (Inputs::Parquet { file, body }, UnitKind::Parquet(w)) =
            (&shared.inputs, &current.unit.kind)
        {
            let read = match &mut current.parquet {
                Some(r) => r,
                slot => slot.insert(ParquetRead::start(shared, file, body, w)?),
            };
            let offset = read.rows_done();
            let batch = read.next(shared, file, self.skip.then_some(&mut self.rejected))?;
            return Ok((batch, offset, !read.is_done()));
        }
        let unit = &current.unit;
        // Sized for the unit's rows up front: no regrowth (copies, fresh pages) while parsing.
        let rows = match &unit.kind {
            UnitKind::Json(w) => w.unit.rows,
            UnitKind::Npy(w) => w.rows.end - w.rows.start,
            UnitKind::Parquet(w) => w.unit.len(),
            UnitKind::Csv(w) => w.unit.rows,
        };
        let mut batch = RowBatch::empty(&shared.spec.schema, usize::try_from(rows).unwrap_or(0));
        self.parse(shared, unit, &mut batch)?;
        Ok((batch, 0, false))
    }

    /// Reads and checks the rows of a JSON, CSV or NPY `unit` into `batch`.
    fn parse(
        &mut self,
        shared: &Shared,
        unit: &WorkUnit,
        batch: &mut RowBatch,
    ) -> Result<(), UnitError> {
        // Tests stand for a reader's bug with a file of this name.
        #[cfg(test)]
        if shared.inputs.name().ends_with(PANIC_TEST_FILE) {
            panic!("a reader's bug (test)");
        }
        match (&shared.inputs, &unit.kind, &mut self.converter) {
            (Inputs::Json { file, body, format }, UnitKind::Json(w), Some(conv)) => {
                let r = parse_unit(
                    file,
                    w.bytes(body),
                    *format,
                    &w.unit,
                    conv,
                    &mut self.scratch,
                    batch,
                );
                w.release(body);
                shared.control.done.fetch_add(w.len(), Ordering::Relaxed);
                r.map_err(|e| UnitError::Row(w.locate(e)))
            }
            (Inputs::Csv { file, body, .. }, UnitKind::Csv(w), _) => match &mut self.csv {
                Some(conv) => {
                    let r = conv.parse_unit(file, w.piece.bytes(body), &w.unit, batch);
                    w.piece.release(body);
                    shared.control.done.fetch_add(w.len(), Ordering::Relaxed);
                    r.map_err(UnitError::Row)
                }
                None => Err(UnitError::Mismatch),
            },
            (Inputs::Npy { plan, cols, meta }, UnitKind::Npy(w), _) => {
                let rejects = self.skip.then_some(&mut self.rejected);
                let r = decode_npy(shared, plan, cols, meta.as_ref(), w, batch, rejects);
                shared
                    .control
                    .done
                    .fetch_add(w.rows.end - w.rows.start, Ordering::Relaxed);
                r
            }
            _ => Err(UnitError::Mismatch),
        }
    }
}

/// Writes generated ids `first..` into the primary-key column (decimal text for VarChar).
fn fill_auto_ids(schema: &crate::schema::CollectionSchema, batch: &mut RowBatch, first: i64) {
    match &mut batch.columns[schema.primary_index()].data {
        ColumnData::Int64(v) => v.iter_mut().zip(first..).for_each(|(slot, id)| *slot = id),
        ColumnData::VarChar(v) => v
            .iter_mut()
            .zip(first..)
            .for_each(|(slot, id)| *slot = id.to_string()),
        _ => {}
    }
}

/// A file name whose units panic when read, in test builds (see [`Parser::step`]).
#[cfg(test)]
pub(crate) const PANIC_TEST_FILE: &str = "panics-when-read.jsonl";

/// The text of a panic's payload.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "a panic without a message".to_string(),
    }
}

/// The exchange key of a (partition, shard) pair: its index among the pairs, `0..pairs`.
///
/// timely sends a key to worker `key & (workers - 1)` (a power of two) or `key % workers`;
/// consecutive indices spread the pairs evenly. (The earlier `partition * pairs + shard` made
/// every key a multiple of `pairs`: with 16 partitions, one shard and 2 or 4 workers, all rows
/// went to worker 0.)
fn exchange_key(partition: u32, shard: u32, shards: u64) -> u64 {
    u64::from(partition) * shards + u64::from(shard)
}
